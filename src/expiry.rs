//! Remaining time of a credential → [`Severity`], and every credential of every tenant in
//! order of urgency ([`due_list`]) for the dashboard, the `expiry` command and calendar
//! export. Pure: the clock is always a parameter.

use chrono::{DateTime, Duration, Local, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{CredentialMeta, IdpId, PlatformId, Profile};

/// How urgent a credential's expiry is (DESIGN.md, "Credentials and expiry").
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// `expires_at` has passed (remaining ≤ 0).
    Expired,
    /// Less than 7 days left.
    Critical,
    /// Less than 30 days left.
    Warning,
    /// 30 days or more.
    Ok,
}

impl Severity {
    /// Words shown beside the colour.
    pub fn label(self) -> &'static str {
        match self {
            Self::Expired => "Expired",
            Self::Critical => "Expires very soon",
            Self::Warning => "Expires soon",
            Self::Ok => "Valid",
        }
    }

    /// True for critical and expired: `expiry` exits 1.
    pub fn needs_action_now(self) -> bool {
        matches!(self, Self::Expired | Self::Critical)
    }
}

/// Severity of a credential expiring at `expires_at`, seen at `now`.
pub fn severity(expires_at: DateTime<Utc>, now: DateTime<Utc>) -> Severity {
    let remaining = expires_at - now;
    if remaining <= Duration::zero() {
        Severity::Expired
    } else if remaining < Duration::days(7) {
        Severity::Critical
    } else if remaining < Duration::days(30) {
        Severity::Warning
    } else {
        Severity::Ok
    }
}

/// Days left, the one rule of every view (window, CLI, dashboard, .ics; #14): calendar
/// days from today to the expiry's day, both in the admin's local time zone. It is the
/// same number all day long, whatever the hour the credential was created: a preset of
/// 90 days reads "90 d left" in the preview and once stored, and a date-only expiry
/// (the end of that day, local time) reads as the days until that date. 0 on the last
/// day; negative once the day has passed.
///
/// Reads the time zone (not the clock); [`days_left_in`] takes it as a parameter.
pub fn days_left(expires_at: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    days_left_in(expires_at, now, &Local)
}

/// [`days_left`] in the time zone `tz`.
pub fn days_left_in<Tz: TimeZone>(expires_at: DateTime<Utc>, now: DateTime<Utc>, tz: &Tz) -> i64 {
    let day = expires_at.with_timezone(tz).date_naive();
    let today = now.with_timezone(tz).date_naive();
    (day - today).num_days()
}

/// Badge text: words and days, so colour is never the only signal.
pub fn badge_text(expires_at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    badge_text_in(expires_at, now, &Local)
}

/// [`badge_text`] in the time zone `tz`.
pub fn badge_text_in<Tz: TimeZone>(
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
    tz: &Tz,
) -> String {
    let days = days_left_in(expires_at, now, tz);
    match severity(expires_at, now) {
        Severity::Expired => {
            let ago = -days;
            if ago <= 0 {
                "Expired today".to_owned()
            } else {
                format!("Expired {ago} d ago")
            }
        }
        severity => format!("{} · {days} d left", severity.label()),
    }
}

/// Severity of an optional expiry; `None` when the credential has no expiry set.
pub fn severity_of(expires_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Option<Severity> {
    expires_at.map(|at| severity(at, now))
}

/// One credential of one tenant, with what is needed to say what to rotate where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Due {
    /// The profile's id.
    pub profile_id: String,
    /// The tenant's name.
    pub tenant: String,
    /// The SaaS platform.
    pub platform: PlatformId,
    /// The identity provider.
    pub idp: IdpId,
    /// The credential's metadata (never its value).
    pub credential: CredentialMeta,
    /// True when the SSO or SCIM app uses it (not an older one kept for reference).
    pub in_use: bool,
}

/// True when `due` needs action now (critical or expired) and counts for the `expiry`
/// command's exit code: a credential that is not in use (an older one kept, the dashboard
/// labels it "not in use") counts only with `include_unused`.
pub fn needs_action_now(due: &Due, now: DateTime<Utc>, include_unused: bool) -> bool {
    (due.in_use || include_unused)
        && severity_of(due.credential.expires_at, now).is_some_and(Severity::needs_action_now)
}

/// Every credential of `profiles`, most urgent first: earliest `expires_at` first (the
/// order does not depend on `now`, so it can be computed once), credentials without an
/// expiry last; ties by tenant name and label.
pub fn due_list<'a>(profiles: impl IntoIterator<Item = &'a Profile>) -> Vec<Due> {
    let mut due: Vec<Due> = profiles
        .into_iter()
        .flat_map(|profile| {
            profile.credentials.iter().map(move |credential| Due {
                profile_id: profile.id.clone(),
                tenant: profile.name.clone(),
                platform: profile.platform,
                idp: profile.idp,
                credential: credential.clone(),
                in_use: profile.scim.token_credential.as_deref() == Some(credential.id.as_str())
                    || profile.sso.client_secret_credential.as_deref()
                        == Some(credential.id.as_str()),
            })
        })
        .collect();
    due.sort_by(|a, b| {
        let key = |d: &Due| (d.credential.expires_at.is_none(), d.credential.expires_at);
        key(a)
            .cmp(&key(b))
            .then_with(|| a.tenant.cmp(&b.tenant))
            .then_with(|| a.credential.label.cmp(&b.credential.label))
    });
    due
}

/// The fixed instant the unit tests of expiry, ics reminders, profile storage and
/// credentials judge dates against (a Monday, noon UTC).
#[cfg(test)]
pub(crate) fn test_now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T12:00:00Z")
        .unwrap_or_else(|err| panic!("fixed test instant: {err}"))
        .with_timezone(&Utc)
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::test_now as now;

    #[test]
    fn severity_boundaries() {
        let now = now();
        assert_eq!(severity(now + Duration::days(30), now), Severity::Ok);
        assert_eq!(
            severity(now + Duration::days(30) - Duration::hours(1), now),
            Severity::Warning
        );
        assert_eq!(severity(now + Duration::days(7), now), Severity::Warning);
        assert_eq!(
            severity(now + Duration::days(7) - Duration::seconds(1), now),
            Severity::Critical
        );
        assert_eq!(
            severity(now + Duration::seconds(1), now),
            Severity::Critical
        );
        assert_eq!(severity(now, now), Severity::Expired);
        assert_eq!(severity(now - Duration::days(3), now), Severity::Expired);
    }

    #[test]
    fn severity_boundaries_to_the_hour() {
        let now = now();
        // Exactly 30 days → ok; 29 days 23 h → warning.
        assert_eq!(severity(now + Duration::days(30), now), Severity::Ok);
        assert_eq!(
            severity(now + Duration::days(29) + Duration::hours(23), now),
            Severity::Warning
        );
        // Exactly 7 days → warning; just under → critical.
        assert_eq!(severity(now + Duration::days(7), now), Severity::Warning);
        assert_eq!(
            severity(now + Duration::days(7) - Duration::milliseconds(1), now),
            Severity::Critical
        );
        assert_eq!(
            severity(now + Duration::days(6) + Duration::hours(23), now),
            Severity::Critical
        );
        // 0 → expired.
        assert_eq!(severity(now + Duration::zero(), now), Severity::Expired);
        assert_eq!(severity_of(None, now), None);
        assert!(Severity::Critical.needs_action_now() && Severity::Expired.needs_action_now());
        assert!(!Severity::Warning.needs_action_now());
    }

    #[test]
    fn badge_text_always_has_words_and_days() {
        let now = now();
        let badge = |at| badge_text_in(at, now, &Utc);
        assert_eq!(badge(now + Duration::days(30)), "Valid · 30 d left");
        assert_eq!(
            badge(now + Duration::days(29) + Duration::hours(11)),
            "Expires soon · 29 d left"
        );
        assert_eq!(
            badge(now + Duration::days(6)),
            "Expires very soon · 6 d left"
        );
        assert_eq!(
            badge(now + Duration::hours(5)),
            "Expires very soon · 0 d left"
        );
        assert_eq!(badge(now), "Expired today");
        assert_eq!(badge(now - Duration::hours(30)), "Expired 1 d ago");
    }

    #[test]
    fn due_list_puts_the_most_urgent_first_and_no_expiry_last() {
        use crate::model::{CredentialKind, CredentialOrigin, CredentialState};
        let now = now();
        let meta = |id: &str, days: Option<i64>| CredentialMeta {
            id: id.into(),
            kind: CredentialKind::ScimToken,
            label: id.into(),
            origin: CredentialOrigin::Generated,
            created_at: now,
            expires_at: days.map(|d| now + Duration::days(d)),
            last4: "abcd".into(),
            last_verified_at: None,
            state: CredentialState::Active,
            session_only: false,
        };
        let mut a = Profile::new(
            "a-1".into(),
            "Alpha".into(),
            PlatformId::Airia,
            IdpId::Entra,
            now,
        );
        a.credentials = vec![meta("a-later", Some(90)), meta("a-none", None)];
        a.scim.token_credential = Some("a-later".into());
        let mut b = Profile::new(
            "b-1".into(),
            "Beta".into(),
            PlatformId::Generic,
            IdpId::Okta,
            now,
        );
        b.credentials = vec![meta("b-expired", Some(-2)), meta("b-soon", Some(3))];
        let order: Vec<String> = due_list([&a, &b])
            .into_iter()
            .map(|d| d.credential.id)
            .collect();
        assert_eq!(order, ["b-expired", "b-soon", "a-later", "a-none"]);
        let due = due_list([&a]);
        assert!(due[0].in_use && !due[1].in_use);
        assert_eq!(due[0].tenant, "Alpha");
    }

    #[test]
    fn days_left_counts_calendar_days_in_the_local_zone() {
        let now = now(); // 12:00 UTC
        assert_eq!(days_left_in(now - Duration::hours(1), now, &Utc), 0);
        assert_eq!(days_left_in(now - Duration::hours(13), now, &Utc), -1);
        assert_eq!(
            badge_text_in(now + Duration::days(10), now, &Utc),
            "Expires soon · 10 d left"
        );
        assert_eq!(
            badge_text_in(now - Duration::days(2), now, &Utc),
            "Expired 2 d ago"
        );
        // The same minute, the same number: a 90-day preset previewed, then stored a
        // few seconds later (issue #14: 90 d in the preview, 89 d once stored).
        let stored = now + Duration::seconds(7);
        assert_eq!(days_left_in(now + Duration::days(90), now, &Utc), 90);
        assert_eq!(days_left_in(now + Duration::days(90), stored, &Utc), 90);
        // Midnight is the boundary, in the admin's zone, not UTC's.
        let plus2 = chrono::FixedOffset::east_opt(2 * 3600).unwrap();
        let minus5 = chrono::FixedOffset::west_opt(5 * 3600).unwrap();
        let late = DateTime::parse_from_rfc3339("2026-11-23T23:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let expires = DateTime::parse_from_rfc3339("2026-11-25T21:59:59Z")
            .unwrap()
            .with_timezone(&Utc); // 23:59:59 on the 25th at UTC+2
        assert_eq!(days_left_in(expires, late, &plus2), 1); // it is the 24th at UTC+2
        assert_eq!(days_left_in(expires, late, &Utc), 2);
        assert_eq!(days_left_in(expires, late, &minus5), 2); // 18:30 on the 23rd
        assert_eq!(
            days_left_in(expires, expires - Duration::seconds(1), &plus2),
            0
        );
        assert_eq!(
            days_left_in(expires, expires + Duration::seconds(1), &plus2),
            -1
        );
    }
}

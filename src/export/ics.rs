//! Calendar reminders for credential expiry: an iCalendar file (RFC 5545) with one all-day
//! event on each expiry date and two reminders, 30 and 7 days before (the warning and
//! critical thresholds of [`crate::expiry::severity`]).
//!
//! Built from metadata only ([`Due`]): tenant, platform, IdP, kind, label and date. No
//! secret and not even its last four characters go into the file: calendars get shared
//! and synced to phones.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use crate::expiry::Due;
use crate::model::CredentialKind;

/// Reminders before each expiry, in days (RFC 5545 §3.8.6.3 relative `TRIGGER`s).
pub const REMINDER_DAYS: [u32; 2] = [30, 7];

/// The suggested file name.
pub const FILE_NAME: &str = "credential-expiry.ics";

/// An iCalendar document with one event per credential that expires after `now`
/// (credentials already expired or without an expiry get none: there is nothing to remind
/// of). `now` is the `DTSTAMP`. Lines end in CRLF and are folded at 75 octets.
pub fn calendar(due: &[Due], now: DateTime<Utc>) -> String {
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//sso-scim-wizard//credential expiry//EN".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        "METHOD:PUBLISH".to_owned(),
        "X-WR-CALNAME:Credential expiry (sso-scim-wizard)".to_owned(),
    ];
    let stamp = now.format("%Y%m%dT%H%M%SZ").to_string();
    for entry in due {
        let Some(expires_at) = entry.credential.expires_at.filter(|at| *at > now) else {
            continue;
        };
        // The expiry's day in the admin's time zone, as every other view counts it.
        let day = expires_at.with_timezone(&chrono::Local).date_naive();
        let what = entry.credential.kind.label();
        let platform = entry.platform.label();
        let idp = entry.idp.label();
        let summary = format!("{}: {what} expires", entry.tenant);
        lines.push("BEGIN:VEVENT".to_owned());
        lines.push(format!(
            "UID:{}.{}@sso-scim-wizard",
            entry.profile_id, entry.credential.id
        ));
        lines.push(format!("DTSTAMP:{stamp}"));
        lines.push(format!("DTSTART;VALUE=DATE:{}", day.format("%Y%m%d")));
        // A date event without DTEND lasts one day anyway (RFC 5545 §3.6.1); leaving it out
        // is only needed on the last day chrono can represent, which has no next day
        // (fuzz/regressions/profile/expiry-on-the-last-day-chrono-can-represent.json).
        if let Some(next_day) = day.succ_opt() {
            lines.push(format!("DTEND;VALUE=DATE:{}", next_day.format("%Y%m%d")));
        }
        lines.push(format!("SUMMARY:{}", escape(&summary)));
        let description = format!(
            "The {what} “{label}” of {tenant} ({platform} with {idp}) expires on {date}.\n{how}\n\
             In sso-scim-wizard: open {tenant}, step Credentials.",
            label = entry.credential.label,
            tenant = entry.tenant,
            date = expires_at.format("%Y-%m-%d %H:%M UTC"),
            how = rotation_hint(entry.credential.kind, platform, idp),
        );
        lines.push(format!("DESCRIPTION:{}", escape(&description)));
        lines.push("CATEGORIES:sso-scim-wizard".to_owned());
        lines.push("TRANSP:TRANSPARENT".to_owned());
        for days in REMINDER_DAYS {
            lines.push("BEGIN:VALARM".to_owned());
            lines.push("ACTION:DISPLAY".to_owned());
            lines.push(format!(
                "DESCRIPTION:{}",
                escape(&format!("{summary} in {days} days: rotate it now"))
            ));
            lines.push(format!("TRIGGER:-P{days}D"));
            lines.push("END:VALARM".to_owned());
        }
        lines.push("END:VEVENT".to_owned());
    }
    lines.push("END:VCALENDAR".to_owned());
    let mut out = String::new();
    for line in &lines {
        fold_into(&mut out, line);
    }
    out
}

/// How many events [`calendar`] writes for `due` at `now`.
pub fn event_count(due: &[Due], now: DateTime<Utc>) -> usize {
    due.iter()
        .filter(|d| d.credential.expires_at.is_some_and(|at| at > now))
        .count()
}

/// What to rotate where, in one sentence.
fn rotation_hint(kind: CredentialKind, platform: &str, idp: &str) -> String {
    match kind {
        CredentialKind::ScimToken => format!(
            "Rotate it before then: create a new SCIM token for {platform}, put it into the provisioning app in {idp}, \
             check that provisioning works, then revoke the old token."
        ),
        CredentialKind::ClientSecret => format!(
            "Rotate it before then: add a new client secret to the app registration in {idp}, put it into the SSO \
             settings of {platform}, check that sign-in works, then delete the old secret."
        ),
    }
}

/// Escapes a TEXT value (RFC 5545 §3.3.11).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends `line` folded at 75 octets without splitting a UTF-8 character (RFC 5545 §3.1),
/// ending in CRLF.
fn fold_into(out: &mut String, line: &str) {
    let mut width = 0;
    let mut limit = 75;
    for c in line.chars() {
        if width + c.len_utf8() > limit {
            out.push_str("\r\n ");
            width = 0;
            // A continuation line's leading space counts toward its 75 octets.
            limit = 74;
        }
        out.push(c);
        width += c.len_utf8();
    }
    let _ = write!(out, "\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CredentialMeta, CredentialOrigin, CredentialState, IdpId, PlatformId};
    use crate::secrets::Secret;
    use chrono::Duration;

    use crate::expiry::test_now as now;

    fn due(
        tenant: &str,
        kind: CredentialKind,
        expires_in_days: Option<i64>,
        secret: &Secret,
    ) -> Due {
        Due {
            profile_id: "contoso-1a2b3c".into(),
            tenant: tenant.into(),
            platform: PlatformId::Airia,
            idp: IdpId::Entra,
            credential: CredentialMeta {
                id: format!(
                    "{}-00000{}",
                    kind.as_str(),
                    expires_in_days.unwrap_or(0).abs() % 10
                ),
                kind,
                label: "Production, main".into(),
                origin: CredentialOrigin::Imported,
                created_at: now(),
                expires_at: expires_in_days.map(|d| now() + Duration::days(d)),
                last4: secret.last4(),
                last_verified_at: None,
                state: CredentialState::Active,
                session_only: false,
            },
            in_use: true,
        }
    }

    #[test]
    fn each_future_expiry_gets_an_event_with_30_and_7_day_reminders() {
        let secret = Secret::new("airia_scim_9f8e7d6c5b4a39281706");
        let entries = [
            due("Contoso; EU", CredentialKind::ScimToken, Some(180), &secret),
            due(
                "Contoso; EU",
                CredentialKind::ClientSecret,
                Some(20),
                &secret,
            ),
            due("Old", CredentialKind::ScimToken, Some(-3), &secret),
            due("Forever", CredentialKind::ClientSecret, None, &secret),
        ];
        let ics = calendar(&entries, now());
        assert_eq!(event_count(&entries, now()), 2);
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        assert_eq!(ics.matches("BEGIN:VEVENT").count(), 2);
        assert_eq!(ics.matches("BEGIN:VALARM").count(), 4);
        assert_eq!(ics.matches("TRIGGER:-P30D").count(), 2);
        assert_eq!(ics.matches("TRIGGER:-P7D").count(), 2);
        // The expiry's day where the admin is (2027-05-22 12:00 UTC; the 23rd east of +12).
        let day = (now() + Duration::days(180))
            .with_timezone(&chrono::Local)
            .format("%Y%m%d");
        assert!(
            ics.contains(&format!("DTSTART;VALUE=DATE:{day}\r\n")),
            "{ics}"
        );
        assert!(ics.contains("DTSTAMP:20261123T120000Z"));
        assert!(ics.contains("SUMMARY:Contoso\\; EU: SCIM token expires"));
        let unfolded = ics.replace("\r\n ", "");
        assert!(unfolded.contains("“Production\\, main”"), "{unfolded}");
        assert!(unfolded.contains("Microsoft Entra ID"), "{unfolded}");
        assert!(unfolded.contains("revoke the old token"), "{unfolded}");
        assert!(unfolded.contains("add a new client secret"), "{unfolded}");
        assert!(!unfolded.contains("Old:") && !unfolded.contains("Forever"));
        // No secret, not even its last four characters.
        assert!(!ics.contains(secret.expose()));
        assert!(!unfolded.contains(&secret.last4()));
    }

    #[test]
    fn long_lines_are_folded_at_75_octets_with_crlf() {
        let secret = Secret::new("x");
        let tenant =
            "Ünïcödé tenant with a very long name that goes on and on and on to force folding";
        let ics = calendar(
            &[due(tenant, CredentialKind::ScimToken, Some(40), &secret)],
            now(),
        );
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "{} octets: {line}", line.len());
            assert!(!line.contains('\n'));
        }
        assert!(ics.replace("\r\n ", "").contains(tenant));
    }
}

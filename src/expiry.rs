//! Remaining time of a credential → [`Severity`]. The clock is always a parameter.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

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

/// Whole days left, rounded down; negative once expired.
pub fn days_left(expires_at: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    (expires_at - now).num_seconds().div_euclid(86_400)
}

/// Badge text: words and days, so colour is never the only signal.
pub fn badge_text(expires_at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let days = days_left(expires_at, now);
    match severity(expires_at, now) {
        Severity::Expired => {
            let ago = (now - expires_at).num_days();
            if ago == 0 { "Expired today".to_owned() } else { format!("Expired {ago} d ago") }
        }
        severity => format!("{} · {days} d left", severity.label()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-23T12:00:00Z").unwrap().with_timezone(&Utc)
    }

    #[test]
    fn severity_boundaries() {
        let now = now();
        assert_eq!(severity(now + Duration::days(30), now), Severity::Ok);
        assert_eq!(severity(now + Duration::days(30) - Duration::hours(1), now), Severity::Warning);
        assert_eq!(severity(now + Duration::days(7), now), Severity::Warning);
        assert_eq!(severity(now + Duration::days(7) - Duration::seconds(1), now), Severity::Critical);
        assert_eq!(severity(now + Duration::seconds(1), now), Severity::Critical);
        assert_eq!(severity(now, now), Severity::Expired);
        assert_eq!(severity(now - Duration::days(3), now), Severity::Expired);
    }

    #[test]
    fn days_left_rounds_down_and_goes_negative() {
        let now = now();
        assert_eq!(days_left(now + Duration::days(29) + Duration::hours(23), now), 29);
        assert_eq!(days_left(now - Duration::hours(1), now), -1);
        assert_eq!(badge_text(now + Duration::days(10), now), "Expires soon · 10 d left");
        assert_eq!(badge_text(now - Duration::days(2), now), "Expired 2 d ago");
    }
}

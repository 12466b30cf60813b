//! Findings, statuses and reports: the one shape every check returns.
//!
//! This module owns the stable check ids (scripts and monitoring depend on them) and the
//! text and JSON renderings of a [`Report`]. It does no I/O and never reads the clock.

pub mod text;

use serde::{Deserialize, Serialize};

pub mod oauth_errors;
pub mod words;

/// Outcome of one check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The check found a problem that breaks sign-in or provisioning.
    Fail,
    /// Something works but deserves attention.
    Warn,
    /// The check passed.
    Pass,
    /// The check could not run; the detail says why.
    Skip,
}

impl Status {
    /// The word shown next to the icon (colour is never the only signal).
    pub fn label(self) -> &'static str {
        match self {
            Self::Fail => "Failed",
            Self::Warn => "Warning",
            Self::Pass => "Passed",
            Self::Skip => "Skipped",
        }
    }

    /// A one-character icon that reads without colour.
    pub fn icon(self) -> &'static str {
        match self {
            Self::Fail => "✖",
            Self::Warn => "⚠",
            Self::Pass => "✔",
            Self::Skip => "–",
        }
    }
}

/// The result of one check: what was tested, what came out, and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable check id, one of [`check_ids::ALL`].
    pub id: String,
    /// Outcome.
    pub status: Status,
    /// Short title, sentence case.
    pub title: String,
    /// What was observed, naming the offending values (never a secret).
    pub detail: String,
    /// What to do about it; empty when there is nothing to do.
    pub fix: String,
    /// How long the check took, in milliseconds.
    pub duration_ms: u64,
}

impl Finding {
    /// A finding with the given id and status; the title comes from the check id table.
    pub fn new(id: &str, status: Status, detail: impl Into<String>) -> Self {
        Self {
            id: id.to_owned(),
            status,
            title: check_ids::title(id).to_owned(),
            detail: detail.into(),
            fix: String::new(),
            duration_ms: 0,
        }
    }

    /// A passing finding.
    pub fn pass(id: &str, detail: impl Into<String>) -> Self {
        Self::new(id, Status::Pass, detail)
    }

    /// A warning.
    pub fn warn(id: &str, detail: impl Into<String>, fix: impl Into<String>) -> Self {
        Self::new(id, Status::Warn, detail).with_fix(fix)
    }

    /// A failure.
    pub fn fail(id: &str, detail: impl Into<String>, fix: impl Into<String>) -> Self {
        Self::new(id, Status::Fail, detail).with_fix(fix)
    }

    /// A skipped check, with the reason it could not run.
    pub fn skip(id: &str, reason: impl Into<String>) -> Self {
        Self::new(id, Status::Skip, reason)
    }

    /// Sets the fix text.
    #[must_use]
    pub fn with_fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = fix.into();
        self
    }

    /// Sets the duration.
    #[must_use]
    pub fn with_duration_ms(mut self, duration_ms: u64) -> Self {
        self.duration_ms = duration_ms;
        self
    }
}

/// What a report was about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReportKind {
    /// OIDC discovery, JWKS and client checks.
    Oidc,
    /// SCIM endpoint checks.
    Scim,
    /// SAML IdP metadata checks.
    Saml,
}

/// Counts per status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Passed checks.
    pub pass: usize,
    /// Warnings.
    pub warn: usize,
    /// Failed checks.
    pub fail: usize,
    /// Skipped checks.
    pub skip: usize,
}

impl Summary {
    /// "3 passed, 1 warning, 0 failed, 2 skipped".
    pub fn line(&self) -> String {
        let warnings = if self.warn == 1 {
            "warning"
        } else {
            "warnings"
        };
        format!(
            "{} passed, {} {warnings}, {} failed, {} skipped",
            self.pass, self.warn, self.fail, self.skip
        )
    }
}

/// All findings of one run against one target.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// Always `sso-scim-wizard`.
    pub tool: String,
    /// The app version that produced it.
    pub version: String,
    /// OIDC or SCIM.
    pub kind: ReportKind,
    /// The URL that was checked.
    pub target: String,
    /// One finding per check id, in check order.
    pub checks: Vec<Finding>,
    /// Counts per status.
    pub summary: Summary,
}

impl Report {
    /// Builds a report and its summary.
    pub fn new(kind: ReportKind, target: impl Into<String>, mut checks: Vec<Finding>) -> Self {
        // A report is saved, printed and exported: a URL in it never keeps a user name,
        // password or credential query value, whatever a check quoted (issue #16 item 7).
        let scrub = |text: &mut String| {
            if let Some(clean) = text::strip_url_credentials(text, "[removed]") {
                *text = clean;
            }
        };
        let mut target = target.into();
        scrub(&mut target);
        for finding in &mut checks {
            scrub(&mut finding.detail);
            scrub(&mut finding.fix);
        }
        let mut summary = Summary::default();
        for finding in &checks {
            // Ids and statuses only: a finding's text can quote server output.
            log::debug!("{:?} check {}: {:?}", kind, finding.id, finding.status);
            match finding.status {
                Status::Pass => summary.pass += 1,
                Status::Warn => summary.warn += 1,
                Status::Fail => summary.fail += 1,
                Status::Skip => summary.skip += 1,
            }
        }
        Self {
            tool: "sso-scim-wizard".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            kind,
            target,
            checks,
            summary,
        }
    }

    /// True when at least one check failed (CLI exit code 1).
    pub fn has_failures(&self) -> bool {
        self.summary.fail > 0
    }

    /// Findings ordered for display: failures first, then warnings, passes, skips;
    /// check order is kept within a status.
    pub fn by_severity(&self) -> Vec<&Finding> {
        let mut sorted: Vec<&Finding> = self.checks.iter().collect();
        sorted.sort_by_key(|finding| finding.status);
        sorted
    }

    /// The finding of a check id, if it is in the report.
    pub fn finding(&self, id: &str) -> Option<&Finding> {
        self.checks.iter().find(|finding| finding.id == id)
    }

    /// Pretty JSON, exactly one document.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".to_owned())
    }

    /// Human-readable text: one block per finding, failures first, then the summary.
    pub fn to_text(&self) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        // Details and targets carry server text: each field is made printable here, the
        // one place every text report passes through.
        let p = text::printable;
        let _ = writeln!(out, "{} check of {}", self.kind_label(), p(&self.target));
        for finding in self.by_severity() {
            let _ = writeln!(
                out,
                "{} {:<8} {} ({})",
                finding.status.icon(),
                finding.status.label(),
                p(&finding.title),
                p(&finding.id)
            );
            if !finding.detail.is_empty() {
                let _ = writeln!(out, "    {}", p(&words::sentence(&finding.detail)));
            }
            if !finding.fix.is_empty() && finding.status != Status::Pass {
                let _ = writeln!(out, "    How to fix: {}", p(&words::sentence(&finding.fix)));
            }
        }
        let _ = writeln!(out, "{}", self.summary.line());
        out
    }

    fn kind_label(&self) -> &'static str {
        match self.kind {
            ReportKind::Oidc => "OIDC",
            ReportKind::Scim => "SCIM",
            ReportKind::Saml => "SAML",
        }
    }
}

/// The stable check ids and their titles (DESIGN.md, "Check ids").
pub mod check_ids {
    /// OIDC checks, in run order.
    pub const OIDC: &[(&str, &str)] = &[
        ("oidc.discovery_fetch", "Discovery document fetched"),
        ("oidc.https", "Issuer uses HTTPS"),
        ("oidc.issuer_match", "Issuer matches"),
        ("oidc.required_metadata", "Required metadata present"),
        ("oidc.signing_algs", "Signing algorithms are safe"),
        ("oidc.jwks", "Signing keys (JWKS) usable"),
        ("oidc.scopes", "Scopes openid, profile and email supported"),
        ("oidc.client_auth", "Client id and secret accepted"),
    ];

    /// SCIM checks, in run order (read-only suite).
    pub const SCIM: &[(&str, &str)] = &[
        ("scim.base_url", "SCIM base URL is well formed"),
        ("scim.token_format", "Token is pasted cleanly"),
        (
            "scim.service_provider_config",
            "ServiceProviderConfig is served",
        ),
        (
            "scim.unauthenticated_rejected",
            "Requests without a token are rejected",
        ),
        ("scim.auth", "Token is accepted"),
        (
            "scim.entra_test_connection",
            "The IdP's connection test would succeed",
        ),
        ("scim.list_response", "User list is a SCIM ListResponse"),
        ("scim.content_type", "Responses use application/scim+json"),
        ("scim.groups", "Groups endpoint works"),
        ("scim.not_found_error", "Unknown ids give a SCIM 404 error"),
        ("scim.schemas", "Schemas and ResourceTypes are served"),
        ("scim.latency", "Responses are fast enough"),
    ];

    /// SCIM write-probe checks (only with the admin's consent).
    pub const SCIM_WRITE: &[(&str, &str)] = &[
        ("scim.write.create", "Probe user can be created"),
        (
            "scim.write.duplicate",
            "Duplicate user is rejected with 409 uniqueness",
        ),
        (
            "scim.write.patch",
            "Probe user can be deactivated with PATCH",
        ),
        ("scim.write.delete", "Probe user can be deleted"),
    ];

    /// SAML metadata checks, in run order.
    pub const SAML: &[(&str, &str)] = &[
        ("saml.metadata_fetch", "IdP metadata read"),
        ("saml.https", "Metadata fetched over HTTPS"),
        ("saml.entity_id", "IdP entity id matches"),
        ("saml.sso_service", "Sign-in endpoint usable"),
        ("saml.signing_cert", "Signing certificate valid"),
        ("saml.nameid_format", "NameID formats"),
        ("saml.metadata_signature", "Metadata signed"),
    ];

    /// Every check id.
    pub fn all() -> impl Iterator<Item = &'static str> {
        OIDC.iter()
            .chain(SCIM)
            .chain(SCIM_WRITE)
            .chain(SAML)
            .map(|(id, _)| *id)
    }

    /// True when `id` is a known check id.
    pub fn is_known(id: &str) -> bool {
        all().any(|known| known == id)
    }

    /// The title of a check id, or the id itself when unknown.
    pub fn title(id: &str) -> &str {
        OIDC.iter()
            .chain(SCIM)
            .chain(SCIM_WRITE)
            .chain(SAML)
            .find(|(known, _)| *known == id)
            .map_or(id, |(_, title)| title)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_sort_first_and_keep_check_order() {
        let report = Report::new(
            ReportKind::Oidc,
            "https://issuer.example",
            vec![
                Finding::pass("oidc.discovery_fetch", "ok"),
                Finding::fail("oidc.issuer_match", "a", "b"),
                Finding::skip("oidc.client_auth", "no secret"),
                Finding::warn("oidc.https", "http", "use https"),
                Finding::fail("oidc.jwks", "c", "d"),
            ],
        );
        let ids: Vec<&str> = report.by_severity().iter().map(|f| f.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "oidc.issuer_match",
                "oidc.jwks",
                "oidc.https",
                "oidc.discovery_fetch",
                "oidc.client_auth"
            ]
        );
        assert_eq!(
            report.summary,
            Summary {
                pass: 1,
                warn: 1,
                fail: 2,
                skip: 1
            }
        );
        assert!(report.has_failures());
    }

    #[test]
    fn json_has_the_contract_fields() {
        let report = Report::new(
            ReportKind::Scim,
            "https://x/scim/v2",
            vec![Finding::pass("scim.auth", "200")],
        );
        let value: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
        assert_eq!(value["tool"], "sso-scim-wizard");
        assert_eq!(value["kind"], "scim");
        assert_eq!(value["checks"][0]["id"], "scim.auth");
        assert_eq!(value["checks"][0]["status"], "pass");
        assert_eq!(value["checks"][0]["title"], "Token is accepted");
        assert_eq!(value["summary"]["pass"], 1);
    }

    #[test]
    fn check_ids_are_unique() {
        let mut ids: Vec<&str> = check_ids::all().collect();
        let count = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), count);
    }

    #[test]
    fn reports_never_keep_url_credentials() {
        let report = Report::new(
            ReportKind::Scim,
            "https://admin:hunter2@scim.example.com/scim/v2",
            vec![Finding::fail(
                "scim.base_url",
                "GET https://u:hunter2@x.example/Users?sig=abc123 failed",
                "see https://x.example/?token=zzz",
            )],
        );
        let json = report.to_json();
        for leaked in ["hunter2", "admin", "abc123", "zzz"] {
            assert!(!json.contains(leaked), "{leaked} kept: {json}");
        }
        assert_eq!(report.target, "https://scim.example.com/scim/v2");
    }
}

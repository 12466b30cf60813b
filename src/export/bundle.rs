//! The support bundle: what a vendor's support team asks for when provisioning or
//! sign-in breaks (tenant, platform and IdP, the URLs configured, app version and OS, the
//! last check runs with their timestamps and statuses, credential metadata), as one JSON
//! document the admin reviews before sending.
//!
//! Safe to email by construction: [`build`] reads the profile's metadata only (a
//! credential is its kind, dates and last four characters) and never receives a secret
//! store. As defence in depth, the finished document is walked once more: any value
//! under a key that sounds secret-bearing (`secret`, `token`, `password`, …) is replaced,
//! and strings are scrubbed of bearer tokens, JWTs, `key=value` secrets and long
//! random-looking runs. Every replacement is listed under `redactions`, so support sees
//! that something was removed, and where.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::catalog::Catalog;
use crate::expiry;
use crate::model::{Profile, StoredReport};

use super::checklist::ChecklistReview;
use super::redact::redact;
pub use super::redact::{REDACTED, is_secret_key, scrub_text};

/// Format version of the bundle document.
pub const BUNDLE_VERSION: u32 = 1;

/// Whether a credential's value is in this computer's keyring, as the app saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyringPresence {
    /// A value is stored.
    Present,
    /// No value is stored under the credential's account.
    Missing,
    /// The keyring could not be asked (locked, unavailable).
    Unknown,
}

impl KeyringPresence {
    fn as_str(self) -> &'static str {
        match self {
            Self::Present => "present",
            Self::Missing => "missing",
            Self::Unknown => "unknown",
        }
    }
}

/// Everything a bundle is made from.
#[derive(Clone, Copy, Debug)]
pub struct BundleInput<'a> {
    /// The tenant profile (metadata only).
    pub profile: &'a Profile,
    /// The catalog, for the platform's expected URLs and the checklist.
    pub catalog: &'a Catalog,
    /// When the bundle is made.
    pub now: DateTime<Utc>,
    /// Keyring presence per credential id, when the caller looked; `None` = not checked.
    pub keyring: Option<&'a BTreeMap<String, KeyringPresence>>,
    /// The admin's description of the problem (what failed, when); may be empty.
    pub note: &'a str,
}

/// Builds the bundle document, redacted.
pub fn build(input: &BundleInput<'_>) -> Value {
    let BundleInput {
        profile,
        catalog,
        now,
        keyring,
        note,
    } = *input;
    let platform = catalog.platform(profile.platform);
    let review = ChecklistReview::for_profile(catalog, profile);
    let open_items: Vec<&str> = review
        .open_items()
        .map(|entry| entry.item.id.as_str())
        .collect();
    let credentials: Vec<Value> = profile
        .credentials
        .iter()
        .map(|c| {
            json!({
                "id": c.id,
                "kind": c.kind.as_str(),
                "label": c.label,
                "origin": c.origin,
                "state": c.state,
                "created_at": c.created_at,
                "expires_at": c.expires_at,
                "days_left": c.expires_at.map(|at| expiry::days_left(at, now)),
                "severity": c.expires_at.map(|at| expiry::severity(at, now)),
                "last4": c.last4,
                "last_verified_at": c.last_verified_at,
                "in_keyring": keyring.map(|map| {
                    map.get(&c.id).copied().unwrap_or(KeyringPresence::Unknown).as_str()
                }),
            })
        })
        .collect();
    let document = json!({
        "bundle": "sso-scim-wizard support bundle",
        "bundle_version": BUNDLE_VERSION,
        "generated_at": now,
        "app": {
            "name": "sso-scim-wizard",
            "version": env!("CARGO_PKG_VERSION"),
            "os": std::env::consts::OS,
            "arch": std::env::consts::ARCH,
        },
        "tenant": {
            "profile_id": profile.id,
            "name": profile.name,
            "platform": profile.platform.as_str(),
            "platform_name": profile.platform.label(),
            "idp": profile.idp.as_str(),
            "idp_name": profile.idp.label(),
            "created_at": profile.created_at,
            "updated_at": profile.updated_at,
        },
        "sso": {
            "issuer": profile.sso.issuer,
            "issuer_params": profile.sso.issuer_params,
            "client_id": profile.sso.client_id,
            "registered_redirect_uri": profile.sso.registered_redirect_uri,
            "redirect_params": profile.sso.redirect_params,
            "scopes": profile.sso.scopes,
            "allowed_domains": profile.sso.allowed_domains,
            "assignment_confirmed": profile.sso.assignment_confirmed,
            "break_glass_confirmed": profile.sso.break_glass_confirmed,
            "platform_redirect_uri_pattern": platform.sso.redirect_uri,
        },
        "scim": {
            "base_url": profile.scim.base_url,
            "url_params": profile.scim.url_params,
            "mappings_confirmed": profile.scim.mappings_confirmed,
            "scope_confirmed": profile.scim.scope_confirmed,
            "platform_base_url_pattern": platform.scim.base_url_pattern,
        },
        "credentials": credentials,
        "last_checks": {
            "oidc": profile.last_oidc_report.as_ref().map(stored_report),
            "scim": profile.last_scim_report.as_ref().map(stored_report),
        },
        "checklist": {
            "done": review.done_count(),
            "total": review.items.len(),
            "open_items": open_items,
        },
        "rotation_in_progress": profile.rotation,
        "history": profile.history,
        "note": note,
    });
    let mut redactions = Vec::new();
    let mut document = document;
    redact(&mut document, "", false, &mut redactions);
    if let Value::Object(map) = &mut document {
        map.insert(
            "redactions".to_owned(),
            Value::Array(redactions.into_iter().map(Value::String).collect()),
        );
    }
    document
}

/// The bundle as pretty JSON, what is shown for review and saved.
pub fn to_json(input: &BundleInput<'_>) -> String {
    serde_json::to_string_pretty(&build(input)).unwrap_or_else(|_| "{}".to_owned())
}

/// A suggested file name: `support-bundle-<profile id>-<date>.json`.
pub fn file_name(profile: &Profile, now: DateTime<Utc>) -> String {
    format!(
        "support-bundle-{}-{}.json",
        profile.id,
        now.format("%Y-%m-%d-%H%M")
    )
}

fn stored_report(stored: &StoredReport) -> Value {
    json!({ "checked_at": stored.checked_at, "report": stored.report })
}

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
use serde_json::{Map, Value, json};

use crate::catalog::Catalog;
use crate::expiry;
use crate::model::{Profile, StoredReport};

use super::checklist::ChecklistReview;

/// Format version of the bundle document.
pub const BUNDLE_VERSION: u32 = 1;

/// What replaces a removed value.
pub const REDACTED: &str = "[redacted]";

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

/// Key names whose values are identifiers or URLs, never free text: the
/// random-looking-run rule would only mangle them (an Auth0 client id is 32 mixed
/// characters). The other string rules still apply to them.
const STRUCTURED_KEYS: &[&str] = &[
    "id",
    "profile_id",
    "client_id",
    "issuer",
    "base_url",
    "target",
    "registered_redirect_uri",
    "platform_redirect_uri_pattern",
    "platform_base_url_pattern",
];

/// True when a key name suggests its value is a secret.
pub fn is_secret_key(key: &str) -> bool {
    const SECRET_WORDS: &[&str] = &[
        "secret",
        "token",
        "password",
        "passwd",
        "passphrase",
        "authorization",
        "bearer",
        "apikey",
        "api_key",
        "private_key",
        "privatekey",
        "cookie",
        "assertion",
        "credential_value",
        "access_key",
        "signing_key",
    ];
    let key = key.to_ascii_lowercase().replace('-', "_");
    SECRET_WORDS.iter().any(|word| key.contains(word))
}

/// Walks `value`, replacing secret-keyed values and scrubbing strings; records paths.
fn redact(value: &mut Value, path: &str, structured: bool, redactions: &mut Vec<String>) {
    match value {
        Value::Object(map) => redact_object(map, path, redactions),
        Value::Array(items) => {
            for (index, item) in items.iter_mut().enumerate() {
                redact(item, &format!("{path}[{index}]"), structured, redactions);
            }
        }
        Value::String(text) => {
            if let Some(clean) = scrub_text(text, !structured) {
                *text = clean;
                redactions.push(format!("{path} (part of the text)"));
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

fn redact_object(map: &mut Map<String, Value>, path: &str, redactions: &mut Vec<String>) {
    for (key, child) in map.iter_mut() {
        let child_path = if path.is_empty() {
            key.clone()
        } else {
            format!("{path}.{key}")
        };
        let holds_value = !matches!(child, Value::Null | Value::Bool(_) | Value::Number(_));
        if is_secret_key(key) && holds_value {
            *child = Value::String(REDACTED.to_owned());
            redactions.push(child_path);
        } else {
            let structured = STRUCTURED_KEYS.contains(&key.as_str());
            redact(child, &child_path, structured, redactions);
        }
    }
}

/// Characters of a run that could be a token: base64url, base64 and common secret
/// alphabets (Entra client secrets use `~` and `.`).
fn is_run_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '~' | '.' | '+' | '=')
}

/// The text with secret-looking parts replaced by [`REDACTED`], or `None` when nothing
/// was found. `random_runs` also removes long runs that mix upper case, lower case and
/// digits, as generated tokens and client secrets do.
pub fn scrub_text(text: &str, random_runs: bool) -> Option<String> {
    // URL userinfo and credential query values first (issue #16 item 7); the run rules
    // below then see `[redacted]` where they were.
    let urls = crate::diagnostics::text::strip_url_credentials(text, REDACTED);
    let text = urls.as_deref().unwrap_or(text);
    let scrubbed = scrub_runs(text, random_runs);
    match (urls.is_some(), scrubbed) {
        (_, Some(scrubbed)) => Some(scrubbed),
        (true, None) => Some(text.to_owned()),
        (false, None) => None,
    }
}

fn scrub_runs(text: &str, random_runs: bool) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    let mut previous_run: Option<&str> = None;
    let mut gap = String::new();
    let mut rest = text;
    while !rest.is_empty() {
        let run_len = rest
            .char_indices()
            .find(|(_, c)| !is_run_char(*c))
            .map_or(rest.len(), |(index, _)| index);
        if run_len == 0 {
            let Some(c) = rest.chars().next() else { break };
            out.push(c);
            gap.push(c);
            rest = &rest[c.len_utf8()..];
            continue;
        }
        let (run, tail) = rest.split_at(run_len);
        if run.eq_ignore_ascii_case("bearer") || run.eq_ignore_ascii_case("basic") {
            // The scheme name stays; the credential after it goes.
            out.push_str(run);
            previous_run = Some(run);
            gap.clear();
            rest = tail;
            continue;
        }
        let after_keyword = previous_run.is_some_and(|word| {
            let word = word.to_ascii_lowercase();
            let gap = gap.trim();
            word == "bearer"
                || word == "basic"
                || (is_secret_key(&word)
                    && matches!(gap, ":" | "=" | "\":\"" | "\": \"" | "='" | "=\""))
        });
        match scrub_run(run, after_keyword, random_runs) {
            Some(clean) => {
                out.push_str(&clean);
                changed = true;
            }
            None => out.push_str(run),
        }
        previous_run = Some(run);
        gap.clear();
        rest = tail;
    }
    changed.then_some(out)
}

fn scrub_run(run: &str, after_keyword: bool, random_runs: bool) -> Option<String> {
    // After `Bearer` or `secret:`, anything but a short plain word ("Bearer followed by")
    // is taken for the value itself.
    let plain_word = run.len() <= 10 && run.chars().all(|c| c.is_ascii_lowercase());
    if after_keyword && !plain_word {
        return Some(REDACTED.to_owned());
    }
    // JWTs: base64url JSON header `eyJ…`, three dot-separated parts.
    if run.starts_with("eyJ") && run.matches('.').count() >= 2 {
        return Some(REDACTED.to_owned());
    }
    if let Some((key, secret)) = run.split_once('=')
        && is_secret_key(key)
        && !secret.is_empty()
    {
        return Some(format!("{key}={REDACTED}"));
    }
    let core = run.trim_matches(['.', '-', '=']);
    let looks_random = core.len() >= 24
        && core.chars().any(|c| c.is_ascii_uppercase())
        && core.chars().any(|c| c.is_ascii_lowercase())
        && core.chars().any(|c| c.is_ascii_digit());
    (random_runs && looks_random).then(|| REDACTED.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_tokens_jwts_and_key_values_are_scrubbed() {
        assert_eq!(
            scrub_text("Authorization: Bearer abc.def-123", false).as_deref(),
            Some("Authorization: Bearer [redacted]")
        );
        assert_eq!(
            scrub_text("got eyJhbGciOi.eyJzdWIiOi.c2ln back", false).as_deref(),
            Some("got [redacted] back")
        );
        assert_eq!(
            scrub_text("GET /cb?code=x&client_secret=s3cr3t", false).as_deref(),
            Some("GET /cb?code=x&client_secret=[redacted]")
        );
        assert_eq!(
            scrub_text("client_secret: hunter2", false).as_deref(),
            Some("client_secret: [redacted]")
        );
        assert_eq!(
            scrub_text("send Authorization: Bearer followed by the token", false),
            None
        );
    }

    #[test]
    fn long_random_runs_go_but_urls_ids_and_words_stay() {
        let token = "Zq8xVbN3kLm0PqRs7TuVwXyZ12aBcDeF";
        assert_eq!(
            scrub_text(&format!("pasted {token} here"), true).as_deref(),
            Some("pasted [redacted] here")
        );
        for fine in [
            "https://app.example.com/scim/v2/Users returned 401",
            "72f988bf-86f1-41af-91ab-2d7cd011db47",
            "Token is accepted",
            "ServiceProviderConfig is served",
            "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0",
        ] {
            assert_eq!(scrub_text(fine, true), None, "{fine}");
        }
        assert_eq!(scrub_text(token, false), None);
    }

    #[test]
    fn secret_sounding_keys_are_recognised() {
        for key in [
            "client_secret",
            "newToken",
            "PASSWORD",
            "api-key",
            "Authorization",
        ] {
            assert!(is_secret_key(key), "{key}");
        }
        for key in [
            "last4",
            "kind",
            "issuer",
            "client_id",
            "in_keyring",
            "expires_at",
        ] {
            assert!(!is_secret_key(key), "{key}");
        }
    }
}

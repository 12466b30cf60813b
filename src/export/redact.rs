//! The redaction shared by every export: what a secret-looking value or piece of text is,
//! and how it is replaced. The support bundle walks its whole document with [`redact`];
//! the checklist scrubs the free text it quotes with [`scrub_text`]. URL userinfo and
//! credential query values go first ([`crate::diagnostics::text::strip_url_credentials`]).

use serde_json::{Map, Value};

/// What replaces a removed value.
pub const REDACTED: &str = "[redacted]";

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
pub(crate) fn redact(
    value: &mut Value,
    path: &str,
    structured: bool,
    redactions: &mut Vec<String>,
) {
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

    /// Issue #17: `bundle` used the checklist and the checklist used `bundle`'s scrubber;
    /// both now take the redaction from here, and the checklist's code (its tests may
    /// build a bundle) names no part of the bundle.
    #[test]
    fn the_checklist_does_not_import_the_bundle() {
        let checklist = include_str!("checklist.rs");
        let code = checklist.split("#[cfg(test)]").next().unwrap_or(checklist);
        assert!(
            !code.contains("bundle::"),
            "export/checklist.rs uses export/bundle.rs"
        );
        assert!(code.contains("redact::scrub_text"));
    }
}

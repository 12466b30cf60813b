//! The OIDC checks against servers whose content is wrong for OIDC: a missing document,
//! private or symmetric keys in the JWKS, a JWKS that is a web page, `alg: none`, a
//! secret echoed back. Each is a route on the shared hostile server
//! (`support/hostile.rs`, on 127.0.0.1:0; no test peer is involved). Transport-level
//! cases (silence, drips, huge bodies, redirects, HTML, malformed JSON, TLS…) are in
//! `hostile_network.rs`.

#![expect(
    clippy::disallowed_methods,
    reason = "#[tokio::test] blocks on the test's own runtime, not on a frame"
)]

#[path = "support/hostile.rs"]
#[expect(
    dead_code,
    reason = "each test binary uses part of the shared hostile server"
)]
mod hostile;

use hostile::Reply;
use serde_json::{Value, json};
use sso_scim_wizard::diagnostics::{Finding, Report, Status, check_ids};
use sso_scim_wizard::probes::http::Policy;
use sso_scim_wizard::probes::oidc::{self, OidcInput};

fn json_reply(value: &Value) -> Reply {
    Reply::json(200, value)
}

async fn run(issuer: &str, timeout_secs: u64) -> Report {
    let input = OidcInput {
        issuer: issuer.to_owned(),
        ..OidcInput::default()
    };
    oidc::check(&input, Policy::with_timeout_secs(timeout_secs), &|_| {}).await
}

fn finding<'a>(report: &'a Report, id: &str) -> &'a Finding {
    report
        .finding(id)
        .unwrap_or_else(|| panic!("{id} missing:\n{}", report.to_text()))
}

/// Discovery failed with `words` in the detail; every other check that needs the
/// document is skipped with a reason, and every check id is there.
fn assert_discovery_failed(report: &Report, words: &[&str]) {
    let ids: Vec<&str> = report.checks.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(
        ids,
        check_ids::OIDC
            .iter()
            .map(|(id, _)| *id)
            .collect::<Vec<_>>()
    );
    let fetch = finding(report, "oidc.discovery_fetch");
    assert_eq!(fetch.status, Status::Fail, "{}", fetch.detail);
    for word in words {
        assert!(
            fetch.detail.contains(word),
            "{word:?} not in {:?}",
            fetch.detail
        );
    }
    assert!(!fetch.fix.is_empty(), "a failure says how to fix it");
    hostile::assert_dependents_skipped(report);
}

#[tokio::test]
async fn missing_document_is_a_404_with_path_advice() {
    let server = hostile::serve(|_| Reply::new(404, "text/plain", "not found")).await;
    let report = run(&format!("{}/tenant", server.base), 5).await;
    assert_discovery_failed(&report, &["HTTP 404"]);
    assert!(
        finding(&report, "oidc.discovery_fetch")
            .fix
            .contains("/v2.0")
    );
}

#[tokio::test]
async fn jwks_with_private_key_members_fails() {
    let server = hostile::serve(|seen| match seen.path() {
        "/jwks" => {
            let mut key = hostile::public_rsa_key("leaked");
            key["d"] = json!("c2VjcmV0");
            key["p"] = json!("c2VjcmV0");
            json_reply(&json!({"keys": [key]}))
        }
        _ => json_reply(&hostile::document(&seen.base)),
    })
    .await;
    let report = run(&server.base, 5).await;
    let jwks = finding(&report, "oidc.jwks");
    assert_eq!(jwks.status, Status::Fail, "{}", jwks.detail);
    assert!(
        jwks.detail.contains("private key material") && jwks.detail.contains("\"leaked\" (d, p)"),
        "{}",
        jwks.detail
    );
    // Only the key set is wrong.
    assert_eq!(
        finding(&report, "oidc.discovery_fetch").status,
        Status::Pass
    );
    assert_eq!(finding(&report, "oidc.issuer_match").status, Status::Pass);
    assert_eq!(report.summary.fail, 1, "{}", report.to_text());
}

#[tokio::test]
async fn jwks_with_a_symmetric_oct_key_fails() {
    let server = hostile::serve(|seen| match seen.path() {
        "/jwks" => json_reply(&json!({"keys": [hostile::public_rsa_key("rsa"), {"kty": "oct", "kid": "shared", "k": "c2VjcmV0"}]})),
        _ => json_reply(&hostile::document(&seen.base)),
    })
    .await;
    let report = run(&server.base, 5).await;
    let jwks = finding(&report, "oidc.jwks");
    assert_eq!(jwks.status, Status::Fail, "{}", jwks.detail);
    assert!(
        jwks.detail.contains("symmetric (oct)") && jwks.detail.contains("shared"),
        "{}",
        jwks.detail
    );
}

#[tokio::test]
async fn jwks_that_is_html_fails() {
    let server = hostile::serve(|seen| match seen.path() {
        "/jwks" => Reply::new(200, "text/html", "<html></html>"),
        _ => json_reply(&hostile::document(&seen.base)),
    })
    .await;
    let report = run(&server.base, 5).await;
    let jwks = finding(&report, "oidc.jwks");
    assert_eq!(jwks.status, Status::Fail);
    assert!(jwks.detail.contains("not valid JSON"), "{}", jwks.detail);
}

#[tokio::test]
async fn alg_none_is_a_failure() {
    let server = hostile::serve(|seen| {
        if seen.path() == "/jwks" {
            return json_reply(&json!({"keys": [hostile::public_rsa_key("rsa")]}));
        }
        let mut doc = hostile::document(&seen.base);
        doc["id_token_signing_alg_values_supported"] = json!(["RS256", "none"]);
        json_reply(&doc)
    })
    .await;
    let report = run(&server.base, 5).await;
    let algs = finding(&report, "oidc.signing_algs");
    assert_eq!(algs.status, Status::Fail);
    assert!(algs.detail.contains("\"none\""), "{}", algs.detail);
    assert_eq!(report.summary.fail, 1, "{}", report.to_text());
}

#[tokio::test]
async fn a_secret_echoed_by_the_server_never_reaches_the_report() {
    const SECRET: &str = "echoed-secret-value-0042";
    let server = hostile::serve(|seen| match seen.path() {
        "/token" => Reply::json(
            401,
            &json!({"error": "invalid_client", "error_description": format!("bad secret {SECRET}")}),
        ),
        "/jwks" => json_reply(&json!({"keys": [hostile::public_rsa_key("rsa")]})),
        _ => json_reply(&hostile::document(&seen.base)),
    })
    .await;
    let input = OidcInput {
        issuer: server.base.clone(),
        client_id: Some("app".to_owned()),
        client_secret: Some(sso_scim_wizard::secrets::Secret::new(SECRET)),
        ..OidcInput::default()
    };
    let report = oidc::check(&input, Policy::with_timeout_secs(5), &|_| {}).await;
    assert_eq!(finding(&report, "oidc.client_auth").status, Status::Fail);
    assert!(!report.to_json().contains(SECRET), "{}", report.to_json());
    assert!(
        finding(&report, "oidc.client_auth")
            .detail
            .contains("bad secret …")
    );
}

/// Issue #16 item 6: a 404 body with terminal escapes (clear screen, window title, a green
/// "All checks passed") must reach text output as visible escapes, not as commands.
#[tokio::test]
async fn terminal_escapes_in_a_body_are_not_printed_raw() {
    let words =
        "\u{1b}[2J\u{1b}[H\u{1b}]0;owned\u{7}\u{1b}[32mAll checks passed\u{1b}[0m\r\u{9b}2K";
    let body = json!({ "error": "not_found", "error_description": words });
    let server = hostile::serve(move |_| Reply::json(404, &body)).await;
    let report = run(&server.base, 5).await;
    let text = report.to_text();
    assert!(
        text.contains("All checks passed"),
        "the body is still shown: {text}"
    );
    for raw in ['\u{1b}', '\u{7}', '\r', '\u{9b}'] {
        assert!(!text.contains(raw), "{raw:?} printed raw:\n{text:?}");
    }
    // JSON keeps the server's words, escaped the JSON way.
    let json = report.to_json();
    assert!(json.contains("\\u001b[2J"), "{json}");
}

/// Issue #16 item 5: the echo of an `Authorization: Basic` header (base64 of
/// `id:secret`), of a form-encoded secret, and of a secret pushed across the 300-character
/// cut of `error_description` all stay out of the report.
#[tokio::test]
async fn basic_encoded_and_cut_echoes_never_reach_the_report() {
    const SECRET: &str = "Zq8~vR2.pLk4_mW9xT6+nB3q";
    let server = hostile::serve(|seen| match seen.path() {
        "/token" => {
            let header = seen.authorization().unwrap_or_default().to_owned();
            let raw = String::from_utf8_lossy(&seen.raw).into_owned();
            let body = raw.split("\r\n\r\n").nth(1).unwrap_or_default().to_owned();
            let padding = "x".repeat(290);
            Reply::json(
                401,
                &json!({"error": "invalid_client", "error_description": format!("{padding} {SECRET} got {header} and {body}")}),
            )
        }
        "/jwks" => json_reply(&json!({"keys": [hostile::public_rsa_key("rsa")]})),
        _ => json_reply(&hostile::document(&seen.base)),
    })
    .await;
    let input = OidcInput {
        issuer: server.base.clone(),
        client_id: Some("my-app".to_owned()),
        client_secret: Some(sso_scim_wizard::secrets::Secret::new(SECRET)),
        ..OidcInput::default()
    };
    let report = oidc::check(&input, Policy::with_timeout_secs(5), &|_| {}).await;
    let detail = finding(&report, "oidc.client_auth").detail.clone();
    let json = report.to_json();
    for leftover in ["Zq8~vR2.", "Zq8%7EvR2."] {
        assert!(!json.contains(leftover), "{leftover} in {detail}");
    }
    // The Basic header, however the server spells it back.
    let id_secret = format!("{}:{}", "my-app", urlencode(SECRET));
    let basic = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, id_secret);
    assert!(!json.contains(&basic[..12]), "{detail}");
}

fn urlencode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

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

use crate::hostile;

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

// ---------------------------------------------------------------------------------------
// Where the client secret may go (issue #16, item 1). `[::ffff:127.0.0.1]` reaches the
// same test server but is another host for the rules: only 127.0.0.0/8, localhost and
// [::1] are loopback.

const CLIENT_ID: &str = "hostile-app";
const CLIENT_SECRET: &str = "hostile-client-secret-0042-xyz";

fn with_client(issuer: &str) -> OidcInput {
    OidcInput {
        issuer: issuer.to_owned(),
        client_id: Some(CLIENT_ID.to_owned()),
        client_secret: Some(sso_scim_wizard::secrets::Secret::new(CLIENT_SECRET)),
        ..OidcInput::default()
    }
}

/// The same server under a name that is not loopback.
fn mapped(base: &str) -> String {
    base.replace("127.0.0.1", "[::ffff:127.0.0.1]")
}

/// No request that reached `server` carries the client secret in any spelling.
fn assert_secret_never_arrived(server: &hostile::Server) {
    use base64::Engine as _;
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"));
    for seen in server.requests() {
        for needle in [
            CLIENT_SECRET,
            basic.as_str(),
            "authorization",
            "client_secret",
        ] {
            assert!(
                !seen.received(needle),
                "{needle:?} arrived in {} {}",
                seen.method,
                seen.target
            );
        }
        assert_ne!(seen.path(), "/token", "a token request arrived");
    }
}

#[tokio::test]
async fn a_plain_http_token_endpoint_on_another_host_never_gets_the_secret() {
    let server = hostile::serve(|seen| match seen.path() {
        "/token" => Reply::json(
            200,
            &json!({"access_token": "granted", "token_type": "Bearer"}),
        ),
        "/jwks" => json_reply(&json!({"keys": [hostile::public_rsa_key("rsa")]})),
        _ => {
            let mut doc = hostile::document(&seen.base);
            doc["token_endpoint"] = json!(format!("{}/token", mapped(&seen.base)));
            json_reply(&doc)
        }
    })
    .await;
    let report = oidc::check(
        &with_client(&server.base),
        Policy::with_timeout_secs(5),
        &|_| {},
    )
    .await;
    let auth = finding(&report, "oidc.client_auth");
    assert_eq!(auth.status, Status::Fail, "{}", report.to_text());
    assert!(
        auth.detail.contains("not sent") && auth.detail.contains("plain http"),
        "{}",
        auth.detail
    );
    assert!(auth.fix.contains("https://"), "{}", auth.fix);
    let https = finding(&report, "oidc.https");
    assert_eq!(https.status, Status::Fail, "{}", https.detail);
    assert!(https.detail.contains("token_endpoint"), "{}", https.detail);
    assert_secret_never_arrived(&server);
    assert!(!report.to_json().contains(CLIENT_SECRET));
}

#[tokio::test]
async fn a_token_endpoint_on_another_origin_needs_the_admins_confirmation() {
    let other = hostile::serve_ipv6(|_| {
        Reply::json(
            200,
            &json!({"access_token": "granted", "token_type": "Bearer"}),
        )
    })
    .await;
    let other_base = other.base.clone();
    let server = hostile::serve(move |seen| {
        if seen.path() == "/jwks" {
            return json_reply(&json!({"keys": [hostile::public_rsa_key("rsa")]}));
        }
        let mut doc = hostile::document(&seen.base);
        doc["token_endpoint"] = json!(format!("{other_base}/token"));
        json_reply(&doc)
    })
    .await;
    let checked = oidc::check_with_refusals(
        &with_client(&server.base),
        Policy::with_timeout_secs(5),
        &|_| {},
    )
    .await;
    let auth = finding(&checked.report, "oidc.client_auth");
    assert_eq!(auth.status, Status::Warn, "{}", checked.report.to_text());
    assert!(auth.detail.contains(&other.base), "{}", auth.detail);
    assert!(
        auth.fix
            .contains(&format!("--allow-endpoint-origin {}", other.base)),
        "{}",
        auth.fix
    );
    assert_eq!(
        checked.unconfirmed_origins,
        std::slice::from_ref(&other.base)
    );
    assert!(other.requests().is_empty(), "the other origin was asked");
    assert_secret_never_arrived(&server);

    // Once confirmed, the pair goes there.
    let mut input = with_client(&server.base);
    input.allowed_origins = vec![other.base.clone()];
    let report = oidc::check(&input, Policy::with_timeout_secs(5), &|_| {}).await;
    assert_eq!(
        finding(&report, "oidc.client_auth").status,
        Status::Pass,
        "{}",
        report.to_text()
    );
    assert!(other.requests().iter().any(|seen| seen.path() == "/token"));
}

#[tokio::test]
async fn discovery_redirected_to_plain_http_on_another_host_fails_https_and_sends_no_secret() {
    // The issuer is served here, but its discovery document comes from the same server
    // under a non-loopback name, over plain http.
    let server = hostile::serve(|seen| {
        let own = seen.base.clone();
        match seen.path() {
            "/token" => Reply::json(
                200,
                &json!({"access_token": "granted", "token_type": "Bearer"}),
            ),
            "/jwks" => json_reply(&json!({"keys": [hostile::public_rsa_key("rsa")]})),
            "/served-elsewhere" => json_reply(&hostile::document(&own)),
            _ => Reply::redirect(302, format!("{}/served-elsewhere", mapped(&own))),
        }
    })
    .await;
    let report = oidc::check(
        &with_client(&server.base),
        Policy::with_timeout_secs(5),
        &|_| {},
    )
    .await;
    assert!(
        server
            .requests()
            .iter()
            .any(|seen| seen.path() == "/served-elsewhere"),
        "the redirect was followed"
    );
    let https = finding(&report, "oidc.https");
    assert_eq!(https.status, Status::Fail, "{}", report.to_text());
    assert!(
        https
            .detail
            .contains("redirected to http://[::ffff:7f00:1]:"),
        "{}",
        https.detail
    );
    let auth = finding(&report, "oidc.client_auth");
    assert_eq!(auth.status, Status::Fail, "{}", auth.detail);
    assert_secret_never_arrived(&server);
}

#[tokio::test]
async fn https_is_not_passed_without_evidence_when_discovery_fails() {
    let server = hostile::serve(|_| Reply::new(404, "text/plain", "not found")).await;
    // An https issuer whose server speaks plain http: discovery fails, no endpoint is seen.
    let issuer = server.base.replace("http://", "https://");
    let report = run(&issuer, 5).await;
    let https = finding(&report, "oidc.https");
    assert_eq!(https.status, Status::Skip, "{}", https.detail);
    assert!(https.detail.contains("no endpoint"), "{}", https.detail);
}

#[tokio::test]
async fn test_login_refuses_a_plain_http_token_endpoint_before_opening_the_browser() {
    use sso_scim_wizard::probes::login::{self, LoginError, LoginInput};
    let server = hostile::serve(|seen| {
        let mut doc = hostile::document(&seen.base);
        doc["token_endpoint"] = json!(format!("{}/token", mapped(&seen.base)));
        json_reply(&doc)
    })
    .await;
    let mut input = LoginInput::new(&server.base, CLIENT_ID);
    input.client_secret = Some(sso_scim_wizard::secrets::Secret::new(CLIENT_SECRET));
    input.timeout = std::time::Duration::from_secs(5);
    let opened = std::sync::atomic::AtomicBool::new(false);
    let browser = |_: &str| {
        opened.store(true, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    };
    let err = login::run(
        &input,
        Policy::with_timeout_secs(5),
        &browser,
        std::future::pending(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, LoginError::Credentials { .. }), "{err:?}");
    assert!(err.to_string().contains("plain http"), "{err}");
    assert!(!opened.load(std::sync::atomic::Ordering::SeqCst));
    assert_secret_never_arrived(&server);
}

/// A "browser" that skips the IdP and sends the listener, in order, a forged error
/// callback without a state, one with a wrong state, then the real callback.
fn forging_browser(url: &str) -> Result<(), String> {
    use std::io::{Read as _, Write as _};
    let url = url::Url::parse(url).map_err(|err| err.to_string())?;
    let params: std::collections::BTreeMap<String, String> =
        url.query_pairs().into_owned().collect();
    let redirect = url::Url::parse(&params["redirect_uri"]).map_err(|err| err.to_string())?;
    let state = params["state"].clone();
    let address = format!(
        "{}:{}",
        redirect.host_str().unwrap_or_default(),
        redirect.port().unwrap_or(80)
    );
    let path = redirect.path().to_owned();
    std::thread::spawn(move || {
        // One idle connection held open throughout: it must not delay the others.
        let _idle = std::net::TcpStream::connect(&address);
        for query in [
            "error=server_error&error_description=call%20%2B1-555-0100%20and%20read%20them%20your%20password".to_owned(),
            "code=forged&state=not-this-sign-in".to_owned(),
            format!("code=the-real-code&state={state}"),
        ] {
            if let Ok(mut stream) = std::net::TcpStream::connect(&address) {
                let _ = write!(stream, "GET {path}?{query} HTTP/1.1\r\nHost: app\r\n\r\n");
                let _ = stream.read_to_end(&mut Vec::new());
            }
        }
    });
    Ok(())
}

#[tokio::test]
async fn test_login_ignores_forged_callbacks_and_takes_the_real_one_at_once() {
    use sso_scim_wizard::probes::login::{self, LoginError, LoginInput};
    let server = hostile::serve(|seen| match seen.path() {
        "/token" => Reply::json(
            400,
            &json!({"error": "invalid_grant", "error_description": "code redeemed here"}),
        ),
        _ => json_reply(&hostile::document(&seen.base)),
    })
    .await;
    let mut input = LoginInput::new(&server.base, CLIENT_ID);
    input.timeout = std::time::Duration::from_secs(8);
    let started = std::time::Instant::now();
    let err = login::run(
        &input,
        Policy::with_timeout_secs(5),
        &forging_browser,
        std::future::pending(),
    )
    .await
    .unwrap_err();
    // The real callback's code reached the token endpoint: neither forgery ended the login.
    assert!(
        matches!(&err, LoginError::Token(text) if text.contains("code redeemed here")),
        "{err:?}"
    );
    assert!(!err.to_string().contains("555"), "{err}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    let redeemed = server
        .requests()
        .into_iter()
        .find(|seen| seen.path() == "/token")
        .expect("the code was redeemed");
    assert!(redeemed.received("the-real-code"));
}

#[tokio::test]
async fn test_login_requires_the_documents_issuer_to_be_the_entered_one() {
    use sso_scim_wizard::probes::login::{self, LoginError, LoginInput};
    let server = hostile::serve(|seen| {
        let mut doc = hostile::document(&seen.base);
        doc["issuer"] = json!("https://evil.example");
        json_reply(&doc)
    })
    .await;
    let input = LoginInput::new(&server.base, CLIENT_ID);
    let browser = |_: &str| Err("must not be opened".to_owned());
    let err = login::run(
        &input,
        Policy::with_timeout_secs(5),
        &browser,
        std::future::pending(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, LoginError::Discovery(_)), "{err:?}");
    assert!(err.to_string().contains("https://evil.example"), "{err}");
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

/// Issue #16 item 5, the short end: however little of the secret is left before the
/// 300-character cut (here 1 to 4 characters), none of it reaches the report, since the
/// answer is redacted whole before it is shortened.
#[tokio::test]
async fn a_secret_cut_after_its_first_characters_leaves_nothing() {
    const SECRET: &str = "Zq8~vR2.pLk4_mW9xT6+nB3q";
    for pad in [295_usize, 296, 298, 299] {
        let server = hostile::serve(move |seen| match seen.path() {
            "/token" => Reply::json(
                401,
                &json!({"error": "invalid_client", "error_description": format!("{} {SECRET}", "x".repeat(pad))}),
            ),
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
        let kept = 299 - pad;
        let prefix = format!("x {}", &SECRET[..kept.max(1)]);
        assert!(
            !detail.contains(&prefix),
            "pad {pad}: {prefix:?} in {detail}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Verdicts measured on independent providers (issue #18).

#[tokio::test]
async fn a_provider_that_lists_only_openid_passes_oidc_scopes_with_a_note() {
    // idpyoidc's document: scopes_supported is ["openid"], profile and email are granted.
    let server = hostile::serve(|seen| {
        if seen.path() == "/jwks" {
            return json_reply(&json!({"keys": [hostile::public_rsa_key("rsa")]}));
        }
        let mut doc = hostile::document(&seen.base);
        doc["scopes_supported"] = json!(["openid"]);
        json_reply(&doc)
    })
    .await;
    let report = run(&server.base, 5).await;
    let scopes = finding(&report, "oidc.scopes");
    assert_eq!(scopes.status, Status::Pass, "{}", scopes.detail);
    assert!(
        scopes.detail.contains("does not list profile, email"),
        "{}",
        scopes.detail
    );
}

#[tokio::test]
async fn a_token_endpoint_that_does_not_tell_says_the_secret_was_not_confirmed() {
    let server = hostile::serve(|seen| match seen.path() {
        "/token" => Reply::json(
            400,
            &json!({"error": "unsupported_grant_type", "error_description": "not here"}),
        ),
        "/jwks" => json_reply(&json!({"keys": [hostile::public_rsa_key("rsa")]})),
        _ => json_reply(&hostile::document(&seen.base)),
    })
    .await;
    let report = oidc::check(
        &with_client(&server.base),
        Policy::with_timeout_secs(5),
        &|_| {},
    )
    .await;
    let auth = finding(&report, "oidc.client_auth");
    assert_eq!(auth.status, Status::Warn, "{}", auth.detail);
    assert!(auth.detail.contains("NOT confirmed"), "{}", auth.detail);
}

//! The SCIM probe suite against servers whose content is wrong for SCIM, each a route on
//! the shared hostile server (`support/hostile.rs`, on 127.0.0.1:0): an endpoint that
//! serves users without a token, one that echoes the token, one that ignores the filter,
//! a write probe whose delete fails. Each must give a clear finding, no panic, and never
//! the token. Transport-level cases (silence, drips, huge bodies, redirects, HTML,
//! malformed JSON, TLS, HTTP/1.0…) are in `hostile_network.rs`.

#![expect(
    clippy::disallowed_methods,
    reason = "#[tokio::test] blocks on the test's own runtime, not on a frame"
)]

use crate::hostile;

use hostile::{Reply, Seen};
use serde_json::json;
use sso_scim_wizard::diagnostics::{Report, Status, check_ids};
use sso_scim_wizard::model::PlatformId;
use sso_scim_wizard::probes::http::Policy;
use sso_scim_wizard::probes::scim::{self, ScimInput};
use sso_scim_wizard::secrets::Secret;

const TOKEN: &str = "hostile-test-token-0123456789abcdefXYZ";

fn scim_json(status: u16, body: &serde_json::Value) -> Reply {
    Reply::new(status, "application/scim+json", body.to_string())
}

fn list(total: u64, resources: &serde_json::Value) -> serde_json::Value {
    json!({"schemas": [scim::LIST_RESPONSE_SCHEMA], "totalResults": total, "Resources": resources})
}

fn error(status: u16, detail: &str) -> Reply {
    scim_json(
        status,
        &json!({"schemas": [scim::ERROR_SCHEMA], "status": status.to_string(), "detail": detail}),
    )
}

/// Starts the hostile server answering every request with `answer`; returns its SCIM
/// base URL (`http://127.0.0.1:PORT/scim/v2`).
async fn serve(answer: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> String {
    let server = hostile::serve(answer).await;
    format!("{}/scim/v2", server.base)
}

async fn check(base: &str, policy: Policy) -> Report {
    let input = ScimInput::new(base, Some(Secret::new(TOKEN)), PlatformId::Generic);
    let report = scim::check(&input, policy, &|_| {}).await;
    let ids: Vec<&str> = report.checks.iter().map(|f| f.id.as_str()).collect();
    let expected: Vec<&str> = check_ids::SCIM.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, expected, "every SCIM check id, once, in order");
    assert!(
        !report.to_json().contains(TOKEN),
        "the token leaked into the report"
    );
    report
}

fn finding(report: &Report, id: &str) -> (Status, String) {
    let finding = report.finding(id).unwrap_or_else(|| panic!("{id} missing"));
    (
        finding.status,
        format!("{} | {}", finding.detail, finding.fix),
    )
}

#[tokio::test]
async fn an_endpoint_that_serves_users_without_a_token_is_a_security_failure() {
    let base = serve(|seen| match seen.path() {
        "/scim/v2/ServiceProviderConfig" => scim_json(
            200,
            &json!({"schemas": [scim::SERVICE_PROVIDER_CONFIG_SCHEMA]}),
        ),
        // The directory, to anyone.
        "/scim/v2/Users" => scim_json(
            200,
            &list(2, &json!([{"id": "1", "userName": "ann@example.com"}])),
        ),
        _ => error(404, "not found"),
    })
    .await;
    let report = check(&base, Policy::default()).await;
    let (status, text) = finding(&report, "scim.unauthenticated_rejected");
    assert_eq!(status, Status::Fail);
    assert!(
        text.contains("SECURITY") && text.contains("without any token") && text.contains("2 users"),
        "{text}"
    );
    // The token "works", but that proves nothing when no token is needed.
    let (status, text) = finding(&report, "scim.auth");
    assert_eq!(status, Status::Warn, "{text}");
    assert!(text.contains("does not prove"), "{text}");
    assert!(report.has_failures());
}

#[tokio::test]
async fn a_server_that_echoes_the_token_never_gets_it_into_the_report() {
    let base = serve(|seen| {
        let echoed = seen.authorization().unwrap_or_default().to_owned();
        scim_json(401, &json!({"schemas": [scim::ERROR_SCHEMA], "status": "401", "scimType": "invalidValue", "detail": format!("bad credentials: {echoed}")}))
    })
    .await;
    let report = check(&base, Policy::default()).await;
    let (status, text) = finding(&report, "scim.auth");
    assert_eq!(status, Status::Fail);
    // The error body is decoded (scimType and the server's words), with the token cut out.
    assert!(
        text.contains("invalidValue") && text.contains("bad credentials: Bearer [token removed]"),
        "{text}"
    );
}

#[tokio::test]
async fn a_server_that_ignores_the_filter_fails_the_entra_check() {
    let base = serve(|seen| match (seen.path(), seen.has_bearer(TOKEN)) {
        (_, false) => error(401, "token"),
        ("/scim/v2/Users", true) => scim_json(
            200,
            &list(1, &json!([{"id": "7", "userName": "ann@example.com"}])),
        ),
        _ => error(404, "not found"),
    })
    .await;
    let report = check(&base, Policy::default()).await;
    let (status, text) = finding(&report, "scim.entra_test_connection");
    assert_eq!(status, Status::Fail);
    assert!(text.contains("ignores the filter"), "{text}");
    assert_eq!(finding(&report, "scim.list_response").0, Status::Pass);
    // No /Groups: a warning that groups will not arrive, not a failure.
    let (status, text) = finding(&report, "scim.groups");
    assert_eq!(status, Status::Warn, "{text}");
}

#[tokio::test]
async fn a_write_probe_whose_delete_fails_reports_the_user_left_behind() {
    let base = serve(
        |seen| match (seen.method.as_str(), seen.path(), seen.has_bearer(TOKEN)) {
            (_, _, false) => error(401, "token"),
            ("POST", "/scim/v2/Users", true) => scim_json(
                201,
                &json!({"schemas": [scim::USER_SCHEMA], "id": "u-42", "userName": "x"}),
            ),
            ("GET", "/scim/v2/Users/u-42", true) => scim_json(
                200,
                &json!({"id": "u-42", "userName": "x", "active": false}),
            ),
            ("PATCH", _, true) => Reply::new(204, "application/scim+json", ""),
            ("DELETE", _, true) => error(500, "database is read-only"),
            ("GET", "/scim/v2/Users", true) => scim_json(200, &list(0, &json!([]))),
            _ => error(404, "not found"),
        },
    )
    .await;
    let input = ScimInput {
        write_probe: true,
        ..ScimInput::new(&base, Some(Secret::new(TOKEN)), PlatformId::Generic)
    };
    let report = scim::check(&input, Policy::default(), &|_| {}).await;
    let (status, text) = finding(&report, "scim.write.delete");
    assert_eq!(status, Status::Fail);
    assert!(
        text.contains("Left behind") && text.contains("u-42") && text.contains("ssw-probe-"),
        "{text}"
    );
    // The server gave the probe user another name back: read-back must notice.
    assert_eq!(finding(&report, "scim.write.create").0, Status::Fail);
    // A second user with the same name was "created" (201 again): flagged and cleaned up.
    assert_eq!(finding(&report, "scim.write.duplicate").0, Status::Fail);
    assert!(!report.to_json().contains(TOKEN));
}

/// A server that hands out an empty directory to any request, token or not, and
/// remembers every request.
async fn open_directory() -> hostile::Server {
    hostile::serve(|_| scim_json(200, &list(0, &json!([])))).await
}

#[tokio::test]
async fn a_plain_http_base_url_on_another_host_stops_the_suite_before_the_token_travels() {
    let server = open_directory().await;
    // The same server, under a name that is not loopback.
    let base = format!(
        "{}/scim/v2",
        server.base.replace("127.0.0.1", "[::ffff:127.0.0.1]")
    );
    let report = check(&base, Policy::with_timeout_secs(5)).await;
    let finding = report.finding("scim.base_url").unwrap();
    assert_eq!(finding.status, Status::Fail, "{}", report.to_text());
    assert!(
        finding.detail.contains("http") && finding.detail.contains("No request was sent"),
        "{}",
        finding.detail
    );
    assert_eq!(server.requests().len(), 0, "a request was made");
    for id in ["scim.auth", "scim.service_provider_config", "scim.groups"] {
        let skipped = report.finding(id).unwrap();
        assert_eq!(skipped.status, Status::Skip, "{id}");
    }
}

#[tokio::test]
async fn a_base_url_with_a_password_in_it_sends_nothing() {
    let server = open_directory().await;
    let base = format!(
        "{}/scim/v2",
        server.base.replace("http://", "http://admin:hunter2@")
    );
    let report = check(&base, Policy::with_timeout_secs(5)).await;
    let finding = report.finding("scim.base_url").unwrap();
    assert_eq!(finding.status, Status::Fail, "{}", report.to_text());
    assert!(
        finding.detail.contains("user name or password"),
        "{}",
        finding.detail
    );
    assert_eq!(server.requests().len(), 0, "a request was made");
}

/// Issue #16 item 5: a token echoed across the 200-character cut of a SCIM error's
/// `detail` leaves no prefix behind.
#[tokio::test]
async fn a_token_echoed_across_the_cut_leaves_no_prefix() {
    let base = serve(|seen| {
        let echoed = seen.authorization().unwrap_or_default().to_owned();
        let padding = "x".repeat(180);
        scim_json(
            401,
            &json!({"schemas": [scim::ERROR_SCHEMA], "status": "401", "detail": format!("{padding} {echoed}")}),
        )
    })
    .await;
    let report = check(&base, Policy::default()).await;
    let (_, text) = finding(&report, "scim.auth");
    assert!(!report.to_json().contains(&TOKEN[..8]), "{text}");
    // Redacted before the quote is cut, so the cut may fall inside the marker itself.
    assert!(text.contains("[token remov"), "{text}");
}

/// Issue #15: a token that is an ordinary word is not cut out of the server's sentence.
#[tokio::test]
async fn a_word_token_does_not_eat_the_servers_words() {
    let base = serve(|_| error(401, "the token is missing, wrong, revoked or expired")).await;
    let input = ScimInput::new(&base, Some(Secret::new("wrong")), PlatformId::Generic);
    let report = scim::check(&input, Policy::default(), &|_| {}).await;
    let text = &report
        .finding("scim.auth")
        .unwrap_or_else(|| panic!("no scim.auth:\n{}", report.to_text()))
        .detail;
    assert!(text.contains("missing, wrong, revoked"), "{text}");
}

/// Issue #16 item 5, the short end: a token whose first 1 to 4 characters fall before the
/// 200-character quote's cut leaves none of them behind.
#[tokio::test]
async fn a_token_cut_after_its_first_characters_leaves_nothing() {
    for pad in [195_usize, 197, 198] {
        let base = serve(move |seen| {
            let echoed = seen.authorization().unwrap_or_default().trim_start_matches("Bearer ").to_owned();
            scim_json(
                401,
                &json!({"schemas": [scim::ERROR_SCHEMA], "status": "401", "detail": format!("{} {echoed}", "y".repeat(pad))}),
            )
        })
        .await;
        let report = check(&base, Policy::default()).await;
        let (_, text) = finding(&report, "scim.auth");
        let kept = 199 - pad;
        let prefix = format!("y {}", &TOKEN[..kept]);
        assert!(!text.contains(&prefix), "pad {pad}: {prefix:?} in {text}");
    }
}

//! The SCIM probe suite against small misbehaving servers written for these tests: an
//! endpoint that serves users without a token, HTML pages, a login redirect, malformed
//! JSON, a 100 MB body, a silent server and an HTTP/1.0 server. Each must give a clear
//! finding, no panic, no hang, and never the token.

#![expect(
    clippy::disallowed_methods,
    reason = "#[tokio::test] blocks on the test's own runtime, not on a frame"
)]
#![expect(
    clippy::unwrap_used,
    reason = "test helpers: an unexpected error or missing value is the test failing"
)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use sso_scim_wizard::diagnostics::{Report, Status, check_ids};
use sso_scim_wizard::model::PlatformId;
use sso_scim_wizard::probes::http::Policy;
use sso_scim_wizard::probes::scim::{self, ScimInput};
use sso_scim_wizard::secrets::Secret;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

const TOKEN: &str = "hostile-test-token-0123456789abcdefXYZ";

/// What the test server saw of a request.
#[derive(Debug)]
struct Seen {
    method: String,
    /// Path and query, as sent.
    target: String,
    /// The `Authorization` header, if any.
    authorization: Option<String>,
}

impl Seen {
    fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }

    fn has_token(&self) -> bool {
        self.authorization.as_deref() == Some(&format!("Bearer {TOKEN}"))
    }
}

/// How the test server answers.
enum Reply {
    /// These bytes, then close.
    Raw(Vec<u8>),
    /// A status line, a content type and a body (HTTP/1.1, with Content-Length).
    Http(u16, &'static str, String),
    /// Headers without a length, then `bytes` of body in chunks until the client hangs up.
    Endless {
        content_type: &'static str,
        bytes: usize,
    },
    /// Accept the request, answer nothing, keep the connection open.
    Silent,
}

fn scim_json(status: u16, body: &serde_json::Value) -> Reply {
    Reply::Http(status, "application/scim+json", body.to_string())
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

/// Starts a server on 127.0.0.1 that answers every request with `answer`; returns its
/// base URL (`http://127.0.0.1:PORT/scim/v2`).
async fn serve(answer: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let answer = Arc::new(answer);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let answer = Arc::clone(&answer);
            tokio::spawn(async move { handle(stream, &*answer).await });
        }
    });
    format!("http://127.0.0.1:{port}/scim/v2")
}

async fn handle(mut stream: TcpStream, answer: &(dyn Fn(&Seen) -> Reply + Send + Sync)) {
    let Some((seen, _body)) = read_request(&mut stream).await else {
        return;
    };
    match answer(&seen) {
        Reply::Raw(bytes) => {
            let _ = stream.write_all(&bytes).await;
        }
        Reply::Http(status, content_type, body) => {
            let head = format!(
                "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(body.as_bytes()).await;
        }
        Reply::Endless {
            content_type,
            bytes,
        } => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nConnection: close\r\n\r\n"
            );
            if stream.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let chunk = vec![b'['; 64 * 1024];
            let mut sent = 0;
            while sent < bytes {
                if stream.write_all(&chunk).await.is_err() {
                    return; // the client gave up reading: that is the point
                }
                sent += chunk.len();
            }
        }
        Reply::Silent => {
            tokio::time::sleep(Duration::from_mins(1)).await;
        }
    }
    let _ = stream.shutdown().await;
}

/// Reads one request head (and a body by Content-Length).
async fn read_request(stream: &mut TcpStream) -> Option<(Seen, Vec<u8>)> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
        if buffer.len() > 64 * 1024 {
            return None;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_owned();
    let target = first.next()?.to_owned();
    let mut authorization = None;
    let mut length = 0;
    for line in lines {
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("authorization") {
                authorization = Some(value.trim().to_owned());
            } else if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = buffer[head_end..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some((
        Seen {
            method,
            target,
            authorization,
        },
        body,
    ))
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
async fn an_html_page_instead_of_scim_json_fails_auth_with_a_clear_reason() {
    let base = serve(|_| {
        Reply::Http(
            200,
            "text/html; charset=utf-8",
            "<!DOCTYPE html><html><body>Welcome</body></html>".into(),
        )
    })
    .await;
    let report = check(&base, Policy::default()).await;
    let (status, text) = finding(&report, "scim.auth");
    assert_eq!(status, Status::Fail);
    assert!(text.contains("web page instead of SCIM JSON"), "{text}");
    assert_eq!(
        finding(&report, "scim.service_provider_config").0,
        Status::Warn
    );
    assert_eq!(
        finding(&report, "scim.entra_test_connection").0,
        Status::Fail
    );
    assert_eq!(finding(&report, "scim.list_response").0, Status::Skip);
}

#[tokio::test]
async fn a_redirect_to_a_login_page_is_named_as_such() {
    let base = serve(|seen| {
        if seen.path() == "/login" {
            Reply::Http(200, "text/html", "<html><form>Sign in</form></html>".into())
        } else {
            Reply::Raw(b"HTTP/1.1 302 Found\r\nLocation: /login?next=scim\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec())
        }
    })
    .await;
    let report = check(&base, Policy::default()).await;
    let (status, text) = finding(&report, "scim.auth");
    assert_eq!(status, Status::Fail);
    assert!(
        text.contains("redirected") && text.contains("/login") && text.contains("sign-in page"),
        "{text}"
    );
    let (status, text) = finding(&report, "scim.unauthenticated_rejected");
    assert_eq!(status, Status::Warn);
    assert!(text.contains("web page"), "{text}");
}

#[tokio::test]
async fn malformed_json_fails_the_list_response_check() {
    let base = serve(|seen| match (seen.path(), seen.has_token()) {
        ("/scim/v2/Users", false) => error(401, "no token"),
        ("/scim/v2/Users", true) => Reply::Http(
            200,
            "application/scim+json",
            "{\"schemas\": [\"urn:ietf:params:scim:api:messages:2.0:ListResponse\", ".into(),
        ),
        _ => error(404, "not found"),
    })
    .await;
    let report = check(&base, Policy::default()).await;
    let (status, text) = finding(&report, "scim.list_response");
    assert_eq!(status, Status::Fail);
    assert!(
        text.contains("not valid JSON") && text.contains("schemas"),
        "{text}"
    );
    assert_eq!(
        finding(&report, "scim.unauthenticated_rejected").0,
        Status::Pass
    );
}

#[tokio::test]
async fn a_100_mb_body_is_cut_off_at_the_cap_without_reading_it_all() {
    let base = serve(|seen| {
        if seen.path() == "/scim/v2/ServiceProviderConfig" {
            // Announced length: refused before reading.
            Reply::Raw(b"HTTP/1.1 200 OK\r\nContent-Type: application/scim+json\r\nContent-Length: 104857600\r\nConnection: close\r\n\r\n[[[[".to_vec())
        } else {
            // No length: streamed until the cap.
            Reply::Endless { content_type: "application/scim+json", bytes: 100 * 1024 * 1024 }
        }
    })
    .await;
    let started = Instant::now();
    let report = check(&base, Policy::default()).await;
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
    let (status, text) = finding(&report, "scim.service_provider_config");
    assert_eq!(status, Status::Fail);
    assert!(text.contains("larger than 1048576 bytes"), "{text}");
    let (status, text) = finding(&report, "scim.auth");
    assert_eq!(status, Status::Fail);
    assert!(
        text.contains("larger than 1048576 bytes") && text.contains("far too large"),
        "{text}"
    );
}

#[tokio::test]
async fn a_silent_server_gives_one_timeout_finding_not_a_hang() {
    let base = serve(|_| Reply::Silent).await;
    let started = Instant::now();
    let report = check(&base, Policy::with_timeout_secs(1)).await;
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_secs(4),
        "one timeout, not one per check: {elapsed:?}"
    );
    let (status, text) = finding(&report, "scim.service_provider_config");
    assert_eq!(status, Status::Fail);
    assert!(text.contains("no answer within 1 s"), "{text}");
    let (status, text) = finding(&report, "scim.auth");
    assert_eq!(status, Status::Skip);
    assert!(text.contains("could not be reached"), "{text}");
    let (status, text) = finding(&report, "scim.latency");
    assert!(
        status == Status::Warn && text.contains("timed out"),
        "{status:?} {text}"
    );
}

#[tokio::test]
async fn an_http_1_0_server_without_content_length_works() {
    let base = serve(|seen| {
        let (status, body) = match (seen.method.as_str(), seen.path(), seen.has_token()) {
            (_, "/scim/v2/ServiceProviderConfig", _) => ("200 OK", json!({"schemas": [scim::SERVICE_PROVIDER_CONFIG_SCHEMA], "filter": {"supported": true}, "patch": {"supported": true}})),
            (_, _, false) => ("401 Unauthorized", json!({"schemas": [scim::ERROR_SCHEMA], "status": "401", "detail": "token"})),
            ("GET", "/scim/v2/Users" | "/scim/v2/Groups", true) => ("200 OK", list(0, &json!([]))),
            ("GET", "/scim/v2/Schemas", true) => ("200 OK", list(1, &json!([{"id": scim::USER_SCHEMA}]))),
            ("GET", "/scim/v2/ResourceTypes", true) => ("200 OK", list(1, &json!([{"id": "User", "name": "User"}]))),
            _ => ("404 Not Found", json!({"schemas": [scim::ERROR_SCHEMA], "status": "404", "detail": "no such user"})),
        };
        // HTTP/1.0: no Content-Length, the body ends when the connection closes.
        Reply::Raw(format!("HTTP/1.0 {status}\r\nContent-Type: application/scim+json\r\n\r\n{body}").into_bytes())
    })
    .await;
    let report = check(&base, Policy::default()).await;
    for (id, _) in &check_ids::SCIM[1..] {
        let (status, text) = finding(&report, id);
        assert_eq!(status, Status::Pass, "{id}: {text}");
    }
}

#[tokio::test]
async fn a_server_that_echoes_the_token_never_gets_it_into_the_report() {
    let base = serve(|seen| {
        let echoed = seen.authorization.clone().unwrap_or_default();
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
    let base = serve(|seen| match (seen.path(), seen.has_token()) {
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
        |seen| match (seen.method.as_str(), seen.path(), seen.has_token()) {
            (_, _, false) => error(401, "token"),
            ("POST", "/scim/v2/Users", true) => scim_json(
                201,
                &json!({"schemas": [scim::USER_SCHEMA], "id": "u-42", "userName": "x"}),
            ),
            ("GET", "/scim/v2/Users/u-42", true) => scim_json(
                200,
                &json!({"id": "u-42", "userName": "x", "active": false}),
            ),
            ("PATCH", _, true) => Reply::Http(204, "application/scim+json", String::new()),
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

//! The hostile network suite, in one place: every way a server or the network can
//! misbehave below the protocols, driven through the real checks the CLI and the GUI run
//! (`oidc::check`, `scim::check`) against servers on 127.0.0.1 and `[::1]`
//! (`support/hostile.rs`).
//!
//! Each case must end in a failed finding under the right check id whose words an admin
//! understands, within the policy's timeout plus 1 s, with memory bounded, and without a
//! credential in the report or on another host. Cases that concern one protocol's content
//! (private keys in a JWKS, `alg: none`, a SCIM filter that is ignored…) stay in
//! `oidc_hostile.rs` and `scim_hostile.rs`.
//!
//! Cases: a silent socket, headers or a body dripped at 1 byte/s, a 1 GiB body (with a
//! length, chunked, and until close), endless headers, a redirect loop, a redirect to a
//! sign-in page, a redirect to another host (the token and the client secret must not
//! follow), malformed JSON, an HTML page with 200, a connection closed at once, an answer
//! that is not HTTP, a body shorter than announced, a self-signed certificate, plain HTTP
//! on an https URL, a closed port and a name that does not resolve; and one positive
//! control (HTTP/1.0, body ended by close).
//!
//! Memory is the peak resident set (`VmHWM`) over one check, reset first through
//! `/proc/self/clear_refs`; one test reads an 80 MiB body whole to show the measure sees
//! it. Under nextest every test is its own process; under `cargo test` the tests share
//! one, so measured runs take turns (`MEASURING`) and no other run's memory falls in a
//! window.

#![expect(
    clippy::disallowed_methods,
    reason = "#[tokio::test] blocks on the test's own runtime, not on a frame"
)]

use crate::hostile;

use std::time::{Duration, Instant};

use hostile::{Framing, Reply, Server};
use serde_json::json;
use sso_scim_wizard::diagnostics::{Report, Status, check_ids};
use sso_scim_wizard::model::PlatformId;
use sso_scim_wizard::probes::http::Policy;
use sso_scim_wizard::probes::oidc::{self, OidcInput};
use sso_scim_wizard::probes::scim::{self, ScimInput};
use sso_scim_wizard::secrets::Secret;

/// The policy's timeout in this suite: short, so the suite is fast.
const TIMEOUT_SECS: u64 = 2;
/// What a check may take beyond the timeout (the issue: "within the timeout + 1 s").
const SLACK: Duration = Duration::from_secs(1);
/// The huge body.
const ONE_GIB: u64 = 1 << 30;
/// Peak memory growth allowed over one check, far below the huge body.
const MEMORY_BOUND_KIB: u64 = 64 * 1024;
/// The body cap, as the findings spell it.
const CAP_WORDS: &str = "larger than 1048576 bytes";

const TOKEN: &str = "hostile-network-token-0123456789abcdefXYZ";
const CLIENT_ID: &str = "hostile-client";
const CLIENT_SECRET: &str = "hostile-network-client-secret-0042";

const DISCOVERY: &str = "oidc.discovery_fetch";
const SPC: &str = "scim.service_provider_config";

/// One of the two check suites the app runs.
#[derive(Clone, Copy, Debug)]
enum Check {
    Oidc,
    Scim,
}

/// What one check must report in one case.
struct Expect {
    /// The check id that fails.
    id: &'static str,
    /// Words its detail or fix must contain.
    words: &'static [&'static str],
}

/// One hostile case: what each check must report.
struct Case {
    name: &'static str,
    oidc: Expect,
    scim: Expect,
    /// Whether the checks have to wait out the timeout (silence, a drip).
    waits_for_timeout: bool,
}

/// One check run and what it cost.
struct Run {
    check: Check,
    report: Report,
    elapsed: Duration,
    /// The policy's timeout.
    timeout_secs: u64,
    /// Peak resident-set growth over the run, when `/proc` tells.
    peak_growth_kib: Option<u64>,
}

/// Taken around each measured run, so that under `cargo test` (one process, tests on
/// threads) no other run's memory counts in this one's peak. Under nextest each test
/// has a process, and this lock, of its own.
static MEASURING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn run(check: Check, base: &str) -> Run {
    run_with(check, base, Policy::with_timeout_secs(TIMEOUT_SECS)).await
}

async fn run_with(check: Check, base: &str, policy: Policy) -> Run {
    let _measuring = MEASURING.lock().await;
    let before = memory_before();
    let started = Instant::now();
    let report = match check {
        Check::Oidc => {
            let input = OidcInput {
                issuer: base.to_owned(),
                client_id: Some(CLIENT_ID.to_owned()),
                client_secret: Some(Secret::new(CLIENT_SECRET)),
                ..OidcInput::default()
            };
            oidc::check(&input, policy, &|_| {}).await
        }
        Check::Scim => {
            let input = ScimInput::new(
                format!("{base}/scim/v2"),
                Some(Secret::new(TOKEN)),
                PlatformId::Generic,
            );
            scim::check(&input, policy, &|_| {}).await
        }
    };
    let elapsed = started.elapsed();
    let peak_growth_kib = before.and_then(|before| {
        let after = proc_status_kib("VmHWM")?;
        Some(after.saturating_sub(before))
    });
    // Whatever happened: every check id, once, in order, and no credential in the report.
    let ids = match check {
        Check::Oidc => check_ids::OIDC,
        Check::Scim => check_ids::SCIM,
    };
    let listed: Vec<&str> = report.checks.iter().map(|f| f.id.as_str()).collect();
    let expected: Vec<&str> = ids.iter().map(|(id, _)| *id).collect();
    assert_eq!(listed, expected, "every check id, once, in order");
    let json = report.to_json();
    for secret in [TOKEN, CLIENT_SECRET] {
        assert!(!json.contains(secret), "a secret leaked:\n{json}");
    }
    Run {
        check,
        report,
        elapsed,
        timeout_secs: policy.timeout.as_secs(),
        peak_growth_kib,
    }
}

/// Resets the peak to the current resident set (Linux ≥ 4.0) and returns it.
fn memory_before() -> Option<u64> {
    // "5" resets VmHWM to the current VmRSS (proc(5), /proc/pid/clear_refs).
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    proc_status_kib("VmHWM")
}

/// A `kB` figure from `/proc/self/status`.
fn proc_status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// Runs both checks against `base` and holds each to the case.
async fn suite(case: &Case, base: &str) -> [Run; 2] {
    let oidc = run(Check::Oidc, base).await;
    judge(case, &oidc);
    let scim = run(Check::Scim, base).await;
    judge(case, &scim);
    [oidc, scim]
}

/// The assertions every case makes of every check.
fn judge(case: &Case, run: &Run) {
    let expect = match run.check {
        Check::Oidc => &case.oidc,
        Check::Scim => &case.scim,
    };
    let report = &run.report;
    let text = report.to_text();
    let context = format!("{} / {:?}:\n{text}", case.name, run.check);
    log(case.name, run);

    let finding = report
        .finding(expect.id)
        .unwrap_or_else(|| panic!("{} missing: {context}", expect.id));
    assert_eq!(finding.status, Status::Fail, "{}: {context}", expect.id);
    let words = format!("{} | {}", finding.detail, finding.fix);
    for word in expect.words {
        assert!(
            words.contains(word),
            "{word:?} not in {words:?} ({context})"
        );
    }
    assert!(!finding.fix.is_empty(), "a failure says how to fix it");
    if expect.id == DISCOVERY {
        hostile::assert_dependents_skipped(report);
    }

    let limit = Duration::from_secs(TIMEOUT_SECS) + SLACK;
    assert!(
        run.elapsed < limit,
        "{} / {:?} took {:?}, more than the timeout + 1 s",
        case.name,
        run.check,
        run.elapsed
    );
    if case.waits_for_timeout {
        assert!(
            run.elapsed >= Duration::from_secs(TIMEOUT_SECS),
            "{} / {:?} ended before the timeout ({:?}): what ended it?",
            case.name,
            run.check,
            run.elapsed
        );
    }
    if let Some(growth) = run.peak_growth_kib {
        assert!(
            growth < MEMORY_BOUND_KIB,
            "{} / {:?}: peak memory grew by {growth} KiB",
            case.name,
            run.check
        );
    }
}

#[expect(
    clippy::print_stderr,
    reason = "the timing and memory of each case, for `--no-capture` runs"
)]
fn log(case: &str, run: &Run) {
    let memory = run
        .peak_growth_kib
        .map_or_else(|| "n/a".to_owned(), |kib| format!("{kib} KiB"));
    eprintln!(
        "hostile case {case:?} / {:?}: {} ms (timeout {} s), peak memory +{memory}",
        run.check,
        run.elapsed.as_millis(),
        run.timeout_secs
    );
}

fn finding_text(report: &Report, id: &str) -> (Status, String) {
    let finding = report
        .finding(id)
        .unwrap_or_else(|| panic!("{id} missing:\n{}", report.to_text()));
    (
        finding.status,
        format!("{} | {}", finding.detail, finding.fix),
    )
}

// ---------------------------------------------------------------------------------------
// Silence and slowness: the total timeout, not a per-read one, ends them.

const SILENT_SOCKET: Case = Case {
    name: "silent socket",
    oidc: Expect {
        id: DISCOVERY,
        words: &["No answer in time", "within 2 s"],
    },
    scim: Expect {
        id: SPC,
        words: &["no answer within 2 s", "did not answer in time"],
    },
    waits_for_timeout: true,
};

#[tokio::test]
async fn a_silent_socket_ends_in_a_timeout_finding() {
    let server = hostile::silent_socket().await;
    let [_, scim] = suite(&SILENT_SOCKET, &server.base).await;
    // One timeout, then the checks that need the network are skipped, not each timed out.
    let (status, text) = finding_text(&scim.report, "scim.auth");
    assert_eq!(status, Status::Skip);
    assert!(text.contains("could not be reached"), "{text}");
    let (status, text) = finding_text(&scim.report, "scim.latency");
    assert!(
        status == Status::Warn && text.contains("timed out"),
        "{status:?} {text}"
    );
    assert!(server.connections() >= 2, "both checks connected");
}

const DRIP: Case = Case {
    name: "1 byte/s drip",
    oidc: Expect {
        id: DISCOVERY,
        words: &["No answer in time", "within 2 s"],
    },
    scim: Expect {
        id: SPC,
        words: &["no answer within 2 s"],
    },
    waits_for_timeout: true,
};

fn drip(at_once: &[u8], dripped: &[u8]) -> Reply {
    Reply::Drip {
        at_once: at_once.to_vec(),
        dripped: dripped.to_vec(),
        every: Duration::from_secs(1),
    }
}

#[tokio::test]
async fn headers_dripped_at_one_byte_a_second_end_in_a_timeout_finding() {
    let server = hostile::serve(|_| {
        drip(
            b"",
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
        )
    })
    .await;
    suite(&DRIP, &server.base).await;
}

#[tokio::test]
async fn a_body_dripped_at_one_byte_a_second_ends_in_a_timeout_finding() {
    let body = json!({"issuer": "http://127.0.0.1", "schemas": []}).to_string();
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    let server = hostile::serve(move |_| drip(head.as_bytes(), body.as_bytes())).await;
    suite(&DRIP, &server.base).await;
}

// ---------------------------------------------------------------------------------------
// A body of 1 GiB, made on the fly: cut at the 1 MiB cap, never buffered.

const HUGE: Case = Case {
    name: "1 GiB body",
    oidc: Expect {
        id: DISCOVERY,
        words: &["Answer too large", CAP_WORDS],
    },
    scim: Expect {
        id: SPC,
        words: &[CAP_WORDS, "far too large"],
    },
    waits_for_timeout: false,
};

async fn one_gib_body(framing: Framing) {
    let server = hostile::serve(move |_| Reply::Huge {
        content_type: "application/json",
        bytes: ONE_GIB,
        framing,
    })
    .await;
    let [_, scim] = suite(&HUGE, &server.base).await;
    let (status, text) = finding_text(&scim.report, "scim.auth");
    assert_eq!(status, Status::Fail);
    assert!(
        text.contains(CAP_WORDS) && text.contains("far too large"),
        "{text}"
    );
    // Every request hung up soon after the cap: the server could not push the GiB (what
    // it did write sat in socket buffers, a few MiB at most).
    tokio::time::sleep(Duration::from_millis(200)).await;
    let streamed = server.streamed_bytes();
    let requests = server.requests().len() as u64;
    assert!(
        streamed < requests * 16 * 1024 * 1024,
        "{streamed} bytes were accepted over {requests} requests"
    );
}

#[tokio::test]
async fn the_memory_measure_sees_a_body_that_is_read_whole() {
    // A cap raised above an 80 MiB body: it is read whole, and the measure must show it,
    // or the bounds above prove nothing.
    const BODY_BYTES: u64 = 80 * 1024 * 1024;
    let server = hostile::serve(|_| Reply::Huge {
        content_type: "application/json",
        bytes: BODY_BYTES,
        framing: Framing::Length,
    })
    .await;
    let policy = Policy {
        max_body_bytes: 128 * 1024 * 1024,
        ..Policy::with_timeout_secs(30)
    };
    let run = run_with(Check::Oidc, &server.base, policy).await;
    // Read whole: 80 MiB of spaces is an empty document.
    let (status, text) = finding_text(&run.report, DISCOVERY);
    assert_eq!(status, Status::Fail, "{text}");
    assert!(text.contains("empty body"), "{text}");
    log("80 MiB read whole (cap raised)", &run);
    if let Some(growth) = run.peak_growth_kib {
        assert!(
            growth >= MEMORY_BOUND_KIB,
            "an 80 MiB body read whole showed only {growth} KiB"
        );
    }
}

#[tokio::test]
async fn a_one_gib_body_with_its_length_announced_is_refused_unread() {
    one_gib_body(Framing::Length).await;
}

#[tokio::test]
async fn a_one_gib_chunked_body_is_cut_at_the_cap() {
    one_gib_body(Framing::Chunked).await;
}

#[tokio::test]
async fn a_one_gib_body_delimited_by_close_is_cut_at_the_cap() {
    one_gib_body(Framing::Close).await;
}

// ---------------------------------------------------------------------------------------
// Redirects.

const REDIRECT_LOOP: Case = Case {
    name: "redirect loop",
    oidc: Expect {
        id: DISCOVERY,
        words: &["Too many redirects", "more than 5", "in circles"],
    },
    scim: Expect {
        id: SPC,
        words: &["more than 5 redirects", "redirect loop"],
    },
    waits_for_timeout: false,
};

#[tokio::test]
async fn a_redirect_loop_is_named_after_five_hops() {
    // `/a` → `/b` → `/a` …, relative locations.
    let server = hostile::serve(|seen| {
        let next = if seen.path().ends_with("/a") {
            "b"
        } else {
            "a"
        };
        Reply::redirect(302, format!("{}/{next}", seen.path()))
    })
    .await;
    let [oidc, _] = suite(&REDIRECT_LOOP, &server.base).await;
    assert!(oidc.report.has_failures());
    // The first request and five redirects for discovery, then OIDC stops.
    let oidc_requests = server
        .requests()
        .iter()
        .filter(|seen| seen.path().starts_with("/.well-known"))
        .count();
    assert_eq!(oidc_requests, 6, "1 request + 5 redirects");
}

const SIGN_IN_REDIRECT: Case = Case {
    name: "redirect to a sign-in page",
    oidc: Expect {
        id: DISCOVERY,
        words: &["redirected to what looks like a sign-in page", "/login"],
    },
    scim: Expect {
        id: "scim.auth",
        words: &["redirected", "/login", "sign-in page"],
    },
    waits_for_timeout: false,
};

#[tokio::test]
async fn a_redirect_to_a_sign_in_page_is_named() {
    let server = hostile::serve(|seen| {
        if seen.path() == "/login" {
            Reply::new(200, "text/html", "<html><form>Sign in</form></html>")
        } else {
            Reply::redirect(302, "/login?return_to=%2Fportal")
        }
    })
    .await;
    let [_, scim] = suite(&SIGN_IN_REDIRECT, &server.base).await;
    let (status, text) = finding_text(&scim.report, "scim.unauthenticated_rejected");
    assert_eq!(status, Status::Warn);
    assert!(text.contains("web page"), "{text}");
}

/// A host that hands out its directory to whoever shows the token, and a 401 otherwise:
/// had the token reached it, `scim.auth` would pass.
async fn second_host() -> Server {
    hostile::serve_ipv6(|seen| {
        if seen.authorization().is_some() {
            Reply::new(
                200,
                "application/scim+json",
                json!({"schemas": [scim::LIST_RESPONSE_SCHEMA], "totalResults": 0, "Resources": []}).to_string(),
            )
        } else {
            Reply::new(
                401,
                "application/scim+json",
                json!({"schemas": [scim::ERROR_SCHEMA], "status": "401", "detail": "no token"})
                    .to_string(),
            )
        }
    })
    .await
}

/// Nothing the second host received carries a credential.
fn assert_nothing_leaked(other: &Server, what: &str) {
    for seen in other.requests() {
        for needle in ["authorization", "cookie", TOKEN, CLIENT_SECRET] {
            assert!(
                !seen.received(needle),
                "{what}: the other host received {needle:?} in {} {}",
                seen.method,
                seen.target
            );
        }
    }
}

/// Only the SCIM half is run through `judge`: OIDC sends no credential on a GET, and its
/// one credential path, the token endpoint, has a test of its own below.
const CROSS_HOST: Case = Case {
    name: "redirect to another host",
    oidc: Expect {
        id: "oidc.client_auth",
        words: &[],
    },
    scim: Expect {
        id: "scim.auth",
        words: &["redirects to http://[::1]:", "credentials are never sent"],
    },
    waits_for_timeout: false,
};

#[tokio::test]
async fn a_scim_redirect_to_another_host_never_takes_the_token_along() {
    for status in [301, 302, 303, 307, 308] {
        let other = second_host().await;
        let target = other.base.clone();
        let first =
            hostile::serve(move |seen| Reply::redirect(status, format!("{target}{}", seen.target)))
                .await;
        let run = run(Check::Scim, &first.base).await;
        judge(&CROSS_HOST, &run);
        let what = format!("HTTP {status}");
        assert!(
            first.requests().iter().any(|seen| seen.has_bearer(TOKEN)),
            "{what}: the token was sent to the host that was entered"
        );
        assert!(
            !other.requests().is_empty(),
            "{what}: the requests without a token were followed there"
        );
        assert_nothing_leaked(&other, &what);
    }
}

#[tokio::test]
async fn an_oidc_token_endpoint_redirecting_to_another_host_never_gets_the_secret_there() {
    for (status, auth_methods) in [
        (307, json!(["client_secret_basic"])),
        (308, json!(["client_secret_post"])),
        (302, json!(["client_secret_basic"])),
    ] {
        let what = format!("HTTP {status}, {auth_methods}");
        let other = second_host().await;
        let target = other.base.clone();
        let first = hostile::serve(move |seen| match seen.path() {
            "/token" => Reply::redirect(status, format!("{target}/token")),
            "/jwks" => Reply::json(200, &json!({"keys": [hostile::public_rsa_key("rsa")]})),
            _ => {
                let mut doc = hostile::document(&seen.base);
                doc["token_endpoint_auth_methods_supported"] = auth_methods.clone();
                Reply::json(200, &doc)
            }
        })
        .await;
        let run = run(Check::Oidc, &first.base).await;
        let report = &run.report;
        assert_eq!(
            report.finding(DISCOVERY).map(|f| f.status),
            Some(Status::Pass),
            "{what}: {}",
            report.to_text()
        );
        let (status_found, text) = finding_text(report, "oidc.client_auth");
        assert_ne!(status_found, Status::Pass, "{what}: {text}");
        assert!(text.contains(&status.to_string()), "{what}: {text}");
        assert!(!report.to_json().contains(CLIENT_SECRET));
        assert!(run.elapsed < Duration::from_secs(TIMEOUT_SECS) + SLACK);
        let sent = first.requests();
        assert!(
            sent.iter().any(|seen| seen.path() == "/token"
                && (seen.authorization().is_some() || seen.received(CLIENT_SECRET))),
            "{what}: the client id and secret went to the token endpoint that was entered"
        );
        assert_nothing_leaked(&other, &what);
        assert!(
            other.requests().is_empty(),
            "{what}: a token request (POST) is never followed to another host"
        );
    }
}

#[tokio::test]
async fn discovery_may_follow_a_redirect_to_another_host_as_it_carries_no_credential() {
    let other = hostile::serve_ipv6(|seen| Reply::json(200, &hostile::document(&seen.base))).await;
    let target = other.base.clone();
    let first =
        hostile::serve(move |seen| Reply::redirect(302, format!("{target}{}", seen.target))).await;
    // A client id and secret are in play: the document the other host serves names its
    // own token endpoint, which nobody confirmed, so the secret must not go there.
    let input = OidcInput {
        issuer: first.base.clone(),
        client_id: Some(CLIENT_ID.to_owned()),
        client_secret: Some(Secret::new(CLIENT_SECRET)),
        ..OidcInput::default()
    };
    let report = oidc::check(&input, Policy::with_timeout_secs(TIMEOUT_SECS), &|_| {}).await;
    let (auth, auth_text) = finding_text(&report, "oidc.client_auth");
    assert_eq!(auth, Status::Warn, "{auth_text}");
    assert!(auth_text.contains("not sent"), "{auth_text}");
    // Fetched, with a warning that some platforms do not follow the redirect.
    let (status, text) = finding_text(&report, DISCOVERY);
    assert_eq!(status, Status::Warn, "{text}");
    assert!(
        text.contains("redirect") && text.contains("[::1]"),
        "{text}"
    );
    assert!(
        !other.requests().is_empty(),
        "the discovery request was followed"
    );
    assert_nothing_leaked(&other, "discovery");
}

// ---------------------------------------------------------------------------------------
// Content that is not what was asked for.

const MALFORMED_JSON: Case = Case {
    name: "malformed JSON",
    oidc: Expect {
        id: DISCOVERY,
        words: &["not valid JSON", "EOF"],
    },
    scim: Expect {
        id: SPC,
        words: &["not valid JSON", "EOF"],
    },
    waits_for_timeout: false,
};

#[tokio::test]
async fn malformed_json_is_named() {
    let server = hostile::serve(|_| {
        Reply::new(
            200,
            "application/json",
            r#"{"issuer": "http://x", "jwks_uri": "#,
        )
    })
    .await;
    suite(&MALFORMED_JSON, &server.base).await;
}

#[tokio::test]
async fn malformed_json_in_the_user_list_fails_the_list_response_check() {
    let server = hostile::serve(|seen| match (seen.path(), seen.has_bearer(TOKEN)) {
        ("/scim/v2/Users", false) => scim_error(401, "no token"),
        ("/scim/v2/Users", true) => Reply::new(
            200,
            "application/scim+json",
            "{\"schemas\": [\"urn:ietf:params:scim:api:messages:2.0:ListResponse\", ",
        ),
        _ => scim_error(404, "not found"),
    })
    .await;
    let report = run(Check::Scim, &server.base).await.report;
    let (status, text) = finding_text(&report, "scim.list_response");
    assert_eq!(status, Status::Fail);
    assert!(
        text.contains("not valid JSON") && text.contains("schemas"),
        "{text}"
    );
    assert_eq!(
        finding_text(&report, "scim.unauthenticated_rejected").0,
        Status::Pass
    );
}

const HTML_PAGE: Case = Case {
    name: "HTML page",
    oidc: Expect {
        id: DISCOVERY,
        words: &[
            "An HTML page came back",
            "instead of the JSON discovery document",
            "portal",
        ],
    },
    scim: Expect {
        id: "scim.auth",
        words: &["web page instead of SCIM JSON"],
    },
    waits_for_timeout: false,
};

#[tokio::test]
async fn an_html_page_with_200_is_named() {
    let server = hostile::serve(|_| {
        Reply::new(
            200,
            "text/html; charset=utf-8",
            "<!DOCTYPE html><html><body>Admin portal</body></html>",
        )
    })
    .await;
    let [_, scim] = suite(&HTML_PAGE, &server.base).await;
    let report = &scim.report;
    assert_eq!(finding_text(report, SPC).0, Status::Warn);
    assert_eq!(
        finding_text(report, "scim.entra_test_connection").0,
        Status::Fail
    );
    assert_eq!(finding_text(report, "scim.list_response").0, Status::Skip);
}

// ---------------------------------------------------------------------------------------
// Answers that are not HTTP, or not whole.

/// What both checks must say about a broken answer.
const fn broken(name: &'static str, words: &'static [&'static str]) -> Case {
    Case {
        name,
        oidc: Expect {
            id: DISCOVERY,
            words,
        },
        scim: Expect { id: SPC, words },
        waits_for_timeout: false,
    }
}

const ENDLESS_HEADERS: Case = broken(
    "endless headers",
    &["headers are far larger than any real endpoint's"],
);

#[tokio::test]
async fn endless_headers_are_cut_off_and_named() {
    let server = hostile::serve(|_| Reply::EndlessHead).await;
    suite(&ENDLESS_HEADERS, &server.base).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let streamed = server.streamed_bytes();
    let requests = server.requests().len() as u64;
    assert!(
        streamed < requests * 16 * 1024 * 1024,
        "{streamed} header bytes were accepted over {requests} requests"
    );
}

#[tokio::test]
async fn a_server_that_hangs_up_at_once_is_named() {
    let case = broken(
        "hangs up at once",
        &["closed the connection without answering"],
    );
    let server = hostile::serve(|_| Reply::Raw(Vec::new())).await;
    suite(&case, &server.base).await;
}

#[tokio::test]
async fn an_answer_that_is_not_http_is_named() {
    let case = broken("not HTTP", &["not HTTP", "another kind of server"]);
    let server = hostile::serve(|_| Reply::Raw(b"SSH-2.0-OpenSSH_9.6\r\n".to_vec())).await;
    suite(&case, &server.base).await;
}

#[tokio::test]
async fn a_body_shorter_than_announced_is_named() {
    let case = broken(
        "body cut short",
        &["closed the connection before the whole answer arrived"],
    );
    let server = hostile::serve(|_| {
        Reply::Raw(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{}"
                .to_vec(),
        )
    })
    .await;
    suite(&case, &server.base).await;
}

// ---------------------------------------------------------------------------------------
// TLS and connections.

const UNTRUSTED_CERTIFICATE: Case = Case {
    name: "untrusted certificate",
    oidc: Expect {
        id: DISCOVERY,
        words: &["TLS handshake failed", "self-signed"],
    },
    scim: Expect {
        id: SPC,
        words: &["TLS connection failed", "self-signed", "certificate"],
    },
    waits_for_timeout: false,
};

#[tokio::test]
async fn a_self_signed_certificate_is_named_and_nothing_is_sent() {
    let server = hostile::serve_tls(|seen| Reply::json(200, &hostile::document(&seen.base))).await;
    suite(&UNTRUSTED_CERTIFICATE, &server.base).await;
    assert_eq!(
        server.connections(),
        0,
        "no handshake completed, so no request (and no token) got through"
    );
    assert!(server.requests().is_empty());
}

const PLAIN_HTTP_ON_HTTPS: Case = Case {
    name: "plain HTTP on an https URL",
    oidc: Expect {
        id: DISCOVERY,
        words: &["TLS handshake failed", "does not speak TLS"],
    },
    scim: Expect {
        id: SPC,
        words: &["does not speak TLS"],
    },
    waits_for_timeout: false,
};

#[tokio::test]
async fn a_plain_http_server_on_an_https_url_is_named() {
    let server = hostile::serve(|seen| Reply::json(200, &hostile::document(&seen.base))).await;
    let https = server.base.replace("http://", "https://");
    suite(&PLAIN_HTTP_ON_HTTPS, &https).await;
}

const NOTHING_LISTENING: Case = Case {
    name: "nothing listening",
    oidc: Expect {
        id: DISCOVERY,
        words: &["Connection failed", "nothing is listening"],
    },
    scim: Expect {
        id: SPC,
        words: &["nothing is listening"],
    },
    waits_for_timeout: false,
};

#[tokio::test]
async fn nothing_listening_is_a_refused_connection() {
    suite(&NOTHING_LISTENING, &hostile::closed_port().await).await;
}

/// A host name that cannot resolve, and that the system resolver refuses without sending
/// a query: `.invalid` never resolves (RFC 6761 §6.4), and a label over 63 bytes cannot be
/// put into a DNS packet, so nothing leaves the machine (checked with strace on glibc).
const UNRESOLVABLE: &str =
    "login-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.ssw-test.invalid";

const UNRESOLVABLE_HOST: Case = Case {
    name: "unresolvable host",
    oidc: Expect {
        id: DISCOVERY,
        words: &["DNS lookup failed", UNRESOLVABLE, "spelling"],
    },
    scim: Expect {
        id: SPC,
        words: &["could not be resolved", UNRESOLVABLE],
    },
    waits_for_timeout: false,
};

#[tokio::test]
async fn an_unresolvable_host_is_a_dns_failure() {
    let [oidc, _] = suite(&UNRESOLVABLE_HOST, &format!("https://{UNRESOLVABLE}")).await;
    // No endpoint was seen, so https is not passed on the issuer alone (issue #15).
    assert_eq!(finding_text(&oidc.report, "oidc.https").0, Status::Skip);
}

// ---------------------------------------------------------------------------------------
// A positive control: an old but valid way to end a body.

#[tokio::test]
async fn an_http_1_0_server_without_content_length_works() {
    let server = hostile::serve(|seen| {
        let (status, body) = match (seen.method.as_str(), seen.path(), seen.has_bearer(TOKEN)) {
            (_, "/scim/v2/ServiceProviderConfig", _) => ("200 OK", json!({"schemas": [scim::SERVICE_PROVIDER_CONFIG_SCHEMA], "filter": {"supported": true}, "patch": {"supported": true}})),
            (_, _, false) => ("401 Unauthorized", json!({"schemas": [scim::ERROR_SCHEMA], "status": "401", "detail": "token"})),
            ("GET", "/scim/v2/Users" | "/scim/v2/Groups", true) => ("200 OK", json!({"schemas": [scim::LIST_RESPONSE_SCHEMA], "totalResults": 0, "Resources": []})),
            ("GET", "/scim/v2/Schemas", true) => ("200 OK", json!({"schemas": [scim::LIST_RESPONSE_SCHEMA], "totalResults": 1, "Resources": [{"id": scim::USER_SCHEMA}]})),
            ("GET", "/scim/v2/ResourceTypes", true) => ("200 OK", json!({"schemas": [scim::LIST_RESPONSE_SCHEMA], "totalResults": 1, "Resources": [{"id": "User", "name": "User"}]})),
            _ => ("404 Not Found", json!({"schemas": [scim::ERROR_SCHEMA], "status": "404", "detail": "no such user"})),
        };
        // HTTP/1.0: no Content-Length, the body ends when the connection closes.
        Reply::Raw(format!("HTTP/1.0 {status}\r\nContent-Type: application/scim+json\r\n\r\n{body}").into_bytes())
    })
    .await;
    let report = run(Check::Scim, &server.base).await.report;
    // Loopback over plain http is a warning on the base URL; every other check passes.
    for (id, _) in &check_ids::SCIM[1..] {
        let (status, text) = finding_text(&report, id);
        assert_eq!(status, Status::Pass, "{id}: {text}");
    }
}

// ---------------------------------------------------------------------------------------
// Documents.

fn scim_error(status: u16, detail: &str) -> Reply {
    Reply::new(
        status,
        "application/scim+json",
        json!({"schemas": [scim::ERROR_SCHEMA], "status": status.to_string(), "detail": detail})
            .to_string(),
    )
}

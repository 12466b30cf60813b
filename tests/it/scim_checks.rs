//! The SCIM probe suite against the real SCIM server (`scim2-server` behind our bearer
//! token wrapper, started by `scripts/test`; see `tests/support/scim/`).

#![expect(
    clippy::disallowed_methods,
    reason = "#[tokio::test] blocks on the test's own runtime, not on a frame"
)]
#![expect(
    clippy::unwrap_used,
    reason = "test helpers: an unexpected error or missing value is the test failing"
)]

use crate::support;

use std::sync::Mutex;

use sso_scim_wizard::diagnostics::{Report, Status, check_ids};
use sso_scim_wizard::model::PlatformId;
use sso_scim_wizard::probes::http::{Client, Policy, Request};
use sso_scim_wizard::probes::scim::{self, ScimInput, WriteProbePlan};
use sso_scim_wizard::secrets::Secret;

/// The server's base URL and a token it accepts, or `None` (skip) without the peers.
fn server() -> Option<(String, String)> {
    Some((
        support::peer("SSW_SCIM_BASE_URL")?,
        support::peer("SSW_SCIM_TOKEN")?,
    ))
}

async fn run(input: &ScimInput) -> Report {
    let seen = Mutex::new(Vec::new());
    let report = scim::check(input, Policy::default(), &|finding| {
        seen.lock().unwrap().push(finding.id.clone());
    })
    .await;
    // Progress saw every finding of the report, each once.
    let mut seen = seen.into_inner().unwrap();
    seen.sort();
    let mut ids: Vec<String> = report.checks.iter().map(|f| f.id.clone()).collect();
    ids.sort();
    assert_eq!(seen, ids, "progress and report disagree");
    report
}

fn status(report: &Report, id: &str) -> Status {
    report
        .finding(id)
        .unwrap_or_else(|| panic!("{id} missing from the report"))
        .status
}

fn detail(report: &Report, id: &str) -> String {
    let finding = report
        .finding(id)
        .unwrap_or_else(|| panic!("{id} missing from the report"));
    format!("{} | {}", finding.detail, finding.fix)
}

fn assert_every_read_id_once(report: &Report) {
    let ids: Vec<&str> = report.checks.iter().map(|f| f.id.as_str()).collect();
    let expected: Vec<&str> = check_ids::SCIM.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, expected, "every SCIM check id, once, in order");
}

fn assert_no_token(report: &Report, token: &str) {
    let json = report.to_json();
    let text = report.to_text();
    assert!(
        !json.contains(token) && !text.contains(token),
        "the token leaked into the report"
    );
}

/// Every user on the server as (id, userName), sorted.
async fn users(base: &str, token: &str) -> Vec<(String, String)> {
    let client = Client::new(Policy::default()).unwrap();
    let url = format!("{base}/Users?startIndex=1&count=1000")
        .parse()
        .unwrap();
    let response = client
        .send(Request::get(url).bearer(Secret::new(token)))
        .await
        .unwrap();
    assert_eq!(response.status.as_u16(), 200);
    let doc = response.json().unwrap();
    let mut users: Vec<(String, String)> = doc["Resources"]
        .as_array()
        .map(|users| {
            users
                .iter()
                .map(|u| {
                    (
                        u["id"].as_str().unwrap_or_default().to_owned(),
                        u["userName"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    users.sort();
    users
}

/// The users that matter to one probe run: all but other runs' probe users (tests run in
/// parallel against the one server, and their probes come and go).
async fn create_user(base: &str, token: &str, user_name: &str) -> String {
    let client = Client::new(Policy::default()).unwrap();
    let body = serde_json::json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": user_name,
        "emails": [{"value": user_name, "primary": true}],
    });
    let request = Request::with_json(
        reqwest::Method::POST,
        format!("{base}/Users").parse().unwrap(),
        &body,
        "application/scim+json",
    )
    .bearer(Secret::new(token));
    let response = client.send(request).await.unwrap();
    assert_eq!(
        response.status.as_u16(),
        201,
        "{}",
        String::from_utf8_lossy(&response.body)
    );
    response.json().unwrap()["id"].as_str().unwrap().to_owned()
}

async fn delete_user(base: &str, token: &str, id: &str) {
    let client = Client::new(Policy::default()).unwrap();
    let mut request =
        Request::get(format!("{base}/Users/{id}").parse().unwrap()).bearer(Secret::new(token));
    request.method = reqwest::Method::DELETE;
    let response = client.send(request).await.unwrap();
    assert_eq!(response.status.as_u16(), 204);
}

#[tokio::test]
async fn a_good_token_passes_every_read_check() {
    let Some((base, token)) = server() else {
        return;
    };
    let report = run(&ScimInput::new(
        &base,
        Some(Secret::new(&token)),
        PlatformId::Generic,
    ))
    .await;
    assert_every_read_id_once(&report);
    assert_no_token(&report, &token);
    // Plain http is only tolerated because the test server is on this computer.
    assert_eq!(
        status(&report, "scim.base_url"),
        Status::Warn,
        "{}",
        detail(&report, "scim.base_url")
    );
    for (id, _) in &check_ids::SCIM[1..] {
        let finding = report.finding(id).unwrap();
        assert!(
            matches!(finding.status, Status::Pass)
                || (*id == "scim.latency" && finding.status == Status::Warn),
            "{id}: {:?} {}",
            finding.status,
            finding.detail
        );
    }
    assert!(!report.has_failures());
    assert!(
        detail(&report, "scim.latency").contains("GET /ServiceProviderConfig"),
        "per-request times are listed"
    );
}

#[tokio::test]
async fn a_wrong_token_fails_auth_and_entra_test_connection_says_so_too() {
    let Some((base, _)) = server() else { return };
    let wrong = "scim-wrong-token-0123456789abcdef";
    let report = run(&ScimInput::new(
        &base,
        Some(Secret::new(wrong)),
        PlatformId::Airia,
    ))
    .await;
    assert_every_read_id_once(&report);
    assert_no_token(&report, wrong);
    assert_eq!(status(&report, "scim.token_format"), Status::Pass);
    assert_eq!(status(&report, "scim.auth"), Status::Fail);
    let auth = detail(&report, "scim.auth");
    assert!(auth.contains("401") && auth.contains("expired"), "{auth}");
    // Airia's preset names its token lifetime.
    assert!(auth.contains("180 days"), "{auth}");
    assert_eq!(status(&report, "scim.entra_test_connection"), Status::Fail);
    assert!(
        detail(&report, "scim.entra_test_connection").contains("would report the same failure")
    );
    for id in [
        "scim.list_response",
        "scim.groups",
        "scim.not_found_error",
        "scim.schemas",
    ] {
        assert_eq!(status(&report, id), Status::Skip, "{id}");
        assert!(detail(&report, id).contains("not accepted"), "{id}");
    }
    // Discovery and the unauthenticated check still ran.
    assert_eq!(
        status(&report, "scim.service_provider_config"),
        Status::Pass
    );
    assert_eq!(
        status(&report, "scim.unauthenticated_rejected"),
        Status::Pass
    );
}

#[tokio::test]
async fn a_bearer_prefixed_token_is_flagged_and_the_rest_runs_with_the_clean_token() {
    let Some((base, token)) = server() else {
        return;
    };
    let pasted = format!("Bearer {token}");
    let report = run(&ScimInput::new(
        &base,
        Some(Secret::new(&pasted)),
        PlatformId::Generic,
    ))
    .await;
    assert_no_token(&report, &token);
    assert_eq!(status(&report, "scim.token_format"), Status::Fail);
    let format = detail(&report, "scim.token_format");
    assert!(
        format.contains("\"Bearer\"") && format.contains("first 7 characters"),
        "{format}"
    );
    assert_eq!(status(&report, "scim.auth"), Status::Fail);
    assert!(
        detail(&report, "scim.auth").contains("the token itself is good"),
        "{}",
        detail(&report, "scim.auth")
    );
    assert_eq!(status(&report, "scim.list_response"), Status::Pass);
    assert_eq!(status(&report, "scim.groups"), Status::Pass);
}

#[tokio::test]
async fn a_token_with_quotes_and_a_trailing_newline_is_flagged_exactly() {
    let Some((base, token)) = server() else {
        return;
    };
    let pasted = format!("\"{token}\"\n");
    let report = run(&ScimInput::new(
        &base,
        Some(Secret::new(&pasted)),
        PlatformId::Generic,
    ))
    .await;
    assert_no_token(&report, &token);
    let format = detail(&report, "scim.token_format");
    assert_eq!(status(&report, "scim.token_format"), Status::Fail);
    assert!(
        format.contains("quotes") && format.contains("line break at the end"),
        "{format}"
    );
    // A newline cannot go into an HTTP header at all: said so, then the cleaned token works.
    let auth = detail(&report, "scim.auth");
    assert!(
        auth.contains("could not be sent") && auth.contains("the token itself is good"),
        "{auth}"
    );
}

#[tokio::test]
async fn a_base_url_without_the_version_segment_fails_with_404() {
    let Some((base, token)) = server() else {
        return;
    };
    let without_v2 = base
        .strip_suffix("/v2")
        .expect("the test server's base URL ends in /v2");
    let report = run(&ScimInput::new(
        without_v2,
        Some(Secret::new(&token)),
        PlatformId::Generic,
    ))
    .await;
    assert_every_read_id_once(&report);
    assert_eq!(status(&report, "scim.auth"), Status::Fail);
    let auth = detail(&report, "scim.auth");
    assert!(auth.contains("404") && auth.contains("/v2"), "{auth}");
    assert_eq!(status(&report, "scim.entra_test_connection"), Status::Fail);
    assert!(report.has_failures());
}

#[tokio::test]
async fn a_trailing_users_on_the_base_url_fails_the_url_check() {
    let Some((base, token)) = server() else {
        return;
    };
    let report = run(&ScimInput::new(
        format!("{base}/Users"),
        Some(Secret::new(&token)),
        PlatformId::Generic,
    ))
    .await;
    assert_eq!(status(&report, "scim.base_url"), Status::Fail);
    assert!(
        detail(&report, "scim.base_url").contains("Remove /Users"),
        "{}",
        detail(&report, "scim.base_url")
    );
    // Tested as given, the way the IdP would use it: /Users/Users is not there.
    assert_eq!(status(&report, "scim.auth"), Status::Fail);
}

#[tokio::test]
async fn the_write_probe_passes_and_leaves_exactly_the_users_there_were() {
    let Some((base, token)) = server() else {
        return;
    };
    let probe_id = scim::new_probe_id().unwrap();
    let plan = WriteProbePlan::new(&probe_id);
    // Other test binaries add and remove their own users on the same server at the same
    // time, so "the users there were" is judged on a bystander this test owns: the probe
    // must delete its own user and nobody else's.
    let bystander = format!("bystander-{probe_id}@scim-checks.example.com");
    let bystander_id = create_user(&base, &token, &bystander).await;
    let before = users(&base, &token).await;
    assert!(before.iter().any(|(id, _)| *id == bystander_id));
    let input = ScimInput {
        write_probe: true,
        probe_id: Some(probe_id),
        ..ScimInput::new(
            &base,
            Some(Secret::new(&token)),
            PlatformId::AwsIamIdentityCenter,
        )
    };
    let report = run(&input).await;
    assert_no_token(&report, &token);
    let ids: Vec<&str> = report.checks.iter().map(|f| f.id.as_str()).collect();
    let expected: Vec<&str> = check_ids::SCIM
        .iter()
        .chain(check_ids::SCIM_WRITE)
        .map(|(id, _)| *id)
        .collect();
    assert_eq!(ids, expected);
    for (id, _) in check_ids::SCIM_WRITE {
        assert_eq!(
            status(&report, id),
            Status::Pass,
            "{id}: {}",
            detail(&report, id)
        );
    }
    assert!(detail(&report, "scim.write.duplicate").contains("uniqueness"));
    // The request log shows the probe really wrote: a POST that answered 201.
    assert!(
        detail(&report, "scim.latency").contains("POST /Users 201"),
        "{}",
        detail(&report, "scim.latency")
    );
    assert!(
        detail(&report, "scim.write.create").contains("with id"),
        "{}",
        detail(&report, "scim.write.create")
    );
    let after = users(&base, &token).await;
    assert!(
        !after.iter().any(|(_, name)| *name == plan.user_name),
        "the probe user is still there"
    );
    assert!(
        after
            .iter()
            .any(|(id, name)| *id == bystander_id && *name == bystander),
        "the probe removed a user that was not its own"
    );
    delete_user(&base, &token, &bystander_id).await;
}

#[tokio::test]
async fn without_a_token_only_the_open_checks_run() {
    let Some((base, _)) = server() else { return };
    let report = run(&ScimInput::new(&base, None, PlatformId::Generic)).await;
    assert_every_read_id_once(&report);
    assert_eq!(status(&report, "scim.token_format"), Status::Skip);
    assert_eq!(status(&report, "scim.auth"), Status::Skip);
    assert_eq!(
        status(&report, "scim.service_provider_config"),
        Status::Pass
    );
    assert_eq!(
        status(&report, "scim.unauthenticated_rejected"),
        Status::Pass
    );
    assert!(detail(&report, "scim.groups").contains("no token"));
}

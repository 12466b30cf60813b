//! The provisioning replay (`check scim --replay`) against the real peers started by
//! `scripts/test` (scim2-server and npm scimmy on Express 5) and against hostile servers
//! (`support/hostile.rs`): its verdicts, that it leaves nothing behind, and that the
//! clean-up ends within its bound whatever the server does.
#![expect(
    clippy::disallowed_methods,
    reason = "#[tokio::test] blocks on the test's own runtime, not on a frame"
)]
#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly on what it did not expect"
)]

use crate::hostile;
use crate::support;

use std::collections::BTreeSet;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use hostile::{Reply, Seen};
use serde_json::{Value, json};
use sso_scim_wizard::diagnostics::{Report, Status};
use sso_scim_wizard::model::PlatformId;
use sso_scim_wizard::probes::http::Policy;
use sso_scim_wizard::probes::replay::{Idp, ReplayInput, replay};
use sso_scim_wizard::secrets::Secret;

const BIN: &str = env!("CARGO_BIN_EXE_sso-scim-wizard");
const TOKEN_VAR: &str = "SSW_REPLAY_TEST_TOKEN";
const HOSTILE_TOKEN: &str = "hostile-replay-token-0123456789abcdef";

fn status_of(report: &Report, id: &str) -> Status {
    report
        .finding(id)
        .unwrap_or_else(|| panic!("{id} is not in the report"))
        .status
}

async fn run(base: &str, token: &str, idp: Idp, probe_id: &str, timeout_secs: u64) -> Report {
    let input = ReplayInput {
        base_url: base.to_owned(),
        token: Secret::new(token),
        platform: PlatformId::Generic,
        idp,
        probe_id: Some(probe_id.to_owned()),
    };
    let report = replay(&input, Policy::with_timeout_secs(timeout_secs), &|_| {}).await;
    assert!(
        !report.to_json().contains(token),
        "the token leaked into the report"
    );
    report
}

/// The ids and names of every user and group on the server.
async fn inventory(base: &str, token: &str) -> BTreeSet<String> {
    let client = reqwest::Client::new();
    let mut out = BTreeSet::new();
    for (segment, name) in [("Users", "userName"), ("Groups", "displayName")] {
        let doc: Value = client
            .get(format!("{base}/{segment}?startIndex=1&count=1000"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for resource in doc["Resources"].as_array().cloned().unwrap_or_default() {
            out.insert(format!(
                "{segment} {} {}",
                resource["id"].as_str().unwrap_or_default(),
                resource[name].as_str().unwrap_or_default()
            ));
        }
    }
    out
}

#[test]
fn entra_replay_on_scim2_server_fails_the_member_remove_step_and_exits_1() {
    let (Some(base), Some(token)) = (
        support::peer("SSW_SCIM_BASE_URL"),
        support::peer("SSW_SCIM_TOKEN"),
    ) else {
        return;
    };
    let started = Instant::now();
    let output = Command::new(BIN)
        .args([
            "check",
            "scim",
            "--base-url",
            &base,
            "--token-env",
            TOKEN_VAR,
        ])
        .args(["--replay", "entra", "--json"])
        .env(TOKEN_VAR, &token)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "a failed step exits 1");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!stdout.contains(&token), "the token is in the JSON");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let verdict = |id: &str| {
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .map_or_else(
                || panic!("{id} missing from {stdout}"),
                |c| c["status"].as_str().unwrap_or_default().to_owned(),
            )
    };
    assert_eq!(verdict("scim.replay.entra.member_remove_value"), "fail");
    assert_eq!(verdict("scim.replay.entra.member_remove_filter"), "pass");
    assert_eq!(verdict("scim.replay.entra.lookup_username_case"), "pass");
    assert_eq!(verdict("scim.replay.entra.cleanup"), "pass");
    let fix = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "scim.replay.entra.member_remove_value")
        .unwrap()["fix"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(fix.contains("without the aadOptscim062020 flag"), "{fix}");
    // Every failed step says which Entra apps it matters for, also the ones
    // both PATCH forms send (the manager, the group body).
    for check in report["checks"].as_array().unwrap() {
        if check["status"] == "fail" {
            let fix = check["fix"].as_str().unwrap_or_default();
            assert!(
                fix.contains("aadOptscim062020 flag"),
                "{}: {fix}",
                check["id"]
            );
        }
    }
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[tokio::test]
async fn scimmy_fails_the_paging_and_letter_case_steps() {
    let (Some(base), Some(token)) = (
        support::peer("SSW_SCIMMY_BASE_URL"),
        support::peer("SSW_SCIMMY_TOKEN"),
    ) else {
        return;
    };
    let okta = run(&base, &token, Idp::Okta, "scimmyokta1", 10).await;
    assert_eq!(status_of(&okta, "scim.replay.okta.page_one"), Status::Fail);
    assert_eq!(status_of(&okta, "scim.replay.okta.page_two"), Status::Fail);
    assert_eq!(
        status_of(&okta, "scim.replay.okta.lookup_upper_case"),
        Status::Fail
    );
    assert_eq!(
        status_of(&okta, "scim.replay.okta.create_user"),
        Status::Pass
    );
    assert_eq!(status_of(&okta, "scim.replay.okta.duplicate"), Status::Pass);
    assert_eq!(status_of(&okta, "scim.replay.okta.cleanup"), Status::Pass);
    let page = &okta.finding("scim.replay.okta.page_two").unwrap().detail;
    assert!(page.contains("paging parameters were ignored"), "{page}");
    let entra = run(&base, &token, Idp::Entra, "scimmyentra1", 10).await;
    assert_eq!(
        status_of(&entra, "scim.replay.entra.lookup_username_case"),
        Status::Fail
    );
    assert_eq!(status_of(&entra, "scim.replay.entra.cleanup"), Status::Pass);
}

#[tokio::test]
async fn every_replay_leaves_both_servers_as_they_were() {
    let peers = [
        ("SSW_SCIM_BASE_URL", "SSW_SCIM_TOKEN"),
        ("SSW_SCIMMY_BASE_URL", "SSW_SCIMMY_TOKEN"),
    ];
    for (n, (base_var, token_var)) in peers.into_iter().enumerate() {
        let (Some(base), Some(token)) = (support::peer(base_var), support::peer(token_var)) else {
            return;
        };
        for idp in Idp::ALL {
            let probe_id = format!("left{n}{}", idp.as_str());
            let before = inventory(&base, &token).await;
            let report = run(&base, &token, idp, &probe_id, 10).await;
            let after = inventory(&base, &token).await;
            let cleanup = format!("scim.replay.{}.cleanup", idp.as_str());
            assert_eq!(
                status_of(&report, &cleanup),
                Status::Pass,
                "{base_var} {idp:?}"
            );
            // Other test binaries may use the same peer at the same time: nothing that
            // was there is gone, and nothing of this run's names is left.
            let gone: Vec<&String> = before.difference(&after).collect();
            let left: Vec<&String> = after.iter().filter(|e| e.contains(&probe_id)).collect();
            assert!(gone.is_empty(), "{base_var} {idp:?} removed {gone:?}");
            assert!(left.is_empty(), "{base_var} {idp:?} left {left:?}");
        }
    }
}

fn scim_error(status: u16) -> Reply {
    Reply::json(
        status,
        &json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": status.to_string(), "detail": "hostile"}),
    )
}

fn empty_list() -> Reply {
    Reply::json(
        200,
        &json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 0, "Resources": []}),
    )
}

fn deletes(server: &hostile::Server) -> Vec<String> {
    server
        .requests()
        .iter()
        .filter(|r| r.method == "DELETE")
        .map(|r| r.path().to_owned())
        .collect()
}

#[tokio::test]
async fn a_500_mid_replay_still_deletes_what_was_created() {
    let created = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&created);
    let server = hostile::serve(move |seen: &Seen| match seen.method.as_str() {
        "POST" => {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            Reply::json(201, &json!({"id": format!("u{n}"), "userName": "x"}))
        }
        "PATCH" | "PUT" => scim_error(500),
        "DELETE" => Reply::new(204, "application/scim+json", ""),
        _ => empty_list(),
    })
    .await;
    let base = format!("{}/scim/v2", server.base);
    let report = run(&base, HOSTILE_TOKEN, Idp::Entra, "hostile500", 2).await;
    assert_eq!(
        status_of(&report, "scim.replay.entra.patch_replace_compliant"),
        Status::Fail
    );
    assert_eq!(
        status_of(&report, "scim.replay.entra.cleanup"),
        Status::Pass
    );
    let deleted = deletes(&server);
    for n in 0..created.load(Ordering::SeqCst) {
        let user = format!("/scim/v2/Users/u{n}");
        let group = format!("/scim/v2/Groups/u{n}");
        assert!(
            deleted.contains(&user) || deleted.contains(&group),
            "u{n} was not deleted: {deleted:?}"
        );
    }
}

#[tokio::test]
async fn a_201_without_an_id_skips_the_dependent_steps_and_reports_the_user_left() {
    let server = hostile::serve(|seen: &Seen| match seen.method.as_str() {
        "POST" => Reply::json(201, &json!({"userName": "no id here"})),
        // The clean-up's lookup by name fails too: it cannot know what is there.
        "GET" if seen.target.contains("ssw-probe-noid") => scim_error(500),
        _ => empty_list(),
    })
    .await;
    let base = format!("{}/scim/v2", server.base);
    let report = run(&base, HOSTILE_TOKEN, Idp::Okta, "noid", 2).await;
    let create = report.finding("scim.replay.okta.create_user").unwrap();
    assert_eq!(create.status, Status::Fail);
    assert!(
        create.detail.contains("without the new object's id"),
        "{}",
        create.detail
    );
    let get = report.finding("scim.replay.okta.get_user").unwrap();
    assert_eq!(get.status, Status::Skip);
    assert!(get.detail.contains("create_user"), "{}", get.detail);
    let cleanup = report.finding("scim.replay.okta.cleanup").unwrap();
    assert_eq!(cleanup.status, Status::Fail);
    assert!(
        cleanup.detail.contains("ssw-probe-noid@example.com"),
        "{}",
        cleanup.detail
    );
}

#[tokio::test]
async fn a_delete_that_never_answers_ends_within_the_bound_and_names_what_is_left() {
    let server = hostile::serve(|seen: &Seen| match seen.method.as_str() {
        "POST" if seen.path().ends_with("/Groups") => Reply::json(201, &json!({"id": "g1"})),
        "POST" => Reply::json(201, &json!({"id": "u1"})),
        "DELETE" => Reply::Silent,
        _ => empty_list(),
    })
    .await;
    let base = format!("{}/scim/v2", server.base);
    let started = Instant::now();
    let report = run(&base, HOSTILE_TOKEN, Idp::OneLogin, "silentdelete", 1).await;
    let elapsed = started.elapsed();
    // Steps until the first silent DELETE (one timeout), then a clean-up bounded by
    // twice the timeout plus a second.
    assert!(elapsed < Duration::from_secs(8), "took {elapsed:?}");
    let cleanup = report.finding("scim.replay.onelogin.cleanup").unwrap();
    assert_eq!(cleanup.status, Status::Fail);
    assert!(cleanup.detail.contains("u1"), "{}", cleanup.detail);
    assert!(cleanup.detail.contains("g1"), "{}", cleanup.detail);
    assert!(!deletes(&server).is_empty());
}

//! `sso-scim-wizard check scim`: exit codes, `--json`, and the token kept out of every
//! output. Runs the real binary against the real SCIM server started by `scripts/test`.

use crate::support;

use std::process::{Command, Output};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_sso-scim-wizard");
/// The variable the tests pass the token in; never an argument.
const TOKEN_VAR: &str = "SSW_CLI_TEST_SCIM_TOKEN";

fn check_scim(args: &[&str], token: Option<&str>) -> Output {
    let mut command = Command::new(BIN);
    command.arg("check").arg("scim").args(args);
    command.env_remove(TOKEN_VAR);
    command.env(
        "SSO_SCIM_WIZARD_CONFIG_DIR",
        std::env::temp_dir().join("ssw-cli-check-scim-empty"),
    );
    if let Some(token) = token {
        command.env(TOKEN_VAR, token);
    }
    command
        .output()
        .unwrap_or_else(|err| panic!("the binary does not run: {err}"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn assert_no_token(output: &Output, token: &str) {
    assert!(!text(&output.stdout).contains(token), "token on stdout");
    assert!(!text(&output.stderr).contains(token), "token on stderr");
}

#[test]
fn a_good_token_exits_0_with_a_text_report() {
    let (Some(base), Some(token)) = (
        support::peer("SSW_SCIM_BASE_URL"),
        support::peer("SSW_SCIM_TOKEN"),
    ) else {
        return;
    };
    let output = check_scim(
        &["--base-url", &base, "--token-env", TOKEN_VAR],
        Some(&token),
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "stdout: {}\nstderr: {}",
        text(&output.stdout),
        text(&output.stderr)
    );
    let stdout = text(&output.stdout);
    assert!(
        stdout.starts_with(&format!("SCIM check of {base}")),
        "{stdout}"
    );
    assert!(
        stdout.contains("(scim.auth)") && stdout.contains("0 failed"),
        "{stdout}"
    );
    assert_no_token(&output, &token);
}

#[test]
fn json_output_is_one_document_with_every_check() {
    let (Some(base), Some(token)) = (
        support::peer("SSW_SCIM_BASE_URL"),
        support::peer("SSW_SCIM_TOKEN"),
    ) else {
        return;
    };
    let output = check_scim(
        &[
            "--base-url",
            &base,
            "--token-env",
            TOKEN_VAR,
            "--json",
            "--write-probe",
        ],
        Some(&token),
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let doc: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("stdout is exactly one JSON document");
    assert_eq!(doc["tool"], "sso-scim-wizard");
    assert_eq!(doc["kind"], "scim");
    assert_eq!(doc["target"], base.as_str());
    let ids: Vec<&str> = doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 16, "{ids:?}");
    assert!(ids.contains(&"scim.write.delete"));
    assert_eq!(doc["summary"]["fail"], 0);
    for check in doc["checks"].as_array().unwrap() {
        for key in ["id", "status", "title", "detail", "fix", "duration_ms"] {
            assert!(check.get(key).is_some(), "{key} missing in {check}");
        }
    }
    assert_no_token(&output, &token);
}

#[test]
fn a_wrong_token_exits_1_and_names_the_failed_check() {
    let Some(base) = support::peer("SSW_SCIM_BASE_URL") else {
        return;
    };
    let wrong = "cli-wrong-token-0123456789abcdef";
    let output = check_scim(
        &["--base-url", &base, "--token-env", TOKEN_VAR, "--json"],
        Some(wrong),
    );
    assert_eq!(output.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let auth = doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "scim.auth")
        .unwrap();
    assert_eq!(auth["status"], "fail");
    assert_no_token(&output, wrong);
}

#[test]
fn an_unset_token_variable_exits_2_with_one_line_on_stderr() {
    let output = check_scim(
        &[
            "--base-url",
            "https://scim.example.com/scim/v2",
            "--token-env",
            TOKEN_VAR,
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = text(&output.stderr);
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("error:") && stderr.contains(TOKEN_VAR) && stderr.contains("not set"),
        "{stderr}"
    );
}

#[test]
fn bad_usage_exits_2() {
    // No token source at all.
    let output = check_scim(&["--base-url", "https://scim.example.com/scim/v2"], None);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    // An unknown platform.
    let output = check_scim(
        &[
            "--base-url",
            "https://scim.example.com/scim/v2",
            "--token-env",
            TOKEN_VAR,
            "--platform",
            "azure",
        ],
        Some("x"),
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("airia"),
        "{}",
        text(&output.stderr)
    );
    // An unknown profile.
    let output = check_scim(&["--profile", "no-such-profile"], None);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn a_silent_server_exits_1_after_the_timeout() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/scim/v2", listener.local_addr().unwrap());
    // Accepts connections (the backlog) but never answers.
    let token = "silent-server-token-0123456789";
    let started = Instant::now();
    let output = check_scim(
        &[
            "--base-url",
            &base,
            "--token-env",
            TOKEN_VAR,
            "--timeout",
            "1",
        ],
        Some(token),
    );
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(output.status.code(), Some(1));
    let stdout = text(&output.stdout);
    assert!(stdout.contains("No answer within 1 s"), "{stdout}");
    assert_no_token(&output, token);
    drop(listener);
}

#[test]
fn a_profile_without_url_or_token_exits_2_saying_what_is_missing() {
    let config = tempfile::tempdir().unwrap();
    let wizard = |args: &[&str]| {
        Command::new(BIN)
            .args(args)
            .env("SSO_SCIM_WIZARD_CONFIG_DIR", config.path())
            .env_remove(TOKEN_VAR)
            .output()
            .unwrap()
    };
    let created = wizard(&[
        "profile",
        "create",
        "Fabrikam",
        "--platform",
        "generic",
        "--idp",
        "okta",
    ]);
    assert_eq!(created.status.code(), Some(0), "{}", text(&created.stderr));
    let id = text(&created.stdout).trim().to_owned();

    let no_url = wizard(&["check", "scim", "--profile", &id]);
    assert_eq!(no_url.status.code(), Some(2));
    assert!(
        text(&no_url.stderr).contains("no SCIM base URL"),
        "{}",
        text(&no_url.stderr)
    );

    let no_token = wizard(&[
        "check",
        "scim",
        "--profile",
        &id,
        "--base-url",
        "https://scim.example.com/scim/v2",
    ]);
    assert_eq!(no_token.status.code(), Some(2));
    let stderr = text(&no_token.stderr);
    assert!(
        stderr.contains("no SCIM token stored") && stderr.contains("token import"),
        "{stderr}"
    );
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
}

#[test]
fn another_base_url_than_the_profiles_is_refused_unless_allowed() {
    use sso_scim_wizard::model::{IdpId, PlatformId};
    use sso_scim_wizard::storage::ProfileStore;
    let config = tempfile::tempdir().unwrap();
    let store = ProfileStore::at(config.path());
    let mut profile = store
        .create(
            "Fabrikam",
            PlatformId::Generic,
            IdpId::Okta,
            chrono::Utc::now(),
        )
        .unwrap();
    profile.scim.base_url = "https://scim.fabrikam.example/scim/v2".into();
    store.save(&profile).unwrap();
    let wizard = |args: &[&str]| {
        Command::new(BIN)
            .args(args)
            .env("SSO_SCIM_WIZARD_CONFIG_DIR", config.path())
            .env_remove(TOKEN_VAR)
            .output()
            .unwrap()
    };
    let refused = wizard(&[
        "check",
        "scim",
        "--profile",
        &profile.id,
        "--base-url",
        "https://collector.attacker.example/scim/v2",
    ]);
    assert_eq!(refused.status.code(), Some(2));
    let stderr = text(&refused.stderr);
    assert!(
        stderr.contains("not the SCIM base URL of profile")
            && stderr.contains("--allow-other-base-url"),
        "{stderr}"
    );
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    // The profile's own URL (trailing slash aside) and an explicit flag get past this
    // rule; they stop later only because no token is stored.
    for args in [
        vec!["--base-url", "https://scim.fabrikam.example/scim/v2/"],
        vec![
            "--base-url",
            "https://other.fabrikam.example/scim/v2",
            "--allow-other-base-url",
        ],
    ] {
        let mut all = vec!["check", "scim", "--profile", profile.id.as_str()];
        all.extend(args);
        let output = wizard(&all);
        assert_eq!(output.status.code(), Some(2));
        let stderr = text(&output.stderr);
        assert!(stderr.contains("no SCIM token stored"), "{stderr}");
    }
}

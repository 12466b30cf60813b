//! `sso-scim-wizard check oidc` as scripts use it: exactly one JSON document with
//! `--json`, exit codes 0/1/2 (DESIGN.md), the secret only through an environment
//! variable and never echoed.

use crate::support;

use std::process::{Command, Output};

use serde_json::Value;

const SECRET_VAR: &str = "SSW_CLI_TEST_CLIENT_SECRET";

fn wizard(args: &[&str], secret: Option<&str>) -> Output {
    let config = tempfile::tempdir().unwrap_or_else(|err| panic!("temp dir: {err}"));
    let mut command = Command::new(env!("CARGO_BIN_EXE_sso-scim-wizard"));
    command
        .args(args)
        .env("SSO_SCIM_WIZARD_CONFIG_DIR", config.path())
        .env_remove(SECRET_VAR);
    if let Some(secret) = secret {
        command.env(SECRET_VAR, secret);
    }
    command
        .output()
        .unwrap_or_else(|err| panic!("could not run the binary: {err}"))
}

fn code(output: &Output) -> i32 {
    output.status.code().unwrap_or(-1)
}

fn json(output: &Output) -> Value {
    let text = String::from_utf8_lossy(&output.stdout);
    serde_json::from_str(&text)
        .unwrap_or_else(|err| panic!("stdout is not one JSON document ({err}):\n{text}"))
}

fn status_of(report: &Value, id: &str) -> String {
    let checks = report["checks"].as_array().cloned().unwrap_or_default();
    let check = checks
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("{id} missing: {report}"));
    check["status"].as_str().unwrap_or_default().to_owned()
}

#[test]
fn json_report_of_a_healthy_issuer_exits_0() {
    let Some(issuer) = support::peer("SSW_OIDC_ISSUER") else {
        return;
    };
    let output = wizard(&["check", "oidc", "--issuer", &issuer, "--json"], None);
    assert_eq!(
        code(&output),
        0,
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = json(&output);
    assert_eq!(report["tool"], "sso-scim-wizard");
    assert_eq!(report["kind"], "oidc");
    assert_eq!(report["target"], issuer.as_str());
    assert_eq!(report["checks"].as_array().map(Vec::len), Some(8));
    assert_eq!(report["summary"]["fail"], 0);
    assert_eq!(
        report["summary"]["warn"], 1,
        "plain http on loopback is a warning: {report}"
    );
    assert_eq!(status_of(&report, "oidc.client_auth"), "skip");
    for check in report["checks"].as_array().into_iter().flatten() {
        for field in ["id", "status", "title", "detail", "fix", "duration_ms"] {
            assert!(check.get(field).is_some(), "{field} missing in {check}");
        }
    }
}

#[test]
fn client_secret_from_the_environment_is_checked_and_never_printed() {
    let (Some(issuer), Some(id), Some(secret)) = (
        support::peer("SSW_OIDC_ISSUER"),
        support::peer("SSW_OIDC_CLIENT_ID"),
        support::peer("SSW_OIDC_CLIENT_SECRET"),
    ) else {
        return;
    };
    let args = [
        "check",
        "oidc",
        "--issuer",
        &issuer,
        "--client-id",
        &id,
        "--client-secret-env",
        SECRET_VAR,
        "--json",
    ];
    let right = wizard(&args, Some(&secret));
    assert_eq!(
        code(&right),
        0,
        "{}",
        String::from_utf8_lossy(&right.stdout)
    );
    assert_eq!(status_of(&json(&right), "oidc.client_auth"), "pass");

    let wrong_secret = format!("{secret}-expired");
    let wrong = wizard(&args, Some(&wrong_secret));
    assert_eq!(code(&wrong), 1);
    assert_eq!(status_of(&json(&wrong), "oidc.client_auth"), "fail");
    for output in [&right, &wrong] {
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(!all.contains(&secret), "the secret was printed");
    }
}

#[test]
fn trailing_slash_issuer_exits_1_and_text_says_how_to_fix() {
    let Some(issuer) = support::peer("SSW_OIDC_ISSUER_WITH_PATH") else {
        return;
    };
    let output = wizard(&["check", "oidc", "--issuer", &format!("{issuer}/")], None);
    assert_eq!(code(&output), 1);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("Issuer matches (oidc.issuer_match)"),
        "{text}"
    );
    assert!(
        text.contains("trailing slash") && text.contains("How to fix:"),
        "{text}"
    );
}

#[test]
fn unreachable_issuer_exits_1_with_a_json_report() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|err| panic!("{err}"));
    let address = listener.local_addr().unwrap_or_else(|err| panic!("{err}"));
    drop(listener);
    let output = wizard(
        &[
            "check",
            "oidc",
            "--issuer",
            &format!("http://{address}"),
            "--timeout",
            "3",
            "--json",
        ],
        None,
    );
    assert_eq!(code(&output), 1);
    let report = json(&output);
    assert_eq!(status_of(&report, "oidc.discovery_fetch"), "fail");
    assert_eq!(report["summary"]["skip"], 6);
}

#[test]
fn an_unset_secret_variable_is_bad_usage() {
    let output = wizard(
        &[
            "check",
            "oidc",
            "--issuer",
            "https://idp.example",
            "--client-id",
            "app",
            "--client-secret-env",
            SECRET_VAR,
        ],
        None,
    );
    assert_eq!(code(&output), 2);
    assert!(output.stdout.is_empty(), "nothing on stdout");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(SECRET_VAR) && stderr.contains("not set"),
        "{stderr}"
    );
}

#[test]
fn usage_mistakes_exit_2() {
    for args in [
        vec!["check", "oidc"],
        vec![
            "check",
            "oidc",
            "--issuer",
            "https://idp.example",
            "--no-such-flag",
        ],
        vec![
            "check",
            "oidc",
            "--issuer",
            "https://idp.example",
            "--client-secret-env",
            SECRET_VAR,
        ],
        vec![
            "check",
            "oidc",
            "--issuer",
            "https://idp.example",
            "--platform",
            "nope",
        ],
        vec![
            "check",
            "oidc",
            "--issuer",
            "https://idp.example",
            "--platform",
            "aws-iam-identity-center",
        ],
    ] {
        let output = wizard(&args, Some("x"));
        assert_eq!(
            code(&output),
            2,
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(output.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn an_allowed_endpoint_origin_must_be_https_without_a_path() {
    for (origin, words) in [
        ("http://tokens.example.com", "plain http"),
        ("https://tokens.example.com/oauth2/token", "path"),
    ] {
        let output = wizard(
            &[
                "check",
                "oidc",
                "--issuer",
                "https://idp.example",
                "--allow-endpoint-origin",
                origin,
            ],
            None,
        );
        assert_eq!(code(&output), 2, "{origin}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("--allow-endpoint-origin") && stderr.contains(words),
            "{origin}: {stderr}"
        );
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    }
}

use crate::hostile;

#[test]
#[expect(
    clippy::disallowed_methods,
    reason = "starts the test servers on a runtime of the test's own"
)]
fn the_secret_goes_to_another_token_endpoint_origin_only_when_named() {
    const SECRET: &str = "cli-allow-origin-secret-0042";
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let other = runtime.block_on(hostile::serve_ipv6(|_| {
        hostile::Reply::json(
            200,
            &serde_json::json!({"access_token": "granted", "token_type": "Bearer"}),
        )
    }));
    let other_base = other.base.clone();
    let issuer = runtime.block_on(hostile::serve(move |seen| {
        if seen.path() == "/jwks" {
            return hostile::Reply::json(
                200,
                &serde_json::json!({"keys": [hostile::public_rsa_key("rsa")]}),
            );
        }
        let mut doc = hostile::document(&seen.base);
        doc["token_endpoint"] = serde_json::json!(format!("{other_base}/token"));
        hostile::Reply::json(200, &doc)
    }));
    let mut args = vec![
        "check",
        "oidc",
        "--issuer",
        issuer.base.as_str(),
        "--client-id",
        "app",
        "--client-secret-env",
        SECRET_VAR,
        "--json",
    ];
    let held_back = wizard(&args, Some(SECRET));
    assert_eq!(status_of(&json(&held_back), "oidc.client_auth"), "warn");
    assert!(
        other.requests().is_empty(),
        "the secret went out unconfirmed"
    );
    args.extend(["--allow-endpoint-origin", other.base.as_str()]);
    let allowed = wizard(&args, Some(SECRET));
    assert_eq!(status_of(&json(&allowed), "oidc.client_auth"), "pass");
    assert!(other.requests().iter().any(|seen| seen.path() == "/token"));
    assert!(!String::from_utf8_lossy(&allowed.stdout).contains(SECRET));
}

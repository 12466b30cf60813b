//! Logging for a support case: off unless `RUST_LOG` asks, the app's own lines on stderr
//! when it does, and no secret in any line, even with every crate at `trace` (the HTTP
//! stack's own logging included), nor in the `--json` document beside it.

use crate::support;

use std::process::{Command, Output};

use base64::Engine as _;

const SECRET_VAR: &str = "SSW_LOG_TEST_SECRET";

fn wizard(args: &[&str], secret: &str, rust_log: Option<&str>) -> Output {
    let config = tempfile::tempdir().unwrap_or_else(|err| panic!("temp dir: {err}"));
    let mut command = Command::new(env!("CARGO_BIN_EXE_sso-scim-wizard"));
    command
        .args(args)
        .env("SSO_SCIM_WIZARD_CONFIG_DIR", config.path())
        .env(SECRET_VAR, secret)
        .env_remove("RUST_LOG");
    if let Some(filter) = rust_log {
        command.env("RUST_LOG", filter);
    }
    command
        .output()
        .unwrap_or_else(|err| panic!("could not run the binary: {err}"))
}

/// Every spelling of `secret` a log line could carry: raw, URL-encoded, base64 of it and
/// of `id:secret` (HTTP Basic), and any 12-character window of it (the peers' secrets
/// hold words such as "confidential", which a report may use on its own).
fn assert_no_secret(text: &str, secret: &str, client_id: &str, what: &str) {
    let engine = base64::engine::general_purpose::STANDARD;
    let mut forms = vec![
        secret.to_owned(),
        url::form_urlencoded::byte_serialize(secret.as_bytes()).collect(),
        engine.encode(secret),
        engine.encode(format!("{client_id}:{secret}")),
    ];
    let chars: Vec<char> = secret.chars().collect();
    for window in chars.windows(12) {
        let window: String = window.iter().collect();
        // The peer's secret starts with its client id, which a report names on purpose.
        if !client_id.contains(&window) {
            forms.push(window);
        }
    }
    for form in forms {
        assert!(
            !text.contains(&form),
            "{what} holds a form of the secret ({} characters of it)",
            form.len()
        );
    }
}

#[test]
fn without_rust_log_nothing_is_logged() {
    let Some(issuer) = support::peer("SSW_OIDC_ISSUER") else {
        return;
    };
    let output = wizard(
        &["check", "oidc", "--issuer", &issuer, "--json"],
        "unused",
        None,
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("DEBUG") && !stderr.contains("GET "),
        "logging is on by default: {stderr}"
    );
}

#[test]
fn oidc_check_logs_its_requests_and_never_the_client_secret() {
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
    let output = wizard(&args, &secret, Some("trace"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let origin = issuer.trim_end_matches('/');
    assert!(
        stderr.contains(&format!("GET {origin}/.well-known/openid-configuration")),
        "the discovery request is not in the log:\n{stderr}"
    );
    assert!(
        stderr.contains("check oidc.client_auth: Pass"),
        "the client check's outcome is not in the log:\n{stderr}"
    );
    assert_no_secret(&stderr, &secret, &id, "the log");
    assert_no_secret(
        &String::from_utf8_lossy(&output.stdout),
        &secret,
        &id,
        "the JSON report",
    );
}

#[test]
fn scim_check_never_logs_the_token() {
    let (Some(base), Some(token)) = (
        support::peer("SSW_SCIM_BASE_URL"),
        support::peer("SSW_SCIM_TOKEN"),
    ) else {
        return;
    };
    let args = [
        "check",
        "scim",
        "--base-url",
        &base,
        "--token-env",
        SECRET_VAR,
        "--json",
    ];
    let output = wizard(&args, &token, Some("trace"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "GET {}/ServiceProviderConfig",
            base.trim_end_matches('/')
        )),
        "the SCIM requests are not in the log:\n{stderr}"
    );
    assert_no_secret(&stderr, &token, "", "the log");
}

//! The offline commands end to end: `explain`, `checklist` and `bundle`, run as the real
//! binary against a temporary config dir.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a failed set-up is a broken test, and says where"
)]

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use sso_scim_wizard::diagnostics::{Finding, Report, ReportKind};
use sso_scim_wizard::model::{
    CredentialKind, CredentialMeta, CredentialOrigin, CredentialState, HistoryEntry, IdpId,
    PlatformId, Profile, StoredReport,
};
use sso_scim_wizard::storage::{CONFIG_DIR_ENV, ProfileStore};

const BIN: &str = env!("CARGO_BIN_EXE_sso-scim-wizard");

/// Secrets planted where a careless paste could land; none may come out.
const TOKEN: &str = "scim_Hq4Lw9Tz2Vb7Nc1Xr8Ks5Jd3Pm6Yf0Ga";
const CLIENT_SECRET: &str = "Qe8Q~k2Lp.Zr5Tv7Wx9Bn1Mc3Ds4Fg6Hj8Kl0";

fn run(config_dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env(CONFIG_DIR_ENV, config_dir)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Asserts that neither planted secret, nor any 8 characters of one, is in `text`.
fn assert_no_secret(text: &str, what: &str) {
    for secret in [TOKEN, CLIENT_SECRET] {
        let chars: Vec<char> = secret.chars().collect();
        for window in chars.windows(8) {
            let piece: String = window.iter().collect();
            assert!(
                !text.contains(&piece),
                "{what} holds part of a secret: {piece}"
            );
        }
    }
}

/// An Airia × Entra profile with two ticks, a last SSO run (one pass, one fail with a
/// pasted bearer token in its detail), two credentials known by their last four only,
/// a rotation in progress whose note holds a token, and a history line with a secret.
fn planted_profile(dir: &Path) -> Profile {
    let store = ProfileStore::at(dir);
    let now = Utc::now();
    let mut profile = store
        .create("Fabrikam <EU>", PlatformId::Airia, IdpId::Entra, now)
        .unwrap();
    profile.sso.issuer =
        "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0".into();
    profile.sso.client_id = "0c8d3f2a-1b4e-4f6a-9c7d-5e2b1a3c4d5e".into();
    profile.scim.base_url = "https://api.airia.ai/scim/v2/tenant-42".into();
    let items = sso_scim_wizard::catalog::catalog().checklist_for(PlatformId::Airia, IdpId::Entra);
    profile.checklist_ticks = items.iter().take(2).map(|i| i.id.clone()).collect();
    profile.last_oidc_report = Some(StoredReport {
        checked_at: now,
        report: Report::new(
            ReportKind::Oidc,
            profile.sso.issuer.clone(),
            vec![
                Finding::pass("oidc.issuer_match", "the same"),
                Finding::fail(
                    "oidc.client_auth",
                    format!("invalid_client with Authorization: Bearer {TOKEN}"),
                    "create a new secret",
                ),
            ],
        ),
    });
    for (id, kind, value) in [
        ("scim-1", CredentialKind::ScimToken, TOKEN),
        ("secret-1", CredentialKind::ClientSecret, CLIENT_SECRET),
    ] {
        profile.credentials.push(CredentialMeta {
            id: id.to_owned(),
            kind,
            label: format!("{} for Fabrikam", kind.label()),
            origin: CredentialOrigin::Imported,
            created_at: now,
            expires_at: Some(now + chrono::Duration::days(20)),
            last4: value[value.len() - 4..].to_owned(),
            last_verified_at: None,
            state: CredentialState::Active,
            session_only: false,
        });
    }
    profile.rotation = Some(
        serde_json::from_value(serde_json::json!({
            "credential_id": "scim-1",
            "kind": "scim-token",
            "step": "test",
            "started_at": now,
            "override_reason": format!("tested by hand with {TOKEN}"),
        }))
        .unwrap(),
    );
    profile.history.push(HistoryEntry {
        at: now,
        event: format!("client_secret={CLIENT_SECRET} pasted into the wrong field"),
    });
    store.save(&profile).unwrap();
    profile
}

#[test]
fn explain_finds_the_entry_for_error_strings_from_the_guides() {
    let tmp = tempfile::tempdir().unwrap();
    for (text, entry, marked) in [
        (
            "AADSTS50105: The signed in user 'alice@contoso.com' is not assigned to a role for the application 'Airia SSO'.",
            "aadsts50105-user-not-assigned",
            "«AADSTS50105»",
        ),
        (
            "AADSTS50011: The redirect URI 'https://app.example.com/callback' specified in the request does not match the redirect URIs configured for the application.",
            "aadsts50011-redirect-mismatch",
            "«AADSTS50011»",
        ),
        (
            "AADSTS900561: The endpoint only accepts POST, OPTIONS requests. Received a PUT request.",
            "aadsts900561-method-not-allowed",
            "«AADSTS900561»",
        ),
        (
            "AADSTS7000215: Invalid client secret provided.",
            "aadsts7000215-invalid-client-secret",
            "«AADSTS7000215»",
        ),
        (
            "AADSTS7000222: The provided client secret keys for app are expired.",
            "aadsts7000222-client-secret-expired",
            "«AADSTS7000222»",
        ),
        (
            "Azure error 50011 at sign-in",
            "aadsts50011-redirect-mismatch",
            "«50011»",
        ),
        ("Unauthorized - 401", "scim-401-unauthorized", "«401»"),
        (
            "Missing required attribute: userName",
            "aws-missing-username",
            "Missing required attribute",
        ),
        (
            "Email address already exists",
            "aws-email-already-exists",
            "«",
        ),
        ("Group not found", "aws-group-not-found", "«"),
        (
            r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"scimType":"uniqueness","status":"409"}"#,
            "scim-type-uniqueness",
            "«uniqueness»",
        ),
        (
            r#"{"scimType":"invalidFilter","detail":"Filter syntax is malformed","status":"400"}"#,
            "scim-type-invalidfilter",
            "«invalidFilter»",
        ),
        (
            "StatusCode: Unauthorized 401. The provisioning job is in quarantine.",
            "scim-401-unauthorized",
            "«401»",
        ),
        (
            "The provisioning job has been placed in quarantine",
            "entra-provisioning-quarantine",
            "«",
        ),
        (
            "Users are provisioned but groups are not syncing",
            "users-sync-groups-dont",
            "«groups are not»",
        ),
        (
            "UPN does not match the email address",
            "upn-email-mismatch",
            "«",
        ),
        (
            "We encountered an error while updating provisioning configuration",
            "workspace365-scope-update-error",
            "«",
        ),
    ] {
        let output = run(tmp.path(), &["explain", text]);
        let answer = stdout(&output);
        assert_eq!(output.status.code(), Some(0), "{text}\n{answer}");
        let first = answer
            .lines()
            .find(|line| line.starts_with("1. "))
            .unwrap_or_default();
        assert!(first.contains(&format!("[{entry},")), "{text} → {first}");
        assert!(
            answer.contains(marked),
            "{text}: {marked} not marked\n{answer}"
        );
        assert!(answer.contains("What it means:"), "{answer}");
        assert!(
            !answer.contains("**"),
            "Markdown markers in plain text: {answer}"
        );
    }
}

#[test]
fn explain_reads_standard_input_and_says_when_nothing_matches() {
    let tmp = tempfile::tempdir().unwrap();
    let mut child = Command::new(BIN)
        .args(["explain", "--json", "-"])
        .env(CONFIG_DIR_ENV, tmp.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(
        &mut child.stdin.take().unwrap(),
        b"2026-05-04T09:41:07Z provisioning export failed\nHTTP/1.1 409 Conflict\n{\"scimType\":\"uniqueness\"}\n",
    )
    .unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["matches"][0]["id"], "scim-type-uniqueness");
    let highlighted: Vec<&str> = json["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["text"].as_str())
        .collect();
    assert!(highlighted.contains(&"uniqueness"), "{highlighted:?}");
    assert!(highlighted.contains(&"409"), "{highlighted:?}");

    let nothing = run(tmp.path(), &["explain", "the coffee machine is empty"]);
    assert_eq!(nothing.status.code(), Some(1));
    assert!(stdout(&nothing).contains("No troubleshooting entry matches"));

    let empty = run(tmp.path(), &["explain"]);
    assert_eq!(empty.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&empty.stderr).starts_with("error: no text"));
}

/// Runs `checklist` with no network at all: in a fresh network namespace when the kernel
/// lets us make one (`unshare -rn`), else with every proxy pointed at an unroutable
/// address (TEST-NET-1), so any attempt to connect would hang or fail.
fn run_offline(config_dir: &Path, args: &[&str]) -> Output {
    let namespace_works = Command::new("unshare")
        .args(["--net", "--map-root-user", "true"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    let mut command = if namespace_works {
        let mut command = Command::new("unshare");
        command.args(["--net", "--map-root-user", BIN]);
        command
    } else {
        Command::new(BIN)
    };
    for proxy in [
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ] {
        command.env(proxy, "http://192.0.2.1:9");
    }
    command
        .args(args)
        .env(CONFIG_DIR_ENV, config_dir)
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn checklist_runs_offline_and_exports_open_items_without_secrets() {
    let tmp = tempfile::tempdir().unwrap();
    let profile = planted_profile(tmp.path());
    let catalog = sso_scim_wizard::catalog::catalog();
    let items = catalog.checklist_for(PlatformId::Airia, IdpId::Entra);
    let ticked = &items[0];
    let open: Vec<_> = items
        .iter()
        .skip(2)
        .filter(|i| i.check_id.as_deref() != Some("oidc.issuer_match"))
        .collect();

    for (format, file) in [("md", "checklist.md"), ("html", "checklist.html")] {
        let out = tmp.path().join(file);
        let started = Instant::now();
        let output = run_offline(
            tmp.path(),
            &[
                "checklist",
                "--profile",
                &profile.id,
                "--format",
                format,
                "--out",
                out.to_str().unwrap(),
            ],
        );
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "checklist waited on something"
        );
        let text = std::fs::read_to_string(&out).unwrap();
        assert_no_secret(&text, file);
        // Renderers show Markdown escapes and HTML entities as plain text.
        let plain = text
            .replace('\\', "")
            .replace("&#39;", "'")
            .replace("&quot;", "\"")
            .replace("&amp;", "&");
        for item in &open {
            assert!(
                plain.contains(&item.text),
                "{file} misses the open item {}",
                item.id
            );
        }
        assert!(plain.contains(&ticked.text));
        assert!(
            plain.contains("Verified by check oidc.issuer_match at"),
            "{file}"
        );
        assert!(plain.contains("Check oidc.client_auth failed at"), "{file}");
        let last4 = format!("•••• {}", &TOKEN[TOKEN.len() - 4..]);
        assert!(plain.contains(&last4), "{file}: credential last four");
        assert!(
            plain.contains("https://api.airia.ai/scim/v2/tenant-42"),
            "{file}"
        );
        assert!(plain.contains("Open items"), "{file}");
    }
    let html = std::fs::read_to_string(tmp.path().join("checklist.html")).unwrap();
    assert!(html.contains("Fabrikam &lt;EU&gt;") && !html.contains("<EU>"));

    // A blank checklist for a platform and IdP needs no profile at all.
    let blank = run_offline(
        tmp.path(),
        &["checklist", "--platform", "claresia", "--idp", "okta"],
    );
    assert_eq!(blank.status.code(), Some(0));
    assert!(stdout(&blank).contains("0 of "));
    let half = run(tmp.path(), &["checklist", "--platform", "claresia"]);
    assert_eq!(half.status.code(), Some(2));
}

#[test]
fn bundle_from_the_cli_holds_no_planted_secret() {
    let tmp = tempfile::tempdir().unwrap();
    let profile = planted_profile(tmp.path());
    let out = tmp.path().join("bundle.json");
    let output = run(
        tmp.path(),
        &[
            "bundle",
            "--profile",
            &profile.id,
            "--out",
            out.to_str().unwrap(),
            "--note",
            "sync stopped at 09:40",
        ],
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = std::fs::read_to_string(&out).unwrap();
    assert_no_secret(&text, "the bundle");
    let bundle: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(bundle["app"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(bundle["tenant"]["platform"], "airia");
    assert_eq!(bundle["tenant"]["idp"], "entra");
    assert_eq!(
        bundle["scim"]["base_url"],
        "https://api.airia.ai/scim/v2/tenant-42"
    );
    assert_eq!(bundle["credentials"][0]["last4"], &TOKEN[TOKEN.len() - 4..]);
    assert!(bundle["credentials"][0]["expires_at"].is_string());
    assert!(
        bundle["credentials"][0]["in_keyring"].is_null(),
        "the CLI does not open the keyring"
    );
    assert_eq!(
        bundle["last_checks"]["oidc"]["report"]["checks"][1]["status"],
        "fail"
    );
    assert_eq!(bundle["note"], "sync stopped at 09:40");
    let redactions: Vec<&str> = bundle["redactions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(serde_json::Value::as_str)
        .collect();
    assert!(redactions.len() >= 3, "{redactions:?}");

    let printed = run(
        tmp.path(),
        &["bundle", "--profile", &profile.id, "--out", "-"],
    );
    assert_eq!(printed.status.code(), Some(0));
    assert_no_secret(&stdout(&printed), "the printed bundle");

    let missing = run(tmp.path(), &["bundle", "--profile", "nobody", "--out", "-"]);
    assert_eq!(missing.status.code(), Some(2));
}

/// Issue #16 item 6: a stored finding with terminal escapes from a server does not drive
/// the terminal when the checklist is printed.
#[test]
fn checklist_text_shows_terminal_escapes_instead_of_sending_them() {
    let tmp = tempfile::tempdir().unwrap();
    let store = ProfileStore::at(tmp.path());
    let mut profile = planted_profile(tmp.path());
    profile.last_oidc_report = Some(StoredReport {
        checked_at: Utc::now(),
        report: Report::new(
            ReportKind::Oidc,
            profile.sso.issuer.clone(),
            vec![Finding::fail(
                "oidc.discovery_fetch",
                "HTTP 404; the server says: \u{1b}[2J\u{1b}]0;owned\u{7}All checks passed",
                "check the issuer",
            )],
        ),
    });
    store.save(&profile).unwrap();
    for format in ["text", "md", "html"] {
        let output = run(
            tmp.path(),
            &["checklist", "--profile", &profile.id, "--format", format],
        );
        assert_eq!(output.status.code(), Some(0), "{format}");
        let text = stdout(&output);
        assert!(
            text.contains("All checks passed"),
            "{format}: the finding is shown"
        );
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{format}: raw escapes in {text:?}"
        );
    }
}

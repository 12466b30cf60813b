//! `sso-scim-wizard expiry`: JSON shape, most-urgent-first order, and the exit codes a cron
//! job or monitoring check relies on (1 when a credential is critical or expired).

#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a failed call is a failed test"
)]

use std::path::Path;
use std::process::{Command, Output};

use chrono::{DateTime, Duration, Utc};
use sso_scim_wizard::model::{
    CredentialKind, CredentialMeta, CredentialOrigin, CredentialState, IdpId, PlatformId,
};
use sso_scim_wizard::storage::ProfileStore;

const AT: &str = "2026-11-23";

fn at() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T00:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn expiry(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sso-scim-wizard"))
        .arg("expiry")
        .args(args)
        .env("SSO_SCIM_WIZARD_CONFIG_DIR", dir)
        .output()
        .unwrap()
}

fn meta(id: &str, kind: CredentialKind, expires_in: Option<Duration>) -> CredentialMeta {
    CredentialMeta {
        id: id.into(),
        kind,
        label: format!("label of {id}"),
        origin: CredentialOrigin::Imported,
        created_at: at() - Duration::days(100),
        expires_at: expires_in.map(|d| at() + d),
        last4: "wxyz".into(),
        last_verified_at: None,
        state: CredentialState::Active,
        session_only: false,
    }
}

/// Tenants with the given credentials, every one of them in use (the SSO or SCIM app
/// refers to it, as after `token import --use`).
fn seed(dir: &Path, credentials: &[(&str, Vec<CredentialMeta>)]) {
    seed_with_use(dir, credentials, |_| true);
}

/// Tenants with the given credentials; those `in_use` accepts are the ones the apps use
/// (one per kind per tenant at most, so list at most one accepted per kind).
fn seed_with_use(
    dir: &Path,
    credentials: &[(&str, Vec<CredentialMeta>)],
    in_use: impl Fn(&CredentialMeta) -> bool,
) {
    let store = ProfileStore::at(dir);
    for (name, metas) in credentials {
        let mut profile = store
            .create(name, PlatformId::Airia, IdpId::Entra, at())
            .unwrap();
        profile.credentials.clone_from(metas);
        // The `expiry` command only fails on credentials in use: mark them the way
        // `token import --use` does (the last accepted one of each kind wins).
        for meta in metas.iter().filter(|m| in_use(m)) {
            match meta.kind {
                CredentialKind::ScimToken => profile.scim.token_credential = Some(meta.id.clone()),
                CredentialKind::ClientSecret => {
                    profile.sso.client_secret_credential = Some(meta.id.clone());
                }
            }
        }
        store.save(&profile).unwrap();
    }
}

#[test]
fn json_lists_every_credential_most_urgent_first_and_exits_1_when_one_is_critical() {
    let tmp = tempfile::tempdir().unwrap();
    seed(
        tmp.path(),
        &[
            (
                "Contoso",
                vec![
                    meta("ok-1", CredentialKind::ScimToken, Some(Duration::days(200))),
                    meta("none-1", CredentialKind::ClientSecret, None),
                    meta(
                        "crit-1",
                        CredentialKind::ClientSecret,
                        Some(Duration::days(3)),
                    ),
                ],
            ),
            (
                "Fabrikam",
                vec![
                    meta(
                        "warn-1",
                        CredentialKind::ScimToken,
                        Some(Duration::days(20)),
                    ),
                    meta("exp-1", CredentialKind::ScimToken, Some(-Duration::days(2))),
                ],
            ),
        ],
    );
    let output = expiry(tmp.path(), &["--at", AT, "--json"]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["at"], "2026-11-23T00:00:00Z");
    let credentials = json["credentials"].as_array().unwrap();
    let order: Vec<&str> = credentials
        .iter()
        .map(|c| c["credential"].as_str().unwrap())
        .collect();
    assert_eq!(order, ["exp-1", "crit-1", "warn-1", "ok-1", "none-1"]);
    let severities: Vec<serde_json::Value> =
        credentials.iter().map(|c| c["severity"].clone()).collect();
    assert_eq!(
        severities,
        [
            serde_json::json!("expired"),
            serde_json::json!("critical"),
            serde_json::json!("warning"),
            serde_json::json!("ok"),
            serde_json::Value::Null
        ]
    );

    let critical = &credentials[1];
    assert!(
        critical["profile"]
            .as_str()
            .unwrap()
            .starts_with("contoso-")
    );
    assert_eq!(critical["tenant"], "Contoso");
    assert_eq!(critical["kind"], "client-secret");
    assert_eq!(critical["label"], "label of crit-1");
    assert_eq!(critical["expires_at"], "2026-11-26T00:00:00Z");
    assert_eq!(critical["days_left"], 3);
    assert_eq!(credentials[0]["days_left"], -2);
    let none = &credentials[4];
    assert!(none["expires_at"].is_null() && none["days_left"].is_null());
    for credential in credentials {
        let mut keys: Vec<&str> = credential
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "credential",
                "days_left",
                "expires_at",
                "in_use",
                "kind",
                "label",
                "profile",
                "severity",
                "tenant"
            ]
        );
    }
}

#[test]
fn nothing_urgent_exits_0_and_the_text_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    seed(
        tmp.path(),
        &[(
            "Contoso",
            vec![
                // Exactly 7 days is still only a warning; 30 days is ok.
                meta("warn-1", CredentialKind::ScimToken, Some(Duration::days(7))),
                meta(
                    "ok-1",
                    CredentialKind::ClientSecret,
                    Some(Duration::days(30)),
                ),
            ],
        )],
    );
    let output = expiry(tmp.path(), &["--at", AT]);
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("Expires soon"), "{text}");
    assert!(text.contains("Nothing needs action this week"), "{text}");
    assert!(text.find("label of warn-1") < text.find("label of ok-1"));
}

#[test]
fn a_credential_seven_days_minus_a_second_out_is_critical() {
    let tmp = tempfile::tempdir().unwrap();
    seed(
        tmp.path(),
        &[(
            "Contoso",
            vec![meta(
                "crit-1",
                CredentialKind::ScimToken,
                Some(Duration::days(7) - Duration::seconds(1)),
            )],
        )],
    );
    assert_eq!(expiry(tmp.path(), &["--at", AT]).status.code(), Some(1));
}

#[test]
fn no_profiles_is_an_empty_list_and_exit_0() {
    let tmp = tempfile::tempdir().unwrap();
    let output = expiry(tmp.path(), &["--json", "--at", AT]);
    assert_eq!(output.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["credentials"], serde_json::json!([]));
}

#[test]
fn a_bad_date_or_an_unreadable_profile_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    let output = expiry(tmp.path(), &["--at", "23.11.2026"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("YYYY-MM-DD"));

    seed(
        tmp.path(),
        &[(
            "Contoso",
            vec![meta(
                "ok-1",
                CredentialKind::ScimToken,
                Some(Duration::days(90)),
            )],
        )],
    );
    std::fs::write(tmp.path().join("profiles/broken-1.json"), b"{not json").unwrap();
    let output = expiry(tmp.path(), &["--json", "--at", AT]);
    assert_eq!(output.status.code(), Some(2));
    // The readable profiles are still reported, as one JSON document.
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["credentials"].as_array().unwrap().len(), 1);
    assert!(String::from_utf8_lossy(&output.stderr).contains("could not be read"));
}

#[cfg(unix)]
#[test]
fn world_readable_profiles_are_made_private_on_start_with_a_note() {
    // Issue #16 item 8: an older build left 0755 folders and 0644 files.
    use std::os::unix::fs::PermissionsExt as _;
    let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    let tmp = tempfile::tempdir().unwrap();
    seed(tmp.path(), &[("Acme", Vec::new())]);
    let store = ProfileStore::at(tmp.path());
    let file = std::fs::read_dir(store.dir())
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    for (path, loose) in [(tmp.path(), 0o755), (store.dir(), 0o755), (&file, 0o644)] {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(loose)).unwrap();
    }
    let output = expiry(tmp.path(), &["--json", "--at", AT]);
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("now readable by you only"), "{stderr}");
    assert_eq!(mode(tmp.path()), 0o700);
    assert_eq!(mode(store.dir()), 0o700);
    assert_eq!(mode(&file), 0o600);
    // Once private, nothing more is said.
    let again = expiry(tmp.path(), &["--json", "--at", AT]);
    assert!(
        again.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
}

#[test]
fn a_credential_not_in_use_is_listed_as_such_and_fails_the_run_only_when_asked() {
    let tmp = tempfile::tempdir().unwrap();
    seed_with_use(
        tmp.path(),
        &[(
            "Contoso",
            vec![
                meta(
                    "new-1",
                    CredentialKind::ScimToken,
                    Some(Duration::days(170)),
                ),
                meta("old-1", CredentialKind::ScimToken, Some(-Duration::days(5))),
            ],
        )],
        |m| m.id == "new-1",
    );
    let output = expiry(tmp.path(), &["--at", AT]);
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(0), "{text}");
    let old_line = text.lines().find(|l| l.contains("label of old-1")).unwrap();
    assert!(old_line.contains("not in use"), "{old_line}");
    let new_line = text.lines().find(|l| l.contains("label of new-1")).unwrap();
    assert!(!new_line.contains("not in use"), "{new_line}");
    assert!(text.contains("Nothing needs action this week"), "{text}");
    assert!(
        text.contains("1 credential not in use is expired"),
        "{text}"
    );

    let json = expiry(tmp.path(), &["--at", AT, "--json"]);
    assert_eq!(json.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let in_use: Vec<(String, bool)> = json["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["credential"].as_str().unwrap().to_owned(),
                c["in_use"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        in_use,
        [("old-1".to_owned(), false), ("new-1".to_owned(), true)]
    );

    // The dashboard and the CLI judge "in use" by the same list.
    let listing = ProfileStore::at(tmp.path()).list(at()).unwrap();
    let due = sso_scim_wizard::expiry::due_list(&listing.profiles);
    let dashboard: Vec<(String, bool)> = due
        .iter()
        .map(|d| (d.credential.id.clone(), d.in_use))
        .collect();
    assert_eq!(dashboard, in_use);

    assert_eq!(
        expiry(tmp.path(), &["--at", AT, "--include-unused"])
            .status
            .code(),
        Some(1)
    );
}

//! `check profile`: a stored tenant checked from its profile and keyring secrets as the
//! window's test steps check it, one tenant or `--all` with bounded concurrency, for cron.
//! Needs the peers and an unlocked Secret Service (scripts/test provides both).

use crate::support;

use std::path::Path;
use std::process::{Command, Output};

use chrono::Utc;
use serde_json::Value;
use sso_scim_wizard::checks;
use sso_scim_wizard::model::{
    CredentialKind, CredentialMeta, CredentialOrigin, CredentialState, IdpId, PlatformId, Profile,
};
use sso_scim_wizard::secrets::{KeyringStore, Secret, SecretStore as _, account};
use sso_scim_wizard::storage::ProfileStore;

fn wizard(config: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sso-scim-wizard"))
        .args(args)
        .env("SSO_SCIM_WIZARD_CONFIG_DIR", config)
        .env_remove("RUST_LOG")
        .output()
        .unwrap_or_else(|err| panic!("could not run the binary: {err}"))
}

fn credential(id: &str, kind: CredentialKind, secret: &Secret) -> CredentialMeta {
    CredentialMeta {
        id: id.to_owned(),
        kind,
        label: id.to_owned(),
        origin: CredentialOrigin::Imported,
        created_at: Utc::now(),
        expires_at: None,
        last4: secret.last4(),
        last_verified_at: None,
        state: CredentialState::Active,
        session_only: false,
    }
}

struct Peers {
    issuer: String,
    client_id: String,
    client_secret: Secret,
    scim_base: String,
    scim_token: Secret,
}

fn peers() -> Option<Peers> {
    let issuer = support::peer("SSW_OIDC_ISSUER")?;
    let client_id = support::peer("SSW_OIDC_CLIENT_ID")?;
    let client_secret = Secret::new(support::peer("SSW_OIDC_CLIENT_SECRET")?);
    let scim_base = support::peer("SSW_SCIM_BASE_URL")?;
    let scim_token = Secret::new(support::peer("SSW_SCIM_TOKEN")?);
    support::require_keyring().then_some(Peers {
        issuer,
        client_id,
        client_secret,
        scim_base,
        scim_token,
    })
}

/// A generic tenant wired to the peers, its secrets in the keyring (removed by the caller).
fn tenant(store: &ProfileStore, name: &str, peers: &Peers, client_secret: &Secret) -> Profile {
    let mut profile = store
        .create(name, PlatformId::Generic, IdpId::Generic, Utc::now())
        .unwrap_or_else(|err| panic!("create: {err}"));
    profile.sso.issuer.clone_from(&peers.issuer);
    profile.sso.issuer_edited = true;
    profile.sso.client_id.clone_from(&peers.client_id);
    profile.sso.client_secret_credential = Some("client-secret-000001".to_owned());
    profile.scim.base_url.clone_from(&peers.scim_base);
    profile.scim.base_url_edited = true;
    profile.scim.token_credential = Some("scim-token-000001".to_owned());
    profile.credentials = vec![
        credential(
            "client-secret-000001",
            CredentialKind::ClientSecret,
            client_secret,
        ),
        credential(
            "scim-token-000001",
            CredentialKind::ScimToken,
            &peers.scim_token,
        ),
    ];
    store
        .save(&profile)
        .unwrap_or_else(|err| panic!("save: {err}"));
    let keyring = KeyringStore::open().unwrap_or_else(|err| panic!("keyring: {err}"));
    keyring
        .put(&account(&profile.id, "client-secret-000001"), client_secret)
        .unwrap_or_else(|err| panic!("put: {err}"));
    keyring
        .put(
            &account(&profile.id, "scim-token-000001"),
            &peers.scim_token,
        )
        .unwrap_or_else(|err| panic!("put: {err}"));
    profile
}

fn forget(profile: &Profile) {
    if let Ok(keyring) = KeyringStore::open() {
        for id in ["client-secret-000001", "scim-token-000001"] {
            let _ = keyring.delete(&account(&profile.id, id));
        }
    }
}

fn statuses(report: &Value) -> Vec<(String, String)> {
    report["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            (
                c["id"].as_str().unwrap_or_default().to_owned(),
                c["status"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[test]
fn one_tenant_is_checked_like_the_window_does_it() {
    let Some(peers) = peers() else { return };
    let config = tempfile::tempdir().unwrap_or_else(|err| panic!("temp dir: {err}"));
    let store = ProfileStore::at(config.path());
    let profile = tenant(&store, "Cron tenant", &peers, &peers.client_secret);

    let output = wizard(config.path(), &["check", "profile", &profile.id, "--json"]);
    forget(&profile);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "stdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value =
        serde_json::from_str(&stdout).unwrap_or_else(|err| panic!("{err}: {stdout}"));
    assert_eq!(report["profile"], profile.id.as_str());
    assert_eq!(report["failed"], false);
    let sso = statuses(&report["sso"]);
    assert!(
        sso.contains(&("oidc.client_auth".to_owned(), "pass".to_owned())),
        "the stored client secret was checked: {sso:?}"
    );
    let scim = statuses(&report["scim"]);
    assert!(
        scim.iter()
            .any(|(id, status)| id == "scim.auth" && status == "pass"),
        "the stored SCIM token was checked: {scim:?}"
    );
    assert!(
        !stdout.contains(peers.client_secret.expose())
            && !stdout.contains(peers.scim_token.expose()),
        "a secret is in the report"
    );

    // The same tenant through the window's path gives the same findings.
    let runtime = tokio::runtime::Runtime::new().unwrap_or_else(|err| panic!("runtime: {err}"));
    let memory = std::sync::Arc::new(sso_scim_wizard::secrets::MemoryStore::default());
    memory
        .put(
            &account(&profile.id, "client-secret-000001"),
            &peers.client_secret,
        )
        .unwrap_or_else(|err| panic!("{err}"));
    memory
        .put(
            &account(&profile.id, "scim-token-000001"),
            &peers.scim_token,
        )
        .unwrap_or_else(|err| panic!("{err}"));
    let catalog = sso_scim_wizard::catalog::catalog();
    let platform = catalog.platform(profile.platform);
    #[cfg(feature = "gui")]
    assert_eq!(
        format!(
            "{:?}",
            sso_scim_wizard::ui::steps::test_sso::oidc_input(&profile, platform)
        ),
        format!("{:?}", checks::oidc_input(&profile, platform)),
        "the window's OIDC input is the check layer's"
    );
    #[expect(
        clippy::disallowed_methods,
        reason = "a test, not a frame: it waits for the report"
    )]
    let in_process = runtime.block_on(checks::check_tenant(
        &profile,
        memory,
        sso_scim_wizard::probes::http::Policy::default(),
    ));
    let in_process: Value = serde_json::to_value(&in_process).unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(statuses(&in_process["sso"]), sso);
    assert_eq!(statuses(&in_process["scim"]), scim);
}

#[test]
fn all_tenants_one_document_and_exit_1_when_one_fails() {
    let Some(peers) = peers() else { return };
    let config = tempfile::tempdir().unwrap_or_else(|err| panic!("temp dir: {err}"));
    let store = ProfileStore::at(config.path());
    let good = tenant(&store, "Good tenant", &peers, &peers.client_secret);
    let wrong = Secret::new("not-the-client-secret-0001");
    let bad = tenant(&store, "Wrong secret", &peers, &wrong);
    // Set up only halfway: nothing to check, a note, not a failure.
    let empty = store
        .create("Not set up", PlatformId::Airia, IdpId::Entra, Utc::now())
        .unwrap_or_else(|err| panic!("{err}"));

    let output = wizard(
        config.path(),
        &["check", "profile", "--all", "--jobs", "2", "--json"],
    );
    let text = wizard(config.path(), &["check", "profile", "--all"]);
    forget(&good);
    forget(&bad);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "stdout: {stdout}");
    let report: Value =
        serde_json::from_str(&stdout).unwrap_or_else(|err| panic!("{err}: {stdout}"));
    assert_eq!(report["summary"]["tenants"], 3);
    assert_eq!(report["summary"]["failed"], 1);
    let tenants = report["tenants"].as_array().cloned().unwrap_or_default();
    let by_id = |id: &str| {
        tenants
            .iter()
            .find(|t| t["profile"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("{id} missing: {stdout}"))
    };
    assert_eq!(by_id(&good.id)["failed"], false);
    assert_eq!(by_id(&bad.id)["failed"], true);
    assert!(
        statuses(&by_id(&bad.id)["sso"])
            .contains(&("oidc.client_auth".to_owned(), "fail".to_owned())),
        "the wrong secret fails the client check"
    );
    let empty = by_id(&empty.id);
    assert_eq!(empty["failed"], false);
    assert!(empty["sso"].is_null() && empty["scim"].is_null());
    assert_eq!(empty["notes"].as_array().map(Vec::len), Some(2), "{empty}");

    // Plain text names every tenant and counts them.
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("Tenant Good tenant") && text.contains("Tenant Not set up"),
        "{text}"
    );
    assert!(
        text.contains("3 tenants checked, 1 with a failing check"),
        "{text}"
    );
}

#[test]
fn unknown_profile_or_no_choice_is_a_usage_error() {
    let config = tempfile::tempdir().unwrap_or_else(|err| panic!("temp dir: {err}"));
    let output = wizard(config.path(), &["check", "profile", "no-such-tenant"]);
    assert_eq!(output.status.code(), Some(2));
    let output = wizard(config.path(), &["check", "profile"]);
    assert_eq!(output.status.code(), Some(2));
}

//! `check saml --profile` and `check profile` on a SAML tenant: the tenant's metadata and
//! IdP entity id are used (flags given override), and the report and the signing
//! certificates read are stored in the profile, as the window's Test SSO step stores them.

use crate::support;

use crate::samldata;

use std::path::Path;
use std::process::{Command, Output};

use chrono::Utc;
use samldata::{ENTITY, cert, days, metadata};
use serde_json::Value;
use sso_scim_wizard::model::{IdpId, PlatformId, Profile};
use sso_scim_wizard::storage::ProfileStore;

const LOGIN: &str = "https://login.microsoftonline.com/x/saml2";

fn wizard(config: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sso-scim-wizard"))
        .args(args)
        .env("SSO_SCIM_WIZARD_CONFIG_DIR", config)
        .env_remove("RUST_LOG")
        .output()
        .unwrap_or_else(|err| panic!("could not run the binary: {err}"))
}

/// An AWS IAM Identity Center tenant whose metadata is `file`, holding one certificate
/// valid for `valid_days` more days.
fn tenant(config: &Path, valid_days: i64) -> (ProfileStore, Profile) {
    let file = config.join("idp-metadata.xml");
    std::fs::write(
        &file,
        metadata(&[cert("idp", days(-10), days(valid_days))], LOGIN, false),
    )
    .unwrap_or_else(|err| panic!("{err}"));
    let store = ProfileStore::at(config);
    let mut profile = store
        .create(
            "SAML tenant",
            PlatformId::AwsIamIdentityCenter,
            IdpId::Entra,
            Utc::now(),
        )
        .unwrap_or_else(|err| panic!("create: {err}"));
    profile.saml.metadata = file.display().to_string();
    ENTITY.clone_into(&mut profile.saml.idp_entity_id);
    store
        .save(&profile)
        .unwrap_or_else(|err| panic!("save: {err}"));
    (store, profile)
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|err| {
        panic!(
            "{err}: {} {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn status(report: &Value, id: &str) -> String {
    report["checks"]
        .as_array()
        .and_then(|checks| checks.iter().find(|c| c["id"] == id))
        .map_or_else(
            || panic!("{id} missing: {report}"),
            |c| c["status"].as_str().unwrap_or_default().to_owned(),
        )
}

#[test]
fn check_saml_with_a_profile_reads_its_metadata_and_stores_the_certificates() {
    let config = tempfile::tempdir().unwrap_or_else(|err| panic!("{err}"));
    let (store, profile) = tenant(config.path(), 400);

    let output = wizard(
        config.path(),
        &["check", "saml", "--profile", &profile.id, "--json"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", json(&output));
    let report = json(&output);
    assert_eq!(status(&report, "saml.entity_id"), "pass");
    assert_eq!(status(&report, "saml.signing_cert"), "pass");

    let stored = store
        .load(&profile.id, Utc::now())
        .unwrap_or_else(|err| panic!("load: {err}"));
    assert_eq!(
        stored.saml.signing_certs.len(),
        1,
        "the certificate is stored"
    );
    assert_eq!(stored.saml.signing_certs[0].subject, "CN=idp");
    assert!(stored.last_saml_report.is_some(), "the report is stored");

    // A flag given overrides the tenant's value.
    let output = wizard(
        config.path(),
        &[
            "check",
            "saml",
            "--profile",
            &profile.id,
            "--entity-id",
            "https://other.example/",
            "--json",
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(status(&json(&output), "saml.entity_id"), "fail");
}

#[test]
fn check_saml_with_a_profile_without_metadata_is_a_usage_error() {
    let config = tempfile::tempdir().unwrap_or_else(|err| panic!("{err}"));
    let (store, mut profile) = tenant(config.path(), 400);
    profile.saml.metadata.clear();
    store
        .save(&profile)
        .unwrap_or_else(|err| panic!("save: {err}"));
    let output = wizard(config.path(), &["check", "saml", "--profile", &profile.id]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no SAML metadata"), "{stderr}");
}

#[test]
fn check_profile_runs_the_saml_half_and_stores_it() {
    if !support::require_keyring() {
        return;
    }
    let config = tempfile::tempdir().unwrap_or_else(|err| panic!("{err}"));
    let (store, profile) = tenant(config.path(), 5);

    let output = wizard(config.path(), &["check", "profile", &profile.id, "--json"]);
    let report = json(&output);
    assert_eq!(output.status.code(), Some(1), "{report}");
    assert_eq!(report["sso"]["kind"], "saml", "{report}");
    assert_eq!(status(&report["sso"], "saml.signing_cert"), "fail");
    assert!(
        !report["notes"].to_string().contains("not checked here yet"),
        "{report}"
    );

    let stored = store
        .load(&profile.id, Utc::now())
        .unwrap_or_else(|err| panic!("load: {err}"));
    assert_eq!(
        stored.saml.signing_certs.len(),
        1,
        "the certificate is stored"
    );
    assert!(stored.last_saml_report.is_some(), "the report is stored");
}

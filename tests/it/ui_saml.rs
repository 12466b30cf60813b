//! UI tests of the SAML half, headless with `egui_kittest`: the sign-in protocol picked
//! per tenant in the Tenant step when the platform offers more than one.

#![expect(
    clippy::unwrap_used,
    reason = "test set-up: a failure is the test failing"
)]

use std::sync::Arc;

use chrono::Utc;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use sso_scim_wizard::model::{IdpId, PlatformId, SsoProtocol};
use sso_scim_wizard::secrets::MemoryStore;
use sso_scim_wizard::storage::ProfileStore;
use sso_scim_wizard::ui::{Launch, WizardApp};
use sso_scim_wizard::wizard::StepId;

use crate::ui_support;
use ui_support::step_until;

/// Opens `profile_id` on `step`, the way `gui --profile ID --step S` does.
fn harness(dir: &std::path::Path, profile_id: &str, step: StepId) -> Harness<'static, WizardApp> {
    let launch = Launch {
        profile_id: Some(profile_id.to_owned()),
        step: Some(step),
    };
    let app = WizardApp::new(
        ProfileStore::at(dir),
        Arc::new(MemoryStore::new()),
        None,
        &launch,
    )
    .unwrap();
    Harness::builder()
        .with_size(egui::vec2(1200.0, 800.0))
        .build_ui_state(|ui, app: &mut WizardApp| app.ui(ui), app)
}

#[test]
fn a_claresia_tenant_switches_from_oidc_to_saml_and_keeps_it() {
    let tmp = tempfile::tempdir().unwrap();
    let store = ProfileStore::at(tmp.path());
    let profile = store
        .create(
            "Claresia EU",
            PlatformId::Claresia,
            IdpId::Entra,
            Utc::now(),
        )
        .unwrap();
    let id = profile.id.clone();

    let mut h = harness(tmp.path(), &id, StepId::Tenant);
    step_until(&mut h, "the protocol picker", |h| {
        h.query_by_label_contains("SAML 2.0").is_some()
    });
    assert!(
        h.query_by_label("OpenID Connect (OIDC) (recommended)")
            .is_some()
    );
    assert_eq!(h.state().profile().unwrap().sso_protocol, None);

    h.get_by_role_and_label(Role::RadioButton, "SAML 2.0")
        .click();
    h.step();
    h.step();
    assert_eq!(
        h.state().profile().unwrap().sso_protocol,
        Some(SsoProtocol::Saml)
    );
    h.run_steps(6); // past the save debounce
    drop(h);
    assert_eq!(
        store.load(&id, Utc::now()).unwrap().sso_protocol,
        Some(SsoProtocol::Saml)
    );
}

#[test]
fn a_saml_only_platform_shows_no_protocol_picker() {
    let tmp = tempfile::tempdir().unwrap();
    let store = ProfileStore::at(tmp.path());
    let profile = store
        .create(
            "AWS prod",
            PlatformId::AwsIamIdentityCenter,
            IdpId::Entra,
            Utc::now(),
        )
        .unwrap();
    let mut h = harness(tmp.path(), &profile.id, StepId::Tenant);
    step_until(&mut h, "the open tenant", |h| {
        h.query_by_label_contains("Open tenant").is_some()
    });
    assert!(h.query_by_label_contains("Sign-in protocol").is_none());
}

#[test]
fn the_aws_sso_app_step_asks_for_saml_values_and_names_each_difference() {
    let tmp = tempfile::tempdir().unwrap();
    let store = ProfileStore::at(tmp.path());
    let profile = store
        .create(
            "AWS prod",
            PlatformId::AwsIamIdentityCenter,
            IdpId::Entra,
            Utc::now(),
        )
        .unwrap();
    let mut h = harness(tmp.path(), &profile.id, StepId::SsoApp);
    step_until(&mut h, "the SAML SSO app step", |h| {
        h.query_by_label_contains("Metadata URL or file").is_some()
    });
    assert!(
        h.query_by_label_contains("IAM Identity Center ACS URL")
            .is_some()
    );

    let acs = "https://eu-west-1.signin.aws.amazon.com/platform/saml/acs/0123";
    for (label, text) in [
        ("ACS URL shown by AWS IAM Identity Center", acs),
        (
            "ACS URL entered in Microsoft Entra ID",
            "https://eu-west-1.signin.aws.amazon.com/platform/saml/acs/0123/",
        ),
        ("Metadata URL or file", "/tmp/federation-metadata.xml"),
    ] {
        let field = h.get_by_role_and_label(Role::TextInput, label);
        field.focus();
        h.step();
        h.get_by_role_and_label(Role::TextInput, label)
            .type_text(text);
        h.step();
        h.step();
    }
    assert!(h.query_by_label("Copy ACS URL").is_some());
    assert!(
        h.query_all_by_label_contains("slash").next().is_some(),
        "the trailing slash is named"
    );
    let saved = h.state().profile().unwrap().saml.clone();
    assert_eq!(saved.platform_acs_url, acs);
    assert_eq!(saved.metadata, "/tmp/federation-metadata.xml");
}

/// Test SSO of an AWS IAM Identity Center tenant reads the IdP's metadata, shows the
/// `saml.*` findings, and stores the report and the signing certificate (with its dates)
/// in the profile, as `check saml --profile` does.
#[test]
fn test_sso_of_a_saml_tenant_reads_the_metadata_and_keeps_the_certificate() {
    use crate::samldata::{ENTITY, cert, days, metadata};
    use sso_scim_wizard::diagnostics::Status;

    let tmp = tempfile::tempdir().unwrap();
    let store = ProfileStore::at(tmp.path());
    let mut profile = store
        .create(
            "AWS prod",
            PlatformId::AwsIamIdentityCenter,
            IdpId::Entra,
            Utc::now(),
        )
        .unwrap();
    let file = tmp.path().join("federation-metadata.xml");
    std::fs::write(
        &file,
        metadata(
            &[cert(
                "Microsoft Azure Federated SSO Certificate",
                days(-30),
                days(20),
            )],
            "https://login.microsoftonline.com/x/saml2",
            false,
        ),
    )
    .unwrap();
    profile.saml.metadata = file.display().to_string();
    profile.saml.idp_entity_id = ENTITY.to_owned();
    store.save(&profile).unwrap();

    let mut h = harness(tmp.path(), &profile.id, StepId::TestSso);
    step_until(&mut h, "the run button", |h| {
        h.query_by_role_and_label(Role::Button, "Run the checks")
            .is_some()
    });
    assert!(
        h.query_by_label_contains("no OpenID Connect app").is_none(),
        "the SAML tenant gets its own test"
    );
    h.get_by_role_and_label(Role::Button, "Run the checks")
        .click();
    step_until(&mut h, "the stored SAML report", |h| {
        h.state().profile().unwrap().last_saml_report.is_some()
    });
    step_until(&mut h, "the certificate finding", |h| {
        h.query_by_label_contains("saml.signing_cert").is_some()
    });
    let stored = h.state().profile().unwrap().clone();
    assert_eq!(stored.saml.signing_certs.len(), 1);
    let days_left = (stored.saml.signing_certs[0].not_after - Utc::now()).num_days();
    assert!((18..=20).contains(&days_left), "{days_left} days left");
    let report = &stored.last_saml_report.unwrap().report;
    let status = |id: &str| report.finding(id).map(|f| f.status);
    assert_eq!(status("saml.entity_id"), Some(Status::Pass));
    assert_eq!(
        status("saml.signing_cert"),
        Some(Status::Warn),
        "20 days left: yellow"
    );
    assert!(
        h.query_by_role_and_label(Role::Button, "Run the checks again")
            .is_some()
    );
}

//! The words rules: a generic tenant is called by one name everywhere, and lines about
//! one vendor appear only in that vendor's tenants (catalog data, check titles, and
//! every step of the window for a generic tenant).

use std::sync::Arc;

use chrono::Utc;
use egui_kittest::Harness;
use egui_kittest::kittest::{By, NodeT as _, Queryable as _};
use sso_scim_wizard::catalog::catalog;
use sso_scim_wizard::diagnostics::check_ids;
use sso_scim_wizard::model::{IdpId, PlatformId};
use sso_scim_wizard::secrets::MemoryStore;
use sso_scim_wizard::storage::ProfileStore;
use sso_scim_wizard::ui::{Launch, WizardApp};
use sso_scim_wizard::wizard::StepId;

use crate::ui_support;
use ui_support::step_until;

/// Names that show a line is about one platform or IdP.
const VENDOR_WORDS: &[(&str, Vendor)] = &[
    ("Entra", Vendor::Idp(IdpId::Entra)),
    ("Azure", Vendor::Idp(IdpId::Entra)),
    ("AADSTS", Vendor::Idp(IdpId::Entra)),
    ("Okta", Vendor::Idp(IdpId::Okta)),
    ("OneLogin", Vendor::Idp(IdpId::Onelogin)),
    ("Airia", Vendor::Platform(PlatformId::Airia)),
    ("AxonFlow", Vendor::Platform(PlatformId::Axonflow)),
    ("Workspace 365", Vendor::Platform(PlatformId::Workspace365)),
    ("Claresia", Vendor::Platform(PlatformId::Claresia)),
    ("AWS", Vendor::Platform(PlatformId::AwsIamIdentityCenter)),
    (
        "IAM Identity Center",
        Vendor::Platform(PlatformId::AwsIamIdentityCenter),
    ),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Vendor {
    Platform(PlatformId),
    Idp(IdpId),
}

/// The vendor names in `text` that belong to neither `platform` nor `idp`.
fn foreign_vendors(text: &str, platform: PlatformId, idp: IdpId) -> Vec<&'static str> {
    VENDOR_WORDS
        .iter()
        .filter(|(word, vendor)| {
            text.contains(word)
                && *vendor != Vendor::Platform(platform)
                && *vendor != Vendor::Idp(idp)
        })
        .map(|(word, _)| *word)
        .collect()
}

#[test]
fn pickers_and_sentences_use_one_name_for_the_generic_choices() {
    assert_eq!(
        PlatformId::Generic.label(),
        catalog().platform(PlatformId::Generic).name
    );
    assert_eq!(IdpId::Generic.label(), catalog().idp(IdpId::Generic).name);
    assert_eq!(PlatformId::Generic.label(), "Other OIDC + SCIM app");
    assert_eq!(IdpId::Generic.label(), "Other OIDC provider");
}

#[test]
fn catalog_lines_shown_to_a_tenant_name_no_other_vendor() {
    let mut wrong = std::collections::BTreeSet::new();
    for platform in PlatformId::ALL {
        let preset = catalog().platform(platform);
        for idp in IdpId::ALL {
            for note in preset
                .sso
                .notes
                .iter()
                .filter(|note| note.applies_to(platform, idp))
            {
                let foreign = foreign_vendors(&note.text, platform, idp);
                if !foreign.is_empty() {
                    wrong.insert(format!(
                        "{platform} × {idp}: SSO note {:?} names {foreign:?}",
                        note.text
                    ));
                }
            }
            for item in catalog().checklist_for(platform, idp) {
                let why = item.why_for(platform, idp);
                let foreign = foreign_vendors(&format!("{} {why}", item.text), platform, idp);
                if !foreign.is_empty() {
                    wrong.insert(format!(
                        "{platform} × {idp}: checklist item {} names {foreign:?}",
                        item.id
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn the_okta_tile_note_is_only_for_okta_tenants() {
    let notes = |idp| -> Vec<String> {
        catalog()
            .platform(PlatformId::Airia)
            .sso
            .notes
            .iter()
            .filter(|note| note.applies_to(PlatformId::Airia, idp))
            .map(|note| note.text.clone())
            .collect()
    };
    assert!(
        notes(IdpId::Okta)
            .iter()
            .any(|n| n.contains("Okta app tile"))
    );
    assert!(!notes(IdpId::Entra).iter().any(|n| n.contains("Okta")));
}

#[test]
fn check_titles_shown_to_every_tenant_name_no_vendor() {
    for id in check_ids::all() {
        let title = check_ids::title(id);
        let foreign = foreign_vendors(title, PlatformId::Generic, IdpId::Generic);
        assert!(
            foreign.is_empty(),
            "{id}: title {title:?} names {foreign:?}"
        );
    }
}

#[test]
fn every_step_of_a_generic_tenant_names_no_vendor() {
    let tmp = tempfile::tempdir().unwrap();
    let store = ProfileStore::at(tmp.path());
    let profile = store
        .create("Generic", PlatformId::Generic, IdpId::Generic, Utc::now())
        .unwrap();
    for step in [
        StepId::SsoApp,
        StepId::TestSso,
        StepId::ScimApp,
        StepId::TestScim,
        StepId::Credentials,
        StepId::Review,
    ] {
        let launch = Launch {
            profile_id: Some(profile.id.clone()),
            step: Some(step),
        };
        let app = WizardApp::new(
            ProfileStore::at(tmp.path()),
            Arc::new(MemoryStore::new()),
            None,
            &launch,
        )
        .unwrap();
        // Tall enough that every line of the step is laid out (and in the tree).
        let mut h = Harness::builder()
            .with_size(egui::vec2(1400.0, 4000.0))
            .build_ui_state(|ui, app: &mut WizardApp| app.ui(ui), app);
        step_until(&mut h, "the step", |h| h.state().current_step() == step);
        h.step();
        h.step();
        let mut shown = Vec::new();
        for node in h.query_all(By::new().predicate(|_| true)) {
            let node = node.accesskit_node();
            for text in [node.label(), node.value()].into_iter().flatten() {
                let foreign = foreign_vendors(&text, PlatformId::Generic, IdpId::Generic);
                if !foreign.is_empty() {
                    shown.push(format!("{text:?} names {foreign:?}"));
                }
            }
        }
        assert!(
            h.query_all(By::new().predicate(|_| true)).count() > 20,
            "{step:?} shows next to nothing"
        );
        assert!(shown.is_empty(), "{step:?} of a generic tenant: {shown:#?}");
    }
}

#[test]
fn a_disabled_console_link_names_the_field_by_its_label() {
    use sso_scim_wizard::ui::widgets::walkthrough::missing_fields_hint;
    let hint = missing_fields_hint(&["okta_domain".to_owned()], "below");
    assert_eq!(hint, "Fill in Okta domain below to open this page");
    assert!(!hint.contains('_'));
}

#[test]
fn findings_start_their_sentences_with_a_capital_in_the_window_and_the_cli() {
    use sso_scim_wizard::diagnostics::{Finding, Report, ReportKind};
    let finding = Finding::fail(
        "scim.auth",
        "the token was refused with 401",
        "create a new token in the platform",
    );
    let report = Report::new(ReportKind::Scim, "https://x/scim/v2", vec![finding.clone()]);
    let text = report.to_text();
    assert!(
        text.contains("    The token was refused with 401"),
        "{text}"
    );
    assert!(text.contains("How to fix: Create a new token"), "{text}");

    let mut h = Harness::new_ui_state(
        |ui, finding: &mut Finding| {
            sso_scim_wizard::ui::widgets::findings::finding_ui(ui, catalog(), finding);
        },
        finding,
    );
    h.run();
    assert!(h.query_by_label("The token was refused with 401").is_some());
    assert!(
        h.query_by_label("Create a new token in the platform")
            .is_some()
    );
    // The check id is secondary text, never the title.
    assert!(h.query_by_label("Token is accepted").is_some());
}

//! The keyboard in the window, headless with `egui_kittest`: Enter confirms the Rename
//! dialog, Escape closes the expiry dashboard, the troubleshooting panel and a modal, and
//! a new step opens at its top rather than at the previous step's scroll position; and
//! at 800×600 the saved tenants' buttons are reachable.

#![expect(
    clippy::unwrap_used,
    reason = "test set-up: a failure is the test failing"
)]

use std::sync::Arc;

use chrono::Utc;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{By, Queryable as _};
use sso_scim_wizard::model::{IdpId, PlatformId};
use sso_scim_wizard::secrets::MemoryStore;
use sso_scim_wizard::storage::ProfileStore;
use sso_scim_wizard::ui::{Launch, WizardApp};
use sso_scim_wizard::wizard::StepId;

use crate::ui_support;
use ui_support::step_until;

fn harness(
    dir: &std::path::Path,
    launch: &Launch,
    size: egui::Vec2,
) -> Harness<'static, WizardApp> {
    let app = WizardApp::new(
        ProfileStore::at(dir),
        Arc::new(MemoryStore::new()),
        None,
        launch,
    )
    .unwrap();
    Harness::builder()
        .with_size(size)
        .build_ui_state(|ui, app: &mut WizardApp| app.ui(ui), app)
}

fn saved_tenant(dir: &std::path::Path, name: &str) -> String {
    ProfileStore::at(dir)
        .create(name, PlatformId::Generic, IdpId::Generic, Utc::now())
        .unwrap()
        .id
}

fn steps(h: &mut Harness<'_, WizardApp>, frames: usize) {
    for _ in 0..frames {
        h.step();
    }
}

#[test]
fn enter_confirms_the_rename_dialog() {
    let tmp = tempfile::tempdir().unwrap();
    let id = saved_tenant(tmp.path(), "Contoso");
    let mut h = harness(tmp.path(), &Launch::default(), egui::vec2(1200.0, 800.0));
    step_until(&mut h, "the saved tenant", |h| {
        h.query_by_role_and_label(Role::Button, "Rename…").is_some()
    });
    h.get_by_role_and_label(Role::Button, "Rename…").click();
    steps(&mut h, 3);
    let field = h.get_by_role_and_label(Role::TextInput, "New name");
    field.type_text(" Prod");
    steps(&mut h, 2);
    h.key_press(egui::Key::Enter);
    steps(&mut h, 3);
    step_until(&mut h, "the renamed tenant on disk", |_| {
        ProfileStore::at(tmp.path())
            .load(&id, Utc::now())
            .is_ok_and(|p| p.name == "Contoso Prod")
    });
    assert!(
        h.query_by_role_and_label(Role::TextInput, "New name")
            .is_none()
    );
}

#[test]
fn escape_closes_a_modal_then_the_dashboard_then_the_troubleshooting_panel() {
    let tmp = tempfile::tempdir().unwrap();
    saved_tenant(tmp.path(), "Contoso");
    let mut h = harness(tmp.path(), &Launch::default(), egui::vec2(1200.0, 800.0));
    step_until(&mut h, "the saved tenant", |h| {
        h.query_by_role_and_label(Role::Button, "Delete…").is_some()
    });

    // A modal: the Delete dialog.
    h.get_by_role_and_label(Role::Button, "Delete…").click();
    steps(&mut h, 3);
    assert!(h.query_by_label("Delete tenant?").is_some());
    h.key_press(egui::Key::Escape);
    steps(&mut h, 3);
    assert!(h.query_by_label("Delete tenant?").is_none());

    // Both overlays open: Escape closes the dashboard first, then the panel.
    h.get_by_role_and_label(Role::Button, "🔎  Troubleshoot…")
        .click();
    steps(&mut h, 2);
    h.get_by_role_and_label(Role::Button, "⏰  Expiry dashboard")
        .click();
    steps(&mut h, 3);
    assert!(h.state().is_dashboard_open() && h.state().is_troubleshooting_open());
    h.key_press(egui::Key::Escape);
    steps(&mut h, 3);
    assert!(
        !h.state().is_dashboard_open(),
        "Escape left the dashboard open"
    );
    assert!(h.state().is_troubleshooting_open());
    h.key_press(egui::Key::Escape);
    steps(&mut h, 3);
    assert!(
        !h.state().is_troubleshooting_open(),
        "Escape left the troubleshooting panel open"
    );
}

#[test]
fn a_new_step_starts_at_its_top() {
    let tmp = tempfile::tempdir().unwrap();
    let id = saved_tenant(tmp.path(), "Contoso");
    let launch = Launch {
        profile_id: Some(id),
        step: Some(StepId::SsoApp),
    };
    let mut h = harness(tmp.path(), &launch, egui::vec2(800.0, 500.0));
    step_until(&mut h, "the SSO app step", |h| {
        h.state().current_step() == StepId::SsoApp
    });
    steps(&mut h, 2);
    // Scroll to the end of the (long) SSO app step.
    h.get_by_role_and_label(
        Role::CheckBox,
        "A break-glass admin can sign in without SSO",
    )
    .scroll_to_me();
    steps(&mut h, 3);
    assert!(
        h.get_by_label("SSO app").rect().top() < 0.0,
        "the step did not scroll, so the test proves nothing"
    );
    // The step rail (Next waits until the step is complete).
    // to Review, itself longer than the window.
    h.get(By::new().role(Role::Button).label_contains("Review"))
        .click();
    steps(&mut h, 4);
    assert_eq!(h.state().current_step(), StepId::Review);
    let heading = h.get_by_label("Review").rect();
    assert!(
        heading.top() >= 0.0 && heading.bottom() <= 500.0,
        "the Review heading is off-screen at {heading:?}"
    );
}

/// At 800×600 the saved tenants' row buttons can be reached: the table scrolls sideways
/// rather than cutting Delete off at the window's edge.
#[test]
fn at_800_by_600_every_saved_tenant_button_can_be_brought_into_view() {
    let tmp = tempfile::tempdir().unwrap();
    saved_tenant(tmp.path(), "Contoso production tenant with a long name");
    saved_tenant(tmp.path(), "Fabrikam staging");
    let mut h = harness(tmp.path(), &Launch::default(), egui::vec2(800.0, 600.0));
    step_until(&mut h, "the saved tenants", |h| {
        h.query_all_by_role_and_label(Role::Button, "Delete…")
            .count()
            == 2
    });
    for label in ["Open", "Rename…", "Duplicate", "Delete…"] {
        let button = h
            .get_all_by_role_and_label(Role::Button, label)
            .next()
            .unwrap();
        button.scroll_to_me();
        steps(&mut h, 3);
        let rect = h
            .get_all_by_role_and_label(Role::Button, label)
            .next()
            .unwrap()
            .rect();
        assert!(
            rect.left() >= 0.0 && rect.right() <= 800.0,
            "{label} stays cut off at {rect:?}"
        );
    }
}

/// At 800×600 the expiry choices of a new credential wrap instead of running off the edge.
#[test]
fn at_800_by_600_the_credential_expiry_choices_fit() {
    let tmp = tempfile::tempdir().unwrap();
    let id = ProfileStore::at(tmp.path())
        .create("Contoso", PlatformId::Airia, IdpId::Entra, Utc::now())
        .unwrap()
        .id;
    let launch = Launch {
        profile_id: Some(id),
        step: Some(StepId::Credentials),
    };
    let mut h = harness(tmp.path(), &launch, egui::vec2(800.0, 600.0));
    step_until(&mut h, "the expiry choices", |h| {
        h.query_by_role_and_label(Role::RadioButton, "Never")
            .is_some()
    });
    steps(&mut h, 2);
    let rect = h.get_by_role_and_label(Role::RadioButton, "Never").rect();
    assert!(rect.right() <= 800.0, "Never is cut off at {rect:?}");
}

/// At 800×600 the SCIM app step's "Copy URL" stays inside the window.
#[test]
fn at_800_by_600_copy_url_fits_beside_the_base_url() {
    let tmp = tempfile::tempdir().unwrap();
    let id = saved_tenant(tmp.path(), "Contoso");
    let launch = Launch {
        profile_id: Some(id),
        step: Some(StepId::ScimApp),
    };
    let mut h = harness(tmp.path(), &launch, egui::vec2(800.0, 600.0));
    step_until(&mut h, "Copy URL", |h| {
        h.query_by_role_and_label(Role::Button, "Copy URL")
            .is_some()
    });
    h.get_by_role_and_label(Role::Button, "Copy URL")
        .scroll_to_me();
    steps(&mut h, 3);
    let rect = h.get_by_role_and_label(Role::Button, "Copy URL").rect();
    assert!(rect.right() <= 800.0, "Copy URL is cut off at {rect:?}");
}

//! UI tests of the shell and the Tenant step, headless with `egui_kittest`.

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use sso_scim_wizard::ui::WizardApp;

fn harness(dir: &std::path::Path) -> Harness<'static, WizardApp> {
    Harness::builder()
        .with_size(egui::vec2(1200.0, 800.0))
        .build_ui_state(
            |ui, app: &mut WizardApp| app.ui(ui),
            WizardApp::for_tests(dir),
        )
}

use crate::ui_support;
use ui_support::step_until;

#[test]
fn create_a_tenant_go_next_and_back_and_find_it_after_restart() {
    let tmp = tempfile::tempdir().unwrap();
    let mut h = harness(tmp.path());
    step_until(&mut h, "the empty list", |h| {
        h.query_by_label_contains("No saved tenants yet").is_some()
    });

    // Next is disabled with a reason until a tenant is open.
    assert!(
        h.get_by_role_and_label(Role::Button, "Next")
            .accesskit_node()
            .is_disabled()
    );
    assert!(
        h.query_by_label("Create or open a tenant profile first")
            .is_some()
    );

    let name = h.get_by_role_and_label(Role::TextInput, "Tenant name");
    name.focus();
    h.step();
    h.get_by_role_and_label(Role::TextInput, "Tenant name")
        .type_text("Contoso production");
    h.step();
    h.get_by_role_and_label(Role::Button, "Create tenant")
        .click();
    h.step();
    step_until(&mut h, "the created tenant in the list", |h| {
        h.query_by_label("Contoso production (open)").is_some()
    });
    assert_eq!(
        h.state().profile().map(|p| p.name.as_str()),
        Some("Contoso production")
    );

    h.get_by_role_and_label(Role::Button, "Next").click();
    h.step();
    h.step();
    assert_eq!(
        h.state().current_step(),
        sso_scim_wizard::wizard::StepId::SsoApp
    );
    h.get_by_role_and_label(Role::Button, "Back").click();
    h.step();
    h.step();
    assert_eq!(
        h.state().current_step(),
        sso_scim_wizard::wizard::StepId::Tenant
    );

    // Rename the open tenant by typing: saved without any explicit save.
    let field = h.get_by_role_and_label(Role::TextInput, "Name");
    field.focus();
    h.step();
    h.get_by_role_and_label(Role::TextInput, "Name")
        .type_text(" EU");
    h.run_steps(6); // 1.5 s of simulated time: past the save debounce
    drop(h);

    // A fresh app over the same folder lists it with the new name.
    let mut h = harness(tmp.path());
    step_until(&mut h, "the saved tenant after restart", |h| {
        h.query_by_label("Contoso production EU").is_some()
    });
}

#[test]
fn a_corrupt_profile_is_reported_in_the_ui_and_kept_on_disk() {
    let tmp = tempfile::tempdir().unwrap();
    let profiles = tmp.path().join("profiles");
    std::fs::create_dir_all(&profiles).unwrap();
    let garbage = b"{\"schema_version\": 1, \"name\": \"half a file";
    std::fs::write(profiles.join("acme-1234.json"), garbage).unwrap();

    let mut h = harness(tmp.path());
    step_until(&mut h, "the corrupt-file warning", |h| {
        h.query_by_label_contains("could not be read").is_some()
    });
    let kept: Vec<_> = std::fs::read_dir(&profiles)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains(".corrupt-"))
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(std::fs::read(&kept[0]).unwrap(), garbage);
}

#[test]
fn delete_asks_first_and_escape_cancels() {
    let tmp = tempfile::tempdir().unwrap();
    let store = sso_scim_wizard::storage::ProfileStore::at(tmp.path());
    let profile = store
        .create(
            "Fabrikam",
            sso_scim_wizard::model::PlatformId::Claresia,
            sso_scim_wizard::model::IdpId::Okta,
            chrono::Utc::now(),
        )
        .unwrap();
    let mut h = harness(tmp.path());
    step_until(&mut h, "the saved tenant", |h| {
        h.query_by_label("Fabrikam").is_some()
    });

    h.get_by_role_and_label(Role::Button, "Delete…").click();
    step_until(&mut h, "the confirmation", |h| {
        h.query_by_label("Delete tenant?").is_some()
    });
    h.key_press(egui::Key::Escape);
    step_until(&mut h, "the dialog to close", |h| {
        h.query_by_label("Delete tenant?").is_none()
    });
    assert!(store.path_of(&profile.id).exists());

    h.get_by_role_and_label(Role::Button, "Delete…").click();
    step_until(&mut h, "the confirmation", |h| {
        h.query_by_label("Delete tenant?").is_some()
    });
    h.get_by_role_and_label(Role::Button, "Delete").click();
    h.step();
    step_until(&mut h, "the empty list", |h| {
        h.query_by_label_contains("No saved tenants yet").is_some()
    });
    assert!(!store.path_of(&profile.id).exists());
}

#[cfg(unix)]
#[test]
fn world_readable_profiles_are_made_private_and_the_window_says_so() {
    // Issue #16 item 8: the window repairs looser modes on start, with a note.
    use std::os::unix::fs::PermissionsExt as _;
    let tmp = tempfile::tempdir().unwrap();
    let profiles = tmp.path().join("profiles");
    std::fs::create_dir_all(&profiles).unwrap();
    let file = profiles.join("acme-1234.json");
    std::fs::write(&file, b"{\"schema_version\": 1, \"name\": \"half a file").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::set_permissions(&profiles, std::fs::Permissions::from_mode(0o755)).unwrap();

    let mut h = harness(tmp.path());
    step_until(&mut h, "the permissions note", |h| {
        h.query_by_label_contains("now readable by you only")
            .is_some()
    });
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&profiles), 0o700);
}

//! UI tests of the Credentials step and the expiry dashboard, headless with `egui_kittest`:
//! the one-time reveal (copy once, then only `•••• abcd`), the leave confirmation, import
//! cleaning, the no-keyring fallback, and the dashboard opened from the step.
//!
//! The clipboard may be unavailable here (no `DISPLAY`): copying then falls back to the
//! window's clipboard, and the state change under test is the same.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a failed call is a failed test"
)]

use std::sync::Arc;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use sso_scim_wizard::model::{IdpId, PlatformId};
use sso_scim_wizard::secrets::{MemoryStore, SecretStore};
use sso_scim_wizard::storage::ProfileStore;
use sso_scim_wizard::ui::{Launch, WizardApp};
use sso_scim_wizard::wizard::StepId;

struct Fixture {
    _tmp: tempfile::TempDir,
    secrets: Arc<MemoryStore>,
    harness: Harness<'static, WizardApp>,
}

/// The app open on the Credentials step of a new tenant, with `secrets` as the store.
fn open(platform: PlatformId, idp: IdpId, secrets: MemoryStore) -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let store = ProfileStore::at(tmp.path());
    let profile = store
        .create("Contoso", platform, idp, chrono::Utc::now())
        .unwrap();
    let secrets = Arc::new(secrets);
    let shared: Arc<dyn SecretStore> = secrets.clone();
    let launch = Launch {
        profile_id: Some(profile.id),
        step: Some(StepId::Credentials),
    };
    let app = WizardApp::new(store, shared, None, &launch).unwrap();
    let harness = Harness::builder()
        .with_size(egui::vec2(1300.0, 900.0))
        .build_ui_state(|ui, app: &mut WizardApp| app.ui(ui), app);
    Fixture {
        _tmp: tmp,
        secrets,
        harness,
    }
}

use crate::ui_support;
use ui_support::step_until;

fn click(h: &mut Harness<'_, WizardApp>, label: &str) {
    h.get_by_role_and_label(Role::Button, label).click();
    h.step();
    h.step();
}

fn count_containing(h: &Harness<'_, WizardApp>, text: &str) -> usize {
    h.query_all_by_label_contains(text).count()
}

/// Generates a SCIM token and returns its value, read back from the store.
fn generate(fixture: &mut Fixture) -> String {
    let h = &mut fixture.harness;
    step_until(h, "the Generate button", |h| {
        h.query_by_role_and_label(Role::Button, "Generate SCIM token")
            .is_some_and(|b| !b.accesskit_node().is_disabled())
    });
    click(h, "Generate SCIM token");
    step_until(h, "the one-time reveal", |h| {
        h.query_by_role_and_label(Role::Button, "Copy").is_some()
    });
    let accounts = fixture.secrets.accounts();
    assert_eq!(accounts.len(), 1);
    let secret = fixture.secrets.get(&accounts[0]).unwrap().unwrap();
    secret.expose().to_owned()
}

#[test]
fn generate_copy_once_then_only_the_mask_even_after_coming_back() {
    let mut fixture = open(PlatformId::Generic, IdpId::Generic, MemoryStore::new());
    let value = generate(&mut fixture);
    let last4 = value[value.len() - 4..].to_owned();
    let h = &mut fixture.harness;
    assert_eq!(count_containing(h, &value), 1, "shown in full exactly once");
    assert!(
        h.query_by_label_contains("It will not be shown again")
            .is_some()
    );

    click(h, "Copy");
    step_until(h, "the toast", |h| {
        h.query_by_label("Copied to clipboard").is_some()
    });
    assert_eq!(
        count_containing(h, &value),
        0,
        "hidden after the first copy"
    );
    assert!(h.query_by_role_and_label(Role::Button, "Copy").is_none());
    assert!(count_containing(h, &format!("•••• {last4}")) >= 1);
    assert!(h.query_all_by_label_contains("Copied").count() >= 2);

    // Away and back: no confirmation (it was copied), and still only the mask.
    click(h, "Back");
    assert_eq!(h.state().current_step(), StepId::TestScim);
    click(h, "Next");
    assert_eq!(h.state().current_step(), StepId::Credentials);
    h.run_steps(3);
    assert_eq!(count_containing(h, &value), 0);
    assert!(h.query_by_role_and_label(Role::Button, "Copy").is_none());
    assert!(count_containing(h, &format!("•••• {last4}")) >= 1);
    assert!(
        h.query_by_label_contains("In use by the SCIM app")
            .is_some()
    );

    // The profile holds metadata only.
    let profile = h.state().profile().unwrap().clone();
    assert_eq!(profile.credentials.len(), 1);
    assert_eq!(profile.credentials[0].last4, last4);
    assert!(!serde_json::to_string(&profile).unwrap().contains(&value));
}

#[test]
fn leaving_before_copying_asks_and_stay_keeps_the_value() {
    let mut fixture = open(PlatformId::Generic, IdpId::Generic, MemoryStore::new());
    let value = generate(&mut fixture);
    let h = &mut fixture.harness;

    click(h, "Back");
    assert!(h.query_by_label("Leave this step?").is_some());
    assert!(
        h.query_by_label_contains("This secret will not be shown again")
            .is_some()
    );
    click(h, "Stay");
    assert_eq!(h.state().current_step(), StepId::Credentials);
    assert_eq!(count_containing(h, &value), 1, "still shown after Stay");

    click(h, "Back");
    click(h, "Leave");
    assert_eq!(h.state().current_step(), StepId::TestScim);
    click(h, "Next");
    h.run_steps(3);
    assert_eq!(
        count_containing(h, &value),
        0,
        "gone for good after leaving"
    );
    assert!(h.query_by_role_and_label(Role::Button, "Copy").is_none());
}

#[test]
fn a_pasted_token_is_cleaned_flagged_stored_and_never_shown_again() {
    // Airia issues its own SCIM tokens: import only, with its 180-day preset.
    let mut fixture = open(PlatformId::Airia, IdpId::Entra, MemoryStore::new());
    let h = &mut fixture.harness;
    step_until(h, "the import field", |h| {
        h.query_by_role_and_label(Role::PasswordInput, "Paste the SCIM token:")
            .is_some()
    });
    assert!(
        h.query_by_label_contains("Airia creates SCIM tokens itself")
            .is_some()
    );
    assert!(
        h.query_by_role_and_label(Role::Button, "Generate SCIM token")
            .is_none()
    );
    assert!(
        h.query_by_label_contains("Airia default (180 days)")
            .is_some()
    );

    let field = h.get_by_role_and_label(Role::PasswordInput, "Paste the SCIM token:");
    field.focus();
    h.step();
    h.get_by_role_and_label(Role::PasswordInput, "Paste the SCIM token:")
        .type_text("Bearer airia-pasted-token-5678");
    h.step();
    h.step();
    assert!(
        h.query_by_label_contains("Removed a leading “Bearer ”")
            .is_some()
    );
    click(h, "Store SCIM token");
    // Issue #14: the admin pasted it, so it was seen already: stored, shown as the
    // mask, never in full, and the form is free for the next one at once.
    step_until(h, "the stored token in the list", |h| {
        h.query_by_label_contains("In use by the SCIM app")
            .is_some()
    });
    h.run_steps(3);
    assert_eq!(count_containing(h, "airia-pasted-token-5678"), 0);
    assert!(count_containing(h, "•••• 5678") >= 1);
    assert!(h.query_by_role_and_label(Role::Button, "Copy").is_none());
    assert!(
        h.query_by_label_contains("Copy the value above first")
            .is_none(),
        "the form is not blocked"
    );
    assert!(
        h.query_by_role_and_label(Role::PasswordInput, "Paste the SCIM token:")
            .is_some()
    );
    let accounts = fixture.secrets.accounts();
    let stored = fixture.secrets.get(&accounts[0]).unwrap().unwrap();
    assert_eq!(stored.expose(), "airia-pasted-token-5678");

    let profile = fixture.harness.state().profile().unwrap().clone();
    let meta = &profile.credentials[0];
    let days = (meta.expires_at.unwrap() - meta.created_at).num_days();
    assert_eq!(days, 180, "the platform preset");
}

#[test]
fn without_a_keyring_the_step_says_why_and_goes_on_only_when_asked() {
    let reason = "no keyring is available (no secret service provider or dbus session found); install and start gnome-keyring or KeePassXC's Secret Service integration";
    let mut fixture = open(
        PlatformId::Generic,
        IdpId::Generic,
        MemoryStore::fallback(reason),
    );
    let h = &mut fixture.harness;
    step_until(h, "the keyring message", |h| {
        h.query_by_label_contains("Secrets cannot be stored")
            .is_some()
    });
    assert!(h.query_by_label_contains("gnome-keyring").is_some());
    assert!(
        h.get_by_role_and_label(Role::Button, "Generate SCIM token")
            .accesskit_node()
            .is_disabled()
    );
    click(h, "Continue without storing (this session only)");
    let value = generate(&mut fixture);
    let h = &mut fixture.harness;
    assert_eq!(count_containing(h, &value), 1);
    let profile = h.state().profile().unwrap().clone();
    assert!(profile.credentials[0].session_only);
}

#[test]
fn the_expiry_dashboard_opens_from_the_step_and_lists_the_credential() {
    let mut fixture = open(PlatformId::Generic, IdpId::Generic, MemoryStore::new());
    let _value = generate(&mut fixture);
    let h = &mut fixture.harness;
    click(h, "Hide it");
    assert!(!h.state().is_dashboard_open());
    click(h, "Expiry dashboard");
    assert!(h.state().is_dashboard_open());
    step_until(h, "the dashboard rows", |h| {
        h.query_by_label("Credential expiry, all tenants").is_some()
            && h.query_all_by_label("Contoso").count() >= 1
    });
    assert!(h.query_by_label_contains("No expiry (1)").is_some());
}

#[test]
fn deleting_the_tenant_deletes_its_secrets() {
    let mut fixture = open(PlatformId::Generic, IdpId::Generic, MemoryStore::new());
    let _value = generate(&mut fixture);
    let h = &mut fixture.harness;
    click(h, "Hide it");
    while h.state().current_step() != StepId::Tenant {
        click(h, "Back");
    }
    step_until(h, "the tenant list", |h| {
        h.query_by_role_and_label(Role::Button, "Delete…").is_some()
    });
    click(h, "Delete…");
    assert!(
        h.query_by_label_contains("will be removed from the keyring")
            .is_some()
    );
    click(h, "Delete");
    let secrets = Arc::clone(&fixture.secrets);
    step_until(
        &mut fixture.harness,
        "the secret to be deleted",
        move |_| secrets.accounts().is_empty(),
    );
}

/// Issue #14: toasts wrapped into 4–5 lines, split words and covered Next and its
/// blocker text. One line now, clear of the navigation buttons, at the minimum size.
#[test]
fn a_toast_is_one_line_and_clear_of_the_buttons() {
    let mut fixture = open(PlatformId::Generic, IdpId::Generic, MemoryStore::new());
    let h = &mut fixture.harness;
    step_until(h, "the Generate button", |h| {
        h.query_by_role_and_label(Role::Button, "Generate SCIM token")
            .is_some_and(|b| !b.accesskit_node().is_disabled())
    });
    click(h, "Generate SCIM token");
    // "SCIM token kept for this session only": the memory store is not persistent.
    let toast_text = "SCIM token kept for this session only";
    step_until(h, "the toast", |h| h.query_by_label(toast_text).is_some());
    // The window's minimum size (src/ui/mod.rs), while the toast is up.
    h.set_size(egui::vec2(760.0, 480.0));
    h.run_steps(2);
    let toast = h.get_by_label(toast_text).rect();
    let line = 22.0;
    assert!(toast.height() < line, "one line: {toast:?}");
    for button in ["Back", "Next"] {
        if let Some(node) = h.query_by_role_and_label(Role::Button, button) {
            let rect = node.rect();
            assert!(
                !rect.intersects(toast),
                "the toast {toast:?} covers {button} {rect:?}"
            );
        }
    }
}

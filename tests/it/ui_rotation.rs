//! UI tests of the rotation walkthrough, headless with `egui_kittest`: started from the
//! Credentials step's "Rotate…", every step walked by label, the revoke button disabled
//! until the new token passed its test against the real SCIM server, resuming at the same
//! step after a restart, and cancelling.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a failed call is a failed test"
)]

use crate::scim_tokens;
use crate::support;
use scim_tokens::reconfigure;

use std::path::Path;
use std::sync::Arc;

use chrono::Utc;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use sso_scim_wizard::model::{
    CredentialKind, CredentialMeta, CredentialOrigin, CredentialState, IdpId, PlatformId, Profile,
};
use sso_scim_wizard::secrets::{MemoryStore, Secret, SecretStore, account, generate_token};
use sso_scim_wizard::storage::ProfileStore;
use sso_scim_wizard::ui::{Launch, WizardApp};
use sso_scim_wizard::wizard::StepId;
use sso_scim_wizard::wizard::rotation::RotationStep;

/// A tenant on disk whose SCIM app uses token A (held in `secrets`).
fn tenant(dir: &Path, base_url: &str, secrets: &MemoryStore, token_a: &Secret) -> Profile {
    let store = ProfileStore::at(dir);
    let mut profile = store
        .create("Contoso", PlatformId::Axonflow, IdpId::Entra, Utc::now())
        .unwrap();
    base_url.clone_into(&mut profile.scim.base_url);
    let meta = CredentialMeta {
        id: "scim-token-a".into(),
        kind: CredentialKind::ScimToken,
        label: "Provisioning".into(),
        origin: CredentialOrigin::Imported,
        created_at: Utc::now(),
        expires_at: Some(Utc::now() + chrono::Duration::days(5)),
        last4: token_a.last4(),
        last_verified_at: None,
        state: CredentialState::Active,
        session_only: false,
    };
    secrets
        .put(&account(&profile.id, &meta.id), token_a)
        .unwrap();
    profile.scim.token_credential = Some(meta.id.clone());
    profile.credentials.push(meta);
    store.save(&profile).unwrap();
    profile
}

fn harness(dir: &Path, secrets: &Arc<MemoryStore>, launch: &Launch) -> Harness<'static, WizardApp> {
    let shared: Arc<dyn SecretStore> = secrets.clone();
    let app = WizardApp::new(ProfileStore::at(dir), shared, None, launch).unwrap();
    Harness::builder()
        .with_size(egui::vec2(1200.0, 900.0))
        .build_ui_state(|ui, app: &mut WizardApp| app.ui(ui), app)
}

use crate::ui_support;
use ui_support::step_until;

fn rotation_step(h: &Harness<'_, WizardApp>) -> Option<RotationStep> {
    h.state()
        .profile()
        .and_then(|p| p.rotation.as_ref())
        .map(|r| r.step)
}

fn is_enabled(h: &Harness<'_, WizardApp>, label: &str) -> bool {
    !h.get_by_role_and_label(Role::Button, label)
        .accesskit_node()
        .is_disabled()
}

fn click(h: &mut Harness<'_, WizardApp>, label: &str) {
    h.get_by_role_and_label(Role::Button, label).click();
    h.step();
    h.step();
}

fn type_into(h: &mut Harness<'_, WizardApp>, role: Role, label: &str, text: &str) {
    h.get_by_role_and_label(role, label).focus();
    h.step();
    h.get_by_role_and_label(role, label).type_text(text);
    h.step();
}

#[test]
#[expect(
    clippy::too_many_lines,
    reason = "one rotation told step by step reads best in one piece"
)]
fn walk_every_step_and_revoke_stays_disabled_until_the_new_token_passes() {
    let Some(base_url) = support::peer("SSW_SCIM_BASE_URL") else {
        return;
    };
    let Some(tokens_file) = support::peer("SSW_SCIM_TOKENS_FILE") else {
        return;
    };
    let tokens_file = Path::new(&tokens_file).to_owned();
    let tmp = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemoryStore::new());
    let token_a = generate_token().unwrap();
    let token_b = generate_token().unwrap();
    reconfigure(&tokens_file, &[token_a.expose()], &[]);
    let profile = tenant(tmp.path(), &base_url, &secrets, &token_a);
    let launch = Launch {
        profile_id: Some(profile.id.clone()),
        step: Some(StepId::Credentials),
    };
    let mut h = harness(tmp.path(), &secrets, &launch);
    step_until(&mut h, "the credential list", |h| {
        h.query_by_label("Provisioning").is_some()
    });

    // Started from the credential's own button.
    click(&mut h, "Rotate…");
    step_until(&mut h, "the walkthrough", |h| {
        h.query_by_label_contains("Rotate SCIM token").is_some()
    });
    assert_eq!(rotation_step(&h), Some(RotationStep::Prepare));
    assert!(!is_enabled(&h, "Revoke old token"));
    assert!(
        h.query_by_label_contains("Old and new can work side by side")
            .is_some()
    );
    click(&mut h, "Next");
    assert_eq!(rotation_step(&h), Some(RotationStep::Create));

    // AxonFlow issues the tokens: the new one is imported, then stored as pending.
    assert!(!is_enabled(&h, "Next"));
    type_into(&mut h, Role::PasswordInput, "New token", token_b.expose());
    click(&mut h, "Store as pending");
    step_until(&mut h, "the pending token", |h| {
        h.query_by_label_contains("New one stored in the keyring")
            .is_some()
    });
    let pending_id = h
        .state()
        .profile()
        .unwrap()
        .rotation
        .as_ref()
        .unwrap()
        .pending_credential_id
        .clone()
        .unwrap();
    assert_eq!(
        secrets
            .get(&account(&profile.id, &pending_id))
            .unwrap()
            .unwrap()
            .expose(),
        token_b.expose()
    );
    assert!(!is_enabled(&h, "Revoke old token"));
    click(&mut h, "Next");
    assert_eq!(rotation_step(&h), Some(RotationStep::PutInIdp));
    assert!(
        h.query_by_label("Open in browser").is_some()
            || h.query_by_label_contains("Admin Credentials").is_some()
    );
    assert!(!is_enabled(&h, "Revoke old token"));
    click(&mut h, "Next");
    assert_eq!(rotation_step(&h), Some(RotationStep::Test));

    // The server does not accept B yet: the test fails, neither Next nor Revoke.
    assert!(!is_enabled(&h, "Next"));
    click(&mut h, "Test the new credential");
    step_until(&mut h, "the failed test", |h| {
        h.query_by_label("✖ The new credential was not accepted")
            .is_some()
    });
    assert!(!is_enabled(&h, "Next"));
    assert!(!is_enabled(&h, "Revoke old token"));

    // Put in place (the server now accepts A and B): the test passes.
    reconfigure(&tokens_file, &[token_b.expose()], &[]);
    click(&mut h, "Test the new credential");
    step_until(&mut h, "the passing test", |h| {
        h.query_by_label_contains("The new credential works")
            .is_some()
    });
    assert!(is_enabled(&h, "Next"));
    assert!(
        !is_enabled(&h, "Revoke old token"),
        "no real event confirmed yet"
    );
    click(&mut h, "Next");
    assert_eq!(rotation_step(&h), Some(RotationStep::ConfirmEvent));
    assert!(!is_enabled(&h, "Next"));
    click(&mut h, "I saw the change arrive");
    assert!(is_enabled(&h, "Next"));
    click(&mut h, "Next");
    assert_eq!(rotation_step(&h), Some(RotationStep::Revoke));

    // Only now: revoke A, promote B.
    assert!(is_enabled(&h, "Revoke old token"));
    click(&mut h, "Revoke old token");
    step_until(&mut h, "the summary", |h| {
        h.query_by_label("Rotation finished").is_some()
    });
    assert!(
        secrets
            .get(&account(&profile.id, "scim-token-a"))
            .unwrap()
            .is_none()
    );
    let saved = h.state().profile().unwrap().clone();
    assert!(saved.rotation.is_none());
    assert_eq!(
        saved.scim.token_credential.as_deref(),
        Some(pending_id.as_str())
    );
    assert!(
        saved
            .history
            .last()
            .unwrap()
            .event
            .starts_with("Rotated SCIM token")
    );
    click(&mut h, "Close");
    step_until(&mut h, "the wizard back", |h| {
        h.query_by_label("Rotation finished").is_none()
    });
    assert_eq!(h.state().current_step(), StepId::Credentials);
    reconfigure(&tokens_file, &[], &[token_a.expose(), token_b.expose()]);
}

#[test]
fn closing_mid_rotation_resumes_at_the_same_step_and_cancel_keeps_the_current_token() {
    let tmp = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemoryStore::new());
    let token_a = generate_token().unwrap();
    let token_b = generate_token().unwrap();
    let profile = tenant(tmp.path(), "https://scim.invalid/v2", &secrets, &token_a);
    let launch = Launch {
        profile_id: Some(profile.id.clone()),
        step: Some(StepId::Credentials),
    };
    let mut h = harness(tmp.path(), &secrets, &launch);
    step_until(&mut h, "the credential list", |h| {
        h.query_by_label("Provisioning").is_some()
    });
    click(&mut h, "Rotate…");
    click(&mut h, "Next");
    type_into(&mut h, Role::PasswordInput, "New token", token_b.expose());
    click(&mut h, "Store as pending");
    step_until(&mut h, "the pending token", |h| {
        h.query_by_label_contains("New one stored in the keyring")
            .is_some()
    });
    click(&mut h, "Next");
    assert_eq!(rotation_step(&h), Some(RotationStep::PutInIdp));
    drop(h);

    // A new window over the same files and keyring opens straight into the walkthrough.
    let mut h = harness(tmp.path(), &secrets, &launch);
    step_until(&mut h, "the resumed walkthrough", |h| {
        h.query_by_label_contains("Rotate SCIM token").is_some()
    });
    assert_eq!(rotation_step(&h), Some(RotationStep::PutInIdp));
    let pending_id = h
        .state()
        .profile()
        .unwrap()
        .rotation
        .as_ref()
        .unwrap()
        .pending_credential_id
        .clone()
        .unwrap();
    let pending_account = account(&profile.id, &pending_id);
    assert!(secrets.get(&pending_account).unwrap().is_some());

    // Issue #14: the reveal is gone after the restart, yet the new token can still be
    // copied (from the keyring, never shown) until the IdP step is confirmed.
    assert!(is_enabled(&h, "Copy the new token again"));
    click(&mut h, "Copy the new token again");
    step_until(&mut h, "the copy to finish", |h| {
        h.query_by_label_contains("Copied. The clipboard is cleared")
            .is_some()
            || h.query_by_label_contains("Could not copy it").is_some()
    });
    // Without a display (plain `cargo test`) the clipboard is out of reach, but the value
    // was found in the keyring.
    assert!(
        h.query_by_label_contains("no longer in the keyring")
            .is_none()
    );
    assert_eq!(h.query_all_by_label_contains(token_b.expose()).count(), 0);

    // Hiding it keeps it; the banner brings it back.
    click(&mut h, "Back to the wizard");
    step_until(&mut h, "the banner", |h| {
        h.query_by_label("Resume rotation").is_some()
    });
    click(&mut h, "Resume rotation");
    step_until(&mut h, "the walkthrough again", |h| {
        h.query_by_label_contains("Rotate SCIM token").is_some()
    });

    // Cancel asks first; Escape keeps rotating.
    click(&mut h, "Cancel rotation…");
    step_until(&mut h, "the confirmation", |h| {
        h.query_by_label("Cancel this rotation?").is_some()
    });
    click(&mut h, "Keep rotating");
    step_until(&mut h, "the dialog to close", |h| {
        h.query_by_label("Cancel this rotation?").is_none()
    });
    assert_eq!(rotation_step(&h), Some(RotationStep::PutInIdp));
    click(&mut h, "Cancel rotation…");
    step_until(&mut h, "the confirmation", |h| {
        h.query_by_label("Cancel this rotation?").is_some()
    });
    click(&mut h, "Cancel rotation");
    step_until(&mut h, "the cancelled summary", |h| {
        h.query_by_label("Rotation cancelled").is_some()
    });
    assert!(secrets.get(&pending_account).unwrap().is_none());
    assert_eq!(
        secrets
            .get(&account(&profile.id, "scim-token-a"))
            .unwrap()
            .unwrap()
            .expose(),
        token_a.expose()
    );
    let saved = h.state().profile().unwrap();
    assert!(saved.rotation.is_none());
    assert_eq!(saved.scim.token_credential.as_deref(), Some("scim-token-a"));
    assert!(saved.credential(&pending_id).is_none());
}

/// Issue #14: the reason Next is disabled sat in the button row and ran over Back and
/// Cancel at the window's minimum width.
#[test]
fn the_blocker_text_never_overlaps_the_footer_buttons() {
    let tmp = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemoryStore::new());
    let token_a = generate_token().unwrap();
    let profile = tenant(tmp.path(), "https://scim.invalid/v2", &secrets, &token_a);
    let launch = Launch {
        profile_id: Some(profile.id.clone()),
        step: Some(StepId::Credentials),
    };
    let shared: Arc<dyn SecretStore> = secrets.clone();
    let app = WizardApp::new(ProfileStore::at(tmp.path()), shared, None, &launch).unwrap();
    let mut h = Harness::builder()
        .with_size(egui::vec2(1200.0, 900.0))
        .build_ui_state(|ui, app: &mut WizardApp| app.ui(ui), app);
    step_until(&mut h, "the credential list", |h| {
        h.query_by_label("Provisioning").is_some()
    });
    click(&mut h, "Rotate…");
    click(&mut h, "Next");
    assert_eq!(rotation_step(&h), Some(RotationStep::Create));
    // The window's minimum size (src/ui/mod.rs).
    h.set_size(egui::vec2(760.0, 480.0));
    h.run_steps(3);
    let blocker = h
        .get_by_label_contains("create or import the new credential first")
        .rect();
    for button in ["Back", "Cancel rotation…", "Back to the wizard", "Next"] {
        let rect = h.get_by_role_and_label(Role::Button, button).rect();
        assert!(
            !rect.intersects(blocker),
            "the blocker text {blocker:?} overlaps {button} {rect:?}"
        );
    }
}

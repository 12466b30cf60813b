//! UI tests of the Review step (offline checklist, support bundle) and the troubleshooting
//! panel, headless with `egui_kittest`.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a failed set-up is a broken test, and says where"
)]

use std::sync::Arc;

use chrono::Utc;
use egui::accesskit::{Role, Toggled};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use sso_scim_wizard::catalog::catalog;
use sso_scim_wizard::diagnostics::{Finding, Report, ReportKind};
use sso_scim_wizard::model::{
    CredentialKind, CredentialMeta, CredentialOrigin, CredentialState, HistoryEntry, IdpId,
    PlatformId, Profile, StoredReport,
};
use sso_scim_wizard::secrets::{MemoryStore, Secret, SecretStore};
use sso_scim_wizard::storage::ProfileStore;
use sso_scim_wizard::ui::{Launch, WizardApp};
use sso_scim_wizard::wizard::StepId;

/// Opens `profile_id` on the Review step, the way `gui --profile ID --step review` does.
fn review_harness(
    dir: &std::path::Path,
    profile_id: &str,
    secrets: Arc<dyn SecretStore>,
) -> Harness<'static, WizardApp> {
    let launch = Launch {
        profile_id: Some(profile_id.to_owned()),
        step: Some(StepId::Review),
    };
    let app = WizardApp::new(ProfileStore::at(dir), secrets, None, &launch).unwrap();
    Harness::builder()
        .with_size(egui::vec2(1200.0, 800.0))
        .build_ui_state(|ui, app: &mut WizardApp| app.ui(ui), app)
}

use crate::ui_support;
use ui_support::step_until;

fn checkbox_state(h: &Harness<'_, WizardApp>, label: &str) -> Option<Toggled> {
    h.get_by_role_and_label(Role::CheckBox, label)
        .accesskit_node()
        .toggled()
}

/// A saved Airia × Entra profile whose last SSO check passed the issuer check and failed
/// the scopes check.
fn saved_profile(store: &ProfileStore) -> Profile {
    let now = Utc::now();
    let mut profile = store
        .create("Contoso", PlatformId::Airia, IdpId::Entra, now)
        .unwrap();
    profile.last_oidc_report = Some(StoredReport {
        checked_at: now,
        report: Report::new(
            ReportKind::Oidc,
            "https://login.microsoftonline.com/tenant/v2.0",
            vec![
                Finding::pass("oidc.issuer_match", "the same"),
                Finding::fail("oidc.scopes", "email is not offered", "offer email"),
            ],
        ),
    });
    store.save(&profile).unwrap();
    profile
}

/// Item texts of the Airia × Entra checklist: (two without a check, the one proven by
/// `oidc.issuer_match`, the one `oidc.scopes` failed).
fn item_texts() -> (String, String, String, String) {
    let items = catalog().checklist_for(PlatformId::Airia, IdpId::Entra);
    let mut manual = items.iter().filter(|i| i.check_id.is_none());
    let by_check = |id: &str| {
        items
            .iter()
            .find(|i| i.check_id.as_deref() == Some(id))
            .unwrap()
            .text
            .clone()
    };
    (
        manual.next().unwrap().text.clone(),
        manual.next().unwrap().text.clone(),
        by_check("oidc.issuer_match"),
        by_check("oidc.scopes"),
    )
}

#[test]
fn ticks_persist_across_a_restart_and_passed_checks_tick_their_items() {
    let tmp = tempfile::tempdir().unwrap();
    let store = ProfileStore::at(tmp.path());
    let profile = saved_profile(&store);
    let (first, second, verified, failed) = item_texts();

    let mut h = review_harness(tmp.path(), &profile.id, Arc::new(MemoryStore::new()));
    step_until(&mut h, "the checklist", |h| {
        h.query_by_role_and_label(Role::CheckBox, &first).is_some()
    });
    assert_eq!(h.state().current_step(), StepId::Review);

    // Proven by the last check run: ticked, not editable, and said so.
    assert_eq!(checkbox_state(&h, &verified), Some(Toggled::True));
    assert!(
        h.get_by_role_and_label(Role::CheckBox, &verified)
            .accesskit_node()
            .is_disabled()
    );
    assert!(
        h.query_by_label_contains("Verified by check oidc.issuer_match at")
            .is_some()
    );
    // A failed check leaves its item open and says so.
    assert_eq!(checkbox_state(&h, &failed), Some(Toggled::False));
    assert!(
        h.query_by_label_contains("Check oidc.scopes failed at")
            .is_some()
    );

    assert_eq!(checkbox_state(&h, &first), Some(Toggled::False));
    h.get_by_role_and_label(Role::CheckBox, &first)
        .click_accesskit();
    h.step();
    h.get_by_role_and_label(Role::CheckBox, &second)
        .click_accesskit();
    h.step();
    assert_eq!(checkbox_state(&h, &first), Some(Toggled::True));
    assert_eq!(checkbox_state(&h, &second), Some(Toggled::True));
    let ticks = &h.state().profile().unwrap().checklist_ticks;
    assert_eq!(ticks.len(), 2, "{ticks:?}");

    // "Still open only" hides what is done, ticked or verified.
    h.get_by_role_and_label(Role::CheckBox, "Still open only")
        .click_accesskit();
    h.step();
    h.step();
    assert!(h.query_by_role_and_label(Role::CheckBox, &first).is_none());
    assert!(
        h.query_by_role_and_label(Role::CheckBox, &verified)
            .is_none()
    );
    assert!(h.query_by_role_and_label(Role::CheckBox, &failed).is_some());

    h.run_steps(6); // past the save debounce
    h.state_mut().flush();
    drop(h);

    // Restart: a new app over the same folder shows the same ticks.
    let mut h = review_harness(tmp.path(), &profile.id, Arc::new(MemoryStore::new()));
    step_until(&mut h, "the checklist after restart", |h| {
        h.query_by_role_and_label(Role::CheckBox, &first).is_some()
    });
    assert_eq!(checkbox_state(&h, &first), Some(Toggled::True));
    assert_eq!(checkbox_state(&h, &second), Some(Toggled::True));
    assert_eq!(checkbox_state(&h, &verified), Some(Toggled::True));

    // Unticking is saved too.
    h.get_by_role_and_label(Role::CheckBox, &second)
        .click_accesskit();
    h.run_steps(6);
    h.state_mut().flush();
    drop(h);
    let reloaded = store.load(&profile.id, Utc::now()).unwrap();
    assert_eq!(reloaded.checklist_ticks.len(), 1);
}

#[test]
fn a_failed_check_links_to_its_troubleshooting_entry() {
    let tmp = tempfile::tempdir().unwrap();
    let store = ProfileStore::at(tmp.path());
    let profile = saved_profile(&store);
    let mut h = review_harness(tmp.path(), &profile.id, Arc::new(MemoryStore::new()));
    step_until(&mut h, "the failed check's link", |h| {
        h.query_by_role_and_label(Role::Link, "What does this mean?")
            .is_some()
    });
    h.get_by_role_and_label(Role::Link, "What does this mean?")
        .click_accesskit();
    let entry = catalog().trouble_for_check("oidc.scopes").unwrap();
    step_until(&mut h, "the entry in the panel", |h| {
        h.query_by_label(&entry.title).is_some()
    });
    assert!(h.state().is_troubleshooting_open());
}

#[test]
fn troubleshooting_from_any_step_ranks_a_pasted_error_and_highlights_its_code() {
    let tmp = tempfile::tempdir().unwrap();
    let mut h = Harness::builder()
        .with_size(egui::vec2(1200.0, 800.0))
        .build_ui_state(
            |ui, app: &mut WizardApp| app.ui(ui),
            WizardApp::for_tests(tmp.path()),
        );
    step_until(&mut h, "the tenant step", |h| {
        h.query_by_label_contains("No saved tenants yet").is_some()
    });
    h.get_by_role_and_label(Role::Button, "🔎  Troubleshoot…")
        .click();
    step_until(&mut h, "the panel", |h| {
        h.query_by_role_and_label(
            Role::MultilineTextInput,
            "Paste an error message or a log line",
        )
        .is_some()
    });
    let input = h.get_by_role_and_label(
        Role::MultilineTextInput,
        "Paste an error message or a log line",
    );
    input.focus();
    h.step();
    h.get_by_role_and_label(
        Role::MultilineTextInput,
        "Paste an error message or a log line",
    )
    .type_text(
        "Sorry, but we're having trouble signing you in. AADSTS50105: Your administrator has \
         configured the application to block users unless they are specifically granted access",
    );
    h.step();
    h.step();
    let expected = catalog().trouble("aadsts50105-user-not-assigned").unwrap();
    assert!(h.query_by_label("Found in your text:").is_some());
    // The entry is listed (a selectable title) and shown in full (a heading).
    assert!(
        h.query_all_by_label(&expected.title).count() >= 2,
        "{} not shown",
        expected.title
    );

    // The shell's hook opens it with a query too.
    h.get_by_role_and_label(Role::Button, "Close").click();
    h.step();
    assert!(!h.state().is_troubleshooting_open());
    h.state_mut().open_troubleshooting(
        r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"scimType":"uniqueness","status":"409"}"#,
    );
    h.step();
    h.step();
    let uniqueness = catalog().trouble("scim-type-uniqueness").unwrap();
    assert!(h.query_all_by_label(&uniqueness.title).count() >= 2);
}

#[test]
fn the_support_bundle_shown_for_review_holds_no_planted_secret() {
    let tmp = tempfile::tempdir().unwrap();
    let store = ProfileStore::at(tmp.path());
    let mut profile = saved_profile(&store);
    let token = "scim_Q7vX2mLp9RzT4wKb8NcY3hJd6FgS1aUe0oIq5tVr";
    let client_secret = "Xk8Q~b7Rz.Lm2Np4Qs6Tu8Vw0Yx1Za3Bc5De7Fg9";
    let secrets = Arc::new(MemoryStore::new());
    for (id, kind, value) in [
        ("scim-1", CredentialKind::ScimToken, token),
        ("secret-1", CredentialKind::ClientSecret, client_secret),
    ] {
        let secret = Secret::new(value);
        secrets
            .put(&sso_scim_wizard::secrets::account(&profile.id, id), &secret)
            .unwrap();
        profile.credentials.push(CredentialMeta {
            id: id.to_owned(),
            kind,
            label: String::new(),
            origin: CredentialOrigin::Generated,
            created_at: Utc::now(),
            expires_at: Some(Utc::now() + chrono::Duration::days(90)),
            last4: secret.last4(),
            last_verified_at: None,
            state: CredentialState::Active,
            session_only: false,
        });
    }
    // Free text elsewhere in the profile, where a careless paste could land: the history,
    // a finding's detail. (A rotation in progress is covered by tests/cli_review.rs: it
    // opens the rotation walkthrough instead of the Review step.)
    profile.history.push(HistoryEntry {
        at: Utc::now(),
        event: format!("imported client secret {client_secret}"),
    });
    if let Some(stored) = profile.last_oidc_report.as_mut() {
        stored.report.checks[0].detail = format!("sent Authorization: Bearer {token}");
    }
    store.save(&profile).unwrap();

    let mut h = review_harness(tmp.path(), &profile.id, secrets);
    step_until(&mut h, "the bundle button", |h| {
        h.query_by_role_and_label(Role::Button, "Prepare support bundle…")
            .is_some()
    });
    h.get_by_role_and_label(Role::Button, "Prepare support bundle…")
        .click_accesskit();
    step_until(&mut h, "the bundle for review", |h| {
        h.query_by_role_and_label(Role::MultilineTextInput, "Support bundle JSON")
            .is_some()
    });
    let json = h
        .get_by_role_and_label(Role::MultilineTextInput, "Support bundle JSON")
        .accesskit_node()
        .value()
        .unwrap();
    for secret in [token, client_secret] {
        assert!(!json.contains(secret), "a planted secret is in the bundle");
        let chars: Vec<char> = secret.chars().collect();
        for window in chars.windows(8) {
            let piece: String = window.iter().collect();
            assert!(
                !json.contains(&piece),
                "part of a secret ({piece}) is in the bundle"
            );
        }
    }
    let bundle: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(bundle["credentials"][0]["in_keyring"], "present");
    assert_eq!(bundle["credentials"][0]["last4"], token[token.len() - 4..]);
    assert!(
        bundle["redactions"].as_array().unwrap().len() >= 2,
        "{}",
        bundle["redactions"]
    );
    assert_eq!(bundle["tenant"]["platform"], "airia");
}

/// Ticks the wizard can prove itself: the SSO step's boxes, recorded expiry dates and a
/// finished rotation (the history line the rotation walkthrough writes).
#[test]
fn the_checklist_ticks_what_the_wizard_already_knows() {
    let tmp = tempfile::tempdir().unwrap();
    let store = ProfileStore::at(tmp.path());
    let now = Utc::now();
    let mut profile = store
        .create("Known", PlatformId::Airia, IdpId::Entra, now)
        .unwrap();
    profile.sso.break_glass_confirmed = true;
    profile.sso.assignment_confirmed = true;
    for (id, kind) in [
        ("secret-1", CredentialKind::ClientSecret),
        ("scim-1", CredentialKind::ScimToken),
    ] {
        profile.credentials.push(CredentialMeta {
            id: id.to_owned(),
            kind,
            label: id.to_owned(),
            origin: CredentialOrigin::Imported,
            created_at: now,
            expires_at: Some(now + chrono::Duration::days(90)),
            last4: "abcd".to_owned(),
            last_verified_at: None,
            state: CredentialState::Active,
            session_only: false,
        });
    }
    let rotation: sso_scim_wizard::model::rotation::RotationState =
        serde_json::from_value(serde_json::json!({
            "credential_id": "secret-0",
            "kind": "client-secret",
            "pending_credential_id": "secret-1",
            "step": "done",
            "started_at": now,
        }))
        .unwrap();
    profile.history.push(HistoryEntry {
        at: now,
        event: sso_scim_wizard::wizard::rotation::summary(&rotation),
    });
    store.save(&profile).unwrap();

    let review =
        sso_scim_wizard::export::checklist::ChecklistReview::for_profile(catalog(), &profile);
    for id in [
        "bg-local-admin",
        "assign-sso-app",
        "cred-secret-expiry-recorded",
        "cred-scim-token-expiry-recorded",
        "rotate-safe-order",
        "rotate-secret-overlap",
    ] {
        let entry = review.items.iter().find(|e| e.item.id == id).unwrap();
        assert!(
            entry.is_done() && !entry.ticked,
            "{id} is not known: {entry:?}"
        );
    }
    for (group, done) in review.progress().iter().map(|p| (p.group, p.done)) {
        use sso_scim_wizard::catalog::ChecklistGroup;
        if matches!(
            group,
            ChecklistGroup::BreakGlass
                | ChecklistGroup::RotationReadiness
                | ChecklistGroup::CredentialsExpiry
                | ChecklistGroup::AssignmentScope
        ) {
            assert!(done > 0, "{group:?} shows 0 done");
        }
    }

    // The Review step shows them ticked (and not as boxes to tick by hand).
    let mut h = review_harness(tmp.path(), &profile.id, Arc::new(MemoryStore::new()));
    let break_glass = catalog()
        .checklist
        .iter()
        .find(|i| i.id == "bg-local-admin")
        .unwrap()
        .text
        .clone();
    step_until(&mut h, "the checklist", |h| {
        h.query_by_role_and_label(Role::CheckBox, &break_glass)
            .is_some()
    });
    assert_eq!(checkbox_state(&h, &break_glass), Some(Toggled::True));
    assert!(
        h.query_all_by_label_contains("Confirmed in the SSO app step")
            .next()
            .is_some()
    );
}

/// The paint of each progress bar in Review: (its value in percent, how many rectangles
/// inside it are filled with the bar's fill colour).
fn progress_fills(h: &Harness<'_, WizardApp>) -> Vec<(f64, usize)> {
    let fill = h.ctx.global_style().visuals.selection.bg_fill;
    let shapes = &h.output().shapes;
    h.query_all_by_role(Role::ProgressIndicator)
        .map(|bar| {
            let value = bar.accesskit_node().numeric_value().unwrap();
            let bounds = bar.rect().expand(0.5);
            let filled = shapes
                .iter()
                .filter(|clipped| match &clipped.shape {
                    egui::Shape::Rect(rect) => {
                        rect.fill == fill
                            && rect.rect.width() > 0.0
                            && bounds.contains_rect(rect.rect)
                    }
                    _ => false,
                })
                .count();
            (value, filled)
        })
        .collect()
}

#[test]
fn a_group_with_nothing_done_draws_an_empty_progress_track() {
    let tmp = tempfile::tempdir().unwrap();
    let store = ProfileStore::at(tmp.path());
    let profile = saved_profile(&store);
    let mut h = review_harness(tmp.path(), &profile.id, Arc::new(MemoryStore::new()));
    h.run();
    let bars = progress_fills(&h);
    assert!(
        bars.iter().any(|(value, _)| *value == 0.0),
        "a group at 0: {bars:?}"
    );
    assert!(
        bars.iter().any(|(value, _)| *value > 0.0),
        "a group under way: {bars:?}"
    );
    for (value, filled) in bars {
        if value == 0.0 {
            assert_eq!(
                filled, 0,
                "a bar at 0 % draws no fill (no blob at its start)"
            );
        } else {
            assert_eq!(filled, 1, "a bar at {value} % draws its fill");
        }
    }
}

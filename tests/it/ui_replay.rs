//! UI test of "Will <IdP> provisioning work?" on the Test SCIM step, headless with
//! `egui_kittest` against the real SCIM server: a consent dialog names what will be
//! created, nothing is sent before yes, then the replay shows as the IdP's timeline.

#![expect(
    clippy::disallowed_methods,
    reason = "the test thread waits for background tasks and the test server; no frame is blocked"
)]

use crate::support;

use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{By, Queryable as _};
use sso_scim_wizard::ui::WizardApp;
use sso_scim_wizard::wizard::StepId;

use crate::ui_support;
use ui_support::step_until;

fn harness(dir: &std::path::Path) -> Harness<'static, WizardApp> {
    Harness::builder()
        .with_size(egui::vec2(1200.0, 900.0))
        .build_ui_state(
            |ui, app: &mut WizardApp| app.ui(ui),
            WizardApp::for_tests(dir),
        )
}

fn type_into(h: &mut Harness<'_, WizardApp>, role: Role, label: &str, text: &str) {
    h.get_by_role_and_label(role, label).focus();
    h.step();
    h.get_by_role_and_label(role, label).type_text(text);
    h.step();
    h.step();
}

fn click(h: &mut Harness<'_, WizardApp>, role: Role, label: &str) {
    h.get_by_role_and_label(role, label).scroll_to_me();
    h.step();
    click_in_dialog(h, role, label);
}

fn click_in_dialog(h: &mut Harness<'_, WizardApp>, role: Role, label: &str) {
    h.get_by_role_and_label(role, label).click();
    h.step();
    h.step();
}

fn shows(h: &Harness<'_, WizardApp>, text: &str) -> bool {
    h.query_all_by_label_contains(text).next().is_some()
}

fn wait_real_time(h: &mut Harness<'_, WizardApp>, duration: Duration) {
    let until = Instant::now() + duration;
    while Instant::now() < until {
        std::thread::sleep(Duration::from_millis(40));
        h.step();
    }
}

#[test]
fn the_entra_replay_asks_first_then_shows_the_timeline_with_the_failed_remove() {
    let (Some(base), Some(token)) = (
        support::peer("SSW_SCIM_BASE_URL"),
        support::peer("SSW_SCIM_TOKEN"),
    ) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let mut h = harness(tmp.path());
    step_until(&mut h, "the tenant list", |h| {
        shows(h, "No saved tenants yet")
    });
    type_into(&mut h, Role::TextInput, "Tenant name", "Contoso replay");
    click(&mut h, Role::Button, "Create tenant");
    step_until(&mut h, "the new tenant", |h| h.state().profile().is_some());
    h.get(By::new().role(Role::Button).label_contains("SCIM app"))
        .click();
    h.step();
    h.step();
    click(&mut h, Role::CheckBox, "Type the whole URL myself instead");
    type_into(&mut h, Role::TextInput, "SCIM base URL", &base);
    assert_eq!(h.state().profile().unwrap().scim.base_url, base);
    type_into(&mut h, Role::PasswordInput, "SCIM token", &token);
    click(&mut h, Role::Button, "Store token");
    step_until(&mut h, "the stored token", |h| {
        h.state().profile().unwrap().scim.token_credential.is_some()
    });
    click(
        &mut h,
        Role::CheckBox,
        "I checked these mappings in Microsoft Entra ID",
    );
    click(
        &mut h,
        Role::CheckBox,
        "The SCIM app provisions assigned users and groups only",
    );
    click(&mut h, Role::Button, "Next");
    assert_eq!(h.state().current_step(), StepId::TestScim);
    // An Entra tenant is offered Entra's sequence only.
    for other in [
        "Will Okta provisioning work?",
        "Will OneLogin provisioning work?",
    ] {
        assert!(h.query_by_label(other).is_none(), "{other} shown");
    }

    click(&mut h, Role::Button, "Will Entra ID provisioning work?");
    assert!(
        shows(&h, "Replay Entra ID provisioning?"),
        "the consent dialog is open"
    );
    assert!(shows(&h, "ssw-probe-"), "it names what it creates");
    wait_real_time(&mut h, Duration::from_secs(1));
    assert!(
        !shows(&h, "Member can be removed"),
        "nothing runs while the dialog is open"
    );
    click_in_dialog(&mut h, Role::Button, "Cancel");
    assert!(!shows(&h, "Replay Entra ID provisioning?"));

    click(&mut h, Role::Button, "Will Entra ID provisioning work?");
    click_in_dialog(&mut h, Role::Button, "Run the replay");
    step_until(&mut h, "the replay's clean-up", |h| {
        shows(h, "Clean-up removed everything the replay created")
    });
    for phase in [
        "Connect",
        "Create users",
        "Update",
        "Deactivate",
        "Groups",
        "Delete",
    ] {
        assert!(shows(&h, phase), "the timeline has the {phase} phase");
    }
    assert!(shows(&h, "Member can be removed in Entra's default form"));
    assert!(
        shows(&h, "Needs a change")
            && shows(
                &h,
                "✖ Member can be removed in Entra's default form (Groups)"
            ),
        "the failed steps are listed first, with their phase"
    );
    assert!(
        shows(&h, "without the aadOptscim062020 flag"),
        "the failed step says which Entra mode it matters for"
    );
}

//! UI test of the SCIM half, headless with `egui_kittest`: fill in the SCIM app step, run the
//! checks against the real SCIM server, see the findings; the write probe asks first and
//! writes nothing until the admin agrees.

#![expect(
    clippy::disallowed_methods,
    reason = "the test thread waits for background tasks and the test server; no frame is blocked"
)]
#![expect(
    clippy::unwrap_used,
    reason = "test helpers: an unexpected error or missing value is the test failing"
)]

use crate::support;

use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{By, NodeT as _, Queryable as _};
use sso_scim_wizard::diagnostics::Status;
use sso_scim_wizard::model::PlatformId;
use sso_scim_wizard::probes::http::{Client, Policy, Request};
use sso_scim_wizard::secrets::Secret;
use sso_scim_wizard::ui::WizardApp;
use sso_scim_wizard::wizard::StepId;

fn harness(dir: &std::path::Path) -> Harness<'static, WizardApp> {
    Harness::builder()
        .with_size(egui::vec2(1200.0, 900.0))
        .build_ui_state(
            |ui, app: &mut WizardApp| app.ui(ui),
            WizardApp::for_tests(dir),
        )
}

use crate::ui_support;
use ui_support::step_until;

fn type_into(h: &mut Harness<'_, WizardApp>, role: Role, label: &str, text: &str) {
    h.get_by_role_and_label(role, label).focus();
    h.step();
    h.get_by_role_and_label(role, label).type_text(text);
    // One frame applies the typing, the next shows what the step made of it.
    h.step();
    h.step();
}

/// Scrolls a control into view (the step is taller than the window), then clicks it.
fn click(h: &mut Harness<'_, WizardApp>, role: Role, label: &str) {
    h.get_by_role_and_label(role, label).scroll_to_me();
    h.step();
    click_in_dialog(h, role, label);
}

/// Clicks a control of a dialog, which is always in view. (Scrolling to a node of an egui
/// modal leaves kittest's pointer clicks ignored afterwards, so dialogs get no scroll.)
fn click_in_dialog(h: &mut Harness<'_, WizardApp>, role: Role, label: &str) {
    h.get_by_role_and_label(role, label).click();
    h.step();
    h.step();
}

/// Keeps the UI running for `duration` of wall-clock time (background tasks use real time).
fn wait_real_time(h: &mut Harness<'_, WizardApp>, duration: Duration) {
    let until = Instant::now() + duration;
    while Instant::now() < until {
        std::thread::sleep(Duration::from_millis(40));
        h.step();
    }
}

/// True when some node's label contains `text` (the nav bar may repeat a step's message).
fn shows(h: &Harness<'_, WizardApp>, text: &str) -> bool {
    h.query_all_by_label_contains(text).next().is_some()
}

/// How many users with this userName the server holds.
fn users_named(base: &str, token: &str, user_name: &str) -> u64 {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut url: url::Url = format!("{base}/Users").parse().unwrap();
    url.query_pairs_mut()
        .append_pair("filter", &format!("userName eq \"{user_name}\""));
    let client = Client::new(Policy::default()).unwrap();
    #[expect(
        clippy::disallowed_methods,
        reason = "a test outside any frame waits for the server"
    )]
    let response = runtime
        .block_on(client.send(Request::get(url).bearer(Secret::new(token))))
        .unwrap();
    assert_eq!(response.status.as_u16(), 200);
    response.json().unwrap()["totalResults"].as_u64().unwrap()
}

/// Opens the SCIM app step from the step rail; Next waits for the step.
fn open_scim_step(h: &mut Harness<'_, WizardApp>) {
    // The SCIM app step, from the step rail.
    h.get(By::new().role(Role::Button).label_contains("SCIM app"))
        .click();
    h.step();
    h.step();
    assert_eq!(h.state().current_step(), StepId::ScimApp);
    assert!(
        h.get_by_role_and_label(Role::Button, "Next")
            .accesskit_node()
            .is_disabled()
    );
}

/// Fills Airia's URL fields (mistakes shown as typed), then types the test server's URL.
fn fill_base_url(h: &mut Harness<'_, WizardApp>, base: &str) {
    // Airia (the default platform): the URL is built from two validated fields.
    let airia = sso_scim_wizard::catalog::catalog().platform(PlatformId::Airia);
    let (environment, org) = (&airia.scim.placeholders[0], &airia.scim.placeholders[1]);
    type_into(
        h,
        Role::TextInput,
        &environment.label,
        "https://prod.airia.ai/",
    );
    assert!(
        shows(h, "remove the trailing slash"),
        "the field's mistake is shown as typed"
    );
    h.key_press(egui::Key::Backspace);
    h.step();
    h.step();
    assert!(!shows(h, "remove the trailing slash"));
    type_into(
        h,
        Role::TextInput,
        &org.label,
        "3f2b8c1e-9a4d-4e7b-8c21-5d6f7a8b9c0d",
    );
    assert_eq!(
        h.state().profile().unwrap().scim.base_url,
        "https://prod.airia.ai/auth/realms/airia/org/3f2b8c1e-9a4d-4e7b-8c21-5d6f7a8b9c0d/scim/v2"
    );

    // The test server is not an Airia URL: type the whole URL instead, with a mistake first…
    click(h, Role::CheckBox, "Type the whole URL myself instead");
    h.get_by_role_and_label(Role::TextInput, "SCIM base URL")
        .focus();
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.step();
    h.get_by_role_and_label(Role::TextInput, "SCIM base URL")
        .type_text(&format!("{base}/Users"));
    h.step();
    h.step();
    assert_eq!(
        h.state().profile().unwrap().scim.base_url,
        format!("{base}/Users")
    );
    assert!(
        shows(h, "Remove /Users from the end"),
        "the /Users mistake is shown"
    );
    // …then corrected.
    for _ in 0.."/Users".len() {
        h.key_press(egui::Key::Backspace);
    }
    h.step();
    h.step();
    assert_eq!(h.state().profile().unwrap().scim.base_url, base);
    assert!(!shows(h, "Remove /Users"));
}

/// Stores the token (never in the profile), ticks the confirmations and goes on.
fn store_token_and_confirm(h: &mut Harness<'_, WizardApp>, token: &str) {
    // The token goes to the secret store, never to the profile.
    type_into(h, Role::PasswordInput, "SCIM token", token);
    click(h, Role::Button, "Store token");
    step_until(h, "the stored token", |h| {
        h.state().profile().unwrap().scim.token_credential.is_some()
    });
    h.step();
    assert!(
        h.query_by_label_contains(&format!("•••• {}", &token[token.len() - 4..]))
            .is_some()
    );
    let saved = serde_json::to_string(h.state().profile().unwrap()).unwrap();
    assert!(
        !saved.contains(token),
        "the token must never be in the profile"
    );

    click(
        h,
        Role::CheckBox,
        "I checked these mappings in Microsoft Entra ID",
    );
    click(
        h,
        Role::CheckBox,
        "The SCIM app provisions assigned users and groups only",
    );
    assert!(
        !h.get_by_role_and_label(Role::Button, "Next")
            .accesskit_node()
            .is_disabled(),
        "the step is complete"
    );
    click(h, Role::Button, "Next");
    assert_eq!(h.state().current_step(), StepId::TestScim);
}

/// Runs the read-only checks and sees the findings.
fn run_read_checks(h: &mut Harness<'_, WizardApp>) {
    // The read-only checks.
    click(h, Role::Button, "Run checks");
    step_until(h, "the SCIM report", |h| {
        h.state().profile().unwrap().last_scim_report.is_some()
    });
    h.step();
    let report = h
        .state()
        .profile()
        .unwrap()
        .last_scim_report
        .clone()
        .unwrap()
        .report;
    assert!(!report.has_failures(), "{}", report.to_text());
    assert!(
        report.finding("scim.write.create").is_none(),
        "no write probe without consent"
    );
    assert!(shows(h, "Token is accepted"), "findings are listed");
    assert!(shows(h, "Last run"));
}

/// Opens the write probe dialog and cancels: nothing is written either way.
fn consent_then_cancel(h: &mut Harness<'_, WizardApp>, base: &str, token: &str) {
    // The write probe: a dialog first, naming the user; nothing is written before yes.
    click(h, Role::Button, "Run with write probe…");
    assert!(
        h.query_by_label("Create a test user?").is_some(),
        "the consent dialog is open"
    );
    let node = h.get_by_label_contains("Creates one user with userName");
    let line = node
        .accesskit_node()
        .label()
        .or_else(|| node.value())
        .unwrap_or_default();
    let user_name = line
        .split_whitespace()
        .find(|w| w.starts_with("ssw-probe-"))
        .unwrap()
        .to_owned();
    // A run started too early would be done within a second and show up in the report.
    let wrote = |h: &Harness<'_, WizardApp>| {
        h.state()
            .profile()
            .unwrap()
            .last_scim_report
            .as_ref()
            .unwrap()
            .report
            .finding("scim.write.create")
            .is_some()
    };
    wait_real_time(h, Duration::from_secs(1));
    assert!(!wrote(h), "nothing may run while the dialog is open");
    assert!(!shows(h, "checks done"), "no check is running");
    assert_eq!(
        users_named(base, token, &user_name),
        0,
        "nothing written while the dialog is open"
    );
    click_in_dialog(h, Role::Button, "Cancel");
    assert!(h.query_by_label("Create a test user?").is_none());
    wait_real_time(h, Duration::from_secs(1));
    assert!(!wrote(h), "nothing may run after Cancel");
    assert_eq!(
        users_named(base, token, &user_name),
        0,
        "nothing written after Cancel"
    );
}

/// Agrees to the write probe and sees every write check pass.
fn consent_and_run_write_probe(h: &mut Harness<'_, WizardApp>, token: &str) {
    // Asked again: the dialog opens again (and names a new probe user).
    click(h, Role::Button, "Run with write probe…");
    assert!(h.query_by_label("Create a test user?").is_some());
    click_in_dialog(h, Role::Button, "Create and delete the test user");
    step_until(h, "the write probe report", |h| {
        h.state()
            .profile()
            .and_then(|p| p.last_scim_report.as_ref())
            .is_some_and(|r| r.report.finding("scim.write.delete").is_some())
    });
    let report = h
        .state()
        .profile()
        .unwrap()
        .last_scim_report
        .clone()
        .unwrap()
        .report;
    for id in [
        "scim.write.create",
        "scim.write.duplicate",
        "scim.write.patch",
        "scim.write.delete",
    ] {
        assert_eq!(
            report.finding(id).unwrap().status,
            Status::Pass,
            "{id}: {}",
            report.to_text()
        );
    }
    assert!(!report.to_json().contains(token));
}

#[test]
fn fill_the_scim_step_run_the_checks_and_consent_before_the_write_probe() {
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
    type_into(&mut h, Role::TextInput, "Tenant name", "Contoso SCIM");
    click(&mut h, Role::Button, "Create tenant");
    step_until(&mut h, "the new tenant", |h| h.state().profile().is_some());

    open_scim_step(&mut h);
    fill_base_url(&mut h, &base);
    store_token_and_confirm(&mut h, &token);
    run_read_checks(&mut h);
    consent_then_cancel(&mut h, &base, &token);
    consent_and_run_write_probe(&mut h, &token);
}

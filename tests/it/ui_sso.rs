//! UI tests of the SSO half, headless with `egui_kittest`, against the real test OpenID
//! Provider: fill in the SSO app step (mistakes marked as typed, the secret kept out of
//! the profile, the redirect URI compared), run the checks from the Test SSO step and see
//! the findings; a failing client check is listed first with its fix; a test login driven
//! by `$SSW_TEST_BROWSER` shows the claims, and Cancel stops a waiting one.

#![expect(
    clippy::unwrap_used,
    reason = "test set-up: a failure is the test failing"
)]

use crate::support;

use std::sync::Arc;

use chrono::Utc;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{By, NodeT as _, Queryable as _};
use sso_scim_wizard::catalog::catalog;
use sso_scim_wizard::diagnostics::Status;
use sso_scim_wizard::model::{
    CredentialKind, CredentialMeta, CredentialOrigin, CredentialState, IdTokenSigning, IdpId,
    PlatformId, Profile,
};
use sso_scim_wizard::secrets::{MemoryStore, Secret, SecretStore, account};
use sso_scim_wizard::ui::WizardApp;
use sso_scim_wizard::ui::steps::test_sso::{Browser, TestSsoStep};
use sso_scim_wizard::ui::steps::{Step as _, StepEnv};
use sso_scim_wizard::ui::widgets::toasts::Toasts;
use sso_scim_wizard::wizard::StepId;

use crate::ui_support;
use ui_support::step_until;

fn type_into<S>(h: &mut Harness<'_, S>, role: Role, label: &str, text: &str) {
    h.get_by_role_and_label(role, label).scroll_to_me();
    h.step();
    h.get_by_role_and_label(role, label).focus();
    h.step();
    h.get_by_role_and_label(role, label).type_text(text);
    h.step();
    h.step();
}

fn click<S>(h: &mut Harness<'_, S>, role: Role, label: &str) {
    h.get_by_role_and_label(role, label).scroll_to_me();
    h.step();
    h.get_by_role_and_label(role, label).click();
    h.step();
    h.step();
}

fn shows<S>(h: &Harness<'_, S>, text: &str) -> bool {
    h.query_all_by_label_contains(text).next().is_some()
}

fn next_disabled(h: &Harness<'_, WizardApp>) -> bool {
    h.get_by_role_and_label(Role::Button, "Next")
        .accesskit_node()
        .is_disabled()
}

fn app_harness(dir: &std::path::Path) -> Harness<'static, WizardApp> {
    let h = Harness::builder()
        .with_size(egui::vec2(1280.0, 900.0))
        .build_ui_state(
            |ui, app: &mut WizardApp| app.ui(ui),
            WizardApp::for_tests(dir),
        );
    add_arrow_glyph_fallback(&h.ctx);
    h
}

/// The catalog's walkthroughs use "→", which egui's proportional fonts lack (the bundled
/// monospace Hack has it); until the theme installs that fallback, the test does.
fn add_arrow_glyph_fallback(ctx: &egui::Context) {
    let mut fonts = egui::FontDefinitions::default();
    if let Some(family) = fonts.families.get_mut(&egui::FontFamily::Proportional) {
        family.push("Hack".to_owned());
    }
    ctx.set_fonts(fonts);
}

fn pick<S>(h: &mut Harness<'_, S>, combo: &str, option: &str) {
    click(h, Role::ComboBox, combo);
    h.get(By::new().role(Role::Button).label(option)).click();
    h.step();
    h.step();
}

/// Creates a Claresia tenant with a generic OIDC provider from the Tenant step.
fn create_tenant(h: &mut Harness<'_, WizardApp>) {
    step_until(h, "the tenant list", |h| shows(h, "No saved tenants yet"));
    type_into(h, Role::TextInput, "Tenant name", "Contoso SSO");
    pick(h, "Platform", "Claresia");
    pick(h, "Identity provider", "Other OIDC provider");
    click(h, Role::Button, "Create tenant");
    step_until(h, "the new tenant", |h| h.state().profile().is_some());
    assert_eq!(
        h.state().profile().map(|p| (p.platform, p.idp)),
        Some((PlatformId::Claresia, IdpId::Generic))
    );
}

#[test]
fn fill_the_sso_step_run_the_checks_and_see_findings() {
    let (Some(issuer), Some(client_id), Some(secret)) = (
        support::peer("SSW_OIDC_ISSUER"),
        support::peer("SSW_OIDC_CLIENT_ID"),
        support::peer("SSW_OIDC_CLIENT_SECRET"),
    ) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let mut h = app_harness(tmp.path());
    create_tenant(&mut h);
    h.get(By::new().role(Role::Button).label_contains("SSO app"))
        .click();
    h.step();
    h.step();
    assert_eq!(h.state().current_step(), StepId::SsoApp);
    assert!(next_disabled(&h));
    assert!(
        shows(&h, "Enter the issuer URL"),
        "Next says why it is disabled"
    );

    // A pasted discovery URL is marked at once, then corrected.
    type_into(
        &mut h,
        Role::TextInput,
        "Issuer URL",
        &format!("{issuer}/.well-known/openid-configuration"),
    );
    assert!(shows(&h, "remove /.well-known/openid-configuration"));
    for _ in 0.."/.well-known/openid-configuration".len() {
        h.key_press(egui::Key::Backspace);
    }
    h.step();
    h.step();
    assert_eq!(h.state().profile().unwrap().sso.issuer, issuer);
    assert!(!shows(&h, "remove /.well-known"));

    type_into(&mut h, Role::TextInput, "Client ID", &client_id);

    // The secret goes to the secret store, never to the profile.
    type_into(&mut h, Role::PasswordInput, "Client secret", &secret);
    click(&mut h, Role::Button, "Store secret");
    step_until(&mut h, "the stored secret", |h| {
        h.state()
            .profile()
            .unwrap()
            .sso
            .client_secret_credential
            .is_some()
    });
    h.step();
    assert!(shows(&h, &format!("•••• {}", &secret[secret.len() - 4..])));
    let saved = serde_json::to_string(h.state().profile().unwrap()).unwrap();
    assert!(
        !saved.contains(&secret),
        "the secret must never be in the profile"
    );

    // Claresia's scopes are filled in, offline_access included.
    let scopes = h
        .get_by_role_and_label(Role::TextInput, "Scopes")
        .value()
        .unwrap_or_default();
    assert_eq!(scopes, "openid profile email offline_access");

    // The redirect URI helper names the difference and blocks Next until it is fixed.
    assert!(
        shows(&h, "https://api.workos.com/sso/oidc/callback"),
        "the expected URI is shown"
    );
    type_into(
        &mut h,
        Role::TextInput,
        &format!(
            "Redirect URI registered in {}",
            catalog().idp(IdpId::Generic).name
        ),
        "https://api.workos.com/sso/oidc/callback/",
    );
    assert!(shows(
        &h,
        "Trailing slash: the IdP's URI ends with /, the platform's does not"
    ));
    h.key_press(egui::Key::Backspace);
    h.step();
    h.step();
    assert!(shows(&h, "Identical, character for character"));

    click(
        &mut h,
        Role::CheckBox,
        "Users or groups are assigned to the SSO app",
    );
    assert!(next_disabled(&h));
    click(
        &mut h,
        Role::CheckBox,
        "A break-glass admin can sign in without SSO",
    );
    assert!(!next_disabled(&h), "the step is complete");
    // Settles the frame; kittest then fails on any input without an accessible name.
    h.run();

    run_the_checks_and_see_findings(&mut h, &issuer);
}

/// From a complete SSO app step: Next, run the checks, and read the findings.
fn run_the_checks_and_see_findings(h: &mut Harness<'_, WizardApp>, issuer: &str) {
    click(h, Role::Button, "Next");
    assert_eq!(h.state().current_step(), StepId::TestSso);
    click(h, Role::Button, "Run the checks");
    step_until(h, "the OIDC report", |h| {
        h.state().profile().unwrap().last_oidc_report.is_some()
    });
    h.step();
    let stored = h
        .state()
        .profile()
        .unwrap()
        .last_oidc_report
        .clone()
        .unwrap();
    assert_eq!(stored.report.target, issuer);
    assert_eq!(stored.report.summary.fail, 0, "{}", stored.report.to_text());
    let client_auth = stored.report.finding("oidc.client_auth").unwrap();
    assert_eq!(client_auth.status, Status::Pass, "{}", client_auth.detail);
    assert!(shows(h, "1 warning, 0 failed"), "the summary is shown");
    assert!(shows(h, "Client id and secret accepted"));
    assert!(
        shows(h, "Plain http on this computer only"),
        "the https warning's detail is shown"
    );
    assert!(shows(h, "How to fix:"));
    // A passing client check marks the stored secret as verified.
    let profile = h.state().profile().unwrap();
    let meta = profile
        .credential(profile.sso.client_secret_credential.as_deref().unwrap())
        .unwrap();
    assert!(meta.last_verified_at.is_some());
    assert!(shows(h, "Run the checks again"));
}

/// The Test SSO step alone, with its own profile, secret store and runtime.
struct StepState {
    step: TestSsoStep,
    profile: Profile,
    runtime: tokio::runtime::Runtime,
    secrets: Arc<dyn SecretStore>,
    toasts: Toasts,
}

impl StepState {
    fn new(profile: Profile, browser: Browser) -> Self {
        Self {
            step: TestSsoStep::with_browser(browser),
            profile,
            runtime: tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap(),
            secrets: Arc::new(MemoryStore::new()),
            toasts: Toasts::default(),
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui) {
        let mut env = StepEnv {
            profile: &mut self.profile,
            catalog: catalog(),
            now: Utc::now(),
            runtime: self.runtime.handle(),
            secrets: &self.secrets,
            toasts: &mut self.toasts,
        };
        self.step.ui(ui, &mut env);
    }

    /// Stores `secret` as the profile's client secret.
    fn with_secret(mut self, secret: &str) -> Self {
        let id = "client-secret-test01".to_owned();
        self.secrets
            .put(&account(&self.profile.id, &id), &Secret::new(secret))
            .unwrap();
        self.profile.sso.client_secret_credential = Some(id.clone());
        self.profile.credentials.push(CredentialMeta {
            id,
            kind: CredentialKind::ClientSecret,
            label: "test".to_owned(),
            origin: CredentialOrigin::Imported,
            created_at: Utc::now(),
            expires_at: None,
            last4: Secret::new(secret).last4(),
            last_verified_at: None,
            state: CredentialState::Active,
            session_only: true,
        });
        self
    }
}

fn step_harness(state: StepState) -> Harness<'static, StepState> {
    let h = Harness::builder()
        .with_size(egui::vec2(1100.0, 2400.0))
        .build_ui_state(|ui, state: &mut StepState| state.ui(ui), state);
    add_arrow_glyph_fallback(&h.ctx);
    h
}

fn profile(issuer: &str, client_id: &str) -> Profile {
    let mut profile = Profile::new(
        "t-sso".into(),
        "SSO".into(),
        PlatformId::Airia,
        IdpId::Generic,
        Utc::now(),
    );
    issuer.clone_into(&mut profile.sso.issuer);
    client_id.clone_into(&mut profile.sso.client_id);
    profile
}

fn no_browser() -> Browser {
    Arc::new(|_: &str| Ok(()))
}

#[test]
fn a_rejected_secret_is_listed_first_with_how_to_fix() {
    let (Some(issuer), Some(client_id)) = (
        support::peer("SSW_OIDC_ISSUER"),
        support::peer("SSW_OIDC_CLIENT_ID"),
    ) else {
        return;
    };
    let state = StepState::new(profile(&issuer, &client_id), no_browser())
        .with_secret("an-expired-secret-9999");
    let mut h = step_harness(state);
    h.step();
    click(&mut h, Role::Button, "Run the checks");
    step_until(&mut h, "the OIDC report", |h| {
        h.state().profile.last_oidc_report.is_some()
    });
    h.step();
    assert!(shows(&h, "0 warnings, 1 failed") || shows(&h, "1 warning, 1 failed"));
    // Failures first: the failed client check sits above every passed check.
    let failed = h.get_by_label("✖ Failed").rect().top();
    let first_passed = h
        .query_all_by_label("✔ Passed")
        .map(|n| n.rect().top())
        .fold(f32::INFINITY, f32::min);
    assert!(
        failed < first_passed,
        "failed at {failed}, first pass at {first_passed}"
    );
    assert!(shows(&h, "rejected client id"));
    assert!(shows(&h, "invalid_client"));
    assert!(shows(&h, "How to fix:"));
    assert!(
        !shows(&h, "an-expired-secret-9999"),
        "the secret is never shown"
    );
    assert!(
        h.query_all_by_label("What does this mean?").count() >= 1,
        "the finding links to its troubleshooting entry"
    );
}

#[test]
fn a_test_login_shows_the_claims_and_the_missing_ones() {
    let (Some(issuer), Some(client_id), Some(browser)) = (
        support::peer("SSW_OIDC_ISSUER"),
        support::peer("SSW_OIDC_PUBLIC_CLIENT_ID"),
        support::peer("SSW_TEST_BROWSER"),
    ) else {
        return;
    };
    let opener: Browser = Arc::new(move |url: &str| {
        let status = std::process::Command::new(&browser)
            .arg(url)
            .status()
            .map_err(|err| err.to_string())?;
        if status.success() {
            Ok(())
        } else {
            Err(status.to_string())
        }
    });
    let mut h = step_harness(StepState::new(profile(&issuer, &client_id), opener));
    h.step();
    click(&mut h, Role::Button, "Test login…");
    assert!(h.state().step.is_logging_in());
    step_until(&mut h, "the test login", |h| {
        !h.state().step.is_logging_in()
    });
    h.step();
    assert!(
        shows(&h, "Signed in; the ID token is signed"),
        "the login succeeded"
    );
    assert!(shows(&h, "alice@example.com"), "the email claim is shown");
    assert!(shows(&h, "ssw-admins, ssw-users"), "the groups are shown");
    // Airia needs given_name, family_name and email, which this IdP sends from userinfo only.
    assert!(shows(&h, "come only from the userinfo endpoint"));
}

#[test]
fn cancel_stops_a_waiting_test_login() {
    let Some(issuer) = support::peer("SSW_OIDC_ISSUER") else {
        return;
    };
    let mut h = step_harness(StepState::new(profile(&issuer, "ssw-public"), no_browser()));
    h.step();
    click(&mut h, Role::Button, "Test login…");
    step_until(&mut h, "the waiting line", |h| {
        shows(h, "Waiting for the sign-in in your browser")
    });
    click(&mut h, Role::Button, "Cancel");
    step_until(&mut h, "the cancelled login", |h| {
        !h.state().step.is_logging_in()
    });
    h.step();
    assert!(shows(&h, "The test login was cancelled"));
}

#[test]
fn entra_issuer_is_built_from_the_tenant_id_and_a_domain_is_marked() {
    let tmp = tempfile::tempdir().unwrap();
    let mut h = app_harness(tmp.path());
    step_until(&mut h, "the tenant list", |h| {
        shows(h, "No saved tenants yet")
    });
    // The defaults: Airia with Microsoft Entra ID.
    type_into(&mut h, Role::TextInput, "Tenant name", "Contoso Entra");
    click(&mut h, Role::Button, "Create tenant");
    step_until(&mut h, "the new tenant", |h| h.state().profile().is_some());
    h.get(By::new().role(Role::Button).label_contains("SSO app"))
        .click();
    h.step();
    h.step();
    assert!(
        shows(&h, "Set up the SSO app in Microsoft Entra ID"),
        "the walkthrough is shown"
    );
    assert!(h.query_all_by_label("Open in browser").count() >= 1);

    type_into(
        &mut h,
        Role::TextInput,
        "Directory (tenant) ID",
        "contoso.onmicrosoft.com",
    );
    assert!(
        shows(&h, "looks like a domain name"),
        "a domain instead of the GUID is marked"
    );
    assert_eq!(h.state().profile().unwrap().sso.issuer, "");
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.step();
    type_into(
        &mut h,
        Role::TextInput,
        "Directory (tenant) ID",
        "5a1c2b3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
    );
    assert!(!shows(&h, "looks like a domain name"));
    assert_eq!(
        h.state().profile().unwrap().sso.issuer,
        "https://login.microsoftonline.com/5a1c2b3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d/v2.0"
    );

    // Entra's client ID is a GUID: a pasted secret value is marked.
    type_into(&mut h, Role::TextInput, "Client ID", "Q8k~abc.secret-value");
    assert!(shows(&h, "Application (client) ID is a GUID"));

    // Allowed domains (Airia routes by email domain): a leading @ is explained.
    type_into(
        &mut h,
        Role::TextInput,
        "Allowed email domains",
        "@contoso.com",
    );
    assert!(shows(&h, "Write contoso.com without the @"));

    // Entra's secret lifetimes are offered, the suggested one first.
    let lifetime = h.get_by_role_and_label(Role::ComboBox, "Secret expires");
    assert_eq!(lifetime.value().as_deref(), Some("180 days (6 months)"));

    // Issue #14: the secret's ID (a GUID) pasted as the secret is marked and cannot be
    // stored.
    type_into(
        &mut h,
        Role::PasswordInput,
        "Client secret",
        "0f4e3d2c-1b0a-4987-8654-3210fedcba98",
    );
    assert!(shows(&h, "This is a GUID, which is the secret's ID"));
    assert!(
        h.get_by_role_and_label(Role::Button, "Store secret")
            .accesskit_node()
            .is_disabled()
    );
    h.run();
}

use crate::hostile;

#[test]
#[expect(
    clippy::disallowed_methods,
    reason = "starts the test servers on the step's runtime before the first frame"
)]
fn a_token_endpoint_on_another_origin_is_trusted_once_and_kept_in_the_profile() {
    const SECRET: &str = "ui-confirm-client-secret-0042";
    let mut state =
        StepState::new(profile("http://placeholder", "app"), no_browser()).with_secret(SECRET);
    let other = state.runtime.block_on(hostile::serve_ipv6(|_| {
        hostile::Reply::json(
            200,
            &serde_json::json!({"access_token": "granted", "token_type": "Bearer"}),
        )
    }));
    let other_base = other.base.clone();
    let issuer = state.runtime.block_on(hostile::serve(move |seen| {
        if seen.path() == "/jwks" {
            return hostile::Reply::json(
                200,
                &serde_json::json!({"keys": [hostile::public_rsa_key("rsa")]}),
            );
        }
        let mut doc = hostile::document(&seen.base);
        doc["token_endpoint"] = serde_json::json!(format!("{other_base}/token"));
        hostile::Reply::json(200, &doc)
    }));
    state.profile.sso.issuer.clone_from(&issuer.base);
    let mut h = step_harness(state);
    h.step();
    click(&mut h, Role::Button, "Run the checks");
    step_until(&mut h, "the OIDC report", |h| {
        h.state().profile.last_oidc_report.is_some()
    });
    h.step();
    assert!(
        other.requests().is_empty(),
        "the secret went out unconfirmed"
    );
    assert!(shows(&h, "so the client secret was not sent there"));
    click(
        &mut h,
        Role::Button,
        &format!("Trust {} for this tenant", other.base),
    );
    assert_eq!(
        h.state().profile.sso.confirmed_endpoint_origins,
        std::slice::from_ref(&other.base)
    );
    assert!(!shows(&h, "so the client secret was not sent there"));
    // Run again: now the pair goes to the confirmed origin and is accepted there.
    h.state_mut().profile.last_oidc_report = None;
    h.step();
    h.step();
    click(&mut h, Role::Button, "Run the checks");
    step_until(&mut h, "the second OIDC report", |h| {
        h.state().profile.last_oidc_report.is_some()
    });
    let report = &h.state().profile.last_oidc_report.as_ref().unwrap().report;
    assert_eq!(
        report.finding("oidc.client_auth").map(|f| f.status),
        Some(Status::Pass),
        "{}",
        report.to_text()
    );
    assert!(other.requests().iter().any(|seen| seen.path() == "/token"));
}

#[test]
fn shared_secret_id_tokens_are_refused_unless_the_admin_ticks_the_box() {
    let state = StepState::new(profile("https://idp.example", "app"), no_browser());
    let mut h = step_harness(state);
    h.step();
    assert_eq!(
        h.state().profile.sso.id_token_signing,
        IdTokenSigning::PublishedKeys
    );
    click(
        &mut h,
        Role::CheckBox,
        "Accept ID tokens signed with the client secret (HS256), only if the IdP is set up that way",
    );
    assert_eq!(
        h.state().profile.sso.id_token_signing,
        IdTokenSigning::AlsoClientSecret
    );
}

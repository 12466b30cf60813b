//! The Test SSO step: runs every OIDC check ([`crate::probes::oidc`]) against what the SSO
//! app step holds, shows the findings as they arrive ("3 of 8") and failures first, and
//! saves the report in the profile; then an optional Test login through the browser
//! ([`crate::probes::login`]) that shows the claims the platform will get.
//!
//! Network work runs on the app's runtime through [`Task`]; the stored client secret is
//! read from the secret store inside that task, never in a frame, and never leaves it.
//! A running check or login is never waited for here: each frame polls once.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use tokio::sync::oneshot;

use super::{Step, StepEnv, StepOutcome};
use crate::catalog::{Platform, SsoProtocol};
use crate::checks;
use crate::diagnostics::{Finding, Report, Status, check_ids};
use crate::model::{IdTokenSigning, Profile, StoredReport};
use crate::probes::http::Policy;
use crate::probes::login::{self, ClaimSource, LoginError, LoginInput, LoginOutcome};
use crate::probes::oidc::{self, OidcInput};
use crate::probes::saml::{self, SamlOutcome};
use crate::secrets::{Secret, SecretStore};
use crate::ui::task::Task;
use crate::ui::theme::Tokens;
use crate::ui::troubleshoot;
use crate::ui::widgets::findings;
use crate::wizard::sso as rules;

/// Opens a URL in a browser; the step's is [`system_browser`], tests pass their own.
pub type Browser = Arc<dyn Fn(&str) -> Result<(), String> + Send + Sync>;

/// Findings seen so far by the running check, shared with its progress callback.
type Progress = Arc<Mutex<Vec<Finding>>>;

/// A finished check: the report, why the stored secret could not be read (if so), and the
/// endpoint origins the secret was held back from until the admin confirms them.
type CheckResult = (Report, Option<String>, Vec<String>);

/// A test login that did not end with verified claims, ready to show.
#[derive(Clone, Debug)]
pub struct LoginFailure {
    /// What happened and what to do.
    pub message: String,
    /// Text to look up in the troubleshooting catalog (the IdP's error and description).
    pub lookup: String,
    /// True when the IdP itself refused the sign-in.
    pub from_idp: bool,
}

/// State of the Test SSO step.
pub struct TestSsoStep {
    check: Task<CheckResult>,
    progress: Progress,
    secret_note: Option<String>,
    /// Origins the last check held the secret back from, offered for confirmation.
    unconfirmed_origins: Vec<String>,
    login: Task<Result<LoginOutcome, LoginFailure>>,
    cancel_login: Option<oneshot::Sender<()>>,
    login_deadline: Option<DateTime<Utc>>,
    browser: Browser,
    /// The SAML metadata test of a SAML tenant ([`crate::probes::saml`]).
    saml: Task<SamlOutcome>,
    saml_progress: Progress,
}

impl Default for TestSsoStep {
    fn default() -> Self {
        Self::with_browser(Arc::new(system_browser))
    }
}

impl std::fmt::Debug for TestSsoStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestSsoStep")
            .field("checking", &self.check.is_running())
            .field("logging_in", &self.login.is_running())
            .finish_non_exhaustive()
    }
}

impl Step for TestSsoStep {
    fn ui(&mut self, ui: &mut egui::Ui, env: &mut StepEnv<'_>) -> StepOutcome {
        self.poll(env);
        let platform = env.catalog.platform(env.profile.platform);
        ui.heading("Test SSO");
        if checks::sso_protocol(env.profile) == SsoProtocol::Saml {
            self.saml_ui(ui, env);
            return StepOutcome::Stay;
        }
        self.checks_ui(ui, env);
        ui.add_space(12.0);
        ui.separator();
        self.login_ui(ui, env, platform);
        StepOutcome::Stay
    }

    fn on_leave(&mut self, _env: &mut StepEnv<'_>) {
        // The loopback listener must not outlive the step.
        self.cancel_login();
    }
}

impl TestSsoStep {
    /// A step that opens URLs with `browser` (tests use a script instead of a real browser).
    pub fn with_browser(browser: Browser) -> Self {
        Self {
            check: Task::Idle,
            progress: Arc::default(),
            secret_note: None,
            unconfirmed_origins: Vec::new(),
            login: Task::Idle,
            cancel_login: None,
            login_deadline: None,
            browser,
            saml: Task::Idle,
            saml_progress: Arc::default(),
        }
    }

    /// True while the checks run.
    pub fn is_checking(&self) -> bool {
        self.check.is_running()
    }

    /// True while a test login waits for the browser or verifies the token.
    pub fn is_logging_in(&self) -> bool {
        self.login.is_running()
    }

    fn poll(&mut self, env: &mut StepEnv<'_>) {
        self.check.poll();
        if let Some((report, note, unconfirmed)) = self.check.take() {
            self.unconfirmed_origins = unconfirmed;
            let client_accepted = report
                .finding(oidc::CLIENT_AUTH)
                .is_some_and(|f| f.status == Status::Pass);
            if client_accepted
                && let Some(id) = env.profile.sso.client_secret_credential.clone()
                && let Some(meta) = env.profile.credentials.iter_mut().find(|c| c.id == id)
            {
                meta.last_verified_at = Some(env.now);
            }
            env.profile.last_oidc_report = Some(StoredReport {
                checked_at: env.now,
                report,
            });
            self.secret_note = note;
        }
        self.login.poll();
        if !self.login.is_running() {
            self.cancel_login = None;
            self.login_deadline = None;
        }
    }

    fn cancel_login(&mut self) {
        if let Some(cancel) = self.cancel_login.take() {
            let _ = cancel.send(());
        }
    }

    fn checks_ui(&mut self, ui: &mut egui::Ui, env: &mut StepEnv<'_>) {
        let tokens = Tokens::ui(ui);
        let issuer = env.profile.sso.issuer.trim().to_owned();
        ui.label(
            "Checks the issuer's discovery document, its signing keys and scopes, and whether the IdP accepts the client ID and secret. Nothing is changed anywhere.",
        );
        ui.horizontal_wrapped(|ui| {
            ui.label("Issuer:");
            if issuer.is_empty() {
                ui.colored_label(tokens.bad, "none yet: enter it in the SSO app step");
            } else {
                ui.label(egui::RichText::new(&issuer).monospace());
            }
        });
        let running = self.check.is_running();
        let label = if env.profile.last_oidc_report.is_some() {
            "Run the checks again"
        } else {
            "Run the checks"
        };
        let first_run = env.profile.last_oidc_report.is_none();
        let button = ui
            .add_enabled(
                !running && !issuer.is_empty(),
                if first_run {
                    crate::ui::theme::primary_button(ui, label)
                } else {
                    egui::Button::new(label)
                },
            )
            .on_disabled_hover_text(if running {
                "The checks are running"
            } else {
                "Enter the issuer first"
            });
        if button.clicked() {
            self.start_check(ui.ctx(), env);
        }
        ui.add_space(6.0);
        if running {
            running_ui(ui, env, &self.progress, check_ids::OIDC.len());
            return;
        }
        if let Some(note) = &self.secret_note {
            ui.colored_label(tokens.warn, format!("⚠ {note}"));
        }
        self.confirm_origins_ui(ui, env, &tokens);
        if let Some(stored) = &env.profile.last_oidc_report {
            stored_summary_ui(ui, &tokens, stored);
            if stored.report.target != issuer && !issuer.is_empty() {
                ui.colored_label(
                    tokens.warn,
                    "⚠ The issuer changed since: run the checks again",
                );
            }
            findings::findings_ui(ui, env.catalog, &stored.report.checks);
        }
    }

    /// Offers, once per origin, to trust the other https address the IdP's token endpoint
    /// is on; the choice is kept in the profile (DESIGN.md, "Where credentials may go").
    fn confirm_origins_ui(&mut self, ui: &mut egui::Ui, env: &mut StepEnv<'_>, tokens: &Tokens) {
        let confirmed = &mut env.profile.sso.confirmed_endpoint_origins;
        self.unconfirmed_origins
            .retain(|origin| !confirmed.contains(origin));
        let mut trusted = None;
        for origin in &self.unconfirmed_origins {
            ui.colored_label(
                tokens.warn,
                format!(
                    "⚠ The IdP's token endpoint is on {origin}, not on the issuer's address, so the client secret was not sent there. Trust it only if {origin} belongs to your IdP."
                ),
            );
            if ui
                .button(format!("Trust {origin} for this tenant"))
                .clicked()
            {
                trusted = Some(origin.clone());
            }
        }
        if let Some(origin) = trusted {
            confirmed.push(origin);
            self.unconfirmed_origins.clear();
        }
        if !confirmed.is_empty() && self.unconfirmed_origins.is_empty() {
            ui.colored_label(
                tokens.muted,
                format!(
                    "Also trusted for the token endpoint: {} (run the checks again after a change)",
                    confirmed.join(", ")
                ),
            );
        }
    }

    /// Test SSO of a SAML tenant: the metadata test, as `check saml --profile` runs it
    /// (the same input from [`checks::saml_input`], the result stored with
    /// [`checks::record_saml`], so the signing certificates' dates are kept).
    fn saml_ui(&mut self, ui: &mut egui::Ui, env: &mut StepEnv<'_>) {
        let tokens = Tokens::ui(ui);
        self.saml.poll();
        if let Some(outcome) = self.saml.take() {
            checks::record_saml(env.profile, &outcome, env.now);
        }
        ui.label(
            "Reads the IdP's SAML metadata and checks its entity id, its sign-in endpoints, its signing certificates' dates, the NameID formats it offers and whether it is signed. Nothing is changed anywhere.",
        );
        let input = checks::saml_input(env.profile);
        ui.horizontal_wrapped(|ui| {
            ui.label("Metadata:");
            if input.is_some() {
                ui.label(egui::RichText::new(env.profile.saml.metadata.trim()).monospace());
            } else {
                ui.colored_label(
                    tokens.bad,
                    "none yet: enter its URL or file in the SSO app step",
                );
            }
        });
        let running = self.saml.is_running();
        let first_run = env.profile.last_saml_report.is_none();
        let label = if first_run {
            "Run the checks"
        } else {
            "Run the checks again"
        };
        let button = ui
            .add_enabled(
                !running && input.is_some(),
                if first_run {
                    crate::ui::theme::primary_button(ui, label)
                } else {
                    egui::Button::new(label)
                },
            )
            .on_disabled_hover_text(if running {
                "The checks are running"
            } else {
                "Enter the IdP's metadata URL or file first"
            });
        if button.clicked()
            && let Some(input) = input
        {
            self.saml_progress = Arc::default();
            let progress = Arc::clone(&self.saml_progress);
            let repaint = ui.ctx().clone();
            let now = env.now;
            self.saml = Task::spawn(env.runtime, ui.ctx(), async move {
                let on_finding = move |finding: &Finding| {
                    if let Ok(mut seen) = progress.lock() {
                        seen.push(finding.clone());
                    }
                    repaint.request_repaint();
                };
                saml::check_metadata(&input, Policy::default(), now, &on_finding).await
            });
        }
        ui.add_space(6.0);
        if running {
            running_ui(ui, env, &self.saml_progress, check_ids::SAML.len());
            return;
        }
        if let Some(stored) = &env.profile.last_saml_report {
            stored_summary_ui(ui, &tokens, stored);
            findings::findings_ui(ui, env.catalog, &stored.report.checks);
        }
    }

    fn start_check(&mut self, ctx: &egui::Context, env: &StepEnv<'_>) {
        let profile = &*env.profile;
        let platform = env.catalog.platform(profile.platform);
        let input = oidc_input(profile, platform);
        let secret_account = checks::client_secret_account(profile);
        let secrets = Arc::clone(env.secrets);
        self.progress = Arc::default();
        self.secret_note = None;
        let progress = Arc::clone(&self.progress);
        let repaint = ctx.clone();
        self.check = Task::spawn(env.runtime, ctx, async move {
            let mut input = input;
            let (secret, note) = read_secret(secrets, secret_account).await;
            input.client_secret = secret;
            let on_finding = move |finding: &Finding| {
                if let Ok(mut seen) = progress.lock() {
                    seen.push(finding.clone());
                }
                repaint.request_repaint();
            };
            let checked = oidc::check_with_refusals(&input, Policy::default(), &on_finding).await;
            (checked.report, note, checked.unconfirmed_origins)
        });
    }

    fn login_ui(&mut self, ui: &mut egui::Ui, env: &mut StepEnv<'_>, platform: &Platform) {
        let tokens = Tokens::ui(ui);
        ui.heading("Test login (optional)");
        ui.label(format!(
            "Signs in once through your browser, the way the platform will, and shows the claims the IdP sends. It needs a redirect URI on this computer registered for the app, in addition to the platform's{}.",
            if env.profile.idp == crate::model::IdpId::Entra {
                " (in Entra: Authentication, Add a platform, Mobile and desktop applications)"
            } else {
                ""
            }
        ));
        let sso = &mut env.profile.sso;
        ui.horizontal(|ui| {
            let label = ui.label("Test redirect URI");
            ui.add(
                egui::TextEdit::singleline(&mut sso.test_redirect_uri)
                    .hint_text("http://127.0.0.1/callback")
                    .desired_width(320.0)
                    .font(egui::TextStyle::Monospace),
            )
            .labelled_by(label.id);
        });
        let mut also_secret = sso.id_token_signing == IdTokenSigning::AlsoClientSecret;
        if ui
            .checkbox(
                &mut also_secret,
                "Accept ID tokens signed with the client secret (HS256), only if the IdP is set up that way",
            )
            .on_hover_text(
                "Off: only ID tokens signed with the IdP's published keys (RS256 and similar) are accepted, as platforms expect",
            )
            .changed()
        {
            sso.id_token_signing = if also_secret {
                IdTokenSigning::AlsoClientSecret
            } else {
                IdTokenSigning::PublishedKeys
            };
        }
        let redirect = Some(sso.test_redirect_uri.trim()).filter(|uri| !uri.is_empty());
        let redirect_ok = match login::listener_address(redirect) {
            Ok(_) => true,
            Err(err) => {
                ui.colored_label(tokens.bad, format!("✖ {err}"));
                false
            }
        };
        let ready = !sso.issuer.trim().is_empty() && !sso.client_id.trim().is_empty();
        ui.horizontal(|ui| {
            if self.login.is_running() {
                ui.spinner();
                let until = self
                    .login_deadline
                    .map(|at| {
                        format!(
                            " (until {})",
                            at.with_timezone(&chrono::Local).format("%H:%M")
                        )
                    })
                    .unwrap_or_default();
                ui.label(format!("Waiting for the sign-in in your browser{until}…"));
                if ui.button("Cancel").clicked() {
                    self.cancel_login();
                }
            } else {
                let button = ui
                    .add_enabled(ready && redirect_ok, egui::Button::new("Test login…"))
                    .on_disabled_hover_text(
                        "Enter the issuer and client ID in the SSO app step first",
                    );
                if button.clicked() {
                    self.start_login(ui.ctx(), env, platform);
                }
            }
        });
        match self.login.done() {
            Some(Ok(outcome)) => claims_ui(ui, outcome, platform, env.profile.idp),
            Some(Err(failure)) => {
                ui.colored_label(
                    tokens.bad,
                    format!(
                        "✖ {}",
                        crate::diagnostics::words::sentence(&failure.message)
                    ),
                );
                let link = if failure.from_idp {
                    "What does this error mean?"
                } else {
                    "Look this up…"
                };
                if ui.link(link).clicked() {
                    troubleshoot::request_query(ui.ctx(), failure.lookup.clone());
                }
            }
            None => {}
        }
    }

    fn start_login(&mut self, ctx: &egui::Context, env: &StepEnv<'_>, platform: &Platform) {
        let profile = &*env.profile;
        let sso = &profile.sso;
        let mut input = LoginInput::new(sso.issuer.trim(), sso.client_id.trim());
        input.redirect_uri =
            Some(sso.test_redirect_uri.trim().to_owned()).filter(|uri| !uri.is_empty());
        input.scopes = rules::effective_scopes(&sso.scopes, platform)
            .unwrap_or_else(|_| platform.sso.scopes.clone());
        input.jit_claims.clone_from(&platform.sso.jit_claims);
        input
            .allowed_origins
            .clone_from(&sso.confirmed_endpoint_origins);
        input.allow_symmetric_id_tokens = sso.id_token_signing == IdTokenSigning::AlsoClientSecret;
        let timeout = input.timeout;
        let secret_account = checks::client_secret_account(profile);
        let secrets = Arc::clone(env.secrets);
        let browser = Arc::clone(&self.browser);
        let (cancel, cancelled) = oneshot::channel::<()>();
        self.login = Task::spawn(env.runtime, ctx, async move {
            let mut input = input;
            input.client_secret = read_secret(secrets, secret_account).await.0;
            let cancelled = async move {
                // A dropped sender (the step is gone) cancels too.
                let _ = cancelled.await;
            };
            login::run(&input, Policy::default(), &*browser, cancelled)
                .await
                .map_err(|err| LoginFailure {
                    message: err.to_string(),
                    lookup: err.lookup_text(),
                    from_idp: matches!(err, LoginError::Idp { .. }),
                })
        });
        self.cancel_login = Some(cancel);
        self.login_deadline = chrono::Duration::from_std(timeout)
            .ok()
            .map(|d| env.now + d);
    }
}

/// The check input from the profile (without the secret, which is read in the task):
/// the same as `check profile` builds ([`crate::checks::oidc_input`]).
pub fn oidc_input(profile: &Profile, platform: &Platform) -> OidcInput {
    checks::oidc_input(profile, platform)
}

/// Reads the stored client secret off the UI thread (the keyring may block); the note
/// says why there is none when one was expected.
async fn read_secret(
    secrets: Arc<dyn SecretStore>,
    account: Option<String>,
) -> (Option<Secret>, Option<String>) {
    tokio::task::spawn_blocking(move || checks::read_client_secret(&*secrets, account.as_deref()))
        .await
        .unwrap_or_else(|err| {
            (
                None,
                Some(format!("The client secret could not be read: {err}")),
            )
        })
}

fn claims_ui(
    ui: &mut egui::Ui,
    outcome: &LoginOutcome,
    platform: &Platform,
    idp: crate::model::IdpId,
) {
    let tokens = Tokens::ui(ui);
    ui.colored_label(
        tokens.good,
        format!(
            "✔ Signed in; the ID token is signed ({}) by the IdP's published key and meant for this client",
            outcome.algorithm
        ),
    );
    egui::Grid::new("test-login-claims")
        .striped(true)
        .num_columns(3)
        .spacing([12.0, 4.0])
        .show(ui, |ui| {
            for heading in ["Claim", "Value", "Found in"] {
                ui.label(egui::RichText::new(heading).strong());
            }
            ui.end_row();
            let shown: BTreeMap<&str, Option<(String, ClaimSource)>> =
                outcome.display_claims().into_iter().collect();
            for name in login::DISPLAY_CLAIMS {
                ui.label(egui::RichText::new(name).monospace());
                if let Some((value, source)) = shown.get(name).cloned().flatten() {
                    ui.label(value);
                    ui.label(source.label());
                } else {
                    ui.colored_label(tokens.muted, "not sent");
                    ui.label("");
                }
                ui.end_row();
            }
        });
    if !outcome.missing_jit_claims.is_empty() {
        ui.colored_label(
            tokens.bad,
            format!(
                "✖ {} needs {} to create users at first sign-in, and the IdP did not send {}: add them as claims of the SSO app{}",
                platform.name,
                platform.sso.jit_claims.join(", "),
                outcome.missing_jit_claims.join(", "),
                if idp == crate::model::IdpId::Entra {
                    " (in Entra: Token configuration, Add optional claim)"
                } else {
                    ""
                }
            ),
        );
    } else if !platform.sso.jit_claims.is_empty() && outcome.userinfo_only_jit_claims.is_empty() {
        ui.colored_label(
            tokens.good,
            format!("✔ The ID token has every claim {} needs", platform.name),
        );
    }
    if !outcome.userinfo_only_jit_claims.is_empty() {
        ui.colored_label(
            tokens.warn,
            format!(
                "⚠ {} come only from the userinfo endpoint, not the ID token: fine if {} reads userinfo, otherwise add them to the ID token",
                outcome.userinfo_only_jit_claims.join(", "),
                platform.name
            ),
        );
    }
}

/// Opens `url` in the browser named by `$BROWSER`, else the desktop's default browser
/// ([`crate::ui::browser::open_url`], shared with every other link in the window).
pub fn system_browser(url: &str) -> Result<(), String> {
    crate::ui::browser::open_url(url).map_err(|err| err.to_string())
}

/// The findings of a running check so far, "3 of 8".
fn running_ui(ui: &mut egui::Ui, env: &StepEnv<'_>, progress: &Progress, total: usize) {
    let seen = progress.lock().map(|seen| seen.clone()).unwrap_or_default();
    findings::progress_ui(ui, &seen, total);
    findings::findings_ui(ui, env.catalog, &seen);
}

/// A stored report's summary line: its counts, when it ran and against what.
fn stored_summary_ui(ui: &mut egui::Ui, tokens: &Tokens, stored: &StoredReport) {
    ui.horizontal_wrapped(|ui| {
        findings::summary_ui(ui, &stored.report);
        ui.colored_label(
            tokens.muted,
            format!(
                "checked {} against {}",
                stored
                    .checked_at
                    .with_timezone(&chrono::Local)
                    .format("%Y-%m-%d %H:%M"),
                stored.report.target
            ),
        );
    });
}

//! The Test SCIM step: runs the SCIM probe suite ([`crate::probes::scim::check`], the same
//! function as `check scim`) against the profile's base URL and stored token, shows the
//! findings as they arrive, and saves the report in the profile.
//!
//! The write probe runs only after the admin agreed in a dialog that names exactly the user
//! it creates ([`WriteProbePlan`]); nothing is written before that. The token is read from
//! the secret store inside the background task and never reaches the UI thread.

use std::sync::{Arc, Mutex};

use super::{Step, StepEnv, StepOutcome};
use crate::checks;
use crate::diagnostics::{Finding, Report, Status, check_ids};
use crate::model::{IdpId, StoredReport};
use crate::probes::http::Policy;
use crate::probes::replay::{self, Idp, Phase, ReplayInput, ReplayPlan};
use crate::probes::scim::{self, ScimInput, WriteProbePlan};
use crate::secrets::masked;
use crate::ui::task::Task;
use crate::ui::theme::Tokens;
use crate::ui::widgets::findings;

/// Findings seen so far by the running check, shared with its progress callback.
type Progress = Arc<Mutex<Vec<Finding>>>;

/// State of the Test SCIM step.
#[derive(Debug, Default)]
pub struct TestScimStep {
    run: Task<Result<Report, String>>,
    progress: Progress,
    /// The write probe the consent dialog is asking about.
    consent: Option<WriteProbePlan>,
    /// The last run asked for the write probe.
    with_write_probe: bool,
    run_error: Option<String>,
    /// The provisioning replay: its run, what it has found so far and the last report.
    replay: ReplayState,
}

/// State of the "Will <IdP> provisioning work?" replay.
#[derive(Debug, Default)]
struct ReplayState {
    run: Task<Result<Report, String>>,
    progress: Progress,
    /// The plan the consent dialog is asking about.
    consent: Option<ReplayPlan>,
    /// Whose replay ran last, and its report.
    last: Option<(Idp, Report)>,
    running: Option<Idp>,
}

impl Step for TestScimStep {
    fn ui(&mut self, ui: &mut egui::Ui, env: &mut StepEnv<'_>) -> StepOutcome {
        self.poll(env);
        let tokens = Tokens::ui(ui);
        ui.heading("Test SCIM");
        ui.label(
            "Sends the requests an identity provider sends when it provisions: discovery, listing users with and \
             without the token, the lookup an IdP's connection test makes, groups, an unknown user and the schemas. Nothing is \
             changed unless you also run the write probe.",
        );
        ui.add_space(6.0);
        let base_url = env.profile.scim.base_url.trim().to_owned();
        let token = env
            .profile
            .scim
            .token_credential
            .as_deref()
            .and_then(|id| env.profile.credential(id));
        egui::Grid::new("test-scim-target")
            .num_columns(2)
            .spacing([10.0, 4.0])
            .show(ui, |ui| {
                ui.label("SCIM base URL");
                if base_url.is_empty() {
                    ui.colored_label(tokens.bad, "Not set: enter it in the SCIM app step");
                } else {
                    ui.label(egui::RichText::new(&base_url).monospace());
                }
                ui.end_row();
                ui.label("Token");
                match token {
                    Some(meta) => ui.label(egui::RichText::new(masked(&meta.last4)).monospace()),
                    None => ui.colored_label(
                        tokens.warn,
                        "none stored: only the checks that need no token run",
                    ),
                };
                ui.end_row();
            });
        ui.add_space(6.0);
        let running = self.run.is_running();
        let has_run = env.profile.last_scim_report.is_some();
        ui.horizontal(|ui| {
            let label = if has_run { "Run again" } else { "Run checks" };
            let button = if has_run {
                egui::Button::new(label)
            } else {
                crate::ui::theme::primary_button(ui, label)
            };
            let run = ui.add_enabled(!running && !base_url.is_empty(), button);
            if run.clicked() {
                self.start(ui.ctx(), env, None);
            }
            let write = ui
                .add_enabled(
                    !running && !base_url.is_empty() && token.is_some(),
                    egui::Button::new("Run with write probe…"),
                )
                .on_hover_text("Also create, change and delete one test user, after you agree")
                .on_disabled_hover_text("Needs a base URL and a stored token");
            if write.clicked() {
                match scim::new_probe_id() {
                    Ok(probe_id) => self.consent = Some(WriteProbePlan::new(&probe_id)),
                    Err(err) => self.run_error = Some(err.to_string()),
                }
            }
        });
        if let Some(err) = &self.run_error {
            ui.colored_label(
                tokens.bad,
                crate::diagnostics::words::sentence(err).as_ref(),
            );
        }
        if running {
            let seen = self.progress.lock().map(|p| p.clone()).unwrap_or_default();
            let total = check_ids::SCIM.len()
                + if self.with_write_probe {
                    check_ids::SCIM_WRITE.len()
                } else {
                    0
                };
            findings::progress_ui(ui, &seen, total);
            findings::findings_ui(ui, env.catalog, &seen);
        } else if let Some(stored) = &env.profile.last_scim_report {
            let when = stored
                .checked_at
                .with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M");
            ui.horizontal_wrapped(|ui| {
                ui.label(format!("Last run {when}:"));
                findings::summary_ui(ui, &stored.report);
            });
            findings::findings_ui(ui, env.catalog, &stored.report.checks);
        }
        self.consent_ui(ui.ctx(), env);
        self.replay_ui(ui, env, token.is_some(), &base_url);
        StepOutcome::Stay
    }
}

impl TestScimStep {
    /// True while the checks run (tests).
    pub fn is_running(&self) -> bool {
        self.run.is_running()
    }

    fn poll(&mut self, env: &mut StepEnv<'_>) {
        self.run.poll();
        let Some(result) = self.run.take() else {
            return;
        };
        match result {
            Ok(report) => {
                self.run_error = None;
                // A token the server accepted is verified now (shown in Credentials).
                if report
                    .finding("scim.auth")
                    .is_some_and(|f| f.status == Status::Pass)
                    && let Some(id) = env.profile.scim.token_credential.clone()
                    && let Some(meta) = env.profile.credentials.iter_mut().find(|c| c.id == id)
                {
                    meta.last_verified_at = Some(env.now);
                }
                env.profile.last_scim_report = Some(StoredReport {
                    checked_at: env.now,
                    report,
                });
            }
            Err(err) => self.run_error = Some(err),
        }
    }

    /// Starts the checks; `write_probe` is the plan the admin agreed to.
    fn start(
        &mut self,
        ctx: &egui::Context,
        env: &StepEnv<'_>,
        write_probe: Option<WriteProbePlan>,
    ) {
        let profile = &*env.profile;
        let token_account = checks::scim_token_account(profile);
        // Without its token, read in the task: the same input as `check profile` builds.
        let input = checks::scim_input(profile, None);
        self.with_write_probe = write_probe.is_some();
        let probe_id = write_probe.map(|plan| plan.probe_id);
        self.progress = Arc::default();
        self.run_error = None;
        let progress = Arc::clone(&self.progress);
        let secrets = Arc::clone(env.secrets);
        let repaint = ctx.clone();
        self.run = Task::spawn(env.runtime, ctx, async move {
            let token = tokio::task::spawn_blocking(move || {
                checks::read_scim_token(&*secrets, token_account.as_deref())
            })
            .await
            .map_err(|err| format!("Could not read the token: {err}"))??;
            let input = ScimInput {
                token,
                write_probe: probe_id.is_some(),
                probe_id,
                ..input
            };
            let on_finding = move |finding: &Finding| {
                if let Ok(mut seen) = progress.lock() {
                    seen.push(finding.clone());
                }
                repaint.request_repaint();
            };
            Ok(scim::check(&input, Policy::default(), &on_finding).await)
        });
    }

    fn consent_ui(&mut self, ctx: &egui::Context, env: &StepEnv<'_>) {
        let Some(plan) = self.consent.clone() else {
            return;
        };
        let choice = consent_modal(
            ctx,
            env,
            ConsentText {
                id: "scim-write-probe-consent",
                width: 520.0,
                heading: "Create a test user?".to_owned(),
                what: "The write probe",
                lines: plan.describe(),
                confirm: "Create and delete the test user",
            },
        );
        match choice {
            Some(true) => {
                self.consent = None;
                self.start(ctx, env, Some(plan));
            }
            Some(false) => self.consent = None,
            None => {}
        }
    }
}

/// The words of a dialog that asks before a check changes data in the platform.
struct ConsentText {
    id: &'static str,
    width: f32,
    heading: String,
    /// What changes the data, as the sentence's subject ("The replay").
    what: &'static str,
    lines: Vec<String>,
    confirm: &'static str,
}

/// Shows a consent dialog; `Some(true)` on the confirm button, `Some(false)` on Cancel or
/// Escape, `None` while it stays open.
fn consent_modal(ctx: &egui::Context, env: &StepEnv<'_>, text: ConsentText) -> Option<bool> {
    let platform = env.catalog.platform(env.profile.platform);
    let mut choice = None;
    egui::Modal::new(egui::Id::unique(text.id)).show(ctx, |ui| {
        ui.set_width(text.width);
        ui.heading(text.heading);
        ui.label(format!(
            "{} changes data in {} at {}:",
            text.what,
            platform.name,
            env.profile.scim.base_url.trim()
        ));
        for line in &text.lines {
            ui.label(format!("• {line}"));
        }
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            if ui.button("Cancel").clicked() {
                choice = Some(false);
            }
            if ui.button(text.confirm).clicked() {
                choice = Some(true);
            }
        });
    });
    // Only Cancel and Escape close it: a click that reopens the dialog would otherwise
    // land on the backdrop egui remembers from last time and close it at once.
    if choice.is_none() && ctx.input(|i| i.key_pressed(egui::Key::Escape)) {
        choice = Some(false);
    }
    choice
}

/// The IdP's name on its button and in the dialog.
fn idp_name(idp: Idp) -> &'static str {
    match idp {
        Idp::Entra => "Entra ID",
        Idp::Okta => "Okta",
        Idp::OneLogin => "OneLogin",
    }
}

impl TestScimStep {
    /// "Will <IdP> provisioning work?": the buttons, the consent dialog and the timeline.
    fn replay_ui(&mut self, ui: &mut egui::Ui, env: &StepEnv<'_>, has_token: bool, base_url: &str) {
        self.replay.run.poll();
        if let Some(result) = self.replay.run.take()
            && let Some(idp) = self.replay.running.take()
        {
            match result {
                Ok(report) => self.replay.last = Some((idp, report)),
                Err(err) => self.run_error = Some(err),
            }
        }
        ui.add_space(10.0);
        ui.separator();
        ui.heading("Will your IdP's provisioning work?");
        ui.label(
            "Replays what the identity provider sends when it provisions: it creates test users and a test group, \
             changes, deactivates and deletes them, in the IdP's order, and says for each step what works and what to change. \
             You see exactly what it creates before anything is sent.",
        );
        let running = self.replay.run.is_running() || self.run.is_running();
        // The tenant's own IdP only: an Entra tenant has no use for Okta's sequence, and a
        // tenant with another IdP gets no vendor's name (there is no sequence for it).
        let tenant_idp = match env.profile.idp {
            IdpId::Entra => Some(Idp::Entra),
            IdpId::Okta => Some(Idp::Okta),
            IdpId::Onelogin => Some(Idp::OneLogin),
            IdpId::Generic => None,
        };
        if tenant_idp.is_none() {
            ui.colored_label(
                Tokens::ui(ui).muted,
                "The replay knows the sequences of the identity providers listed on the Tenant step; \
                 pick yours there to run it. The checks above still apply to any IdP.",
            );
        }
        ui.horizontal_wrapped(|ui| {
            if let Some(idp) = tenant_idp {
                let button = ui
                    .add_enabled(
                        !running && !base_url.is_empty() && has_token,
                        egui::Button::new(format!("Will {} provisioning work?", idp_name(idp))),
                    )
                    .on_disabled_hover_text("Needs a base URL and a stored token");
                if button.clicked() {
                    match scim::new_probe_id().and_then(|id| ReplayPlan::new(idp, &id)) {
                        Ok(plan) => self.replay.consent = Some(plan),
                        Err(err) => self.run_error = Some(err.to_string()),
                    }
                }
            }
        });
        if let Some(idp) = self.replay.running {
            let seen = self
                .replay
                .progress
                .lock()
                .map(|p| p.clone())
                .unwrap_or_default();
            let total = replay::catalog().replay(idp).steps.len() + 1;
            findings::progress_ui(ui, &seen, total);
            timeline_ui(ui, env, idp, &seen);
        } else if let Some((idp, report)) = &self.replay.last {
            ui.horizontal_wrapped(|ui| {
                ui.label(format!("{} replay:", idp_name(*idp)));
                findings::summary_ui(ui, report);
            });
            timeline_ui(ui, env, *idp, &report.checks);
        }
        self.replay_consent_ui(ui.ctx(), env);
    }

    fn replay_consent_ui(&mut self, ctx: &egui::Context, env: &StepEnv<'_>) {
        let Some(plan) = self.replay.consent.clone() else {
            return;
        };
        let choice = consent_modal(
            ctx,
            env,
            ConsentText {
                id: "scim-replay-consent",
                width: 560.0,
                heading: format!("Replay {} provisioning?", idp_name(plan.idp)),
                what: "The replay",
                lines: plan.describe(),
                confirm: "Run the replay",
            },
        );
        match choice {
            Some(true) => {
                self.replay.consent = None;
                self.start_replay(ctx, env, &plan);
            }
            Some(false) => self.replay.consent = None,
            None => {}
        }
    }

    fn start_replay(&mut self, ctx: &egui::Context, env: &StepEnv<'_>, plan: &ReplayPlan) {
        let profile = &*env.profile;
        let token_account = checks::scim_token_account(profile);
        let base_url = profile.scim.base_url.clone();
        let platform = profile.platform;
        let idp = plan.idp;
        let probe_id = plan.probe_id.clone();
        self.replay.progress = Arc::default();
        self.replay.running = Some(idp);
        let progress = Arc::clone(&self.replay.progress);
        let secrets = Arc::clone(env.secrets);
        let repaint = ctx.clone();
        self.replay.run = Task::spawn(env.runtime, ctx, async move {
            let token = tokio::task::spawn_blocking(move || {
                checks::read_scim_token(&*secrets, token_account.as_deref())
            })
            .await
            .map_err(|err| format!("Could not read the token: {err}"))??
            .ok_or_else(|| {
                "The replay needs the SCIM token; store it in the Credentials step".to_owned()
            })?;
            let input = ReplayInput {
                base_url,
                token,
                platform,
                idp,
                probe_id: Some(probe_id),
            };
            let on_finding = move |finding: &Finding| {
                if let Ok(mut seen) = progress.lock() {
                    seen.push(finding.clone());
                }
                repaint.request_repaint();
            };
            Ok(replay::replay(&input, Policy::default(), &on_finding).await)
        });
    }
}

/// The replay as the IdP's timeline: one block per phase, each step's verdict and fix.
fn timeline_ui(ui: &mut egui::Ui, env: &StepEnv<'_>, idp: Idp, seen: &[Finding]) {
    let replay = replay::catalog().replay(idp);
    let phase_of = |finding: &Finding| {
        replay
            .steps
            .iter()
            .find(|step| replay.check_id(step) == finding.id)
            .map(|step| step.phase)
    };
    // What needs a change comes first, each with its phase: the timeline below keeps the
    // IdP's order, where a failure may sit twenty steps down.
    let failed: Vec<&Finding> = seen.iter().filter(|f| f.status == Status::Fail).collect();
    if !failed.is_empty() {
        ui.label(egui::RichText::new("Needs a change").strong());
        for finding in failed {
            let phase = phase_of(finding).map_or("Clean-up", Phase::label);
            ui.colored_label(
                Tokens::ui(ui).bad,
                format!("{} {} ({phase})", Status::Fail.icon(), finding.title),
            );
        }
        ui.add_space(6.0);
    }
    for phase in [
        Phase::Connect,
        Phase::Create,
        Phase::Update,
        Phase::Deactivate,
        Phase::Groups,
        Phase::Delete,
    ] {
        let in_phase: Vec<Finding> = seen
            .iter()
            .filter(|f| phase_of(f) == Some(phase))
            .cloned()
            .collect();
        if in_phase.is_empty() {
            continue;
        }
        ui.label(egui::RichText::new(phase.label()).strong());
        findings::findings_ui(ui, env.catalog, &in_phase);
    }
    let rest: Vec<Finding> = seen
        .iter()
        .filter(|f| phase_of(f).is_none())
        .cloned()
        .collect();
    if !rest.is_empty() {
        ui.label(egui::RichText::new("Clean-up and platform notes").strong());
        findings::findings_ui(ui, env.catalog, &rest);
    }
}

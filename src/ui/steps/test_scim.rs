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
use crate::model::StoredReport;
use crate::probes::http::Policy;
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
        let platform = env.catalog.platform(env.profile.platform);
        let mut choice = None;

        egui::Modal::new(egui::Id::unique("scim-write-probe-consent")).show(ctx, |ui| {
            ui.set_width(520.0);
            ui.heading("Create a test user?");
            ui.label(format!(
                "The write probe changes data in {} at {}:",
                platform.name,
                env.profile.scim.base_url.trim()
            ));
            for line in plan.describe() {
                ui.label(format!("• {line}"));
            }
            ui.add_space(6.0);
            ui.horizontal(|ui| {
                if ui.button("Cancel").clicked() {
                    choice = Some(false);
                }
                if ui.button("Create and delete the test user").clicked() {
                    choice = Some(true);
                }
            });
        });
        // Only Cancel and Escape close it: a click that reopens the dialog would otherwise
        // land on the backdrop egui remembers from last time and close it at once.
        if choice.is_none() && ctx.input(|i| i.key_pressed(egui::Key::Escape)) {
            choice = Some(false);
        }
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

//! The wizard window: step rail, the current step, Back/Next, status bar. Owns the tokio
//! runtime, the open profile and its debounced saving. Saving runs on the runtime in one
//! writer task (so writes stay in order and never block a frame); closing the window
//! flushes the last edit.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;

use crate::catalog::Catalog;
use crate::model::{CredentialMeta, Profile};
use crate::secrets::SecretStore;
use crate::storage::{Listing, ProfileStore, StorageError};
use crate::ui::steps::tenant::{TenantCommand, TenantEnv, TenantStep};
use crate::ui::steps::{self, Step, StepEnv, StepOutcome};
use crate::ui::task::Task;
use crate::ui::theme::{self, Tokens};
use crate::ui::widgets::toasts::Toasts;
use crate::wizard::{self, StepId};

/// When set to a file path, every frame writes the number of frames drawn so far there
/// (benchmarks use it to prove an idle window draws nothing).
pub const FRAME_COUNTER_ENV: &str = "SSO_SCIM_WIZARD_FRAME_COUNTER";

/// How long after the last keystroke an edit is written to disk.
const SAVE_DEBOUNCE: Duration = Duration::from_millis(600);

/// How the window was asked to start.
#[derive(Debug, Clone, Default)]
pub struct Launch {
    /// Open this profile at start.
    pub profile_id: Option<String>,
    /// Show this step at start (needs a profile for any but the tenant step).
    pub step: Option<StepId>,
}

/// The state of saving the open profile.
#[derive(Debug, Clone, PartialEq, Eq)]
enum SaveState {
    Saved(DateTime<Utc>),
    Failed(String),
}

/// Messages from the writer task.
type SaveResult = (String, Result<DateTime<Utc>, String>);

/// Per profile id, the newest edit written so far. The writer task and [`WizardApp::flush`]
/// both save under this lock, so an older snapshot still queued for the writer can never
/// overwrite a newer one that `flush` wrote on the UI thread.
type WrittenEdits = Arc<std::sync::Mutex<std::collections::HashMap<String, u64>>>;

/// The wizard application.
pub struct WizardApp {
    store: ProfileStore,
    catalog: &'static Catalog,
    runtime: tokio::runtime::Runtime,
    secrets: Arc<dyn SecretStore>,
    secrets_note: Option<String>,
    /// What was tightened in the config dir's permissions at start, shown in the status bar.
    permissions_note: Option<String>,
    listing: Task<Result<Listing, String>>,
    /// The Tenant step's file work (open, create, copy, rename, delete) off the frame.
    tenant_task: Task<Result<TenantDone, String>>,
    profile: Option<Profile>,
    /// The profile as last handed to the writer; "changed" is derived by comparing.
    saved: Option<Profile>,
    /// `ctx` time of the first unsaved change.
    dirty_since: Option<f64>,
    save_state: Option<SaveState>,
    save_tx: mpsc::UnboundedSender<(u64, Profile)>,
    save_rx: std::sync::mpsc::Receiver<SaveResult>,
    /// Numbers the snapshots handed to the writer or to `flush`, newest highest.
    edit_number: u64,
    written: WrittenEdits,
    step: StepId,
    tenant: TenantStep,
    steps: Vec<(StepId, Box<dyn Step>)>,
    pending_leave: Option<(StepId, String)>,
    toasts: Toasts,
    /// The troubleshooting side panel (owned by `ui::troubleshoot`).
    troubleshoot: crate::ui::troubleshoot::Troubleshooter,
    status_line: Option<String>,
    frame_counter: Option<(PathBuf, u64)>,
    /// Start-up and memory measurements for `scripts/bench` (off unless asked for).
    bench: Option<crate::ui::bench::BenchProbe>,
    fonts_installed: bool,
    /// The expiry dashboard, a window over the wizard (owned by `ui::dashboard`).
    dashboard: crate::ui::dashboard::ExpiryDashboard,
    dashboard_open: bool,
    /// The rotation walkthrough, shown instead of the step while the open profile has a
    /// rotation in progress (owned by `ui::rotation`).
    rotation: crate::ui::rotation::RotationScreen,
    /// The admin went back to the wizard; a banner offers to resume.
    rotation_hidden: bool,
    /// The step the central scroll area was last drawn for: a different step starts at
    /// its top instead of the previous step's scroll position.
    scrolled_step: Option<StepId>,
    /// Where the window reads the time: read once per frame and handed down.
    clock: Clock,
}

/// What a Tenant step command did, applied in the frame that sees it finish.
enum TenantDone {
    Created(Profile),
    Opened(Profile),
    Duplicated(String),
    Saved,
    Deleted {
        id: String,
        credentials: Vec<CredentialMeta>,
    },
}

/// Where the window reads the time: the system clock, or in UI tests one they set, so
/// that expiry colours, days left and "checked … ago" can be tested at a chosen moment.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

impl WizardApp {
    /// An app over a profile store and secret store.
    pub fn new(
        store: ProfileStore,
        secrets: Arc<dyn SecretStore>,
        secrets_note: Option<String>,
        launch: &Launch,
    ) -> Result<Self, std::io::Error> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("ssw-background")
            .enable_all()
            .build()?;
        let permissions_note = store.repair_permissions();
        let written = WrittenEdits::default();
        let (save_tx, save_rx) = spawn_writer(&runtime, store.clone(), Arc::clone(&written));
        let mut app = Self {
            store,
            catalog: crate::catalog::catalog(),
            runtime,
            secrets,
            secrets_note,
            permissions_note,
            listing: Task::Idle,
            tenant_task: Task::Idle,
            profile: None,
            saved: None,
            dirty_since: None,
            save_state: None,
            save_tx,
            save_rx,
            edit_number: 0,
            written,
            step: StepId::Tenant,
            tenant: TenantStep::default(),
            steps: fresh_steps(),
            pending_leave: None,
            toasts: Toasts::default(),
            troubleshoot: crate::ui::troubleshoot::Troubleshooter::default(),
            status_line: None,
            fonts_installed: false,
            frame_counter: std::env::var_os(FRAME_COUNTER_ENV)
                .filter(|v| !v.is_empty())
                .map(|p| (PathBuf::from(p), 0)),
            bench: crate::ui::bench::BenchProbe::from_env(),
            dashboard: crate::ui::dashboard::ExpiryDashboard::default(),
            dashboard_open: false,
            rotation: crate::ui::rotation::RotationScreen::default(),
            rotation_hidden: false,
            scrolled_step: None,
            clock: Arc::new(Utc::now),
        };
        if let Some(id) = &launch.profile_id {
            match app.store.load(id, Utc::now()) {
                Ok(profile) => app.set_profile(profile),
                Err(err) => app.status_line = Some(err.to_string()),
            }
        }
        if let Some(step) = launch.step
            && (step == StepId::Tenant || app.profile.is_some())
        {
            app.step = step;
        }
        Ok(app)
    }

    /// An app over a temp config dir and an in-memory secret store, for UI tests.
    pub fn for_tests(config_dir: impl Into<PathBuf>) -> Self {
        let store = ProfileStore::at(config_dir.into());
        let secrets: Arc<dyn SecretStore> = Arc::new(crate::secrets::MemoryStore::new());
        #[expect(
            clippy::expect_used,
            reason = "tests only: a runtime that cannot start is a broken test machine"
        )]
        Self::new(store, secrets, None, &Launch::default()).expect("tokio runtime")
    }

    /// The same app reading the time from `clock` (UI tests: a fixed moment).
    #[must_use]
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The time now, by the app's clock.
    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    /// The open profile.
    pub fn profile(&self) -> Option<&Profile> {
        self.profile.as_ref()
    }

    /// The step shown.
    pub fn current_step(&self) -> StepId {
        self.step
    }

    /// Writes any unsaved edit now, synchronously (window closing).
    pub fn flush(&mut self) {
        if let Some(profile) = &self.profile
            && self.saved.as_ref() != Some(profile)
        {
            self.edit_number += 1;
            match save_in_order(&self.store, &self.written, self.edit_number, profile) {
                Ok(_) => self.saved = Some(profile.clone()),
                Err(err) => self.save_state = Some(SaveState::Failed(err)),
            }
        }
    }

    fn set_profile(&mut self, profile: Profile) {
        self.flush();
        self.saved = Some(profile.clone());
        self.profile = Some(profile);
        self.dirty_since = None;
        self.save_state = None;
        self.steps = fresh_steps();
        // A profile saved mid-rotation opens straight into the walkthrough.
        self.rotation = crate::ui::rotation::RotationScreen::default();
        self.rotation_hidden = false;
    }

    fn refresh_listing(&mut self, ctx: &egui::Context) {
        let store = self.store.clone();
        let clock = Arc::clone(&self.clock);
        self.listing = Task::spawn(self.runtime.handle(), ctx, async move {
            tokio::task::spawn_blocking(move || store.list(clock()).map_err(|err| err.to_string()))
                .await
                .unwrap_or_else(|err| Err(format!("listing stopped: {err}")))
        });
    }

    /// Draws the whole window.
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        let now = self.now();
        if !self.fonts_installed {
            theme::install_fonts(&ctx);
            self.fonts_installed = true;
        }
        if let Some((path, frames)) = &mut self.frame_counter {
            *frames += 1;
            // Debug aid only; a failed write must not disturb the app.
            let _ = std::fs::write(path, frames.to_string());
        }
        self.bench_frame(&ctx);
        if matches!(self.listing, Task::Idle) {
            self.refresh_listing(&ctx);
        }
        self.listing.poll();
        self.collect_save_results();
        self.collect_tenant_result(&ctx);

        egui::Panel::bottom("status-bar").show(ui, |ui| self.status_bar_ui(ui));
        if !self.rotation_shown() {
            egui::Panel::bottom("nav-bar").show(ui, |ui| self.nav_ui(ui, now));
        }
        egui::Panel::left("step-rail")
            .resizable(false)
            .exact_size(190.0)
            .show(ui, |ui| self.rail_ui(ui, now));
        self.troubleshoot.handle_requests(&ctx);
        let platform = self.profile.as_ref().map(|p| p.platform);
        // Too narrow for the panel beside the step: it takes the step's place (issue #15).
        let stacked = self.troubleshoot.is_open()
            && !crate::ui::troubleshoot::fits_beside(ui.available_width());
        self.troubleshoot.panel_ui(ui, self.catalog, platform);
        egui::CentralPanel::default().show(ui, |ui| {
            if stacked {
                egui::ScrollArea::vertical()
                    .id_salt("troubleshoot-stacked")
                    .auto_shrink([false, false])
                    .show(ui, |ui| self.troubleshoot.ui(ui, self.catalog, platform));
                return;
            }
            let mut scroll = egui::ScrollArea::vertical().auto_shrink([false, false]);
            if self.scrolled_step != Some(self.step) {
                scroll = scroll.vertical_scroll_offset(0.0);
                self.scrolled_step = Some(self.step);
            }
            scroll.show(ui, |ui| self.step_ui(ui, now));
        });
        self.dashboard_ui(&ctx, now);
        self.leave_dialog_ui(&ctx);
        self.open_links(&ctx);
        self.escape_closes_overlays(&ctx);
        self.toasts.ui(&ctx);
        self.schedule_save(&ctx);
    }

    /// Hyperlinks open through [`crate::ui::browser::open_url`] (honouring `$BROWSER`, a
    /// failure in words) rather than eframe's own opener, which only logs a failure.
    fn open_links(&mut self, ctx: &egui::Context) {
        let urls = ctx.output_mut(|output| {
            let mut urls = Vec::new();
            output.commands.retain(|command| match command {
                egui::OutputCommand::OpenUrl(open) => {
                    urls.push(open.url.clone());
                    false
                }
                _ => true,
            });
            urls
        });
        for url in urls {
            if let Err(err) = crate::ui::browser::open_url(&url) {
                self.toasts.show(err.to_string(), ctx.input(|i| i.time));
            }
        }
    }

    /// Under `scripts/bench`: after the first frame, draws every step once (when a profile
    /// is open), records the memory and closes the window.
    fn bench_frame(&mut self, ctx: &egui::Context) {
        let Some(bench) = &mut self.bench else {
            return;
        };
        let frame = bench.begin_frame(ctx);
        if frame < 2 {
            return;
        }
        let index = usize::try_from(frame - 2).unwrap_or(usize::MAX);
        match StepId::ALL.get(index) {
            Some(step) if self.profile.is_some() => self.step = *step,
            _ => {
                if self.profile.is_some() {
                    bench.record_rss("rss_steps_kib");
                }
                bench.finish(ctx);
            }
        }
    }

    fn rail_ui(&mut self, ui: &mut egui::Ui, now: DateTime<Utc>) {
        ui.add_space(8.0);
        ui.heading("sso-scim-wizard");
        ui.add_space(8.0);
        let tokens = Tokens::ui(ui);
        let mut go_to = None;
        for step in StepId::ALL {
            let status = self
                .profile
                .as_ref()
                .map(|p| wizard::step_status(step, p, self.catalog, now));
            let enabled = step == StepId::Tenant || self.profile.is_some();
            let (icon, words, colour) = match status {
                Some(status) => (
                    theme::step_icon(status),
                    status.label(),
                    tokens.step(status),
                ),
                None => ("○", "Not started", tokens.muted),
            };
            let text = egui::RichText::new(format!("{icon}  {}", step.label()));
            let response = ui
                .add_enabled(enabled, egui::Button::selectable(self.step == step, text))
                .on_hover_text(words);
            ui.label(
                egui::RichText::new(format!("      {words}"))
                    .small()
                    .color(colour),
            );
            if response.clicked() {
                go_to = Some(step);
            }
        }
        if let Some(step) = go_to {
            self.request_step(step);
        }
        if let Some(words) = self
            .profile
            .as_ref()
            .and_then(wizard::rotation::in_progress_words)
        {
            ui.add_space(6.0);
            ui.add(
                egui::Label::new(
                    egui::RichText::new(words.as_str())
                        .small()
                        .color(tokens.warn),
                )
                .wrap(),
            );
        }
        ui.add_space(12.0);
        if ui
            .selectable_label(self.dashboard_open, "⏰  Expiry dashboard")
            .on_hover_text("Every credential of every tenant, most urgent first")
            .clicked()
        {
            self.open_dashboard();
        }
        let troubleshooting = self.troubleshoot.is_open();
        if ui
            .selectable_label(troubleshooting, "🔎  Troubleshoot…")
            .on_hover_text("Paste an error message or code to find out what it means")
            .clicked()
        {
            self.troubleshoot.set_open(!troubleshooting);
        }
        ui.add_space(12.0);
        text_size_ui(ui);
    }

    /// Opens the troubleshooting panel searching for `query` (an error message or code).
    /// Widgets without access to the app use `ui::troubleshoot::request_query` instead.
    pub fn open_troubleshooting(&mut self, query: &str) {
        self.troubleshoot.open_query(query);
    }

    /// True while the troubleshooting panel is shown.
    pub fn is_troubleshooting_open(&self) -> bool {
        self.troubleshoot.is_open()
    }

    /// True while the expiry dashboard is shown.
    pub fn is_dashboard_open(&self) -> bool {
        self.dashboard_open
    }

    /// Escape closes the topmost overlay: the expiry dashboard, else the troubleshooting
    /// panel. Modals handle Escape themselves (and consume it) before this runs; while one
    /// is open nothing else closes.
    fn escape_closes_overlays(&mut self, ctx: &egui::Context) {
        let modal_open = self.tenant.has_dialog()
            || self.pending_leave.is_some()
            || ctx.memory(|m| m.top_modal_layer().is_some());
        if modal_open || !(self.dashboard_open || self.troubleshoot.is_open()) {
            return;
        }
        if ctx.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Escape)) {
            if self.dashboard_open {
                self.dashboard_open = false;
            } else {
                self.troubleshoot.set_open(false);
            }
        }
    }

    fn open_dashboard(&mut self) {
        if !self.dashboard_open {
            self.dashboard.reload();
        }
        self.dashboard_open = true;
    }

    fn dashboard_ui(&mut self, ctx: &egui::Context, now: DateTime<Utc>) {
        if !self.dashboard_open {
            return;
        }
        let mut env = crate::ui::dashboard::DashboardEnv {
            store: &self.store,
            runtime: self.runtime.handle(),
            secrets: &self.secrets,
            open_profile: self.profile.as_ref(),
            now,
            toasts: &mut self.toasts,
        };
        self.dashboard
            .window_ui(ctx, &mut self.dashboard_open, &mut env);
        if let Some(crate::ui::dashboard::DashboardCommand::Rotate {
            profile_id,
            credential_id,
        }) = self.dashboard.take_command()
        {
            // Opening another tenant drops the current step; never a secret still on show.
            let unsaved = self
                .steps
                .iter()
                .find(|(id, _)| *id == self.step)
                .and_then(|(_, step)| step.leave_warning());
            let started = match unsaved {
                Some(warning) => Err(format!("Rotation not started: {warning}")),
                None => self.start_rotation(&profile_id, &credential_id),
            };
            match started {
                Ok(()) => self.dashboard_open = false,
                Err(err) => self.status_line = Some(err),
            }
        }
    }

    fn nav_ui(&mut self, ui: &mut egui::Ui, now: DateTime<Utc>) {
        let blocker = wizard::next_blocker(self.step, self.profile.as_ref(), self.catalog)
            .map(|b| b.to_string());
        let modal_open = self.tenant.has_dialog() || self.pending_leave.is_some();
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            let back = ui.add_enabled(self.step.previous().is_some(), egui::Button::new("Back"));
            if back.clicked()
                && let Some(previous) = self.step.previous()
            {
                self.request_step(previous);
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let next_enabled = blocker.is_none() && self.step.next().is_some();
                // Next is the primary button once the step is done; before that the
                // step's own main action is (one primary per step, issue #15).
                let done = self.profile.as_ref().is_some_and(|p| {
                    wizard::step_status(self.step, p, self.catalog, now) == wizard::StepStatus::Done
                });
                let next_button = if next_enabled && done {
                    theme::primary_button(ui, "Next")
                } else {
                    egui::Button::new("Next")
                };
                let next = ui.add_enabled(next_enabled, next_button);
                let enter = !modal_open
                    && next_enabled
                    && ui.ctx().memory(|m| m.focused().is_none())
                    && ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Enter));
                if (next.clicked() || enter)
                    && let Some(following) = self.step.next()
                {
                    self.request_step(following);
                }
                if let Some(reason) = &blocker
                    && self.step.next().is_some()
                {
                    ui.colored_label(Tokens::ui(ui).muted, reason);
                }
            });
        });
        ui.add_space(4.0);
    }

    fn status_bar_ui(&mut self, ui: &mut egui::Ui) {
        let tokens = Tokens::ui(ui);
        ui.horizontal(|ui| {
            match &self.profile {
                Some(profile) => ui.label(format!(
                    "{} · {} · {}",
                    profile.name,
                    profile.platform.label(),
                    profile.idp.label()
                )),
                None => ui.label("No tenant open"),
            };
            ui.separator();
            match (&self.save_state, self.dirty_since) {
                (_, Some(_)) => ui.label("Saving…"),
                (Some(SaveState::Saved(at)), None) => ui.label(format!(
                    "Saved {}",
                    at.with_timezone(&chrono::Local).format("%H:%M:%S")
                )),
                (Some(SaveState::Failed(err)), None) => {
                    ui.colored_label(tokens.bad, format!("Not saved: {err}"))
                }
                (None, None) => ui.label(""),
            };
            // The keyring may finish opening (or fail to) after the window is up.
            let note = self.secrets_note.as_deref().or_else(|| {
                self.secrets
                    .session_only_reason()
                    .map(|_| crate::secrets::os_keyring::NO_KEYRING_NOTE)
            });
            if let Some(note) = note {
                ui.separator();
                ui.colored_label(tokens.warn, note);
            }
            if let Some(note) = &self.permissions_note {
                ui.separator();
                ui.colored_label(tokens.warn, note);
            }
            if let Some(line) = &self.status_line {
                ui.separator();
                ui.colored_label(
                    tokens.bad,
                    crate::diagnostics::words::sentence(line).as_ref(),
                );
            }
        });
    }

    /// Opens `profile_id` (if it is not open) and starts rotating one of its credentials;
    /// the walkthrough is shown at once. For the expiry dashboard's "Rotate…".
    pub fn start_rotation(&mut self, profile_id: &str, credential_id: &str) -> Result<(), String> {
        let now = self.now();
        if self.profile.as_ref().is_none_or(|p| p.id != profile_id) {
            let profile = self
                .store
                .load(profile_id, now)
                .map_err(|err| err.to_string())?;
            self.set_profile(profile);
        }
        let Some(profile) = self.profile.as_mut() else {
            return Err("no tenant is open".to_owned());
        };
        if profile.rotation.is_none() {
            wizard::rotation::begin(
                profile,
                self.catalog,
                credential_id,
                wizard::rotation::RotationReason::default(),
                now,
            )
            .map_err(|err| err.to_string())?;
        }
        self.rotation_hidden = false;
        self.flush();
        Ok(())
    }

    /// True while the rotation walkthrough fills the window.
    pub fn rotation_shown(&self) -> bool {
        !self.rotation_hidden
            && self
                .profile
                .as_ref()
                .is_some_and(|p| self.rotation.is_open(p))
    }

    /// Draws the rotation walkthrough (or, when hidden, a banner to resume it); true when
    /// the walkthrough took the place of the step.
    fn rotation_ui(&mut self, ui: &mut egui::Ui, now: DateTime<Utc>) -> bool {
        let Some(profile) = self.profile.as_mut() else {
            return false;
        };
        if !self.rotation.is_open(profile) {
            self.rotation_hidden = false;
            return false;
        }
        if self.rotation_hidden {
            ui.horizontal(|ui| {
                ui.colored_label(
                    Tokens::ui(ui).warn,
                    "A credential rotation is in progress for this tenant",
                );
                if ui.button("Resume rotation").clicked() {
                    self.rotation_hidden = false;
                }
            });
            ui.separator();
            return false;
        }
        let mut env = StepEnv {
            profile,
            catalog: self.catalog,
            now,
            runtime: self.runtime.handle(),
            secrets: &self.secrets,
            toasts: &mut self.toasts,
        };
        match self.rotation.ui(ui, &mut env) {
            crate::ui::rotation::RotationOutcome::Stay => {}
            crate::ui::rotation::RotationOutcome::Flush => self.flush(),
            crate::ui::rotation::RotationOutcome::Hide => {
                self.rotation.on_leave();
                self.rotation_hidden = true;
                self.flush();
            }
        }
        true
    }

    fn step_ui(&mut self, ui: &mut egui::Ui, now: DateTime<Utc>) {
        if self.rotation_ui(ui, now) {
            return;
        }
        if self.step == StepId::Tenant {
            let command = {
                let mut env = TenantEnv {
                    profile: self.profile.as_mut(),
                    listing: &self.listing,
                    now,
                };
                self.tenant.ui(ui, &mut env)
            };
            if let Some(command) = command {
                self.run_tenant_command(ui.ctx(), command, now);
            }
            return;
        }
        let Some(profile) = self.profile.as_mut() else {
            self.step = StepId::Tenant;
            return;
        };
        let Some((_, step)) = self.steps.iter_mut().find(|(id, _)| *id == self.step) else {
            return;
        };
        let mut env = StepEnv {
            profile,
            catalog: self.catalog,
            now,
            runtime: self.runtime.handle(),
            secrets: &self.secrets,
            toasts: &mut self.toasts,
        };
        match step.ui(ui, &mut env) {
            StepOutcome::Next => {
                if let Some(next) = self.step.next() {
                    self.request_step(next);
                }
            }
            StepOutcome::OpenExpiryDashboard => self.open_dashboard(),
            StepOutcome::Stay => {}
        }
    }

    /// Moves to `target`, first asking when the current step has something to lose.
    fn request_step(&mut self, target: StepId) {
        if target == self.step {
            return;
        }
        let warning = self
            .steps
            .iter()
            .find(|(id, _)| *id == self.step)
            .and_then(|(_, step)| step.leave_warning());
        match warning {
            Some(text) => self.pending_leave = Some((target, text)),
            None => self.leave_to(target),
        }
    }

    fn leave_to(&mut self, target: StepId) {
        if let Some(profile) = self.profile.as_mut()
            && let Some((_, step)) = self.steps.iter_mut().find(|(id, _)| *id == self.step)
        {
            let mut env = StepEnv {
                profile,
                catalog: self.catalog,
                now: (self.clock)(),
                runtime: self.runtime.handle(),
                secrets: &self.secrets,
                toasts: &mut self.toasts,
            };
            step.on_leave(&mut env);
        }
        self.step = target;
    }

    fn leave_dialog_ui(&mut self, ctx: &egui::Context) {
        let Some((target, text)) = self.pending_leave.clone() else {
            return;
        };
        let choice = crate::ui::widgets::confirm::confirm(
            ctx,
            "leave-dialog",
            380.0,
            "Leave this step?",
            |ui| {
                ui.label(text);
            },
            [("Stay", false), ("Leave", true)],
        );
        match choice {
            Some(true) => {
                self.pending_leave = None;
                self.leave_to(target);
            }
            Some(false) => self.pending_leave = None,
            None => {}
        }
    }

    /// Runs a Tenant step command. Loading, creating, copying, renaming and deleting files
    /// (each with an fsync) happen on a blocking thread, never in the frame; the result is
    /// applied by [`Self::collect_tenant_result`] when it arrives. A command given while
    /// the previous one still runs is refused with a word in the status line.
    fn run_tenant_command(
        &mut self,
        ctx: &egui::Context,
        command: TenantCommand,
        now: DateTime<Utc>,
    ) {
        if self.tenant_task.is_running() {
            self.status_line =
                Some("Still working on the last tenant action; try again in a moment".to_owned());
            return;
        }
        let store = self.store.clone();
        let job: Box<dyn FnOnce() -> Result<TenantDone, StorageError> + Send> = match command {
            TenantCommand::Create {
                name,
                platform,
                idp,
            } => Box::new(move || {
                store
                    .create(&name, platform, idp, now)
                    .map(TenantDone::Created)
            }),
            TenantCommand::Open(id) => {
                Box::new(move || store.load(&id, now).map(TenantDone::Opened))
            }
            TenantCommand::Duplicate(id) => Box::new(move || {
                let source = store.load(&id, now)?;
                store
                    .duplicate(&source, now)
                    .map(|copy| TenantDone::Duplicated(copy.name))
            }),
            TenantCommand::Rename { id, name } => {
                if let Some(profile) = self.profile.as_mut().filter(|p| p.id == id) {
                    // The open tenant: the writer saves it, in order with its other edits.
                    profile.name = name;
                    self.send_to_writer();
                    self.status_line = None;
                    return;
                }
                Box::new(move || {
                    let mut profile = store.load(&id, now)?;
                    profile.name = name;
                    profile.updated_at = now;
                    store.save(&profile).map(|()| TenantDone::Saved)
                })
            }
            TenantCommand::Delete(id) => {
                // The open copy may hold a credential not saved yet (debounce).
                let unsaved: Vec<CredentialMeta> = self
                    .profile
                    .as_ref()
                    .filter(|p| p.id == id)
                    .map(|p| p.credentials.clone())
                    .unwrap_or_default();
                if self.profile.as_ref().is_some_and(|p| p.id == id) {
                    // Closed at once, so that no later edit saves the tenant again.
                    self.profile = None;
                    self.saved = None;
                    self.dirty_since = None;
                }
                Box::new(move || {
                    let mut credentials = store
                        .load(&id, now)
                        .map(|p| p.credentials)
                        .unwrap_or_default();
                    for credential in unsaved {
                        if !credentials.iter().any(|c| c.id == credential.id) {
                            credentials.push(credential);
                        }
                    }
                    store
                        .delete(&id)
                        .map(|()| TenantDone::Deleted { id, credentials })
                })
            }
            TenantCommand::Refresh => {
                self.status_line = None;
                self.refresh_listing(ctx);
                return;
            }
        };
        self.tenant_task = Task::spawn(self.runtime.handle(), ctx, async move {
            tokio::task::spawn_blocking(job)
                .await
                .map_err(|err| format!("the tenant action stopped: {err}"))
                .and_then(|result| result.map_err(|err| err.to_string()))
        });
    }

    /// Applies a finished Tenant step command (see [`Self::run_tenant_command`]).
    fn collect_tenant_result(&mut self, ctx: &egui::Context) {
        self.tenant_task.poll();
        let Some(result) = self.tenant_task.take() else {
            return;
        };
        let time = ctx.input(|i| i.time);
        match result {
            Ok(done) => {
                self.status_line = None;
                match done {
                    TenantDone::Created(profile) => {
                        self.toasts
                            .show(format!("Created “{}”", profile.name), time);
                        self.set_profile(profile);
                    }
                    TenantDone::Opened(profile) => self.set_profile(profile),
                    TenantDone::Duplicated(name) => {
                        self.toasts.show(format!("Duplicated as “{name}”"), time);
                    }
                    TenantDone::Saved => {}
                    TenantDone::Deleted { id, credentials } => {
                        let secrets = Arc::clone(&self.secrets);
                        let accounts: Vec<String> = credentials
                            .iter()
                            .map(|credential| crate::secrets::account(&id, &credential.id))
                            .collect();
                        // Off the UI thread: the keyring may wait on D-Bus or an unlock
                        // prompt. The profile is gone either way; a secret left behind is
                        // listed as an orphan in the expiry dashboard.
                        drop(self.runtime.spawn_blocking(move || {
                            for account in &accounts {
                                let _ = secrets.delete(account);
                            }
                        }));
                    }
                }
            }
            Err(err) => self.status_line = Some(err),
        }
        self.refresh_listing(ctx);
    }

    fn schedule_save(&mut self, ctx: &egui::Context) {
        let Some(profile) = self.profile.as_mut() else {
            return;
        };
        if self.saved.as_ref() == Some(profile) {
            self.dirty_since = None;
            return;
        }
        let time = ctx.input(|i| i.time);
        let since = *self.dirty_since.get_or_insert(time);
        let waited = time - since;
        if waited >= SAVE_DEBOUNCE.as_secs_f64() {
            self.send_to_writer();
        } else {
            ctx.request_repaint_after(Duration::from_secs_f64(
                SAVE_DEBOUNCE.as_secs_f64() - waited,
            ));
        }
    }

    /// Hands the open profile to the background writer now.
    fn send_to_writer(&mut self) {
        let Some(profile) = self.profile.as_mut() else {
            return;
        };
        profile.updated_at = (self.clock)();
        let snapshot = profile.clone();
        self.saved = Some(snapshot.clone());
        self.dirty_since = None;
        self.edit_number += 1;
        if self.save_tx.send((self.edit_number, snapshot)).is_err() {
            self.save_state = Some(SaveState::Failed(
                "the background writer stopped; restart the app".to_owned(),
            ));
        }
    }

    fn collect_save_results(&mut self) {
        let mut saved_any = false;
        while let Ok((id, result)) = self.save_rx.try_recv() {
            if self.profile.as_ref().is_some_and(|p| p.id == id) {
                self.save_state = Some(match result {
                    Ok(at) => SaveState::Saved(at),
                    Err(err) => SaveState::Failed(err),
                });
            }
            saved_any = true;
        }
        if saved_any
            && let (Task::Done(Ok(listing)), Some(profile)) = (&mut self.listing, &self.profile)
            && let Some(entry) = listing.profiles.iter_mut().find(|p| p.id == profile.id)
        {
            entry.clone_from(profile);
        }
    }
}

/// "Text size − 100 % +" in the rail: the UI scale an admin can reach without knowing
/// that Ctrl + and Ctrl − do the same (issue #15).
fn text_size_ui(ui: &mut egui::Ui) {
    let ctx = ui.ctx().clone();
    ui.horizontal_wrapped(|ui| {
        ui.label(egui::RichText::new("Text size").color(Tokens::ui(ui).muted));
        if ui
            .small_button("−")
            .on_hover_text("Smaller (Ctrl −)")
            .clicked()
        {
            egui::gui_zoom::zoom_out(&ctx);
        }
        let percent = (ctx.zoom_factor() * 100.0).round();
        if ui
            .small_button(format!("{percent} %"))
            .on_hover_text("Back to 100 % (Ctrl 0)")
            .clicked()
        {
            ctx.set_zoom_factor(1.0);
        }
        if ui
            .small_button("+")
            .on_hover_text("Larger (Ctrl +)")
            .clicked()
        {
            egui::gui_zoom::zoom_in(&ctx);
        }
    });
}

fn fresh_steps() -> Vec<(StepId, Box<dyn Step>)> {
    fn fresh<S: Step + Default + 'static>(id: StepId) -> (StepId, Box<dyn Step>) {
        (id, Box::new(S::default()))
    }
    vec![
        fresh::<steps::sso_app::SsoAppStep>(StepId::SsoApp),
        fresh::<steps::test_sso::TestSsoStep>(StepId::TestSso),
        fresh::<steps::scim_app::ScimAppStep>(StepId::ScimApp),
        fresh::<steps::test_scim::TestScimStep>(StepId::TestScim),
        fresh::<steps::credentials::CredentialsStep>(StepId::Credentials),
        fresh::<steps::review::ReviewStep>(StepId::Review),
    ]
}

/// One writer task: profiles are written in the order they were edited.
fn spawn_writer(
    runtime: &tokio::runtime::Runtime,
    store: ProfileStore,
    written: WrittenEdits,
) -> (
    mpsc::UnboundedSender<(u64, Profile)>,
    std::sync::mpsc::Receiver<SaveResult>,
) {
    let (tx, mut rx) = mpsc::unbounded_channel::<(u64, Profile)>();
    let (result_tx, result_rx) = std::sync::mpsc::channel();
    runtime.spawn(async move {
        while let Some((number, profile)) = rx.recv().await {
            let store = store.clone();
            let written = Arc::clone(&written);
            let id = profile.id.clone();
            let result = tokio::task::spawn_blocking(move || {
                save_in_order(&store, &written, number, &profile).map(|_| Utc::now())
            })
            .await
            .map_err(|err| err.to_string())
            .and_then(|r| r);
            if result_tx.send((id, result)).is_err() {
                break;
            }
        }
    });
    (tx, result_rx)
}

/// Saves edit `number` of `profile` unless a newer edit of it was written already.
/// `Ok(false)` when it was skipped as stale.
fn save_in_order(
    store: &ProfileStore,
    written: &WrittenEdits,
    number: u64,
    profile: &Profile,
) -> Result<bool, String> {
    // A poisoned lock only means a save panicked; the map of numbers is still valid.
    let mut newest = written
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if newest.get(&profile.id).is_some_and(|&n| n >= number) {
        return Ok(false);
    }
    store.save(profile).map_err(|err| err.to_string())?;
    newest.insert(profile.id.clone(), number);
    Ok(true)
}

impl eframe::App for WizardApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        Self::ui(self, ui);
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{IdpId, PlatformId};

    #[test]
    fn an_older_edit_never_overwrites_a_newer_one() {
        let tmp = tempfile::tempdir().unwrap();
        let store = ProfileStore::at(tmp.path());
        let now = Utc::now();
        let mut older = store
            .create("Contoso", PlatformId::Airia, IdpId::Entra, now)
            .unwrap();
        let other = store
            .create("Fabrikam", PlatformId::Airia, IdpId::Okta, now)
            .unwrap();
        older.name = "Contoso (older edit)".to_owned();
        let mut newer = older.clone();
        newer.name = "Contoso (newer edit)".to_owned();
        let written = WrittenEdits::default();

        // `flush` wrote edit 2 while edit 1 was still queued for the writer.
        assert_eq!(save_in_order(&store, &written, 2, &newer), Ok(true));
        assert_eq!(save_in_order(&store, &written, 1, &older), Ok(false));
        assert_eq!(store.load(&older.id, now).unwrap().name, newer.name);

        // Numbers are per profile: another profile's older number is still written.
        let mut renamed = other.clone();
        renamed.name = "Fabrikam (renamed)".to_owned();
        assert_eq!(save_in_order(&store, &written, 1, &renamed), Ok(true));
        assert_eq!(store.load(&other.id, now).unwrap().name, renamed.name);
    }
}

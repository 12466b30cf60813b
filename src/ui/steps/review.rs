//! The Review step: the offline checklist of the open tenant, grouped with progress per
//! group, tick boxes saved in the profile (`checklist_ticks`), items the last check run
//! proved ticked automatically and marked so, a "still open" filter, exports for a change
//! ticket (Markdown, HTML) and the support bundle, shown in full before it is saved.
//!
//! Everything here works with no network: the checklist comes from the embedded catalog
//! and the profile ([`crate::export::checklist`]). Save dialogs and keyring look-ups run in
//! background tasks, so no frame waits for them.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::{Step, StepEnv, StepOutcome};
use crate::catalog::ChecklistGroup;
use crate::diagnostics::Status;
use crate::export::bundle::{self, BundleInput, KeyringPresence};
use crate::export::checklist::{self, ChecklistReview, Format, ReviewItem};
use crate::model::{Profile, StoredReport};
use crate::secrets::SecretStore;
use crate::ui::task::Task;
use crate::ui::theme::Tokens;
use crate::ui::troubleshoot;
use crate::ui::widgets::expiry_badge;

/// A dialog that returns sooner than this was never shown: nobody cancels that fast.
const NO_DIALOG_WITHIN: Duration = Duration::from_millis(700);

/// What is being saved, for the messages about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SaveWhat {
    Checklist(Format),
    Bundle,
}

impl SaveWhat {
    fn noun(self) -> &'static str {
        match self {
            Self::Checklist(_) => "checklist",
            Self::Bundle => "support bundle",
        }
    }
}

/// How a save ended.
#[derive(Clone, Debug, PartialEq, Eq)]
enum SaveOutcome {
    Saved(PathBuf),
    Cancelled,
    /// No save dialog on this desktop: the file can go into `folder` instead.
    NoDialog(PendingSave),
    Failed(String),
}

/// A file waiting to be saved into the admin's Documents (or Downloads, or home) folder.
#[derive(Clone, Debug, PartialEq, Eq)]
struct PendingSave {
    folder: Option<PathBuf>,
    file_name: String,
    text: String,
}

/// The support bundle's life on screen.
#[derive(Debug, Default)]
enum BundleView {
    /// Not asked for.
    #[default]
    Hidden,
    /// Being built (the keyring is asked which credentials it holds).
    Building(Task<String>),
    /// Shown for review; this exact text is what gets saved or copied.
    Ready(String),
}

/// State of the Review step.
#[derive(Debug, Default)]
pub struct ReviewStep {
    /// Show only items neither ticked nor verified.
    open_only: bool,
    /// A running save (checklist export or bundle) and what it saves.
    saving: Option<(SaveWhat, Task<SaveOutcome>)>,
    /// The outcome of the last save, shown under its buttons.
    last_save: Option<(SaveWhat, SaveOutcome)>,
    /// The admin's description of the problem, for the bundle.
    bundle_note: String,
    bundle: BundleView,
}

impl Step for ReviewStep {
    fn ui(&mut self, ui: &mut egui::Ui, env: &mut StepEnv<'_>) -> StepOutcome {
        self.poll_tasks(ui, env);
        ui.heading("Review");
        let toggles = {
            let review = ChecklistReview::for_profile(env.catalog, env.profile);
            summary_ui(ui, env, &review);
            ui.add_space(6.0);
            self.export_ui(ui, env, &review);
            ui.add_space(6.0);
            self.checklist_ui(ui, &review, env)
        };
        for (item_id, ticked) in toggles {
            set_tick(env.profile, &item_id, ticked);
        }
        ui.add_space(12.0);
        ui.separator();
        self.bundle_ui(ui, env);
        StepOutcome::Stay
    }
}

impl ReviewStep {
    fn poll_tasks(&mut self, ui: &egui::Ui, env: &mut StepEnv<'_>) {
        if let Some((what, task)) = &mut self.saving {
            task.poll();
            if let Some(outcome) = task.take() {
                if let SaveOutcome::Saved(path) = &outcome {
                    env.toasts.show(
                        format!("Saved the {} to {}", what.noun(), path.display()),
                        ui.input(|i| i.time),
                    );
                }
                self.last_save = Some((*what, outcome));
                self.saving = None;
            }
        }
        if let BundleView::Building(task) = &mut self.bundle {
            task.poll();
            if let Some(json) = task.take() {
                self.bundle = BundleView::Ready(json);
            } else if !task.is_running() {
                // The builder stopped without an answer (a panic): let the admin retry.
                self.bundle = BundleView::Hidden;
            }
        }
    }

    fn export_ui(
        &mut self,
        ui: &mut egui::Ui,
        env: &mut StepEnv<'_>,
        review: &ChecklistReview<'_>,
    ) {
        let busy = self.saving.is_some();
        ui.horizontal_wrapped(|ui| {
            ui.checkbox(&mut self.open_only, "Still open only");
            ui.separator();
            for (format, label) in [
                (Format::Markdown, "Export Markdown…"),
                (Format::Html, "Export HTML…"),
            ] {
                let button = ui
                    .add_enabled(!busy, egui::Button::new(label))
                    .on_hover_text("Settings, last check results, credential expiries and open items, for a change ticket");
                if button.clicked() {
                    let text = checklist::render(review, Some(env.profile), env.now, format);
                    let name = checklist::file_name(review, Some(env.profile), env.now, format);
                    let (filter, extension) = match format {
                        Format::Html => ("HTML page", "html"),
                        Format::Markdown | Format::Text => ("Markdown", "md"),
                    };
                    let future = save_text("Save the checklist", name, (filter, extension), text);
                    self.last_save = None;
                    self.saving = Some((
                        SaveWhat::Checklist(format),
                        Task::spawn(env.runtime, ui.ctx(), future),
                    ));
                }
            }
            if ui
                .button("Copy as Markdown")
                .on_hover_text("Paste it straight into a ticket")
                .clicked()
            {
                let text = checklist::render(review, Some(env.profile), env.now, Format::Markdown);
                ui.ctx().copy_text(text);
                env.toasts.show("Copied to clipboard", ui.input(|i| i.time));
            }
            if busy {
                ui.spinner();
            }
        });
        if let Some((what @ SaveWhat::Checklist(format), outcome)) = &self.last_save {
            let cli_format = if *format == Format::Html {
                "html"
            } else {
                "md"
            };
            let hint = format!(
                "sso-scim-wizard checklist --profile {} --format {cli_format} --out FILE",
                env.profile.id
            );
            if let Some(pending) = save_outcome_ui(ui, *what, outcome, &hint) {
                let what = *what;
                self.start_folder_save(ui.ctx(), env, what, pending);
            }
        }
    }

    /// Saves a file the dialog could not take into the folder the admin was offered.
    fn start_folder_save(
        &mut self,
        ctx: &egui::Context,
        env: &StepEnv<'_>,
        what: SaveWhat,
        pending: PendingSave,
    ) {
        self.last_save = None;
        self.saving = Some((what, Task::spawn(env.runtime, ctx, save_to_folder(pending))));
    }

    fn checklist_ui(
        &self,
        ui: &mut egui::Ui,
        review: &ChecklistReview<'_>,
        env: &StepEnv<'_>,
    ) -> Vec<(String, bool)> {
        let tokens = Tokens::ui(ui);
        let mut toggles = Vec::new();
        let progress = review.progress();
        for (group, items) in review.groups() {
            let Some(counts) = progress.iter().find(|p| p.group == group) else {
                continue;
            };
            let header = format!(
                "{}  ·  {} of {} done",
                group.label(),
                counts.done,
                counts.total
            );
            egui::CollapsingHeader::new(header)
                .id_salt(("review-group", group.as_str()))
                // A finished group starts folded: what is left to do stays in view.
                .default_open(counts.done < counts.total)
                .show(ui, |ui| {
                    group_progress_ui(ui, group, counts.done, counts.total);
                    let shown: Vec<&&ReviewItem<'_>> = items
                        .iter()
                        .filter(|entry| !self.open_only || !entry.is_done())
                        .collect();
                    if shown.is_empty() {
                        ui.colored_label(tokens.good, "✔ Everything in this group is done");
                    }
                    for entry in shown {
                        if let Some(ticked) = item_ui(ui, tokens, entry, env) {
                            toggles.push((entry.item.id.clone(), ticked));
                        }
                    }
                });
        }
        toggles
    }

    fn bundle_ui(&mut self, ui: &mut egui::Ui, env: &mut StepEnv<'_>) {
        let tokens = Tokens::ui(ui);
        ui.heading("Support bundle");
        ui.label(
            "What a vendor's support team asks for: platform and IdP, the URLs you set, app version \
             and OS, the last check results with times, and credential dates with their last four \
             characters. Never a secret or a token.",
        );
        let label = ui.label("What failed, and when (optional)");
        ui.add(
            egui::TextEdit::singleline(&mut self.bundle_note)
                .hint_text("e.g. new users not created since 09:40")
                .desired_width(ui.available_width().min(480.0)),
        )
        .labelled_by(label.id);
        match &mut self.bundle {
            BundleView::Hidden => {
                if ui.button("Prepare support bundle…").clicked() {
                    self.bundle =
                        BundleView::Building(build_bundle_task(env, ui.ctx(), &self.bundle_note));
                }
            }
            BundleView::Building(_) => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("Preparing the bundle…");
                });
            }
            BundleView::Ready(json) => {
                ui.colored_label(
                    tokens.muted,
                    "This is exactly what will be saved. Read it before you send it.",
                );
                let label = ui.label("Support bundle JSON");
                egui::ScrollArea::vertical()
                    .id_salt("bundle-json")
                    .max_height(360.0)
                    // Inside the step's own scroll area the space left on screen can be a
                    // few lines; keep the review pane tall enough to read.
                    .min_scrolled_height(240.0)
                    .show(ui, |ui| {
                        let mut shown: &str = json.as_str();
                        ui.add(
                            egui::TextEdit::multiline(&mut shown)
                                .code_editor()
                                .desired_width(f32::INFINITY),
                        )
                        .labelled_by(label.id);
                    });
                let json = json.clone();
                let mut close = false;
                let mut rebuild = false;
                let busy = self.saving.is_some();
                ui.horizontal(|ui| {
                    if ui
                        .add_enabled(!busy, egui::Button::new("Save bundle…"))
                        .clicked()
                    {
                        let name = bundle::file_name(env.profile, env.now);
                        let future = save_text(
                            "Save the support bundle",
                            name,
                            ("JSON", "json"),
                            json.clone(),
                        );
                        self.last_save = None;
                        self.saving =
                            Some((SaveWhat::Bundle, Task::spawn(env.runtime, ui.ctx(), future)));
                    }
                    if ui.button("Copy").clicked() {
                        ui.ctx().copy_text(json.clone());
                        env.toasts.show("Copied to clipboard", ui.input(|i| i.time));
                    }
                    if ui
                        .button("Refresh")
                        .on_hover_text("Build it again from the current settings")
                        .clicked()
                    {
                        rebuild = true;
                    }
                    if ui.button("Close").clicked() {
                        close = true;
                    }
                });
                if rebuild {
                    self.bundle =
                        BundleView::Building(build_bundle_task(env, ui.ctx(), &self.bundle_note));
                } else if close {
                    self.bundle = BundleView::Hidden;
                }
            }
        }
        if let Some((SaveWhat::Bundle, outcome)) = &self.last_save {
            let hint = format!(
                "sso-scim-wizard bundle --profile {} --out FILE",
                env.profile.id
            );
            if let Some(pending) = save_outcome_ui(ui, SaveWhat::Bundle, outcome, &hint) {
                self.start_folder_save(ui.ctx(), env, SaveWhat::Bundle, pending);
            }
        }
    }
}

fn summary_ui(ui: &mut egui::Ui, env: &StepEnv<'_>, review: &ChecklistReview<'_>) {
    let tokens = Tokens::ui(ui);
    let profile = &*env.profile;
    ui.label(format!(
        "Checklist for {} with {}: {} of {} items done. Works offline; ticks are saved with the tenant.",
        profile.platform.label(),
        profile.idp.label(),
        review.done_count(),
        review.items.len()
    ));
    ui.add_space(4.0);
    egui::Grid::new("review-last-checks")
        .num_columns(2)
        .spacing([12.0, 4.0])
        .show(ui, |ui| {
            last_check_row(ui, tokens, "SSO checks", profile.last_oidc_report.as_ref());
            last_check_row(ui, tokens, "SCIM checks", profile.last_scim_report.as_ref());
            for credential in &profile.credentials {
                ui.label(format!(
                    "{} {}",
                    credential.kind.label(),
                    crate::secrets::masked(&credential.last4)
                ));
                expiry_badge::ui(ui, credential.expires_at, env.now);
                ui.end_row();
            }
        });
}

/// One checklist item; `Some(ticked)` when the admin changed its box.
fn item_ui(
    ui: &mut egui::Ui,
    tokens: Tokens,
    entry: &ReviewItem<'_>,
    env: &StepEnv<'_>,
) -> Option<bool> {
    let mut changed = None;
    if entry.is_verified() {
        let mut checked = true;
        ui.add_enabled(
            false,
            egui::Checkbox::new(&mut checked, entry.item.text.as_str()),
        )
        .on_disabled_hover_text(
            "Proven by the last check run; it stays ticked while that check passes",
        );
    } else if let Some(known) = &entry.known {
        let mut checked = true;
        ui.add_enabled(
            false,
            egui::Checkbox::new(&mut checked, entry.item.text.as_str()),
        )
        .on_disabled_hover_text(format!("{known}; it stays ticked while that holds"));
    } else {
        let mut ticked = entry.ticked;
        if ui.checkbox(&mut ticked, entry.item.text.as_str()).changed() {
            changed = Some(ticked);
        }
    }
    ui.indent(("review-item", entry.item.id.as_str()), |ui| {
        ui.label(
            egui::RichText::new(entry.item.why_for(env.profile.platform, env.profile.idp))
                .small()
                .color(tokens.muted),
        );
        if let (Some(known), None) = (&entry.known, &entry.evidence) {
            ui.label(
                egui::RichText::new(format!("✔ {known}"))
                    .small()
                    .color(tokens.good),
            );
        }
        if let Some(evidence) = &entry.evidence {
            let at = local_text(evidence.checked_at);
            let (icon, colour) = match evidence.status {
                Status::Pass => ("✔", tokens.good),
                Status::Warn => ("⚠", tokens.warn),
                Status::Fail => ("✖", tokens.bad),
                Status::Skip => ("–", tokens.muted),
            };
            ui.horizontal_wrapped(|ui| {
                ui.label(
                    egui::RichText::new(format!("{icon} {}", evidence.describe(&at)))
                        .small()
                        .color(colour),
                );
                if matches!(evidence.status, Status::Fail | Status::Warn) {
                    troubleshoot::check_link_ui(ui, env.catalog, &evidence.check_id);
                }
            });
        }
    });
    changed
}

fn group_progress_ui(ui: &mut egui::Ui, group: ChecklistGroup, done: usize, total: usize) {
    let fraction = if total == 0 {
        1.0
    } else {
        done as f32 / total as f32
    };
    let mut bar = egui::ProgressBar::new(fraction)
        .desired_width(240.0)
        .text(format!("{done} of {total}"));
    if done == 0 && total > 0 {
        // egui draws at least a round cap of fill: at 0 that is a blob, not an empty track.
        bar = bar.fill(egui::Color32::TRANSPARENT);
    }
    ui.add(bar)
        .on_hover_text(format!("{}: {done} of {total} items done", group.label()));
}

fn last_check_row(ui: &mut egui::Ui, tokens: Tokens, name: &str, stored: Option<&StoredReport>) {
    ui.label(name);
    match stored {
        None => {
            ui.colored_label(
                tokens.muted,
                "not run yet: tick those items by hand or run the test step",
            );
        }
        Some(stored) => {
            let s = stored.report.summary;
            let colour = if s.fail > 0 {
                tokens.bad
            } else if s.warn > 0 {
                tokens.warn
            } else {
                tokens.good
            };
            ui.colored_label(
                colour,
                format!("last run {}: {}", local_text(stored.checked_at), s.line()),
            );
        }
    }
    ui.end_row();
}

/// Shows how a save ended; `Some` when the admin chose to save into the offered folder.
fn save_outcome_ui(
    ui: &mut egui::Ui,
    what: SaveWhat,
    outcome: &SaveOutcome,
    cli_hint: &str,
) -> Option<PendingSave> {
    let tokens = Tokens::ui(ui);
    let mut chosen = None;
    match outcome {
        SaveOutcome::Saved(path) => {
            ui.colored_label(
                tokens.good,
                format!("✔ Saved the {} to {}", what.noun(), path.display()),
            );
        }
        SaveOutcome::Cancelled => {}
        SaveOutcome::NoDialog(pending) => {
            ui.colored_label(
                tokens.warn,
                "⚠ No save dialog could be opened on this desktop (it needs the XDG desktop portal \
                 or zenity)",
            );
            if let Some(folder) = &pending.folder {
                ui.horizontal_wrapped(|ui| {
                    let target = folder.join(&pending.file_name);
                    if ui
                        .button(format!("Save as {}", target.display()))
                        .on_hover_text(
                            "A file of that name already there is kept; the new one gets a number",
                        )
                        .clicked()
                    {
                        chosen = Some(pending.clone());
                    }
                });
            }
            ui.colored_label(
                tokens.muted,
                format!("Or use Copy, or the command line: {cli_hint}"),
            );
        }
        SaveOutcome::Failed(err) => {
            ui.colored_label(
                tokens.bad,
                format!("✖ Could not save the {}: {err}", what.noun()),
            );
        }
    }
    chosen
}

/// Writes a pending save into its folder off the UI thread.
async fn save_to_folder(pending: PendingSave) -> SaveOutcome {
    let Some(folder) = pending.folder else {
        return SaveOutcome::Failed("no home folder to save into".to_owned());
    };
    let written = tokio::task::spawn_blocking(move || {
        crate::export::save_dir::save_into(&folder, &pending.file_name, &pending.text)
            .map_err(|err| format!("{err}: {}", folder.display()))
    })
    .await;
    match written {
        Ok(Ok(path)) => SaveOutcome::Saved(path),
        Ok(Err(err)) => SaveOutcome::Failed(err),
        Err(err) => SaveOutcome::Failed(err.to_string()),
    }
}

/// Ticks or unticks an item in the profile (the shell saves the change).
fn set_tick(profile: &mut Profile, item_id: &str, ticked: bool) {
    profile.checklist_ticks.retain(|id| id != item_id);
    if ticked {
        profile.checklist_ticks.push(item_id.to_owned());
    }
}

/// A time as the admin reads it on screen: local, to the minute.
fn local_text(at: DateTime<Utc>) -> String {
    at.with_timezone(&chrono::Local)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// Builds the bundle off the UI thread: asking the keyring which credentials it holds
/// may wait on D-Bus or an unlock prompt.
fn build_bundle_task(env: &StepEnv<'_>, ctx: &egui::Context, note: &str) -> Task<String> {
    let profile = env.profile.clone();
    let secrets = Arc::clone(env.secrets);
    let catalog = env.catalog;
    let now = env.now;
    let note = note.to_owned();
    Task::spawn(env.runtime, ctx, async move {
        let built = tokio::task::spawn_blocking(move || {
            let presence = keyring_presence(&profile, secrets.as_ref());
            bundle::to_json(&BundleInput {
                profile: &profile,
                catalog,
                now,
                keyring: Some(&presence),
                note: &note,
            })
        })
        .await;
        built.unwrap_or_else(|err| {
            format!("{{\"error\": \"the bundle could not be built: {err}\"}}")
        })
    })
}

/// Whether each credential's value is in the store. The value itself is dropped (and
/// zeroized) at once; only present / missing reaches the bundle.
fn keyring_presence(
    profile: &Profile,
    secrets: &dyn SecretStore,
) -> BTreeMap<String, KeyringPresence> {
    profile
        .credentials
        .iter()
        .map(|credential| {
            let account = crate::secrets::account(&profile.id, &credential.id);
            let presence = match secrets.get(&account) {
                Ok(Some(_)) => KeyringPresence::Present,
                Ok(None) => KeyringPresence::Missing,
                Err(_) => KeyringPresence::Unknown,
            };
            (credential.id.clone(), presence)
        })
        .collect()
}

/// Asks where to save `text` with the native dialog and writes it there.
async fn save_text(
    title: &'static str,
    file_name: String,
    filter: (&'static str, &'static str),
    text: String,
) -> SaveOutcome {
    let started = Instant::now();
    let handle = rfd::AsyncFileDialog::new()
        .set_title(title)
        .set_file_name(file_name.clone())
        .add_filter(filter.0, &[filter.1])
        .save_file()
        .await;
    let Some(handle) = handle else {
        // With no portal and no zenity rfd answers None at once; a person takes longer.
        return if started.elapsed() < NO_DIALOG_WITHIN {
            let folder = tokio::task::spawn_blocking(|| {
                crate::export::save_dir::Places::from_env().map(|places| places.save_folder())
            })
            .await
            .ok()
            .flatten();
            SaveOutcome::NoDialog(PendingSave {
                folder,
                file_name,
                text,
            })
        } else {
            SaveOutcome::Cancelled
        };
    };
    match handle.write(text.as_bytes()).await {
        Ok(()) => SaveOutcome::Saved(handle.path().to_path_buf()),
        Err(err) => SaveOutcome::Failed(format!("{err}: {}", handle.path().display())),
    }
}

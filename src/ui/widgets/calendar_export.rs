//! "Add to calendar…": builds the `.ics` reminders ([`crate::export::ics`]) and saves them
//! where the admin picks, with the native save dialog (rfd, XDG desktop portal or zenity on
//! Linux) opened from a background task so no frame waits for it.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::expiry::Due;
use crate::export::ics;
use crate::ui::task::Task;
use crate::ui::theme::Tokens;
use crate::ui::widgets::toasts::Toasts;

/// A dialog that returns sooner than this was never shown: nobody cancels that fast.
const NO_DIALOG_WITHIN: Duration = Duration::from_millis(700);

/// How an export ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExportResult {
    /// Written: where, and how many events.
    Saved(PathBuf, usize),
    /// Nothing to remind of (no credential with a future expiry).
    Empty,
    /// The admin cancelled the dialog.
    Cancelled,
    /// No dialog could be shown (no portal, no zenity): the file can go into `folder`
    /// (Documents, Downloads or home) instead.
    NoDialog {
        /// Where it would go; `None` without a home folder.
        folder: Option<PathBuf>,
        /// The calendar file.
        text: String,
        /// Reminders in it.
        events: usize,
    },
    /// Writing failed.
    Failed(String),
}

/// The button and the outcome of the last export.
#[derive(Debug, Default)]
pub struct CalendarExport {
    task: Task<ExportResult>,
    last: Option<ExportResult>,
    /// The admin chose "Save as …" under a missing dialog; the next frame writes it.
    save_to_folder: bool,
}

impl CalendarExport {
    /// Draws "Add to calendar…"; `due` is called only when clicked.
    pub fn button_ui(
        &mut self,
        ui: &mut egui::Ui,
        runtime: &tokio::runtime::Handle,
        now: DateTime<Utc>,
        toasts: &mut Toasts,
        due: impl FnOnce() -> Vec<Due>,
    ) {
        self.task.poll();
        if let Some(result) = self.task.take() {
            if let ExportResult::Saved(path, events) = &result {
                toasts.show(
                    format!(
                        "Saved {} to {}",
                        crate::diagnostics::words::count(*events, "reminder", "reminders"),
                        path.display()
                    ),
                    ui.input(|i| i.time),
                );
            }
            self.last = Some(result);
        }
        if std::mem::take(&mut self.save_to_folder)
            && let Some(ExportResult::NoDialog {
                folder: Some(folder),
                text,
                events,
            }) = self.last.take()
        {
            self.task = Task::spawn(runtime, ui.ctx(), save_to_folder(folder, text, events));
        }
        if self.task.is_running() {
            ui.add_enabled(false, egui::Button::new("Add to calendar…"));
            ui.spinner();
            return;
        }
        let clicked = ui
            .button("Add to calendar…")
            .on_hover_text("Save an .ics file with a reminder 30 and 7 days before each expiry (no secrets in it)")
            .clicked();
        if clicked {
            let due = due();
            self.last = None;
            self.task = Task::spawn(runtime, ui.ctx(), save(due, now));
        }
    }

    /// The outcome of the last export, in one line, under the button.
    pub fn result_ui(&mut self, ui: &mut egui::Ui) {
        let tokens = Tokens::ui(ui);
        match &self.last {
            None | Some(ExportResult::Cancelled) => {}
            Some(ExportResult::Saved(path, events)) => {
                ui.colored_label(
                    tokens.good,
                    format!(
                        "Saved {} to {}",
                        crate::diagnostics::words::count(*events, "reminder", "reminders"),
                        path.display()
                    ),
                );
            }
            Some(ExportResult::Empty) => {
                ui.colored_label(
                    tokens.muted,
                    "No credential has a future expiry date: nothing to add to a calendar",
                );
            }
            Some(ExportResult::NoDialog { folder, .. }) => {
                ui.colored_label(
                    tokens.warn,
                    "No save dialog could be opened: it needs xdg-desktop-portal with a backend (for \
                     example xdg-desktop-portal-gtk) or zenity",
                );
                if let Some(folder) = folder {
                    let target = folder.join(ics::FILE_NAME);
                    if ui
                        .button(format!("Save as {}", target.display()))
                        .on_hover_text(
                            "A file of that name already there is kept; the new one gets a number",
                        )
                        .clicked()
                    {
                        self.save_to_folder = true;
                        ui.ctx().request_repaint();
                    }
                }
                ui.colored_label(
                    tokens.muted,
                    "Or use the command line: sso-scim-wizard expiry --json gives the same dates",
                );
            }
            Some(ExportResult::Failed(err)) => {
                ui.colored_label(
                    tokens.bad,
                    format!("Could not save the calendar file: {err}"),
                );
            }
        }
    }
}

async fn save(due: Vec<Due>, now: DateTime<Utc>) -> ExportResult {
    let events = ics::event_count(&due, now);
    if events == 0 {
        return ExportResult::Empty;
    }
    let text = ics::calendar(&due, now);
    let started = Instant::now();
    let handle = rfd::AsyncFileDialog::new()
        .set_title("Save expiry reminders")
        .set_file_name(ics::FILE_NAME)
        .add_filter("iCalendar", &["ics"])
        .save_file()
        .await;
    let Some(handle) = handle else {
        return if started.elapsed() < NO_DIALOG_WITHIN {
            let folder = tokio::task::spawn_blocking(|| {
                crate::export::save_dir::Places::from_env().map(|places| places.save_folder())
            })
            .await
            .ok()
            .flatten();
            ExportResult::NoDialog {
                folder,
                text,
                events,
            }
        } else {
            ExportResult::Cancelled
        };
    };
    match handle.write(text.as_bytes()).await {
        Ok(()) => ExportResult::Saved(handle.path().to_path_buf(), events),
        Err(err) => ExportResult::Failed(format!("{err}: {}", handle.path().display())),
    }
}

/// Writes the calendar file into `folder` off the UI thread.
async fn save_to_folder(folder: PathBuf, text: String, events: usize) -> ExportResult {
    let written = tokio::task::spawn_blocking(move || {
        crate::export::save_dir::save_into(&folder, ics::FILE_NAME, &text)
            .map_err(|err| format!("{err}: {}", folder.display()))
    })
    .await;
    match written {
        Ok(Ok(path)) => ExportResult::Saved(path, events),
        Ok(Err(err)) => ExportResult::Failed(err),
        Err(err) => ExportResult::Failed(err.to_string()),
    }
}

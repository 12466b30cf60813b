//! The expiry dashboard: every credential of every tenant, most urgent first, with a
//! severity filter, a timeline (expiry dates against today with the 7- and 30-day bands),
//! calendar export and the clean-up list of keyring entries whose tenant is gone.
//!
//! Profiles are read by a background task; rows are virtualised (`show_rows`) and the
//! timeline is bucketed per pixel column, so 10 000 credentials cost about the same per
//! frame as 100. Nothing here ever holds a secret value.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use crate::expiry::{self, Due, Severity};
use crate::model::{CredentialMeta, CredentialState, Profile};
use crate::secrets::credential::orphans;
use crate::secrets::{Orphan, SecretStore, StoreError, masked};
use crate::storage::ProfileStore;
use crate::ui::task::Task;
use crate::ui::theme::Tokens;
use crate::ui::widgets::calendar_export::CalendarExport;
use crate::ui::widgets::expiry_badge;
use crate::ui::widgets::toasts::Toasts;

/// Height of one credential row.
const ROW_HEIGHT: f32 = 24.0;
/// Height of the timeline.
const TIMELINE_HEIGHT: f32 = 140.0;
/// Days before today the timeline shows (recently expired).
const TIMELINE_PAST_DAYS: i64 = 14;

/// What the dashboard gets each frame.
pub struct DashboardEnv<'a> {
    /// Where profiles are read from.
    pub store: &'a ProfileStore,
    /// The app's runtime.
    pub runtime: &'a tokio::runtime::Handle,
    /// Where secret values live (for the clean-up list).
    pub secrets: &'a Arc<dyn SecretStore>,
    /// The profile open in the wizard, which may be newer than its file.
    pub open_profile: Option<&'a Profile>,
    /// The current time.
    pub now: DateTime<Utc>,
    /// Corner notices.
    pub toasts: &'a mut Toasts,
}

/// Profiles as read from disk.
#[derive(Debug, Default)]
struct Loaded {
    profiles: Vec<Profile>,
    /// Ids of profile files that could not be read (their secrets are never offered for deletion).
    unreadable_ids: Vec<String>,
    problems: Vec<String>,
}

/// A row's group for filtering and stacking: the severities, then "no expiry".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Group {
    Expired,
    Critical,
    Warning,
    Ok,
    NoExpiry,
}

impl Group {
    /// Every group, most urgent first (the timeline stacks them in this order).
    const ALL: [Self; 5] = [
        Self::Expired,
        Self::Critical,
        Self::Warning,
        Self::Ok,
        Self::NoExpiry,
    ];

    fn of(expires_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Self {
        match expiry::severity_of(expires_at, now) {
            Some(Severity::Expired) => Self::Expired,
            Some(Severity::Critical) => Self::Critical,
            Some(Severity::Warning) => Self::Warning,
            Some(Severity::Ok) => Self::Ok,
            None => Self::NoExpiry,
        }
    }

    fn severity(self) -> Option<Severity> {
        match self {
            Self::Expired => Some(Severity::Expired),
            Self::Critical => Some(Severity::Critical),
            Self::Warning => Some(Severity::Warning),
            Self::Ok => Some(Severity::Ok),
            Self::NoExpiry => None,
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Which groups are shown, and a search text.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Filter {
    /// Indexed by [`Group::index`].
    shown: [bool; 5],
    text: String,
}

impl Default for Filter {
    fn default() -> Self {
        Self {
            shown: [true; 5],
            text: String::new(),
        }
    }
}

impl Filter {
    fn shows(&self, due: &Due, now: DateTime<Utc>, needle: &str) -> bool {
        self.shown[Group::of(due.credential.expires_at, now).index()]
            && (needle.is_empty()
                || due.tenant.to_lowercase().contains(needle)
                || due.credential.label.to_lowercase().contains(needle))
    }
}

/// The timeline's span after today.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Span {
    Quarter,
    Year,
    TwoYears,
}

impl Span {
    fn days(self) -> i64 {
        match self {
            Self::Quarter => 90,
            Self::Year => 365,
            Self::TwoYears => 730,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Quarter => "90 days",
            Self::Year => "1 year",
            Self::TwoYears => "2 years",
        }
    }
}

/// The clean-up list of secrets whose tenant or credential is gone.
#[derive(Debug, Default)]
struct Cleanup {
    scan: Task<Result<Vec<Orphan>, StoreError>>,
    found: Option<Result<Vec<Orphan>, StoreError>>,
    deleting: Task<Result<usize, StoreError>>,
    confirm_all: bool,
}

/// State of the expiry dashboard.
#[derive(Debug)]
pub struct ExpiryDashboard {
    load: Task<Result<Loaded, String>>,
    loaded: Option<Loaded>,
    /// The open profile as last merged in: (id, name, credentials).
    merged_open: Option<(String, String, Vec<CredentialMeta>)>,
    rows: Vec<Due>,
    filter: Filter,
    span: Span,
    calendar: CalendarExport,
    cleanup: Cleanup,
    command: Option<DashboardCommand>,
}

/// What the dashboard asks the app to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DashboardCommand {
    /// Open the tenant and start the rotation walkthrough for one of its credentials.
    Rotate {
        /// The profile.
        profile_id: String,
        /// The credential to replace.
        credential_id: String,
    },
}

impl Default for ExpiryDashboard {
    fn default() -> Self {
        Self {
            load: Task::Idle,
            loaded: None,
            merged_open: None,
            rows: Vec::new(),
            filter: Filter::default(),
            span: Span::Year,
            calendar: CalendarExport::default(),
            cleanup: Cleanup::default(),
            command: None,
        }
    }
}

impl ExpiryDashboard {
    /// Reads the profiles again on the next frame (the window was opened, or Refresh).
    pub fn reload(&mut self) {
        self.load = Task::Idle;
        self.loaded = None;
    }

    /// The rows in order (most urgent first), for tests.
    pub fn rows(&self) -> &[Due] {
        &self.rows
    }

    /// What the admin asked for in the last frame (the app carries it out).
    pub fn take_command(&mut self) -> Option<DashboardCommand> {
        self.command.take()
    }

    /// True once the profiles are read.
    pub fn is_loaded(&self) -> bool {
        self.loaded.is_some()
    }

    /// Shows the dashboard in its own window; `open` is cleared when it is closed.
    pub fn window_ui(&mut self, ctx: &egui::Context, open: &mut bool, env: &mut DashboardEnv<'_>) {
        // Never larger than the window it sits in, at any window size or UI scale (issue #15).
        let screen = ctx.content_rect().size() - egui::vec2(16.0, 16.0);
        egui::Window::new("Expiry dashboard")
            .open(open)
            .default_size(egui::vec2(980.0, 640.0).min(screen))
            .min_size(egui::vec2(640.0, 360.0).min(screen))
            .max_size(screen)
            .collapsible(false)
            .resizable(true)
            .show(ctx, |ui| self.ui(ui, env));
    }

    /// The dashboard's content.
    pub fn ui(&mut self, ui: &mut egui::Ui, env: &mut DashboardEnv<'_>) {
        self.poll_load(ui.ctx(), env);
        self.merge_open_profile(env.open_profile);
        let now = env.now;
        let needle = self.filter.text.trim().to_lowercase();
        let visible: Vec<usize> = (0..self.rows.len())
            .filter(|&i| self.filter.shows(&self.rows[i], now, &needle))
            .collect();

        ui.horizontal(|ui| {
            ui.heading("Credential expiry, all tenants");
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let rows = &self.rows;
                self.calendar
                    .button_ui(ui, env.runtime, now, env.toasts, || rows.clone());
                if ui
                    .add_enabled(!self.load.is_running(), egui::Button::new("Refresh"))
                    .clicked()
                {
                    self.reload();
                }
            });
        });
        self.calendar.result_ui(ui);
        if let Some(loaded) = &self.loaded {
            let tokens = Tokens::ui(ui);
            for problem in &loaded.problems {
                ui.colored_label(tokens.bad, problem);
            }
        }
        if self.loaded.is_none() {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Reading tenant profiles…");
            });
            return;
        }

        self.filter_ui(ui, now);
        ui.add_space(4.0);
        self.timeline_ui(ui, now, &visible);
        ui.add_space(6.0);
        self.cleanup_ui(ui, env);
        ui.separator();
        self.rows_ui(ui, now, &visible);
    }

    fn poll_load(&mut self, ctx: &egui::Context, env: &DashboardEnv<'_>) {
        if matches!(self.load, Task::Idle) && self.loaded.is_none() {
            let store = env.store.clone();
            self.load = Task::spawn(env.runtime, ctx, async move {
                tokio::task::spawn_blocking(move || read_profiles(&store, Utc::now()))
                    .await
                    .unwrap_or_else(|err| Err(format!("reading profiles stopped: {err}")))
            });
        }
        self.load.poll();
        if let Some(result) = self.load.take() {
            let loaded = result.unwrap_or_else(|err| Loaded {
                problems: vec![err],
                ..Loaded::default()
            });
            self.loaded = Some(loaded);
            self.merged_open = None;
            self.rebuild_rows(None);
        }
    }

    /// Keeps the rows in step with the open profile's unsaved edits.
    fn merge_open_profile(&mut self, open: Option<&Profile>) {
        if self.loaded.is_none() {
            return;
        }
        let current = open.map(|p| (p.id.clone(), p.name.clone(), p.credentials.clone()));
        let unchanged = match (&self.merged_open, &current) {
            (Some(a), Some(b)) => a == b,
            (None, None) => true,
            _ => false,
        };
        if !unchanged {
            self.rebuild_rows(open);
            self.merged_open = current;
        }
    }

    fn rebuild_rows(&mut self, open: Option<&Profile>) {
        let Some(loaded) = &self.loaded else { return };
        let others = loaded
            .profiles
            .iter()
            .filter(|p| open.is_none_or(|o| o.id != p.id));
        self.rows = expiry::due_list(others.chain(open));
    }

    fn filter_ui(&mut self, ui: &mut egui::Ui, now: DateTime<Utc>) {
        let mut counts = [0_usize; 5];
        for due in &self.rows {
            counts[Group::of(due.credential.expires_at, now).index()] += 1;
        }
        let tokens = Tokens::ui(ui);
        let Filter { shown, text } = &mut self.filter;
        ui.horizontal_wrapped(|ui| {
            ui.label("Show:");
            for group in Group::ALL {
                let severity = group.severity();
                let words = severity.map_or("No expiry", Severity::label);
                let colour = severity.map_or(tokens.muted, |s| tokens.severity(s));
                let count = counts[group.index()];
                let label = egui::RichText::new(format!(
                    "{} {words} ({count})",
                    expiry_badge::icon(severity)
                ))
                .color(colour);
                ui.checkbox(&mut shown[group.index()], label);
            }
            ui.separator();
            let label = ui.label("Tenant or label:");
            ui.add(egui::TextEdit::singleline(text).desired_width(160.0))
                .labelled_by(label.id);
        });
    }

    fn timeline_ui(&mut self, ui: &mut egui::Ui, now: DateTime<Utc>, visible: &[usize]) {
        ui.horizontal(|ui| {
            ui.label("Timeline:");
            for span in [Span::Quarter, Span::Year, Span::TwoYears] {
                ui.selectable_value(&mut self.span, span, span.label());
            }
        });
        let tokens = Tokens::ui(ui);
        let width = ui.available_width().max(200.0);
        let (rect, response) =
            ui.allocate_exact_size(egui::vec2(width, TIMELINE_HEIGHT), egui::Sense::hover());
        let painter = ui.painter_at(rect);
        let scale = Scale::new(rect.shrink2(egui::vec2(4.0, 18.0)), self.span);
        scale.axes(&painter, tokens, now);
        let stacks = Stacks::count(&scale, visible.iter().map(|&i| &self.rows[i]), now);
        stacks.paint(&painter, &scale, tokens);

        if let Some(pointer) = response.hover_pos()
            && let Some(column) = scale.column_at(pointer.x)
        {
            let names: Vec<String> = visible
                .iter()
                .map(|&i| &self.rows[i])
                .filter(|d| {
                    d.credential
                        .expires_at
                        .and_then(|at| scale.column_of(at, now))
                        == Some(column)
                })
                .map(|d| {
                    format!(
                        "{} · {} “{}”",
                        d.tenant,
                        d.credential.kind.label(),
                        d.credential.label
                    )
                })
                .collect();
            let (from, to) = scale.column_dates(column, now);
            response.on_hover_ui_at_pointer(|ui| {
                let when = if from == to {
                    from
                } else {
                    format!("{from} to {to}")
                };
                ui.label(format!(
                    "{when}: {} {}",
                    crate::diagnostics::words::count(names.len(), "credential", "credentials"),
                    if names.len() == 1 {
                        "expires"
                    } else {
                        "expire"
                    }
                ));
                for name in names.iter().take(8) {
                    ui.label(name);
                }
                if names.len() > 8 {
                    ui.label(format!("… and {} more", names.len() - 8));
                }
            });
        }
    }

    fn cleanup_ui(&mut self, ui: &mut egui::Ui, env: &mut DashboardEnv<'_>) {
        let cleanup = &mut self.cleanup;
        cleanup.scan.poll();
        if let Some(found) = cleanup.scan.take() {
            cleanup.found = Some(found);
        }
        cleanup.deleting.poll();
        if let Some(result) = cleanup.deleting.take() {
            match result {
                Ok(count) => {
                    let deleted = crate::diagnostics::words::count(count, "secret", "secrets");
                    env.toasts.show(
                        format!("Deleted {deleted} from the keyring"),
                        ui.input(|i| i.time),
                    );
                    // Look again, so the list shows what is really left.
                    cleanup.found = None;
                }
                Err(err) => cleanup.found = Some(Err(err)),
            }
        }
        let tokens = Tokens::ui(ui);
        egui::CollapsingHeader::new("Secrets left behind by deleted tenants").id_salt("orphans").show(ui, |ui| {
            if !env.secrets.is_persistent() {
                ui.label("No keyring is in use: secrets live in memory for this session only and vanish when the app closes.");
                return;
            }
            ui.label("The keyring is searched for entries of this app that no tenant profile refers to any more.");
            let busy = cleanup.scan.is_running() || cleanup.deleting.is_running();
            if ui.add_enabled(!busy, egui::Button::new("Look for secrets left behind")).clicked() {
                let secrets = Arc::clone(env.secrets);
                let mut profiles: Vec<Profile> = self.loaded.as_ref().map(|l| l.profiles.clone()).unwrap_or_default();
                if let Some(open) = env.open_profile {
                    profiles.retain(|p| p.id != open.id);
                    profiles.push(open.clone());
                }
                let unreadable = self.loaded.as_ref().map(|l| l.unreadable_ids.clone()).unwrap_or_default();
                cleanup.scan = Task::spawn(env.runtime, ui.ctx(), async move {
                    tokio::task::spawn_blocking(move || {
                        secrets.accounts().map(|accounts| orphans(&profiles, &unreadable, &accounts))
                    })
                    .await
                    .unwrap_or_else(|err| Err(StoreError::Other { reason: err.to_string() }))
                });
            }
            if busy {
                ui.spinner();
            }
            match &cleanup.found {
                None => {}
                Some(Err(err)) => {
                    ui.colored_label(tokens.warn, err.to_string());
                }
                Some(Ok(found)) if found.is_empty() => {
                    ui.colored_label(tokens.good, "✔ Nothing left behind");
                }
                Some(Ok(found)) => {
                    let mut delete: Option<Vec<String>> = None;
                    let left = crate::diagnostics::words::count(found.len(), "secret", "secrets");
                    ui.colored_label(tokens.warn, format!("{left} left behind in the keyring:"));
                    egui::ScrollArea::vertical()
                        .id_salt("orphans-list")
                        .max_height(150.0)
                        .show(ui, |ui| {
                            for orphan in found {
                                ui.horizontal(|ui| {
                                    ui.label(egui::RichText::new(&orphan.account).monospace());
                                    ui.label(format!("— {}", orphan.reason.label()));
                                    if ui.add_enabled(!busy, egui::Button::new("Delete")).clicked() {
                                        delete = Some(vec![orphan.account.clone()]);
                                    }
                                });
                            }
                        });
                    if cleanup.confirm_all {
                        ui.horizontal(|ui| {
                            ui.colored_label(tokens.warn, format!("Delete all {} from the keyring?", found.len()));
                            if ui.button("Delete all").clicked() {
                                delete = Some(found.iter().map(|o| o.account.clone()).collect());
                                cleanup.confirm_all = false;
                            }
                            if ui.button("Cancel").clicked() {
                                cleanup.confirm_all = false;
                            }
                        });
                    } else if found.len() > 1 && ui.add_enabled(!busy, egui::Button::new("Delete all…")).clicked() {
                        cleanup.confirm_all = true;
                    }
                    if let Some(accounts) = delete {
                        let secrets = Arc::clone(env.secrets);
                        cleanup.deleting = Task::spawn(env.runtime, ui.ctx(), async move {
                            tokio::task::spawn_blocking(move || {
                                accounts.iter().try_for_each(|account| secrets.delete(account)).map(|()| accounts.len())
                            })
                            .await
                            .unwrap_or_else(|err| Err(StoreError::Other { reason: err.to_string() }))
                        });
                    }
                }
            }
        });
    }

    fn rows_ui(&mut self, ui: &mut egui::Ui, now: DateTime<Utc>, visible: &[usize]) {
        let tokens = Tokens::ui(ui);
        let columns = column_widths(ui.available_width());
        ui.horizontal(|ui| {
            for (heading, width) in [
                ("Expiry", columns[0]),
                ("Date", columns[1]),
                ("Tenant", columns[2]),
                ("Credential", columns[3]),
                ("Label", columns[4]),
            ] {
                cell(
                    ui,
                    width,
                    egui::Label::new(egui::RichText::new(heading).strong()),
                );
            }
        });
        if visible.is_empty() {
            ui.colored_label(
                tokens.muted,
                if self.rows.is_empty() {
                    "No credentials yet in any tenant"
                } else {
                    "No credential matches the filter"
                },
            );
            return;
        }
        let mut command = None;
        egui::ScrollArea::vertical()
            .id_salt("expiry-rows")
            .auto_shrink([false, false])
            .show_rows(ui, ROW_HEIGHT, visible.len(), |ui, range| {
                for &index in &visible[range] {
                    let due = &self.rows[index];
                    ui.horizontal(|ui| {
                        ui.set_height(ROW_HEIGHT - 4.0);
                        ui.allocate_ui_with_layout(
                            egui::vec2(columns[0], ROW_HEIGHT - 4.0),
                            egui::Layout::left_to_right(egui::Align::Center),
                            |ui| {
                                ui.set_min_width(columns[0]);
                                expiry_badge::ui(ui, due.credential.expires_at, now);
                            },
                        );
                        let date = due
                            .credential
                            .expires_at
                            .map_or_else(|| "—".to_owned(), |at| at.format("%Y-%m-%d").to_string());
                        cell(ui, columns[1], egui::Label::new(date));
                        cell(ui, columns[2], egui::Label::new(&due.tenant).truncate());
                        cell(
                            ui,
                            columns[3],
                            egui::Label::new(due.credential.kind.label()).truncate(),
                        );
                        cell(
                            ui,
                            columns[4],
                            egui::Label::new(&due.credential.label).truncate(),
                        );
                        ui.label(
                            egui::RichText::new(masked(&due.credential.last4))
                                .monospace()
                                .color(tokens.muted),
                        );
                        if !due.in_use {
                            ui.label(
                                egui::RichText::new("not in use")
                                    .small()
                                    .color(tokens.muted),
                            )
                            .on_hover_text(
                                "An older credential kept for reference; the apps use a newer one",
                            );
                        } else if due.credential.state == CredentialState::Active
                            && ui
                                .small_button("Rotate…")
                                .on_hover_text(
                                    "Open this tenant and replace the credential step by step",
                                )
                                .clicked()
                        {
                            command = Some(DashboardCommand::Rotate {
                                profile_id: due.profile_id.clone(),
                                credential_id: due.credential.id.clone(),
                            });
                        }
                    });
                }
            });
        if command.is_some() {
            self.command = command;
        }
    }
}

/// Widths of the dashboard's columns: badge, date, tenant, kind, label.
const COLUMNS: [f32; 5] = [200.0, 86.0, 190.0, 130.0, 190.0];

/// Room the row keeps after its columns: the masked value and "Rotate…" or "not in use".
const ROW_TAIL: f32 = 150.0;

/// The dashboard's column widths for `available` points: the badge and date keep their
/// width, the tenant, kind and label columns (which truncate) give up room down to a
/// minimum, so a row fits the dashboard at the smallest window (issue #15).
fn column_widths(available: f32) -> [f32; 5] {
    const MIN_SHRINKING: f32 = 56.0;
    let fixed = COLUMNS[0] + COLUMNS[1];
    let wanted = COLUMNS[2] + COLUMNS[3] + COLUMNS[4];
    // Each cell is followed by the row's item spacing (about 8 points).
    let room = (available - fixed - ROW_TAIL - 5.0 * 8.0).max(3.0 * MIN_SHRINKING);
    let factor = (room / wanted).min(1.0);
    [
        COLUMNS[0],
        COLUMNS[1],
        (COLUMNS[2] * factor).max(MIN_SHRINKING),
        (COLUMNS[3] * factor).max(MIN_SHRINKING),
        (COLUMNS[4] * factor).max(MIN_SHRINKING),
    ]
}

/// A left-aligned cell of a fixed width.
fn cell(ui: &mut egui::Ui, width: f32, widget: impl egui::Widget) {
    ui.allocate_ui_with_layout(
        egui::vec2(width, ROW_HEIGHT - 4.0),
        egui::Layout::left_to_right(egui::Align::Center),
        |ui| {
            ui.set_min_width(width);
            ui.add(widget);
        },
    );
}

/// Days ↔ pixels of the timeline: from [`TIMELINE_PAST_DAYS`] before today to the span
/// after it, in columns about 3 px wide.
struct Scale {
    plot: egui::Rect,
    first_day: i64,
    last_day: i64,
    columns: usize,
}

impl Scale {
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a positive pixel width divided by 3, floored: a small whole number"
    )]
    fn new(plot: egui::Rect, span: Span) -> Self {
        let columns = (plot.width() / 3.0).floor().max(1.0) as usize;
        Self {
            plot,
            first_day: -TIMELINE_PAST_DAYS,
            last_day: span.days(),
            columns,
        }
    }

    fn span_days(&self) -> f32 {
        (self.last_day - self.first_day) as f32
    }

    fn x_of(&self, days: f32) -> f32 {
        self.plot.left() + (days - self.first_day as f32) / self.span_days() * self.plot.width()
    }

    fn column_width(&self) -> f32 {
        self.plot.width() / self.columns as f32
    }

    /// The column of an expiry, `None` when it is outside the shown range.
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "the fraction is checked to lie in [0, 1) first"
    )]
    fn column_of(&self, at: DateTime<Utc>, now: DateTime<Utc>) -> Option<usize> {
        let days = (at - now).num_seconds() as f32 / 86_400.0;
        let fraction = (days - self.first_day as f32) / self.span_days();
        (0.0..1.0)
            .contains(&fraction)
            .then(|| ((fraction * self.columns as f32) as usize).min(self.columns - 1))
    }

    /// The column under a pointer's x, if inside the plot.
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "x is checked to lie inside the plot first"
    )]
    fn column_at(&self, x: f32) -> Option<usize> {
        self.plot.x_range().contains(x).then(|| {
            (((x - self.plot.left()) / self.column_width()) as usize).min(self.columns - 1)
        })
    }

    /// The first and last day a column covers, as dates.
    #[expect(
        clippy::cast_possible_truncation,
        reason = "whole days within a few years"
    )]
    fn column_dates(&self, column: usize, now: DateTime<Utc>) -> (String, String) {
        let per_column = self.span_days() / self.columns as f32;
        let start = self.first_day as f32 + column as f32 * per_column;
        let date = |days: f32| {
            (now + Duration::days(days.floor() as i64))
                .format("%Y-%m-%d")
                .to_string()
        };
        (date(start), date(start + per_column - 0.001))
    }

    /// Bands (expired, under 7 days, under 30 days: DESIGN.md's severity table), today, and
    /// date ticks.
    fn axes(&self, painter: &egui::Painter, tokens: Tokens, now: DateTime<Utc>) {
        let plot = self.plot;
        let band = |from: f32, to: f32, colour: egui::Color32| {
            let band_rect =
                egui::Rect::from_x_y_ranges(self.x_of(from)..=self.x_of(to), plot.y_range());
            painter.rect_filled(band_rect, 0.0, colour.gamma_multiply(0.12));
        };
        band(self.first_day as f32, 0.0, tokens.bad);
        band(0.0, 7.0, tokens.bad);
        band(7.0, 30.0, tokens.warn);
        let axis = egui::Stroke::new(1.0, tokens.muted);
        painter.line_segment([plot.left_bottom(), plot.right_bottom()], axis);
        let font = egui::FontId::proportional(11.0);
        // Labels that would overlap the previous one are left out (long spans squeeze
        // today, 7 d and 30 d together); the lines stay.
        let mut free_from = f32::NEG_INFINITY;
        for (day, text, width) in [(0.0, "today", 1.5), (7.0, "7 d", 0.5), (30.0, "30 d", 0.5)] {
            let x = self.x_of(day);
            painter.line_segment(
                [egui::pos2(x, plot.top()), egui::pos2(x, plot.bottom())],
                egui::Stroke::new(width, tokens.muted),
            );
            if x >= free_from {
                let drawn = painter.text(
                    egui::pos2(x + 2.0, plot.top() - 2.0),
                    egui::Align2::LEFT_BOTTOM,
                    text,
                    font.clone(),
                    tokens.muted,
                );
                free_from = drawn.right() + 4.0;
            }
        }
        let step = if self.last_day <= 90 { 30 } else { 90 };
        for day in (step..self.last_day).step_by(usize::try_from(step).unwrap_or(90)) {
            let x = self.x_of(day as f32);
            if x > plot.right() - 36.0 {
                // A date centred this close to the edge would be cut off.
                break;
            }
            painter.line_segment(
                [
                    egui::pos2(x, plot.bottom()),
                    egui::pos2(x, plot.bottom() + 4.0),
                ],
                axis,
            );
            let date = (now + Duration::days(day)).format("%Y-%m-%d").to_string();
            painter.text(
                egui::pos2(x, plot.bottom() + 5.0),
                egui::Align2::CENTER_TOP,
                date,
                font.clone(),
                tokens.muted,
            );
        }
    }
}

/// How many shown credentials expire in each timeline column, by group, and how many fall
/// before or after the shown range.
struct Stacks {
    columns: Vec<[u32; 4]>,
    earlier: usize,
    later: usize,
}

impl Stacks {
    fn count<'a>(scale: &Scale, rows: impl Iterator<Item = &'a Due>, now: DateTime<Utc>) -> Self {
        let mut stacks = Self {
            columns: vec![[0; 4]; scale.columns],
            earlier: 0,
            later: 0,
        };
        for due in rows {
            let Some(at) = due.credential.expires_at else {
                continue;
            };
            match scale.column_of(at, now) {
                Some(column) => stacks.columns[column][Group::of(Some(at), now).index()] += 1,
                None if at < now => stacks.earlier += 1,
                None => stacks.later += 1,
            }
        }
        stacks
    }

    fn paint(&self, painter: &egui::Painter, scale: &Scale, tokens: Tokens) {
        let plot = scale.plot;
        let tallest = self
            .columns
            .iter()
            .map(|s| s.iter().sum::<u32>())
            .max()
            .unwrap_or(0)
            .max(1);
        let width = scale.column_width();
        for (column, stack) in self.columns.iter().enumerate() {
            let left = plot.left() + column as f32 * width;
            let mut bottom = plot.bottom();
            for (group, &count) in Group::ALL.iter().zip(stack) {
                let Some(severity) = group.severity().filter(|_| count > 0) else {
                    continue;
                };
                let height = (count as f32 / tallest as f32 * plot.height()).max(3.0);
                let bar = egui::Rect::from_min_max(
                    egui::pos2(left, bottom - height),
                    egui::pos2(left + width.max(2.0) - 0.5, bottom),
                );
                painter.rect_filled(bar, 0.0, tokens.severity(severity));
                bottom -= height;
            }
        }
        let font = egui::FontId::proportional(11.0);
        if self.earlier > 0 {
            painter.text(
                plot.left_top(),
                egui::Align2::LEFT_TOP,
                format!("← {} earlier", self.earlier),
                font.clone(),
                tokens.bad,
            );
        }
        if self.later > 0 {
            painter.text(
                plot.right_top(),
                egui::Align2::RIGHT_TOP,
                format!("{} later →", self.later),
                font,
                tokens.muted,
            );
        }
    }
}

/// Reads every profile; problems become lines for the admin.
fn read_profiles(store: &ProfileStore, now: DateTime<Utc>) -> Result<Loaded, String> {
    let listing = store.list(now).map_err(|err| err.to_string())?;
    let unreadable_ids = listing
        .problems
        .iter()
        .filter_map(|p| {
            p.path
                .file_name()?
                .to_str()?
                .split(".json")
                .next()
                .map(str::to_owned)
        })
        .collect();
    let problems = listing.problems.iter().map(ToString::to_string).collect();
    Ok(Loaded {
        profiles: listing.profiles,
        unreadable_ids,
        problems,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dashboard_rows_fit_the_smallest_window_and_keep_full_widths_on_a_large_one() {
        // The dashboard at the 760-point minimum window is about 730 points wide inside.
        let narrow = column_widths(730.0);
        assert!(narrow.iter().sum::<f32>() + ROW_TAIL + 5.0 * 8.0 <= 730.0);
        assert!(
            (narrow[0] - COLUMNS[0]).abs() < 0.01,
            "the badge keeps its width"
        );
        let wide = column_widths(2400.0);
        assert!(
            wide.iter().zip(COLUMNS).all(|(w, c)| (w - c).abs() < 0.01),
            "{wide:?}"
        );
    }
}

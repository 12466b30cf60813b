//! The troubleshooting panel, reachable from every step: paste a whole error message or
//! log line, get the catalog's entries ranked ([`crate::catalog::Catalog::explain`]) with
//! the matched codes highlighted in the pasted text, and read one entry in full.
//!
//! Anything in the UI can open it without a reference to the shell: [`request_query`] and
//! [`request_entry`] leave a request in the `egui::Context`'s data, and the shell hands it
//! to its [`Troubleshooter`] at the start of the next frame (a findings list links each
//! finding to its entry this way). This module only reads the embedded catalog: it works
//! with no network.

use egui::text::LayoutJob;

use crate::catalog::{Catalog, Match, TroubleEntry};
use crate::diagnostics::check_ids;
use crate::export::explain::{context_label, match_spans};
use crate::model::PlatformId;
use crate::ui::theme::Tokens;

/// A request to show the troubleshooting panel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TroubleRequest {
    /// Search for this text (an error message, a code).
    Query(String),
    /// Show the entry with this id.
    Entry(String),
}

/// Where a pending request waits in the context's data.
fn request_slot() -> egui::Id {
    egui::Id::unique("sso-scim-wizard/troubleshoot-request")
}

/// Asks the shell to open the panel and search for `text`.
pub fn request_query(ctx: &egui::Context, text: impl Into<String>) {
    let request = TroubleRequest::Query(text.into());
    ctx.data_mut(|data| data.insert_temp(request_slot(), Some(request)));
    ctx.request_repaint();
}

/// Asks the shell to open the panel on the entry `entry_id` (see
/// [`Catalog::trouble_for_check`] to find the entry of a check).
pub fn request_entry(ctx: &egui::Context, entry_id: impl Into<String>) {
    let request = TroubleRequest::Entry(entry_id.into());
    ctx.data_mut(|data| data.insert_temp(request_slot(), Some(request)));
    ctx.request_repaint();
}

/// Takes the pending request, if any (the shell calls this once per frame).
pub fn take_request(ctx: &egui::Context) -> Option<TroubleRequest> {
    ctx.data_mut(|data| data.remove_temp::<Option<TroubleRequest>>(request_slot()))
        .flatten()
}

/// A "What does this mean?" link that opens the entry explaining `check_id`; nothing when
/// the catalog has none.
pub fn check_link_ui(ui: &mut egui::Ui, catalog: &Catalog, check_id: &str) {
    if let Some(entry) = catalog.trouble_for_check(check_id)
        && ui
            .link("What does this mean?")
            .on_hover_text(format!(
                "Open “{}” in the troubleshooting panel",
                entry.title
            ))
            .clicked()
    {
        request_entry(ui.ctx(), entry.id.clone());
    }
}

/// The panel's state: open or not, the pasted text, the entry shown in full.
#[derive(Debug)]
pub struct Troubleshooter {
    open: bool,
    query: String,
    selected: Option<String>,
    only_this_platform: bool,
}

impl Default for Troubleshooter {
    fn default() -> Self {
        Self {
            open: false,
            query: String::new(),
            selected: None,
            only_this_platform: true,
        }
    }
}

/// The narrowest a step may get beside the Troubleshoot panel, in points: narrower, its
/// headings and fields no longer fit and its text runs under the panel (issue #15).
pub const STEP_MIN_WIDTH: f32 = 460.0;

/// The narrowest the Troubleshoot panel may get beside a step, in points.
pub const PANEL_MIN_WIDTH: f32 = 300.0;

/// True when the panel and a step both fit side by side in `room` points (the window
/// without the step rail). When they do not, the panel takes the step's place until it
/// is closed, rather than squeezing the step.
pub fn fits_beside(room: f32) -> bool {
    room >= STEP_MIN_WIDTH + PANEL_MIN_WIDTH
}

impl Troubleshooter {
    /// True while the panel is shown.
    pub fn is_open(&self) -> bool {
        self.open
    }

    /// Shows or hides the panel.
    pub fn set_open(&mut self, open: bool) {
        self.open = open;
    }

    /// Opens the panel searching for `text`; the best match is shown in full.
    pub fn open_query(&mut self, text: &str) {
        text.clone_into(&mut self.query);
        self.selected = None;
        self.open = true;
    }

    /// Opens the panel on one entry.
    pub fn open_entry(&mut self, entry_id: &str) {
        self.selected = Some(entry_id.to_owned());
        self.open = true;
    }

    /// Applies a request left by [`request_query`] or [`request_entry`].
    pub fn handle_requests(&mut self, ctx: &egui::Context) {
        match take_request(ctx) {
            Some(TroubleRequest::Query(text)) => self.open_query(&text),
            Some(TroubleRequest::Entry(id)) => self.open_entry(&id),
            None => {}
        }
    }

    /// Draws the panel on the right of `ui` when open and when it fits beside the step
    /// (see [`fits_beside`]; otherwise the shell shows [`Self::ui`] in the step's place).
    /// Call before the central panel.
    pub fn panel_ui(&mut self, ui: &mut egui::Ui, catalog: &Catalog, platform: Option<PlatformId>) {
        let room = ui.available_width();
        if !self.open || !fits_beside(room) {
            return;
        }
        egui::Panel::right("troubleshoot-panel")
            .resizable(true)
            .default_size(400.0_f32.min(room - STEP_MIN_WIDTH))
            .min_size(PANEL_MIN_WIDTH)
            .max_size(room - STEP_MIN_WIDTH)
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .id_salt("troubleshoot-scroll")
                    .auto_shrink([false, false])
                    .show(ui, |ui| self.ui(ui, catalog, platform));
            });
    }

    /// The panel's content: search box, ranked entries, the chosen entry.
    pub fn ui(&mut self, ui: &mut egui::Ui, catalog: &Catalog, platform: Option<PlatformId>) {
        let tokens = Tokens::ui(ui);
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            ui.heading("Troubleshoot");
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.button("Close").clicked() {
                    self.open = false;
                }
            });
        });
        let label = ui.label("Paste an error message or a log line");
        let edit = egui::TextEdit::multiline(&mut self.query)
            .hint_text("AADSTS50105, 401 Unauthorized, scimType uniqueness…")
            .desired_rows(3)
            .desired_width(f32::INFINITY);
        if ui.add(edit).labelled_by(label.id).changed() {
            self.selected = None;
        }
        if let Some(platform) = platform {
            ui.checkbox(
                &mut self.only_this_platform,
                format!("Only entries that apply to {}", platform.label()),
            );
        }
        let platform = platform.filter(|_| self.only_this_platform);
        let matches = match platform {
            _ if self.query.trim().is_empty() => Vec::new(),
            Some(platform) => catalog.explain_for(&self.query, platform),
            None => catalog.explain(&self.query),
        };
        ui.add_space(6.0);
        if self.query.trim().is_empty() {
            ui.colored_label(
                tokens.muted,
                "Paste the whole message: the codes and words around them are what it matches on",
            );
        } else if matches.is_empty() {
            ui.colored_label(
                tokens.warn,
                "Nothing in the catalog matches this text. Try the code alone: an AADSTS number, \
                 an HTTP status or a scimType",
            );
        } else {
            self.results_ui(ui, &matches);
        }
        let selected = self
            .selected
            .as_deref()
            .and_then(|id| catalog.trouble(id))
            .or_else(|| matches.first().map(|found| found.entry));
        if let Some(entry) = selected {
            ui.separator();
            entry_ui(ui, entry);
        } else if self.query.trim().is_empty() {
            ui.separator();
            self.browse_ui(ui, catalog, platform);
        }
    }

    fn results_ui(&mut self, ui: &mut egui::Ui, matches: &[Match<'_>]) {
        let spans = match_spans(&self.query, matches);
        if !spans.is_empty() {
            ui.label("Found in your text:");
            let job = highlighted_job(ui, &self.query, &spans);
            egui::Frame::group(ui.style()).show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.label(job);
            });
        }
        ui.add_space(4.0);
        ui.label(format!(
            "{} matching {}, best first:",
            matches.len(),
            if matches.len() == 1 {
                "entry"
            } else {
                "entries"
            }
        ));
        let first_id = matches.first().map(|found| found.entry.id.clone());
        for found in matches.iter().take(8) {
            let is_selected = self.selected.as_ref().or(first_id.as_ref()) == Some(&found.entry.id);
            ui.horizontal_wrapped(|ui| {
                if ui
                    .selectable_label(is_selected, &found.entry.title)
                    .clicked()
                {
                    self.selected = Some(found.entry.id.clone());
                }
                for term in &found.matched {
                    ui.label(
                        egui::RichText::new(term)
                            .monospace()
                            .small()
                            .background_color(ui.visuals().selection.bg_fill)
                            .color(ui.visuals().selection.stroke.color),
                    )
                    .on_hover_text("Found in your text");
                }
            });
        }
    }

    fn browse_ui(&mut self, ui: &mut egui::Ui, catalog: &Catalog, platform: Option<PlatformId>) {
        egui::CollapsingHeader::new("Browse every entry")
            .id_salt("troubleshoot-browse")
            .show(ui, |ui| {
                for entry in catalog
                    .troubleshooting
                    .iter()
                    .filter(|entry| platform.is_none_or(|p| entry.applies_to_platform(p)))
                {
                    if ui.selectable_label(false, &entry.title).clicked() {
                        self.selected = Some(entry.id.clone());
                    }
                }
            });
    }
}

/// One entry in full.
fn entry_ui(ui: &mut egui::Ui, entry: &TroubleEntry) {
    let tokens = Tokens::ui(ui);
    ui.heading(&entry.title);
    let mut about = format!("About {}", context_label(entry.context));
    if !entry.codes.is_empty() {
        about.push_str(" · codes: ");
        about.push_str(&entry.codes.join(", "));
    }
    ui.colored_label(tokens.muted, about);
    section_ui(ui, "What it means", entry.meaning.trim());
    if !entry.causes.is_empty() {
        ui.add_space(4.0);
        ui.strong("Likely causes");
        for cause in &entry.causes {
            ui.label(format!("•  {}", cause.trim()));
        }
    }
    if !entry.fix_idp.trim().is_empty() {
        section_ui(ui, "Fix in the identity provider", entry.fix_idp.trim());
    }
    if !entry.fix_platform.trim().is_empty() {
        section_ui(ui, "Fix in the platform", entry.fix_platform.trim());
    }
    if !entry.check_ids.is_empty() {
        ui.add_space(4.0);
        ui.strong("Checks that look at this");
        for id in &entry.check_ids {
            ui.label(format!("•  {} ({id})", check_ids::title(id)));
        }
    }
    if !entry.platforms.is_empty() {
        let names: Vec<&str> = entry.platforms.iter().map(|p| p.label()).collect();
        ui.colored_label(tokens.muted, format!("Applies to {}", names.join(", ")));
    }
}

fn section_ui(ui: &mut egui::Ui, heading: &str, text: &str) {
    ui.add_space(4.0);
    ui.strong(heading);
    ui.label(text);
}

/// The pasted text with the spans drawn in the theme's selection colours (plus a strong
/// weight, so the highlight reads without colour too).
fn highlighted_job(ui: &egui::Ui, text: &str, spans: &[std::ops::Range<usize>]) -> LayoutJob {
    let font = egui::TextStyle::Monospace.resolve(ui.style());
    let plain = egui::TextFormat {
        font_id: font.clone(),
        color: ui.visuals().text_color(),
        ..Default::default()
    };
    let marked = egui::TextFormat {
        font_id: font,
        color: ui.visuals().strong_text_color(),
        background: ui.visuals().selection.bg_fill,
        underline: egui::Stroke::new(1.0, ui.visuals().strong_text_color()),
        ..Default::default()
    };
    // Long pastes (a whole log) are cut to keep the panel readable.
    let shown_len = text
        .char_indices()
        .nth(2_000)
        .map_or(text.len(), |(index, _)| index);
    let mut job = LayoutJob::default();
    job.wrap.max_width = ui.available_width();
    let mut from = 0;
    for span in spans.iter().filter(|span| span.end <= shown_len) {
        job.append(
            text.get(from..span.start).unwrap_or_default(),
            0.0,
            plain.clone(),
        );
        job.append(
            text.get(span.clone()).unwrap_or_default(),
            0.0,
            marked.clone(),
        );
        from = span.end;
    }
    job.append(text.get(from..shown_len).unwrap_or_default(), 0.0, plain);
    if shown_len < text.len() {
        job.append(
            "\n…",
            0.0,
            egui::TextFormat {
                color: ui.visuals().weak_text_color(),
                ..Default::default()
            },
        );
    }
    job
}

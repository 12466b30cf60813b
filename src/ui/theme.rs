//! Design tokens: the only place colours are chosen. Every colour has a light and a dark
//! variant, and colour always comes with words elsewhere (never the only signal).

use egui::Color32;

use crate::diagnostics::Status;
use crate::expiry::Severity;
use crate::wizard::StepStatus;

/// Semantic colours for the current light/dark mode.
#[derive(Clone, Copy, Debug)]
pub struct Tokens {
    /// Success.
    pub good: Color32,
    /// Needs attention soon.
    pub warn: Color32,
    /// Broken or urgent.
    pub bad: Color32,
    /// Neutral, secondary text.
    pub muted: Color32,
    /// Emphasis (links, the current step).
    pub accent: Color32,
}

impl Tokens {
    /// Tokens for these visuals.
    pub fn of(visuals: &egui::Visuals) -> Self {
        if visuals.dark_mode {
            Self {
                good: Color32::from_rgb(0x5f, 0xd0, 0x7a),
                warn: Color32::from_rgb(0xf2, 0xc4, 0x3d),
                bad: Color32::from_rgb(0xff, 0x6b, 0x6b),
                muted: Color32::from_gray(0x9a),
                accent: Color32::from_rgb(0x6c, 0xb4, 0xff),
            }
        } else {
            Self {
                good: Color32::from_rgb(0x1a, 0x7f, 0x37),
                warn: Color32::from_rgb(0x9a, 0x67, 0x00),
                bad: Color32::from_rgb(0xc6, 0x28, 0x28),
                muted: Color32::from_gray(0x60),
                accent: Color32::from_rgb(0x0b, 0x5c, 0xad),
            }
        }
    }

    /// Tokens for a `Ui`.
    pub fn ui(ui: &egui::Ui) -> Self {
        Self::of(ui.visuals())
    }

    /// Colour of a check status.
    pub fn status(self, status: Status) -> Color32 {
        match status {
            Status::Pass => self.good,
            Status::Warn => self.warn,
            Status::Fail => self.bad,
            Status::Skip => self.muted,
        }
    }

    /// Colour of an expiry severity.
    pub fn severity(self, severity: Severity) -> Color32 {
        match severity {
            Severity::Ok => self.good,
            Severity::Warning => self.warn,
            Severity::Critical | Severity::Expired => self.bad,
        }
    }

    /// Colour of a step status in the rail.
    pub fn step(self, status: StepStatus) -> Color32 {
        match status {
            StepStatus::NotStarted => self.muted,
            StepStatus::InProgress => self.accent,
            StepStatus::Done => self.good,
            StepStatus::NeedsAttention => self.bad,
        }
    }
}

/// Icon of a step status (read without colour).
pub fn step_icon(status: StepStatus) -> &'static str {
    match status {
        StepStatus::NotStarted => "○",
        StepStatus::InProgress => "◔",
        StepStatus::Done => "✔",
        StepStatus::NeedsAttention => "⚠",
    }
}

/// Lets proportional text fall back to the bundled monospace font, which has the arrows
/// and box symbols (→, ◐, …) that walkthrough text uses and the proportional font lacks.
/// Call once per context, before the first frame is laid out.
pub fn install_fonts(ctx: &egui::Context) {
    let mut fonts = egui::FontDefinitions::default();
    let monospace = fonts
        .families
        .get(&egui::FontFamily::Monospace)
        .and_then(|names| names.first())
        .cloned();
    if let (Some(first_mono), Some(proportional)) = (
        monospace,
        fonts.families.get_mut(&egui::FontFamily::Proportional),
    ) && !proportional.contains(&first_mono)
    {
        proportional.push(first_mono);
    }
    ctx.set_fonts(fonts);
}

/// Space between a section's heading block and the next section, in points.
pub const SECTION_GAP: f32 = 12.0;

/// Inner margin of a section card, in points.
pub const CARD_MARGIN: i8 = 10;

/// Corner radius of a section card, in points.
pub const CARD_RADIUS: u8 = 6;

/// Width for a text field that would like `desired` points: never more than what is left
/// of the row, so a field never runs past the window's edge at small sizes or large UI
/// scales, and never stretched wider than `desired` on a large screen (issue #15).
pub fn field_width(ui: &egui::Ui, desired: f32) -> f32 {
    desired.min(ui.available_width()).max(0.0)
}

/// The step's one primary action (issue #15): filled with the accent colour, strong text.
/// A step shows at most one at a time — its own main action until that is done, then
/// Next — so the way forward is always the one button that stands out.
pub fn primary_button(ui: &egui::Ui, text: &str) -> egui::Button<'static> {
    let tokens = Tokens::ui(ui);
    egui::Button::new(
        egui::RichText::new(text.to_owned())
            .strong()
            .color(Color32::WHITE),
    )
    .fill(tokens.accent)
}

/// A section card: a framed group with the tokens' margin and radius, as wide as the
/// space it is given (so cards line up), used for the groups of a step.
pub fn card<R>(ui: &mut egui::Ui, add_contents: impl FnOnce(&mut egui::Ui) -> R) -> R {
    egui::Frame::group(ui.style())
        .inner_margin(egui::Margin::same(CARD_MARGIN))
        .corner_radius(egui::CornerRadius::same(CARD_RADIUS))
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            add_contents(ui)
        })
        .inner
}

//! Short notices in the corner ("Copied to clipboard"), gone after a few seconds. Each one
//! schedules the repaint that removes it, so an idle window stays idle.

use std::time::Duration;

/// How long a toast stays up.
const TOAST_SECS: f64 = 3.0;

/// The toasts currently shown.
#[derive(Debug, Default)]
pub struct Toasts {
    items: Vec<(String, f64)>,
}

impl Toasts {
    /// Shows a toast from now on (`now` is `ctx.input(|i| i.time)`).
    pub fn show(&mut self, text: impl Into<String>, now: f64) {
        self.items.push((text.into(), now + TOAST_SECS));
    }

    /// The texts shown now (tests look at these).
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.items.iter().map(|(text, _)| text.as_str())
    }

    /// Draws the toasts and drops expired ones.
    pub fn ui(&mut self, ctx: &egui::Context) {
        let now = ctx.input(|i| i.time);
        self.items.retain(|(_, until)| *until > now);
        let Some(next_expiry) = self.items.iter().map(|(_, until)| *until).reduce(f64::min) else {
            return;
        };
        ctx.request_repaint_after(Duration::from_secs_f64((next_expiry - now).max(0.05)));
        // One line, over the status bar's right end (labels only, no controls), never
        // over Next and its blocker text: a toast used to wrap into 4–5 lines there,
        // splitting words (#14). Only the newest shows; a long one is cut with "…" and
        // its full text is on hover.
        let Some((text, _)) = self.items.last() else {
            return;
        };
        let max_width = (ctx.content_rect().width() * 0.6).max(240.0);
        egui::Area::new(egui::Id::unique("toasts"))
            .anchor(egui::Align2::RIGHT_BOTTOM, egui::vec2(-8.0, -3.0))
            .order(egui::Order::Foreground)
            .show(ctx, |ui| {
                egui::Frame::popup(ui.style())
                    .inner_margin(egui::Margin::symmetric(8, 1))
                    .show(ui, |ui| {
                        ui.set_max_width(max_width);
                        ui.add(egui::Label::new(text.as_str()).truncate());
                    });
            });
    }
}

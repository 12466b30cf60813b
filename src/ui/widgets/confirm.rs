//! The one confirmation dialog: a modal with a heading, a body and two buttons, where
//! Escape or a click outside means the cautious answer. Used for "Leave this step?",
//! "Remove this credential?", "Cancel this rotation?" and the like.

/// Shows the dialog `id` this frame. `buttons` are drawn in order, each with the answer it
/// gives; `Some(answer)` once the admin chose (Escape and a click outside give `false`),
/// `None` while the dialog is still open.
pub fn confirm(
    ctx: &egui::Context,
    id: &str,
    width: f32,
    heading: &str,
    body: impl FnOnce(&mut egui::Ui),
    buttons: [(&str, bool); 2],
) -> Option<bool> {
    let mut choice = None;
    let modal = egui::Modal::new(egui::Id::unique(id)).show(ctx, |ui| {
        ui.set_width(width);
        ui.heading(heading);
        body(ui);
        ui.horizontal(|ui| {
            for (label, answer) in buttons {
                if ui.button(label).clicked() {
                    choice = Some(answer);
                }
            }
        });
    });
    if modal.should_close() && choice.is_none() {
        choice = Some(false);
    }
    choice
}

//! The Review step (its content lands with its own issue).

use super::{Step, StepEnv, StepOutcome};

/// State of the Review step.
#[derive(Debug, Default)]
pub struct ReviewStep {}

impl Step for ReviewStep {
    fn ui(&mut self, ui: &mut egui::Ui, _env: &mut StepEnv<'_>) -> StepOutcome {
        ui.heading("Review");
        ui.label("This step is not available in this build yet.");
        StepOutcome::Stay
    }
}

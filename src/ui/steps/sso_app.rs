//! The SSO app step (its content lands with its own issue).

use super::{Step, StepEnv, StepOutcome};

/// State of the SSO app step.
#[derive(Debug, Default)]
pub struct SsoAppStep {}

impl Step for SsoAppStep {
    fn ui(&mut self, ui: &mut egui::Ui, _env: &mut StepEnv<'_>) -> StepOutcome {
        ui.heading("SSO app");
        ui.label("This step is not available in this build yet.");
        StepOutcome::Stay
    }
}

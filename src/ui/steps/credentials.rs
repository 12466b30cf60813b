//! The Credentials step (its content lands with its own issue).

use super::{Step, StepEnv, StepOutcome};

/// State of the Credentials step.
#[derive(Debug, Default)]
pub struct CredentialsStep {}

impl Step for CredentialsStep {
    fn ui(&mut self, ui: &mut egui::Ui, _env: &mut StepEnv<'_>) -> StepOutcome {
        ui.heading("Credentials");
        ui.label("This step is not available in this build yet.");
        StepOutcome::Stay
    }
}

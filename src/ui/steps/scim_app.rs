//! The SCIM app step (its content lands with its own issue).

use super::{Step, StepEnv, StepOutcome};

/// State of the SCIM app step.
#[derive(Debug, Default)]
pub struct ScimAppStep {}

impl Step for ScimAppStep {
    fn ui(&mut self, ui: &mut egui::Ui, _env: &mut StepEnv<'_>) -> StepOutcome {
        ui.heading("SCIM app");
        ui.label("This step is not available in this build yet.");
        StepOutcome::Stay
    }
}

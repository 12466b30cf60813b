//! The Test SCIM step (its content lands with its own issue).

use super::{Step, StepEnv, StepOutcome};

/// State of the Test SCIM step.
#[derive(Debug, Default)]
pub struct TestScimStep {}

impl Step for TestScimStep {
    fn ui(&mut self, ui: &mut egui::Ui, _env: &mut StepEnv<'_>) -> StepOutcome {
        ui.heading("Test SCIM");
        ui.label("This step is not available in this build yet.");
        StepOutcome::Stay
    }
}

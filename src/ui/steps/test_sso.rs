//! The Test SSO step (its content lands with its own issue).

use super::{Step, StepEnv, StepOutcome};

/// State of the Test SSO step.
#[derive(Debug, Default)]
pub struct TestSsoStep {}

impl Step for TestSsoStep {
    fn ui(&mut self, ui: &mut egui::Ui, _env: &mut StepEnv<'_>) -> StepOutcome {
        ui.heading("Test SSO");
        ui.label("This step is not available in this build yet.");
        StepOutcome::Stay
    }
}

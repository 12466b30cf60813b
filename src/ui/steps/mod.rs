//! The wizard's steps, one file each. A step is a state struct holding raw input and task
//! handles, implementing [`Step`]: each frame it parses its fields with pure functions from
//! the core, marks invalid ones, and returns a [`StepOutcome`] instead of reaching into
//! other steps. What a step needs before Next is allowed lives in `crate::wizard`.

pub mod credentials;
pub mod review;
pub mod scim_app;
pub mod sso_app;
pub mod tenant;
pub mod test_scim;
pub mod test_sso;

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::catalog::Catalog;
use crate::model::Profile;
use crate::secrets::SecretStore;
use crate::ui::widgets::toasts::Toasts;

/// What a step gets each frame.
pub struct StepEnv<'a> {
    /// The open tenant profile; edits are saved by the shell (debounced).
    pub profile: &'a mut Profile,
    /// The embedded knowledge.
    pub catalog: &'static Catalog,
    /// The current time (the clock is read once per frame by the shell).
    pub now: DateTime<Utc>,
    /// The app's tokio runtime, for [`crate::ui::task::Task::spawn`].
    pub runtime: &'a tokio::runtime::Handle,
    /// Where secret values live (the OS keyring, or memory when none is available).
    pub secrets: &'a Arc<dyn SecretStore>,
    /// Corner notices.
    pub toasts: &'a mut Toasts,
}

/// What a step asks the shell to do after a frame.
#[derive(Debug, Default, PartialEq, Eq)]
pub enum StepOutcome {
    /// Nothing.
    #[default]
    Stay,
    /// Go to the next step (same as the Next button).
    Next,
    /// Open the expiry dashboard over the wizard (the step stays where it is).
    OpenExpiryDashboard,
}

/// One wizard step.
pub trait Step {
    /// Draws the step's content.
    fn ui(&mut self, ui: &mut egui::Ui, env: &mut StepEnv<'_>) -> StepOutcome;

    /// A question to ask before the admin leaves the step (for example a secret not yet
    /// copied); `None` lets them leave at once.
    fn leave_warning(&self) -> Option<String> {
        None
    }

    /// Called when the admin leaves the step (drop one-time values here).
    fn on_leave(&mut self, _env: &mut StepEnv<'_>) {}
}

//! The eframe face of the wizard: the shell ([`app`]), one file per step ([`steps`]),
//! shared widgets, the background-task bridge ([`task`]) and the theme tokens. Everything
//! here calls into the core; no check or rule is implemented twice.

pub mod app;
pub mod steps;
pub mod task;
pub mod theme;
pub mod widgets;

use std::sync::Arc;

pub use app::{Launch, WizardApp};

use crate::secrets::SecretStore;
use crate::storage::ProfileStore;

/// Opens the wizard window and runs it until it is closed.
pub fn run(store: ProfileStore, secrets: Arc<dyn SecretStore>, secrets_note: Option<String>, launch: &Launch) -> anyhow::Result<()> {
    let app = WizardApp::new(store, secrets, secrets_note, launch)?;
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("sso-scim-wizard")
            .with_app_id("sso-scim-wizard")
            .with_inner_size([1100.0, 720.0])
            .with_min_inner_size([760.0, 480.0]),
        ..Default::default()
    };
    eframe::run_native("sso-scim-wizard", options, Box::new(|_cc| Ok(Box::new(app))))
        .map_err(|err| anyhow::anyhow!("could not open the window: {err}"))
}

//! The eframe face of the wizard: the shell ([`app`]), one file per step ([`steps`]),
//! shared widgets, the background-task bridge ([`task`]) and the theme tokens. Everything
//! here calls into the core; no check or rule is implemented twice.

pub mod app;
pub mod bench;
pub mod browser;
pub mod dashboard;
pub mod rotation;
pub mod steps;
pub mod task;
pub mod theme;
pub mod troubleshoot;
pub mod widgets;

use std::sync::Arc;

pub use app::{Launch, WizardApp};

use crate::secrets::SecretStore;
use crate::storage::ProfileStore;

/// Opens the wizard window and runs it until it is closed.
pub fn run(
    store: ProfileStore,
    secrets: Arc<dyn SecretStore>,
    secrets_note: Option<String>,
    launch: &Launch,
) -> anyhow::Result<()> {
    let app = WizardApp::new(store, secrets, secrets_note, launch)?;
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("sso-scim-wizard")
            .with_app_id("sso-scim-wizard")
            .with_inner_size([1100.0, 720.0])
            .with_min_inner_size([760.0, 480.0])
            .with_icon(app_icon()),
        ..Default::default()
    };
    eframe::run_native(
        "sso-scim-wizard",
        options,
        Box::new(|_cc| Ok(Box::new(app))),
    )
    .map_err(|err| anyhow::anyhow!("could not open the window: {err}"))
}

/// The app icon (`assets/icons/sso-scim-wizard-256.png`, embedded), for the window and the
/// taskbar. The Linux desktop entry and the Windows and macOS bundles carry their own
/// copies; this one is what a window shows when no desktop entry names it.
pub fn app_icon() -> egui::IconData {
    const PNG: &[u8] = include_bytes!("../../assets/icons/sso-scim-wizard-256.png");
    // The PNG is ours and checked by tests/packaging.rs; should it ever fail to decode,
    // the window opens with the platform's default icon rather than not at all.
    eframe::icon_data::from_png_bytes(PNG).unwrap_or_default()
}

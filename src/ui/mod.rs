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

pub use app::{Clock, Launch, WizardApp};

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
    let scale = std::env::var(UI_SCALE_ENV).ok();
    let scale = scale.as_deref().and_then(|text| {
        let parsed = parse_ui_scale(text);
        if parsed.is_none() {
            log::warn!("{UI_SCALE_ENV}={text:?} ignored: give a number from 0.5 to 3, such as 1.5");
        }
        parsed
    });
    eframe::run_native(
        "sso-scim-wizard",
        options,
        Box::new(move |cc| {
            if let Some(scale) = scale {
                cc.egui_ctx.set_zoom_factor(scale);
            }
            Ok(Box::new(app))
        }),
    )
    .map_err(|err| anyhow::anyhow!("could not open the window: {err}"))
}

/// Environment variable with the UI scale the window starts at (0.5 to 3, such as 1.5),
/// on top of the display's own scale. While the window is open, Ctrl + and Ctrl − (or the
/// rail's "Text size" buttons) change it and Ctrl 0 resets it.
pub const UI_SCALE_ENV: &str = "SSO_SCIM_WIZARD_UI_SCALE";

/// The UI scale written in `text` ("1.5"), when it is a number from 0.5 to 3.
pub fn parse_ui_scale(text: &str) -> Option<f32> {
    let scale: f32 = text.trim().parse().ok()?;
    (0.5..=3.0).contains(&scale).then_some(scale)
}

/// The app icon (`assets/icons/sso-scim-wizard-256.png`, embedded), for the window and the
/// taskbar. The Linux desktop entry and the Windows and macOS bundles carry their own
/// copies; this one is what a window shows when no desktop entry names it.
pub fn app_icon() -> egui::IconData {
    const PNG: &[u8] = include_bytes!("../../assets/icons/sso-scim-wizard-256.png");
    // The PNG is ours and checked by tests/it/packaging.rs; should it ever fail to decode,
    // the window opens with the platform's default icon rather than not at all.
    eframe::icon_data::from_png_bytes(PNG).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ui_scale_takes_a_number_in_range_and_refuses_anything_else() {
        assert_eq!(parse_ui_scale("1.5"), Some(1.5));
        assert_eq!(parse_ui_scale(" 2 "), Some(2.0));
        for bad in ["", "big", "0", "-1", "NaN", "inf", "10"] {
            assert_eq!(parse_ui_scale(bad), None, "{bad:?}");
        }
    }
}

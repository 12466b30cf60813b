//! The expiry dashboard with 10 000 credentials: every one listed in order of urgency,
//! only the visible rows laid out, and the severity filter (its frame time is measured by
//! scripts/bench).

#![expect(
    clippy::disallowed_methods,
    reason = "the test waits for background tasks between frames; it is not a frame"
)]

use crate::seed;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{By, Queryable as _};
use sso_scim_wizard::secrets::{MemoryStore, SecretStore};
use sso_scim_wizard::storage::ProfileStore;
use sso_scim_wizard::ui::dashboard::{DashboardEnv, ExpiryDashboard};
use sso_scim_wizard::ui::widgets::toasts::Toasts;

const PROFILES: usize = 100;
const PER_PROFILE: usize = 100;

struct Screen {
    dashboard: ExpiryDashboard,
    store: ProfileStore,
    runtime: tokio::runtime::Runtime,
    secrets: Arc<dyn SecretStore>,
    toasts: Toasts,
    now: DateTime<Utc>,
    fonts_installed: bool,
}

impl Screen {
    fn ui(&mut self, ui: &mut egui::Ui) {
        if !self.fonts_installed {
            // As the app does: the arrows (← earlier, later →) come from the monospace font.
            sso_scim_wizard::ui::theme::install_fonts(ui.ctx());
            self.fonts_installed = true;
        }
        let mut env = DashboardEnv {
            store: &self.store,
            runtime: self.runtime.handle(),
            secrets: &self.secrets,
            open_profile: None,
            now: self.now,
            toasts: &mut self.toasts,
        };
        self.dashboard.ui(ui, &mut env);
    }
}

#[test]
fn ten_thousand_credentials_are_sorted_virtualised_and_fast() {
    let tmp = tempfile::tempdir().unwrap();
    let now = Utc::now();
    seed::seed(&ProfileStore::at(tmp.path()), PROFILES, PER_PROFILE, now).unwrap();
    let screen = Screen {
        dashboard: ExpiryDashboard::default(),
        store: ProfileStore::at(tmp.path()),
        runtime: tokio::runtime::Runtime::new().unwrap(),
        secrets: Arc::new(MemoryStore::new()),
        toasts: Toasts::default(),
        now,
        fonts_installed: false,
    };
    let mut h = Harness::builder()
        .with_size(egui::vec2(1200.0, 800.0))
        .build_ui_state(|ui, screen: &mut Screen| screen.ui(ui), screen);
    let deadline = Instant::now() + Duration::from_mins(1);
    while !h.state().dashboard.is_loaded() {
        assert!(Instant::now() < deadline, "timed out reading 100 profiles");
        std::thread::sleep(Duration::from_millis(20));
        h.step();
    }
    h.step();

    let rows = h.state().dashboard.rows();
    assert_eq!(rows.len(), PROFILES * PER_PROFILE);
    assert!(
        rows.windows(2).all(
            |w| match (w[0].credential.expires_at, w[1].credential.expires_at) {
                (Some(a), Some(b)) => a <= b,
                (Some(_) | None, None) => true,
                (None, Some(_)) => false,
            }
        ),
        "most urgent first, no expiry last"
    );

    // Only the rows in view are laid out.
    let masked_rows = h.query_all_by_label_contains("•••• ").count();
    assert!(
        (5..200).contains(&masked_rows),
        "{masked_rows} rows laid out"
    );
    assert!(h.query_by_label_contains("No expiry (200)").is_some());

    // Frame time with 10 000 credentials is a benchmark figure (scripts/bench, "scale"),
    // not an assertion on a shared machine.

    // Filtering out every severity but "no expiry" leaves those 200.
    for label in [
        "✖ Expired",
        "❗ Expires very soon",
        "⚠ Expires soon",
        "✔ Valid",
    ] {
        h.get(By::new().role(Role::CheckBox).label_contains(label))
            .click();
        h.step();
    }
    h.step();
    let remaining = h.query_all_by_label_contains("•••• ").count();
    assert!(remaining > 0 && remaining <= 200, "{remaining}");
    assert!(h.query_all_by_label_contains("No expiry set").count() > 0);
    assert_eq!(
        h.query_all_by_label_contains("d left").count(),
        0,
        "only credentials without expiry are shown"
    );
}

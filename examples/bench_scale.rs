//! Scale figures for `scripts/bench` (run it in a release build): the profile list at
//! 1 000 profiles, and the expiry dashboard's frame time with 10 000 credentials spread
//! over those profiles, drawn headless (layout and tessellation, no GPU).
//!
//! Prints `key=value` lines: `profiles`, `credentials`, `list_ms_median`,
//! `dashboard_frames`, `dashboard_frame_ms_median`, `dashboard_frame_ms_p95`.

#![expect(
    clippy::disallowed_methods,
    reason = "a benchmark waits for the dashboard's background read between frames"
)]

#[path = "../tests/support/seed.rs"]
mod seed;

use std::io::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sso_scim_wizard::secrets::{MemoryStore, SecretStore};
use sso_scim_wizard::storage::ProfileStore;
use sso_scim_wizard::ui::dashboard::{DashboardEnv, ExpiryDashboard};
use sso_scim_wizard::ui::widgets::toasts::Toasts;

const PROFILES: usize = 1_000;
const PER_PROFILE: usize = 10;
const LIST_RUNS: usize = 5;
const FRAMES: usize = 300;
const SCREEN: egui::Vec2 = egui::vec2(1200.0, 800.0);

fn main() -> anyhow::Result<()> {
    let tmp = tempfile::tempdir()?;
    let now = Utc::now();
    let store = ProfileStore::at(tmp.path());
    seed::seed(&store, PROFILES, PER_PROFILE, now)?;

    let mut list_ms = Vec::with_capacity(LIST_RUNS);
    for _ in 0..LIST_RUNS {
        let started = Instant::now();
        let listing = store.list(now)?;
        list_ms.push(ms(started.elapsed()));
        anyhow::ensure!(
            listing.profiles.len() == PROFILES && listing.problems.is_empty(),
            "listed {} profiles, {} problems",
            listing.profiles.len(),
            listing.problems.len()
        );
    }

    let frame_ms = dashboard_frames(&store, now)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "profiles={PROFILES}")?;
    writeln!(out, "credentials={}", PROFILES * PER_PROFILE)?;
    writeln!(out, "list_ms_median={:.1}", percentile(&mut list_ms, 50))?;
    writeln!(out, "dashboard_frames={}", frame_ms.len())?;
    let mut frame_ms = frame_ms;
    writeln!(
        out,
        "dashboard_frame_ms_median={:.2}",
        percentile(&mut frame_ms, 50)
    )?;
    writeln!(
        out,
        "dashboard_frame_ms_p95={:.2}",
        percentile(&mut frame_ms, 95)
    )?;
    Ok(())
}

/// The dashboard drawn into a headless `egui::Context`.
struct Screen<'a> {
    store: &'a ProfileStore,
    now: DateTime<Utc>,
    runtime: tokio::runtime::Runtime,
    secrets: Arc<dyn SecretStore>,
    toasts: Toasts,
    dashboard: ExpiryDashboard,
    ctx: egui::Context,
}

impl Screen<'_> {
    /// One frame with the pointer at `pointer`: layout, then tessellation, as the window
    /// would do before painting.
    fn frame(&mut self, pointer: egui::Pos2) {
        let input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, SCREEN)),
            events: vec![egui::Event::PointerMoved(pointer)],
            ..Default::default()
        };
        let output = self.ctx.run_ui(input, |ui| {
            let mut env = DashboardEnv {
                store: self.store,
                runtime: self.runtime.handle(),
                secrets: &self.secrets,
                open_profile: None,
                now: self.now,
                toasts: &mut self.toasts,
            };
            self.dashboard.ui(ui, &mut env);
        });
        let primitives = self.ctx.tessellate(output.shapes, output.pixels_per_point);
        std::hint::black_box(primitives);
    }
}

/// Draws the dashboard until its background read is in, then times [`FRAMES`] frames with
/// the pointer moving over the rows (every frame lays out the visible rows and the
/// timeline and tessellates them).
fn dashboard_frames(store: &ProfileStore, now: DateTime<Utc>) -> anyhow::Result<Vec<f64>> {
    let mut screen = Screen {
        store,
        now,
        runtime: tokio::runtime::Runtime::new()?,
        secrets: Arc::new(MemoryStore::new()),
        toasts: Toasts::default(),
        dashboard: ExpiryDashboard::default(),
        ctx: egui::Context::default(),
    };
    sso_scim_wizard::ui::theme::install_fonts(&screen.ctx);

    let deadline = Instant::now() + Duration::from_mins(2);
    let mut warm_up = 0;
    while !screen.dashboard.is_loaded() || warm_up < 10 {
        anyhow::ensure!(Instant::now() < deadline, "the dashboard never loaded");
        if screen.dashboard.is_loaded() {
            warm_up += 1;
        } else {
            std::thread::sleep(Duration::from_millis(10));
        }
        screen.frame(egui::pos2(600.0, 400.0));
    }
    let rows = screen.dashboard.rows().len();
    anyhow::ensure!(
        rows == PROFILES * PER_PROFILE,
        "the dashboard shows {rows} rows"
    );

    let mut times = Vec::with_capacity(FRAMES);
    for i in 0..FRAMES {
        let y = 300.0 + f32::from(u8::try_from(i % 200).unwrap_or(0)) * 2.0;
        let started = Instant::now();
        screen.frame(egui::pos2(600.0, y));
        times.push(ms(started.elapsed()));
    }
    Ok(times)
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// The `p`th percentile (nearest rank) of `values`.
fn percentile(values: &mut [f64], p: usize) -> f64 {
    values.sort_by(f64::total_cmp);
    let rank = (values.len() * p).div_ceil(100).max(1);
    values.get(rank - 1).copied().unwrap_or(f64::NAN)
}

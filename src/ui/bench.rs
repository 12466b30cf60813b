//! Start-up and memory measurements for `scripts/bench`; nothing happens unless
//! [`BENCH_ENV`] is set.
//!
//! With `SSO_SCIM_WIZARD_BENCH=FILE` a window keeps drawing frames, writes `key=value`
//! lines to FILE and closes itself once it has measured:
//!
//! - `first_frame_ms`: from [`BENCH_T0_ENV`] (the wall-clock time, in microseconds since
//!   the Unix epoch, just before the bench started the process) to the start of the second
//!   frame, that is once the first frame has been painted and presented;
//! - `rss_first_kib`: resident memory at that moment;
//! - whatever the caller adds (the wizard adds `rss_steps_kib` after drawing every step).
//!
//! `examples/hello.rs`, a bare eframe window, uses the same probe, so the wizard and the
//! baseline are measured the same way.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

/// Path of the file the measurements are written to.
pub const BENCH_ENV: &str = "SSO_SCIM_WIZARD_BENCH";
/// Wall-clock start of the process, in microseconds since the Unix epoch.
pub const BENCH_T0_ENV: &str = "SSO_SCIM_WIZARD_BENCH_T0_US";

/// A measuring run in progress.
#[derive(Debug)]
pub struct BenchProbe {
    out: PathBuf,
    t0_us: Option<u128>,
    frames: u64,
    report: String,
    finished: bool,
}

impl BenchProbe {
    /// The probe when [`BENCH_ENV`] is set.
    pub fn from_env() -> Option<Self> {
        let out = std::env::var_os(BENCH_ENV).filter(|v| !v.is_empty())?;
        let t0_us = std::env::var(BENCH_T0_ENV)
            .ok()
            .and_then(|v| v.trim().parse().ok());
        Some(Self {
            out: PathBuf::from(out),
            t0_us,
            frames: 0,
            report: String::new(),
            finished: false,
        })
    }

    /// Call at the start of every frame. Returns the number of this frame (1 for the first)
    /// and keeps frames coming until [`Self::finish`].
    pub fn begin_frame(&mut self, ctx: &egui::Context) -> u64 {
        self.frames += 1;
        if self.frames == 2 {
            if let Some(t0) = self.t0_us {
                let ms = now_us().saturating_sub(t0) as f64 / 1000.0;
                self.record("first_frame_ms", format!("{ms:.1}"));
            }
            self.record_rss("rss_first_kib");
        }
        if !self.finished {
            ctx.request_repaint();
        }
        self.frames
    }

    /// Adds a line to the report.
    pub fn record(&mut self, key: &str, value: impl std::fmt::Display) {
        let _ = writeln!(self.report, "{key}={value}");
    }

    /// Adds the resident memory now, in KiB, under `key` (Linux; elsewhere nothing).
    pub fn record_rss(&mut self, key: &str) {
        if let Some(kib) = resident_kib() {
            self.record(key, kib);
        }
    }

    /// Writes the report and closes the window (once).
    pub fn finish(&mut self, ctx: &egui::Context) {
        if self.finished {
            return;
        }
        self.finished = true;
        self.record("frames", self.frames);
        // A bench aid: a failed write shows up as a missing report in `scripts/bench`.
        let _ = std::fs::write(&self.out, &self.report);
        ctx.send_viewport_cmd(egui::ViewportCommand::Close);
    }
}

fn now_us() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros())
}

/// `VmRSS` from `/proc/self/status`, in KiB.
fn resident_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_os = "linux")]
    fn resident_memory_is_read_from_proc() {
        let kib = resident_kib();
        assert!(kib.is_some_and(|k| k > 100), "{kib:?}");
    }
}

//! Helpers shared by the `egui_kittest` UI tests (included with `#[path]` by each of them).

use std::time::{Duration, Instant};

use egui_kittest::Harness;

/// Steps the harness until `done` holds: background tasks (profile listing, checks against
/// the peers, keyring calls) finish on their own threads, so a fixed number of frames is
/// not enough. Fails the test after 30 s, naming `what` it waited for.
#[expect(
    clippy::disallowed_methods,
    reason = "a test thread may sleep while it waits"
)]
pub fn step_until<S>(h: &mut Harness<'_, S>, what: &str, done: impl Fn(&Harness<'_, S>) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done(h) {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
        h.step();
    }
}

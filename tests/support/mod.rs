//! Shared helpers for integration tests that need the real test peers.
//!
//! `scripts/test` starts an OIDC provider, a SCIM server and an unlocked Secret
//! Service, and tells the tests where they are through `SSW_*` environment variables
//! (written by `scripts/peers`; see its header for the full list). A test asks for what
//! it needs here:
//!
//! ```ignore
//! mod support;
//!
//! let Some(issuer) = support::peer("SSW_OIDC_ISSUER") else { return };
//! if !support::require_keyring() { return; }
//! ```
//!
//! When a variable is missing the helper prints a skip note and the test returns, so
//! `cargo test` works without the peers; under `scripts/test` (`SSW_REQUIRE_PEERS=1`) a
//! missing variable is a failure instead, so a broken peer can never pass as skipped.

/// Set by `scripts/test`: every peer must be there, a missing one fails the test.
const REQUIRE_PEERS: &str = "SSW_REQUIRE_PEERS";

/// The value of a peer's environment variable, such as `SSW_OIDC_ISSUER`.
///
/// `None` (after a skip note on stderr) when it is not set; panics instead when
/// `SSW_REQUIRE_PEERS=1`.
pub fn peer(name: &str) -> Option<String> {
    match std::env::var(name) {
        Ok(value) if !value.is_empty() => Some(value),
        _ => {
            missing(name);
            None
        }
    }
}

/// Whether an unlocked Secret Service is available (`SSW_KEYRING=1`).
///
/// `false` (after a skip note on stderr) when it is not; panics instead when
/// `SSW_REQUIRE_PEERS=1`.
pub fn require_keyring() -> bool {
    const NAME: &str = "SSW_KEYRING";
    if std::env::var(NAME).is_ok_and(|value| value == "1") {
        true
    } else {
        missing(NAME);
        false
    }
}

#[expect(
    clippy::print_stderr,
    reason = "a skipped test says why on the test runner's output"
)]
fn missing(name: &str) {
    assert!(
        std::env::var(REQUIRE_PEERS).as_deref() != Ok("1"),
        "{name} is not set: run scripts/test"
    );
    eprintln!("skipping: {name} is not set (scripts/test starts the test peers)");
}

// Each test binary compiles this module on its own and uses only some helpers; naming
// them all here keeps the others from being reported as dead code.
const _: fn(&str) -> Option<String> = peer;
const _: fn() -> bool = require_keyring;

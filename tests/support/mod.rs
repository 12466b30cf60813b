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
//! When a variable is missing the test fails, saying how to start the peers: a test that
//! could not reach its peer has tested nothing and must not be counted as passed.
//! `SSW_ALLOW_MISSING_PEERS=1` turns that into a skip note for a quick `cargo test` of the
//! rest (never under `scripts/test`, which sets `SSW_REQUIRE_PEERS=1`).

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

/// Set by hand to skip (not fail) the tests whose peers are missing, for a quick
/// `cargo test` of the rest; the skip is then said on stderr.
const ALLOW_MISSING: &str = "SSW_ALLOW_MISSING_PEERS";

#[expect(
    clippy::print_stderr,
    reason = "a skipped test says why on the test runner's output"
)]
fn missing(name: &str) {
    // A test whose peer is missing has tested nothing: it fails, so that no run can
    // report it as passed, unless skipping was asked for explicitly.
    assert!(
        std::env::var(REQUIRE_PEERS).as_deref() != Ok("1")
            && std::env::var(ALLOW_MISSING).as_deref() == Ok("1"),
        "{name} is not set, so this test cannot run: use scripts/test, or \
         `scripts/peers run -- cargo nextest run` (set {ALLOW_MISSING}=1 to skip such tests)"
    );
    eprintln!("skipping: {name} is not set ({ALLOW_MISSING}=1)");
}

// Each test binary compiles this module on its own and uses only some helpers; naming
// them all here keeps the others from being reported as dead code.
const _: fn(&str) -> Option<String> = peer;
const _: fn() -> bool = require_keyring;

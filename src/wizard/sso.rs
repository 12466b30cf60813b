//! Pure rules of the SSO app step (placeholder until the step lands).

use crate::catalog::Platform;
use crate::model::Profile;

/// Why Next is disabled on the step, in one line; `None` when complete.
pub fn next_blocker(_profile: &Profile, _platform: &Platform) -> Option<String> {
    None
}

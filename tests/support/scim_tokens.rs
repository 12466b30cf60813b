//! The SCIM test peer's accepted tokens: `SSW_SCIM_TOKENS_FILE`, one a line, re-read by the
//! server on every request. Tests that need tokens of their own add and remove them here.

use std::fs::OpenOptions;
use std::io::Write as _;
use std::path::Path;

/// Rewrites the accepted tokens: adds `add`, removes `remove`, keeps every other line
/// (other tests' tokens). Atomic (rename), under a lock file every test binary shares.
#[expect(
    clippy::unwrap_used,
    reason = "test set-up: a tokens file that cannot be rewritten is a broken test machine"
)]
pub fn reconfigure(tokens_file: &Path, add: &[&str], remove: &[&str]) {
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(tokens_file.with_extension("rotation-lock"))
        .unwrap();
    lock.lock().unwrap();
    let current = std::fs::read_to_string(tokens_file).unwrap_or_default();
    let mut lines: Vec<String> = current
        .lines()
        .filter(|line| !remove.contains(&line.trim()))
        .map(str::to_owned)
        .collect();
    for token in add {
        if !lines.iter().any(|line| line.trim() == *token) {
            lines.push((*token).to_owned());
        }
    }
    let temp = tokens_file.with_extension(format!("tmp-{}", std::process::id()));
    let mut file = std::fs::File::create(&temp).unwrap();
    file.write_all((lines.join("\n") + "\n").as_bytes())
        .unwrap();
    file.sync_all().unwrap();
    std::fs::rename(&temp, tokens_file).unwrap();
    lock.unlock().unwrap();
}

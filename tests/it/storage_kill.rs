//! Atomicity of profile saves under a killed process: a child process saves profiles in
//! a loop through the real [`ProfileStore::save`] (temp file, fsync, rename) and is
//! killed with SIGKILL at a random moment, many times. After each kill every profile file must be exactly the
//! version it had before the save that was cut short or exactly the one that save was
//! writing: never torn, empty or unreadable. Temp files the killed saves leave behind are
//! never listed as profiles or as problems, and `list` deletes them once they are stale.
//!
//! What this proves is atomicity, not durability: SIGKILL stops the process, but the
//! kernel still writes out what the process handed it, so a save that was cut short can
//! only be "not renamed yet". Whether a saved profile survives a power cut (the fsyncs
//! of the file and the folder) is not tested here; that would need a power-cut
//! simulation such as a dm-flakey device (issue #16).
//!
//! The child is this test binary run again (`current_exe`) with only the ignored test
//! [`child_saver`] selected; it works the same under `cargo test` and `cargo nextest`.

#![expect(
    clippy::unwrap_used,
    reason = "test code: a failed call is a failed test"
)]

use std::collections::HashMap;
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime};

use chrono::{DateTime, Utc};
use sso_scim_wizard::model::{HistoryEntry, IdpId, PlatformId, Profile};
use sso_scim_wizard::storage::{ProfileStore, STALE_TEMP_AGE};

/// Names the config dir the child saves into; without it [`child_saver`] does nothing
/// (so `--include-ignored` runs stay harmless).
const CHILD_DIR_ENV: &str = "SSW_STORAGE_KILL_CONFIG_DIR";
/// The generation of each profile on disk when the child starts, comma-separated.
const CHILD_GENERATIONS_ENV: &str = "SSW_STORAGE_KILL_GENERATIONS";
/// How many children are started and killed.
const ITERATIONS: usize = 150;
/// How many profiles the child keeps rewriting, round robin.
const PROFILES: usize = 4;
/// History lines per version: about 80 KB of JSON, several pages, so a torn file cannot
/// pass for a whole one.
const HISTORY_LINES: usize = 400;
/// The latest kill, after the child reported its first finished save.
const MAX_KILL_DELAY_MICROS: u64 = 30_000;
/// Marks a temp file of a save in progress (`.<id>.json.tmp-<pid>-<n>`).
const TEMP_MARKER: &str = ".json.tmp-";

fn base_time() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn profile_id(index: usize) -> String {
    format!("kill-test-{index}")
}

/// Version `generation` of profile `index`. Even and odd generations differ on every
/// history line (filler `a…` or `b…`), and every line names its generation, so a file mixing
/// two versions or cut short is never equal to any version.
fn version(index: usize, generation: u64) -> Profile {
    let updated_at = base_time() + chrono::Duration::seconds(i64::try_from(generation).unwrap());
    let mut profile = Profile::new(
        profile_id(index),
        format!("Kill test {index}"),
        PlatformId::Generic,
        IdpId::Generic,
        base_time(),
    );
    profile.updated_at = updated_at;
    profile.sso.client_id = format!("generation-{generation}");
    let filler = if generation.is_multiple_of(2) {
        "a"
    } else {
        "b"
    }
    .repeat(100);
    profile.history = (0..HISTORY_LINES)
        .map(|line| HistoryEntry {
            at: updated_at,
            event: format!("profile {index} generation {generation} line {line} {filler}"),
        })
        .collect();
    profile
}

/// The generation a loaded profile says it is.
fn generation_of(profile: &Profile) -> u64 {
    profile
        .sso
        .client_id
        .strip_prefix("generation-")
        .and_then(|g| g.parse().ok())
        .unwrap_or_else(|| panic!("not a test profile: {:?}", profile.sso.client_id))
}

/// The bytes `ProfileStore::save` writes for a version.
fn bytes_of(index: usize, generation: u64) -> Vec<u8> {
    serde_json::to_vec_pretty(&version(index, generation)).unwrap()
}

/// Runs in the child: rewrites every profile, round robin, one generation up each time,
/// and reports each finished save on stdout (`saved <index> <generation>`), until killed.
#[test]
#[ignore = "the child process of sigkill_during_saves_leaves_every_profile_old_or_new"]
fn child_saver() {
    let Some(dir) = std::env::var_os(CHILD_DIR_ENV) else {
        return;
    };
    let store = ProfileStore::at(dir);
    let mut generations: Vec<u64> = std::env::var(CHILD_GENERATIONS_ENV)
        .unwrap()
        .split(',')
        .map(|generation| generation.parse().unwrap())
        .collect();
    let mut stdout = std::io::stdout().lock();
    // libtest has printed `test child_saver ... ` without a line end.
    writeln!(stdout).unwrap();
    loop {
        for (index, generation) in generations.iter_mut().enumerate() {
            *generation += 1;
            store.save(&version(index, *generation)).unwrap();
            writeln!(stdout, "saved {index} {generation}").unwrap();
            stdout.flush().unwrap();
        }
    }
}

/// A small xorshift generator: the kill delays only need to be spread, not secure.
struct Rng(u64);

impl Rng {
    fn seeded() -> Self {
        let mut seed = [0_u8; 8];
        getrandom::fill(&mut seed).unwrap();
        Self(u64::from_le_bytes(seed) | 1)
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % bound
    }
}

fn spawn_child(config_dir: &Path, generations: &[u64]) -> Child {
    let generations: Vec<String> = generations.iter().map(u64::to_string).collect();
    // libtest names a test by its path below the crate: `storage_kill::child_saver`.
    let child_test = module_path!().split_once("::").map_or_else(
        || "child_saver".to_owned(),
        |(_, m)| format!("{m}::child_saver"),
    );
    Command::new(std::env::current_exe().unwrap())
        .args([
            child_test.as_str(),
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_DIR_ENV, config_dir)
        .env(CHILD_GENERATIONS_ENV, generations.join(","))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

/// Temp files in the profiles folder.
fn temp_files(dir: &Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.file_name()
                .is_some_and(|name| name.to_string_lossy().contains(TEMP_MARKER))
        })
        .collect()
}

#[derive(Debug, Default)]
struct Tally {
    /// Kills after which a temp file was left: the save was between create and rename.
    mid_save: usize,
    /// Kills after which a file held the generation the child had not yet reported: the
    /// rename had happened but the child died before saying so.
    renamed_unreported: usize,
    /// Saves the children reported finished.
    saves: u64,
}

#[test]
#[expect(
    clippy::disallowed_methods,
    reason = "the test waits a random moment before killing its child; no frame here"
)]
#[expect(
    clippy::too_many_lines,
    reason = "one kill loop with its checks, then the leftovers, reads best in one piece"
)]
fn sigkill_during_saves_leaves_every_profile_old_or_new() {
    let root = tempfile::Builder::new()
        .prefix("storage-kill-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap();
    let store = ProfileStore::at(root.path());
    let mut on_disk: Vec<u64> = vec![0; PROFILES];
    for index in 0..PROFILES {
        store.save(&version(index, 0)).unwrap();
    }
    let whole_size = bytes_of(0, 0).len();
    // The bytes of each version, computed once (encoding is slow in a debug build).
    let mut expected: HashMap<(usize, u64), Vec<u8>> = HashMap::new();
    let mut rng = Rng::seeded();
    let mut tally = Tally::default();
    let started = Instant::now();
    let mut temps_before = 0;

    for iteration in 0..ITERATIONS {
        let mut child = spawn_child(root.path(), &on_disk);
        let stdout = child.stdout.take().unwrap();
        let (saved_tx, saved_rx) = mpsc::channel::<(usize, u64)>();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let Some((index, generation)) = line
                    .strip_prefix("saved ")
                    .and_then(|rest| rest.split_once(' '))
                else {
                    continue;
                };
                let report = (index.parse().unwrap(), generation.parse().unwrap());
                if saved_tx.send(report).is_err() {
                    break;
                }
            }
        });
        // Kill while the child is saving, not while it starts up: wait for its first
        // finished save, then up to MAX_KILL_DELAY_MICROS more.
        let first = saved_rx.recv_timeout(Duration::from_mins(1));
        if first.is_err() {
            let _ = child.kill();
            let _ = child.wait();
            panic!("iteration {iteration}: the child saved nothing within 60 s");
        }
        std::thread::sleep(Duration::from_micros(rng.below(MAX_KILL_DELAY_MICROS + 1)));
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        reader.join().unwrap();

        // What the child said it finished: each file must hold that generation (the old
        // version) or the next one (the save that was cut short had already renamed).
        let mut reported = on_disk.clone();
        for (index, generation) in first.into_iter().chain(saved_rx.try_iter()) {
            assert_eq!(
                generation,
                reported[index] + 1,
                "saves are reported in order"
            );
            reported[index] = generation;
            tally.saves += 1;
        }
        // Each killed save leaves at most one temp file (its own), and they stay (fresh).
        let temps = temp_files(store.dir()).len();
        assert!(
            temps <= temps_before + 1,
            "iteration {iteration}: {temps} temp files after {temps_before}"
        );
        if temps > temps_before {
            tally.mid_save += 1;
        }
        temps_before = temps;
        for index in 0..PROFILES {
            let path = store.path_of(&profile_id(index));
            let bytes = std::fs::read(&path).unwrap();
            let old = reported[index];
            let generation = [old, old + 1]
                .into_iter()
                .find(|&generation| {
                    bytes
                        == *expected
                            .entry((index, generation))
                            .or_insert_with(|| bytes_of(index, generation))
                })
                .unwrap_or_else(|| {
                    panic!(
                        "iteration {iteration}: {} is neither generation {old} nor {} \
                         ({} bytes, a whole version is about {whole_size})",
                        path.display(),
                        old + 1,
                        bytes.len()
                    )
                });
            if generation != old {
                tally.renamed_unreported += 1;
            }
            on_disk[index] = generation;
        }

        // The real listing sees exactly the profiles, whatever temp files lie around.
        let listing = store.list(Utc::now()).unwrap();
        assert!(
            listing.problems.is_empty(),
            "iteration {iteration}: {:?}",
            listing.problems
        );
        let mut listed: Vec<(String, u64)> = listing
            .profiles
            .iter()
            .map(|profile| (profile.id.clone(), generation_of(profile)))
            .collect();
        listed.sort();
        let on_disk_now: Vec<(String, u64)> = (0..PROFILES)
            .map(|index| (profile_id(index), on_disk[index]))
            .collect();
        assert_eq!(listed, on_disk_now, "iteration {iteration}");
        for (index, &generation) in on_disk.iter().enumerate() {
            let loaded = store.load(&profile_id(index), Utc::now()).unwrap();
            assert_eq!(generation_of(&loaded), generation);
            assert_eq!(loaded.history.len(), HISTORY_LINES);
        }
        expected.retain(|&(index, generation), _| generation >= on_disk[index]);
    }

    let leftovers = temp_files(store.dir());
    println!(
        "{ITERATIONS} kills in {:.1} s: {} saves finished, {} kills left a temp file \
         (mid-save), {} files held a save renamed but not yet reported; \
         {} temp files left, each version {whole_size} bytes",
        started.elapsed().as_secs_f64(),
        tally.saves,
        tally.mid_save,
        tally.renamed_unreported,
        leftovers.len(),
    );
    assert!(
        tally.mid_save > 0,
        "no kill landed between creating a temp file and renaming it: the test proved nothing"
    );
    assert_eq!(
        leftovers.len(),
        tally.mid_save,
        "one temp file per interrupted save"
    );

    // Leftovers are not deleted while they might belong to a running save, but once
    // stale the next listing deletes them: they do not pile up.
    let long_ago = SystemTime::now() - STALE_TEMP_AGE - Duration::from_mins(1);
    for path in &leftovers {
        std::fs::File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(long_ago)
            .unwrap();
    }
    let listing = store.list(Utc::now()).unwrap();
    assert_eq!(listing.profiles.len(), PROFILES);
    assert!(listing.problems.is_empty(), "{:?}", listing.problems);
    assert_eq!(temp_files(store.dir()), Vec::<std::path::PathBuf>::new());
    let names: Vec<String> = std::fs::read_dir(store.dir())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), PROFILES, "only the profiles remain: {names:?}");
}

//! Secret hygiene sweep: one scripted run of the real binary and of the rotation
//! walkthrough with known secret values, then a search for those values, and their obvious
//! encodings, everywhere the app could have put them. Zero hits.
//!
//! The run, against the peers of `scripts/test` (OpenID Provider, SCIM server, unlocked
//! Secret Service): profile create; token generate (SCIM token and client secret, the values
//! read back from the keyring); token import from environment variables, values pasted with
//! a Bearer prefix, quotes and blanks; check scim from the keyring and from an environment
//! variable, with the write probe, with a token the server refuses and with a pasted one;
//! check oidc with the right, a wrong and a padded client secret; the checks the window
//! runs, their reports stored in the profile; a rotation of the SCIM token A → B
//! through the same core and keyring code as `tests/rotation.rs`, saved after every step;
//! expiry, checklist (Markdown, HTML, text), support bundle (file and stdout), calendar
//! file, profile show and list.
//!
//! Searched: every file under a scratch HOME (config dir with the profiles, XDG data, cache
//! and state dirs, TMPDIR, the exported files), the stdout and stderr of every process,
//! every `/proc/<pid>/cmdline` read while it ran (and this test's own, for the in-process
//! rotation), and the reports the in-process checks returned. Environment variables are the
//! documented channel for secrets and are not searched. The only expected occurrence is
//! the one-time reveal of `token generate` on its stdout: exactly the value, one line, and
//! the search must find it there.
//!
//! A self-check plants known values (raw, base64, a fragment) and requires the same search
//! to find them, so a clean result is not a blind one.

#![expect(
    clippy::disallowed_methods,
    reason = "the test blocks on its own runtime and polls /proc while a child runs; no frame here"
)]
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a failed call is a failed test"
)]

use crate::scim_tokens;
use crate::support;
use scim_tokens::reconfigure;

use std::collections::{BTreeMap, HashMap};
use std::ffi::OsString;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use chrono::Utc;
use sso_scim_wizard::diagnostics::{Report, Status};
use sso_scim_wizard::model::{CredentialKind, CredentialOrigin, Profile, StoredReport};
use sso_scim_wizard::probes::http::{Client, Policy, Request};
use sso_scim_wizard::probes::{oidc, scim};
use sso_scim_wizard::rotation::{self as effects, Lookup};
use sso_scim_wizard::secrets::{KeyringStore, Secret, SecretStore as _, account, generate_token};
use sso_scim_wizard::storage::ProfileStore;
use sso_scim_wizard::wizard::rotation::{
    self, EventConfirmation, RotationAction, RotationReason, RotationStep,
};

/// Every match is reported by a window of this many bytes of a needle: a fragment this
/// long of a secret (or of an encoding of it) is a leak, the last four characters shown by
/// design are not. Eight, not sixteen: a cut echo can leave a prefix shorter than 16
/// (issue #16: 10 and 14 characters survived).
const WINDOW: usize = 8;

/// Hex spells one byte in two characters: its windows are twice as long, so that they
/// still stand for eight characters of the secret (and do not match any 8 hex digits of
/// an id by chance).
fn window_of(form: &str) -> usize {
    if form.eq_ignore_ascii_case("hex") {
        2 * WINDOW
    } else {
        WINDOW
    }
}

/// A secret value the run uses, by name.
struct Known {
    name: &'static str,
    value: String,
}

/// One thing to look for: a form of a known secret.
struct Needle {
    secret: &'static str,
    form: String,
    bytes: Vec<u8>,
}

/// The forms of `value` to look for: raw, JSON-escaped, URL-encoded, hex, base64
/// (standard and URL-safe, at each of the three alignments inside a longer text) and,
/// for a client secret, the HTTP Basic credentials it is sent in (RFC 6749 §2.3.1).
fn needles(secret: &'static str, value: &str, client_id: Option<&str>) -> Vec<Needle> {
    let mut forms: Vec<(String, Vec<u8>)> = vec![("raw".into(), value.as_bytes().to_vec())];
    let json = serde_json::to_string(value).unwrap();
    forms.push(("JSON".into(), json.as_bytes()[1..json.len() - 1].to_vec()));
    let urlencoded: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
    forms.push(("URL-encoded".into(), urlencoded.clone().into_bytes()));
    let hex = hex(value);
    forms.push(("HEX".into(), hex.to_uppercase().into_bytes()));
    forms.push(("hex".into(), hex.into_bytes()));
    let engines = [
        ("base64", base64::engine::general_purpose::STANDARD),
        ("base64url", base64::engine::general_purpose::URL_SAFE),
    ];
    for (engine_name, engine) in &engines {
        // Inside a longer text the value starts at any offset mod 3: encode it after 0, 1
        // or 2 filler bytes and keep only the characters that depend on the value alone.
        for shift in 0..3 {
            let mut input = vec![0_u8; shift];
            input.extend_from_slice(value.as_bytes());
            let encoded = engine.encode(&input);
            let skip = if shift == 0 { 0 } else { 4 };
            let keep = (input.len() / 3) * 4;
            forms.push((
                format!("{engine_name}+{shift}"),
                encoded.as_bytes()[skip..keep].to_vec(),
            ));
        }
    }
    if let Some(client_id) = client_id {
        let id: String = url::form_urlencoded::byte_serialize(client_id.as_bytes()).collect();
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{urlencoded}"));
        forms.push(("HTTP Basic".into(), basic.into_bytes()));
    }
    forms.sort_by(|a, b| a.1.cmp(&b.1));
    forms.dedup_by(|a, b| a.1 == b.1);
    forms
        .into_iter()
        .map(|(form, bytes)| {
            assert!(
                bytes.len() >= window_of(&form),
                "{secret} {form} is too short to search"
            );
            Needle {
                secret,
                form,
                bytes,
            }
        })
        .collect()
}

/// Lower-case hex of the bytes of `value`.
fn hex(value: &str) -> String {
    value.bytes().fold(String::new(), |mut hex, b| {
        use std::fmt::Write as _;
        let _ = write!(hex, "{b:02x}");
        hex
    })
}

/// Every window (see [`window_of`]) of every needle, except those that occur in a public
/// value (the client id begins the peer's client secret), by window length.
struct Search {
    windows: BTreeMap<usize, HashMap<Vec<u8>, (&'static str, String)>>,
    needles: usize,
}

impl Search {
    fn new(known: &[Known], client_id: &str) -> Self {
        let mut windows: BTreeMap<usize, HashMap<Vec<u8>, (&'static str, String)>> =
            BTreeMap::new();
        let mut count = 0;
        for secret in known {
            let client = secret.name.contains("client secret").then_some(client_id);
            for needle in needles(secret.name, &secret.value, client) {
                count += 1;
                let size = window_of(&needle.form);
                // The peer's client secret is `<client id>-secret-<4 digits>`: only the
                // windows that hold all four digits stand for it. One that reaches a single
                // digit ("secret-0") is also the start of a credential id such as
                // `client-secret-0a1b2c`, which every export names on purpose.
                let public = format!("{client_id}-secret-");
                let fixed = needle.bytes.starts_with(public.as_bytes());
                let last = needle.bytes.len().saturating_sub(size);
                for (start, window) in needle.bytes.windows(size).enumerate() {
                    if public.as_bytes().windows(size).any(|w| w == window)
                        || (fixed && start < last)
                    {
                        continue;
                    }
                    windows
                        .entry(size)
                        .or_default()
                        .entry(window.to_vec())
                        .or_insert((needle.secret, needle.form.clone()));
                }
            }
        }
        Self {
            windows,
            needles: count,
        }
    }

    /// The first hit in `haystack`: which secret, in which form, at which offset.
    fn find(&self, haystack: &[u8]) -> Option<(&'static str, String, usize)> {
        self.windows.iter().find_map(|(size, windows)| {
            haystack
                .windows(*size)
                .enumerate()
                .find_map(|(offset, window)| {
                    windows
                        .get(window)
                        .map(|(secret, form)| (*secret, form.clone(), offset))
                })
        })
    }

    fn window_count(&self) -> usize {
        self.windows.values().map(HashMap::len).sum()
    }
}

/// A named piece of text to search, with what it came from.
struct Haystack {
    what: String,
    bytes: Vec<u8>,
}

/// Every regular file under `dir`, recursively (hidden ones too; symlinks not followed).
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return files;
    };
    for entry in entries {
        let entry = entry.unwrap();
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            files.extend(files_under(&entry.path()));
        } else if kind.is_file() {
            files.push(entry.path());
        }
    }
    files
}

/// One process of the real binary: what it printed and the command lines seen while it ran.
#[derive(Clone)]
struct Run {
    label: String,
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    cmdlines: Vec<Vec<u8>>,
    /// False when the process ended before `/proc/<pid>/cmdline` could be read (a busy
    /// machine): its argv as passed to exec is swept instead.
    cmdline_from_proc: bool,
}

impl Run {
    fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code,
            Some(code),
            "{}\nstdout: {}\nstderr: {}",
            self.label,
            self.stdout_text(),
            self.stderr_text()
        );
        self
    }

    /// Exit 0 or 1: the checks ran (passed or found a problem), no usage error.
    fn expect_checked(&self) -> &Self {
        assert!(
            matches!(self.code, Some(0 | 1)),
            "{}: exit {:?}\nstderr: {}",
            self.label,
            self.code,
            self.stderr_text()
        );
        self
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.stdout).unwrap_or_else(|err| {
            panic!(
                "{}: {err}\n{}\n{}",
                self.label,
                self.stdout_text(),
                self.stderr_text()
            )
        })
    }
}

/// The scratch world the binary runs in: its own HOME and XDG dirs, so whatever it writes
/// anywhere of its own lands where the sweep looks.
struct World {
    root: tempfile::TempDir,
    env: Vec<(&'static str, OsString)>,
    runs: Vec<Run>,
}

impl World {
    fn new() -> Self {
        let root = tempfile::Builder::new()
            .prefix("secret-sweep-")
            .tempdir()
            .unwrap();
        let home = root.path().join("home");
        let dirs = [
            ("HOME", home.clone()),
            ("XDG_CONFIG_HOME", home.join(".config")),
            ("XDG_DATA_HOME", home.join(".local/share")),
            ("XDG_CACHE_HOME", home.join(".cache")),
            ("XDG_STATE_HOME", home.join(".local/state")),
            ("TMPDIR", root.path().join("tmp")),
        ];
        for (_, dir) in &dirs {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::create_dir_all(root.path().join("exports")).unwrap();
        Self {
            env: dirs
                .into_iter()
                .map(|(name, dir)| (name, dir.into_os_string()))
                .collect(),
            root,
            runs: Vec::new(),
        }
    }

    fn exports(&self) -> PathBuf {
        self.root.path().join("exports")
    }

    /// Opens the real window on `$DISPLAY` for the tenant `profile_id` at `step` (its
    /// secrets are read from the keyring on start), holds it a few seconds, then reads its
    /// `/proc` command line, environment and limits before closing it: a GUI process is
    /// swept like the commands, and its core dumps must be off (issue #16 items 9 and the
    /// sweep's GUI process).
    fn window(&mut self, profile_id: &str, step: &str) -> Run {
        let args = ["gui", "--profile", profile_id, "--step", step];
        let mut command = Command::new(env!("CARGO_BIN_EXE_sso-scim-wizard"));
        // The test runner's own environment holds the peers' secrets (SSW_*); the window
        // gets none of them, so its environment shows only what the app itself put there.
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("SSW_") {
                command.env_remove(name);
            }
        }
        let mut child = command
            .args(args)
            .env_remove(sso_scim_wizard::storage::CONFIG_DIR_ENV)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let pid = child.id();
        let deadline = Instant::now() + Duration::from_secs(30);
        // The window is up once xdotool finds a mapped window of this process.
        loop {
            assert!(
                child.try_wait().unwrap().is_none(),
                "the window exited at start"
            );
            let found = Command::new("xdotool")
                .args(["search", "--onlyvisible", "--pid", &pid.to_string()])
                .output()
                .is_ok_and(|o| !o.stdout.is_empty());
            if found {
                break;
            }
            assert!(Instant::now() < deadline, "no window within 30 s");
            std::thread::sleep(Duration::from_millis(200));
        }
        std::thread::sleep(Duration::from_secs(2));
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap();
        let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap();
        let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
        let core = limits
            .lines()
            .find(|line| line.starts_with("Max core file size"))
            .unwrap_or_default()
            .to_owned();
        assert!(
            core.split_whitespace().nth(4) == Some("0"),
            "core dumps are not off in the window's process: {core}"
        );
        let _ = Command::new("kill").arg(pid.to_string()).status();
        let output = child.wait_with_output().unwrap();
        let run = Run {
            label: format!("sso-scim-wizard {} (window)", args.join(" ")),
            code: output.status.code(),
            stdout: output.stdout,
            stderr: output.stderr,
            cmdlines: vec![cmdline, environ],
            cmdline_from_proc: true,
        };
        self.runs.push(run.clone());
        run
    }

    /// Runs the real binary, reading `/proc/<pid>/cmdline` until it exits.
    fn wizard(&mut self, args: &[&str], secret_env: &[(&str, &str)]) -> Run {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sso-scim-wizard"))
            .args(args)
            // The platform's config dir under the scratch XDG_CONFIG_HOME, not an override.
            .env_remove(sso_scim_wizard::storage::CONFIG_DIR_ENV)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .envs(secret_env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let pid = child.id();
        let drain = |mut pipe: Box<dyn std::io::Read + Send>| {
            std::thread::spawn(move || {
                let mut bytes = Vec::new();
                pipe.read_to_end(&mut bytes).unwrap();
                bytes
            })
        };
        let stdout = drain(Box::new(child.stdout.take().unwrap()));
        let stderr = drain(Box::new(child.stderr.take().unwrap()));
        let mut cmdlines: Vec<Vec<u8>> = Vec::new();
        let deadline = Instant::now() + Duration::from_mins(2);
        let status = loop {
            // Empty once it has exited (a zombie); before exec, this test's own.
            if let Ok(cmdline) = std::fs::read(format!("/proc/{pid}/cmdline"))
                && !cmdline.is_empty()
                && !cmdlines.contains(&cmdline)
            {
                cmdlines.push(cmdline);
            }
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("{args:?} did not finish within 120 s");
            }
            std::thread::sleep(Duration::from_millis(1));
        };
        let binary = env!("CARGO_BIN_EXE_sso-scim-wizard");
        let cmdline_from_proc = cmdlines.iter().any(|c| c.starts_with(binary.as_bytes()));
        if !cmdline_from_proc {
            // The same bytes the kernel shows there: argv joined with NULs.
            let mut exec_line = binary.as_bytes().to_vec();
            for arg in args {
                exec_line.push(0);
                exec_line.extend_from_slice(arg.as_bytes());
            }
            exec_line.push(0);
            cmdlines.push(exec_line);
        }
        let run = Run {
            label: format!("sso-scim-wizard {}", args.join(" ")),
            code: status.code(),
            stdout: stdout.join().unwrap(),
            stderr: stderr.join().unwrap(),
            cmdlines,
            cmdline_from_proc,
        };
        self.runs.push(run.clone());
        run
    }
}

/// Removes the sweep's tokens from the SCIM peer and its profiles' secrets from the
/// keyring, even when an assertion failed.
struct Cleanup {
    tokens_file: PathBuf,
    tokens: Vec<String>,
    profile_ids: Vec<String>,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let tokens: Vec<&str> = self.tokens.iter().map(String::as_str).collect();
        reconfigure(&self.tokens_file, &[], &tokens);
        let Ok(keyring) = KeyringStore::open() else {
            return;
        };
        for account in keyring.accounts().unwrap_or_default() {
            if self
                .profile_ids
                .iter()
                .any(|id| account.starts_with(&format!("{id}/")))
            {
                let _ = keyring.delete(&account);
            }
        }
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn scim_check(rt: &tokio::runtime::Runtime, profile: &Profile, token: Secret) -> Report {
    let input = scim::ScimInput::new(&profile.scim.base_url, Some(token), profile.platform);
    rt.block_on(scim::check(&input, Policy::default(), &|_| {}))
}

fn status_of(report: &Report, id: &str) -> Status {
    report.finding(id).map_or_else(
        || panic!("no {id} finding:\n{}", report.to_text()),
        |f| f.status,
    )
}

/// A unique tenant name part, so parallel runs never share keyring accounts.
fn unique() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{}-{nanos:x}", std::process::id())
}

/// The one line `token generate` printed: the value, once, and nothing else.
fn revealed_value(run: &Run) -> String {
    let stdout = run.stdout_text();
    let value = stdout
        .strip_suffix('\n')
        .unwrap_or_else(|| panic!("{}: {stdout:?}", run.label));
    assert!(
        !value.contains('\n') && value.len() >= 43,
        "{}: {stdout:?}",
        run.label
    );
    value.to_owned()
}

/// The id of the credential of `kind` the profile uses now.
fn current_credential(profile: &Profile, kind: CredentialKind) -> String {
    match kind {
        CredentialKind::ScimToken => profile.scim.token_credential.clone(),
        CredentialKind::ClientSecret => profile.sso.client_secret_credential.clone(),
    }
    .unwrap_or_else(|| panic!("{}: no current {kind:?}", profile.id))
}

fn act(profile: &mut Profile, profiles: &ProfileStore, action: RotationAction) {
    let state = profile.rotation.as_ref().expect("a rotation in progress");
    profile.rotation = Some(rotation::apply(state, action, Utc::now()).unwrap());
    // The window writes the profile whenever the rotation moves (RotationOutcome::Flush).
    profiles.save(profile).unwrap();
}

/// A peer's setting, or a failure: a sweep that did not run must not read as a clean one
/// (issue #16), so unlike the other peer tests this one does not skip.
fn required_peer(name: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| {
            panic!("{name} is not set: the secret sweep needs the test peers; run scripts/test")
        })
}

#[expect(
    clippy::too_many_lines,
    reason = "one scripted run told in order, then the search, reads best in one piece"
)]
#[test]
fn no_known_secret_value_or_encoding_is_left_in_files_outputs_or_command_lines() {
    let started = Instant::now();
    let scim_base_url = required_peer("SSW_SCIM_BASE_URL");
    let tokens_file = required_peer("SSW_SCIM_TOKENS_FILE");
    let issuer = required_peer("SSW_OIDC_ISSUER");
    let client_id = required_peer("SSW_OIDC_CLIENT_ID");
    let client_secret = required_peer("SSW_OIDC_CLIENT_SECRET");
    assert!(
        std::env::var("SSW_KEYRING").is_ok_and(|v| v == "1"),
        "SSW_KEYRING is not 1: the secret sweep needs an unlocked Secret Service; run scripts/test"
    );
    let tokens_file = PathBuf::from(tokens_file);
    let keyring = KeyringStore::open().expect("an unlocked Secret Service");
    let rt = runtime();
    let mut world = World::new();

    // Known values: token A (imported, pasted with a Bearer prefix and blanks), token B (the
    // rotation's new token), a token the SCIM server refuses, the peer's client secret and a
    // wrong one. The two generated values join the list once the keyring confirms them.
    let token_a = generate_token().unwrap().expose().to_owned();
    let token_b = generate_token().unwrap().expose().to_owned();
    let refused_token = generate_token().unwrap().expose().to_owned();
    let wrong_secret = format!("wrong-{}", generate_token().unwrap().expose());
    let mut known = vec![
        Known {
            name: "SCIM token A (imported)",
            value: token_a.clone(),
        },
        Known {
            name: "SCIM token B (rotated in)",
            value: token_b.clone(),
        },
        Known {
            name: "refused SCIM token",
            value: refused_token.clone(),
        },
        Known {
            name: "OIDC client secret (imported)",
            value: client_secret.clone(),
        },
        Known {
            name: "wrong OIDC client secret",
            value: wrong_secret.clone(),
        },
    ];
    let mut cleanup = Cleanup {
        tokens_file: tokens_file.clone(),
        tokens: vec![token_a.clone(), token_b.clone()],
        profile_ids: Vec::new(),
    };
    reconfigure(&tokens_file, &[&token_a], &[]);

    // Where the binary keeps its profiles: the platform's config dir under our scratch HOME.
    let empty = world.wizard(&["profile", "list"], &[]);
    let config_profiles = PathBuf::from(
        empty
            .expect_code(0)
            .stdout_text()
            .trim()
            .strip_prefix("No profiles in ")
            .unwrap_or_else(|| panic!("{}", empty.stdout_text())),
    );
    assert!(
        config_profiles.starts_with(world.root.path()),
        "{} is outside the scratch HOME",
        config_profiles.display()
    );
    let profiles = ProfileStore::at(config_profiles.parent().unwrap());

    // --- Tenant 1 (generic platform and IdP): generated SCIM token and client secret.
    let name_1 = format!("Sweep generated {}", unique());
    let created = world.wizard(
        &[
            "profile",
            "create",
            &name_1,
            "--platform",
            "generic",
            "--idp",
            "generic",
        ],
        &[],
    );
    let id_1 = created.expect_code(0).stdout_text().trim().to_owned();
    cleanup.profile_ids.push(id_1.clone());
    // Indices in world.runs of the two `token generate` runs (their stdout is the reveal).
    let mut reveals = Vec::new();
    for (kind, name, days) in [
        (CredentialKind::ScimToken, "generated SCIM token", "30"),
        (
            CredentialKind::ClientSecret,
            "generated client secret",
            "90",
        ),
    ] {
        let run = world.wizard(
            &[
                "token",
                "generate",
                "--profile",
                &id_1,
                "--kind",
                kind.as_str(),
                "--lifetime-days",
                days,
            ],
            &[],
        );
        let value = revealed_value(run.expect_code(0));
        let profile = profiles.load(&id_1, Utc::now()).unwrap();
        let stored = keyring
            .get(&account(&id_1, &current_credential(&profile, kind)))
            .unwrap()
            .expect("the generated value in the keyring");
        assert_eq!(stored.expose(), value, "the keyring holds what was shown");
        known.push(Known { name, value });
        reveals.push((world.runs.len() - 1, name));
    }
    let generated_scim = known[known.len() - 2].value.clone();
    cleanup.tokens.push(generated_scim.clone());
    reconfigure(&tokens_file, &[&generated_scim], &[]);
    let check = world.wizard(
        &[
            "check",
            "scim",
            "--profile",
            &id_1,
            "--base-url",
            &scim_base_url,
            "--write-probe",
            "--json",
        ],
        &[],
    );
    let report = check.expect_code(0).json();
    assert_eq!(report["summary"]["fail"], 0, "{report:#}");
    // A client secret pasted in quotes with a line end: cleaned, with warnings on stderr.
    world
        .wizard(
            &[
                "token",
                "import",
                "--profile",
                &id_1,
                "--kind",
                "client-secret",
                "--from-env",
                "SSW_SWEEP_QUOTED",
                "--lifetime-days",
                "45",
            ],
            &[("SSW_SWEEP_QUOTED", &format!("\"{wrong_secret}\"\r\n"))],
        )
        .expect_code(0);

    // --- Tenant 2 (AxonFlow, several tokens at once): imported values, checks, rotation.
    let name_2 = format!("Sweep imported {}", unique());
    let created = world.wizard(
        &[
            "profile",
            "create",
            &name_2,
            "--platform",
            "axonflow",
            "--idp",
            "generic",
            "--json",
        ],
        &[],
    );
    let id_2 = created.expect_code(0).json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    cleanup.profile_ids.push(id_2.clone());
    let pasted_a = format!("  Bearer {token_a}\n");
    world
        .wizard(
            &[
                "token",
                "import",
                "--profile",
                &id_2,
                "--kind",
                "scim-token",
                "--from-env",
                "SSW_SWEEP_SCIM_TOKEN",
                "--lifetime-days",
                "60",
            ],
            &[("SSW_SWEEP_SCIM_TOKEN", &pasted_a)],
        )
        .expect_code(0);
    world
        .wizard(
            &[
                "token",
                "import",
                "--profile",
                &id_2,
                "--kind",
                "client-secret",
                "--from-env",
                "SSW_SWEEP_CLIENT_SECRET",
                "--expires",
                "2099-01-01",
            ],
            &[("SSW_SWEEP_CLIENT_SECRET", &client_secret)],
        )
        .expect_code(0);
    // The admin fills in the SSO and SCIM apps in the window.
    let mut profile = profiles.load(&id_2, Utc::now()).unwrap();
    profile.scim.base_url.clone_from(&scim_base_url);
    profile.sso.issuer.clone_from(&issuer);
    profile.sso.client_id.clone_from(&client_id);
    profile.updated_at = Utc::now();
    profiles.save(&profile).unwrap();
    let token_a_id = current_credential(&profile, CredentialKind::ScimToken);
    let a_in_keyring = keyring.get(&account(&id_2, &token_a_id)).unwrap().unwrap();
    assert_eq!(
        a_in_keyring.expose(),
        token_a,
        "stored without the pasted Bearer prefix and blanks"
    );

    let check = world.wizard(&["check", "scim", "--profile", &id_2, "--json"], &[]);
    assert_eq!(check.expect_code(0).json()["summary"]["fail"], 0);
    world
        .wizard(&["check", "scim", "--profile", &id_2], &[])
        .expect_code(0);
    let refused = world.wizard(
        &[
            "check",
            "scim",
            "--base-url",
            &scim_base_url,
            "--token-env",
            "SSW_SWEEP_REFUSED",
            "--platform",
            "axonflow",
            "--json",
        ],
        &[("SSW_SWEEP_REFUSED", &refused_token)],
    );
    refused.expect_code(1);
    // Token A pasted with quotes and a Bearer prefix: the token format finding describes
    // what is wrong with it, which must not mean quoting it.
    for json in [true, false] {
        let mut args = vec![
            "check",
            "scim",
            "--base-url",
            &scim_base_url,
            "--token-env",
            "SSW_SWEEP_PASTED",
            "--platform",
            "axonflow",
        ];
        if json {
            args.push("--json");
        }
        world
            .wizard(
                &args,
                &[("SSW_SWEEP_PASTED", &format!("\"Bearer {token_a}\"\n"))],
            )
            .expect_checked();
    }
    let oidc_args = |var: &'static str, json: bool| {
        let mut args = vec![
            "check",
            "oidc",
            "--issuer",
            &issuer,
            "--client-id",
            &client_id,
            "--client-secret-env",
            var,
        ];
        if json {
            args.push("--json");
        }
        args.into_iter().map(str::to_owned).collect::<Vec<_>>()
    };
    for (var, value, json, code) in [
        ("SSW_SWEEP_OIDC_SECRET", client_secret.as_str(), true, 0),
        ("SSW_SWEEP_OIDC_SECRET", client_secret.as_str(), false, 0),
        ("SSW_SWEEP_WRONG_SECRET", wrong_secret.as_str(), true, 1),
        ("SSW_SWEEP_WRONG_SECRET", wrong_secret.as_str(), false, 1),
    ] {
        let args = oidc_args(var, json);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        world.wizard(&args, &[(var, value)]).expect_code(code);
    }
    // The client secret pasted with blanks around it.
    for json in [true, false] {
        let args = oidc_args("SSW_SWEEP_PADDED_SECRET", json);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        world
            .wizard(
                &args,
                &[("SSW_SWEEP_PADDED_SECRET", &format!(" {client_secret}\n"))],
            )
            .expect_checked();
    }

    // What the Test SSO and Test SCIM steps of the window do: run the checks with the
    // stored secrets and keep the reports in the profile.
    let mut reports: Vec<(String, Report)> = Vec::new();
    let secret_id = current_credential(&profile, CredentialKind::ClientSecret);
    let stored_secret = keyring.get(&account(&id_2, &secret_id)).unwrap().unwrap();
    let oidc_input = oidc::OidcInput {
        issuer: issuer.clone(),
        client_id: Some(client_id.clone()),
        client_secret: Some(stored_secret),
        redirect_uri: None,
        extra_scopes: Vec::new(),
        allowed_origins: Vec::new(),
    };
    let oidc_report = rt.block_on(oidc::check(&oidc_input, Policy::default(), &|_| {}));
    assert_eq!(
        status_of(&oidc_report, "oidc.client_auth"),
        Status::Pass,
        "{}",
        oidc_report.to_text()
    );
    profile.last_oidc_report = Some(StoredReport {
        checked_at: Utc::now(),
        report: oidc_report.clone(),
    });
    reports.push(("in-process OIDC check".into(), oidc_report));
    let scim_report = scim_check(&rt, &profile, a_in_keyring);
    assert_eq!(status_of(&scim_report, "scim.auth"), Status::Pass);
    profile.last_scim_report = Some(StoredReport {
        checked_at: Utc::now(),
        report: scim_report.clone(),
    });
    reports.push(("in-process SCIM check with A".into(), scim_report));
    profiles.save(&profile).unwrap();

    // --- Rotation A → B, as tests/rotation.rs drives it, saved after every step.
    rotation::begin(
        &mut profile,
        sso_scim_wizard::catalog::catalog(),
        &token_a_id,
        RotationReason::Expiring,
        Utc::now(),
    )
    .unwrap();
    profiles.save(&profile).unwrap();
    act(&mut profile, &profiles, RotationAction::Advance);
    assert_eq!(
        profile.rotation.as_ref().unwrap().step,
        RotationStep::Create
    );
    let state = profile.rotation.clone().unwrap();
    let secret_b = Secret::new(token_b.clone());
    let meta = effects::pending_meta(
        &profile,
        &state,
        &secret_b,
        CredentialOrigin::Imported,
        None,
        Utc::now(),
    )
    .unwrap();
    effects::store_pending(&keyring, &profile.id, &meta, &secret_b).unwrap();
    let pending_id = meta.id.clone();
    assert_eq!(
        effects::record_pending(&mut profile, meta, Utc::now()).unwrap(),
        None
    );
    profiles.save(&profile).unwrap();
    act(&mut profile, &profiles, RotationAction::Advance);
    act(&mut profile, &profiles, RotationAction::Advance);
    assert_eq!(profile.rotation.as_ref().unwrap().step, RotationStep::Test);
    // The platform accepts A and B now; test B as read back from the keyring.
    reconfigure(&tokens_file, &[&token_b], &[]);
    let state = profile.rotation.clone().unwrap();
    let pending = effects::pending_secret(&keyring, &profile.id, &state).unwrap();
    let report = scim_check(&rt, &profile, pending.clone());
    let passed = rotation::credential_test_passed(CredentialKind::ScimToken, &report);
    assert!(passed, "{}", report.to_text());
    profile.last_scim_report = Some(StoredReport {
        checked_at: Utc::now(),
        report: report.clone(),
    });
    reports.push(("rotation test of B".into(), report));
    act(
        &mut profile,
        &profiles,
        RotationAction::TestResult { passed },
    );
    act(&mut profile, &profiles, RotationAction::Advance);
    assert_eq!(
        profile.rotation.as_ref().unwrap().step,
        RotationStep::ConfirmEvent
    );
    // A real provisioning event with B, found over SCIM with B.
    let user_name = format!("sweep-{}@rotation.example.com", unique());
    let client = Client::new(Policy::default()).unwrap();
    let users =
        sso_scim_wizard::probes::http::parse_url(&format!("{scim_base_url}/Users")).unwrap();
    let body = serde_json::json!({
        "schemas": [scim::USER_SCHEMA],
        "userName": user_name,
        "active": true,
        "emails": [{"value": user_name, "primary": true}],
    });
    let request = Request::with_json(reqwest::Method::POST, users, &body, scim::SCIM_MEDIA_TYPE)
        .bearer(pending.clone());
    let response = rt.block_on(client.send(request)).unwrap();
    assert_eq!(response.status.as_u16(), 201);
    let user_id = response.json().unwrap()["id"].as_str().unwrap().to_owned();
    let found = rt
        .block_on(effects::find_user(
            &scim_base_url,
            pending.clone(),
            &user_name,
            Policy::default(),
        ))
        .unwrap();
    let Lookup::Found {
        user_name: found_name,
        ..
    } = found
    else {
        panic!("the provisioned user was not found: {found:?}");
    };
    act(
        &mut profile,
        &profiles,
        RotationAction::ConfirmEvent(EventConfirmation::ScimLookup {
            user_name: found_name,
        }),
    );
    act(&mut profile, &profiles, RotationAction::Advance);
    assert_eq!(
        profile.rotation.as_ref().unwrap().step,
        RotationStep::Revoke
    );
    reconfigure(&tokens_file, &[], &[&token_a]);
    effects::revoke(&mut profile, &keyring, Utc::now()).unwrap();
    profiles.save(&profile).unwrap();
    assert!(profile.rotation.is_none());
    assert_eq!(
        profile.scim.token_credential.as_deref(),
        Some(pending_id.as_str())
    );
    assert!(
        keyring.get(&account(&id_2, &token_a_id)).unwrap().is_none(),
        "A left the keyring"
    );
    let mut delete = Request::get(
        sso_scim_wizard::probes::http::parse_url(&format!("{scim_base_url}/Users/{user_id}"))
            .unwrap(),
    )
    .bearer(pending);
    delete.method = reqwest::Method::DELETE;
    let _ = rt.block_on(client.send(delete));

    // --- After the rotation: B from the keyring, then every export.
    world
        .wizard(
            &[
                "check",
                "scim",
                "--profile",
                &id_2,
                "--write-probe",
                "--json",
            ],
            &[],
        )
        .expect_code(0);
    world.wizard(&["expiry", "--json"], &[]).expect_code(0);
    world.wizard(&["expiry"], &[]).expect_code(0);
    // The window too: it reads the stored secrets at start (Credentials shows presence).
    if support::peer("DISPLAY").is_some() {
        world.window(&id_2, "credentials");
    }
    let exports = world.exports();
    let checklist_md = exports.join("checklist.md");
    let checklist_html = exports.join("checklist.html");
    let bundle_file = exports.join("bundle.json");
    for (format, path) in [("md", &checklist_md), ("html", &checklist_html)] {
        world
            .wizard(
                &[
                    "checklist",
                    "--profile",
                    &id_2,
                    "--format",
                    format,
                    "--out",
                    path.to_str().unwrap(),
                ],
                &[],
            )
            .expect_code(0);
    }
    world
        .wizard(&["checklist", "--profile", &id_1], &[])
        .expect_code(0);
    world
        .wizard(
            &[
                "bundle",
                "--profile",
                &id_2,
                "--out",
                bundle_file.to_str().unwrap(),
                "--note",
                "SCIM stopped after the token rotation",
            ],
            &[],
        )
        .expect_code(0);
    world
        .wizard(&["bundle", "--profile", &id_1, "--out", "-"], &[])
        .expect_code(0);
    world
        .wizard(&["profile", "show", &id_2, "--json"], &[])
        .expect_code(0);
    world
        .wizard(&["profile", "show", &id_1], &[])
        .expect_code(0);
    world
        .wizard(&["profile", "list", "--json"], &[])
        .expect_code(0);
    // The window's calendar export, from the same metadata.
    let listing = profiles.list(Utc::now()).unwrap();
    let calendar = sso_scim_wizard::export::ics::calendar(
        &sso_scim_wizard::expiry::due_list(&listing.profiles),
        Utc::now(),
    );
    std::fs::write(exports.join("credential-expiry.ics"), &calendar).unwrap();

    // --- The sweep.
    let search = Search::new(&known, &client_id);
    let mut haystacks: Vec<Haystack> = Vec::new();
    let files = files_under(world.root.path());
    for file in &files {
        haystacks.push(Haystack {
            what: format!("file {}", file.display()),
            bytes: std::fs::read(file).unwrap(),
        });
    }
    let file_count = haystacks.len();
    let file_bytes: usize = haystacks.iter().map(|h| h.bytes.len()).sum();
    let mut stream_bytes = 0;
    let mut cmdline_count = 0;
    for (index, run) in world.runs.iter().enumerate() {
        if let Some(&(_, name)) = reveals.iter().find(|(reveal, _)| *reveal == index) {
            // The one documented place: `token generate` prints the value once on stdout,
            // and nothing else (checked by revealed_value). The search must find it there,
            // raw, at the start: a real output that proves the stream search works.
            assert_eq!(
                search.find(&run.stdout),
                Some((name, "raw".to_owned(), 0)),
                "{}",
                run.label
            );
        } else {
            stream_bytes += run.stdout.len();
            haystacks.push(Haystack {
                what: format!("stdout of {}", run.label),
                bytes: run.stdout.clone(),
            });
        }
        stream_bytes += run.stderr.len();
        haystacks.push(Haystack {
            what: format!("stderr of {}", run.label),
            bytes: run.stderr.clone(),
        });
        for cmdline in &run.cmdlines {
            cmdline_count += 1;
            haystacks.push(Haystack {
                what: format!("/proc/<pid>/cmdline of {}", run.label),
                bytes: cmdline.clone(),
            });
        }
    }
    haystacks.push(Haystack {
        what: "/proc/self/cmdline (the in-process rotation)".into(),
        bytes: std::fs::read("/proc/self/cmdline").unwrap(),
    });
    for (what, report) in &reports {
        haystacks.push(Haystack {
            what: format!("{what} (JSON)"),
            bytes: report.to_json().into_bytes(),
        });
        haystacks.push(Haystack {
            what: format!("{what} (text)"),
            bytes: report.to_text().into_bytes(),
        });
    }
    let hits: Vec<String> = haystacks
        .iter()
        .filter_map(|haystack| {
            search.find(&haystack.bytes).map(|(secret, form, offset)| {
                // The bytes around the hit, with the hit itself masked: enough to see what
                // the app wrote there, nothing of the secret.
                let start = offset.saturating_sub(24);
                let end = (offset + 32).min(haystack.bytes.len());
                let before = String::from_utf8_lossy(&haystack.bytes[start..offset]);
                let after = String::from_utf8_lossy(&haystack.bytes[(offset + 8).min(end)..end]);
                format!(
                    "{secret} ({form}) at byte {offset} of {}: …{before}[8+ bytes]{after}…",
                    haystack.what
                )
            })
        })
        .collect();

    let mut by_dir: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for file in &files {
        let dir = file
            .parent()
            .unwrap()
            .strip_prefix(world.root.path())
            .unwrap()
            .display()
            .to_string();
        let entry = by_dir.entry(dir).or_default();
        entry.0 += 1;
        entry.1 += usize::try_from(std::fs::metadata(file).unwrap().len()).unwrap();
    }
    println!(
        "secret sweep: {} known secrets in {} forms ({} windows of {WINDOW}+ bytes)",
        known.len(),
        search.needles,
        search.window_count()
    );
    println!(
        "  {file_count} files, {file_bytes} bytes; {} processes: {stream_bytes} bytes of stdout/stderr, \
         {cmdline_count} command lines; {} in-process reports; {} haystacks in all; {:.1} s",
        world.runs.len(),
        reports.len(),
        haystacks.len(),
        started.elapsed().as_secs_f64()
    );
    for (dir, (count, bytes)) in &by_dir {
        println!("    {dir}/: {count} files, {bytes} bytes");
    }
    for run in &world.runs {
        println!(
            "    exit {:?}, {} + {} bytes out/err, {} command line(s) read: {}",
            run.code.unwrap_or(-1),
            run.stdout.len(),
            run.stderr.len(),
            run.cmdlines.len(),
            run.label
        );
    }
    assert!(hits.is_empty(), "secret values found:\n{}", hits.join("\n"));
    assert!(
        world.runs.iter().any(|run| run.cmdline_from_proc),
        "no command line was ever read from /proc while the binary ran: the sweep of command lines is not working"
    );

    // The profiles are readable by this user only (issue #16 item 8): config dir and
    // profiles/ 0700, every file in them 0600.
    {
        use std::os::unix::fs::PermissionsExt as _;
        let config_dir = config_profiles.parent().unwrap();
        let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        let mut loose: Vec<String> = Vec::new();
        for dir in [config_dir, config_profiles.as_path()] {
            if mode(dir) != 0o700 {
                loose.push(format!("{:o} {}", mode(dir), dir.display()));
            }
        }
        for file in files_under(config_dir) {
            if mode(&file) != 0o600 {
                loose.push(format!("{:o} {}", mode(&file), file.display()));
            }
        }
        assert!(
            loose.is_empty(),
            "readable by others:\n{}",
            loose.join("\n")
        );
    }

    // Not a vacuous sweep: the files that should exist do, with content, and the profiles
    // searched are the ones holding these credentials (their last four are there).
    for path in [&checklist_md, &checklist_html, &bundle_file] {
        assert!(
            std::fs::metadata(path).unwrap().len() > 500,
            "{} is missing or nearly empty",
            path.display()
        );
    }
    let bundle: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&bundle_file).unwrap()).unwrap();
    assert!(bundle.is_object());
    assert!(calendar.contains("BEGIN:VEVENT"));
    let profile_1 = std::fs::read_to_string(profiles.path_of(&id_1)).unwrap();
    let profile_2 = std::fs::read_to_string(profiles.path_of(&id_2)).unwrap();
    for secret in &known[known.len() - 2..] {
        let last4 = &secret.value[secret.value.len() - 4..];
        assert!(profile_1.contains(last4), "{}: {last4}", secret.name);
    }
    assert!(profile_2.contains(&token_b[token_b.len() - 4..]));
    assert!(profile_2.contains("last_scim_report") && profile_2.contains("history"));
    // Two profiles and four exports at least.
    assert!(file_count >= 6, "{file_count} files");
    assert!(world.runs.len() >= 25, "{} runs", world.runs.len());
    assert!(file_bytes + stream_bytes > 50_000);

    // The search finds what it looks for: plant a base64 copy of one secret deep in the
    // cache dir and a fragment of another in a config file, search the tree again.
    let planted_dir = world.root.path().join("home/.cache/planted/deeper");
    std::fs::create_dir_all(&planted_dir).unwrap();
    let planted_b64 = planted_dir.join("log.txt");
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("x:{token_b}"));
    std::fs::write(&planted_b64, format!("Authorization: Basic {encoded}\n")).unwrap();
    let planted_fragment = config_profiles.join(".planted.json.tmp-1-1");
    std::fs::write(
        &planted_fragment,
        format!("{{\"note\": \"{}…\"}}", &generated_scim[..20]),
    )
    .unwrap();
    let mut planted_hits: Vec<(PathBuf, &'static str)> = files_under(world.root.path())
        .into_iter()
        .filter_map(|file| {
            search
                .find(&std::fs::read(&file).unwrap())
                .map(|(secret, _, _)| (file, secret))
        })
        .collect();
    planted_hits.sort();
    let mut planted = vec![
        (planted_b64.clone(), "SCIM token B (rotated in)"),
        (planted_fragment.clone(), "generated SCIM token"),
    ];
    planted.sort();
    assert_eq!(
        planted_hits, planted,
        "the self-check must find exactly the planted values"
    );
    let mut leaked_stream = b"error: invalid_client for ".to_vec();
    leaked_stream.extend(hex(&client_secret).to_uppercase().bytes());
    assert_eq!(
        search
            .find(&leaked_stream)
            .map(|(secret, form, _)| (secret, form)),
        Some(("OIDC client secret (imported)", "HEX".to_owned()))
    );
    std::fs::remove_file(planted_b64).unwrap();
    std::fs::remove_file(planted_fragment).unwrap();

    let ours = cleanup.profile_ids.clone();
    drop(cleanup);
    let left: Vec<String> = keyring
        .accounts()
        .unwrap()
        .into_iter()
        .filter(|account| ours.iter().any(|id| account.starts_with(&format!("{id}/"))))
        .collect();
    assert_eq!(
        left,
        Vec::<String>::new(),
        "the sweep's secrets left the keyring"
    );
}

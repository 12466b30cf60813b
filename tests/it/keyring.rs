//! The OS keyring store against a real Secret Service (gnome-keyring in `dbus-run-session`,
//! started and unlocked by `scripts/test`, which sets `SSW_KEYRING=1`), and the promise
//! that a full generate / import / check run leaves no secret in any file or output.
//!
//! Run alone:
//! `dbus-run-session -- sh -c 'echo -n pw | gnome-keyring-daemon --unlock --components=secrets; SSW_KEYRING=1 cargo nextest run -j2 --test keyring'`

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed call is a failed test"
)]

use crate::support;

use std::path::Path;
use std::process::{Command, Output};
use std::time::Instant;

use sso_scim_wizard::secrets::{
    KeyringStore, SERVICE, Secret, SecretStore as _, account, generate_token,
};

/// A profile id no other test (or person) uses.
fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{prefix}-{}-{nanos:x}", std::process::id())
}

/// What `secret-tool` (libsecret, not our code) finds under our service for `account`.
fn secret_tool_lookup(account: &str) -> Option<String> {
    let output = Command::new("secret-tool")
        .args(["lookup", "service", SERVICE, "username", account])
        .output()
        .expect("secret-tool from libsecret-tools");
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

fn secret_tool_search_all() -> String {
    let output = Command::new("secret-tool")
        .args(["search", "--all", "service", SERVICE])
        .output()
        .expect("secret-tool from libsecret-tools");
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn store_read_back_find_with_secret_tool_and_delete() {
    if !support::require_keyring() {
        return;
    }
    let started = Instant::now();
    let store = KeyringStore::open().expect("an unlocked Secret Service");
    eprintln!("keyring open: {:?}", started.elapsed());
    let account = account(&unique("ssw-test"), "scim-token-000001");
    let secret = generate_token().unwrap();

    store.put(&account, &secret).unwrap();
    assert_eq!(store.get(&account).unwrap(), Some(secret.clone()));
    assert_eq!(
        secret_tool_lookup(&account).as_deref(),
        Some(secret.expose()),
        "stored under service {SERVICE}, account {account}"
    );
    let listed = secret_tool_search_all();
    assert!(listed.contains(&account));
    // The desktop's password manager shows what it is and whose (issue #14).
    assert!(
        listed.contains("label = sso-scim-wizard: SCIM token of tenant ssw-test"),
        "{listed}"
    );
    assert!(store.accounts().unwrap().contains(&account));

    // Replacing keeps one entry with the new value.
    let newer = Secret::new("replacement-value-0001");
    store.put(&account, &newer).unwrap();
    assert_eq!(store.get(&account).unwrap(), Some(newer));

    store.delete(&account).unwrap();
    assert_eq!(store.get(&account).unwrap(), None);
    assert_eq!(secret_tool_lookup(&account), None);
    // Deleting what is not there is fine.
    store.delete(&account).unwrap();
}

#[test]
fn session_only_values_are_read_but_never_reach_the_keyring() {
    if !support::require_keyring() {
        return;
    }
    let store = KeyringStore::open().unwrap();
    let account = account(&unique("ssw-test"), "client-secret-000002");
    let secret = Secret::new("kept-in-memory-only-0002");
    store.put_session_only(&account, &secret).unwrap();
    assert_eq!(store.get(&account).unwrap(), Some(secret));
    assert_eq!(secret_tool_lookup(&account), None);
    store.delete(&account).unwrap();
    assert_eq!(store.get(&account).unwrap(), None);
}

fn wizard(config: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sso-scim-wizard"))
        .args(args)
        .env("SSO_SCIM_WIZARD_CONFIG_DIR", config)
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
#[expect(
    clippy::too_many_lines,
    reason = "one full generate / import / check run, then every place a secret could leak"
)]
fn generate_import_and_check_leave_no_secret_in_files_or_output() {
    if !support::require_keyring() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path();
    let created = wizard(
        config,
        &[
            "profile",
            "create",
            "Keyring test",
            "--platform",
            "generic",
            "--idp",
            "generic",
        ],
        &[],
    );
    assert!(created.status.success(), "{}", text(&created.stderr));
    let profile_id = text(&created.stdout).trim().to_owned();

    // token generate: the value on stdout, one line, nothing else there.
    let generated = wizard(
        config,
        &[
            "token",
            "generate",
            "--profile",
            &profile_id,
            "--kind",
            "client-secret",
            "--lifetime-days",
            "90",
        ],
        &[],
    );
    assert!(generated.status.success(), "{}", text(&generated.stderr));
    let stdout = text(&generated.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{stdout:?}");
    let client_secret = lines[0].to_owned();
    assert_eq!(client_secret.len(), 43);
    assert!(!text(&generated.stderr).contains(&client_secret));
    assert!(
        text(&generated.stderr).contains(&client_secret[39..]),
        "the last four are named"
    );

    // token import from an environment variable: the SCIM peer's real token when it runs.
    let scim_base_url = support::peer("SSW_SCIM_BASE_URL");
    let scim_token = match &scim_base_url {
        Some(_) => support::peer("SSW_SCIM_TOKEN").unwrap(),
        None => format!("imported-scim-token-{}", unique("value")),
    };
    let imported = wizard(
        config,
        &[
            "token",
            "import",
            "--profile",
            &profile_id,
            "--kind",
            "scim-token",
            "--from-env",
            "SSW_TEST_IMPORT",
        ],
        &[("SSW_TEST_IMPORT", &format!("  Bearer {scim_token}\n"))],
    );
    assert!(imported.status.success(), "{}", text(&imported.stderr));
    assert!(imported.stdout.is_empty(), "{}", text(&imported.stdout));
    let import_err = text(&imported.stderr);
    assert!(
        import_err.contains("Bearer"),
        "the pasted prefix is flagged: {import_err}"
    );
    assert!(!import_err.contains(&scim_token));

    // Both are in the keyring under <profile>/<credential>, as libsecret sees them.
    let show = wizard(config, &["profile", "show", &profile_id, "--json"], &[]);
    let profile: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    let credentials = profile["credentials"].as_array().unwrap();
    assert_eq!(credentials.len(), 2);
    let mut values = Vec::new();
    for credential in credentials {
        let account = account(&profile_id, credential["id"].as_str().unwrap());
        let found = secret_tool_lookup(&account).expect("in the keyring");
        values.push(found);
    }
    assert!(values.contains(&client_secret));
    assert!(
        values.contains(&scim_token),
        "stored without the Bearer prefix"
    );

    // A check that reads the token from the keyring.
    let mut outputs = vec![generated, imported, show];
    if let Some(base_url) = &scim_base_url {
        let check = wizard(
            config,
            &[
                "check",
                "scim",
                "--profile",
                &profile_id,
                "--base-url",
                base_url,
                "--json",
            ],
            &[],
        );
        let report: serde_json::Value = serde_json::from_slice(&check.stdout)
            .unwrap_or_else(|err| panic!("{err}: {}{}", text(&check.stdout), text(&check.stderr)));
        assert_eq!(report["summary"]["fail"], 0, "{report:#}");
        outputs.push(check);
    }
    outputs.push(wizard(config, &["expiry", "--json"], &[]));
    outputs.push(wizard(config, &["profile", "list", "--json"], &[]));
    outputs.push(wizard(config, &["expiry"], &[]));

    // No secret in any output but `token generate`'s one line, nor in any file.
    for (index, output) in outputs.iter().enumerate() {
        let stdout = text(&output.stdout);
        let stderr = text(&output.stderr);
        if index != 0 {
            assert!(!stdout.contains(&client_secret), "output {index}: {stdout}");
        }
        assert!(!stderr.contains(&client_secret), "output {index}: {stderr}");
        assert!(!stdout.contains(&scim_token), "output {index}: {stdout}");
        assert!(!stderr.contains(&scim_token), "output {index}: {stderr}");
    }
    let files = files_under(config);
    assert!(!files.is_empty());
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        let content = String::from_utf8_lossy(&bytes);
        assert!(!content.contains(&client_secret), "{}", file.display());
        assert!(!content.contains(&scim_token), "{}", file.display());
    }

    let store = KeyringStore::open().unwrap();
    for credential in credentials {
        store
            .delete(&account(&profile_id, credential["id"].as_str().unwrap()))
            .unwrap();
    }
}

#[test]
fn without_a_session_bus_token_commands_exit_2_saying_what_to_install() {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path();
    let created = wizard(
        config,
        &[
            "profile",
            "create",
            "No keyring",
            "--platform",
            "generic",
            "--idp",
            "generic",
        ],
        &[],
    );
    let profile_id = text(&created.stdout).trim().to_owned();
    let no_bus = [
        (
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/ssw-no-bus",
        ),
        ("XDG_RUNTIME_DIR", "/nonexistent/ssw-no-runtime-dir"),
    ];
    let generated = wizard(
        config,
        &[
            "token",
            "generate",
            "--profile",
            &profile_id,
            "--kind",
            "scim-token",
        ],
        &no_bus,
    );
    assert_eq!(generated.status.code(), Some(2));
    assert!(
        generated.stdout.is_empty(),
        "no secret printed without a keyring"
    );
    let stderr = text(&generated.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("error: no keyring is available"),
        "{stderr}"
    );
    assert!(
        stderr.contains("gnome-keyring") && stderr.contains("KeePassXC"),
        "{stderr}"
    );

    let imported = wizard(
        config,
        &[
            "token",
            "import",
            "--profile",
            &profile_id,
            "--kind",
            "scim-token",
            "--from-env",
            "SSW_X",
        ],
        &[no_bus[0], no_bus[1], ("SSW_X", "some-token-value")],
    );
    assert_eq!(imported.status.code(), Some(2));
    assert!(text(&imported.stderr).contains("no keyring is available"));
    let show = wizard(config, &["profile", "show", &profile_id, "--json"], &[]);
    let profile: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    assert_eq!(
        profile["credentials"],
        serde_json::json!([]),
        "nothing half-stored"
    );
}

#[test]
fn a_platform_that_issues_its_own_tokens_refuses_generate() {
    let tmp = tempfile::tempdir().unwrap();
    let created = wizard(
        tmp.path(),
        &[
            "profile",
            "create",
            "Airia tenant",
            "--platform",
            "airia",
            "--idp",
            "entra",
        ],
        &[],
    );
    let profile_id = text(&created.stdout).trim().to_owned();
    let generated = wizard(
        tmp.path(),
        &[
            "token",
            "generate",
            "--profile",
            &profile_id,
            "--kind",
            "scim-token",
        ],
        &[],
    );
    assert_eq!(generated.status.code(), Some(2));
    assert!(generated.stdout.is_empty());
    let stderr = text(&generated.stderr);
    assert!(
        stderr.contains("Airia creates SCIM tokens itself"),
        "{stderr}"
    );
    assert!(stderr.contains("token import"), "{stderr}");
}

/// Issue #14: importing a second SCIM token made it the one in use, and Test SCIM then
/// failed with 401. Adding never switches; `--use` does, explicitly.
#[test]
fn importing_a_second_token_keeps_the_first_in_use_until_use_is_given() {
    if !support::require_keyring() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path();
    let created = wizard(
        config,
        &[
            "profile",
            "create",
            "In use test",
            "--platform",
            "generic",
            "--idp",
            "generic",
        ],
        &[],
    );
    assert!(created.status.success(), "{}", text(&created.stderr));
    let profile_id = text(&created.stdout).trim().to_owned();
    let import = |value: &str, extra: &[&str]| {
        let mut args = vec![
            "token",
            "import",
            "--profile",
            &profile_id,
            "--kind",
            "scim-token",
            "--from-env",
            "SSW_TEST_IMPORT",
        ];
        args.extend_from_slice(extra);
        let out = wizard(config, &args, &[("SSW_TEST_IMPORT", value)]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stderr)
    };
    let in_use = || {
        let show = wizard(config, &["profile", "show", &profile_id, "--json"], &[]);
        let profile: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
        let id = profile["scim"]["token_credential"]
            .as_str()
            .unwrap()
            .to_owned();
        let last4 = profile["credentials"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id.as_str())
            .unwrap()["last4"]
            .as_str()
            .unwrap()
            .to_owned();
        (id, last4)
    };

    let first = import("first-working-token-aaaa", &[]);
    assert!(first.contains("The SCIM app uses it"), "{first}");
    assert_eq!(in_use().1, "aaaa");

    let second = import("second-new-token-bbbb", &[]);
    assert!(second.contains("Not in use"), "{second}");
    assert!(second.contains("--use"), "{second}");
    assert_eq!(in_use().1, "aaaa", "adding kept the working token in use");

    let third = import("third-chosen-token-cccc", &["--use"]);
    assert!(third.contains("uses it now instead of"), "{third}");
    assert_eq!(in_use().1, "cccc");

    let show = wizard(config, &["profile", "show", &profile_id, "--json"], &[]);
    let profile: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    let store = KeyringStore::open().unwrap();
    for credential in profile["credentials"].as_array().unwrap() {
        store
            .delete(&account(&profile_id, credential["id"].as_str().unwrap()))
            .unwrap();
    }
}

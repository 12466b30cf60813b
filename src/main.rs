//! `sso-scim-wizard`: opens the wizard window, or runs a command-line check.

// Windows release builds are GUI-subsystem programs: started from the Start menu they open
// no console window. The trade-off for the command line is in README.md ("Install").
#![cfg_attr(all(windows, not(debug_assertions)), windows_subsystem = "windows")]

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser as _;
use sso_scim_wizard::cli::{self, Cli, Command, GuiArgs};

fn main() -> ExitCode {
    // Before anything can hold a secret. Failing to is not worth refusing to run.
    if let Err(err) = sso_scim_wizard::secrets::disable_core_dumps() {
        let _ = writeln!(
            std::io::stderr(),
            "note: core dumps could not be turned off ({err})"
        );
    }
    init_logging();
    let cli = Cli::parse();
    match cli.command {
        None => gui(GuiArgs::default()),
        Some(Command::Gui(args)) => gui(args),
        Some(command) => cli::run(command),
    }
}

#[cfg(feature = "gui")]
fn gui(args: GuiArgs) -> ExitCode {
    use sso_scim_wizard::secrets::open_default_store;
    use sso_scim_wizard::storage::ProfileStore;
    use sso_scim_wizard::ui::{self, Launch};

    let store = match ProfileStore::from_env() {
        Ok(store) => store,
        Err(err) => return fail(&err),
    };
    // The OS keyring, or memory for this session with a note saying why. Returns at once:
    // the keyring finishes opening in the background while the window comes up.
    let (secrets, secrets_note) = open_default_store();
    let launch = Launch {
        profile_id: args.profile,
        step: args.step,
    };
    match ui::run(store, secrets, secrets_note, &launch) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => fail(&*err),
    }
}

/// Logging is off unless `RUST_LOG` asks for it: `RUST_LOG=sso_scim_wizard=debug` for a
/// support case (the app's own lines: requests by origin and path, checks, storage), plain
/// `RUST_LOG=debug` adds eframe's, winit's and the HTTP stack's. Lines go to stderr, never
/// into `--json` output; no line holds a secret (tests/it/logging.rs).
fn init_logging() {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("off")).init();
    log::debug!(
        "sso-scim-wizard {} on {} ({})",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS,
        std::env::consts::ARCH
    );
}

/// The command-line-only build (`--no-default-features`) has no window to open.
#[cfg(not(feature = "gui"))]
fn gui(_args: GuiArgs) -> ExitCode {
    fail(
        &"this build of sso-scim-wizard has no window (built without the `gui` feature); \
           use its commands instead: sso-scim-wizard --help",
    )
}

fn fail(err: &dyn std::fmt::Display) -> ExitCode {
    let message = sso_scim_wizard::diagnostics::text::printable_lines(&format!("{err:#}"));
    let _ = writeln!(std::io::stderr(), "error: {message}");
    ExitCode::from(2)
}

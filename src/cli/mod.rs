//! The command-line face: clap commands that call the same core as the window and print
//! text or `--json`. Exit codes (DESIGN.md): 0 nothing failed, 1 a check failed (or, for
//! `expiry`, a credential is critical or expired), 2 bad usage or configuration.

pub mod bundle;
pub mod check_oidc;
pub mod check_profile;
pub mod check_saml;
pub mod check_scim;
pub mod checklist;
pub mod expiry;
pub mod explain;
mod profile;
pub mod token;

use std::io::Write as _;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::storage::ProfileStore;

/// Command-line arguments.
#[derive(Debug, Parser)]
#[command(
    name = "sso-scim-wizard",
    version,
    about = "Connect a SaaS tenant to your identity provider: OIDC single sign-on, SCIM provisioning, credentials and their expiry",
    long_about = "Without a subcommand, opens the wizard window.\n\nSecrets are never taken as arguments (other users can read the process list): pass them through an environment variable or the OS keyring."
)]
pub struct Cli {
    /// What to do; the wizard window when absent.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the wizard window (the default).
    Gui(GuiArgs),
    /// List, show or create tenant profiles.
    #[command(subcommand)]
    Profile(profile::ProfileCommand),
    /// Test a live endpoint: `check oidc`, `check scim`, or a stored tenant: `check profile`.
    #[command(subcommand)]
    Check(CheckCommand),
    /// Print or save the offline checklist of a profile or a platform and IdP.
    Checklist(checklist::ChecklistArgs),
    /// Look up an error code or message (AADSTS50105, 401, uniqueness…).
    Explain(explain::ExplainArgs),
    /// Write a redacted support bundle (JSON) for a profile.
    Bundle(bundle::BundleArgs),
    /// Generate or import a SCIM token or client secret (stored in the OS keyring).
    #[command(subcommand)]
    Token(token::TokenCommand),
    /// List every credential of every profile, most urgent first; exit 1 when one is
    /// expired or has under 7 days left.
    Expiry(expiry::ExpiryArgs),
}

/// What `check` tests.
#[derive(Debug, Subcommand)]
pub enum CheckCommand {
    /// Test an OpenID Connect issuer: discovery, signing keys, and the client secret.
    Oidc(check_oidc::CheckOidcArgs),
    /// Test a SCIM endpoint the way an identity provider uses it.
    Scim(check_scim::CheckScimArgs),
    /// Test an identity provider's SAML metadata: entity id, sign-in endpoints, signing
    /// certificates and their expiry.
    Saml(check_saml::CheckSamlArgs),
    /// Test both halves of a stored tenant (or of every tenant with --all) from its
    /// profile and keyring secrets, as the window's test steps do.
    Profile(check_profile::CheckProfileArgs),
}

/// Options of `gui`.
#[derive(Debug, Default, Args)]
pub struct GuiArgs {
    /// Open this tenant profile at start.
    #[arg(long, value_name = "ID")]
    pub profile: Option<String>,
    /// Show this step at start: tenant, sso-app, test-sso, scim-app, test-scim, credentials, review.
    #[arg(long, value_name = "STEP", value_parser = parse_step)]
    pub step: Option<crate::wizard::StepId>,
}

fn parse_step(text: &str) -> Result<crate::wizard::StepId, String> {
    crate::wizard::StepId::from_slug(text).ok_or_else(|| {
        let names: Vec<&str> = crate::wizard::StepId::ALL
            .iter()
            .map(|s| s.slug())
            .collect();
        format!(
            "unknown step {text:?}; expected one of: {}",
            names.join(", ")
        )
    })
}

/// A failure the CLI reports with exit code 2 and one line on stderr.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Runs a non-GUI command. `Ok(code)` is the exit code; `Err` means bad usage or
/// configuration (exit 2).
pub fn run(command: Command) -> ExitCode {
    let result = match command {
        Command::Gui(_) => Err(anyhow::anyhow!("the gui command is handled by main")),
        Command::Profile(command) => profile::run(command),
        Command::Check(CheckCommand::Oidc(args)) => check_oidc::run(&args),
        Command::Check(CheckCommand::Scim(args)) => check_scim::run(&args),
        Command::Check(CheckCommand::Profile(args)) => check_profile::run(&args),
        Command::Check(CheckCommand::Saml(args)) => check_saml::run(&args),
        Command::Checklist(args) => checklist::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::Bundle(args) => bundle::run(&args),
        Command::Token(command) => token::run(&command),
        Command::Expiry(args) => expiry::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            // Errors can quote a server or a file: printable, like text reports.
            let message = crate::diagnostics::text::printable_lines(&format!("{err:#}"));
            let _ = writeln!(std::io::stderr(), "error: {message}");
            ExitCode::from(2)
        }
    }
}

/// The profile store from the environment, as a usage error when there is none.
pub(crate) fn store() -> anyhow::Result<ProfileStore> {
    let store = ProfileStore::from_env()?;
    if let Some(note) = store.repair_permissions() {
        let _ = writeln!(std::io::stderr(), "note: {note}");
    }
    Ok(store)
}

/// Runs one check suite to its report on a current-thread runtime, prints it as text or
/// JSON, and gives the exit code: 1 when a check failed, 0 when none did. What `check oidc`,
/// `check scim` and `check saml` share; `Err` only when the runtime cannot start (exit 2).
pub(crate) fn run_report(
    check: impl Future<Output = crate::diagnostics::Report>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    use anyhow::Context as _;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("could not start the network runtime")?;
    #[expect(
        clippy::disallowed_methods,
        reason = "the command line has no frame to block; it waits for the report"
    )]
    let report = runtime.block_on(check);
    out(&if json {
        report.to_json()
    } else {
        report.to_text()
    });
    Ok(if report.has_failures() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Writes a line to stdout; a closed pipe (`| head`) is not an error worth a panic.
pub(crate) fn out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    if !text.ends_with('\n') {
        let _ = stdout.write_all(b"\n");
    }
}

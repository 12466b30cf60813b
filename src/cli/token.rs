//! `token generate` and `token import`: add a SCIM token or client secret to a profile,
//! with the value in the OS keyring and only metadata in the profile.
//!
//! `token generate` prints the new value once on stdout and nothing else there; everything
//! else goes to stderr. `token import` reads the value from an environment variable, never
//! from an argument (other users can read the process list). There is no fallback without
//! a keyring: the command exits 2 with the same message the window shows.

use std::io::Write as _;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};

use crate::model::{CredentialKind, CredentialOrigin};
use crate::secrets::credential::{
    self, ExpiryChoice, Issuance, NewCredential, preset_lifetime_days, resolve_expiry,
};
use crate::secrets::{
    KeyringStore, Secret, SecretStore as _, account, clean_import, generate_token, masked,
};

/// `token` subcommands.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Generate a SCIM token or client secret (256 bits, URL-safe), store it in the OS
    /// keyring, and print it once on stdout.
    Generate(GenerateArgs),
    /// Store a SCIM token or client secret issued elsewhere, read from an environment variable.
    Import(ImportArgs),
}

/// What every `token` command needs.
#[derive(Debug, Args)]
pub struct CredentialArgs {
    /// Tenant profile id (`profile list` shows them).
    #[arg(long, value_name = "ID")]
    pub profile: String,
    /// What it is: scim-token or client-secret.
    #[arg(long, value_name = "KIND", value_parser = parse_kind)]
    pub kind: CredentialKind,
    /// Expiry date, YYYY-MM-DD (the end of that day, local time) or RFC 3339.
    #[arg(long, value_name = "DATE", value_parser = parse_date_arg, conflicts_with = "lifetime_days")]
    pub expires: Option<DateTime<Utc>>,
    /// Lifetime in days from now [default: the platform's or IdP's preset, if any].
    #[arg(long, value_name = "N", value_parser = parse_days_arg)]
    pub lifetime_days: Option<u32>,
    /// A label for the credential [default: kind and date].
    #[arg(long, value_name = "TEXT")]
    pub label: Option<String>,
    /// Make it the one in use (the SCIM app's token, the SSO app's secret). Without it the
    /// app keeps the credential it has; only the first of its kind is used at once.
    #[arg(long = "use")]
    pub use_it: bool,
}

/// Options of `token generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    #[command(flatten)]
    credential: CredentialArgs,
}

/// Options of `token import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    credential: CredentialArgs,
    /// Name of the environment variable that holds the value.
    #[arg(long, value_name = "VAR")]
    from_env: String,
}

/// Runs a `token` command. `Err` is a usage or configuration problem (exit 2).
pub fn run(command: &TokenCommand) -> anyhow::Result<ExitCode> {
    let now = Utc::now();
    let (args, origin, from_env) = match command {
        TokenCommand::Generate(args) => (&args.credential, CredentialOrigin::Generated, None),
        TokenCommand::Import(args) => (
            &args.credential,
            CredentialOrigin::Imported,
            Some(args.from_env.as_str()),
        ),
    };
    let store = super::store()?;
    let mut profile = store.load(&args.profile, now)?;
    let catalog = crate::catalog::catalog();
    let platform = catalog.platform(profile.platform);
    let idp = catalog.idp(profile.idp);

    if origin == CredentialOrigin::Generated
        && let Issuance::ImportOnly { why } = credential::issuance(args.kind, platform, idp)
    {
        bail!(
            "{why}; store it with `token import --profile {} --kind {} --from-env VAR`",
            profile.id,
            args.kind.as_str()
        );
    }
    let choice = match (args.expires, args.lifetime_days) {
        (Some(at), _) => ExpiryChoice::At(at),
        (None, Some(days)) => ExpiryChoice::LifetimeDays(days),
        (None, None) => ExpiryChoice::Preset,
    };
    let expires_at = resolve_expiry(choice, preset_lifetime_days(args.kind, platform, idp), now);

    // Read and check the value before touching the keyring; open the keyring before
    // generating, so a missing keyring never costs a printed-but-unstored secret.
    let imported = match from_env {
        Some(var) => Some(secret_from_env(
            var,
            args.kind,
            &platform.scim.token_prefix,
        )?),
        None => None,
    };
    let keyring = KeyringStore::open()?;
    let secret = match imported {
        Some(secret) => secret,
        None => generate_token()?,
    };

    let new = NewCredential {
        kind: args.kind,
        label: args.label.clone().unwrap_or_default(),
        origin,
        expires_at,
    };
    let meta = credential::credential_meta(&profile, new, &secret, now, credential::os_random)?;
    let account = account(&profile.id, &meta.id);
    keyring.put(&account, &secret)?;
    let summary = format!(
        "Stored {} “{}” ({}) for {} in the OS keyring; {}",
        meta.kind.label(),
        meta.label,
        masked(&meta.last4),
        profile.name,
        expiry_words(meta.expires_at, now),
    );
    let new_id = meta.id.clone();
    let app = match meta.kind {
        CredentialKind::ScimToken => "SCIM app",
        CredentialKind::ClientSecret => "SSO app",
    };
    let use_note = match credential::attach(&mut profile, meta, now) {
        credential::Attached::InUse => format!("The {app} uses it."),
        credential::Attached::Kept { in_use } => {
            let current = profile
                .credential(&in_use)
                .map(|c| format!("“{}” ({})", c.label, masked(&c.last4)))
                .unwrap_or(in_use);
            if args.use_it {
                credential::use_credential(&mut profile, &new_id, now)?;
                format!("The {app} uses it now instead of {current}.")
            } else {
                format!(
                    "Not in use: the {app} keeps {current}. To switch, run the command with --use, \
                     or rotate in the window to replace it without losing access."
                )
            }
        }
    };
    profile.updated_at = now;
    if let Err(err) = store.save(&profile) {
        // Without its metadata the stored value would be an orphan nobody can use.
        let _ = keyring.delete(&account);
        return Err(err).context("the value was not kept");
    }

    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{summary}");
    let _ = writeln!(stderr, "{use_note}");
    if origin == CredentialOrigin::Generated {
        let _ = writeln!(
            stderr,
            "The value is printed once below; it cannot be shown again."
        );
        drop(stderr);
        super::out(secret.expose());
    }
    Ok(ExitCode::SUCCESS)
}

/// The cleaned value of environment variable `var`; warnings go to stderr.
fn secret_from_env(var: &str, kind: CredentialKind, token_prefix: &str) -> anyhow::Result<Secret> {
    let raw = match std::env::var(var) {
        Ok(value) => zeroize::Zeroizing::new(value),
        Err(std::env::VarError::NotPresent) => {
            bail!(
                "environment variable {var} is not set; export it with the {} first",
                kind.label()
            )
        }
        Err(std::env::VarError::NotUnicode(_)) => {
            bail!("environment variable {var} is not valid text")
        }
    };
    let prefix = (kind == CredentialKind::ScimToken).then_some(token_prefix);
    let imported = clean_import(&raw, prefix)
        .map_err(|_| anyhow::anyhow!("environment variable {var} is empty"))?;
    let mut stderr = std::io::stderr().lock();
    for warning in &imported.warnings {
        let _ = writeln!(stderr, "warning: {}", warning.message());
    }
    Ok(imported.secret)
}

fn expiry_words(expires_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    match expires_at {
        Some(at) => format!("expires {} ({})", at.with_timezone(&chrono::Local).format("%Y-%m-%d"), crate::expiry::badge_text(at, now)),
        None => "no expiry recorded (pass --expires DATE or --lifetime-days N to be warned before it runs out)".to_owned(),
    }
}

fn parse_kind(text: &str) -> Result<CredentialKind, String> {
    [CredentialKind::ScimToken, CredentialKind::ClientSecret]
        .into_iter()
        .find(|kind| kind.as_str() == text)
        .ok_or_else(|| format!("unknown kind {text:?}; expected scim-token or client-secret"))
}

/// An expiry date for `--expires` (a date alone: the end of that day, local time).
pub(crate) fn parse_date_arg(text: &str) -> Result<DateTime<Utc>, String> {
    credential::parse_date(text).map_err(|err| err.to_string())
}

/// The moment `expiry --at` looks from. A date alone is the start of that day, UTC, as it
/// always was (scripts depend on it); only expiry dates are read as the end of a day.
pub(crate) fn parse_instant_arg(text: &str) -> Result<DateTime<Utc>, String> {
    let trimmed = text.trim();
    match chrono::NaiveDate::parse_from_str(trimmed, "%Y-%m-%d") {
        Ok(date) => Ok(date.and_time(chrono::NaiveTime::MIN).and_utc()),
        Err(_) => parse_date_arg(trimmed),
    }
}

fn parse_days_arg(text: &str) -> Result<u32, String> {
    credential::parse_lifetime_days(text).map_err(|err| err.to_string())
}

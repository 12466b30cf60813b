//! `check scim`: runs the SCIM probe suite ([`crate::probes::scim`]) from the command line
//! and prints the same findings as the Test SCIM step, as text or `--json`.
//!
//! The token comes from an environment variable or the OS keyring, never from an
//! argument (other users can read the process list). Exit codes follow DESIGN.md: 0 when
//! nothing failed, 1 when a check failed, 2 for bad usage or configuration.

use std::process::ExitCode;

use anyhow::bail;
use chrono::Utc;
use clap::Args;

use crate::model::PlatformId;
use crate::probes::http::{DEFAULT_TIMEOUT_SECS, Policy};
use crate::probes::replay::{Idp, ReplayInput};
use crate::probes::scim::{self, ScimInput};
use crate::secrets::Secret;

/// Options of `check scim`.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("token_source").required(true).args(["token_env", "profile"]))]
pub struct CheckScimArgs {
    /// The SCIM base URL the identity provider is given, usually ending in /scim/v2
    /// (with --profile: defaults to the profile's).
    #[arg(long, value_name = "URL", required_unless_present = "profile")]
    pub base_url: Option<String>,
    /// Name of the environment variable that holds the bearer token.
    #[arg(long, value_name = "VAR")]
    pub token_env: Option<String>,
    /// Tenant profile whose stored SCIM token (OS keyring), base URL and platform to use.
    #[arg(long, value_name = "ID")]
    pub profile: Option<String>,
    /// Platform preset: airia, axonflow, workspace365, claresia, aws-iam-identity-center, generic.
    #[arg(long, value_name = "P")]
    pub platform: Option<PlatformId>,
    /// With --profile: allow a --base-url other than the profile's, so the profile's stored
    /// token goes to that address.
    #[arg(long, requires = "profile")]
    pub allow_other_base_url: bool,
    /// Also create, change and delete one test user (ssw-probe-<random>@example.com).
    #[arg(long)]
    pub write_probe: bool,
    /// Replay what this IdP's provisioning sends (entra, okta or onelogin) instead of the
    /// read-only checks: creates, changes and deletes test users and a test group
    /// (ssw-probe-<random>…), each step a scim.replay.<idp>.<step> finding, clean-up always.
    #[arg(long, value_name = "IDP", value_parser = parse_idp)]
    pub replay: Option<Idp>,
    /// Seconds allowed per request.
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_TIMEOUT_SECS)]
    pub timeout: u64,
    /// Print one JSON document instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Runs the checks and prints the report. `Err` is a usage or configuration problem
/// (exit 2); otherwise 1 when a check failed, 0 when none did.
pub fn run(args: &CheckScimArgs) -> anyhow::Result<ExitCode> {
    let input = resolve(args)?;
    let policy = Policy::with_timeout_secs(args.timeout);
    if let Some(idp) = args.replay {
        let Some(token) = input.token.clone() else {
            bail!("--replay needs the SCIM token")
        };
        let replay = ReplayInput {
            base_url: input.base_url.clone(),
            token,
            platform: input.platform,
            idp,
            probe_id: None,
        };
        return super::run_report(
            crate::probes::replay::replay(&replay, policy, &|_| {}),
            args.json,
        );
    }
    super::run_report(scim::check(&input, policy, &|_| {}), args.json)
}

/// `entra`, `okta` or `onelogin`.
fn parse_idp(word: &str) -> Result<Idp, String> {
    Idp::parse(word).ok_or_else(|| format!("{word:?} is not one of entra, okta, onelogin"))
}

/// Builds the probe input from the options, the environment and the profile.
fn resolve(args: &CheckScimArgs) -> anyhow::Result<ScimInput> {
    if let Some(var) = &args.token_env {
        let token = crate::checks::secret_from_env(var, "the SCIM bearer token")?;
        let Some(base_url) = args.base_url.clone() else {
            bail!("--base-url is required with --token-env")
        };
        let platform = args.platform.unwrap_or_default();
        return Ok(ScimInput {
            write_probe: args.write_probe,
            ..ScimInput::new(base_url, Some(token), platform)
        });
    }
    let Some(profile_id) = &args.profile else {
        bail!("give --token-env VAR or --profile ID")
    };
    let profile = super::store()?.load(profile_id, Utc::now())?;
    if let Some(other) = &args.base_url
        && !args.allow_other_base_url
        && !same_base_url(other, &profile.scim.base_url)
    {
        bail!(
            "--base-url {} is not the SCIM base URL of profile {profile_id} ({}), so its token is not sent there; drop --base-url, or add --allow-other-base-url if that address is right",
            other.trim(),
            profile.scim.base_url.trim()
        );
    }
    let base_url = args
        .base_url
        .clone()
        .unwrap_or_else(|| profile.scim.base_url.clone());
    if base_url.trim().is_empty() {
        bail!(
            "profile {profile_id} has no SCIM base URL yet; give --base-url or set it in the wizard's SCIM app step"
        );
    }
    let Some(credential) = profile.scim.token_credential.clone() else {
        bail!(
            "profile {profile_id} has no SCIM token stored; import one with `token import --profile {profile_id} --kind scim-token --from-env VAR`"
        );
    };
    let token = stored_token(&profile.id, &credential)?;
    let platform = args.platform.unwrap_or(profile.platform);
    Ok(ScimInput {
        write_probe: args.write_probe,
        ..ScimInput::new(base_url, Some(token), platform)
    })
}

/// True when `given` names the profile's base URL, or the profile has none yet (then
/// `--base-url` supplies it). Spaces around it and a trailing slash do not count.
fn same_base_url(given: &str, stored: &str) -> bool {
    let normal = |text: &str| text.trim().trim_end_matches('/').to_owned();
    normal(stored).is_empty() || normal(given) == normal(stored)
}

/// The stored value of a credential, from the OS keyring (`<profile-id>/<credential-id>`).
fn stored_token(profile_id: &str, credential_id: &str) -> anyhow::Result<Secret> {
    use crate::secrets::SecretStore as _;
    let account = crate::secrets::account(profile_id, credential_id);
    let store = crate::secrets::KeyringStore::open()?;
    match store.get(&account)? {
        Some(token) if !token.is_empty() => Ok(token),
        _ => bail!(
            "the SCIM token of profile {profile_id} ({credential_id}) is not in the keyring; import it again with `token import --profile {profile_id} --kind scim-token --from-env VAR`"
        ),
    }
}

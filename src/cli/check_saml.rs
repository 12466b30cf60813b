//! `check saml`: the SAML metadata test ([`crate::probes::saml`]) from the command line,
//! the same findings as the window's, as text or `--json`. Metadata is public: nothing here
//! reads a secret. Exit codes: 0 nothing failed, 1 a check failed, 2 bad usage.

use std::process::ExitCode;

use anyhow::bail;
use chrono::Utc;
use clap::Args;

use crate::catalog::SsoProtocol;
use crate::model::PlatformId;
use crate::probes::http::{DEFAULT_TIMEOUT_SECS, Policy};
use crate::probes::saml::{self, MetadataSource, SamlInput};

/// Options of `check saml`.
#[derive(Debug, Args)]
pub struct CheckSamlArgs {
    /// The IdP's metadata: its URL (Entra's App Federation Metadata Url, Okta's Metadata
    /// URL) or a downloaded metadata XML file.
    /// With --profile: defaults to the tenant's.
    #[arg(long, value_name = "URL|FILE", required_unless_present = "profile")]
    pub metadata: Option<String>,
    /// The IdP entity id (issuer) the platform was given; compared exactly.
    #[arg(long, value_name = "ID")]
    pub entity_id: Option<String>,
    /// Platform preset, to say whether it signs users in with SAML.
    #[arg(long, value_name = "P")]
    pub platform: Option<PlatformId>,
    /// Seconds allowed per request.
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_TIMEOUT_SECS)]
    pub timeout: u64,
    /// Tenant profile whose metadata and IdP entity id to use (flags given override); the
    /// result and the signing certificates read are stored in it.
    #[arg(long, value_name = "ID")]
    pub profile: Option<String>,
    /// Print one JSON document instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Runs the checks and prints the report.
pub fn run(args: &CheckSamlArgs) -> anyhow::Result<ExitCode> {
    let store = args.profile.as_ref().map(|_| super::store()).transpose()?;
    let profile = match (&store, &args.profile) {
        (Some(store), Some(id)) => Some(store.load(id, Utc::now())?),
        _ => None,
    };
    let platform_id = args.platform.or(profile.as_ref().map(|p| p.platform));
    let is_saml = profile
        .as_ref()
        .map(|p| crate::checks::sso_protocol(p) == SsoProtocol::Saml);
    if let Some(id) = platform_id {
        let platform = crate::catalog::catalog().platform(id);
        if !is_saml.unwrap_or(platform.sso.protocol == SsoProtocol::Saml) {
            bail!(
                "{} signs users in with OpenID Connect, not SAML; use check oidc for it",
                platform.name
            );
        }
    }
    let stored = profile.as_ref().and_then(crate::checks::saml_input);
    let metadata = match (&args.metadata, &stored) {
        (Some(given), _) => {
            if given.trim().is_empty() {
                bail!("--metadata is empty; give the IdP's metadata URL or a metadata file");
            }
            MetadataSource::parse(given)
        }
        (None, Some(input)) => input.metadata.clone(),
        (None, None) => bail!(
            "profile {} has no SAML metadata URL or file yet; give --metadata or set it in the wizard's SSO app step",
            args.profile.as_deref().unwrap_or_default()
        ),
    };
    let input = SamlInput {
        metadata,
        expected_entity_id: args
            .entity_id
            .clone()
            .or_else(|| stored.and_then(|input| input.expected_entity_id)),
    };
    let policy = Policy::with_timeout_secs(args.timeout);
    let (Some(store), Some(mut profile)) = (store, profile) else {
        return super::run_report(saml::check(&input, policy, Utc::now(), &|_| {}), args.json);
    };
    super::run_report(
        async {
            let now = Utc::now();
            let outcome = saml::check_metadata(&input, policy, now, &|_| {}).await;
            crate::checks::record_saml(&mut profile, &outcome, now);
            if let Err(err) = store.save(&profile) {
                log::warn!("the result was not stored in profile {}: {err}", profile.id);
            }
            outcome.report
        },
        args.json,
    )
}

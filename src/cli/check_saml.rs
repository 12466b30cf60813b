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
    #[arg(long, value_name = "URL|FILE")]
    pub metadata: String,
    /// The IdP entity id (issuer) the platform was given; compared exactly.
    #[arg(long, value_name = "ID")]
    pub entity_id: Option<String>,
    /// Platform preset, to say whether it signs users in with SAML.
    #[arg(long, value_name = "P")]
    pub platform: Option<PlatformId>,
    /// Seconds allowed per request.
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_TIMEOUT_SECS)]
    pub timeout: u64,
    /// Print one JSON document instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Runs the checks and prints the report.
pub fn run(args: &CheckSamlArgs) -> anyhow::Result<ExitCode> {
    if args.metadata.trim().is_empty() {
        bail!("--metadata is empty; give the IdP's metadata URL or a metadata file");
    }
    if let Some(id) = args.platform {
        let platform = crate::catalog::catalog().platform(id);
        if platform.sso.protocol != SsoProtocol::Saml {
            bail!(
                "{} signs users in with OpenID Connect, not SAML; use check oidc for it",
                platform.name
            );
        }
    }
    let input = SamlInput {
        metadata: MetadataSource::parse(&args.metadata),
        expected_entity_id: args.entity_id.clone(),
    };
    super::run_report(
        saml::check(
            &input,
            Policy::with_timeout_secs(args.timeout),
            Utc::now(),
            &|_| {},
        ),
        args.json,
    )
}

//! `check oidc`: runs the OIDC check suite ([`crate::probes::oidc`]) from the command line
//! and prints the same findings as the Test SSO step, as text or `--json`.
//!
//! The client secret comes from an environment variable, never from an argument (other
//! users can read the process list). Exit codes follow DESIGN.md: 0 when nothing failed,
//! 1 when a check failed, 2 for bad usage or configuration.

use std::process::ExitCode;

use anyhow::bail;
use clap::Args;

use crate::catalog::SsoProtocol;
use crate::model::PlatformId;
use crate::probes::http::{DEFAULT_TIMEOUT_SECS, Policy};
use crate::probes::oidc::{self, OidcInput};

/// Options of `check oidc`.
#[derive(Debug, Args)]
pub struct CheckOidcArgs {
    /// The issuer URL, for example `https://login.microsoftonline.com/<tenant-id>/v2.0`.
    #[arg(long, value_name = "URL")]
    pub issuer: String,
    /// Application (client) id; with --client-secret-env the pair is checked at the
    /// token endpoint.
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// Name of the environment variable that holds the client secret.
    #[arg(long, value_name = "VAR", requires = "client_id")]
    pub client_secret_env: Option<String>,
    /// The redirect URI registered for the client (sent with the dummy authorization
    /// code when the client may not use client credentials); defaults to the platform's.
    #[arg(long, value_name = "URI")]
    pub redirect_uri: Option<String>,
    /// Platform preset, for the scopes and redirect URI it needs: airia, axonflow,
    /// workspace365, claresia, aws-iam-identity-center, generic.
    #[arg(long, value_name = "P")]
    pub platform: Option<PlatformId>,
    /// Another https origin (`https://host[:port]`) where the IdP serves an endpoint, such
    /// as its token endpoint; the client secret goes there only when named here
    /// (repeatable). Without it credentials go only to the issuer's own origin.
    #[arg(long, value_name = "ORIGIN")]
    pub allow_endpoint_origin: Vec<String>,
    /// Seconds allowed per request.
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_TIMEOUT_SECS)]
    pub timeout: u64,
    /// Print one JSON document instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Runs the checks and prints the report. `Err` is a usage or configuration problem
/// (exit 2); otherwise 1 when a check failed, 0 when none did.
pub fn run(args: &CheckOidcArgs) -> anyhow::Result<ExitCode> {
    let input = resolve(args)?;
    super::run_report(
        oidc::check(&input, Policy::with_timeout_secs(args.timeout), &|_| {}),
        args.json,
    )
}

/// Builds the probe input from the options, the environment and the platform preset.
fn resolve(args: &CheckOidcArgs) -> anyhow::Result<OidcInput> {
    if args.issuer.trim().is_empty() {
        bail!("--issuer is empty; pass the issuer URL");
    }
    let client_secret = match &args.client_secret_env {
        Some(var) => Some(crate::checks::secret_from_env(var, "the client secret")?),
        None => None,
    };
    let allowed_origins = args
        .allow_endpoint_origin
        .iter()
        .map(|text| {
            crate::probes::http::parse_origin(text)
                .map_err(|reason| anyhow::anyhow!("--allow-endpoint-origin: {reason}"))
        })
        .collect::<anyhow::Result<Vec<String>>>()?;
    let mut input = OidcInput {
        issuer: args.issuer.clone(),
        client_id: args.client_id.clone(),
        client_secret,
        redirect_uri: args.redirect_uri.clone(),
        extra_scopes: Vec::new(),
        allowed_origins,
    };
    if let Some(id) = args.platform {
        let platform = crate::catalog::catalog().platform(id);
        if platform.sso.protocol == SsoProtocol::Saml {
            bail!(
                "{} signs users in with SAML, not OpenID Connect; check oidc does not apply to it",
                platform.name
            );
        }
        input.extra_scopes = platform
            .sso
            .scopes
            .iter()
            .filter(|s| !oidc::BASE_SCOPES.contains(&s.as_str()))
            .cloned()
            .collect();
        let fixed = &platform.sso.redirect_uri;
        if input.redirect_uri.is_none()
            && !fixed.is_empty()
            && crate::catalog::placeholders(fixed).is_empty()
        {
            input.redirect_uri = Some(fixed.clone());
        }
    }
    Ok(input)
}

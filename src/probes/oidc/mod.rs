//! The OIDC check suite (DESIGN.md, "Check ids", `oidc.*`): discovery, HTTPS, issuer,
//! metadata, signing algorithms, signing keys, scopes and the client secret.
//!
//! [`check`] runs every check in order against the entered issuer and always returns a
//! report with every OIDC check id: a check that cannot run is `skip` with the reason.
//! The rules themselves (issuer comparison, metadata, algorithms, JWKS analysis, token
//! endpoint answers) are plain functions so they can be tested without a network.
//!
//! Every request goes through [`crate::probes::http`]. The client secret is only ever
//! handed to that client; any text that goes into a finding is scrubbed of it first, so a
//! server that echoes the secret back cannot leak it into a report.

mod client_auth;
mod discovery;
mod issuer;
mod jwks;
mod metadata;

use std::time::Instant;

use serde_json::{Map, Value};
use url::Url;

use crate::diagnostics::text::Redactor;
use crate::diagnostics::{Finding, Report, ReportKind};
use crate::probes::http::{self, Client, Policy};
use crate::secrets::Secret;
use client_auth::client_auth_in_scope;
use discovery::fetch_discovery;
pub(crate) use discovery::string_array;
use jwks::fetch_jwks_if;

pub use client_auth::{
    AuthMethod, Grant, OAuthError, TokenVerdict, choose_auth_method, classify_token_response,
    random_token, token_endpoint_refusal, token_request,
};
pub use discovery::{
    discovery_error_finding, discovery_from_response, discovery_url, https_finding,
    https_finding_used,
};
pub use issuer::{is_entra_login_host, is_guid, issuer_finding};
pub use jwks::{jwks_body_finding, jwks_finding};
pub use metadata::{
    metadata_finding, scopes_finding, scopes_granted_finding, signing_algs_finding,
};

/// `oidc.discovery_fetch`.
pub const DISCOVERY_FETCH: &str = "oidc.discovery_fetch";
/// `oidc.https`.
pub const HTTPS: &str = "oidc.https";
/// `oidc.issuer_match`.
pub const ISSUER_MATCH: &str = "oidc.issuer_match";
/// `oidc.required_metadata`.
pub const REQUIRED_METADATA: &str = "oidc.required_metadata";
/// `oidc.signing_algs`.
pub const SIGNING_ALGS: &str = "oidc.signing_algs";
/// `oidc.jwks`.
pub const JWKS: &str = "oidc.jwks";
/// `oidc.scopes`.
pub const SCOPES: &str = "oidc.scopes";
/// `oidc.client_auth`.
pub const CLIENT_AUTH: &str = "oidc.client_auth";

/// Why a check that reads the discovery document did not run.
pub(crate) const NO_DOCUMENT: &str = "Skipped: the discovery document could not be fetched";

/// The path OpenID Connect Discovery 1.0 §4 appends to the issuer.
pub const WELL_KNOWN: &str = "/.well-known/openid-configuration";

/// The scopes every platform requests.
pub const BASE_SCOPES: [&str; 3] = ["openid", "profile", "email"];

/// What the admin entered for the SSO app.
#[derive(Clone, Debug, Default)]
pub struct OidcInput {
    /// The issuer URL as typed.
    pub issuer: String,
    /// Application (client) id, if entered.
    pub client_id: Option<String>,
    /// Client secret, if entered.
    pub client_secret: Option<Secret>,
    /// The redirect URI registered for the client (used for the dummy-code request).
    pub redirect_uri: Option<String>,
    /// Scopes the platform requests beyond `openid profile email` (e.g. `offline_access`).
    pub extra_scopes: Vec<String>,
    /// Origins other than the issuer's that the admin confirmed for this tenant
    /// (`https://host[:port]`): the client secret may go to a token endpoint there.
    pub allowed_origins: Vec<String>,
}

/// The discovery document as fetched.
#[derive(Clone, Debug)]
pub struct Discovery {
    /// The URL it was fetched from (after redirects).
    pub url: Url,
    /// Every URL requested on the way, the first one included, in order.
    pub chain: Vec<Url>,
    /// The document.
    pub document: Map<String, Value>,
}

impl Discovery {
    /// A string member of the document.
    pub fn str(&self, name: &str) -> Option<&str> {
        self.document.get(name).and_then(Value::as_str)
    }

    /// A string-array member of the document (non-strings are left out).
    pub fn strings(&self, name: &str) -> Option<Vec<&str>> {
        string_array(&self.document, name)
    }
}

/// Runs every OIDC check against the entered issuer, calling `progress` after each
/// finding, and returns the report. Never panics on what a server sends; a silent server
/// costs at most the policy's timeout per request.
pub async fn check(
    input: &OidcInput,
    policy: Policy,
    progress: &(dyn Fn(&Finding) + Send + Sync),
) -> Report {
    check_with_refusals(input, policy, progress).await.report
}

/// A finished OIDC check and the endpoint origins the client secret was held back from
/// because nobody confirmed them for the tenant (what the GUI offers to confirm).
#[derive(Clone, Debug)]
pub struct Checked {
    /// The report.
    pub report: Report,
    /// Origins (`https://host[:port]`, or loopback http) that need the admin's confirmation.
    pub unconfirmed_origins: Vec<String>,
}

/// [`check`], also returning the origins that need the admin's confirmation.
pub async fn check_with_refusals(
    input: &OidcInput,
    policy: Policy,
    progress: &(dyn Fn(&Finding) + Send + Sync),
) -> Checked {
    let target = input.issuer.trim().to_owned();
    let mut run = Run {
        findings: Vec::new(),
        progress,
        redactor: redactor(input.client_secret.as_ref(), input.client_id.as_deref()),
    };

    let started = Instant::now();
    let entered = http::parse_url(&target);
    let client = Client::new(policy);
    let discovery = match (&entered, &client) {
        (Err(err), _) => {
            run.push(
                Finding::fail(
                    DISCOVERY_FETCH,
                    format!("The issuer is not a usable URL: {err}"),
                    "Enter the issuer URL, for example https://login.microsoftonline.com/<tenant-id>/v2.0",
                ),
                started,
            );
            None
        }
        (Ok(_), Err(err)) => {
            run.push(
                Finding::fail(
                    DISCOVERY_FETCH,
                    format!("Could not start the HTTP client: {err}"),
                    "",
                ),
                started,
            );
            None
        }
        (Ok(url), Ok(client)) => {
            let (finding, discovery) = fetch_discovery(client, url).await;
            run.push(finding, started);
            discovery
        }
    };

    // Keys first, so oidc.https judges the URLs really used; findings keep their order.
    let (jwks, jwks_chain, jwks_ms) = fetch_jwks_if(client.as_ref().ok(), discovery.as_ref()).await;

    let started = Instant::now();
    let https = match &entered {
        Ok(url) => https_finding_used(url, discovery.as_ref(), &jwks_chain),
        Err(_) => Finding::skip(HTTPS, "The issuer is not a URL"),
    };
    run.push(https, started);

    // The checks that read the document: each is a skip with the same reason without one.
    let judge_document = |run: &mut Run<'_>, id: &str, judge: &dyn Fn(&Discovery) -> Finding| {
        let started = Instant::now();
        let finding = discovery
            .as_ref()
            .map_or_else(|| Finding::skip(id, NO_DOCUMENT), judge);
        run.push(finding, started);
    };
    judge_document(&mut run, ISSUER_MATCH, &|d| {
        issuer_finding(&target, d.str("issuer"))
    });
    judge_document(&mut run, REQUIRED_METADATA, &|d| {
        metadata_finding(&d.document)
    });
    judge_document(&mut run, SIGNING_ALGS, &|d| {
        signing_algs_finding(&d.document)
    });
    run.push_timed(jwks, jwks_ms);
    judge_document(&mut run, SCOPES, &|d| {
        scopes_finding(&d.document, &input.extra_scopes)
    });

    let started = Instant::now();
    let mut unconfirmed_origins = Vec::new();
    let client_auth = client_auth_in_scope(
        client.as_ref().ok(),
        discovery.as_ref(),
        entered.as_ref().ok(),
        input,
        &mut unconfirmed_origins,
    )
    .await;
    run.push(client_auth, started);

    Checked {
        report: Report::new(ReportKind::Oidc, target, run.findings),
        unconfirmed_origins,
    }
}

/// Collects findings: scrubs the secret, stamps the duration, reports progress.
struct Run<'a> {
    findings: Vec<Finding>,
    progress: &'a (dyn Fn(&Finding) + Send + Sync),
    redactor: Redactor,
}

impl Run<'_> {
    fn push(&mut self, finding: Finding, started: Instant) {
        let mut finding = finding
            .with_duration_ms(u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX));
        if !self.redactor.is_empty() {
            finding.detail = self.redactor.redact(&finding.detail);
            finding.fix = self.redactor.redact(&finding.fix);
        }
        (self.progress)(&finding);
        self.findings.push(finding);
    }

    /// [`Self::push`] for a check that ran earlier and took `elapsed`.
    fn push_timed(&mut self, finding: Finding, elapsed: std::time::Duration) {
        let started = Instant::now()
            .checked_sub(elapsed)
            .unwrap_or_else(Instant::now);
        self.push(finding, started);
    }
}

/// What removes the client secret from findings: every spelling of it (raw, URL-encoded,
/// base64 of the secret and of `client_id:secret`, cut-off tails), replaced with `…`.
pub fn redactor(secret: Option<&Secret>, client_id: Option<&str>) -> Redactor {
    let mut redactor = Redactor::new("…");
    if let Some(secret) = secret {
        redactor.add(secret.expose(), client_id);
    }
    redactor
}

/// Replaces every spelling of the secret with `…` (see [`redactor`]).
pub fn redact(text: &str, secret: &Secret) -> String {
    redactor(Some(secret), None).redact(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_removes_plain_and_encoded_secret() {
        let secret = Secret::new("s3cr~t+x");
        let text = "echo s3cr~t+x and s3cr%7Et%2Bx";
        let out = redact(text, &secret);
        assert!(!out.contains("s3cr"), "{out}");
    }
}

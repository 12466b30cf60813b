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

use std::collections::BTreeSet;
use std::time::Instant;

use serde_json::{Map, Value};
use url::Url;

use crate::diagnostics::text::Redactor;
use crate::diagnostics::{Finding, Report, ReportKind};
use crate::probes::http::{
    self, Client, CredentialRefusal, CredentialScope, HttpError, Policy, Request, Response,
};
use crate::secrets::Secret;

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

    let started = Instant::now();
    let issuer = match &discovery {
        Some(discovery) => issuer_finding(&target, discovery.str("issuer")),
        None => Finding::skip(
            ISSUER_MATCH,
            "Skipped: the discovery document could not be fetched",
        ),
    };
    run.push(issuer, started);

    let started = Instant::now();
    let metadata = match &discovery {
        Some(discovery) => metadata_finding(&discovery.document),
        None => Finding::skip(
            REQUIRED_METADATA,
            "Skipped: the discovery document could not be fetched",
        ),
    };
    run.push(metadata, started);

    let started = Instant::now();
    let algs = match &discovery {
        Some(discovery) => signing_algs_finding(&discovery.document),
        None => Finding::skip(
            SIGNING_ALGS,
            "Skipped: the discovery document could not be fetched",
        ),
    };
    run.push(algs, started);

    run.push_timed(jwks, jwks_ms);

    let started = Instant::now();
    let scopes = match &discovery {
        Some(discovery) => scopes_finding(&discovery.document, &input.extra_scopes),
        None => Finding::skip(
            SCOPES,
            "Skipped: the discovery document could not be fetched",
        ),
    };
    run.push(scopes, started);

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

/// `oidc.client_auth` under the tenant's credential scope: the secret goes to the token
/// endpoint only when the scope allows it; an unconfirmed https origin is noted in
/// `unconfirmed` for the admin to confirm.
async fn client_auth_in_scope(
    client: Option<&Client>,
    discovery: Option<&Discovery>,
    entered: Option<&Url>,
    input: &OidcInput,
    unconfirmed: &mut Vec<String>,
) -> Finding {
    let (Some(client), Some(discovery), Some(entered)) = (client, discovery, entered) else {
        return Finding::skip(
            CLIENT_AUTH,
            "Skipped: the discovery document could not be fetched",
        );
    };
    let scope = CredentialScope::new(entered, &input.allowed_origins);
    match token_endpoint_refusal(discovery, &scope) {
        Some(refusal) if has_client_pair(input) => {
            if let CredentialRefusal::OtherOrigin { origin, .. } = &refusal {
                unconfirmed.push(origin.clone());
            }
            refused_client_auth_finding(&refusal)
        }
        _ => check_client_auth(client, discovery, input).await,
    }
}

/// Why the client secret may not go to the document's token endpoint, if it may not: the
/// document came over plain http from another computer (anyone on the way could have
/// changed it), or the endpoint is outside the tenant's [`CredentialScope`]. `None` when
/// there is no usable token endpoint (the check then says so itself).
pub fn token_endpoint_refusal(
    discovery: &Discovery,
    scope: &CredentialScope,
) -> Option<CredentialRefusal> {
    if let Some(refusal) = discovery
        .chain
        .iter()
        .chain(std::iter::once(&discovery.url))
        .find_map(http::credential_blocker)
    {
        return Some(refusal);
    }
    let endpoint = discovery
        .str("token_endpoint")
        .and_then(|text| http::parse_url(text).ok())?;
    scope.check(&endpoint).err()
}

/// True when a client id and secret were entered, so the pair would be sent.
fn has_client_pair(input: &OidcInput) -> bool {
    input
        .client_id
        .as_deref()
        .is_some_and(|id| !id.trim().is_empty())
        && input.client_secret.as_ref().is_some_and(|s| !s.is_empty())
}

/// `oidc.client_auth` when the secret was held back: a plain-http or userinfo endpoint is
/// a failure, an unconfirmed origin a warning (real IdPs do serve tokens elsewhere; plain
/// http there is loopback, the rest is stopped as plain http first).
fn refused_client_auth_finding(refusal: &CredentialRefusal) -> Finding {
    let detail = refusal.message("The client secret for the token endpoint");
    match refusal {
        CredentialRefusal::OtherOrigin { .. } => Finding::warn(CLIENT_AUTH, detail, refusal.fix()),
        _ => Finding::fail(CLIENT_AUTH, detail, refusal.fix()),
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

// ---------------------------------------------------------------------------------------
// Discovery

/// The discovery document URL for an entered issuer (OpenID Connect Discovery 1.0 §4: a
/// terminating `/` is removed before appending the well-known path). When the admin pasted
/// the discovery URL itself it is used as is; `oidc.issuer_match` then explains.
pub fn discovery_url(issuer: &Url) -> Url {
    let mut url = issuer.clone();
    url.set_fragment(None);
    if url.path().ends_with(WELL_KNOWN) {
        return url;
    }
    url.set_query(None);
    let path = format!("{}{WELL_KNOWN}", url.path().trim_end_matches('/'));
    url.set_path(&path);
    url
}

async fn fetch_discovery(client: &Client, issuer: &Url) -> (Finding, Option<Discovery>) {
    let url = discovery_url(issuer);
    let request = Request::get(url.clone()).accept("application/json");
    match client.send(request).await {
        Ok(response) => match discovery_from_response(&response) {
            Ok((finding, document)) => (
                finding,
                Some(Discovery {
                    url: response.final_url.clone(),
                    chain: std::iter::once(url)
                        .chain(response.redirects.iter().cloned())
                        .collect(),
                    document,
                }),
            ),
            Err(finding) => (finding, None),
        },
        Err(err) => (discovery_error_finding(&err), None),
    }
}

/// A finding for a discovery request that produced no response; each cause gets its own
/// explanation.
pub fn discovery_error_finding(err: &HttpError) -> Finding {
    let fix = match err {
        HttpError::InvalidUrl { .. } => {
            "Enter the issuer URL as the IdP shows it, starting with https://"
        }
        HttpError::Dns { .. } => {
            "The host name does not exist or cannot be resolved from this computer: check the spelling of the issuer's host, then your network, VPN or DNS settings"
        }
        HttpError::Connect { .. } => {
            "Nothing answered on that host and port: check the port in the issuer URL, and whether a firewall or proxy blocks the connection"
        }
        HttpError::Tls { .. } => {
            "The secure connection could not be set up: check the certificate of the server (a company proxy that inspects TLS needs its root certificate trusted by this computer)"
        }
        HttpError::Timeout { .. } => {
            "The server accepted the connection but did not answer in time: check the URL, any proxy, and whether the IdP is reachable from this network"
        }
        HttpError::TooManyRedirects { .. } => {
            "The URL sends the browser around in circles or through a sign-in page: enter the issuer itself, not a portal or sign-in URL"
        }
        HttpError::BodyTooLarge { .. } => {
            "A discovery document is a few kilobytes; this URL serves something much larger, so it is not the issuer. Enter the issuer URL from the IdP's app registration"
        }
        HttpError::Other { .. } => "Check the issuer URL and try again",
    };
    let detail = match err {
        HttpError::InvalidUrl { url, reason } => {
            format!("The issuer is not a usable URL: {reason}: {url}")
        }
        HttpError::Dns { url } => {
            let host = Url::parse(url)
                .ok()
                .and_then(|u| u.host_str().map(str::to_owned))
                .unwrap_or_default();
            format!("DNS lookup failed: the host name {host} could not be resolved: {url}")
        }
        HttpError::Connect { url, reason } => format!("Connection failed: {reason}: {url}"),
        HttpError::Tls { url, reason } => format!("TLS handshake failed: {reason}: {url}"),
        HttpError::Timeout { url, timeout_secs } => {
            format!("No answer in time: nothing came back within {timeout_secs} s: {url}")
        }
        HttpError::TooManyRedirects { url } => {
            format!(
                "Too many redirects: more than {} in a row, starting at {url}",
                http::MAX_REDIRECTS
            )
        }
        HttpError::BodyTooLarge { url, limit_bytes } => {
            format!("Answer too large: larger than {limit_bytes} bytes, so it was not read: {url}")
        }
        HttpError::Other { url, reason } => format!("Request failed: {reason}: {url}"),
    };
    Finding::fail(DISCOVERY_FETCH, detail, fix)
}

/// Judges a discovery response: the document when it is a JSON object served with 200,
/// otherwise a failing finding that says what came back instead.
pub fn discovery_from_response(
    response: &Response,
) -> Result<(Finding, Map<String, Value>), Finding> {
    let status = response.status.as_u16();
    let at = response.final_url.as_str();
    let redirected = !response.redirects.is_empty();
    let html = response.looks_like_html();

    if redirected && (html || is_sign_in_url(&response.final_url)) {
        return Err(Finding::fail(
            DISCOVERY_FETCH,
            format!(
                "The request was redirected to what looks like a sign-in page (HTTP {status}, {}): {at}",
                kind_of_body(response)
            ),
            "The URL points at a portal or an app behind sign-in, not at the issuer. Enter the issuer from the IdP's app registration (Entra: https://login.microsoftonline.com/<tenant-id>/v2.0)",
        ));
    }
    if html {
        return Err(Finding::fail(
            DISCOVERY_FETCH,
            format!(
                "An HTML page came back (HTTP {status}) instead of the JSON discovery document: {at}"
            ),
            "This looks like a web page, often an admin portal or sign-in URL pasted by mistake. Enter the issuer URL itself; the wizard adds /.well-known/openid-configuration",
        ));
    }
    if !response.status.is_success() {
        let idp_says = idp_error_text(&response.body)
            .map(|text| format!("; the server says: {text}"))
            .unwrap_or_default();
        let fix = match status {
            404 => {
                "No discovery document at this address: check the issuer path (Entra ends with /v2.0, an Okta custom authorization server with /oauth2/<server-id>, OneLogin with /oidc/2)"
            }
            401 | 403 => {
                "The server wants a sign-in before it shows the document, so this is not the public issuer URL (or a proxy blocks it). Enter the issuer from the IdP's app registration"
            }
            400 => "The IdP rejected the address: check the tenant id or domain in the issuer",
            500..=599 => {
                "The IdP had an internal error: try again later, and check the IdP's status page"
            }
            _ => "Check the issuer URL",
        };
        return Err(Finding::fail(
            DISCOVERY_FETCH,
            format!("HTTP {status} from {at}{idp_says}"),
            fix,
        ));
    }
    if response.body.iter().all(u8::is_ascii_whitespace) {
        return Err(Finding::fail(
            DISCOVERY_FETCH,
            format!("HTTP {status} with an empty body from {at}"),
            "The server answered but sent no discovery document: check the issuer URL",
        ));
    }
    let value: Value = match serde_json::from_slice(&response.body) {
        Ok(value) => value,
        Err(err) => {
            return Err(Finding::fail(
                DISCOVERY_FETCH,
                format!(
                    "The answer is not valid JSON ({err}); it starts with {:?}: {at}",
                    snippet(&response.body)
                ),
                "The server at this URL does not serve an OpenID Connect discovery document: check the issuer URL, or whether a proxy rewrites the answer",
            ));
        }
    };
    let Value::Object(document) = value else {
        return Err(Finding::fail(
            DISCOVERY_FETCH,
            format!(
                "The answer is JSON but not an object ({}): {at}",
                json_kind(&value)
            ),
            "The server at this URL does not serve an OpenID Connect discovery document: check the issuer URL",
        ));
    };
    let ms = response.elapsed_ms();
    let finding = if redirected {
        Finding::warn(
            DISCOVERY_FETCH,
            format!(
                "Fetched after {} ({ms} ms); the document is served at {at}",
                crate::diagnostics::words::count(response.redirects.len(), "redirect", "redirects")
            ),
            "Some platforms do not follow redirects when they fetch the discovery document: enter the issuer that serves it directly",
        )
    } else {
        Finding::pass(
            DISCOVERY_FETCH,
            format!("HTTP {status}, JSON, {ms} ms: {at}"),
        )
    };
    Ok((finding, document))
}

fn is_sign_in_url(url: &Url) -> bool {
    let path = url.path().to_ascii_lowercase();
    [
        "login",
        "signin",
        "sign-in",
        "sign_in",
        "sso",
        "saml",
        "authorize",
        "logon",
    ]
    .iter()
    .any(|word| path.contains(word))
}

fn kind_of_body(response: &Response) -> &'static str {
    if response.looks_like_html() {
        "an HTML page"
    } else {
        "not the JSON document"
    }
}

/// `error` and `error_description` of a JSON error body, if it is one.
fn idp_error_text(body: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let error = value.get("error").and_then(Value::as_str);
    let description = value.get("error_description").and_then(Value::as_str);
    match (error, description) {
        (Some(error), Some(description)) => Some(format!("{error}: {}", shorten(description, 300))),
        (Some(error), None) => Some(error.to_owned()),
        (None, Some(description)) => Some(shorten(description, 300)),
        (None, None) => None,
    }
}

fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(200)]);
    shorten(&text.split_whitespace().collect::<Vec<_>>().join(" "), 60)
}

fn shorten(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(max_chars).collect();
        format!("{cut}…")
    }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn string_array<'a>(document: &'a Map<String, Value>, name: &str) -> Option<Vec<&'a str>> {
    document
        .get(name)
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(Value::as_str).collect())
}

// ---------------------------------------------------------------------------------------
// HTTPS

/// `oidc.https`: the entered issuer and the endpoints in the document use https; plain
/// http is tolerated (warn) only on loopback hosts.
pub fn https_finding(entered: &Url, discovery: Option<&Discovery>) -> Finding {
    https_finding_used(entered, discovery, &[])
}

/// `oidc.https` judged on every URL used: the entered issuer, each hop of the discovery
/// request (where the document really came from), the document's endpoints and each hop
/// of the key set request (`jwks_chain`). Without a document there is no evidence about
/// the endpoints: a https issuer is then skipped, not passed.
pub fn https_finding_used(
    entered: &Url,
    discovery: Option<&Discovery>,
    jwks_chain: &[Url],
) -> Finding {
    let mut plain: Vec<String> = Vec::new();
    let mut loopback_only = true;
    let mut consider = |label: &str, url: &Url| {
        if url.scheme() != "https" {
            // The issuer is the report's target: its name is enough (and `Url` would
            // show it normalised, with a trailing slash that was never typed).
            plain.push(if label == "the issuer" {
                label.to_owned()
            } else {
                format!("{label} {url}")
            });
            if !http::is_loopback(url) {
                loopback_only = false;
            }
        }
    };
    consider("the issuer", entered);
    if let Some(discovery) = discovery {
        // Hops on the issuer's own origin share its verdict; a redirect elsewhere is
        // judged where it led.
        let mut hops: Vec<&Url> = Vec::new();
        for hop in discovery
            .chain
            .iter()
            .chain(std::iter::once(&discovery.url))
        {
            if hop.origin() != entered.origin() && !hops.contains(&hop) {
                hops.push(hop);
            }
        }
        for hop in hops {
            consider("the discovery document, redirected to", hop);
        }
        for hop in jwks_chain.iter().skip(1) {
            consider("the signing keys, redirected to", hop);
        }
        for name in [
            "authorization_endpoint",
            "token_endpoint",
            "jwks_uri",
            "userinfo_endpoint",
        ] {
            if let Some(url) = discovery.str(name).and_then(|text| Url::parse(text).ok()) {
                consider(name, &url);
            }
        }
    }
    if plain.is_empty() {
        if discovery.is_none() {
            return Finding::skip(
                HTTPS,
                "Skipped: the issuer uses https, but no endpoint could be seen because the discovery document could not be fetched",
            );
        }
        return Finding::pass(
            HTTPS,
            "The issuer, where the discovery document was fetched and the endpoints it names all use https",
        );
    }
    let list = plain.join(", ");
    if loopback_only {
        Finding::warn(
            HTTPS,
            format!("Plain http on this computer only (loopback), fine for a test setup: {list}"),
            "A real IdP is always reached over https",
        )
    } else {
        Finding::fail(
            HTTPS,
            format!("Plain http, where tokens and secrets would travel unencrypted: {list}"),
            "Use the https:// issuer URL; IdPs and platforms refuse plain http",
        )
    }
}

// ---------------------------------------------------------------------------------------
// Issuer

/// `oidc.issuer_match`: the document's `issuer` must equal the entered issuer exactly
/// (OpenID Connect Discovery 1.0 §4.3); both strings are named, and the common mistakes
/// get their own explanation.
pub fn issuer_finding(entered: &str, document_issuer: Option<&str>) -> Finding {
    let entered = entered.trim();
    let Some(actual) = document_issuer else {
        return Finding::fail(
            ISSUER_MATCH,
            "The discovery document has no issuer member",
            "This is not a complete OpenID Connect discovery document: check the issuer URL",
        );
    };
    if entered == actual {
        if is_entra_v1(actual) {
            return Finding::warn(
                ISSUER_MATCH,
                format!("Matches, but {actual} is the Entra v1 issuer"),
                "Most platforms expect the v2.0 issuer: https://login.microsoftonline.com/<tenant-id>/v2.0",
            );
        }
        return Finding::pass(
            ISSUER_MATCH,
            format!("The document's issuer is exactly {actual}"),
        );
    }
    let both = format!("You entered {entered} but the document says {actual}");
    if actual.contains("{tenantid}") {
        return Finding::fail(
            ISSUER_MATCH,
            format!("{both}: that is Entra's multi-tenant endpoint, whose issuer is a template"),
            "Use the issuer of your own tenant: https://login.microsoftonline.com/<your tenant id>/v2.0 (the Directory (tenant) ID is on the app registration's Overview page)",
        );
    }
    if entered.ends_with(WELL_KNOWN) {
        return Finding::fail(
            ISSUER_MATCH,
            format!("{both}: you entered the discovery document's URL"),
            format!("Enter the issuer without {WELL_KNOWN}: {actual}"),
        );
    }
    if entered.trim_end_matches('/') == actual.trim_end_matches('/') {
        let which = if entered.ends_with('/') {
            "yours ends with a slash and the document's does not"
        } else {
            "the document's ends with a slash and yours does not"
        };
        return Finding::fail(
            ISSUER_MATCH,
            format!("{both}: they differ only in the trailing slash ({which})"),
            format!("Issuers are compared character by character; enter exactly {actual}"),
        );
    }
    if is_entra_v1(actual) && !is_entra_v1(entered) {
        return Finding::fail(
            ISSUER_MATCH,
            format!(
                "{both}: the address you entered serves Entra's v1 endpoint (sts.windows.net issuer)"
            ),
            format!(
                "Add /v2.0 at the end: {}",
                entra_v2_from_v1(actual).unwrap_or_else(|| {
                    "https://login.microsoftonline.com/<tenant-id>/v2.0".to_owned()
                })
            ),
        );
    }
    if is_entra_v1(entered) && is_entra_v2(actual) {
        return Finding::fail(
            ISSUER_MATCH,
            format!("{both}: you entered the Entra v1 issuer, the document is v2"),
            format!("Enter the v2.0 issuer: {actual}"),
        );
    }
    if entered.eq_ignore_ascii_case(actual) {
        return Finding::fail(
            ISSUER_MATCH,
            format!("{both}: they differ only in letter case"),
            format!("Issuers are compared exactly, letter case included; enter {actual}"),
        );
    }
    if is_entra_v2(actual) && entra_tenant_segment(entered).is_some_and(|segment| !is_guid(segment))
    {
        return Finding::fail(
            ISSUER_MATCH,
            format!("{both}: Entra names the tenant by its id (a GUID), not by its domain"),
            format!("Enter the issuer with the tenant id: {actual}"),
        );
    }
    Finding::fail(
        ISSUER_MATCH,
        both,
        format!("Enter exactly the issuer the IdP publishes: {actual}"),
    )
}

fn is_entra_v1(issuer: &str) -> bool {
    Url::parse(issuer)
        .ok()
        .and_then(|url| {
            url.host_str()
                .map(|h| h.eq_ignore_ascii_case("sts.windows.net"))
        })
        .unwrap_or(false)
}

fn is_entra_v2(issuer: &str) -> bool {
    Url::parse(issuer).ok().is_some_and(|url| {
        url.host_str().is_some_and(is_entra_login_host)
            && url.path().trim_end_matches('/').ends_with("/v2.0")
    })
}

/// Entra's sign-in hosts (public cloud, US government, China).
pub fn is_entra_login_host(host: &str) -> bool {
    [
        "login.microsoftonline.com",
        "login.microsoftonline.us",
        "login.partner.microsoftonline.cn",
        "login.chinacloudapi.cn",
    ]
    .iter()
    .any(|known| host.eq_ignore_ascii_case(known))
}

/// The first path segment of an Entra sign-in URL (the tenant: GUID, domain, `common`…).
fn entra_tenant_segment(issuer: &str) -> Option<&str> {
    let rest = issuer.split_once("://")?.1;
    let (host, path) = rest.split_once('/')?;
    if !is_entra_login_host(host) {
        return None;
    }
    path.split('/').next().filter(|segment| !segment.is_empty())
}

fn entra_v2_from_v1(v1: &str) -> Option<String> {
    let url = Url::parse(v1).ok()?;
    let tenant = url
        .path_segments()?
        .next()
        .filter(|s| !s.is_empty())?
        .to_owned();
    Some(format!("https://login.microsoftonline.com/{tenant}/v2.0"))
}

/// True for a GUID in its usual 8-4-4-4-12 hex form.
pub fn is_guid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.chars().all(|c| c.is_ascii_hexdigit()))
}

// ---------------------------------------------------------------------------------------
// Metadata and algorithms

/// `oidc.required_metadata`: the members OpenID Connect Discovery 1.0 §3 requires, with
/// usable URLs and the `code` response type the platforms use.
pub fn metadata_finding(document: &Map<String, Value>) -> Finding {
    let mut missing: Vec<&str> = Vec::new();
    let mut broken: Vec<String> = Vec::new();
    for name in [
        "issuer",
        "authorization_endpoint",
        "token_endpoint",
        "jwks_uri",
    ] {
        match document.get(name).and_then(Value::as_str) {
            None => missing.push(name),
            Some(text) if Url::parse(text).is_err() => {
                broken.push(format!("{name} is not a URL ({text:?})"));
            }
            Some(_) => {}
        }
    }
    for name in [
        "response_types_supported",
        "subject_types_supported",
        "id_token_signing_alg_values_supported",
    ] {
        if string_array(document, name).is_none_or(|items| items.is_empty()) {
            missing.push(name);
        }
    }
    if let Some(types) = string_array(document, "response_types_supported")
        && !types.is_empty()
        && !types.contains(&"code")
    {
        broken.push(format!(
            "response_types_supported does not include \"code\" (it lists {})",
            types.join(", ")
        ));
    }
    if missing.is_empty() && broken.is_empty() {
        let userinfo = if document.contains_key("userinfo_endpoint") {
            ""
        } else {
            " (no userinfo_endpoint, which is optional)"
        };
        return Finding::pass(
            REQUIRED_METADATA,
            format!("All required members are present{userinfo}"),
        );
    }
    let mut parts = Vec::new();
    if !missing.is_empty() {
        parts.push(format!("Missing: {}", missing.join(", ")));
    }
    parts.extend(broken);
    Finding::fail(
        REQUIRED_METADATA,
        parts.join("; "),
        "The document is incomplete, so platforms cannot sign users in with it: check that the issuer is the OIDC issuer (not a SAML or OAuth-only endpoint) and that the IdP app is an OIDC app",
    )
}

/// `oidc.signing_algs`: `none` is a failure (unsigned ID tokens could be forged); only
/// symmetric algorithms or no RS256 (which Discovery §3 makes mandatory) is a warning.
pub fn signing_algs_finding(document: &Map<String, Value>) -> Finding {
    let Some(algs) =
        string_array(document, "id_token_signing_alg_values_supported").filter(|a| !a.is_empty())
    else {
        return Finding::fail(
            SIGNING_ALGS,
            "The document lists no id_token_signing_alg_values_supported",
            "Without it clients cannot know how ID tokens are signed: check the issuer URL",
        );
    };
    let list = algs.join(", ");
    if algs.iter().any(|alg| alg.eq_ignore_ascii_case("none")) {
        return Finding::fail(
            SIGNING_ALGS,
            format!("The IdP offers unsigned ID tokens (alg \"none\"): {list}"),
            "Unsigned tokens can be forged by anyone: remove \"none\" from the IdP's allowed ID token algorithms and use RS256",
        );
    }
    let asymmetric: Vec<&&str> = algs.iter().filter(|alg| !alg.starts_with("HS")).collect();
    if asymmetric.is_empty() {
        return Finding::warn(
            SIGNING_ALGS,
            format!("Only symmetric algorithms, signed with the client secret: {list}"),
            "Platforms expect tokens signed with the IdP's public keys: enable RS256 for ID tokens",
        );
    }
    if !algs.contains(&"RS256") {
        return Finding::warn(
            SIGNING_ALGS,
            format!("RS256 is not offered: {list}"),
            "OpenID Connect requires RS256 support and most platforms verify RS256 only: enable it in the IdP",
        );
    }
    Finding::pass(SIGNING_ALGS, format!("ID tokens are signed with {list}"))
}

/// `oidc.scopes`: `openid` must be supported; `profile`, `email` and the platform's
/// extra scopes should be.
pub fn scopes_finding(document: &Map<String, Value>, extra: &[String]) -> Finding {
    let mut wanted: Vec<&str> = BASE_SCOPES.to_vec();
    for scope in extra {
        if !wanted.contains(&scope.as_str()) {
            wanted.push(scope);
        }
    }
    let Some(supported) = string_array(document, "scopes_supported") else {
        return Finding::warn(
            SCOPES,
            format!(
                "The document does not list scopes_supported (it is optional), so {} cannot be confirmed",
                wanted.join(", ")
            ),
            "Run Test login to see which claims the IdP actually sends",
        );
    };
    let missing: Vec<&str> = wanted
        .iter()
        .copied()
        .filter(|scope| !supported.contains(scope))
        .collect();
    if missing.is_empty() {
        return Finding::pass(SCOPES, format!("Supported: {}", wanted.join(", ")));
    }
    let detail = format!(
        "Not listed in scopes_supported: {} (it lists {})",
        missing.join(", "),
        supported.join(", ")
    );
    if missing.contains(&"openid") {
        Finding::fail(
            SCOPES,
            detail,
            "Without the openid scope there is no OpenID Connect sign-in: check that the issuer is an OIDC issuer",
        )
    } else {
        Finding::warn(
            SCOPES,
            detail,
            "The platform asks for these scopes; grant them to the app in the IdP (Entra: API permissions, with admin consent), or user details such as the email will be missing",
        )
    }
}

// ---------------------------------------------------------------------------------------
// JWKS

/// [`fetch_jwks`], or a skip without a document; also how long it took.
async fn fetch_jwks_if(
    client: Option<&Client>,
    discovery: Option<&Discovery>,
) -> (Finding, Vec<Url>, std::time::Duration) {
    let started = Instant::now();
    let (finding, chain) = match (discovery, client) {
        (Some(discovery), Some(client)) => fetch_jwks(client, discovery).await,
        _ => (
            Finding::skip(JWKS, "Skipped: the discovery document could not be fetched"),
            Vec::new(),
        ),
    };
    (finding, chain, started.elapsed())
}

/// Fetches and judges the key set; also returns every URL requested for it (the first
/// and each redirect), for `oidc.https`.
async fn fetch_jwks(client: &Client, discovery: &Discovery) -> (Finding, Vec<Url>) {
    let Some(text) = discovery.str("jwks_uri") else {
        return (
            Finding::fail(
                JWKS,
                "The document has no jwks_uri",
                "Without it no one can verify ID tokens: check the issuer URL",
            ),
            Vec::new(),
        );
    };
    let url = match http::parse_url(text) {
        Ok(url) => url,
        Err(err) => {
            return (
                Finding::fail(
                    JWKS,
                    format!("jwks_uri is not usable: {err}"),
                    "The IdP publishes a broken jwks_uri",
                ),
                Vec::new(),
            );
        }
    };
    let response = match client
        .send(Request::get(url.clone()).accept("application/json"))
        .await
    {
        Ok(response) => response,
        Err(err) => {
            return (
                Finding::fail(
                    JWKS,
                    format!("Could not fetch the signing keys: {err}"),
                    "The platform must fetch these keys to verify sign-ins: check that jwks_uri is reachable from here",
                ),
                vec![url],
            );
        }
    };
    let chain: Vec<Url> = std::iter::once(url)
        .chain(response.redirects.iter().cloned())
        .collect();
    let at = response.final_url.as_str();
    if !response.status.is_success() {
        return (
            Finding::fail(
                JWKS,
                format!("HTTP {} from {at}", response.status.as_u16()),
                "The IdP's jwks_uri does not serve the keys",
            ),
            chain,
        );
    }
    let algs: Vec<&str> = discovery
        .strings("id_token_signing_alg_values_supported")
        .unwrap_or_default();
    (jwks_body_finding(&response.body, &algs, at), chain)
}

/// `oidc.jwks` for the body of a successful `jwks_uri` answer: not JSON is a failure that
/// quotes its start, JSON is judged by [`jwks_finding`]. `at` is the URL that served it.
pub fn jwks_body_finding(body: &[u8], advertised_algs: &[&str], at: &str) -> Finding {
    match serde_json::from_slice::<Value>(body) {
        Ok(value) => jwks_finding(&value, advertised_algs),
        Err(err) => Finding::fail(
            JWKS,
            format!(
                "The signing keys are not valid JSON ({err}); the answer starts with {:?}: {at}",
                snippet(body)
            ),
            "The IdP's jwks_uri does not serve a JWK Set",
        ),
    }
}

/// Members that only a private or symmetric key has (RFC 7518 §6.2.2, §6.3.2, §6.4).
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// `oidc.jwks`: a JWK Set with at least one usable public signing key, unique `kid`s, no
/// private-key members and no symmetric (`oct`) keys; a key for each advertised
/// asymmetric algorithm family.
pub fn jwks_finding(jwks: &Value, advertised_algs: &[&str]) -> Finding {
    let Some(keys) = jwks.get("keys").and_then(Value::as_array) else {
        return Finding::fail(
            JWKS,
            format!(
                "Not a JWK Set: the answer is {} without a \"keys\" array",
                json_kind(jwks)
            ),
            "The IdP's jwks_uri must serve {\"keys\": [...]}",
        );
    };
    if keys.is_empty() {
        return Finding::fail(
            JWKS,
            "The JWK Set has no keys",
            "The IdP publishes no keys, so no ID token can be verified: check the IdP's signing key configuration",
        );
    }

    let scan = scan_keys(keys);
    if !scan.exposed.is_empty() {
        return Finding::fail(
            JWKS,
            format!(
                "The public key set contains private key material: {}",
                scan.exposed.join("; ")
            ),
            "Anyone can read this set and forge sign-ins with these keys: treat them as compromised, rotate the IdP's signing keys now, and publish only the public members",
        );
    }
    if !scan.symmetric.is_empty() {
        return Finding::fail(
            JWKS,
            format!(
                "The key set publishes symmetric (oct) keys: {}",
                scan.symmetric.join(", ")
            ),
            "A symmetric key is a shared secret; published, it lets anyone forge tokens. Remove it and rotate it",
        );
    }
    let duplicates = scan.duplicate_kids();
    if !duplicates.is_empty() {
        return Finding::fail(
            JWKS,
            format!("Several keys share a kid: {}", duplicates.join(", ")),
            "Clients pick the key by kid, so duplicates make token checks fail at random: give each key its own kid",
        );
    }
    if scan.signing == 0 {
        let why = if scan.malformed.is_empty() {
            String::new()
        } else {
            format!(" ({})", scan.malformed.join("; "))
        };
        return Finding::fail(
            JWKS,
            format!(
                "No usable public signing key among {}{why}",
                crate::diagnostics::words::count(keys.len(), "key", "keys")
            ),
            "The IdP publishes no key that can verify ID tokens: check its signing key configuration",
        );
    }
    let signing = scan.signing;
    let notes = scan.notes(advertised_algs);
    if notes.is_empty() {
        Finding::pass(
            JWKS,
            format!(
                "{}, kids unique",
                crate::diagnostics::words::count(
                    signing,
                    "public signing key",
                    "public signing keys"
                )
            ),
        )
    } else {
        Finding::warn(
            JWKS,
            format!(
                "{}, but: {}",
                crate::diagnostics::words::count(
                    signing,
                    "public signing key",
                    "public signing keys"
                ),
                notes.join("; ")
            ),
            "Review the IdP's signing keys",
        )
    }
}

/// What a pass over the keys of a JWK Set found.
#[derive(Default)]
struct KeyScan<'a> {
    exposed: Vec<String>,
    symmetric: Vec<String>,
    malformed: Vec<String>,
    weak: Vec<String>,
    kids: Vec<&'a str>,
    signing_kty: BTreeSet<&'a str>,
    signing: usize,
    signing_without_kid: usize,
}

impl KeyScan<'_> {
    fn duplicate_kids(&self) -> Vec<&str> {
        let mut duplicates: Vec<&str> = self
            .kids
            .iter()
            .copied()
            .filter(|kid| self.kids.iter().filter(|k| *k == kid).count() > 1)
            .collect();
        duplicates.sort_unstable();
        duplicates.dedup();
        duplicates
    }

    /// Things worth a warning in an otherwise usable set.
    fn notes(self, advertised_algs: &[&str]) -> Vec<String> {
        let mut notes: Vec<String> = Vec::new();
        notes.extend(self.weak);
        notes.extend(self.malformed);
        if self.signing > 1 && self.signing_without_kid > 0 {
            notes.push(format!(
                "{} without a kid, which clients cannot pick reliably",
                crate::diagnostics::words::count(
                    self.signing_without_kid,
                    "signing key",
                    "signing keys"
                )
            ));
        }
        let asymmetric: Vec<&str> = advertised_algs
            .iter()
            .copied()
            .filter(|alg| alg_kty(alg).is_some())
            .collect();
        let uncovered: Vec<&str> = asymmetric
            .iter()
            .copied()
            .filter(|alg| alg_kty(alg).is_some_and(|kty| !self.signing_kty.contains(kty)))
            .collect();
        if !uncovered.is_empty() && uncovered.len() == asymmetric.len() {
            notes.push(format!(
                "no key for the advertised algorithm(s) {}",
                uncovered.join(", ")
            ));
        }
        notes
    }
}

fn scan_keys(keys: &[Value]) -> KeyScan<'_> {
    let mut scan = KeyScan::default();

    for (index, key) in keys.iter().enumerate() {
        let Some(key) = key.as_object() else {
            scan.malformed
                .push(format!("key #{} is not an object", index + 1));
            continue;
        };
        let kid = key.get("kid").and_then(Value::as_str);
        let name = kid.map_or_else(
            || format!("key #{}", index + 1),
            |kid| format!("kid {kid:?}"),
        );
        if let Some(kid) = kid {
            scan.kids.push(kid);
        }
        let private: Vec<&str> = PRIVATE_MEMBERS
            .iter()
            .copied()
            .filter(|m| key.contains_key(*m))
            .collect();
        let kty = key.get("kty").and_then(Value::as_str);
        if kty == Some("oct") {
            scan.symmetric.push(name.clone());
            continue;
        }
        if !private.is_empty() {
            scan.exposed
                .push(format!("{name} ({})", private.join(", ")));
        }
        let for_encryption = key.get("use").and_then(Value::as_str) == Some("enc")
            || key.get("alg").and_then(Value::as_str).is_some_and(|alg| {
                alg.starts_with("RSA-OAEP") || alg.starts_with("ECDH") || alg == "RSA1_5"
            });
        let well_formed = match kty {
            Some("RSA") => {
                let members = has_all(key, &["n", "e"]);
                if members
                    && let Some(bits) = rsa_bits(key)
                    && bits < 2048
                {
                    scan.weak.push(format!("{name} is a {bits}-bit RSA key"));
                }
                members
            }
            Some("EC") => has_all(key, &["crv", "x", "y"]),
            Some("OKP") => has_all(key, &["crv", "x"]),
            Some(_) => true,
            None => false,
        };
        if !well_formed {
            scan.malformed
                .push(format!("{name} lacks members its type needs"));
            continue;
        }
        if let Some(kty @ ("RSA" | "EC" | "OKP")) = kty
            && !for_encryption
        {
            scan.signing += 1;
            scan.signing_kty.insert(kty);
            if kid.is_none() {
                scan.signing_without_kid += 1;
            }
        }
    }
    scan
}

fn has_all(key: &Map<String, Value>, members: &[&str]) -> bool {
    members.iter().all(|m| {
        key.get(*m)
            .and_then(Value::as_str)
            .is_some_and(|v| !v.is_empty())
    })
}

fn rsa_bits(key: &Map<String, Value>) -> Option<usize> {
    use base64::Engine as _;
    let n = key.get("n")?.as_str()?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(n.trim_end_matches('='))
        .ok()?;
    let leading = bytes.iter().take_while(|b| **b == 0).count();
    Some((bytes.len() - leading) * 8)
}

fn alg_kty(alg: &str) -> Option<&'static str> {
    match alg {
        a if a.starts_with("RS") || a.starts_with("PS") => Some("RSA"),
        a if a.starts_with("ES") => Some("EC"),
        "EdDSA" | "Ed25519" | "Ed448" => Some("OKP"),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------
// Client authentication

/// How the client secret is sent to the token endpoint (RFC 6749 §2.3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthMethod {
    /// HTTP Basic with the form-encoded id and secret.
    ClientSecretBasic,
    /// `client_id` and `client_secret` in the form body.
    ClientSecretPost,
}

impl AuthMethod {
    /// The registered name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ClientSecretBasic => "client_secret_basic",
            Self::ClientSecretPost => "client_secret_post",
        }
    }
}

/// Picks how to send the secret from `token_endpoint_auth_methods_supported` (absent means
/// `client_secret_basic`, Discovery §3). Basic is preferred, except when form-encoding
/// would change the id or secret and post is allowed: servers differ in whether they
/// decode Basic credentials, while a form body is unambiguous.
pub fn choose_auth_method(
    methods: Option<&[&str]>,
    client_id: &str,
    secret: &str,
) -> Option<AuthMethod> {
    let basic = methods.is_none_or(|m| m.contains(&"client_secret_basic"));
    let post = methods.is_some_and(|m| m.contains(&"client_secret_post"));
    let changes = |text: &str| {
        url::form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>() != text
    };
    match (basic, post) {
        (true, true) if changes(client_id) || changes(secret) => Some(AuthMethod::ClientSecretPost),
        (true, _) => Some(AuthMethod::ClientSecretBasic),
        (false, true) => Some(AuthMethod::ClientSecretPost),
        (false, false) => None,
    }
}

/// Which grant a token request used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grant {
    /// `client_credentials`: no user involved.
    ClientCredentials,
    /// `authorization_code` with a made-up code.
    DummyCode,
}

/// What a token endpoint answer says about the client id and secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenVerdict {
    /// The pair was accepted.
    Accepted,
    /// The pair was rejected (`invalid_client`).
    Rejected {
        /// The IdP's error text.
        idp_says: String,
    },
    /// The client may not use this grant; the answer says nothing about the secret.
    GrantNotAllowed {
        /// The IdP's error text.
        idp_says: String,
    },
    /// An answer that does not tell.
    Unclear {
        /// What came back.
        idp_says: String,
    },
}

/// The OAuth error of a token endpoint answer (RFC 6749 §5.2).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OAuthError {
    /// `error`.
    pub error: String,
    /// `error_description`.
    pub description: String,
}

impl OAuthError {
    /// Parses an error body; `None` when it is not one.
    pub fn parse(body: &[u8]) -> Option<Self> {
        let value: Value = serde_json::from_slice(body).ok()?;
        let error = value.get("error")?.as_str()?.to_owned();
        let description = value
            .get("error_description")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        Some(Self { error, description })
    }

    /// `error: description`, shortened.
    pub fn text(&self) -> String {
        if self.description.is_empty() {
            self.error.clone()
        } else {
            format!("{}: {}", self.error, shorten(&self.description, 300))
        }
    }
}

/// Interprets a token endpoint answer to `grant`.
pub fn classify_token_response(status: u16, body: &[u8], grant: Grant) -> TokenVerdict {
    let error = OAuthError::parse(body);
    let idp_says = error.as_ref().map_or_else(
        || format!("HTTP {status}, {}", shorten(&snippet(body), 80)),
        OAuthError::text,
    );
    let code = error.as_ref().map(|e| e.error.as_str());
    let description = error
        .as_ref()
        .map(|e| e.description.to_ascii_lowercase())
        .unwrap_or_default();
    match (grant, code) {
        (Grant::ClientCredentials, None) if (200..300).contains(&status) => {
            let has_token = serde_json::from_slice::<Value>(body)
                .ok()
                .is_some_and(|v| v.get("access_token").is_some());
            if has_token {
                TokenVerdict::Accepted
            } else {
                TokenVerdict::Unclear { idp_says }
            }
        }
        // Okta's org authorization server refuses client_credentials with a secret as
        // invalid_client, whatever the secret: that says nothing about the secret.
        (_, Some("invalid_client"))
            if description.contains("private_key_jwt") || description.contains("grant") =>
        {
            TokenVerdict::GrantNotAllowed { idp_says }
        }
        (_, Some("invalid_client")) => TokenVerdict::Rejected { idp_says },
        (_, None) if status == 401 => TokenVerdict::Rejected { idp_says },
        (Grant::DummyCode, Some("invalid_grant")) => TokenVerdict::Accepted,
        (_, Some("unauthorized_client" | "unsupported_grant_type")) => {
            TokenVerdict::GrantNotAllowed { idp_says }
        }
        (
            Grant::ClientCredentials,
            Some(
                "invalid_request" | "invalid_scope" | "invalid_grant" | "access_denied"
                | "invalid_resource" | "invalid_target",
            ),
        ) => TokenVerdict::GrantNotAllowed { idp_says },
        _ => TokenVerdict::Unclear { idp_says },
    }
}

/// The scope that makes Entra issue a client-credentials token with no permissions: it
/// insists on a `scope` (AADSTS900144) and `.default` of Microsoft Graph always exists.
fn client_credentials_scope(token_endpoint: &Url) -> Option<&'static str> {
    match token_endpoint.host_str()? {
        "login.microsoftonline.com" => Some("https://graph.microsoft.com/.default"),
        "login.microsoftonline.us" => Some("https://graph.microsoft.us/.default"),
        "login.partner.microsoftonline.cn" | "login.chinacloudapi.cn" => {
            Some("https://microsoftgraph.chinacloudapi.cn/.default")
        }
        _ => None,
    }
}

/// Builds a token request authenticated with the client secret.
pub fn token_request(
    token_endpoint: Url,
    method: AuthMethod,
    client_id: &str,
    secret: &Secret,
    pairs: &[(&str, &str)],
) -> Request {
    let mut pairs: Vec<(&str, &str)> = pairs.to_vec();
    if method == AuthMethod::ClientSecretPost {
        pairs.push(("client_id", client_id));
        pairs.push(("client_secret", secret.expose()));
    }
    let mut request = Request::form(token_endpoint, &pairs).accept("application/json");
    if method == AuthMethod::ClientSecretBasic {
        // RFC 6749 §2.3.1: both parts are form-encoded before Basic encoding.
        let encode =
            |text: &str| url::form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>();
        request.basic = Some((encode(client_id), Secret::new(encode(secret.expose()))));
    }
    request
}

/// What the client check needs, or why it is skipped: the client id, the secret, the
/// token endpoint and the way to present the secret there.
fn client_auth_inputs<'a>(
    discovery: &Discovery,
    input: &'a OidcInput,
) -> Result<(&'a str, &'a Secret, Url, AuthMethod), Finding> {
    let Some(client_id) = input
        .client_id
        .as_deref()
        .map(str::trim)
        .filter(|id| !id.is_empty())
    else {
        return Err(Finding::skip(CLIENT_AUTH, "No client id entered"));
    };
    let Some(secret) = input.client_secret.as_ref().filter(|s| !s.is_empty()) else {
        return Err(Finding::skip(
            CLIENT_AUTH,
            "No client secret entered, so the pair cannot be checked",
        ));
    };
    let Some(token_endpoint) = discovery
        .str("token_endpoint")
        .and_then(|text| http::parse_url(text).ok())
    else {
        return Err(Finding::skip(
            CLIENT_AUTH,
            "The document has no usable token_endpoint",
        ));
    };
    let methods = discovery.strings("token_endpoint_auth_methods_supported");
    let Some(method) = choose_auth_method(methods.as_deref(), client_id, secret.expose()) else {
        return Err(Finding::skip(
            CLIENT_AUTH,
            format!(
                "The IdP accepts neither client_secret_basic nor client_secret_post (it lists {}), so a secret cannot be checked",
                methods.unwrap_or_default().join(", ")
            ),
        ));
    };
    Ok((client_id, secret, token_endpoint, method))
}

async fn check_client_auth(client: &Client, discovery: &Discovery, input: &OidcInput) -> Finding {
    let (client_id, secret, token_endpoint, method) = match client_auth_inputs(discovery, input) {
        Ok(inputs) => inputs,
        Err(skipped) => return skipped,
    };
    let padded = secret.expose().trim() != secret.expose();

    let mut pairs = vec![("grant_type", "client_credentials")];
    if let Some(scope) = client_credentials_scope(&token_endpoint) {
        pairs.push(("scope", scope));
    }
    let echo = redactor(Some(secret), Some(client_id)); // answers redacted before parsing
    let first = send_token(
        client,
        token_request(token_endpoint.clone(), method, client_id, secret, &pairs),
        Grant::ClientCredentials,
        &echo,
    )
    .await;
    let first_says = match first {
        TokenVerdict::Accepted => {
            return Finding::pass(
                CLIENT_AUTH,
                format!(
                    "The token endpoint accepted client id {client_id} and its secret (client_credentials grant, {})",
                    method.as_str()
                ),
            );
        }
        TokenVerdict::Rejected { idp_says } => {
            return rejected_finding(client_id, &idp_says, padded);
        }
        TokenVerdict::GrantNotAllowed { idp_says } | TokenVerdict::Unclear { idp_says } => idp_says,
    };

    let code = match random_token(24) {
        Ok(code) => code,
        Err(err) => return no_dummy_code(&err),
    };
    let mut pairs = vec![
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
    ];
    let redirect_uri = input
        .redirect_uri
        .as_deref()
        .map(str::trim)
        .filter(|uri| !uri.is_empty());
    if let Some(uri) = redirect_uri {
        pairs.push(("redirect_uri", uri));
    }
    let second = send_token(
        client,
        token_request(token_endpoint, method, client_id, secret, &pairs),
        Grant::DummyCode,
        &echo,
    )
    .await;
    match second {
        TokenVerdict::Accepted => Finding::pass(
            CLIENT_AUTH,
            format!(
                "The token endpoint accepted client id {client_id} and its secret ({}): client_credentials is not allowed for this client ({first_says}), and a made-up authorization code was refused as invalid_grant only after the client was authenticated",
                method.as_str()
            ),
        ),
        TokenVerdict::Rejected { idp_says } => rejected_finding(client_id, &idp_says, padded),
        TokenVerdict::GrantNotAllowed { idp_says } | TokenVerdict::Unclear { idp_says } => {
            Finding::warn(
                CLIENT_AUTH,
                format!(
                    "The answers do not tell whether the secret is right: client_credentials said {first_says}; the authorization code request said {idp_says}"
                ),
                "Use Test login to check the pair with a real sign-in",
            )
        }
    }
}

async fn send_token(
    client: &Client,
    request: Request,
    grant: Grant,
    echo: &Redactor,
) -> TokenVerdict {
    match client.send(request).await {
        Ok(response) => {
            let body = echo.redact(&String::from_utf8_lossy(&response.body));
            classify_token_response(response.status.as_u16(), body.as_bytes(), grant)
        }
        Err(err) => TokenVerdict::Unclear {
            idp_says: echo.redact(&err.to_string()),
        },
    }
}

fn rejected_finding(client_id: &str, idp_says: &str, padded: bool) -> Finding {
    let mut fix = entra_hint(idp_says).unwrap_or(
        "The client id is wrong, or the secret is wrong or expired: copy both again from the IdP (a secret's value, not its id), or create a new secret",
    ).to_owned();
    if padded {
        fix.push_str("; the secret you entered starts or ends with spaces, which are usually copied by mistake");
    }
    Finding::fail(
        CLIENT_AUTH,
        format!("The token endpoint rejected client id {client_id} with this secret: {idp_says}"),
        fix,
    )
}

/// Entra's error codes for a rejected client, in our words.
fn entra_hint(idp_says: &str) -> Option<&'static str> {
    let code = idp_says
        .split("AADSTS")
        .nth(1)?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>();
    Some(match code.as_str() {
        "7000215" => {
            "Entra says the secret is wrong. A common slip is copying the secret's ID instead of its Value: create a new secret and copy the Value column right away (it is shown only once)"
        }
        "7000222" => {
            "Entra says the secret has expired: create a new client secret under Certificates & secrets, then update it here and in the platform"
        }
        "700016" => {
            "Entra finds no app with this client id in this tenant: check the Application (client) ID and that the issuer names the same tenant"
        }
        "7000218" => "Entra received no secret: paste the client secret",
        "90002" => "Entra does not know this tenant: check the tenant id in the issuer",
        _ => return None,
    })
}

/// `oidc.client_auth` when the dummy code for the second token request could not be made.
fn no_dummy_code(err: &crate::secrets::RandomError) -> Finding {
    Finding::fail(
        CLIENT_AUTH,
        format!("The second token request was not sent: {err}"),
        "Run the checks again; if this keeps happening, the computer's random number generator is broken",
    )
}

/// A random URL-safe string of `bytes` random bytes (state, nonce, verifier, dummy code),
/// or the generator's error: nothing falls back to guessable bytes.
pub fn random_token(bytes: usize) -> Result<String, crate::secrets::RandomError> {
    use base64::Engine as _;
    let mut buf = zeroize::Zeroizing::new(vec![0_u8; bytes]);
    crate::secrets::random(&mut buf)?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&*buf))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Status;
    use serde_json::json;

    fn doc(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    #[test]
    fn discovery_url_appends_the_well_known_path_once() {
        let cases = [
            (
                "https://login.example.com",
                "https://login.example.com/.well-known/openid-configuration",
            ),
            (
                "https://login.example.com/",
                "https://login.example.com/.well-known/openid-configuration",
            ),
            (
                "https://idp.example/realms/x/",
                "https://idp.example/realms/x/.well-known/openid-configuration",
            ),
            (
                "https://idp.example/t/v2.0?x=1#f",
                "https://idp.example/t/v2.0/.well-known/openid-configuration",
            ),
            (
                "https://idp.example/.well-known/openid-configuration",
                "https://idp.example/.well-known/openid-configuration",
            ),
        ];
        for (issuer, expected) in cases {
            assert_eq!(
                discovery_url(&Url::parse(issuer).unwrap()).as_str(),
                expected,
                "{issuer}"
            );
        }
    }

    #[test]
    fn exact_issuer_passes() {
        let f = issuer_finding(
            "https://idp.example/realms/x",
            Some("https://idp.example/realms/x"),
        );
        assert_eq!(f.status, Status::Pass);
    }

    #[test]
    fn trailing_slash_issuer_is_a_mismatch_naming_both() {
        let f = issuer_finding("https://idp.example/", Some("https://idp.example"));
        assert_eq!(f.status, Status::Fail);
        assert!(
            f.detail.contains("https://idp.example/") && f.detail.contains("trailing slash"),
            "{}",
            f.detail
        );
        let f = issuer_finding(
            "https://dev.okta.com/oauth2/default",
            Some("https://dev.okta.com/oauth2/default/"),
        );
        assert!(
            f.detail.contains("the document's ends with a slash"),
            "{}",
            f.detail
        );
    }

    #[test]
    fn entra_common_endpoint_template_is_explained() {
        let f = issuer_finding(
            "https://login.microsoftonline.com/common/v2.0",
            Some("https://login.microsoftonline.com/{tenantid}/v2.0"),
        );
        assert_eq!(f.status, Status::Fail);
        assert!(f.detail.contains("multi-tenant"), "{}", f.detail);
        assert!(f.fix.contains("<your tenant id>"), "{}", f.fix);
    }

    #[test]
    fn entra_v1_endpoint_suggests_v2() {
        let tid = "72f988bf-86f1-41af-91ab-2d7cd011db47";
        let f = issuer_finding(
            &format!("https://login.microsoftonline.com/{tid}"),
            Some(&format!("https://sts.windows.net/{tid}/")),
        );
        assert_eq!(f.status, Status::Fail);
        assert!(f.detail.contains("v1"), "{}", f.detail);
        assert!(
            f.fix
                .contains(&format!("https://login.microsoftonline.com/{tid}/v2.0")),
            "{}",
            f.fix
        );

        let f = issuer_finding(
            &format!("https://sts.windows.net/{tid}/"),
            Some(&format!("https://sts.windows.net/{tid}/")),
        );
        assert_eq!(f.status, Status::Warn);
    }

    #[test]
    fn entra_domain_instead_of_tenant_id_is_explained() {
        let f = issuer_finding(
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0",
            Some("https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0"),
        );
        assert!(f.detail.contains("GUID"), "{}", f.detail);
    }

    #[test]
    fn letter_case_and_pasted_discovery_url_are_explained() {
        let f = issuer_finding(
            "https://IDP.example/Realm",
            Some("https://idp.example/realm"),
        );
        assert!(f.detail.contains("letter case"), "{}", f.detail);
        let f = issuer_finding(
            "https://idp.example/.well-known/openid-configuration",
            Some("https://idp.example"),
        );
        assert!(
            f.detail.contains("discovery document's URL"),
            "{}",
            f.detail
        );
        let f = issuer_finding("https://a.example", None);
        assert_eq!(f.status, Status::Fail);
    }

    #[test]
    fn guid_shape() {
        assert!(is_guid("72f988bf-86f1-41af-91ab-2d7cd011db47"));
        assert!(!is_guid("72f988bf-86f1-41af-91ab-2d7cd011db4"));
        assert!(!is_guid("contoso.onmicrosoft.com"));
        assert!(!is_guid("72f988bf86f141af91ab2d7cd011db47"));
    }

    fn full_doc() -> Value {
        json!({
            "issuer": "https://idp.example",
            "authorization_endpoint": "https://idp.example/auth",
            "token_endpoint": "https://idp.example/token",
            "jwks_uri": "https://idp.example/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile", "email"],
        })
    }

    #[test]
    fn metadata_names_missing_members() {
        assert_eq!(metadata_finding(&doc(full_doc())).status, Status::Pass);
        let mut d = doc(full_doc());
        d.remove("jwks_uri");
        d.insert("response_types_supported".into(), json!(["id_token"]));
        let f = metadata_finding(&d);
        assert_eq!(f.status, Status::Fail);
        assert!(
            f.detail.contains("jwks_uri") && f.detail.contains("\"code\""),
            "{}",
            f.detail
        );
    }

    #[test]
    fn alg_none_fails_and_hs_only_warns() {
        let f = signing_algs_finding(&doc(
            json!({"id_token_signing_alg_values_supported": ["RS256", "none"]}),
        ));
        assert_eq!(f.status, Status::Fail);
        let f = signing_algs_finding(&doc(
            json!({"id_token_signing_alg_values_supported": ["HS256"]}),
        ));
        assert_eq!(f.status, Status::Warn);
        let f = signing_algs_finding(&doc(
            json!({"id_token_signing_alg_values_supported": ["ES256"]}),
        ));
        assert_eq!(f.status, Status::Warn);
        let f = signing_algs_finding(&doc(
            json!({"id_token_signing_alg_values_supported": ["RS256", "ES256"]}),
        ));
        assert_eq!(f.status, Status::Pass);
    }

    #[test]
    fn scopes_missing_openid_fails_missing_email_warns() {
        let f = scopes_finding(
            &doc(json!({"scopes_supported": ["openid", "profile", "email"]})),
            &[],
        );
        assert_eq!(f.status, Status::Pass);
        let f = scopes_finding(
            &doc(json!({"scopes_supported": ["openid", "profile"]})),
            &["offline_access".into()],
        );
        assert_eq!(f.status, Status::Warn);
        assert!(
            f.detail.contains("email") && f.detail.contains("offline_access"),
            "{}",
            f.detail
        );
        let f = scopes_finding(&doc(json!({"scopes_supported": ["profile"]})), &[]);
        assert_eq!(f.status, Status::Fail);
        let f = scopes_finding(&doc(json!({})), &[]);
        assert_eq!(f.status, Status::Warn);
    }

    /// A base64url RSA modulus of `bits` bits (all ones).
    fn modulus(bits: usize) -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(vec![0xff_u8; bits / 8])
    }

    fn rsa_key(kid: &str) -> Value {
        json!({"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256", "e": "AQAB", "n": modulus(2048)})
    }

    #[test]
    fn jwks_with_a_public_key_passes() {
        let f = jwks_finding(&json!({"keys": [rsa_key("a"), rsa_key("b")]}), &["RS256"]);
        assert_eq!(f.status, Status::Pass, "{}", f.detail);
        let f = jwks_finding(&json!({"keys": [rsa_key("a")]}), &["ES256"]);
        assert_eq!(f.status, Status::Warn, "{}", f.detail);
        assert!(
            f.detail
                .contains("no key for the advertised algorithm(s) ES256"),
            "{}",
            f.detail
        );
    }

    #[test]
    fn jwks_private_members_fail_and_are_named() {
        let mut key = rsa_key("leaky");
        key["d"] = json!("secret");
        key["qi"] = json!("secret");
        let f = jwks_finding(&json!({"keys": [key]}), &[]);
        assert_eq!(f.status, Status::Fail);
        assert!(
            f.detail.contains("leaky") && f.detail.contains("d, qi"),
            "{}",
            f.detail
        );
        assert!(f.fix.contains("rotate"), "{}", f.fix);
    }

    #[test]
    fn jwks_oct_key_fails() {
        let f = jwks_finding(
            &json!({"keys": [rsa_key("a"), {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"}]}),
            &[],
        );
        assert_eq!(f.status, Status::Fail);
        assert!(
            f.detail.contains("symmetric") && f.detail.contains("hmac"),
            "{}",
            f.detail
        );
    }

    #[test]
    fn jwks_duplicate_kids_and_no_signing_key_fail() {
        let f = jwks_finding(&json!({"keys": [rsa_key("same"), rsa_key("same")]}), &[]);
        assert_eq!(f.status, Status::Fail);
        assert!(f.detail.contains("same"));
        let f = jwks_finding(
            &json!({"keys": [{"kty": "RSA", "kid": "e", "use": "enc", "n": "abc", "e": "AQAB"}]}),
            &[],
        );
        assert_eq!(f.status, Status::Fail);
        let f = jwks_finding(&json!({"keys": []}), &[]);
        assert_eq!(f.status, Status::Fail);
        let f = jwks_finding(&json!([1, 2]), &[]);
        assert_eq!(f.status, Status::Fail);
        assert!(f.detail.contains("an array"), "{}", f.detail);
    }

    #[test]
    fn jwks_weak_rsa_key_warns() {
        let key = json!({"kty": "RSA", "kid": "small", "e": "AQAB", "n": modulus(1024)});
        let f = jwks_finding(&json!({"keys": [key]}), &[]);
        assert_eq!(f.status, Status::Warn);
        assert!(f.detail.contains("1024-bit"), "{}", f.detail);
    }

    #[test]
    fn auth_method_follows_the_document() {
        assert_eq!(
            choose_auth_method(None, "id", "s3cret"),
            Some(AuthMethod::ClientSecretBasic)
        );
        assert_eq!(
            choose_auth_method(Some(&["client_secret_post"]), "id", "s"),
            Some(AuthMethod::ClientSecretPost)
        );
        assert_eq!(
            choose_auth_method(
                Some(&["client_secret_basic", "client_secret_post"]),
                "id",
                "a~b"
            ),
            Some(AuthMethod::ClientSecretPost)
        );
        assert_eq!(
            choose_auth_method(Some(&["client_secret_basic"]), "id", "a~b"),
            Some(AuthMethod::ClientSecretBasic)
        );
        assert_eq!(
            choose_auth_method(Some(&["private_key_jwt"]), "id", "s"),
            None
        );
    }

    #[test]
    fn token_answers_are_classified() {
        let invalid_client =
            br#"{"error":"invalid_client","error_description":"client authentication failed"}"#;
        let invalid_grant =
            br#"{"error":"invalid_grant","error_description":"grant request is invalid"}"#;
        let not_allowed = br#"{"error":"invalid_request","error_description":"requested grant type is not allowed for this client"}"#;
        let token = br#"{"access_token":"abc","token_type":"Bearer"}"#;
        assert_eq!(
            classify_token_response(200, token, Grant::ClientCredentials),
            TokenVerdict::Accepted
        );
        assert!(matches!(
            classify_token_response(401, invalid_client, Grant::ClientCredentials),
            TokenVerdict::Rejected { .. }
        ));
        assert!(matches!(
            classify_token_response(401, invalid_client, Grant::DummyCode),
            TokenVerdict::Rejected { .. }
        ));
        assert!(matches!(
            classify_token_response(400, not_allowed, Grant::ClientCredentials),
            TokenVerdict::GrantNotAllowed { .. }
        ));
        assert_eq!(
            classify_token_response(400, invalid_grant, Grant::DummyCode),
            TokenVerdict::Accepted
        );
        assert!(matches!(
            classify_token_response(401, b"nope", Grant::DummyCode),
            TokenVerdict::Rejected { .. }
        ));
        assert!(matches!(
            classify_token_response(500, b"<html>", Grant::DummyCode),
            TokenVerdict::Unclear { .. }
        ));
        let okta = br#"{"error":"invalid_client","error_description":"Client Credentials requests to the Org Authorization Server must use the private_key_jwt token_endpoint_auth_method"}"#;
        assert!(matches!(
            classify_token_response(401, okta, Grant::ClientCredentials),
            TokenVerdict::GrantNotAllowed { .. }
        ));
    }

    #[test]
    fn entra_errors_get_their_own_hint() {
        let f = rejected_finding(
            "app",
            "invalid_client: AADSTS7000215: Invalid client secret provided.",
            false,
        );
        assert!(f.fix.contains("ID instead of its Value"), "{}", f.fix);
        let f = rejected_finding(
            "app",
            "invalid_client: AADSTS7000222: The provided client secret keys are expired.",
            true,
        );
        assert!(
            f.fix.contains("expired") && f.fix.contains("spaces"),
            "{}",
            f.fix
        );
    }

    #[test]
    fn basic_credentials_are_form_encoded() {
        let url = Url::parse("https://idp.example/token").unwrap();
        let request = token_request(
            url,
            AuthMethod::ClientSecretBasic,
            "my app",
            &Secret::new("a+b"),
            &[("grant_type", "x")],
        );
        let (id, secret) = request.basic.unwrap();
        assert_eq!(id, "my+app");
        assert_eq!(secret.expose(), "a%2Bb");
        let body = String::from_utf8(request.body.unwrap()).unwrap();
        assert!(!body.contains("client_secret"));
    }

    #[test]
    fn redaction_removes_plain_and_encoded_secret() {
        let secret = Secret::new("s3cr~t+x");
        let text = "echo s3cr~t+x and s3cr%7Et%2Bx";
        let out = redact(text, &secret);
        assert!(!out.contains("s3cr"), "{out}");
    }

    #[test]
    fn random_tokens_differ() {
        let a = random_token(32).unwrap();
        assert_eq!(a.len(), 43);
        assert_ne!(a, random_token(32).unwrap());
        // A failing generator is an error, not time-derived bytes (issue #16 item 11).
        let failed = crate::secrets::test_rng::with_failing_rng(|| random_token(32));
        assert!(failed.is_err(), "{failed:?}");
    }
}

//! Test login: a real sign-in through the system browser, to see what the platform will
//! receive. Authorization code flow with PKCE S256 (RFC 7636) and a loopback redirect on
//! 127.0.0.1 (RFC 8252 §7.3): the browser is sent to the IdP, the IdP sends it back to a
//! one-shot listener here, the code is redeemed and the ID token verified against the
//! IdP's published keys (`iss`, `aud`, `exp`, `nonce`).
//!
//! This module owns the listener and the token checks. It does not open the browser
//! itself (the caller passes a function: the app uses the `open` crate, tests a script),
//! never logs a code or token, and always stops: on the callback, on cancellation, or
//! after the timeout.

use std::collections::BTreeMap;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use url::Url;

use crate::probes::http::{self, Client, Policy, Request};
use crate::probes::oidc::{self, OAuthError, random_token};
use crate::secrets::Secret;

/// How long the listener waits for the browser by default.
pub const DEFAULT_LOGIN_TIMEOUT: Duration = Duration::from_mins(5);

/// The callback path used when no redirect URI is given.
pub const DEFAULT_CALLBACK_PATH: &str = "/callback";

/// Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds.
const LEEWAY_SECS: u64 = 120;

/// What a test login needs.
#[derive(Clone, Debug)]
pub struct LoginInput {
    /// The issuer URL.
    pub issuer: String,
    /// Application (client) id.
    pub client_id: String,
    /// Client secret, for confidential clients; public clients use PKCE alone.
    pub client_secret: Option<Secret>,
    /// A loopback redirect URI registered for the client. With a port, the listener
    /// takes that port; without one, any free port (RFC 8252 §7.3). `None` means
    /// `http://127.0.0.1:<free port>/callback`.
    pub redirect_uri: Option<String>,
    /// Scopes to request; `openid` is always added.
    pub scopes: Vec<String>,
    /// ID-token claims the platform needs for just-in-time provisioning.
    pub jit_claims: Vec<String>,
    /// How long to wait for the browser to come back.
    pub timeout: Duration,
    /// Origins other than the issuer's that the admin confirmed for the tenant: the
    /// token endpoint (code, verifier, secret) and userinfo (access token) may be there.
    pub allowed_origins: Vec<String>,
    /// Accept ID tokens signed with the client secret (HS256/384/512) when the IdP
    /// advertises them; off unless the admin turned it on (OpenID Connect Core §10.1).
    pub allow_symmetric_id_tokens: bool,
}

impl LoginInput {
    /// An input with the default scopes (`openid profile email`) and timeout.
    pub fn new(issuer: impl Into<String>, client_id: impl Into<String>) -> Self {
        Self {
            issuer: issuer.into(),
            client_id: client_id.into(),
            client_secret: None,
            redirect_uri: None,
            scopes: oidc::BASE_SCOPES.iter().map(|s| (*s).to_owned()).collect(),
            jit_claims: Vec::new(),
            timeout: DEFAULT_LOGIN_TIMEOUT,
            allowed_origins: Vec::new(),
            allow_symmetric_id_tokens: false,
        }
    }
}

/// A verified sign-in.
#[derive(Clone, Debug, PartialEq)]
pub struct LoginOutcome {
    /// Every claim of the verified ID token.
    pub claims: BTreeMap<String, Value>,
    /// Claims from the userinfo endpoint (OpenID Connect Core §5.3), empty when the IdP
    /// has none or it did not answer; only kept when its `sub` is the ID token's.
    pub userinfo: BTreeMap<String, Value>,
    /// The platform's JIT claims found in neither the ID token nor userinfo.
    pub missing_jit_claims: Vec<String>,
    /// The platform's JIT claims only userinfo has: the platform gets them only if it
    /// reads the userinfo endpoint.
    pub userinfo_only_jit_claims: Vec<String>,
    /// The signature algorithm of the ID token.
    pub algorithm: String,
    /// The `kid` of the key that verified it, if the token named one.
    pub key_id: Option<String>,
    /// The redirect URI the listener served.
    pub redirect_uri: String,
    /// The scopes the token endpoint said it granted (RFC 6749 §5.1 `scope`); `None`
    /// when it did not say, which means it granted what was requested.
    pub granted_scopes: Option<Vec<String>>,
}

/// Where a claim was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClaimSource {
    /// In the verified ID token.
    IdToken,
    /// Only at the userinfo endpoint.
    Userinfo,
}

impl ClaimSource {
    /// Words for the claims table.
    pub fn label(self) -> &'static str {
        match self {
            Self::IdToken => "ID token",
            Self::Userinfo => "userinfo only",
        }
    }
}

impl LoginOutcome {
    /// The claims people look at, in display order, as text (arrays joined by commas) with
    /// where each was found; `None` when neither source has it.
    pub fn display_claims(&self) -> Vec<(&'static str, Option<(String, ClaimSource)>)> {
        DISPLAY_CLAIMS
            .iter()
            .map(|name| {
                let found = match self.claims.get(*name).and_then(claim_text) {
                    Some(text) => Some((text, ClaimSource::IdToken)),
                    None => self
                        .userinfo
                        .get(*name)
                        .and_then(claim_text)
                        .map(|text| (text, ClaimSource::Userinfo)),
                };
                (*name, found)
            })
            .collect()
    }
}

/// The claims shown after a test login.
pub const DISPLAY_CLAIMS: [&str; 7] = [
    "email",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
    "groups",
    "sub",
];

/// A claim as one line of text; `None` for null or an empty value.
pub fn claim_text(value: &Value) -> Option<String> {
    let text = match value {
        Value::Null => return None,
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .map_or_else(|| item.to_string(), str::to_owned)
            })
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    };
    if text.trim().is_empty() {
        None
    } else {
        Some(text)
    }
}

/// Why a test login did not produce a verified ID token. Messages name what happened and
/// what to do; none contains a code, token or secret.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// Something entered cannot work.
    #[error("{0}")]
    Input(String),
    /// The discovery document could not be used.
    #[error("the discovery document could not be used: {0}")]
    Discovery(String),
    /// The loopback listener could not start.
    #[error(
        "could not listen on {address} for the browser's return ({reason}); pick another port in the redirect URI"
    )]
    Listener {
        /// The address tried.
        address: String,
        /// The OS's words.
        reason: String,
    },
    /// The browser could not be opened (the opener's own sentence, which ends with the page).
    #[error("{0}")]
    Browser(String),
    /// The IdP sent the browser back with an error.
    #[error("the IdP refused the sign-in: {error}{}", description_suffix(.description))]
    Idp {
        /// The OAuth error code (`access_denied`, `invalid_request`…).
        error: String,
        /// The IdP's description (Entra puts an `AADSTS…` code here).
        description: String,
    },
    /// The `state` that came back is not the one sent.
    #[error(
        "the answer did not carry the state this sign-in sent; close other sign-in tabs and try again"
    )]
    StateMismatch,
    /// The `iss` of the authorization response (RFC 9207) is another issuer.
    #[error(
        "the answer came from issuer {got}, not {expected}; another IdP answered (mix-up); check the issuer"
    )]
    IssuerMismatch {
        /// The issuer of the discovery document.
        expected: String,
        /// The `iss` parameter that came back.
        got: String,
    },
    /// No callback in time.
    #[error(
        "no sign-in came back within {timeout_secs} s; finish the sign-in in the browser, or check the redirect URI registered in the IdP"
    )]
    Timeout {
        /// The limit that ran out.
        timeout_secs: u64,
    },
    /// The admin cancelled.
    #[error("the test login was cancelled")]
    Cancelled,
    /// The token endpoint did not give tokens for the code.
    #[error("the token endpoint refused the code: {0}")]
    Token(String),
    /// The ID token did not verify.
    #[error("the ID token did not verify: {0}")]
    IdToken(String),
    /// An endpoint may not receive the credentials (plain http, another address not
    /// confirmed for the tenant); nothing was sent and the browser was not opened.
    #[error("{detail}; {fix}")]
    Credentials {
        /// What was held back and why.
        detail: String,
        /// What to do.
        fix: String,
    },
    /// No state, nonce or PKCE verifier could be made.
    #[error("the test login did not start: {0}")]
    Random(#[from] crate::secrets::RandomError),
}

fn description_suffix(description: &str) -> String {
    if description.is_empty() {
        String::new()
    } else {
        format!(" ({description})")
    }
}

impl LoginError {
    /// Text to look up in the troubleshooting catalog (`AADSTS50105`, `access_denied`…).
    pub fn lookup_text(&self) -> String {
        match self {
            Self::Idp { error, description } => format!("{error} {description}"),
            other => other.to_string(),
        }
    }
}

/// What the IdP's endpoints are, from discovery.
struct Endpoints {
    issuer: String,
    authorization: Url,
    token: Url,
    jwks: Url,
    userinfo: Option<Url>,
    auth_methods: Option<Vec<String>>,
    /// `id_token_signing_alg_values_supported` (RS256 when absent, Discovery §3).
    algorithms: Vec<String>,
}

/// Runs a test login: discovers the endpoints, listens on loopback, calls `open_browser`
/// with the authorization URL, waits for the browser (at most `input.timeout`, or until
/// `cancel` completes), redeems the code and verifies the ID token.
pub async fn run<C>(
    input: &LoginInput,
    policy: Policy,
    open_browser: &(dyn Fn(&str) -> Result<(), String> + Send + Sync),
    cancel: C,
) -> Result<LoginOutcome, LoginError>
where
    C: Future<Output = ()> + Send,
{
    let client_id = input.client_id.trim();
    if client_id.is_empty() {
        return Err(LoginError::Input("enter the client id first".to_owned()));
    }
    let client = Client::new(policy).map_err(|err| LoginError::Discovery(err.to_string()))?;
    let endpoints = discover(&client, &input.issuer).await?;
    // Checked before the browser opens: a code that could not be redeemed here is no test.
    let scope = credential_scope(&endpoints, input)?;

    let (bind, path) = listener_address(input.redirect_uri.as_deref())?;
    let listener = TcpListener::bind(bind)
        .await
        .map_err(|err| LoginError::Listener {
            address: bind.to_string(),
            reason: err.to_string(),
        })?;
    let local = listener.local_addr().map_err(|err| LoginError::Listener {
        address: bind.to_string(),
        reason: err.to_string(),
    })?;
    let redirect_uri = redirect_uri_for(input.redirect_uri.as_deref(), local, &path);

    let state = random_token(32)?;
    let nonce = random_token(32)?;
    let verifier = random_token(32)?;
    let authorization_url = authorization_url(
        &endpoints.authorization,
        client_id,
        &redirect_uri,
        &input.scopes,
        &state,
        &nonce,
        &verifier,
    );

    open_browser(authorization_url.as_str()).map_err(LoginError::Browser)?;

    let timeout_secs = input.timeout.as_secs();
    let callback = tokio::select! {
        result = tokio::time::timeout(input.timeout, wait_for_callback(&listener, &path, &state)) => {
            result.map_err(|_| LoginError::Timeout { timeout_secs })?
        }
        () = cancel => return Err(LoginError::Cancelled),
    };
    drop(listener);

    let code = authorization_code(&callback, &state, &endpoints.issuer)?;

    let tokens = redeem(
        &client,
        &endpoints,
        client_id,
        input.client_secret.as_ref(),
        &code,
        &redirect_uri,
        &verifier,
    )
    .await?;
    let jwks = fetch_jwks(&client, &endpoints.jwks).await?;
    let token = verify_id_token_for(
        &tokens.id_token,
        &jwks,
        &IdTokenExpectations {
            issuer: &endpoints.issuer,
            client_id,
            nonce: &nonce,
            algorithms: &endpoints.algorithms,
            symmetric_secret: input
                .client_secret
                .as_ref()
                .filter(|_| input.allow_symmetric_id_tokens),
        },
    )?;
    let userinfo = match (&endpoints.userinfo, &tokens.access_token) {
        // The access token goes to userinfo under the same rule as the secret; userinfo
        // is a bonus, so a refused endpoint is simply not asked.
        (Some(url), Some(access_token)) if scope.check(url).is_ok() => {
            fetch_userinfo(&client, url, access_token, &token.claims).await
        }
        _ => BTreeMap::new(),
    };
    let in_token = missing_claims(&token.claims, &input.jit_claims);
    let missing_jit_claims = missing_claims(&userinfo, &in_token);
    let userinfo_only_jit_claims = in_token
        .into_iter()
        .filter(|c| !missing_jit_claims.contains(c))
        .collect();
    Ok(LoginOutcome {
        claims: token.claims,
        userinfo,
        missing_jit_claims,
        userinfo_only_jit_claims,
        algorithm: token.algorithm,
        key_id: token.key_id,
        redirect_uri,
        granted_scopes: tokens.granted_scopes,
    })
}

/// Where this login's credentials may go: the issuer's origin and the confirmed ones; an
/// error when the token endpoint is not among them.
fn credential_scope(
    endpoints: &Endpoints,
    input: &LoginInput,
) -> Result<http::CredentialScope, LoginError> {
    let scope = http::CredentialScope::new(
        &http::parse_url(&endpoints.issuer).map_err(|err| LoginError::Input(err.to_string()))?,
        &input.allowed_origins,
    );
    scope
        .check(&endpoints.token)
        .map_err(|refusal| LoginError::Credentials {
            detail: format!(
                "the sign-in was not started, as the code and client secret could not go to the token endpoint: {}",
                refusal.reason()
            ),
            fix: refusal.fix(),
        })?;
    Ok(scope)
}

/// The authorization code of the browser's return, after checking it answers this
/// sign-in: the IdP's error, a foreign `state`, or another issuer's `iss` stop here.
pub fn authorization_code(
    callback: &BTreeMap<String, String>,
    state: &str,
    issuer: &str,
) -> Result<String, LoginError> {
    if let Some(error) = callback.get("error") {
        return Err(LoginError::Idp {
            error: error.clone(),
            description: callback
                .get("error_description")
                .cloned()
                .unwrap_or_default(),
        });
    }
    if callback.get("state").map(String::as_str) != Some(state) {
        return Err(LoginError::StateMismatch);
    }
    // RFC 9207: when the IdP names itself in the response it must be the expected one.
    if let Some(iss) = callback.get("iss")
        && iss != issuer
    {
        return Err(LoginError::IssuerMismatch {
            expected: issuer.to_owned(),
            got: iss.clone(),
        });
    }
    callback
        .get("code")
        .cloned()
        .ok_or_else(|| LoginError::Idp {
            error: "no code".to_owned(),
            description: "the IdP came back without an authorization code".to_owned(),
        })
}

async fn discover(client: &Client, issuer: &str) -> Result<Endpoints, LoginError> {
    let entered = http::parse_url(issuer).map_err(|err| LoginError::Input(err.to_string()))?;
    let response = client
        .send(Request::get(oidc::discovery_url(&entered)).accept("application/json"))
        .await
        .map_err(|err| LoginError::Discovery(err.to_string()))?;
    let (_, document) = oidc::discovery_from_response(&response)
        .map_err(|finding| LoginError::Discovery(finding.detail))?;
    // A document that travelled over plain http to another computer could have been
    // changed on the way: none of its endpoints gets a credential.
    if let Some(refusal) = std::iter::once(&entered)
        .chain(response.redirects.iter())
        .find_map(http::credential_blocker)
    {
        return Err(LoginError::Credentials {
            detail: format!(
                "the sign-in was not started, as the discovery document came from an address no credential may go to: {}",
                refusal.reason()
            ),
            fix: refusal.fix(),
        });
    }
    // Discovery §4.3: the document's issuer must be exactly the issuer entered.
    let entered_text = issuer.trim();
    let document_issuer = document
        .get("issuer")
        .and_then(Value::as_str)
        .ok_or_else(|| LoginError::Discovery("the document has no issuer".to_owned()))?;
    if document_issuer != entered_text {
        return Err(LoginError::Discovery(format!(
            "the document names the issuer {document_issuer}, not {entered_text} as entered; enter exactly the issuer the IdP publishes (Run the checks explains the difference)"
        )));
    }
    let strings = |name: &str| {
        oidc::string_array(&document, name)
            .map(|items| items.into_iter().map(str::to_owned).collect::<Vec<_>>())
    };
    let algorithms = strings("id_token_signing_alg_values_supported")
        .filter(|algs| !algs.is_empty())
        .unwrap_or_else(|| vec!["RS256".to_owned()]);
    let optional_url = |name: &str| {
        document
            .get(name)
            .and_then(Value::as_str)
            .and_then(|text| http::parse_url(text).ok())
    };
    let url = |name: &str| {
        optional_url(name).ok_or_else(|| {
            LoginError::Discovery(format!(
                "the document has no usable {name}; run the checks first"
            ))
        })
    };
    Ok(Endpoints {
        issuer: document_issuer.to_owned(),
        algorithms,
        authorization: url("authorization_endpoint")?,
        token: url("token_endpoint")?,
        jwks: url("jwks_uri")?,
        userinfo: optional_url("userinfo_endpoint"),
        auth_methods: strings("token_endpoint_auth_methods_supported"),
    })
}

/// Where to listen and which path to expect, from the registered redirect URI.
pub fn listener_address(redirect_uri: Option<&str>) -> Result<(SocketAddr, String), LoginError> {
    let Some(text) = redirect_uri.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok((
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            DEFAULT_CALLBACK_PATH.to_owned(),
        ));
    };
    let url = Url::parse(text).map_err(|err| {
        LoginError::Input(format!("the redirect URI is not a URL ({err}): {text}"))
    })?;
    let not_loopback = || {
        LoginError::Input(format!(
            "test login receives the sign-in on this computer, so it needs a loopback redirect URI such as http://127.0.0.1/callback registered for the client (for Entra: a \"Mobile and desktop applications\" platform); {text} cannot be received here"
        ))
    };
    if url.scheme() != "http" {
        return Err(not_loopback());
    }
    let ip = match url.host() {
        Some(url::Host::Ipv4(ip)) if ip.is_loopback() => IpAddr::V4(ip),
        Some(url::Host::Ipv6(ip)) if ip.is_loopback() => IpAddr::V6(ip),
        Some(url::Host::Domain(name)) if name.eq_ignore_ascii_case("localhost") => {
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        }
        _ => return Err(not_loopback()),
    };
    let ip = if ip == IpAddr::V6(Ipv6Addr::LOCALHOST) {
        ip
    } else {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    };
    let port = url.port().unwrap_or(0);
    let path = if url.path().is_empty() {
        "/".to_owned()
    } else {
        url.path().to_owned()
    };
    Ok((SocketAddr::new(ip, port), path))
}

fn redirect_uri_for(registered: Option<&str>, local: SocketAddr, path: &str) -> String {
    let host = match registered
        .and_then(|text| Url::parse(text.trim()).ok())
        .and_then(|url| url.host_str().map(str::to_owned))
    {
        Some(host) => host,
        None => local.ip().to_string(),
    };
    format!("http://{host}:{}{path}", local.port())
}

/// The authorization request (OpenID Connect Core §3.1.2.1 with PKCE S256).
pub fn authorization_url(
    endpoint: &Url,
    client_id: &str,
    redirect_uri: &str,
    scopes: &[String],
    state: &str,
    nonce: &str,
    verifier: &str,
) -> Url {
    let mut scope: Vec<&str> = vec!["openid"];
    for extra in scopes {
        if !scope.contains(&extra.as_str()) && !extra.trim().is_empty() {
            scope.push(extra);
        }
    }
    let mut url = endpoint.clone();
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("scope", &scope.join(" "))
        .append_pair("state", state)
        .append_pair("nonce", nonce)
        .append_pair("code_challenge", &pkce_challenge(verifier))
        .append_pair("code_challenge_method", "S256");
    url
}

/// `BASE64URL(SHA256(verifier))` (RFC 7636 §4.2).
pub fn pkce_challenge(verifier: &str) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()))
}

/// How long one connection to the listener may take to send its request.
const REQUEST_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Accepts connections until one brings the callback of this sign-in: a GET on `path`
/// with a `code` or an `error` and this sign-in's `state`. Connections are served
/// concurrently, so an idle one delays nothing; anything else (a favicon, a stray probe,
/// a callback with another or no state, forged error callbacks included) is answered
/// and ignored, and the listener keeps waiting until the caller's deadline.
async fn wait_for_callback(
    listener: &TcpListener,
    path: &str,
    state: &str,
) -> BTreeMap<String, String> {
    let (found, mut arrived) = tokio::sync::mpsc::channel::<BTreeMap<String, String>>(1);
    // Dropped on return, which ends every connection still being served.
    let mut connections = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    continue;
                };
                let (path, state, found) = (path.to_owned(), state.to_owned(), found.clone());
                connections.spawn(async move {
                    if let Some(params) = serve_connection(stream, &path, &state).await {
                        let _ = found.send(params).await;
                    }
                });
            }
            Some(params) = arrived.recv() => return params,
            // Reap finished connections so the set does not grow.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// Serves one connection to the listener; `Some` with the parameters when it brought
/// this sign-in's callback.
async fn serve_connection(
    mut stream: TcpStream,
    path: &str,
    state: &str,
) -> Option<BTreeMap<String, String>> {
    let Ok(Ok(target)) =
        tokio::time::timeout(REQUEST_READ_TIMEOUT, read_request_target(&mut stream)).await
    else {
        return None;
    };
    let (request_path, query) = target.split_once('?').unwrap_or((target.as_str(), ""));
    let params: BTreeMap<String, String> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    if request_path != path || !(params.contains_key("code") || params.contains_key("error")) {
        respond(
            &mut stream,
            "404 Not Found",
            "Not found",
            "This address only receives the sign-in answer.",
        )
        .await;
        return None;
    }
    if params.get("state").map(String::as_str) != Some(state) {
        // Not the answer to this sign-in (an old tab, or a forgery): its text is not shown.
        respond(
            &mut stream,
            "400 Bad Request",
            "Not this sign-in",
            "This answer does not belong to the sign-in sso-scim-wizard is waiting for, so it was ignored. Finish the sign-in in the tab the wizard opened.",
        )
        .await;
        return None;
    }
    if let Some(error) = params.get("error") {
        let description = params
            .get("error_description")
            .map(String::as_str)
            .unwrap_or_default();
        respond(
            &mut stream,
            "200 OK",
            "Sign-in failed",
            &format!("The identity provider answered: {error} {description}. Return to sso-scim-wizard to see what it means."),
        )
        .await;
    } else {
        respond(
            &mut stream,
            "200 OK",
            "Sign-in received",
            "You can close this tab and return to sso-scim-wizard.",
        )
        .await;
    }
    Some(params)
}

/// Reads a request head (at most 16 KiB) and returns the request target of a GET.
async fn read_request_target(stream: &mut TcpStream) -> std::io::Result<String> {
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0_u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
        let read = stream.read(&mut buf).await?;
        if read == 0 {
            break;
        }
        head.extend_from_slice(&buf[..read]);
    }
    let text = String::from_utf8_lossy(&head);
    let line = text.lines().next().unwrap_or_default();
    let mut parts = line.split_whitespace();
    match (parts.next(), parts.next()) {
        (Some("GET"), Some(target)) => Ok(target.to_owned()),
        _ => Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "not a GET request",
        )),
    }
}

async fn respond(stream: &mut TcpStream, status: &str, title: &str, message: &str) {
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title></head><body style=\"font-family:sans-serif;margin:3em\"><h1>{title}</h1><p>{}</p></body></html>",
        escape_html(message)
    );
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    // The browser's tab is a courtesy; the sign-in goes on whether or not it gets this.
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

async fn redeem(
    client: &Client,
    endpoints: &Endpoints,
    client_id: &str,
    secret: Option<&Secret>,
    code: &str,
    redirect_uri: &str,
    verifier: &str,
) -> Result<Tokens, LoginError> {
    let pairs = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
        ("code_verifier", verifier),
    ];
    let request = if let Some(secret) = secret.filter(|s| !s.is_empty()) {
        let methods: Option<Vec<&str>> = endpoints
            .auth_methods
            .as_ref()
            .map(|m| m.iter().map(String::as_str).collect());
        let method = oidc::choose_auth_method(methods.as_deref(), client_id, secret.expose())
            .ok_or_else(|| {
                LoginError::Token(
                    "the IdP accepts neither client_secret_basic nor client_secret_post".to_owned(),
                )
            })?;
        oidc::token_request(endpoints.token.clone(), method, client_id, secret, &pairs)
    } else {
        // A public client proves itself with the PKCE verifier alone (RFC 7636).
        let mut public = pairs.to_vec();
        public.push(("client_id", client_id));
        Request::form(endpoints.token.clone(), &public).accept("application/json")
    };
    let response = client
        .send(request)
        .await
        .map_err(|err| LoginError::Token(err.to_string()))?;
    let scrub = |text: String| match secret {
        Some(secret) => oidc::redactor(Some(secret), Some(client_id)).redact(&text),
        None => text,
    };
    if !response.status.is_success() {
        let says = OAuthError::parse(&response.body).map_or_else(
            || format!("HTTP {}", response.status.as_u16()),
            |e| e.text(),
        );
        return Err(LoginError::Token(scrub(says)));
    }
    let value: Value = response
        .json()
        .map_err(|err| LoginError::Token(format!("the answer is not JSON ({err})")))?;
    let id_token = value
        .get("id_token")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| {
            LoginError::Token(
                "the answer has no id_token; check that the openid scope is granted to the app"
                    .to_owned(),
            )
        })?;
    let access_token = value
        .get("access_token")
        .and_then(Value::as_str)
        .map(Secret::new);
    let granted_scopes = value
        .get("scope")
        .and_then(Value::as_str)
        .map(|scope| scope.split_whitespace().map(str::to_owned).collect());
    Ok(Tokens {
        id_token,
        access_token,
        granted_scopes,
    })
}

/// What the token endpoint gave for the code.
struct Tokens {
    id_token: String,
    access_token: Option<Secret>,
    /// The token answer's `scope` (RFC 6749 §5.1), when it sent one.
    granted_scopes: Option<Vec<String>>,
}

/// The userinfo claims, or nothing when the endpoint fails or names another subject (a
/// mismatched `sub` must be ignored, OpenID Connect Core §5.3.4). Userinfo is a bonus:
/// its failure does not fail the login.
async fn fetch_userinfo(
    client: &Client,
    url: &Url,
    access_token: &Secret,
    id_claims: &BTreeMap<String, Value>,
) -> BTreeMap<String, Value> {
    let request = Request::get(url.clone())
        .accept("application/json")
        .bearer(access_token.clone());
    let Ok(response) = client.send(request).await else {
        return BTreeMap::new();
    };
    let Ok(Value::Object(claims)) = response.json() else {
        return BTreeMap::new();
    };
    if !response.status.is_success() || claims.get("sub") != id_claims.get("sub") {
        return BTreeMap::new();
    }
    claims.into_iter().collect()
}

async fn fetch_jwks(client: &Client, url: &Url) -> Result<Value, LoginError> {
    let response = client
        .send(Request::get(url.clone()).accept("application/json"))
        .await
        .map_err(|err| {
            LoginError::IdToken(format!("the signing keys could not be fetched: {err}"))
        })?;
    if !response.status.is_success() {
        return Err(LoginError::IdToken(format!(
            "the signing keys could not be fetched: HTTP {}",
            response.status.as_u16()
        )));
    }
    response
        .json()
        .map_err(|err| LoginError::IdToken(format!("the signing keys are not JSON ({err})")))
}

/// A verified ID token.
#[derive(Clone, Debug, PartialEq)]
pub struct VerifiedIdToken {
    /// Its claims.
    pub claims: BTreeMap<String, Value>,
    /// Its `alg`.
    pub algorithm: String,
    /// Its `kid`, if any.
    pub key_id: Option<String>,
}

/// Verifies an ID token's signature against the JWK Set (or, for HS* tokens, the client
/// secret) and checks `iss`, `aud`, `exp` and `nonce` (OpenID Connect Core §3.1.3.7),
/// accepting every asymmetric algorithm and, with a secret, HS*. The test login uses the
/// stricter [`verify_id_token_for`].
pub fn verify_id_token(
    token: &str,
    jwks: &Value,
    issuer: &str,
    client_id: &str,
    nonce: &str,
    secret: Option<&Secret>,
) -> Result<VerifiedIdToken, LoginError> {
    let mut algorithms: Vec<String> = [
        "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA",
    ]
    .map(str::to_owned)
    .to_vec();
    if secret.is_some() {
        algorithms.extend(["HS256", "HS384", "HS512"].map(str::to_owned));
    }
    verify_id_token_for(
        token,
        jwks,
        &IdTokenExpectations {
            issuer,
            client_id,
            nonce,
            algorithms: &algorithms,
            symmetric_secret: secret,
        },
    )
}

/// What an ID token must match (OpenID Connect Core §3.1.3.7).
#[derive(Clone, Copy, Debug)]
pub struct IdTokenExpectations<'a> {
    /// The issuer the admin entered (the document's issuer equals it).
    pub issuer: &'a str,
    /// The client id: the audience, and `azp` when there are several audiences.
    pub client_id: &'a str,
    /// The nonce this sign-in sent.
    pub nonce: &'a str,
    /// The algorithms the IdP advertises (`id_token_signing_alg_values_supported`).
    pub algorithms: &'a [String],
    /// The client secret, only when the admin allowed HS* ID tokens; `None` refuses them.
    pub symmetric_secret: Option<&'a Secret>,
}

/// Verifies an ID token: signed with an advertised algorithm (HS* only with
/// [`IdTokenExpectations::symmetric_secret`]) by a published key, `iss` exactly the issuer,
/// `aud` naming the client, `azp` the client when present and required with several
/// audiences, `sub`, `iat`, `exp` present, and the nonce this sign-in sent.
pub fn verify_id_token_for(
    token: &str,
    jwks: &Value,
    expect: &IdTokenExpectations<'_>,
) -> Result<VerifiedIdToken, LoginError> {
    let IdTokenExpectations {
        issuer,
        client_id,
        nonce,
        algorithms,
        symmetric_secret,
    } = *expect;
    let bad = |reason: String| LoginError::IdToken(reason);
    let raw_alg = raw_header_alg(token).ok_or_else(|| bad("it is not a signed JWT".to_owned()))?;
    if raw_alg.eq_ignore_ascii_case("none") {
        return Err(bad("it is unsigned (alg \"none\"), so anyone could have written it; configure the IdP to sign ID tokens with RS256".to_owned()));
    }
    if !algorithms.contains(&raw_alg) {
        return Err(bad(format!(
            "it is signed with {raw_alg}, which the IdP does not advertise (it lists {}); a token with another algorithm is not trusted",
            algorithms.join(", ")
        )));
    }
    let header = jsonwebtoken::decode_header(token)
        .map_err(|err| bad(format!("its header is not usable ({err})")))?;
    let alg = header.alg;
    if is_symmetric(alg) && symmetric_secret.is_none() {
        return Err(bad(format!(
            "it is signed with {alg:?}, a shared-secret algorithm that anyone holding the client secret can forge; this test accepts only tokens signed with the IdP's published keys (RS256 or similar): configure the IdP to sign ID tokens with RS256"
        )));
    }
    let keys = candidate_keys(jwks, alg, header.kid.as_deref(), symmetric_secret)?;

    let mut validation = Validation::new(alg);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[client_id]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation.leeway = LEEWAY_SECS;

    let mut last_error = None;
    for key in &keys {
        match jsonwebtoken::decode::<Map<String, Value>>(token, key, &validation) {
            Ok(data) => {
                let claims: BTreeMap<String, Value> = data.claims.into_iter().collect();
                check_required_claims(&claims, client_id).map_err(bad)?;
                match claims.get("nonce").and_then(Value::as_str) {
                    Some(got) if got == nonce => {}
                    Some(_) => return Err(bad(
                        "its nonce is not the one this sign-in sent (a replayed or mixed-up token)"
                            .to_owned(),
                    )),
                    None => return Err(bad("it has no nonce, although one was sent".to_owned())),
                }
                return Ok(VerifiedIdToken {
                    claims,
                    algorithm: format!("{alg:?}"),
                    key_id: header.kid.clone(),
                });
            }
            Err(err) => last_error = Some(err),
        }
    }
    let claims: Map<String, Value> = jsonwebtoken::dangerous::insecure_decode(token)
        .map(|data| data.claims)
        .unwrap_or_default();
    let claim = |name: &str| {
        claims
            .get(name)
            .map_or_else(|| "missing".to_owned(), Value::to_string)
    };
    Err(bad(
        match last_error.as_ref().map(jsonwebtoken::errors::Error::kind) {
            Some(jsonwebtoken::errors::ErrorKind::InvalidSignature) => {
                "its signature does not match the IdP's published keys".to_owned()
            }
            Some(jsonwebtoken::errors::ErrorKind::ExpiredSignature) => {
                "it has already expired; check this computer's clock".to_owned()
            }
            Some(jsonwebtoken::errors::ErrorKind::ImmatureSignature) => {
                "it is not valid yet (nbf in the future); check this computer's clock".to_owned()
            }
            Some(jsonwebtoken::errors::ErrorKind::InvalidIssuer) => {
                format!("its iss is {} but the issuer is {issuer}", claim("iss"))
            }
            Some(jsonwebtoken::errors::ErrorKind::InvalidAudience) => {
                format!(
                    "its aud is {} but the client id is {client_id}",
                    claim("aud")
                )
            }
            Some(jsonwebtoken::errors::ErrorKind::MissingRequiredClaim(name)) => {
                format!("it has no {name} claim")
            }
            Some(other) => format!("{other:?}"),
            None => "no key could verify it".to_owned(),
        },
    ))
}

fn is_symmetric(alg: Algorithm) -> bool {
    matches!(alg, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512)
}

/// The claims OpenID Connect Core §2 and §3.1.3.7 require beyond what the JWT library
/// checks: a non-empty `sub`, a numeric `iat`, and `azp` equal to the client id when
/// present, required when `aud` names several audiences.
fn check_required_claims(claims: &BTreeMap<String, Value>, client_id: &str) -> Result<(), String> {
    if claims
        .get("sub")
        .and_then(Value::as_str)
        .is_none_or(|sub| sub.trim().is_empty())
    {
        return Err(
            "it has no sub claim (the user's id), so the platform could not tell users apart"
                .to_owned(),
        );
    }
    if !claims.get("iat").is_some_and(Value::is_number) {
        return Err("it has no iat claim (when it was issued)".to_owned());
    }
    let several = claims
        .get("aud")
        .and_then(Value::as_array)
        .is_some_and(|aud| aud.len() > 1);
    match claims.get("azp") {
        Some(Value::String(azp)) if azp == client_id => Ok(()),
        Some(azp) => Err(format!(
            "its azp (the party it was issued to) is {azp}, not the client id {client_id}"
        )),
        None if several => Err(format!(
            "it names several audiences but no azp, so it cannot be told whether it was issued to {client_id}"
        )),
        None => Ok(()),
    }
}

/// The `alg` of a JWT's header, read without any library so `none` can be named.
fn raw_header_alg(token: &str) -> Option<String> {
    use base64::Engine as _;
    let header = token.split('.').next()?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header.trim_end_matches('='))
        .ok()?;
    let value: Value = serde_json::from_slice(&bytes).ok()?;
    value.get("alg")?.as_str().map(str::to_owned)
}

fn candidate_keys(
    jwks: &Value,
    alg: Algorithm,
    kid: Option<&str>,
    secret: Option<&Secret>,
) -> Result<Vec<DecodingKey>, LoginError> {
    let bad = |reason: String| LoginError::IdToken(reason);
    if is_symmetric(alg) {
        // Symmetric ID tokens are signed with the client secret (OpenID Connect Core §10.1).
        let secret = secret.filter(|s| !s.is_empty()).ok_or_else(|| {
            bad(format!(
                "it is signed with {alg:?}, which needs the client secret; enter it"
            ))
        })?;
        return Ok(vec![DecodingKey::from_secret(secret.expose().as_bytes())]);
    }
    let keys = jwks
        .get("keys")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("the IdP's key set has no keys".to_owned()))?;
    let family = alg.family();
    let usable: Vec<(Option<String>, DecodingKey)> = keys
        .iter()
        // Symmetric keys are never taken from a published set: that would let anyone sign.
        .filter(|key| key.get("kty").and_then(Value::as_str) != Some("oct"))
        .filter_map(|key| serde_json::from_value::<Jwk>(key.clone()).ok())
        .filter(|jwk| {
            jwk.common
                .public_key_use
                .as_ref()
                .is_none_or(|u| *u == jsonwebtoken::jwk::PublicKeyUse::Signature)
        })
        .filter_map(|jwk| {
            let key = DecodingKey::from_jwk(&jwk).ok()?;
            (key.family() == family).then(|| (jwk.common.key_id.clone(), key))
        })
        .collect();
    let chosen: Vec<DecodingKey> = match kid {
        Some(kid) => usable
            .into_iter()
            .filter(|(id, _)| id.as_deref() == Some(kid))
            .map(|(_, key)| key)
            .collect(),
        None => usable.into_iter().map(|(_, key)| key).collect(),
    };
    if chosen.is_empty() {
        return Err(bad(match kid {
            Some(kid) => format!(
                "no published {alg:?} key has its kid {kid:?} (the IdP may have rotated keys; try again)"
            ),
            None => format!("no published key fits its algorithm {alg:?}"),
        }));
    }
    Ok(chosen)
}

/// The `wanted` claims that are absent, null or empty in `claims`.
pub fn missing_claims(claims: &BTreeMap<String, Value>, wanted: &[String]) -> Vec<String> {
    wanted
        .iter()
        .filter(|name| claims.get(name.as_str()).and_then(claim_text).is_none())
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pkce_challenge_matches_rfc_7636_appendix_b() {
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn listener_takes_the_registered_loopback_port_or_any() {
        let (addr, path) = listener_address(None).unwrap();
        assert_eq!((addr.port(), path.as_str()), (0, "/callback"));
        let (addr, path) = listener_address(Some("http://127.0.0.1:8765/cb")).unwrap();
        assert_eq!(
            (addr.to_string().as_str(), path.as_str()),
            ("127.0.0.1:8765", "/cb")
        );
        let (addr, _) = listener_address(Some("http://localhost/callback")).unwrap();
        assert_eq!(addr.port(), 0);
        let err = listener_address(Some("https://app.example.com/callback"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("loopback"), "{err}");
    }

    #[test]
    fn authorization_url_carries_pkce_state_and_nonce() {
        let endpoint = Url::parse("https://idp.example/auth?tenant=x").unwrap();
        let url = authorization_url(
            &endpoint,
            "app",
            "http://127.0.0.1:5/callback",
            &["profile".into(), "openid".into()],
            "st",
            "no",
            "ver",
        );
        let params: BTreeMap<String, String> = url.query_pairs().into_owned().collect();
        assert_eq!(params["tenant"], "x");
        assert_eq!(params["scope"], "openid profile");
        assert_eq!(params["code_challenge_method"], "S256");
        assert_eq!(params["code_challenge"], pkce_challenge("ver"));
        assert_eq!(
            (params["state"].as_str(), params["nonce"].as_str()),
            ("st", "no")
        );
    }

    #[test]
    fn missing_jit_claims_include_empty_values() {
        let claims: BTreeMap<String, Value> = [
            ("email".to_owned(), json!("a@b.example")),
            ("given_name".to_owned(), json!("")),
            ("groups".to_owned(), json!(["g"])),
        ]
        .into_iter()
        .collect();
        let wanted = vec![
            "email".to_owned(),
            "given_name".to_owned(),
            "family_name".to_owned(),
            "groups".to_owned(),
        ];
        assert_eq!(
            missing_claims(&claims, &wanted),
            ["given_name", "family_name"]
        );
    }

    fn jwt(header: &Value, claims: &Value) -> String {
        use base64::Engine as _;
        let enc =
            |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
        format!("{}.{}.", enc(header), enc(claims))
    }

    #[test]
    fn unsigned_id_token_is_refused_by_name() {
        let token = jwt(&json!({"alg": "none"}), &json!({"iss": "x"}));
        let err = verify_id_token(&token, &json!({"keys": []}), "x", "app", "n", None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("unsigned"), "{err}");
    }

    #[test]
    fn hs256_id_token_verifies_with_the_client_secret_and_checks_claims() {
        let secret = Secret::new("client-secret-for-hs256-test-0001");
        let exp = jsonwebtoken::get_current_timestamp() + 600;
        let claims = json!({"iss": "https://idp.example", "aud": "app", "exp": exp, "iat": exp - 900, "sub": "u1", "nonce": "n1", "email": "a@b.example"});
        let token = jsonwebtoken::encode(
            &jsonwebtoken::Header::new(Algorithm::HS256),
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(secret.expose().as_bytes()),
        )
        .unwrap();
        let ok = verify_id_token(
            &token,
            &json!({"keys": []}),
            "https://idp.example",
            "app",
            "n1",
            Some(&secret),
        )
        .unwrap();
        assert_eq!(ok.claims["email"], "a@b.example");

        let wrong = Secret::new("wrong");
        // (issuer, audience, nonce, secret) that each break one thing, and the words for it.
        let cases: [(&str, &str, &str, &Secret, &[&str]); 4] = [
            ("https://idp.example", "app", "other", &secret, &["nonce"]),
            (
                "https://other.example",
                "app",
                "n1",
                &secret,
                &["iss", "https://other.example"],
            ),
            ("https://idp.example", "other-app", "n1", &secret, &["aud"]),
            ("https://idp.example", "app", "n1", &wrong, &["signature"]),
        ];
        for (issuer, audience, nonce, key, words) in cases {
            let err = verify_id_token(
                &token,
                &json!({"keys": []}),
                issuer,
                audience,
                nonce,
                Some(key),
            )
            .unwrap_err()
            .to_string();
            assert!(words.iter().all(|w| err.contains(w)), "{err}");
        }
    }

    #[test]
    fn callback_from_another_issuer_is_a_mix_up() {
        let callback: BTreeMap<String, String> = [
            ("code", "c"),
            ("state", "s"),
            ("iss", "https://evil.example"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .into();
        let err = authorization_code(&callback, "s", "https://idp.example").unwrap_err();
        assert!(matches!(err, LoginError::IssuerMismatch { .. }), "{err:?}");
        assert_eq!(
            authorization_code(&callback, "s", "https://evil.example").unwrap(),
            "c"
        );
    }

    #[test]
    fn idp_error_text_is_looked_up_with_its_description() {
        let err = LoginError::Idp {
            error: "access_denied".into(),
            description: "AADSTS50105: not assigned".into(),
        };
        assert!(err.lookup_text().contains("AADSTS50105"));
        assert!(err.to_string().contains("access_denied (AADSTS50105"));
    }

    const HS_SECRET: &str = "client-secret-for-id-token-rules-0001";

    /// An HS256 token over `claims`, signed with [`HS_SECRET`].
    fn hs256(claims: &Value) -> String {
        jsonwebtoken::encode(
            &jsonwebtoken::Header::new(Algorithm::HS256),
            claims,
            &jsonwebtoken::EncodingKey::from_secret(HS_SECRET.as_bytes()),
        )
        .unwrap()
    }

    fn good_claims() -> Map<String, Value> {
        let now = jsonwebtoken::get_current_timestamp();
        let Value::Object(map) = json!({
            "iss": "https://idp.example", "aud": "app", "exp": now + 600, "iat": now,
            "sub": "user-1", "nonce": "n1",
        }) else {
            unreachable!()
        };
        map
    }

    /// Verifies `claims` as the test login does, with HS256 advertised and allowed.
    fn verify_claims(claims: Map<String, Value>) -> Result<VerifiedIdToken, LoginError> {
        let secret = Secret::new(HS_SECRET);
        verify_advertised(&hs256(&Value::Object(claims)), &["HS256"], Some(&secret))
    }

    /// Verifies `token` as the test login does, for an IdP that advertises `algorithms`.
    fn verify_advertised(
        token: &str,
        algorithms: &[&str],
        symmetric_secret: Option<&Secret>,
    ) -> Result<VerifiedIdToken, LoginError> {
        let algorithms: Vec<String> = algorithms.iter().map(|a| (*a).to_owned()).collect();
        verify_id_token_for(
            token,
            &json!({"keys": []}),
            &IdTokenExpectations {
                issuer: "https://idp.example",
                client_id: "app",
                nonce: "n1",
                algorithms: &algorithms,
                symmetric_secret,
            },
        )
    }

    #[test]
    fn id_token_rules_accept_a_complete_token() {
        verify_claims(good_claims()).unwrap();
        let mut claims = good_claims();
        claims.insert("aud".into(), json!(["app", "api"]));
        claims.insert("azp".into(), json!("app"));
        verify_claims(claims).unwrap();
    }

    /// The good claims with `changes` made.
    fn claims_with(changes: &[(&str, Value)]) -> Map<String, Value> {
        let mut claims = good_claims();
        for (name, value) in changes {
            claims.insert((*name).to_owned(), value.clone());
        }
        claims
    }

    /// Why `claims` are refused.
    fn refusal(claims: Map<String, Value>) -> String {
        verify_claims(claims).unwrap_err().to_string()
    }

    #[test]
    fn id_token_without_sub_or_iat_is_refused() {
        for (name, expect) in [("sub", "sub"), ("iat", "iat")] {
            let mut claims = good_claims();
            claims.remove(name);
            let err = refusal(claims);
            assert!(err.contains(expect), "{name}: {err}");
        }
        let err = refusal(claims_with(&[("sub", json!(""))]));
        assert!(err.contains("sub"), "{err}");
    }

    #[test]
    fn id_token_with_several_audiences_needs_azp_naming_the_client() {
        let audiences = ("aud", json!(["app", "other-app"]));
        let err = refusal(claims_with(std::slice::from_ref(&audiences)));
        assert!(err.contains("azp"), "{err}");
        let err = refusal(claims_with(&[audiences, ("azp", json!("other-app"))]));
        assert!(err.contains("azp") && err.contains("other-app"), "{err}");
        // An azp for someone else is refused with a single audience too.
        assert!(verify_claims(claims_with(&[("azp", json!("other-app"))])).is_err());
    }

    #[test]
    fn id_token_iss_must_be_the_entered_issuer() {
        let err = refusal(claims_with(&[("iss", json!("https://idp.example/"))]));
        assert!(err.contains("iss"), "{err}");
    }

    #[test]
    fn id_token_algorithm_must_be_advertised_and_hs_needs_the_admins_consent() {
        let token = hs256(&Value::Object(good_claims()));
        let secret = Secret::new(HS_SECRET);
        let expect = |algorithms: &[&str], secret: Option<&Secret>| {
            verify_advertised(&token, algorithms, secret).map_err(|err| err.to_string())
        };
        // The IdP advertises only RS256: an HS256 token is refused even with the secret.
        let err = expect(&["RS256"], Some(&secret)).unwrap_err();
        assert!(err.contains("does not advertise"), "{err}");
        // Advertised, but the admin did not allow shared-secret tokens.
        let err = expect(&["RS256", "HS256"], None).unwrap_err();
        assert!(err.contains("shared-secret"), "{err}");
        expect(&["RS256", "HS256"], Some(&secret)).unwrap();
    }

    /// Sends `GET target` to the listener and returns the status line of the answer.
    async fn get(address: SocketAddr, target: &str) -> String {
        let mut stream = TcpStream::connect(address).await.unwrap();
        stream
            .write_all(format!("GET {target} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
            .await
            .unwrap();
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer).await;
        String::from_utf8_lossy(&answer)
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned()
    }

    #[tokio::test]
    #[expect(
        clippy::disallowed_methods,
        reason = "#[tokio::test] blocks on the test's own runtime, not on a frame"
    )]
    async fn the_listener_ignores_forged_callbacks_and_idle_connections() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let started = std::time::Instant::now();
        let waiting = tokio::spawn(async move {
            let params = wait_for_callback(&listener, "/callback", "the-state").await;
            (params, started.elapsed())
        });
        // An idle connection that never sends a byte, held open throughout.
        let _idle = TcpStream::connect(address).await.unwrap();
        // A forged error callback without a state, and one with the wrong state.
        let forged = get(
            address,
            "/callback?error=access_denied&error_description=call%20%2B1-555",
        )
        .await;
        assert!(forged.contains("400"), "{forged}");
        let wrong = get(address, "/callback?code=c&state=not-the-state").await;
        assert!(wrong.contains("400"), "{wrong}");
        let wrong_error = get(address, "/callback?error=x&state=not-the-state").await;
        assert!(wrong_error.contains("400"), "{wrong_error}");
        assert!(!waiting.is_finished(), "a forged callback ended the wait");
        // The real callback still gets through at once.
        let real = get(address, "/callback?code=the-code&state=the-state").await;
        assert!(real.contains("200"), "{real}");
        let (params, elapsed) = tokio::time::timeout(Duration::from_secs(3), waiting)
            .await
            .expect("the real callback was not taken in time")
            .unwrap();
        assert_eq!(params["code"], "the-code");
        assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
    }
}

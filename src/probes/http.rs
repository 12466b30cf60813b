//! The one HTTP client policy every probe uses (DESIGN.md, "Network policy").
//!
//! Total timeout per request (default 10 s), a cap on response bodies (read in chunks and
//! abandoned past the cap, never buffered whole), at most 5 redirects followed by hand so
//! an `Authorization` header never reaches another origin (a request with credentials
//! that is sent elsewhere stops with an error), rustls with the OS trust store,
//! and a `User-Agent` naming the app. Errors name the URL and what to do, never a header
//! value.

use std::error::Error as _;
use std::time::{Duration, Instant};

use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use url::Url;

use crate::secrets::Secret;

/// Default total time allowed for one request, redirects and body included.
pub const DEFAULT_TIMEOUT_SECS: u64 = 10;
/// Default cap on a response body (discovery, JWKS, SCIM).
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;
/// Redirects followed at most.
pub const MAX_REDIRECTS: usize = 5;

/// Limits applied to every request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    /// Total time per request, redirects and body included.
    pub timeout: Duration,
    /// Largest body read; a larger one is an error.
    pub max_body_bytes: usize,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(DEFAULT_TIMEOUT_SECS),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }
}

impl Policy {
    /// The default policy with another timeout.
    pub fn with_timeout_secs(timeout_secs: u64) -> Self {
        Self {
            timeout: Duration::from_secs(timeout_secs.max(1)),
            ..Self::default()
        }
    }
}

/// Why a request produced no usable response. Each variant carries the URL and reads as
/// an instruction.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The text is not an http(s) URL.
    #[error("{reason}; enter a full https:// URL: {url}")]
    InvalidUrl {
        /// What was entered.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The host name does not resolve.
    #[error(
        "the host name could not be resolved (DNS); check the spelling and your network or VPN: {url}"
    )]
    Dns {
        /// The URL requested.
        url: String,
    },
    /// Nothing accepts connections there.
    #[error("could not connect ({reason}); check the host, port and any firewall or proxy: {url}")]
    Connect {
        /// The URL requested.
        url: String,
        /// The OS's words.
        reason: String,
    },
    /// The TLS handshake failed.
    #[error(
        "the TLS connection failed: {reason}; check the certificate (an inspecting proxy needs its CA trusted by this computer): {url}"
    )]
    Tls {
        /// The URL requested.
        url: String,
        /// The TLS library's reason (untrusted issuer, expired, wrong name…).
        reason: String,
    },
    /// No complete answer in time.
    #[error("no answer within {timeout_secs} s; check the URL and any proxy: {url}")]
    Timeout {
        /// The URL requested.
        url: String,
        /// The limit that ran out.
        timeout_secs: u64,
    },
    /// More than [`MAX_REDIRECTS`] redirects, or a loop.
    #[error(
        "more than {MAX_REDIRECTS} redirects; the URL probably points at a login page or a redirect loop: {url}"
    )]
    TooManyRedirects {
        /// The first URL requested.
        url: String,
    },
    /// The body passed the size cap.
    #[error(
        "the response is larger than {limit_bytes} bytes and was not read; this is not the endpoint that was expected: {url}"
    )]
    BodyTooLarge {
        /// The URL requested.
        url: String,
        /// The cap.
        limit_bytes: usize,
    },
    /// Anything else the transport reported.
    #[error("the request failed ({reason}): {url}")]
    Other {
        /// The URL requested.
        url: String,
        /// What the transport said.
        reason: String,
    },
}

impl HttpError {
    /// The kind of failure in two or three words, without the URL the error's own text
    /// holds: for log lines and for the SCIM probe's request summary.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::InvalidUrl { .. } => "invalid URL",
            Self::Dns { .. } => "DNS failure",
            Self::Connect { .. } => "connection failed",
            Self::Tls { .. } => "TLS failure",
            Self::Timeout { .. } => "timed out",
            Self::TooManyRedirects { .. } => "too many redirects",
            Self::BodyTooLarge { .. } => "body too large",
            Self::Other { .. } => "request failed",
        }
    }
}

/// A request to send. `Debug` shows the body's length only: a form body can hold a
/// `client_secret`, a code or a PKCE verifier (issue #16 item 9).
#[derive(Clone)]
pub struct Request {
    /// Method.
    pub method: Method,
    /// Absolute URL.
    pub url: Url,
    /// Bearer token or other credential, sent only to the request's own origin.
    pub bearer: Option<Secret>,
    /// Basic auth pair (client id, secret), sent only to the request's own origin.
    pub basic: Option<(String, Secret)>,
    /// Extra headers (never credentials: use `bearer`/`basic`).
    pub headers: HeaderMap,
    /// Body bytes, if any.
    pub body: Option<Vec<u8>>,
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Self {
            method,
            url,
            bearer,
            basic,
            headers,
            body,
        } = self;
        f.debug_struct("Request")
            .field("method", method)
            .field("url", &url.as_str())
            .field("bearer", bearer)
            .field("basic", &basic.as_ref().map(|(id, secret)| (id, secret)))
            .field("headers", &headers.keys().collect::<Vec<_>>())
            .field("body", &body.as_ref().map(|b| format!("{} bytes", b.len())))
            .finish()
    }
}

impl Request {
    /// A GET.
    pub fn get(url: Url) -> Self {
        Self {
            method: Method::GET,
            url,
            bearer: None,
            basic: None,
            headers: HeaderMap::new(),
            body: None,
        }
    }

    /// A request with a JSON body and the given content type.
    pub fn with_json(
        method: Method,
        url: Url,
        body: &serde_json::Value,
        content_type: &'static str,
    ) -> Self {
        let mut request = Self::get(url);
        request.method = method;
        request.body = Some(body.to_string().into_bytes());
        request
            .headers
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        request
    }

    /// A POST with a form-urlencoded body.
    pub fn form(url: Url, pairs: &[(&str, &str)]) -> Self {
        let mut serializer = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in pairs {
            serializer.append_pair(name, value);
        }
        let mut request = Self::get(url);
        request.method = Method::POST;
        request.body = Some(serializer.finish().into_bytes());
        request.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        request
    }

    /// Adds a bearer token.
    #[must_use]
    pub fn bearer(mut self, token: Secret) -> Self {
        self.bearer = Some(token);
        self
    }

    /// Adds an `Accept` header.
    #[must_use]
    pub fn accept(mut self, value: &'static str) -> Self {
        self.headers
            .insert(header::ACCEPT, HeaderValue::from_static(value));
        self
    }
}

/// A response whose body was read within the cap.
#[derive(Debug, Clone)]
pub struct Response {
    /// Final status (after redirects).
    pub status: StatusCode,
    /// Final headers.
    pub headers: HeaderMap,
    /// The URL that answered (after redirects).
    pub final_url: Url,
    /// Every URL redirected through, in order, not counting the first.
    pub redirects: Vec<Url>,
    /// The body.
    pub body: Vec<u8>,
    /// Time from first byte sent to body read.
    pub elapsed: Duration,
}

impl Response {
    /// The `Content-Type` without parameters, lower-cased; empty when absent.
    pub fn content_type(&self) -> String {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase())
            .unwrap_or_default()
    }

    /// True when the body looks like an HTML page rather than JSON.
    pub fn looks_like_html(&self) -> bool {
        let ct = self.content_type();
        if ct.contains("html") {
            return true;
        }
        let start: String = String::from_utf8_lossy(&self.body[..self.body.len().min(512)])
            .trim_start()
            .chars()
            .take(15)
            .collect::<String>()
            .to_ascii_lowercase();
        start.starts_with("<!doctype html") || start.starts_with("<html")
    }

    /// The body parsed as JSON.
    pub fn json(&self) -> Result<serde_json::Value, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }

    /// Milliseconds the request took.
    pub fn elapsed_ms(&self) -> u64 {
        u64::try_from(self.elapsed.as_millis()).unwrap_or(u64::MAX)
    }
}

/// An HTTP client with the policy built in.
#[derive(Clone, Debug)]
pub struct Client {
    inner: reqwest::Client,
    policy: Policy,
}

impl Client {
    /// A client with this policy.
    pub fn new(policy: Policy) -> Result<Self, HttpError> {
        let inner = reqwest::Client::builder()
            .user_agent(concat!("sso-scim-wizard/", env!("CARGO_PKG_VERSION")))
            // Redirects are followed by hand so credentials stay on their origin.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(policy.timeout)
            .build()
            .map_err(|err| HttpError::Other {
                url: String::new(),
                reason: chain(&err),
            })?;
        Ok(Self { inner, policy })
    }

    /// The policy in force.
    pub fn policy(&self) -> Policy {
        self.policy
    }

    /// Sends a request, follows up to [`MAX_REDIRECTS`] redirects (GET and HEAD only),
    /// reads the body within the cap, all within the policy's timeout. A request with
    /// credentials that is redirected to another origin stops there with an error naming
    /// that origin: the credentials never leave their origin, and an anonymous answer from
    /// the other host would pass for a refused token.
    pub async fn send(&self, request: Request) -> Result<Response, HttpError> {
        let url = request.url.to_string();
        let logged = (request.method.clone(), log_url(&request.url));
        let timeout_secs = self.policy.timeout.as_secs();
        let result = match tokio::time::timeout(self.policy.timeout, self.send_inner(request)).await
        {
            // The transport's own connect timeout is the policy's too: name the policy's.
            Ok(Err(HttpError::Timeout { url, .. })) => {
                Err(HttpError::Timeout { url, timeout_secs })
            }
            Ok(result) => result,
            Err(_) => Err(HttpError::Timeout { url, timeout_secs }),
        };
        let (method, url) = logged;
        match &result {
            Ok(response) => log::debug!(
                "{method} {url}: {} in {} ms, {} bytes",
                response.status,
                response.elapsed_ms(),
                response.body.len()
            ),
            Err(err) => log::debug!("{method} {url}: {}", err.kind()),
        }
        result
    }

    async fn send_inner(&self, request: Request) -> Result<Response, HttpError> {
        let started = Instant::now();
        let first_url = request.url.to_string();
        let origin = request.url.origin();
        let carries_credentials = carries_credentials(&request);
        // Whatever the caller decided: no credential over plain http to another computer,
        // none in a URL with userinfo.
        if carries_credentials && let Some(refusal) = credential_blocker(&request.url) {
            return Err(HttpError::Other {
                url: first_url,
                reason: refusal.message("the credential"),
            });
        }
        let mut url = request.url.clone();
        let mut redirects = Vec::new();
        loop {
            let same_origin = url.origin() == origin;
            let mut builder = self
                .inner
                .request(request.method.clone(), url.clone())
                .headers(request.headers.clone());
            if same_origin {
                if let Some(token) = &request.bearer {
                    builder = builder.bearer_auth(token.expose());
                }
                if let Some((user, secret)) = &request.basic {
                    builder = builder.basic_auth(user, Some(secret.expose()));
                }
            }
            if redirects.is_empty()
                && let Some(body) = &request.body
            {
                builder = builder.body(body.clone());
            }
            let response = builder
                .send()
                .await
                .map_err(|err| classify(&err, url.as_str()))?;
            let status = response.status();
            if status.is_redirection()
                && let Some(location) = response.headers().get(header::LOCATION)
                && matches!(request.method, Method::GET | Method::HEAD)
            {
                if redirects.len() >= MAX_REDIRECTS {
                    return Err(HttpError::TooManyRedirects { url: first_url });
                }
                let location = location.to_str().unwrap_or_default();
                let next = url.join(location).map_err(|err| HttpError::Other {
                    url: url.to_string(),
                    reason: format!("unusable redirect target {location:?}: {err}"),
                })?;
                // Following without the credentials would ask the other host anonymously
                // and blame its 401 on the token or secret: stop and name the redirect.
                if carries_credentials && next.origin() != origin {
                    return Err(HttpError::Other {
                        url: first_url,
                        reason: format!(
                            "it redirects to {}, a different address, and credentials are never sent to a different address; if that one is right, enter it instead",
                            next.origin().ascii_serialization()
                        ),
                    });
                }
                redirects.push(next.clone());
                url = next;
                continue;
            }
            let headers = response.headers().clone();
            let body = read_capped(response, self.policy.max_body_bytes, url.as_str()).await?;
            return Ok(Response {
                status,
                headers,
                final_url: url,
                redirects,
                body,
                elapsed: started.elapsed(),
            });
        }
    }
}

/// A URL as a log line may show it: scheme, host, port and path. Userinfo, query and
/// fragment are left out whole, since any of them can carry a credential (`code=`,
/// `sig=`, `user:password@`).
fn log_url(url: &Url) -> String {
    format!(
        "{}://{}{}",
        url.scheme(),
        url.host_str()
            .map_or_else(String::new, |host| match url.port() {
                Some(port) => format!("{host}:{port}"),
                None => host.to_owned(),
            }),
        url.path()
    )
}

/// True when the request holds something that must stay on its origin: a bearer token,
/// a Basic pair, or (against the rule on [`Request::headers`]) such a header set by hand.
fn carries_credentials(request: &Request) -> bool {
    request.bearer.is_some()
        || request.basic.is_some()
        || [
            header::AUTHORIZATION,
            header::COOKIE,
            header::PROXY_AUTHORIZATION,
        ]
        .iter()
        .any(|name| request.headers.contains_key(name))
}

async fn read_capped(
    mut response: reqwest::Response,
    limit: usize,
    url: &str,
) -> Result<Vec<u8>, HttpError> {
    if response
        .content_length()
        .is_some_and(|len| len > limit as u64)
    {
        return Err(HttpError::BodyTooLarge {
            url: url.to_owned(),
            limit_bytes: limit,
        });
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|err| classify(&err, url))? {
        if body.len() + chunk.len() > limit {
            return Err(HttpError::BodyTooLarge {
                url: url.to_owned(),
                limit_bytes: limit,
            });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Parses what an admin typed as an http(s) URL, with a message that says what is wrong.
pub fn parse_url(text: &str) -> Result<Url, HttpError> {
    let trimmed = text.trim();
    let invalid = |reason: &str| HttpError::InvalidUrl {
        url: trimmed.to_owned(),
        reason: reason.to_owned(),
    };
    if trimmed.is_empty() {
        return Err(invalid("the URL is empty"));
    }
    if trimmed.chars().any(char::is_whitespace) {
        return Err(invalid("the URL contains spaces"));
    }
    let url = Url::parse(trimmed).map_err(|err| invalid(&format!("not a URL ({err})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid(&format!(
            "the scheme is {:?}, not https",
            url.scheme()
        )));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("the URL has no host"));
    }
    Ok(url)
}

/// True for 127.0.0.0/8, `::1` and `localhost`: plain http is tolerated there (warn only).
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Why a credential may not go to a URL (DESIGN.md, "Where credentials may go").
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CredentialRefusal {
    /// The URL carries a user name or password (`user:pass@host`).
    Userinfo,
    /// Plain http to a host that is not this computer: the credential would travel
    /// unencrypted.
    PlainHttp {
        /// The origin, `http://host:port`.
        origin: String,
    },
    /// Another origin than the one the admin entered, not confirmed for the tenant.
    OtherOrigin {
        /// The origin the URL is on.
        origin: String,
        /// The origin the admin entered.
        home: String,
    },
}

impl CredentialRefusal {
    /// What was held back and why, in one sentence; `what` names the credential and the
    /// endpoint ("the client secret and code for the token endpoint").
    pub fn message(&self, what: &str) -> String {
        format!("{what} was not sent: {}", self.reason())
    }

    /// Why, as the end of a sentence.
    pub fn reason(&self) -> String {
        match self {
            Self::Userinfo => {
                "the address has a user name or password in it (user:password@host)".to_owned()
            }
            Self::PlainHttp { origin } => format!(
                "{origin} uses plain http to another computer, so anything sent there travels unencrypted"
            ),
            Self::OtherOrigin { origin, home } => format!(
                "the endpoint is on {origin}, not on {home} that was entered, and credentials go to another address only once you confirm it"
            ),
        }
    }

    /// What to do, in one sentence.
    pub fn fix(&self) -> String {
        match self {
            Self::Userinfo => "Remove the user name and password from the address".to_owned(),
            Self::PlainHttp { .. } => {
                "Use the https:// address; plain http is only accepted to this computer (127.0.0.1, localhost, [::1])".to_owned()
            }
            Self::OtherOrigin { origin, .. } => format!(
                "If {origin} really belongs to your IdP, confirm it in the Test SSO step (or pass --allow-endpoint-origin {origin} to check oidc), then run the checks again"
            ),
        }
    }
}

/// The rule every credential follows whatever its target: no userinfo in the URL and no
/// plain http except to loopback.
pub fn credential_blocker(url: &Url) -> Option<CredentialRefusal> {
    if !url.username().is_empty() || url.password().is_some() {
        return Some(CredentialRefusal::Userinfo);
    }
    if url.scheme() != "https" && !is_loopback(url) {
        return Some(CredentialRefusal::PlainHttp {
            origin: url.origin().ascii_serialization(),
        });
    }
    None
}

/// Where one tenant's credentials may go: the origin the admin entered (the issuer's, the
/// SCIM base URL's) and the other origins confirmed for that tenant; never plain http
/// except to loopback, never a URL with userinfo.
#[derive(Clone, Debug)]
pub struct CredentialScope {
    home: url::Origin,
    confirmed: Vec<url::Origin>,
}

impl CredentialScope {
    /// The scope of an entered URL with the origins confirmed for the tenant (texts that
    /// do not parse as a URL are ignored).
    pub fn new(home: &Url, confirmed: &[String]) -> Self {
        Self {
            home: home.origin(),
            confirmed: confirmed
                .iter()
                .filter_map(|text| Url::parse(text.trim()).ok())
                .map(|url| url.origin())
                .collect(),
        }
    }

    /// `Ok` when a credential may be sent to `url`.
    pub fn check(&self, url: &Url) -> Result<(), CredentialRefusal> {
        if let Some(refusal) = credential_blocker(url) {
            return Err(refusal);
        }
        let origin = url.origin();
        if origin == self.home || self.confirmed.contains(&origin) {
            return Ok(());
        }
        Err(CredentialRefusal::OtherOrigin {
            origin: origin.ascii_serialization(),
            home: self.home.ascii_serialization(),
        })
    }
}

/// Parses an origin the admin names (`https://login.example.com`), as given to
/// `--allow-endpoint-origin`: https, or http to loopback; no path, query or userinfo.
/// Returns it as `scheme://host[:port]`.
pub fn parse_origin(text: &str) -> Result<String, String> {
    let trimmed = text.trim();
    let url = Url::parse(trimmed).map_err(|err| {
        format!("{trimmed:?} is not an origin such as https://login.example.com ({err})")
    })?;
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!(
            "{trimmed:?} has no host; give an origin such as https://login.example.com"
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "{trimmed:?} has a user name or password in it; give only scheme, host and port"
        ));
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "{trimmed:?} has a path; give only scheme, host and port, such as https://login.example.com"
        ));
    }
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(format!(
                "{trimmed:?} uses plain http; credentials only go to https addresses (or to this computer)"
            ));
        }
        other => return Err(format!("{trimmed:?} uses {other}:, not https")),
    }
    Ok(url.origin().ascii_serialization())
}

/// Every message in an error's source chain, joined; used to classify transport errors.
fn chain(err: &dyn std::error::Error) -> String {
    let mut parts = vec![err.to_string()];
    let mut source = err.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = cause.source();
    }
    parts.join(": ")
}

fn classify(err: &reqwest::Error, url: &str) -> HttpError {
    let url = url.to_owned();
    let text = chain(err);
    let lower = text.to_ascii_lowercase();
    if err.is_timeout() {
        return HttpError::Timeout {
            url,
            timeout_secs: DEFAULT_TIMEOUT_SECS,
        };
    }
    if lower.contains("dns error")
        || lower.contains("failed to lookup address")
        || lower.contains("name or service not known")
        // rustls' words for a host that is no valid DNS name (a label over 63 bytes, say).
        || lower.contains("invalid dns name")
    {
        return HttpError::Dns { url };
    }
    if lower.contains("certificate")
        || lower.contains("tls")
        || lower.contains("handshake")
        || lower.contains("unknownissuer")
        // rustls' words when the other side answers a ClientHello with plain HTTP.
        || lower.contains("corrupt message")
        || lower.contains("invalidcontenttype")
    {
        return HttpError::Tls {
            url,
            reason: tls_reason(&text),
        };
    }
    if err.is_connect() {
        let reason = if lower.contains("connection refused") {
            "connection refused: nothing is listening there".to_owned()
        } else {
            last_cause(err)
        };
        return HttpError::Connect { url, reason };
    }
    HttpError::Other {
        url,
        reason: transport_reason(last_cause(err)),
    }
}

/// Turns hyper's wording for a broken answer into an admin's; anything else is kept.
fn transport_reason(cause: String) -> String {
    let lower = cause.to_ascii_lowercase();
    let plain = if lower.contains("connection closed before message completed") {
        "the server closed the connection without answering"
    } else if lower.contains("end of file before message length reached") {
        "the server closed the connection before the whole answer arrived"
    } else if lower.contains("message head is too large") {
        "the answer's headers are far larger than any real endpoint's, so it was not read"
    } else if lower.contains("invalid http") || lower.contains("invalid uri") {
        "the answer is not HTTP: another kind of server listens on this port, or it is broken"
    } else if lower.contains("connection reset") {
        "the server reset the connection"
    } else {
        return cause;
    };
    plain.to_owned()
}

fn last_cause(err: &reqwest::Error) -> String {
    let mut last = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        last = cause.to_string();
        source = cause.source();
    }
    last
}

/// Turns rustls' wording into an admin's.
fn tls_reason(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    if lower.contains("unknownissuer")
        || lower.contains("unknown issuer")
        || lower.contains("self-signed")
        || lower.contains("self signed")
    {
        "the certificate is not issued by an authority this computer trusts".to_owned()
    } else if lower.contains("causedasendentity") {
        // A self-signed certificate made with `openssl req -x509` is marked as a CA.
        "the certificate is self-signed (a CA certificate used by the server itself), and this computer does not trust it".to_owned()
    } else if lower.contains("expired") {
        "the certificate has expired".to_owned()
    } else if lower.contains("notvalidforname") || lower.contains("not valid for name") {
        "the certificate does not name this host".to_owned()
    } else if lower.contains("corrupt message")
        || lower.contains("invalidcontenttype")
        || lower.contains("received corrupt")
    {
        "the server does not speak TLS on this port (try http, or the right port)".to_owned()
    } else {
        text.rsplit(": ").next().unwrap_or(text).to_owned()
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn request_debug_never_shows_a_form_body_or_credentials() {
        let url = Url::parse("https://idp.example.com/token").unwrap();
        let mut request = Request::form(
            url,
            &[
                ("client_secret", "form-secret-1234"),
                ("code", "the-code-5678"),
            ],
        );
        request.basic = Some(("app".into(), Secret::new("basic-secret-9012")));
        let shown = format!("{request:?}");
        for secret in ["form-secret-1234", "the-code-5678", "basic-secret-9012"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("bytes"), "{shown}");
    }

    use super::*;

    #[test]
    fn parse_url_explains_what_is_wrong() {
        for (input, expect) in [
            ("", "empty"),
            ("login.example.com/x", "not a URL"),
            ("https://exa mple.com", "spaces"),
            ("ftp://example.com", "scheme"),
        ] {
            let err = parse_url(input).unwrap_err().to_string();
            assert!(err.contains(expect), "{input:?} → {err}");
        }
        assert_eq!(
            parse_url("  https://example.com/a ").unwrap().as_str(),
            "https://example.com/a"
        );
    }

    #[test]
    fn loopback_hosts_are_recognised() {
        assert!(is_loopback(&Url::parse("http://127.0.0.1:9/").unwrap()));
        assert!(is_loopback(&Url::parse("http://[::1]:9/").unwrap()));
        assert!(is_loopback(&Url::parse("http://localhost/").unwrap()));
        assert!(!is_loopback(&Url::parse("http://10.0.0.1/").unwrap()));
    }

    #[test]
    fn broken_answers_are_named_in_plain_words() {
        for (cause, expect) in [
            (
                "connection closed before message completed",
                "without answering",
            ),
            (
                "end of file before message length reached",
                "before the whole answer",
            ),
            ("message head is too large", "headers are far larger"),
            ("invalid HTTP version parsed", "not HTTP"),
            ("invalid HTTP status-code parsed", "not HTTP"),
        ] {
            let plain = transport_reason(cause.to_owned());
            assert!(plain.contains(expect), "{cause} → {plain}");
        }
        assert_eq!(transport_reason("odd".to_owned()), "odd");
    }

    #[test]
    fn credentials_are_recognised_however_they_were_added() {
        let url = Url::parse("https://scim.example.com/v2/Users").unwrap();
        assert!(!carries_credentials(&Request::get(url.clone())));
        assert!(carries_credentials(
            &Request::get(url.clone()).bearer(Secret::new("t"))
        ));
        let mut basic = Request::get(url.clone());
        basic.basic = Some(("id".to_owned(), Secret::new("s")));
        assert!(carries_credentials(&basic));
        let mut by_hand = Request::get(url);
        by_hand
            .headers
            .insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer t"));
        assert!(carries_credentials(&by_hand));
    }

    #[test]
    fn credentials_stay_on_the_entered_origin_or_a_confirmed_one() {
        let home = Url::parse("https://idp.example/tenant/v2.0").unwrap();
        let scope = CredentialScope::new(&home, &["https://tokens.example:8443".to_owned()]);
        let url = |text: &str| Url::parse(text).unwrap();
        assert_eq!(scope.check(&url("https://idp.example/token")), Ok(()));
        assert_eq!(scope.check(&url("https://tokens.example:8443/t")), Ok(()));
        assert!(matches!(
            scope.check(&url("https://tokens.example/t")),
            Err(CredentialRefusal::OtherOrigin { .. })
        ));
        assert!(matches!(
            scope.check(&url("http://idp.example/token")),
            Err(CredentialRefusal::PlainHttp { .. })
        ));
        assert_eq!(
            scope.check(&url("https://user:pw@idp.example/token")),
            Err(CredentialRefusal::Userinfo)
        );
        // A mapped IPv4 address is another host, not loopback.
        let local = CredentialScope::new(&url("http://127.0.0.1:9/"), &[]);
        assert_eq!(local.check(&url("http://127.0.0.1:9/token")), Ok(()));
        assert!(matches!(
            local.check(&url("http://[::ffff:127.0.0.1]:9/token")),
            Err(CredentialRefusal::PlainHttp { .. })
        ));
        assert!(matches!(
            local.check(&url("http://[::1]:9/token")),
            Err(CredentialRefusal::OtherOrigin { .. })
        ));
        let refusal = local
            .check(&url("https://other.example/token"))
            .unwrap_err();
        assert!(
            refusal
                .fix()
                .contains("--allow-endpoint-origin https://other.example"),
            "{}",
            refusal.fix()
        );
    }

    #[test]
    fn origins_named_by_the_admin_are_https_or_loopback_without_a_path() {
        assert_eq!(
            parse_origin("https://Login.Example.com/").unwrap(),
            "https://login.example.com"
        );
        assert_eq!(
            parse_origin("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080"
        );
        for bad in [
            "http://login.example.com",
            "http://[::ffff:127.0.0.1]:80",
            "https://login.example.com/token",
            "https://u:p@login.example.com",
            "login.example.com",
            "ftp://login.example.com",
        ] {
            assert!(parse_origin(bad).is_err(), "{bad}");
        }
    }

    #[tokio::test]
    #[expect(
        clippy::disallowed_methods,
        reason = "#[tokio::test] blocks on the test's own runtime, not on a frame"
    )]
    async fn the_client_refuses_credentials_over_plain_http_to_another_host() {
        let client = Client::new(Policy::with_timeout_secs(2)).unwrap();
        let request = Request::get(Url::parse("http://[::ffff:127.0.0.1]:9/x").unwrap())
            .bearer(Secret::new("token-value-123456"));
        let err = client.send(request).await.unwrap_err().to_string();
        assert!(err.contains("plain http"), "{err}");
    }

    #[test]
    fn tls_reasons_read_like_sentences() {
        assert!(
            tls_reason("invalid peer certificate: UnknownIssuer")
                .contains("not issued by an authority")
        );
        assert!(tls_reason("invalid peer certificate: Expired").contains("expired"));
        assert!(tls_reason("Other(OtherError(CaUsedAsEndEntity))").contains("self-signed"));
    }
}

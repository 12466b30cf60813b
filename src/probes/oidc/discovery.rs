//! Fetching the discovery document (OpenID Connect Discovery 1.0 §4) and judging how it
//! came: the URL, redirects, the body, and `oidc.https` over every URL really used.

use serde_json::{Map, Value};
use url::Url;

use super::{DISCOVERY_FETCH, Discovery, HTTPS, WELL_KNOWN};
use crate::diagnostics::Finding;
use crate::probes::http::{self, Client, HttpError, Request, Response};

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

pub(super) async fn fetch_discovery(client: &Client, issuer: &Url) -> (Finding, Option<Discovery>) {
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

pub(super) fn is_sign_in_url(url: &Url) -> bool {
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

pub(super) fn kind_of_body(response: &Response) -> &'static str {
    if response.looks_like_html() {
        "an HTML page"
    } else {
        "not the JSON document"
    }
}

/// `error` and `error_description` of a JSON error body, if it is one.
pub(super) fn idp_error_text(body: &[u8]) -> Option<String> {
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

pub(super) fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(200)]);
    shorten(&text.split_whitespace().collect::<Vec<_>>().join(" "), 60)
}

pub(super) fn shorten(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(max_chars).collect();
        format!("{cut}…")
    }
}

pub(super) fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

pub(crate) fn string_array<'a>(
    document: &'a Map<String, Value>,
    name: &str,
) -> Option<Vec<&'a str>> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}

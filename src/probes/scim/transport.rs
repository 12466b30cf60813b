//! Sending one SCIM request under the HTTP policy, recording it for the latency and
//! content-type checks, redacting the answer before anything reads it, and small
//! helpers that describe a response or a transport error.

use std::fmt::Write as _;
use std::time::Instant;

use reqwest::Method;
use reqwest::header::HeaderValue;
use serde_json::Value;
use url::Url;

use super::Run;
use super::protocol::{SCIM_MEDIA_TYPE, ScimError};
use crate::diagnostics::Finding;
use crate::probes::http::{HttpError, Request, Response};
use crate::secrets::Secret;

pub(crate) const ACCEPT: &str = "application/scim+json, application/json;q=0.9";

/// A SCIM request with the SCIM `Accept` header and, when there is a body, the body as
/// `application/scim+json`; the probe and the IdP replay both build theirs here.
pub(crate) fn scim_request(method: Method, url: Url, body: Option<&Value>) -> Request {
    if let Some(body) = body {
        Request::with_json(method, url, body, SCIM_MEDIA_TYPE)
    } else {
        let mut request = Request::get(url);
        request.method = method;
        request
    }
    .accept(ACCEPT)
}

/// One request and what came back, for the latency and content-type checks.
#[derive(Clone, Debug)]
pub(super) struct Exchange {
    pub(super) label: String,
    pub(super) elapsed_ms: u64,
    pub(super) outcome: String,
    /// The `Content-Type` of a response that carried a JSON body.
    pub(super) json_content_type: Option<String>,
}

/// What a response body turned out to be.
#[derive(Debug)]
pub(super) enum Body {
    Json(Value),
    Html,
    Empty,
    NotJson(String),
}

impl Run<'_> {
    // ----- requests -----

    pub(super) fn endpoint(&self, segments: &[&str], query: &[(&str, &str)]) -> Option<Url> {
        let mut url = self.base.clone()?;
        let base_path = url.path().trim_end_matches('/').to_owned();
        url.set_path(&base_path);
        {
            let mut path = url.path_segments_mut().ok()?;
            path.pop_if_empty();
            path.extend(segments);
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        Some(url)
    }

    /// Sends one request under the policy and records it.
    pub(super) async fn call(
        &mut self,
        method: Method,
        segments: &[&str],
        query: &[(&str, &str)],
        token: Option<&Secret>,
        body: Option<&Value>,
    ) -> Result<Response, HttpError> {
        let label = request_label(&method, segments, query);
        let (Some(client), Some(url)) = (self.client.clone(), self.endpoint(segments, query))
        else {
            return Err(HttpError::Other {
                url: label,
                reason: "no usable base URL".to_owned(),
            });
        };
        let mut request = scim_request(method, url, body);
        if let Some(token) = token {
            request = request.bearer(token.clone());
        }
        let started = Instant::now();
        let mut result = client.send(request).await;
        // What the server says is redacted whole before anything parses, quotes or
        // shortens it (DESIGN.md, "Network policy"): an echoed token cut in half by a
        // 200-character quote leaves no prefix behind.
        if let Ok(response) = &mut result
            && !self.redactor.is_empty()
            && let Ok(text) = std::str::from_utf8(&response.body)
        {
            let redacted = self.redactor.redact(text);
            if redacted != text {
                response.body = redacted.into_bytes();
            }
        }
        let elapsed_ms = match &result {
            Ok(response) => response.elapsed_ms(),
            Err(_) => millis(started),
        };
        let (outcome, json_content_type) = match &result {
            Ok(response) => {
                let ct = response.content_type();
                let is_json = matches!(body_of(response), Body::Json(_));
                (response.status.as_u16().to_string(), is_json.then_some(ct))
            }
            Err(err) => (err.kind().to_owned(), None),
        };
        self.exchanges.push(Exchange {
            label,
            elapsed_ms,
            outcome,
            json_content_type,
        });
        result
    }

    /// `GET /Users?filter=userName eq "<user_name>"`, as Entra and the write probe's
    /// clean-up ask it.
    pub(super) async fn users_named(
        &mut self,
        token: &Secret,
        user_name: &str,
    ) -> Result<Response, HttpError> {
        let filter = format!("userName eq \"{user_name}\"");
        self.call(
            Method::GET,
            &["Users"],
            &[("filter", filter.as_str())],
            Some(token),
            None,
        )
        .await
    }
}

/// The finding for one request's answer: `judge` reads a response; a transport error
/// fails check `id` with the words `failed` gives it and the fix for that error.
pub(super) fn judged(
    id: &str,
    result: Result<Response, HttpError>,
    judge: fn(&Response) -> Finding,
    failed: impl FnOnce(&HttpError) -> String,
) -> Finding {
    match result {
        Ok(response) => judge(&response),
        Err(err) => Finding::fail(id, failed(&err), transport_fix(&err)),
    }
}

pub(super) fn body_of(response: &Response) -> Body {
    if response.body.iter().all(u8::is_ascii_whitespace) {
        return Body::Empty;
    }
    if response.looks_like_html() {
        return Body::Html;
    }
    match response.json() {
        Ok(value) => Body::Json(value),
        Err(err) => Body::NotJson(format!(
            "{err}; it starts with {:?}",
            snippet(&response.body)
        )),
    }
}

/// A redirect that ended on a web page (a sign-in page, most likely).
pub(super) fn is_login_redirect(response: &Response) -> bool {
    !response.redirects.is_empty()
        && matches!(
            body_of(response),
            Body::Html | Body::Empty | Body::NotJson(_)
        )
}

/// 2xx and not a web page: the server took the token.
pub(super) fn is_accepted(response: &Response) -> bool {
    response.status.is_success()
        && !matches!(body_of(response), Body::Html)
        && !is_login_redirect(response)
}

pub(super) fn is_sendable(token: &Secret) -> bool {
    !token.is_empty() && HeaderValue::from_str(&format!("Bearer {}", token.expose())).is_ok()
}

/// ` (scimType "…": meaning; the server says "…")` for a SCIM error body, else empty.
pub(super) fn error_suffix(body: &Body) -> String {
    match body {
        Body::Json(doc) => ScimError::parse(doc)
            .map(|e| e.describe())
            .filter(|d| !d.is_empty())
            .map_or_else(String::new, |d| format!(" ({d})")),
        Body::Html => " (a web page)".to_owned(),
        Body::NotJson(_) | Body::Empty => String::new(),
    }
}

pub(super) fn request_label(method: &Method, segments: &[&str], query: &[(&str, &str)]) -> String {
    let mut label = format!("{method} /{}", segments.join("/"));
    if let Some((name, _)) = query.iter().find(|(name, _)| *name == "filter") {
        let _ = write!(label, "?{name}=…");
    }
    label
}

pub(super) fn is_unreachable(err: &HttpError) -> bool {
    matches!(
        err,
        HttpError::Dns { .. }
            | HttpError::Connect { .. }
            | HttpError::Tls { .. }
            | HttpError::Timeout { .. }
    )
}

pub(super) fn transport_fix(err: &HttpError) -> String {
    match err {
        HttpError::Timeout { .. } => {
            "The server accepted the connection but did not answer in time; check the URL, any proxy or VPN, and whether the platform is up. IdPs give up on slow endpoints too".to_owned()
        }
        HttpError::BodyTooLarge { .. } => {
            "This is not a SCIM endpoint's answer (far too large); check the base URL".to_owned()
        }
        HttpError::TooManyRedirects { .. } => {
            "The URL leads into a redirect chain, usually a sign-in page; use the SCIM endpoint URL from the platform's provisioning settings".to_owned()
        }
        HttpError::Dns { .. } => "Check the host name in the base URL; from the IdP's side it must resolve publicly".to_owned(),
        HttpError::Connect { .. } => "Check the host and port, and that the platform's SCIM endpoint is reachable from this network".to_owned(),
        HttpError::Tls { .. } => "Fix the certificate problem; IdPs refuse endpoints whose certificate they cannot verify".to_owned(),
        HttpError::InvalidUrl { .. } | HttpError::Other { .. } => "Check the base URL and try again".to_owned(),
    }
}

/// The start of a body as printable text, for a message.
pub(super) fn snippet(body: &[u8]) -> String {
    let head = &body[..body.len().min(240)];
    let text: String = String::from_utf8_lossy(head)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    clip(&text, 60)
}

pub(super) fn clip(text: &str, max_chars: usize) -> String {
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if clean.chars().count() > max_chars {
        format!("{}…", clean.chars().take(max_chars).collect::<String>())
    } else {
        clean
    }
}

pub(super) fn millis(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_are_short_and_printable() {
        let s = snippet(b"{\"a\":\n\x07 1, \"b\": \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"");
        assert!(
            s.ends_with('…') && !s.contains('\n') && !s.contains('\u{7}'),
            "{s}"
        );
    }

    #[test]
    fn unsendable_tokens_are_recognised() {
        assert!(is_sendable(&Secret::new("abcdefghijklmnopqrstuvwxyz")));
        assert!(!is_sendable(&Secret::new("abcdefghijklmnopqrstuvwxyz\n")));
        assert!(!is_sendable(&Secret::new("")));
    }

    #[test]
    fn scim_request_sets_accept_and_the_body_type() {
        let url = Url::parse("http://127.0.0.1:9/scim/v2/Users").unwrap();
        let get = scim_request(Method::GET, url.clone(), None);
        assert_eq!(get.method, Method::GET);
        assert_eq!(get.headers.get("accept").unwrap(), ACCEPT);
        assert!(get.body.is_none());
        let body = serde_json::json!({"userName": "x"});
        let post = scim_request(Method::POST, url, Some(&body));
        assert_eq!(post.method, Method::POST);
        assert_eq!(post.headers.get("accept").unwrap(), ACCEPT);
        assert_eq!(post.headers.get("content-type").unwrap(), SCIM_MEDIA_TYPE);
        assert_eq!(post.body.as_deref(), Some(body.to_string().as_bytes()));
    }
}

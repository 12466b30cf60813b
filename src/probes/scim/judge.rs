//! Pure judgements: how one answer (or the record of all requests) turns into a
//! [`Finding`]. No I/O here; every function takes what was received.

use std::fmt::Write as _;

use serde_json::Value;

use super::PlatformFacts;
use super::protocol::{
    LIST_RESPONSE_SCHEMA, SCIM_MEDIA_TYPE, SERVICE_PROVIDER_CONFIG_SCHEMA, ScimError, has_schema,
    status_meaning,
};
use super::transport::{Body, Exchange, body_of, error_suffix, is_login_redirect};
use crate::diagnostics::Finding;
use crate::probes::http::Response;

/// A request slower than this gets a latency warning.
pub const SLOW_REQUEST_MS: u64 = 600;

pub(super) fn spc_finding(doc: &Value) -> Finding {
    const ID: &str = "scim.service_provider_config";
    let is_spc = doc
        .get("schemas")
        .and_then(Value::as_array)
        .is_some_and(|s| {
            s.iter()
                .any(|v| v.as_str() == Some(SERVICE_PROVIDER_CONFIG_SCHEMA))
        });
    let supported = |feature: &str| {
        doc.get(feature)
            .and_then(|f| f.get("supported"))
            .and_then(Value::as_bool)
    };
    let features: Vec<String> = ["patch", "filter", "bulk", "sort", "etag"]
        .iter()
        .filter_map(|f| supported(f).map(|s| format!("{f} {}", if s { "yes" } else { "no" })))
        .collect();
    let schemes: Vec<&str> = doc
        .get("authenticationSchemes")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.get("type").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default();
    let mut detail = format!(
        "served without a token; features: {}",
        if features.is_empty() {
            "none listed".to_owned()
        } else {
            features.join(", ")
        }
    );
    if !schemes.is_empty() {
        let _ = write!(detail, "; authentication: {}", schemes.join(", "));
    }
    if !is_spc {
        return Finding::warn(
            ID,
            format!(
                "the JSON at /ServiceProviderConfig does not declare the ServiceProviderConfig schema; {detail}"
            ),
            "Check that the base URL is the SCIM endpoint",
        );
    }
    match (supported("filter"), supported("patch")) {
        (Some(false), _) => Finding::warn(
            ID,
            format!(
                "{detail}. Filtering is declared unsupported, but IdPs look users up with filters before they create them"
            ),
            "Ask the platform whether filtering on userName works (see the connection test check)",
        ),
        (_, Some(false)) => Finding::warn(
            ID,
            format!(
                "{detail}. PATCH is declared unsupported, but IdPs update and deactivate users with PATCH"
            ),
            "Ask the platform how deactivation works without PATCH",
        ),
        _ => Finding::pass(ID, detail),
    }
}

/// The verdict on `GET /Users` without a token, and whether it served data.
pub(super) fn unauthenticated_finding(response: &Response) -> (Finding, bool) {
    const ID: &str = "scim.unauthenticated_rejected";
    let status = response.status.as_u16();
    if is_login_redirect(response) {
        return (
            Finding::warn(
                ID,
                format!(
                    "without a token, GET /Users was redirected to a web page at {} instead of answering 401",
                    response.final_url
                ),
                "The base URL probably points at the platform's web app rather than its SCIM API",
            ),
            false,
        );
    }
    match (status, body_of(response)) {
        (401, _) => (
            Finding::pass(ID, "GET /Users without a token was refused with 401"),
            false,
        ),
        (403, _) => (
            Finding::pass(
                ID,
                "GET /Users without a token was refused with 403 (401 is the usual answer)",
            ),
            false,
        ),
        (200..=299, Body::Json(doc)) => {
            let count = doc.get("totalResults").and_then(Value::as_u64);
            let what = count.map_or_else(
                || "data".to_owned(),
                |n| {
                    format!(
                        "a user list ({})",
                        crate::diagnostics::words::count(n, "user", "users")
                    )
                },
            );
            (
                Finding::fail(
                    ID,
                    format!(
                        "SECURITY: GET /Users without any token returned {what}. Anyone who can reach this URL can read (and probably change) the user directory"
                    ),
                    "Stop and report this to the platform's security contact now; do not connect an IdP to this endpoint until it refuses requests without a valid token",
                ),
                true,
            )
        }
        (200..=299, Body::Html) => (
            Finding::warn(
                ID,
                "GET /Users without a token returned a web page, not a 401",
                "The base URL probably points at the platform's web app rather than its SCIM API",
            ),
            false,
        ),
        (_, body) => (
            Finding::skip(
                ID,
                format!(
                    "could not tell: GET /Users without a token answered {}{}",
                    response.status,
                    error_suffix(&body)
                ),
            ),
            false,
        ),
    }
}

pub(super) fn auth_pass(response: &Response, open_users: bool) -> Finding {
    const ID: &str = "scim.auth";
    let total = match body_of(response) {
        Body::Json(doc) => doc.get("totalResults").and_then(Value::as_u64),
        _ => None,
    };
    let users = total.map_or_else(String::new, |n| {
        format!(
            "; the server reports {}",
            crate::diagnostics::words::count(n, "user", "users")
        )
    });
    if open_users {
        Finding::warn(
            ID,
            format!(
                "GET /Users with the token answered {}{users}, but it answers without a token too, so this does not prove the token is valid",
                response.status
            ),
            "Fix the open endpoint first (see scim.unauthenticated_rejected), then test again",
        )
    } else {
        Finding::pass(
            ID,
            format!(
                "GET /Users with the token answered {}{users}",
                response.status
            ),
        )
    }
}

/// Detail and fix for a `GET /Users` with the token that was not accepted.
pub(super) fn refused(response: &Response, facts: &PlatformFacts) -> (String, String) {
    let status = response.status.as_u16();
    let body = body_of(response);
    if is_login_redirect(response) {
        let hops = response.redirects.len();
        return (
            format!(
                "GET /Users was redirected ({hops} redirect{}) to a web page at {} — a sign-in page, not the SCIM API",
                if hops == 1 { "" } else { "s" },
                response.final_url
            ),
            "Use the SCIM endpoint URL from the platform's provisioning settings, not the address of its web app".to_owned(),
        );
    }
    let server = error_suffix(&body);
    let (detail, fix) = match (status, &body) {
        (200..=299, Body::Html) => (
            format!("GET /Users answered {} with a web page instead of SCIM JSON", response.status),
            "The base URL points at a web page; copy the SCIM endpoint URL from the platform's provisioning settings".to_owned(),
        ),
        (300..=399, _) => (
            format!("GET /Users answered {} without a usable redirect target", response.status),
            "Use the final SCIM endpoint URL; IdPs do not follow redirects when provisioning".to_owned(),
        ),
        (401, _) => {
            let mut fix = "Generate a new token in the platform, paste it into the IdP's secret token field (copy it, do not retype it), and test again".to_owned();
            if let Some(days) = facts.token_lifetime_days.filter(|_| !facts.generic) {
                let _ = write!(fix, ". {} tokens last {days} days, so an older one has probably expired", facts.name);
            }
            if facts.single_active_token && !facts.generic {
                let _ = write!(
                    fix,
                    ". A new token in {} may stop the current one at once, so paste it into the IdP right away",
                    facts.name
                );
            }
            (format!("the token was refused with 401{server}. This usually means {}", status_meaning(401).unwrap_or_default()), fix)
        }
        (403, _) => (
            format!("the token was refused with 403{server}. This usually means {}", status_meaning(403).unwrap_or_default()),
            "Generate a new token with provisioning rights in the platform (regenerating also refreshes its permissions) and paste it into the IdP".to_owned(),
        ),
        (404, _) => {
            let mut fix = "Copy the SCIM base URL again from the platform, for the right environment and tenant".to_owned();
            // The segment before `/Users` is the end of the base URL as the IdP would use it.
            let segments: Vec<&str> = response.final_url.path_segments().map(Iterator::collect).unwrap_or_default();
            let base_end = segments.len().checked_sub(2).and_then(|i| segments.get(i)).copied().unwrap_or_default();
            let is_version = base_end.len() >= 2
                && base_end.starts_with(['v', 'V'])
                && base_end[1..].chars().all(|c| c.is_ascii_digit());
            if !is_version {
                fix.push_str("; most SCIM base URLs end with a version segment such as /v2 or /scim/v2");
            }
            (format!("GET /Users answered 404{server}: the base URL is wrong or points at another environment"), fix)
        }
        (code, _) => (
            format!("GET /Users answered {}{server}{}", response.status, status_meaning(code).map_or_else(String::new, |m| format!(": {m}"))),
            "Check the base URL and the token; if both are right, report the answer to the platform".to_owned(),
        ),
    };
    (detail, fix)
}

/// `scim.entra_test_connection` for the answer to `GET /Users?filter=userName eq "<random>"`:
/// an empty `ListResponse` passes, anything else fails with what Entra would report.
pub fn entra_finding(response: &Response) -> Finding {
    const ID: &str = "scim.entra_test_connection";
    const SAME: &str = "The IdP's connection test would report the same failure";
    let status = response.status.as_u16();
    let body = body_of(response);
    if is_login_redirect(response) {
        return Finding::fail(
            ID,
            format!(
                "the filter request was redirected to a web page at {}. {SAME}",
                response.final_url
            ),
            "Use the SCIM endpoint URL from the platform's provisioning settings",
        );
    }
    match (status, &body) {
        (200, Body::Json(doc)) => {
            let is_list = has_schema(doc, LIST_RESPONSE_SCHEMA);
            let total = doc.get("totalResults").and_then(Value::as_u64);
            let resources = doc
                .get("Resources")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            match (is_list, total) {
                (true, Some(0)) if resources == 0 => Finding::pass(
                    ID,
                    "GET /Users?filter=userName eq \"<random>\" answered 200 with an empty ListResponse, as the IdP's connection test expects",
                ),
                (true, Some(n)) => Finding::fail(
                    ID,
                    format!(
                        "a filter on a userName that cannot exist returned {}: the server ignores the filter",
                        crate::diagnostics::words::count(n, "user", "users")
                    ),
                    "IdPs look users up by filter before creating them; a server that ignores it makes them update the wrong users. Report this to the platform",
                ),
                _ => Finding::fail(
                    ID,
                    format!(
                        "the filter request answered 200 but not with a ListResponse with totalResults. {SAME}"
                    ),
                    "Report this to the platform: list answers must be a SCIM ListResponse",
                ),
            }
        }
        (200..=299, _) => Finding::fail(
            ID,
            format!(
                "the filter request answered {} without SCIM JSON. {SAME}",
                response.status
            ),
            "Check the base URL",
        ),
        (code, _) => {
            let meaning = status_meaning(code)
                .map_or_else(String::new, |m| format!(". This usually means {m}"));
            Finding::fail(
                ID,
                format!(
                    "GET /Users?filter=userName eq \"<random>\" answered {}{}{meaning}. {SAME}",
                    response.status,
                    error_suffix(&body)
                ),
                if code == 400 {
                    "The platform must support filtering on userName; IdPs cannot provision without it. Report this to the platform"
                } else {
                    "Fix the problem the token check reports first; the IdP's connection test then passes too"
                },
            )
        }
    }
}

/// `scim.list_response` for an accepted `GET /Users`: a SCIM `ListResponse` (RFC 7644
/// §3.4.2) with `schemas`, `totalResults` and `Resources`, paged as asked.
pub fn list_response_finding(response: &Response) -> Finding {
    const ID: &str = "scim.list_response";
    let doc = match body_of(response) {
        Body::Json(doc) => doc,
        Body::NotJson(error) => {
            return Finding::fail(
                ID,
                format!(
                    "GET /Users answered {} but the body is not valid JSON: {error}",
                    response.status
                ),
                "The IdP cannot read this answer; report it to the platform",
            );
        }
        Body::Empty => {
            return Finding::fail(
                ID,
                format!("GET /Users answered {} with an empty body", response.status),
                "Report this to the platform",
            );
        }
        Body::Html => {
            return Finding::fail(ID, "GET /Users returned a web page", "Check the base URL");
        }
    };
    let mut problems = Vec::new();
    if doc.is_object() {
        if !has_schema(&doc, LIST_RESPONSE_SCHEMA) {
            problems.push(format!("schemas does not contain {LIST_RESPONSE_SCHEMA}"));
        }
        let total = doc.get("totalResults");
        if !total.is_some_and(Value::is_u64) {
            problems.push("totalResults is missing or not a whole number".to_owned());
        }
        match doc.get("Resources") {
            None if total.and_then(Value::as_u64).unwrap_or(0) > 0 => {
                problems.push("Resources is missing although totalResults is not zero".to_owned());
            }
            Some(resources) if !resources.is_array() => {
                problems.push("Resources is not a list".to_owned());
            }
            _ => {}
        }
    } else {
        problems.push("the body is not a JSON object (a ListResponse is an object with schemas, totalResults and Resources)".to_owned());
    }
    if !problems.is_empty() {
        return Finding::fail(
            ID,
            format!(
                "GET /Users is not a valid SCIM ListResponse: {}",
                problems.join("; ")
            ),
            "IdPs read users from a ListResponse (RFC 7644 §3.4.2); report this to the platform",
        );
    }
    let total = doc.get("totalResults").and_then(Value::as_u64).unwrap_or(0);
    let resources = doc
        .get("Resources")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    if resources.len() > 1 {
        return Finding::warn(
            ID,
            format!(
                "a ListResponse with totalResults {total}, but {} users came back when 1 was asked for: the server ignores count",
                resources.len()
            ),
            "Large directories may then exceed response limits; report paging problems to the platform",
        );
    }
    if let Some(user) = resources.first()
        && (user.get("id").is_none() || user.get("userName").is_none())
    {
        return Finding::warn(
            ID,
            format!(
                "a ListResponse with totalResults {total}, but its first user lacks id or userName"
            ),
            "IdPs match users by id and userName; report this to the platform",
        );
    }
    Finding::pass(
        ID,
        format!("a ListResponse with totalResults {total} and a Resources list"),
    )
}

/// `scim.groups` for the answer to `GET /Groups`: a `ListResponse`, or what the status and
/// SCIM error body say about group support.
pub fn groups_finding(response: &Response) -> Finding {
    const ID: &str = "scim.groups";
    let status = response.status.as_u16();
    let body = body_of(response);
    match (status, &body) {
        (200, Body::Json(doc)) if has_schema(doc, LIST_RESPONSE_SCHEMA) => {
            let total = doc.get("totalResults").and_then(Value::as_u64).unwrap_or(0);
            Finding::pass(
                ID,
                format!("GET /Groups answered 200 with a ListResponse ({total} groups)"),
            )
        }
        (200, _) => Finding::fail(
            ID,
            "GET /Groups answered 200 but not with a SCIM ListResponse",
            "Group push will fail; report this to the platform",
        ),
        (404 | 501, _) => Finding::warn(
            ID,
            format!(
                "GET /Groups answered {}{}: this endpoint does not offer groups",
                response.status,
                error_suffix(&body)
            ),
            "Users can still be provisioned, but groups assigned in the IdP will not arrive; assign users directly, or ask the platform about group support",
        ),
        (401 | 403, _) => Finding::fail(
            ID,
            format!(
                "GET /Groups was refused with {}{} although /Users works with the same token",
                response.status,
                error_suffix(&body)
            ),
            "The token lacks rights on groups; issue a token with full provisioning rights",
        ),
        _ => Finding::fail(
            ID,
            format!(
                "GET /Groups answered {}{}",
                response.status,
                error_suffix(&body)
            ),
            "Users may sync while groups do not; check group provisioning in the IdP and report the answer to the platform",
        ),
    }
}

/// `scim.not_found_error` for the answer to `GET /Users/<unknown id>`: 404 with a SCIM
/// error body (RFC 7644 §3.12) passes.
pub fn not_found_finding(response: &Response) -> Finding {
    const ID: &str = "scim.not_found_error";
    let status = response.status.as_u16();
    let body = body_of(response);
    match (status, &body) {
        (404, Body::Json(doc)) if ScimError::parse(doc).is_some() => Finding::pass(
            ID,
            format!(
                "GET /Users/<unknown id> answered 404 with a SCIM error{}",
                error_suffix(&body)
            ),
        ),
        (404, _) => Finding::warn(
            ID,
            "GET /Users/<unknown id> answered 404, but without a SCIM error body (urn:ietf:params:scim:api:messages:2.0:Error)",
            "IdPs show the error body in their provisioning logs; without it failures are harder to read",
        ),
        (200..=299, _) => Finding::fail(
            ID,
            format!(
                "GET /Users/<unknown id> answered {} instead of 404",
                response.status
            ),
            "IdPs treat a user that exists as one to update; a server that never says 404 breaks clean-up of removed users. Report this to the platform",
        ),
        (400, _) => Finding::warn(
            ID,
            format!(
                "GET /Users/<unknown id> answered 400 instead of 404{}",
                error_suffix(&body)
            ),
            "IdPs expect 404 for a user that no longer exists",
        ),
        _ => Finding::fail(
            ID,
            format!(
                "GET /Users/<unknown id> answered {}{}",
                response.status,
                error_suffix(&body)
            ),
            "IdPs expect 404 with a SCIM error body for a user that no longer exists; report this to the platform",
        ),
    }
}

/// `Ok(entries)` when a discovery endpoint lists `wanted` (by `id` or `name`).
pub(super) fn discovery_list(response: &Response, wanted: &str) -> Result<usize, String> {
    let status = response.status.as_u16();
    let body = body_of(response);
    let doc = match (status, body) {
        (200, Body::Json(doc)) => doc,
        (200, _) => return Err("answered 200 without JSON".to_owned()),
        (_, body) => {
            return Err(format!(
                "answered {}{}",
                response.status,
                error_suffix(&body)
            ));
        }
    };
    let entries: &[Value] = match &doc {
        Value::Array(items) => items,
        Value::Object(_) => doc
            .get("Resources")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice),
        _ => &[],
    };
    let found = entries.iter().any(|e| {
        [e.get("id"), e.get("name")]
            .into_iter()
            .flatten()
            .any(|v| v.as_str() == Some(wanted))
    });
    if found {
        Ok(entries.len())
    } else {
        Err(format!("does not list {wanted}"))
    }
}

pub(super) fn join_sentences(parts: impl Iterator<Item = String>) -> String {
    let sentences: Vec<String> = parts
        .map(|p| {
            let p = p.trim().to_owned();
            if p.ends_with(['.', '!', '?']) {
                p
            } else {
                format!("{p}.")
            }
        })
        .collect();
    sentences.join(" ")
}

/// `scim.content_type`: what every JSON answer was labelled, from the record of requests.
pub(super) fn content_type_finding(exchanges: &[Exchange]) -> Finding {
    const ID: &str = "scim.content_type";
    let json: Vec<(&str, &str)> = exchanges
        .iter()
        .filter_map(|e| {
            e.json_content_type
                .as_deref()
                .map(|ct| (e.label.as_str(), ct))
        })
        .collect();
    if json.is_empty() {
        return Finding::skip(ID, "no SCIM JSON response was received");
    }
    let plain_json: Vec<&str> = json
        .iter()
        .filter(|(_, ct)| *ct == "application/json")
        .map(|(l, _)| *l)
        .collect();
    let other: Vec<String> = json
        .iter()
        .filter(|(_, ct)| *ct != SCIM_MEDIA_TYPE && *ct != "application/json")
        .map(|(label, ct)| {
            format!(
                "{label} ({})",
                if ct.is_empty() { "no Content-Type" } else { ct }
            )
        })
        .collect();
    if !other.is_empty() {
        Finding::fail(
            ID,
            format!(
                "JSON came back labelled as something else: {}",
                other.join(", ")
            ),
            "The platform must label SCIM responses application/scim+json (RFC 7644 §3.1); IdPs may refuse other types. Report it to the platform",
        )
    } else if !plain_json.is_empty() {
        Finding::warn(
            ID,
            format!(
                "{} of {} JSON responses use application/json instead of application/scim+json: {}",
                plain_json.len(),
                json.len(),
                plain_json.join(", ")
            ),
            "The common IdPs accept application/json, so provisioning works; the SCIM standard asks for application/scim+json",
        )
    } else {
        Finding::pass(
            ID,
            format!(
                "all {} JSON responses use application/scim+json",
                json.len()
            ),
        )
    }
}

/// `scim.latency`: how long each request took, from the record of requests.
pub(super) fn latency_finding(exchanges: &[Exchange]) -> Finding {
    const ID: &str = "scim.latency";
    let per_request: Vec<String> = exchanges
        .iter()
        .map(|e| format!("{} {} {} ms", e.label, e.outcome, e.elapsed_ms))
        .collect();
    let slow: Vec<&Exchange> = exchanges
        .iter()
        .filter(|e| e.elapsed_ms > SLOW_REQUEST_MS)
        .collect();
    let detail = format!("per request: {}", per_request.join("; "));
    if slow.is_empty() {
        let max = exchanges.iter().map(|e| e.elapsed_ms).max().unwrap_or(0);
        Finding::pass(
            ID,
            format!("slowest {max} ms (limit {SLOW_REQUEST_MS} ms); {detail}"),
        )
    } else {
        let names: Vec<String> = slow
            .iter()
            .map(|e| format!("{} took {} ms", e.label, e.elapsed_ms))
            .collect();
        Finding::warn(
            ID,
            format!("{} over {SLOW_REQUEST_MS} ms; {detail}", names.join(", ")),
            "Slow answers make IdP sync cycles long and can trip their timeouts; check the network path (proxy, VPN) and ask the platform about response times",
        )
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use reqwest::StatusCode;
    use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
    use serde_json::json;
    use url::Url;

    use super::*;
    use crate::diagnostics::Status;

    fn answer(status: u16, body: &Value) -> Response {
        let mut headers = HeaderMap::new();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/scim+json"),
        );
        Response {
            status: StatusCode::from_u16(status).unwrap(),
            headers,
            final_url: Url::parse("https://scim.example/v2/Users").unwrap(),
            redirects: Vec::new(),
            body: serde_json::to_vec(body).unwrap(),
            elapsed: Duration::from_millis(5),
        }
    }

    fn exchange(label: &str, elapsed_ms: u64, content_type: Option<&str>) -> Exchange {
        Exchange {
            label: label.to_owned(),
            elapsed_ms,
            outcome: "200".to_owned(),
            json_content_type: content_type.map(str::to_owned),
        }
    }

    #[test]
    fn content_type_is_judged_from_the_record_alone() {
        assert_eq!(content_type_finding(&[]).status, Status::Skip);
        let scim = [exchange("GET /Users", 5, Some(SCIM_MEDIA_TYPE))];
        assert_eq!(content_type_finding(&scim).status, Status::Pass);
        let plain = [
            exchange("GET /Users", 5, Some(SCIM_MEDIA_TYPE)),
            exchange("GET /Groups", 5, Some("application/json")),
        ];
        let f = content_type_finding(&plain);
        assert_eq!(f.status, Status::Warn);
        assert!(f.detail.contains("GET /Groups"), "{}", f.detail);
        let odd = [exchange("GET /Schemas", 5, Some("text/plain"))];
        assert_eq!(content_type_finding(&odd).status, Status::Fail);
    }

    #[test]
    fn latency_names_the_slow_request() {
        let fast = [exchange("GET /Users", 12, None)];
        assert_eq!(latency_finding(&fast).status, Status::Pass);
        let slow = [
            exchange("GET /Users", 12, None),
            exchange("GET /Groups", SLOW_REQUEST_MS + 1, None),
        ];
        let f = latency_finding(&slow);
        assert_eq!(f.status, Status::Warn);
        assert!(f.detail.contains("GET /Groups took"), "{}", f.detail);
    }

    #[test]
    fn an_unknown_id_must_be_a_404_with_the_error_schema() {
        let good = answer(
            404,
            &json!({"schemas": [crate::probes::scim::ERROR_SCHEMA], "status": "404"}),
        );
        assert_eq!(not_found_finding(&good).status, Status::Pass);
        let ok = answer(200, &json!({"id": "x"}));
        assert_ne!(not_found_finding(&ok).status, Status::Pass);
    }

    #[test]
    fn a_list_response_needs_its_schema_and_counts() {
        let good = answer(
            200,
            &json!({"schemas": [LIST_RESPONSE_SCHEMA], "totalResults": 0, "Resources": []}),
        );
        assert_eq!(list_response_finding(&good).status, Status::Pass);
        let bare = answer(200, &json!([]));
        assert_ne!(list_response_finding(&bare).status, Status::Pass);
    }

    #[test]
    fn discovery_lists_are_searched_by_id_or_name() {
        let listed = answer(
            200,
            &json!({"Resources": [{"id": "User"}, {"name": "Group"}]}),
        );
        assert_eq!(discovery_list(&listed, "User"), Ok(2));
        assert!(discovery_list(&listed, "Other").is_err());
        let refused = answer(403, &json!({}));
        assert!(discovery_list(&refused, "User").is_err());
    }

    #[test]
    fn sentences_are_joined_with_one_full_stop() {
        let parts = ["a".to_owned(), "b.".to_owned(), " c ".to_owned()];
        assert_eq!(join_sentences(parts.into_iter()), "a. b. c.");
    }
}

//! The `error` codes an OAuth 2.0 / OpenID Connect provider can send back from its
//! authorization (login) endpoint, its token endpoint and the endpoints that take an
//! access token. The troubleshooting catalog has an entry for each (a catalog rule and a
//! test check it), so any of them pasted or shown after a test login finds an explanation.

/// Errors of the authorization endpoint: RFC 6749 §4.1.2.1 and OpenID Connect Core
/// §3.1.2.6.
pub const AUTHORIZATION: &[&str] = &[
    "invalid_request",
    "unauthorized_client",
    "access_denied",
    "unsupported_response_type",
    "invalid_scope",
    "server_error",
    "temporarily_unavailable",
    "interaction_required",
    "login_required",
    "account_selection_required",
    "consent_required",
    "invalid_request_uri",
    "invalid_request_object",
    "request_not_supported",
    "request_uri_not_supported",
    "registration_not_supported",
];

/// Errors of the token endpoint: RFC 6749 §5.2, plus RFC 9449 §4.3 and §8 (`DPoP`).
pub const TOKEN: &[&str] = &[
    "invalid_request",
    "invalid_client",
    "invalid_grant",
    "unauthorized_client",
    "unsupported_grant_type",
    "invalid_scope",
    "invalid_dpop_proof",
    "use_dpop_nonce",
];

/// Errors of endpoints that take an access token (userinfo): RFC 6750 §3.1.
pub const BEARER: &[&str] = &["invalid_request", "invalid_token", "insufficient_scope"];

/// Every code above, once, in the order first listed.
pub fn all() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for code in AUTHORIZATION.iter().chain(TOKEN).chain(BEARER) {
        if !out.contains(code) {
            out.push(code);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_lists_each_code_once() {
        let codes = all();
        assert!(codes.contains(&"access_denied"));
        assert!(codes.contains(&"invalid_grant"));
        assert_eq!(
            codes
                .iter()
                .filter(|code| **code == "invalid_request")
                .count(),
            1
        );
    }
}

//! `oidc.client_auth`: whether the client secret may go to the token endpoint, how it is
//! sent, and what the token endpoint's answer says about the id and secret.

use serde_json::Value;
use url::Url;

use super::discovery::{shorten, snippet};
use super::{CLIENT_AUTH, Discovery, NO_DOCUMENT, OidcInput, redactor};
use crate::diagnostics::Finding;
use crate::diagnostics::text::Redactor;
use crate::probes::http::{self, Client, CredentialRefusal, CredentialScope, Request};
use crate::secrets::Secret;

/// `oidc.client_auth` under the tenant's credential scope: the secret goes to the token
/// endpoint only when the scope allows it; an unconfirmed https origin is noted in
/// `unconfirmed` for the admin to confirm.
pub(super) async fn client_auth_in_scope(
    client: Option<&Client>,
    discovery: Option<&Discovery>,
    entered: Option<&Url>,
    input: &OidcInput,
    unconfirmed: &mut Vec<String>,
) -> Finding {
    let (Some(client), Some(discovery), Some(entered)) = (client, discovery, entered) else {
        return Finding::skip(CLIENT_AUTH, NO_DOCUMENT);
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
pub(super) fn has_client_pair(input: &OidcInput) -> bool {
    input
        .client_id
        .as_deref()
        .is_some_and(|id| !id.trim().is_empty())
        && input.client_secret.as_ref().is_some_and(|s| !s.is_empty())
}

/// `oidc.client_auth` when the secret was held back: a plain-http or userinfo endpoint is
/// a failure, an unconfirmed origin a warning (real IdPs do serve tokens elsewhere; plain
/// http there is loopback, the rest is stopped as plain http first).
pub(super) fn refused_client_auth_finding(refusal: &CredentialRefusal) -> Finding {
    let detail = refusal.message("The client secret for the token endpoint");
    match refusal {
        CredentialRefusal::OtherOrigin { .. } => Finding::warn(CLIENT_AUTH, detail, refusal.fix()),
        _ => Finding::fail(CLIENT_AUTH, detail, refusal.fix()),
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
pub(super) fn client_credentials_scope(token_endpoint: &Url) -> Option<&'static str> {
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
pub(super) fn client_auth_inputs<'a>(
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

pub(super) async fn check_client_auth(
    client: &Client,
    discovery: &Discovery,
    input: &OidcInput,
) -> Finding {
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
            unconfirmed_secret_finding(&first_says, &idp_says)
        }
    }
}

pub(super) async fn send_token(
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

/// `oidc.client_auth` when neither token request tells a wrong secret from another
/// refusal: a warning that says plainly the secret was not confirmed (issue #18).
pub(super) fn unconfirmed_secret_finding(first_says: &str, second_says: &str) -> Finding {
    Finding::warn(
        CLIENT_AUTH,
        format!(
            "The client secret was NOT confirmed: the token endpoint's answers do not tell a wrong secret from another refusal (client_credentials said {first_says}; the authorization code request said {second_says})"
        ),
        "The secret may still be wrong: use Test login to check the pair with a real sign-in, or compare the secret with the one the IdP shows for this app",
    )
}

pub(super) fn rejected_finding(client_id: &str, idp_says: &str, padded: bool) -> Finding {
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
pub(super) fn entra_hint(idp_says: &str) -> Option<&'static str> {
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
pub(super) fn no_dummy_code(err: &crate::secrets::RandomError) -> Finding {
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
    fn random_tokens_differ() {
        let a = random_token(32).unwrap();
        assert_eq!(a.len(), 43);
        assert_ne!(a, random_token(32).unwrap());
        // A failing generator is an error, not time-derived bytes (issue #16 item 11).
        let failed = crate::secrets::test_rng::with_failing_rng(|| random_token(32));
        assert!(failed.is_err(), "{failed:?}");
    }

    /// Issue #18: when the token endpoint's answers cannot tell a wrong secret from
    /// another refusal, the finding must not read as if the secret were fine.
    #[test]
    fn an_unclear_answer_says_the_secret_was_not_confirmed() {
        let f = unconfirmed_secret_finding("unauthorized_client", "HTTP 500, oops");
        assert_eq!(f.status, Status::Warn);
        assert!(
            f.detail.starts_with("The client secret was NOT confirmed"),
            "{}",
            f.detail
        );
        assert!(f.detail.contains("unauthorized_client") && f.detail.contains("HTTP 500"));
        assert!(f.fix.contains("may still be wrong"), "{}", f.fix);
    }
}

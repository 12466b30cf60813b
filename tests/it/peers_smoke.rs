//! Smoke tests of the test peers themselves: each one is reachable and accepts the
//! credentials `scripts/peers` announces. When one of these fails, the other
//! integration tests' failures are about the peers, not the app.
#![expect(
    clippy::disallowed_methods,
    reason = "a test may block on its own runtime"
)]

use crate::support;

use std::error::Error;
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

type TestResult = Result<(), Box<dyn Error>>;

/// PKCE pair from RFC 7636 appendix B.
const PKCE_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const PKCE_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

fn client() -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .no_proxy()
        .build()
}

#[tokio::test]
async fn oidc_discovery_names_each_issuer() -> TestResult {
    let Some(issuer) = support::peer("SSW_OIDC_ISSUER") else {
        return Ok(());
    };
    let Some(issuer_with_path) = support::peer("SSW_OIDC_ISSUER_WITH_PATH") else {
        return Ok(());
    };
    let http = client()?;
    for issuer in [issuer, issuer_with_path] {
        let response = http
            .get(format!("{issuer}/.well-known/openid-configuration"))
            .send()
            .await?;
        assert_eq!(response.status(), reqwest::StatusCode::OK, "{issuer}");
        let document: Value = response.json().await?;
        assert_eq!(document["issuer"], Value::from(issuer.as_str()));
        assert_eq!(
            document["jwks_uri"],
            Value::from(format!("{issuer}/jwks").as_str())
        );
    }
    Ok(())
}

#[tokio::test]
async fn oidc_client_credentials_accepts_the_announced_secret() -> TestResult {
    let (Some(issuer), Some(client_id), Some(client_secret)) = (
        support::peer("SSW_OIDC_ISSUER"),
        support::peer("SSW_OIDC_CLIENT_ID"),
        support::peer("SSW_OIDC_CLIENT_SECRET"),
    ) else {
        return Ok(());
    };
    let http = client()?;
    let token_url = format!("{issuer}/token");
    let grant = [("grant_type", "client_credentials")];

    let accepted = http
        .post(&token_url)
        .basic_auth(&client_id, Some(&client_secret))
        .form(&grant)
        .send()
        .await?;
    assert_eq!(accepted.status(), reqwest::StatusCode::OK);

    let refused = http
        .post(&token_url)
        .basic_auth(&client_id, Some("not-the-secret"))
        .form(&grant)
        .send()
        .await?;
    assert_eq!(refused.status(), reqwest::StatusCode::UNAUTHORIZED);
    let error: Value = refused.json().await?;
    assert_eq!(error["error"], "invalid_client");
    Ok(())
}

/// The test browser logs in on the provider's dev page and brings the code to a loopback
/// listener; the code then redeems with PKCE for an ID token.
#[tokio::test]
async fn test_browser_brings_a_code_to_the_loopback_listener() -> TestResult {
    let (Some(issuer), Some(client_id), Some(browser)) = (
        support::peer("SSW_OIDC_ISSUER_WITH_PATH"),
        support::peer("SSW_OIDC_PUBLIC_CLIENT_ID"),
        support::peer("SSW_TEST_BROWSER"),
    ) else {
        return Ok(());
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let redirect_uri = format!(
        "http://127.0.0.1:{}/callback",
        listener.local_addr()?.port()
    );
    let mut authorization_url = url::Url::parse(&format!("{issuer}/auth"))?;
    authorization_url
        .query_pairs_mut()
        .append_pair("client_id", &client_id)
        .append_pair("response_type", "code")
        .append_pair("scope", "openid profile email")
        .append_pair("redirect_uri", &redirect_uri)
        .append_pair("state", "smoke-state")
        .append_pair("code_challenge", PKCE_CHALLENGE)
        .append_pair("code_challenge_method", "S256");

    // Like a real browser launcher it returns at once, so a blocking wait is short.
    let status = std::process::Command::new(&browser)
        .arg(authorization_url.as_str())
        .stdin(Stdio::null())
        .status()?;
    assert!(status.success(), "{browser} exited with {status}");

    let (mut stream, _) = tokio::time::timeout(Duration::from_secs(30), listener.accept())
        .await
        .map_err(|_| "no request on the loopback listener within 30 s")??;
    let mut request = vec![0_u8; 8192];
    let read = stream.read(&mut request).await?;
    let request = String::from_utf8_lossy(&request[..read]).into_owned();
    stream
        .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
        .await?;
    let target = request
        .split_whitespace()
        .nth(1)
        .ok_or("empty request on the loopback listener")?;
    let callback = url::Url::parse(&format!("http://127.0.0.1{target}"))?;
    assert_eq!(callback.path(), "/callback");
    let param = |name: &str| {
        callback
            .query_pairs()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.into_owned())
    };
    assert_eq!(param("state").as_deref(), Some("smoke-state"));
    assert_eq!(param("iss").as_deref(), Some(issuer.as_str()));
    let code = param("code").ok_or("no code on the redirect")?;

    let tokens: Value = client()?
        .post(format!("{issuer}/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", client_id.as_str()),
            ("code", code.as_str()),
            ("redirect_uri", redirect_uri.as_str()),
            ("code_verifier", PKCE_VERIFIER),
        ])
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    assert!(tokens["id_token"].is_string(), "{tokens}");
    Ok(())
}

#[tokio::test]
async fn scim_users_needs_the_bearer_token() -> TestResult {
    let (Some(base_url), Some(token)) = (
        support::peer("SSW_SCIM_BASE_URL"),
        support::peer("SSW_SCIM_TOKEN"),
    ) else {
        return Ok(());
    };
    let http = client()?;
    let users = format!("{base_url}/Users");

    let with_token = http.get(&users).bearer_auth(&token).send().await?;
    assert_eq!(with_token.status(), reqwest::StatusCode::OK);
    let list: Value = with_token.json().await?;
    assert_eq!(
        list["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:ListResponse"
    );

    let without_token = http.get(&users).send().await?;
    assert_eq!(without_token.status(), reqwest::StatusCode::UNAUTHORIZED);
    let error: Value = without_token.json().await?;
    assert_eq!(
        error["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:Error"
    );
    assert_eq!(error["status"], "401");
    Ok(())
}

#[test]
fn secret_service_stores_reads_and_deletes_an_entry() -> TestResult {
    if !support::require_keyring() {
        return Ok(());
    }
    let entry = keyring::Entry::new("sso-scim-wizard-smoke", "x")?;
    entry.set_password("smoke-value")?;
    assert_eq!(entry.get_password()?, "smoke-value");
    entry.delete_credential()?;
    assert!(matches!(entry.get_password(), Err(keyring::Error::NoEntry)));
    Ok(())
}

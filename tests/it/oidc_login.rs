//! Test login (authorization code + PKCE on a loopback listener) against the real test
//! OpenID Provider, with `$SSW_TEST_BROWSER` playing the user on its dev login page; and
//! the ways a login ends without a token: an IdP error, a forged state, a cancel, a
//! timeout.

#![expect(
    clippy::disallowed_methods,
    reason = "#[tokio::test] blocks on the test's own runtime, not on a frame"
)]

use crate::support;

use std::collections::BTreeMap;
use std::io::{Read as _, Write as _};
use std::time::{Duration, Instant};

use sso_scim_wizard::probes::http::Policy;
use sso_scim_wizard::probes::login::{self, ClaimSource, LoginError, LoginInput, LoginOutcome};
use sso_scim_wizard::secrets::Secret;
use url::Url;

/// Opens `url` the way the app opens the system browser: the script returns at once and
/// plays the user in the background.
fn script_browser(script: String) -> impl Fn(&str) -> Result<(), String> + Send + Sync {
    move |url: &str| {
        let status = std::process::Command::new(&script)
            .arg(url)
            .status()
            .map_err(|err| err.to_string())?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("{script} exited with {status}"))
        }
    }
}

/// A "browser" that skips the IdP and calls the app's redirect URI with `query` (and the
/// request's own state unless `state` is given), as an IdP does after an error.
fn answering_browser(
    query: &'static str,
    state: Option<&'static str>,
) -> impl Fn(&str) -> Result<(), String> + Send + Sync {
    move |url: &str| {
        let url = Url::parse(url).map_err(|err| err.to_string())?;
        let params: BTreeMap<String, String> = url.query_pairs().into_owned().collect();
        let redirect = Url::parse(&params["redirect_uri"]).map_err(|err| err.to_string())?;
        let own_state = params["state"].clone();
        let state = state.map_or(own_state, str::to_owned);
        let target = format!("{}?{query}&state={state}", redirect.path());
        let address = format!(
            "{}:{}",
            redirect.host_str().unwrap_or_default(),
            redirect.port().unwrap_or(80)
        );
        std::thread::spawn(move || {
            if let Ok(mut stream) = std::net::TcpStream::connect(address) {
                let _ = write!(stream, "GET {target} HTTP/1.1\r\nHost: app\r\n\r\n");
                let _ = stream.read_to_end(&mut Vec::new());
            }
        });
        Ok(())
    }
}

async fn login_with(
    input: &LoginInput,
    browser: &(dyn Fn(&str) -> Result<(), String> + Send + Sync),
) -> Result<LoginOutcome, LoginError> {
    login::run(
        input,
        Policy::with_timeout_secs(10),
        browser,
        std::future::pending(),
    )
    .await
}

fn jit_claims() -> Vec<String> {
    ["given_name", "family_name", "email", "department"]
        .map(str::to_owned)
        .to_vec()
}

#[tokio::test]
async fn public_client_login_returns_verified_claims_and_missing_jit_claims() {
    let (Some(issuer), Some(client_id), Some(browser)) = (
        support::peer("SSW_OIDC_ISSUER"),
        support::peer("SSW_OIDC_PUBLIC_CLIENT_ID"),
        support::peer("SSW_TEST_BROWSER"),
    ) else {
        return;
    };
    let mut input = LoginInput::new(&issuer, &client_id);
    input.jit_claims = jit_claims();
    input.timeout = Duration::from_secs(30);
    let outcome = match login_with(&input, &script_browser(browser)).await {
        Ok(outcome) => outcome,
        Err(err) => panic!("test login failed: {err}; see $SSW_TEST_BROWSER_LOG"),
    };
    assert_eq!(outcome.claims["iss"], issuer.as_str());
    assert_eq!(outcome.claims["aud"], client_id.as_str());
    assert_eq!(outcome.claims["sub"], "alice");
    // oidc-provider puts the profile and email claims at the userinfo endpoint only.
    assert_eq!(outcome.userinfo["email"], "alice@example.com");
    assert_eq!(outcome.userinfo["given_name"], "Alice");
    assert_eq!(
        outcome.userinfo_only_jit_claims,
        ["given_name", "family_name", "email"]
    );
    // Nobody sends a department.
    assert_eq!(outcome.missing_jit_claims, ["department"]);
    assert!(
        outcome.redirect_uri.starts_with("http://127.0.0.1:"),
        "{}",
        outcome.redirect_uri
    );
    assert!(
        matches!(outcome.algorithm.as_str(), "RS256" | "ES256"),
        "{}",
        outcome.algorithm
    );
    // The token answer says which scopes were granted (RFC 6749 §5.1): that confirms
    // oidc.scopes whatever scopes_supported lists (issue #18).
    let granted = outcome.granted_scopes.clone().unwrap_or_default();
    assert!(
        ["openid", "profile", "email"]
            .iter()
            .all(|s| granted.iter().any(|g| g == s)),
        "{granted:?}"
    );
    let confirmed = sso_scim_wizard::probes::oidc::scopes_granted_finding(
        &input.scopes,
        outcome.granted_scopes.as_deref(),
    );
    assert_eq!(
        confirmed.status,
        sso_scim_wizard::diagnostics::Status::Pass,
        "{}",
        confirmed.detail
    );
    let shown: BTreeMap<&str, Option<(String, ClaimSource)>> =
        outcome.display_claims().into_iter().collect();
    assert_eq!(
        shown["groups"],
        Some(("ssw-admins, ssw-users".to_owned(), ClaimSource::Userinfo))
    );
    assert_eq!(
        shown["sub"],
        Some(("alice".to_owned(), ClaimSource::IdToken))
    );
}

#[tokio::test]
async fn login_works_on_an_issuer_with_a_path() {
    let (Some(issuer), Some(client_id), Some(browser)) = (
        support::peer("SSW_OIDC_ISSUER_WITH_PATH"),
        support::peer("SSW_OIDC_PUBLIC_CLIENT_ID"),
        support::peer("SSW_TEST_BROWSER"),
    ) else {
        return;
    };
    let mut input = LoginInput::new(&issuer, &client_id);
    input.timeout = Duration::from_secs(30);
    let outcome = login_with(&input, &script_browser(browser))
        .await
        .unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(outcome.claims["iss"], issuer.as_str());
}

/// Both runs use the client's one registered redirect URI (a fixed port), so they share a
/// test and run one after the other.
#[tokio::test]
async fn confidential_client_login_redeems_the_code_with_the_secret_and_names_a_wrong_one() {
    let (Some(issuer), Some(client_id), Some(secret), Some(redirect), Some(browser)) = (
        support::peer("SSW_OIDC_ISSUER"),
        support::peer("SSW_OIDC_CLIENT_ID"),
        support::peer("SSW_OIDC_CLIENT_SECRET"),
        support::peer("SSW_OIDC_CODE_REDIRECT_URI"),
        support::peer("SSW_TEST_BROWSER"),
    ) else {
        return;
    };
    let mut input = LoginInput::new(&issuer, &client_id);
    input.client_secret = Some(Secret::new(&secret));
    input.redirect_uri = Some(redirect.clone());
    input.timeout = Duration::from_secs(30);
    let browser = script_browser(browser);
    let outcome = login_with(&input, &browser)
        .await
        .unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(outcome.redirect_uri, redirect);
    assert_eq!(outcome.claims["aud"], client_id.as_str());

    let wrong = format!("{secret}-old");
    input.client_secret = Some(Secret::new(&wrong));
    let err = login_with(&input, &browser)
        .await
        .err()
        .unwrap_or_else(|| panic!("a wrong secret was accepted"));
    let text = err.to_string();
    assert!(matches!(err, LoginError::Token(_)), "{err:?}");
    assert!(text.contains("invalid_client"), "{text}");
    assert!(!text.contains(&wrong), "the secret leaked: {text}");
}

#[tokio::test]
async fn an_idp_error_on_the_redirect_is_surfaced_with_its_description() {
    let Some(issuer) = support::peer("SSW_OIDC_ISSUER") else {
        return;
    };
    let mut input = LoginInput::new(&issuer, "ssw-public");
    input.timeout = Duration::from_secs(10);
    let browser = answering_browser(
        "error=access_denied&error_description=AADSTS50105%3A+The+signed+in+user+is+not+assigned+to+a+role",
        None,
    );
    let err = login_with(&input, &browser)
        .await
        .err()
        .unwrap_or_else(|| panic!("no error"));
    match &err {
        LoginError::Idp { error, description } => {
            assert_eq!(error, "access_denied");
            assert!(
                description.starts_with("AADSTS50105: The signed in user"),
                "{description}"
            );
        }
        other => panic!("expected an IdP error, got {other:?}"),
    }
    assert!(err.lookup_text().contains("AADSTS50105"));
}

#[tokio::test]
async fn a_forged_state_is_ignored_until_the_deadline() {
    let Some(issuer) = support::peer("SSW_OIDC_ISSUER") else {
        return;
    };
    let mut input = LoginInput::new(&issuer, "ssw-public");
    input.timeout = Duration::from_secs(3);
    // A callback for another sign-in does not end this one: the listener keeps waiting
    // for its own (issue #16, item 3), here until the deadline.
    let err = login_with(
        &input,
        &answering_browser("code=stolen", Some("not-the-state")),
    )
    .await
    .err();
    assert!(matches!(err, Some(LoginError::Timeout { .. })), "{err:?}");
}

#[tokio::test]
async fn cancel_stops_the_listener_at_once() {
    let Some(issuer) = support::peer("SSW_OIDC_ISSUER") else {
        return;
    };
    let input = LoginInput::new(&issuer, "ssw-public");
    let started = Instant::now();
    let (cancel, cancelled) = tokio::sync::oneshot::channel::<()>();
    let run = login::run(
        &input,
        Policy::with_timeout_secs(10),
        &|_: &str| Ok(()),
        async {
            let _ = cancelled.await;
        },
    );
    let (result, ()) = tokio::join!(run, async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let _ = cancel.send(());
    });
    assert!(matches!(result, Err(LoginError::Cancelled)), "{result:?}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn nobody_coming_back_is_a_timeout() {
    let Some(issuer) = support::peer("SSW_OIDC_ISSUER") else {
        return;
    };
    let mut input = LoginInput::new(&issuer, "ssw-public");
    input.timeout = Duration::from_secs(1);
    let started = Instant::now();
    let result = login_with(&input, &|_: &str| Ok(())).await;
    assert!(
        matches!(result, Err(LoginError::Timeout { timeout_secs: 1 })),
        "{result:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn a_browser_that_cannot_start_is_reported() {
    let Some(issuer) = support::peer("SSW_OIDC_ISSUER") else {
        return;
    };
    let input = LoginInput::new(&issuer, "ssw-public");
    let result = login_with(&input, &|_: &str| Err("no default browser".to_owned())).await;
    assert!(
        matches!(&result, Err(LoginError::Browser(reason)) if reason == "no default browser"),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_non_loopback_redirect_uri_is_refused_before_anything_starts() {
    let Some(issuer) = support::peer("SSW_OIDC_ISSUER") else {
        return;
    };
    let mut input = LoginInput::new(&issuer, "ssw-public");
    input.redirect_uri = Some("https://api.workos.com/sso/oidc/callback".to_owned());
    let result = login_with(&input, &|_: &str| panic!("the browser must not open")).await;
    assert!(
        matches!(&result, Err(LoginError::Input(text)) if text.contains("loopback")),
        "{result:?}"
    );
}

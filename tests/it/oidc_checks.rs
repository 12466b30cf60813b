//! The OIDC check suite against the real test OpenID Provider (`scripts/peers`):
//! issuers with and without a path, an exact-match failure, and the client secret check
//! with both strategies (client credentials, and a dummy authorization code).

#![expect(
    clippy::disallowed_methods,
    reason = "#[tokio::test] blocks on the test's own runtime, not on a frame"
)]

use crate::support;

use std::sync::Mutex;

use sso_scim_wizard::diagnostics::{Report, Status, check_ids};
use sso_scim_wizard::probes::http::Policy;
use sso_scim_wizard::probes::oidc::{self, OidcInput};
use sso_scim_wizard::secrets::Secret;

async fn run(input: &OidcInput) -> Report {
    oidc::check(input, Policy::with_timeout_secs(10), &|_| {}).await
}

fn status(report: &Report, id: &str) -> Status {
    match report.finding(id) {
        Some(finding) => finding.status,
        None => panic!("{id} is missing from the report:\n{}", report.to_text()),
    }
}

fn issuer_only(issuer: &str) -> OidcInput {
    OidcInput {
        issuer: issuer.to_owned(),
        ..OidcInput::default()
    }
}

fn with_client(issuer: &str, id: &str, secret: &str, redirect_uri: Option<String>) -> OidcInput {
    OidcInput {
        issuer: issuer.to_owned(),
        client_id: Some(id.to_owned()),
        client_secret: Some(Secret::new(secret)),
        redirect_uri,
        extra_scopes: vec!["offline_access".to_owned()],
        allowed_origins: Vec::new(),
    }
}

/// Everything passes except what a loopback test provider cannot: https is a warning
/// there, and without a client id the secret check is skipped.
fn assert_healthy_issuer(report: &Report) {
    let ids: Vec<&str> = report.checks.iter().map(|f| f.id.as_str()).collect();
    let expected: Vec<&str> = check_ids::OIDC.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, expected, "every OIDC check, in order");
    for finding in &report.checks {
        let want = match finding.id.as_str() {
            "oidc.https" => Status::Warn,
            "oidc.client_auth" => Status::Skip,
            _ => Status::Pass,
        };
        assert_eq!(finding.status, want, "{}: {}", finding.id, finding.detail);
    }
    assert!(!report.has_failures());
}

#[tokio::test]
async fn correct_issuer_passes() {
    let Some(issuer) = support::peer("SSW_OIDC_ISSUER") else {
        return;
    };
    let report = run(&issuer_only(&issuer)).await;
    assert_healthy_issuer(&report);
    let https = report
        .finding("oidc.https")
        .map(|f| f.detail.clone())
        .unwrap_or_default();
    assert!(https.contains("loopback"), "{https}");
}

#[tokio::test]
async fn issuer_with_a_path_passes() {
    let Some(issuer) = support::peer("SSW_OIDC_ISSUER_WITH_PATH") else {
        return;
    };
    assert!(issuer.ends_with("/realms/x"), "{issuer}");
    let report = run(&issuer_only(&issuer)).await;
    assert_healthy_issuer(&report);
}

#[tokio::test]
async fn trailing_slash_issuer_is_a_mismatch() {
    let Some(issuer) = support::peer("SSW_OIDC_ISSUER_WITH_PATH") else {
        return;
    };
    let entered = format!("{issuer}/");
    let report = run(&issuer_only(&entered)).await;
    // The document is still found (the slash is dropped before the well-known path)...
    assert_eq!(status(&report, "oidc.discovery_fetch"), Status::Pass);
    // ...but the issuer must match character by character, and both strings are named.
    let finding = report
        .finding("oidc.issuer_match")
        .cloned()
        .unwrap_or_else(|| panic!("no issuer_match"));
    assert_eq!(finding.status, Status::Fail, "{}", finding.detail);
    assert!(
        finding.detail.contains(&entered) && finding.detail.contains("trailing slash"),
        "{}",
        finding.detail
    );
    assert!(finding.fix.contains(&issuer), "{}", finding.fix);
    assert!(report.has_failures());
}

#[tokio::test]
async fn pasted_discovery_url_is_explained() {
    let Some(issuer) = support::peer("SSW_OIDC_ISSUER") else {
        return;
    };
    let report = run(&issuer_only(&format!(
        "{issuer}/.well-known/openid-configuration"
    )))
    .await;
    assert_eq!(status(&report, "oidc.discovery_fetch"), Status::Pass);
    let finding = report
        .finding("oidc.issuer_match")
        .cloned()
        .unwrap_or_else(|| panic!("no issuer_match"));
    assert_eq!(finding.status, Status::Fail);
    assert!(
        finding.detail.contains("discovery document's URL"),
        "{}",
        finding.detail
    );
}

#[tokio::test]
async fn right_secret_passes_with_client_credentials() {
    let (Some(issuer), Some(id), Some(secret)) = (
        support::peer("SSW_OIDC_ISSUER"),
        support::peer("SSW_OIDC_CLIENT_ID"),
        support::peer("SSW_OIDC_CLIENT_SECRET"),
    ) else {
        return;
    };
    let report = run(&with_client(&issuer, &id, &secret, None)).await;
    let finding = report
        .finding("oidc.client_auth")
        .cloned()
        .unwrap_or_else(|| panic!("no client_auth"));
    assert_eq!(finding.status, Status::Pass, "{}", finding.detail);
    assert!(
        finding.detail.contains("client_credentials grant"),
        "{}",
        finding.detail
    );
    assert_eq!(report.summary.fail, 0, "{}", report.to_text());
}

#[tokio::test]
async fn wrong_secret_fails_with_client_credentials() {
    let (Some(issuer), Some(id), Some(secret)) = (
        support::peer("SSW_OIDC_ISSUER"),
        support::peer("SSW_OIDC_CLIENT_ID"),
        support::peer("SSW_OIDC_CLIENT_SECRET"),
    ) else {
        return;
    };
    let wrong = format!("{secret}-wrong");
    let report = run(&with_client(&issuer, &id, &wrong, None)).await;
    let finding = report
        .finding("oidc.client_auth")
        .cloned()
        .unwrap_or_else(|| panic!("no client_auth"));
    assert_eq!(finding.status, Status::Fail, "{}", finding.detail);
    assert!(
        finding.detail.contains("invalid_client") && finding.detail.contains(&id),
        "{}",
        finding.detail
    );
    assert!(
        !report.to_json().contains(&wrong),
        "the secret leaked into the report"
    );
}

#[tokio::test]
async fn right_secret_passes_with_a_dummy_code_when_client_credentials_is_not_allowed() {
    let (Some(issuer), Some(id), Some(secret), Some(redirect)) = (
        support::peer("SSW_OIDC_ISSUER"),
        support::peer("SSW_OIDC_CODE_CLIENT_ID"),
        support::peer("SSW_OIDC_CODE_CLIENT_SECRET"),
        support::peer("SSW_OIDC_CODE_REDIRECT_URI"),
    ) else {
        return;
    };
    let report = run(&with_client(&issuer, &id, &secret, Some(redirect))).await;
    let finding = report
        .finding("oidc.client_auth")
        .cloned()
        .unwrap_or_else(|| panic!("no client_auth"));
    assert_eq!(finding.status, Status::Pass, "{}", finding.detail);
    assert!(
        finding.detail.contains("invalid_grant"),
        "{}",
        finding.detail
    );
}

#[tokio::test]
async fn wrong_secret_fails_with_a_dummy_code_when_client_credentials_is_not_allowed() {
    let (Some(issuer), Some(id), Some(secret), Some(redirect)) = (
        support::peer("SSW_OIDC_ISSUER"),
        support::peer("SSW_OIDC_CODE_CLIENT_ID"),
        support::peer("SSW_OIDC_CODE_CLIENT_SECRET"),
        support::peer("SSW_OIDC_CODE_REDIRECT_URI"),
    ) else {
        return;
    };
    let wrong = format!("x{secret}");
    let report = run(&with_client(&issuer, &id, &wrong, Some(redirect))).await;
    let finding = report
        .finding("oidc.client_auth")
        .cloned()
        .unwrap_or_else(|| panic!("no client_auth"));
    assert_eq!(finding.status, Status::Fail, "{}", finding.detail);
    assert!(
        finding.detail.contains("invalid_client"),
        "{}",
        finding.detail
    );
    assert!(
        !report.to_json().contains(&wrong),
        "the secret leaked into the report"
    );
}

#[tokio::test]
async fn unknown_client_id_fails() {
    let Some(issuer) = support::peer("SSW_OIDC_ISSUER") else {
        return;
    };
    let report = run(&with_client(
        &issuer,
        "no-such-client",
        "whatever-secret",
        None,
    ))
    .await;
    assert_eq!(status(&report, "oidc.client_auth"), Status::Fail);
}

#[tokio::test]
async fn progress_is_reported_after_each_check_in_order() {
    let Some(issuer) = support::peer("SSW_OIDC_ISSUER") else {
        return;
    };
    let seen: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let report = oidc::check(
        &issuer_only(&issuer),
        Policy::with_timeout_secs(10),
        &|finding| {
            if let Ok(mut seen) = seen.lock() {
                seen.push(finding.id.clone());
            }
        },
    )
    .await;
    let seen = seen.into_inner().unwrap_or_default();
    let ids: Vec<String> = report.checks.iter().map(|f| f.id.clone()).collect();
    assert_eq!(seen, ids);
    assert_eq!(seen.len(), check_ids::OIDC.len());
}

//! Fuzz drivers: one function per fuzz target, each feeding one input through the code
//! the app runs on that kind of outside input (the same public functions the probes,
//! the profile store and the catalog call, never a copy of their logic).
//!
//! Shared by `fuzz/fuzz_targets/*.rs` (through this crate) and by
//! `tests/it/fuzz_regressions.rs` (which includes this file with `#[path]`), so a crash the
//! fuzzer keeps under `fuzz/regressions/<target>/` is replayed by `cargo nextest` exactly
//! as the fuzzer ran it. A driver panics only when the app would: on a bug.

use std::collections::BTreeMap;
use std::sync::LazyLock;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use serde_json::Value;
use sso_scim_wizard::catalog::{Catalog, CatalogError, CatalogFile};
use sso_scim_wizard::diagnostics::Finding;
use sso_scim_wizard::expiry;
use sso_scim_wizard::export::bundle::{self, BundleInput};
use sso_scim_wizard::export::checklist::{self, ChecklistReview, Format};
use sso_scim_wizard::export::ics;
use sso_scim_wizard::model::Profile;
use sso_scim_wizard::probes::http::Response;
use sso_scim_wizard::probes::login::{self, LoginError, LoginOutcome, VerifiedIdToken};
use sso_scim_wizard::probes::{oidc, scim};
use sso_scim_wizard::secrets::Secret;
use sso_scim_wizard::storage::{self, ProfileParseError};
use url::Url;

/// Every fuzz target, as named in `fuzz/Cargo.toml`, `fuzz/corpus/` and
/// `fuzz/regressions/`.
pub const TARGETS: [&str; 7] = [
    "discovery",
    "jwks",
    "id_token",
    "scim_list",
    "scim_error",
    "profile",
    "catalog",
];

/// Runs the driver of `target` on `data`, discarding the outcome; `false` for an unknown
/// target name.
pub fn drive(target: &str, data: &[u8]) -> bool {
    match target {
        "discovery" => drop(discovery(data)),
        "jwks" => drop(jwks(data)),
        "id_token" => drop(id_token(data)),
        "scim_list" => drop(scim_list(data)),
        "scim_error" => drop(scim_error(data)),
        "profile" => drop(profile(data)),
        "catalog" => drop(catalog(data)),
        _ => return false,
    }
    true
}

/// The issuer the admin "entered" for the OIDC drivers.
pub const ISSUER: &str = "https://idp.example.com/oauth2/default";
/// The client id of the OIDC drivers.
pub const CLIENT_ID: &str = "0oa1fuzzclient";
/// The nonce the test login "sent".
pub const NONCE: &str = "n-0S6_WzA2Mj";
/// The client secret HS256 ID tokens are signed with.
pub const CLIENT_SECRET: &str = "fuzz-client-secret-0123456789abcdef";
/// The SCIM base URL of the SCIM drivers.
const SCIM_BASE: &str = "https://scim.example.com/scim/v2";

/// A public JWK Set with one key per family (RSA 2048 `rsa-1`, EC P-256 `ec-1`, Ed25519
/// `ed-1`): the keys the ID-token driver verifies against.
pub const JWKS: &str = r#"{"keys":[
{"kty":"RSA","use":"sig","alg":"RS256","kid":"rsa-1","e":"AQAB","n":"umjT8Q5iysrrG1LoljeAm4abVBNLTuxnKEqgfHqmQLtF4Y3ett6aVXagdE5WEvhQt31_-ZrS2Yp_IOYRNMKQu3K2NzY7OC5si4C5eI1xgVyexSZ8TKQ7EWkbzGlP_4VH2LeHOM2zyN_VpQcWENFSYzACyZUtKRXlIWtKvfg8xkSEVCqOjsSqiuY-xUU8hn1sv4V5OuN07EhhJCPTZDSaWPQT5XjVprVAy0GYA6t__ZmzLONukZwoJ05bWpD9nTIPCKwdXoAQSUM22mTTv2RbnDSAU_YLcwoHqUEHuXuOtjSQBzh3tw6b7tyBhEJ7QvikLiQiwKUFYay2RrFz7dnYUw"},
{"kty":"EC","use":"sig","alg":"ES256","kid":"ec-1","crv":"P-256","x":"7WJJhy86Zfcd65-CV1RMHoFlJBKmtCpXmRp59vJfPHA","y":"cA7a4kmc8fA4kltnwBYlA36WivbeaLcSkr3JhbrGR0U"},
{"kty":"OKP","use":"sig","alg":"EdDSA","kid":"ed-1","crv":"Ed25519","x":"qdGfDTC-1BUdYapkrHQ5Dc20JQewoi0NkQ8FG8rPOmc"}
]}"#;

/// Claims that pass every check of [`login::verify_id_token`] until 2100.
const GOOD_CLAIMS: &str = r#"{"iss":"https://idp.example.com/oauth2/default","aud":"0oa1fuzzclient","exp":4102444800,"iat":1767225600,"nonce":"n-0S6_WzA2Mj","sub":"00u1fuzz","email":"ada@example.com"}"#;

/// The JIT claims the ID-token driver asks for.
const JIT_CLAIMS: [&str; 3] = ["email", "given_name", "groups"];

/// The clock of the profile driver, fixed so a replay gives the same outcome.
const NOW: &str = "2026-11-23T12:00:00Z";

static JWKS_VALUE: LazyLock<Value> =
    LazyLock::new(|| serde_json::from_str(JWKS).unwrap_or(Value::Null));

/// ID tokens with a header of each family and a signature no key matches: the JWKS
/// driver runs them against a fuzzed key set, so every key goes through the login's key
/// selection and `DecodingKey::from_jwk`.
static UNVERIFIABLE_TOKENS: LazyLock<Vec<String>> = LazyLock::new(|| {
    [
        r#"{"alg":"RS256","kid":"rsa-1","typ":"JWT"}"#,
        r#"{"alg":"PS256","typ":"JWT"}"#,
        r#"{"alg":"ES256","kid":"ec-1","typ":"JWT"}"#,
        r#"{"alg":"EdDSA","typ":"JWT"}"#,
    ]
    .iter()
    .map(|header| {
        format!(
            "{}.{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(GOOD_CLAIMS),
            URL_SAFE_NO_PAD.encode([7_u8; 64])
        )
    })
    .collect()
});

// ---------------------------------------------------------------------------------------
// OIDC

/// A response as [`sso_scim_wizard::probes::http::Client::send`] returns it.
fn response(status: u16, content_type: &str, url: &str, body: &[u8]) -> Option<Response> {
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_str(content_type).ok()?);
    Some(Response {
        status: StatusCode::from_u16(status).ok()?,
        headers,
        final_url: Url::parse(url).ok()?,
        redirects: Vec::new(),
        body: body.to_vec(),
        elapsed: Duration::from_millis(42),
    })
}

/// A discovery document answer: judged as `oidc::check` and the test login judge it
/// (`discovery_from_response`), then, when it is a document, every check that reads it.
/// The same body is also judged as a 400 answer, where the IdP's error text is quoted.
pub fn discovery(data: &[u8]) -> Vec<Finding> {
    let mut findings = Vec::new();
    let Ok(entered) = Url::parse(ISSUER) else {
        return findings;
    };
    let url = oidc::discovery_url(&entered);
    for status in [200, 400] {
        let Some(answer) = response(status, "application/json", url.as_str(), data) else {
            continue;
        };
        match oidc::discovery_from_response(&answer) {
            Ok((finding, document)) => {
                findings.push(finding);
                let discovery = oidc::Discovery {
                    url: answer.final_url.clone(),
                    chain: vec![url.clone()],
                    document,
                };
                let document = &discovery.document;
                findings.push(oidc::https_finding(&entered, Some(&discovery)));
                findings.push(oidc::issuer_finding(ISSUER, discovery.str("issuer")));
                findings.push(oidc::metadata_finding(document));
                findings.push(oidc::signing_algs_finding(document));
                findings.push(oidc::scopes_finding(
                    document,
                    &["offline_access".to_owned()],
                ));
            }
            Err(finding) => findings.push(finding),
        }
    }
    findings
}

/// What the app makes of a JWK Set: the `oidc.jwks` finding, and the test login's key
/// selection for ID tokens of each family (`None` when the body is not JSON, where the
/// login stops before choosing keys).
#[derive(Debug)]
pub struct JwksOutcome {
    /// `oidc.jwks`.
    pub finding: Finding,
    /// [`login::verify_id_token`] of each of [`UNVERIFIABLE_TOKENS`] against the set.
    pub login: Option<Vec<Result<VerifiedIdToken, LoginError>>>,
}

/// A `jwks_uri` answer body, judged by the OIDC checks and used by the test login.
pub fn jwks(data: &[u8]) -> JwksOutcome {
    let finding = oidc::jwks_body_finding(
        data,
        &["RS256", "ES256", "EdDSA"],
        "https://idp.example.com/oauth2/default/v1/keys",
    );
    // The login reads the set with `Response::json`, i.e. `serde_json::from_slice`.
    let login = serde_json::from_slice::<Value>(data).ok().map(|set| {
        UNVERIFIABLE_TOKENS
            .iter()
            .map(|token| login::verify_id_token(token, &set, ISSUER, CLIENT_ID, NONCE, None))
            .collect()
    });
    JwksOutcome { finding, login }
}

/// An ID token as the test login verifies it, three ways: the input as the whole token;
/// the input as the claims of an HS256 token signed with [`CLIENT_SECRET`] (so the claim
/// checks after the signature run); the input as the header of a token with good claims.
/// A verified token's claims then go through the claims table and the JIT check.
pub fn id_token(data: &[u8]) -> Vec<Result<VerifiedIdToken, LoginError>> {
    let secret = Secret::new(CLIENT_SECRET);
    let hs256_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","typ":"JWT"}"#);
    let encoded = URL_SAFE_NO_PAD.encode(data);
    let tokens = [
        Some(String::from_utf8_lossy(data).into_owned()),
        signed(&hs256_header, &encoded),
        signed(&encoded, &URL_SAFE_NO_PAD.encode(GOOD_CLAIMS)),
    ];
    let results: Vec<_> = tokens
        .iter()
        .flatten()
        .map(|token| {
            login::verify_id_token(token, &JWKS_VALUE, ISSUER, CLIENT_ID, NONCE, Some(&secret))
        })
        .collect();
    for verified in results.iter().flatten() {
        let wanted: Vec<String> = JIT_CLAIMS.iter().map(|c| (*c).to_owned()).collect();
        let outcome = LoginOutcome {
            claims: verified.claims.clone(),
            userinfo: BTreeMap::new(),
            missing_jit_claims: login::missing_claims(&verified.claims, &wanted),
            userinfo_only_jit_claims: Vec::new(),
            algorithm: verified.algorithm.clone(),
            key_id: verified.key_id.clone(),
            redirect_uri: "http://127.0.0.1:53682/callback".to_owned(),
            granted_scopes: None,
        };
        drop(outcome.display_claims());
    }
    results
}

/// `header.claims.signature`, signed with HS256 and [`CLIENT_SECRET`].
fn signed(header: &str, claims: &str) -> Option<String> {
    let message = format!("{header}.{claims}");
    let key = jsonwebtoken::EncodingKey::from_secret(CLIENT_SECRET.as_bytes());
    let signature =
        jsonwebtoken::crypto::sign(message.as_bytes(), &key, jsonwebtoken::Algorithm::HS256)
            .ok()?;
    Some(format!("{message}.{signature}"))
}

// ---------------------------------------------------------------------------------------
// SCIM

/// A `GET /Users` (or `/Groups`) answer body with 200, judged as the SCIM suite judges
/// it: `scim.list_response`, `scim.entra_test_connection` and `scim.groups`.
pub fn scim_list(data: &[u8]) -> Vec<Finding> {
    let mut findings = Vec::new();
    let users = format!("{SCIM_BASE}/Users?startIndex=1&count=1");
    let groups = format!("{SCIM_BASE}/Groups?startIndex=1&count=1");
    for content_type in ["application/scim+json", "application/json"] {
        if let Some(answer) = response(200, content_type, &users, data) {
            findings.push(scim::list_response_finding(&answer));
            findings.push(scim::entra_finding(&answer));
        }
        if let Some(answer) = response(200, content_type, &groups, data) {
            findings.push(scim::groups_finding(&answer));
        }
    }
    findings
}

/// A SCIM error body (RFC 7644 §3.12) under the statuses that carry one, judged as the
/// SCIM suite judges it, plus the decoded error's description.
pub fn scim_error(data: &[u8]) -> Vec<Finding> {
    let mut findings = Vec::new();
    let unknown_user = format!("{SCIM_BASE}/Users/2819c223-7f76-453a-919d-413861904646");
    let filter = format!("{SCIM_BASE}/Users?filter=userName%20eq%20%22ssw-probe-0%22");
    let groups = format!("{SCIM_BASE}/Groups?startIndex=1&count=1");
    for status in [404, 400, 409, 500] {
        if let Some(answer) = response(status, "application/scim+json", &unknown_user, data) {
            findings.push(scim::not_found_finding(&answer));
        }
    }
    for status in [400, 401, 403] {
        if let Some(answer) = response(status, "application/scim+json", &filter, data) {
            findings.push(scim::entra_finding(&answer));
        }
    }
    for status in [403, 404, 501] {
        if let Some(answer) = response(status, "application/scim+json", &groups, data) {
            findings.push(scim::groups_finding(&answer));
        }
    }
    if let Ok(body) = serde_json::from_slice::<Value>(data)
        && let Some(error) = scim::ScimError::parse(&body)
    {
        drop(error.describe());
    }
    findings
}

// ---------------------------------------------------------------------------------------
// Profiles and catalog

/// The bytes of a profile file, decoded as [`storage::ProfileStore`] loads it. A profile
/// that loads must save and load back unchanged (else the next save would lose or
/// corrupt it), and everything the app makes of a loaded profile must work: the expiry
/// dashboard and its calendar export, the checklist export and the support bundle.
///
/// # Panics
/// When a loaded profile does not survive a save and load.
pub fn profile(data: &[u8]) -> Result<Profile, ProfileParseError> {
    let profile = storage::parse_profile(data)?;
    // What `ProfileStore::save` writes.
    let saved = serde_json::to_vec_pretty(&profile);
    assert!(saved.is_ok(), "a loaded profile cannot be saved: {saved:?}");
    let reloaded = saved.map(|bytes| storage::parse_profile(&bytes));
    assert!(
        matches!(&reloaded, Ok(Ok(again)) if *again == profile),
        "a loaded profile does not load back the same after a save: {reloaded:?}"
    );
    let Ok(now) = DateTime::parse_from_rfc3339(NOW).map(|now| now.with_timezone(&Utc)) else {
        return Ok(profile);
    };
    let due = expiry::due_list([&profile]);
    for entry in &due {
        if let Some(at) = entry.credential.expires_at {
            drop(expiry::badge_text(at, now));
        }
    }
    drop(ics::calendar(&due, now));
    let catalog = sso_scim_wizard::catalog::catalog();
    let review = ChecklistReview::for_profile(catalog, &profile);
    for format in [Format::Text, Format::Markdown, Format::Html] {
        drop(checklist::render(&review, Some(&profile), now, format));
    }
    drop(bundle::to_json(&BundleInput {
        profile: &profile,
        catalog,
        now,
        keyring: None,
        note: "",
    }));
    Ok(profile)
}

/// A catalog TOML file, tried in each of the four slots against the embedded other
/// three: parsed with the catalog's schema and validated as [`Catalog::parse`] does.
/// Not UTF-8 (the app embeds the files with `include_str!`) gives no outcome.
pub fn catalog(data: &[u8]) -> Vec<Result<Catalog, CatalogError>> {
    let Ok(text) = std::str::from_utf8(data) else {
        return Vec::new();
    };
    let base = sso_scim_wizard::catalog::catalog();
    CatalogFile::ALL
        .iter()
        .map(|file| base.with_file(*file, text))
        .collect()
}

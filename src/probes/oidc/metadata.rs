//! Judgements of the discovery document's members: required metadata, signing
//! algorithms and scopes. Pure functions of the document.

use serde_json::{Map, Value};
use url::Url;

use super::discovery::string_array;
use super::{BASE_SCOPES, REQUIRED_METADATA, SCOPES, SIGNING_ALGS};
use crate::diagnostics::Finding;

// ---------------------------------------------------------------------------------------
// Metadata and algorithms

/// `oidc.required_metadata`: the members OpenID Connect Discovery 1.0 §3 requires, with
/// usable URLs and the `code` response type the platforms use.
pub fn metadata_finding(document: &Map<String, Value>) -> Finding {
    let mut missing: Vec<&str> = Vec::new();
    let mut broken: Vec<String> = Vec::new();
    for name in [
        "issuer",
        "authorization_endpoint",
        "token_endpoint",
        "jwks_uri",
    ] {
        match document.get(name).and_then(Value::as_str) {
            None => missing.push(name),
            Some(text) if Url::parse(text).is_err() => {
                broken.push(format!("{name} is not a URL ({text:?})"));
            }
            Some(_) => {}
        }
    }
    for name in [
        "response_types_supported",
        "subject_types_supported",
        "id_token_signing_alg_values_supported",
    ] {
        if string_array(document, name).is_none_or(|items| items.is_empty()) {
            missing.push(name);
        }
    }
    if let Some(types) = string_array(document, "response_types_supported")
        && !types.is_empty()
        && !types.contains(&"code")
    {
        broken.push(format!(
            "response_types_supported does not include \"code\" (it lists {})",
            types.join(", ")
        ));
    }
    if missing.is_empty() && broken.is_empty() {
        let userinfo = if document.contains_key("userinfo_endpoint") {
            ""
        } else {
            " (no userinfo_endpoint, which is optional)"
        };
        return Finding::pass(
            REQUIRED_METADATA,
            format!("All required members are present{userinfo}"),
        );
    }
    let mut parts = Vec::new();
    if !missing.is_empty() {
        parts.push(format!("Missing: {}", missing.join(", ")));
    }
    parts.extend(broken);
    Finding::fail(
        REQUIRED_METADATA,
        parts.join("; "),
        "The document is incomplete, so platforms cannot sign users in with it: check that the issuer is the OIDC issuer (not a SAML or OAuth-only endpoint) and that the IdP app is an OIDC app",
    )
}

/// `oidc.signing_algs`: `none` is a failure (unsigned ID tokens could be forged); only
/// symmetric algorithms or no RS256 (which Discovery §3 makes mandatory) is a warning.
pub fn signing_algs_finding(document: &Map<String, Value>) -> Finding {
    let Some(algs) =
        string_array(document, "id_token_signing_alg_values_supported").filter(|a| !a.is_empty())
    else {
        return Finding::fail(
            SIGNING_ALGS,
            "The document lists no id_token_signing_alg_values_supported",
            "Without it clients cannot know how ID tokens are signed: check the issuer URL",
        );
    };
    let list = algs.join(", ");
    if algs.iter().any(|alg| alg.eq_ignore_ascii_case("none")) {
        return Finding::fail(
            SIGNING_ALGS,
            format!("The IdP offers unsigned ID tokens (alg \"none\"): {list}"),
            "Unsigned tokens can be forged by anyone: remove \"none\" from the IdP's allowed ID token algorithms and use RS256",
        );
    }
    let asymmetric: Vec<&&str> = algs.iter().filter(|alg| !alg.starts_with("HS")).collect();
    if asymmetric.is_empty() {
        return Finding::warn(
            SIGNING_ALGS,
            format!("Only symmetric algorithms, signed with the client secret: {list}"),
            "Platforms expect tokens signed with the IdP's public keys: enable RS256 for ID tokens",
        );
    }
    if !algs.contains(&"RS256") {
        return Finding::warn(
            SIGNING_ALGS,
            format!("RS256 is not offered: {list}"),
            "OpenID Connect requires RS256 support and most platforms verify RS256 only: enable it in the IdP",
        );
    }
    Finding::pass(SIGNING_ALGS, format!("ID tokens are signed with {list}"))
}

/// The standard claims scopes of OpenID Connect Core 1.0 §5.4, which a provider may
/// support without listing them in `scopes_supported`.
const CLAIMS_SCOPES: [&str; 4] = ["profile", "email", "address", "phone"];

/// `oidc.scopes`: `openid` must be supported; the platform's other scopes should be
/// listed, except the standard claims scopes (`profile`, `email`, …), which Discovery
/// lets a provider leave out: their absence is a note on a pass.
pub fn scopes_finding(document: &Map<String, Value>, extra: &[String]) -> Finding {
    let mut wanted: Vec<&str> = BASE_SCOPES.to_vec();
    for scope in extra {
        if !wanted.contains(&scope.as_str()) {
            wanted.push(scope);
        }
    }
    let Some(supported) = string_array(document, "scopes_supported") else {
        return Finding::warn(
            SCOPES,
            format!(
                "The document does not list scopes_supported (it is optional), so {} cannot be confirmed",
                wanted.join(", ")
            ),
            "Run Test login to see which claims the IdP actually sends",
        );
    };
    let missing: Vec<&str> = wanted
        .iter()
        .copied()
        .filter(|scope| !supported.contains(scope))
        .collect();
    if missing.is_empty() {
        return Finding::pass(SCOPES, format!("Supported: {}", wanted.join(", ")));
    }
    // OpenID Connect Discovery 1.0 §3: a provider "MAY choose not to advertise some
    // supported scope values even when this parameter is used" (idpyoidc lists only
    // openid and grants profile and email too), so an unlisted standard claims scope is
    // information, not a warning (issue #18).
    if missing.iter().all(|scope| CLAIMS_SCOPES.contains(scope)) {
        return Finding::pass(
            SCOPES,
            format!(
                "openid is supported; scopes_supported does not list {} (it lists {}). OpenID Connect Discovery lets a provider list only some of its scopes, so this is not a problem by itself; Test login shows which scopes are granted and which claims arrive",
                missing.join(", "),
                supported.join(", ")
            ),
        );
    }
    let detail = format!(
        "Not listed in scopes_supported: {} (it lists {})",
        missing.join(", "),
        supported.join(", ")
    );
    if missing.contains(&"openid") {
        Finding::fail(
            SCOPES,
            detail,
            "Without the openid scope there is no OpenID Connect sign-in: check that the issuer is an OIDC issuer",
        )
    } else {
        Finding::warn(
            SCOPES,
            detail,
            "The platform asks for these scopes; grant them to the app in the IdP (Entra: API permissions, with admin consent), or user details such as the email will be missing",
        )
    }
}

/// `oidc.scopes` confirmed by a test login: the scopes it asked for (`requested`) against
/// those the token endpoint said it granted; `None` (no `scope` in the answer) means
/// everything requested was granted (RFC 6749 §5.1).
pub fn scopes_granted_finding(requested: &[String], granted: Option<&[String]>) -> Finding {
    let Some(granted) = granted else {
        return Finding::pass(
            SCOPES,
            format!(
                "The test login was granted what it asked for ({}): the token answer did not list scopes, which means all were granted",
                requested.join(", ")
            ),
        );
    };
    let refused: Vec<&str> = requested
        .iter()
        .map(String::as_str)
        .filter(|scope| !granted.iter().any(|g| g == scope))
        .collect();
    if refused.is_empty() {
        return Finding::pass(
            SCOPES,
            format!("The test login was granted {}", granted.join(", ")),
        );
    }
    Finding::warn(
        SCOPES,
        format!(
            "The test login was not granted {} (it was granted {})",
            refused.join(", "),
            granted.join(", ")
        ),
        "Grant these scopes to the app in the IdP (Entra: API permissions, with admin consent), or user details such as the email will be missing",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Status;
    use serde_json::json;

    fn doc(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    fn full_doc() -> Value {
        json!({
            "issuer": "https://idp.example",
            "authorization_endpoint": "https://idp.example/auth",
            "token_endpoint": "https://idp.example/token",
            "jwks_uri": "https://idp.example/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile", "email"],
        })
    }

    #[test]
    fn metadata_names_missing_members() {
        assert_eq!(metadata_finding(&doc(full_doc())).status, Status::Pass);
        let mut d = doc(full_doc());
        d.remove("jwks_uri");
        d.insert("response_types_supported".into(), json!(["id_token"]));
        let f = metadata_finding(&d);
        assert_eq!(f.status, Status::Fail);
        assert!(
            f.detail.contains("jwks_uri") && f.detail.contains("\"code\""),
            "{}",
            f.detail
        );
    }

    #[test]
    fn alg_none_fails_and_hs_only_warns() {
        let f = signing_algs_finding(&doc(
            json!({"id_token_signing_alg_values_supported": ["RS256", "none"]}),
        ));
        assert_eq!(f.status, Status::Fail);
        let f = signing_algs_finding(&doc(
            json!({"id_token_signing_alg_values_supported": ["HS256"]}),
        ));
        assert_eq!(f.status, Status::Warn);
        let f = signing_algs_finding(&doc(
            json!({"id_token_signing_alg_values_supported": ["ES256"]}),
        ));
        assert_eq!(f.status, Status::Warn);
        let f = signing_algs_finding(&doc(
            json!({"id_token_signing_alg_values_supported": ["RS256", "ES256"]}),
        ));
        assert_eq!(f.status, Status::Pass);
    }

    #[test]
    fn scopes_missing_openid_fails_missing_offline_access_warns() {
        let f = scopes_finding(
            &doc(json!({"scopes_supported": ["openid", "profile", "email"]})),
            &[],
        );
        assert_eq!(f.status, Status::Pass);
        let f = scopes_finding(
            &doc(json!({"scopes_supported": ["openid", "profile"]})),
            &["offline_access".into()],
        );
        assert_eq!(f.status, Status::Warn);
        assert!(
            f.detail.contains("email") && f.detail.contains("offline_access"),
            "{}",
            f.detail
        );
        let f = scopes_finding(&doc(json!({"scopes_supported": ["profile"]})), &[]);
        assert_eq!(f.status, Status::Fail);
        let f = scopes_finding(&doc(json!({})), &[]);
        assert_eq!(f.status, Status::Warn);
    }

    /// Issue #18: idpyoidc lists only `openid` and grants profile and email too; Discovery
    /// §3 allows listing a subset, so that is a pass that says so, not a warning.
    #[test]
    fn scopes_supported_listing_only_openid_is_a_pass_with_a_note() {
        let f = scopes_finding(&doc(json!({"scopes_supported": ["openid"]})), &[]);
        assert_eq!(f.status, Status::Pass, "{}", f.detail);
        assert!(
            f.detail.contains("profile, email") && f.detail.contains("Test login"),
            "{}",
            f.detail
        );
        let f = scopes_finding(
            &doc(json!({"scopes_supported": ["openid", "profile"]})),
            &[],
        );
        assert_eq!(f.status, Status::Pass, "{}", f.detail);
        // A platform scope outside the standard claims scopes still warns.
        let f = scopes_finding(
            &doc(json!({"scopes_supported": ["openid"]})),
            &["groups".into()],
        );
        assert_eq!(f.status, Status::Warn, "{}", f.detail);
    }

    #[test]
    fn granted_scopes_confirm_or_name_what_was_not_granted() {
        let requested: Vec<String> = ["openid", "profile", "email"].map(String::from).to_vec();
        let all = requested.clone();
        assert_eq!(
            scopes_granted_finding(&requested, Some(&all)).status,
            Status::Pass
        );
        assert_eq!(
            scopes_granted_finding(&requested, None).status,
            Status::Pass
        );
        let only_openid = vec!["openid".to_owned()];
        let f = scopes_granted_finding(&requested, Some(&only_openid));
        assert_eq!(f.status, Status::Warn);
        assert!(
            f.detail.contains("not granted profile, email"),
            "{}",
            f.detail
        );
    }
}

//! `oidc.issuer_match` and the Entra ID rules it needs: tenant GUIDs, the login hosts,
//! v1 and v2 issuers and the `common`/`organizations` templates.

use url::Url;

use super::{ISSUER_MATCH, WELL_KNOWN};
use crate::diagnostics::Finding;

// ---------------------------------------------------------------------------------------
// Issuer

/// `oidc.issuer_match`: the document's `issuer` must equal the entered issuer exactly
/// (OpenID Connect Discovery 1.0 §4.3); both strings are named, and the common mistakes
/// get their own explanation.
pub fn issuer_finding(entered: &str, document_issuer: Option<&str>) -> Finding {
    let entered = entered.trim();
    let Some(actual) = document_issuer else {
        return Finding::fail(
            ISSUER_MATCH,
            "The discovery document has no issuer member",
            "This is not a complete OpenID Connect discovery document: check the issuer URL",
        );
    };
    if entered == actual {
        if is_entra_v1(actual) {
            return Finding::warn(
                ISSUER_MATCH,
                format!("Matches, but {actual} is the Entra v1 issuer"),
                "Most platforms expect the v2.0 issuer: https://login.microsoftonline.com/<tenant-id>/v2.0",
            );
        }
        return Finding::pass(
            ISSUER_MATCH,
            format!("The document's issuer is exactly {actual}"),
        );
    }
    let both = format!("You entered {entered} but the document says {actual}");
    if actual.contains("{tenantid}") {
        return Finding::fail(
            ISSUER_MATCH,
            format!("{both}: that is Entra's multi-tenant endpoint, whose issuer is a template"),
            "Use the issuer of your own tenant: https://login.microsoftonline.com/<your tenant id>/v2.0 (the Directory (tenant) ID is on the app registration's Overview page)",
        );
    }
    if entered.ends_with(WELL_KNOWN) {
        return Finding::fail(
            ISSUER_MATCH,
            format!("{both}: you entered the discovery document's URL"),
            format!("Enter the issuer without {WELL_KNOWN}: {actual}"),
        );
    }
    if entered.trim_end_matches('/') == actual.trim_end_matches('/') {
        let which = if entered.ends_with('/') {
            "yours ends with a slash and the document's does not"
        } else {
            "the document's ends with a slash and yours does not"
        };
        return Finding::fail(
            ISSUER_MATCH,
            format!("{both}: they differ only in the trailing slash ({which})"),
            format!("Issuers are compared character by character; enter exactly {actual}"),
        );
    }
    if is_entra_v1(actual) && !is_entra_v1(entered) {
        return Finding::fail(
            ISSUER_MATCH,
            format!(
                "{both}: the address you entered serves Entra's v1 endpoint (sts.windows.net issuer)"
            ),
            format!(
                "Add /v2.0 at the end: {}",
                entra_v2_from_v1(actual).unwrap_or_else(|| {
                    "https://login.microsoftonline.com/<tenant-id>/v2.0".to_owned()
                })
            ),
        );
    }
    if is_entra_v1(entered) && is_entra_v2(actual) {
        return Finding::fail(
            ISSUER_MATCH,
            format!("{both}: you entered the Entra v1 issuer, the document is v2"),
            format!("Enter the v2.0 issuer: {actual}"),
        );
    }
    if entered.eq_ignore_ascii_case(actual) {
        return Finding::fail(
            ISSUER_MATCH,
            format!("{both}: they differ only in letter case"),
            format!("Issuers are compared exactly, letter case included; enter {actual}"),
        );
    }
    if is_entra_v2(actual) && entra_tenant_segment(entered).is_some_and(|segment| !is_guid(segment))
    {
        return Finding::fail(
            ISSUER_MATCH,
            format!("{both}: Entra names the tenant by its id (a GUID), not by its domain"),
            format!("Enter the issuer with the tenant id: {actual}"),
        );
    }
    Finding::fail(
        ISSUER_MATCH,
        both,
        format!("Enter exactly the issuer the IdP publishes: {actual}"),
    )
}

pub(super) fn is_entra_v1(issuer: &str) -> bool {
    Url::parse(issuer)
        .ok()
        .and_then(|url| {
            url.host_str()
                .map(|h| h.eq_ignore_ascii_case("sts.windows.net"))
        })
        .unwrap_or(false)
}

pub(super) fn is_entra_v2(issuer: &str) -> bool {
    Url::parse(issuer).ok().is_some_and(|url| {
        url.host_str().is_some_and(is_entra_login_host)
            && url.path().trim_end_matches('/').ends_with("/v2.0")
    })
}

/// Entra's sign-in hosts (public cloud, US government, China).
pub fn is_entra_login_host(host: &str) -> bool {
    [
        "login.microsoftonline.com",
        "login.microsoftonline.us",
        "login.partner.microsoftonline.cn",
        "login.chinacloudapi.cn",
    ]
    .iter()
    .any(|known| host.eq_ignore_ascii_case(known))
}

/// The first path segment of an Entra sign-in URL (the tenant: GUID, domain, `common`…).
pub(super) fn entra_tenant_segment(issuer: &str) -> Option<&str> {
    let rest = issuer.split_once("://")?.1;
    let (host, path) = rest.split_once('/')?;
    if !is_entra_login_host(host) {
        return None;
    }
    path.split('/').next().filter(|segment| !segment.is_empty())
}

pub(super) fn entra_v2_from_v1(v1: &str) -> Option<String> {
    let url = Url::parse(v1).ok()?;
    let tenant = url
        .path_segments()?
        .next()
        .filter(|s| !s.is_empty())?
        .to_owned();
    Some(format!("https://login.microsoftonline.com/{tenant}/v2.0"))
}

/// True for a GUID in its usual 8-4-4-4-12 hex form.
pub fn is_guid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.chars().all(|c| c.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Status;

    #[test]
    fn exact_issuer_passes() {
        let f = issuer_finding(
            "https://idp.example/realms/x",
            Some("https://idp.example/realms/x"),
        );
        assert_eq!(f.status, Status::Pass);
    }

    #[test]
    fn trailing_slash_issuer_is_a_mismatch_naming_both() {
        let f = issuer_finding("https://idp.example/", Some("https://idp.example"));
        assert_eq!(f.status, Status::Fail);
        assert!(
            f.detail.contains("https://idp.example/") && f.detail.contains("trailing slash"),
            "{}",
            f.detail
        );
        let f = issuer_finding(
            "https://dev.okta.com/oauth2/default",
            Some("https://dev.okta.com/oauth2/default/"),
        );
        assert!(
            f.detail.contains("the document's ends with a slash"),
            "{}",
            f.detail
        );
    }

    #[test]
    fn entra_common_endpoint_template_is_explained() {
        let f = issuer_finding(
            "https://login.microsoftonline.com/common/v2.0",
            Some("https://login.microsoftonline.com/{tenantid}/v2.0"),
        );
        assert_eq!(f.status, Status::Fail);
        assert!(f.detail.contains("multi-tenant"), "{}", f.detail);
        assert!(f.fix.contains("<your tenant id>"), "{}", f.fix);
    }

    #[test]
    fn entra_v1_endpoint_suggests_v2() {
        let tid = "72f988bf-86f1-41af-91ab-2d7cd011db47";
        let f = issuer_finding(
            &format!("https://login.microsoftonline.com/{tid}"),
            Some(&format!("https://sts.windows.net/{tid}/")),
        );
        assert_eq!(f.status, Status::Fail);
        assert!(f.detail.contains("v1"), "{}", f.detail);
        assert!(
            f.fix
                .contains(&format!("https://login.microsoftonline.com/{tid}/v2.0")),
            "{}",
            f.fix
        );

        let f = issuer_finding(
            &format!("https://sts.windows.net/{tid}/"),
            Some(&format!("https://sts.windows.net/{tid}/")),
        );
        assert_eq!(f.status, Status::Warn);
    }

    #[test]
    fn entra_domain_instead_of_tenant_id_is_explained() {
        let f = issuer_finding(
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0",
            Some("https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0"),
        );
        assert!(f.detail.contains("GUID"), "{}", f.detail);
    }

    #[test]
    fn letter_case_and_pasted_discovery_url_are_explained() {
        let f = issuer_finding(
            "https://IDP.example/Realm",
            Some("https://idp.example/realm"),
        );
        assert!(f.detail.contains("letter case"), "{}", f.detail);
        let f = issuer_finding(
            "https://idp.example/.well-known/openid-configuration",
            Some("https://idp.example"),
        );
        assert!(
            f.detail.contains("discovery document's URL"),
            "{}",
            f.detail
        );
        let f = issuer_finding("https://a.example", None);
        assert_eq!(f.status, Status::Fail);
    }

    #[test]
    fn guid_shape() {
        assert!(is_guid("72f988bf-86f1-41af-91ab-2d7cd011db47"));
        assert!(!is_guid("72f988bf-86f1-41af-91ab-2d7cd011db4"));
        assert!(!is_guid("contoso.onmicrosoft.com"));
        assert!(!is_guid("72f988bf86f141af91ab2d7cd011db47"));
    }
}

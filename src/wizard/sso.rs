//! Pure rules of the SSO app step: the issuer built from the IdP's pattern, the checks on
//! what the admin types (issuer, client id, scopes, allowed email domains), the redirect
//! URI comparison that names each difference (the cause of AADSTS50011 and redirect
//! loops), and what the step needs before Next is allowed.
//!
//! No I/O, no clock, no egui: the form calls these every frame and marks what they
//! reject; the live checks live in `probes::oidc`.

use std::collections::BTreeMap;

use crate::catalog::{Idp, IssuerPattern, Platform, SsoProtocol, fill_validated};
use crate::model::{IdpId, Profile};

/// The IdP's issuer pattern the admin picked (by label), else its first one; `None` for
/// an IdP without patterns (free entry).
pub fn chosen_pattern<'a>(idp: &'a Idp, label: &str) -> Option<&'a IssuerPattern> {
    idp.issuer_patterns
        .iter()
        .find(|p| p.label == label)
        .or_else(|| idp.issuer_patterns.first())
}

/// The issuer built from the pattern and the values typed for its placeholders, or the
/// placeholders that are missing or invalid, each with its message.
pub fn derive_issuer(
    idp: &Idp,
    pattern: &IssuerPattern,
    params: &BTreeMap<String, String>,
) -> Result<String, Vec<(String, String)>> {
    fill_validated(&pattern.pattern, &idp.issuer_placeholders, params)
}

/// Checks an issuer as typed. `Err` is a mistake that breaks sign-in (Next stays
/// disabled); `Ok` carries advice that does not block.
pub fn check_issuer(text: &str) -> Result<Vec<String>, String> {
    let issuer = text.trim();
    if issuer.is_empty() {
        return Err("Enter the issuer URL".to_owned());
    }
    if text != issuer {
        return Err("Remove the spaces or line breaks around the issuer".to_owned());
    }
    if issuer.chars().any(char::is_whitespace) {
        return Err("The issuer contains spaces".to_owned());
    }
    let Some((scheme, rest)) = issuer.split_once("://") else {
        return Err("The issuer is a full URL starting with https://".to_owned());
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        // Issue #16 item 7: it would be saved, shown and exported with the profile.
        return Err(
            "Remove the user name or password before the @: an issuer URL never has one".to_owned(),
        );
    }
    let host = host_of(authority);
    if host.is_empty() {
        return Err("The issuer has no host name after https://".to_owned());
    }
    let loopback = is_loopback_host(&host);
    match scheme.to_ascii_lowercase().as_str() {
        "https" => {}
        "http" if loopback => {}
        "http" => return Err("The issuer must use https://, not http://".to_owned()),
        other => {
            return Err(format!(
                "The issuer must start with https://, not {other}://"
            ));
        }
    }
    if issuer.contains('?') || issuer.contains('#') {
        return Err("Remove the ?… or #… part: an issuer has no query or fragment".to_owned());
    }
    if issuer.ends_with("/.well-known/openid-configuration") {
        return Err(
            "That is the discovery document's address: remove /.well-known/openid-configuration"
                .to_owned(),
        );
    }
    let mut advice = Vec::new();
    if loopback && scheme.eq_ignore_ascii_case("http") {
        advice.push("Plain http works only for a test provider on this computer".to_owned());
    }
    if crate::probes::oidc::is_entra_login_host(&host)
        || host.eq_ignore_ascii_case("sts.windows.net")
    {
        let tenant = rest.split('/').nth(1).unwrap_or_default();
        if ["common", "organizations", "consumers"]
            .iter()
            .any(|t| tenant.eq_ignore_ascii_case(t))
        {
            return Err(format!(
                "/{tenant}/ is Entra's multi-tenant endpoint; use your own Directory (tenant) ID instead"
            ));
        }
        if host.eq_ignore_ascii_case("sts.windows.net") {
            advice.push(
                "This is Entra's v1 issuer; most platforms expect https://login.microsoftonline.com/<tenant-id>/v2.0"
                    .to_owned(),
            );
        } else if !issuer.trim_end_matches('/').ends_with("/v2.0") {
            return Err("Entra's issuer ends with /v2.0; without it the v1 endpoint answers with another issuer".to_owned());
        }
    }
    Ok(advice)
}

/// Checks a client id as typed; Entra's Application (client) ID is a GUID.
pub fn check_client_id(idp: IdpId, text: &str) -> Result<(), String> {
    let id = text.trim();
    if id.is_empty() {
        return Err("Enter the client ID".to_owned());
    }
    if text != id {
        return Err("Remove the spaces or line breaks around the client ID".to_owned());
    }
    if id.chars().any(char::is_whitespace) {
        return Err("The client ID contains spaces".to_owned());
    }
    if idp == IdpId::Entra && !crate::probes::oidc::is_guid(id) {
        return Err(
            "Entra's Application (client) ID is a GUID such as 00000000-0000-0000-0000-000000000000; copy it from the app registration's Overview page (a secret's value goes in the Client secret field)"
                .to_owned(),
        );
    }
    Ok(())
}

/// Parses scopes typed with spaces or commas: each must be a scope token (RFC 6749 §3.3)
/// and `openid` must be among them. Duplicates are dropped, order kept.
pub fn parse_scopes(text: &str) -> Result<Vec<String>, String> {
    let mut scopes: Vec<String> = Vec::new();
    for scope in text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|s| !s.is_empty())
    {
        if let Some(bad) = scope
            .chars()
            .find(|c| *c == '"' || *c == '\\' || !c.is_ascii_graphic())
        {
            return Err(format!(
                "The scope {scope:?} contains {bad:?}, which scopes cannot contain"
            ));
        }
        if !scopes.iter().any(|s| s == scope) {
            scopes.push(scope.to_owned());
        }
    }
    if scopes.is_empty() {
        return Err("Enter the scopes, at least openid".to_owned());
    }
    if !scopes.iter().any(|s| s == "openid") {
        return Err("Add openid: without it there is no OpenID Connect sign-in".to_owned());
    }
    Ok(scopes)
}

/// The scopes as the admin typed them, or the platform's when the field is empty.
pub fn effective_scopes(typed: &str, platform: &Platform) -> Result<Vec<String>, String> {
    if typed.trim().is_empty() {
        Ok(platform.sso.scopes.clone())
    } else {
        parse_scopes(typed)
    }
}

/// The platform's scopes missing from `scopes`.
pub fn missing_platform_scopes(scopes: &[String], platform: &Platform) -> Vec<String> {
    platform
        .sso
        .scopes
        .iter()
        .filter(|needed| !scopes.contains(needed))
        .cloned()
        .collect()
}

/// Parses allowed email domains typed with commas, semicolons, spaces or line breaks.
/// A leading `@` is rejected with the reason (the platform compares the part after the
/// `@`, so `@example.com` never matches); domains are lower-cased, duplicates dropped.
pub fn parse_allowed_domains(text: &str) -> Result<Vec<String>, String> {
    let mut domains: Vec<String> = Vec::new();
    for raw in text
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter(|s| !s.is_empty())
    {
        if let Some(rest) = raw.strip_prefix('@') {
            return Err(format!(
                "Write {rest} without the @: the platform compares the part after the @ in each email address, so @{rest} would never match"
            ));
        }
        if raw.contains('@') {
            let domain = raw.rsplit('@').next().unwrap_or_default();
            return Err(format!(
                "{raw} is an email address; enter only its domain, {domain}"
            ));
        }
        if raw.contains("://") || raw.contains('/') {
            return Err(format!(
                "{raw} is a URL; enter only the domain, such as example.com"
            ));
        }
        if raw.contains('*') {
            return Err(format!(
                "{raw}: wildcards are not allowed; list each domain"
            ));
        }
        let domain = raw.trim_end_matches('.').to_ascii_lowercase();
        let labels_ok = domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
        if !domain.contains('.') || !labels_ok {
            return Err(format!("{raw} is not a domain name such as example.com"));
        }
        if !domains.contains(&domain) {
            domains.push(domain);
        }
    }
    Ok(domains)
}

/// The redirect URI the platform expects: its fixed value or pattern filled with the
/// typed placeholder values. `Ok(None)` when the platform shows it per tenant (then the
/// admin copies it from the platform); `Err` lists the placeholders still missing.
pub fn expected_redirect_uri(
    platform: &Platform,
    params: &BTreeMap<String, String>,
) -> Result<Option<String>, Vec<(String, String)>> {
    let pattern = platform.sso.redirect_uri.trim();
    if pattern.is_empty() {
        return Ok(None);
    }
    fill_validated(pattern, &platform.sso.redirect_placeholders, params).map(Some)
}

/// The redirect URI the IdP's entry must equal: the preset's (filled in), else the one
/// the admin copied from the platform; `None` while neither is known.
pub fn redirect_uri_to_match(profile: &Profile, platform: &Platform) -> Option<String> {
    match expected_redirect_uri(platform, &profile.sso.redirect_params) {
        Ok(Some(uri)) => Some(uri),
        Ok(None) => {
            Some(profile.sso.platform_redirect_uri.trim().to_owned()).filter(|uri| !uri.is_empty())
        }
        Err(_) => None,
    }
}

/// One way a registered redirect URI differs from the expected one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RedirectDifference {
    /// Spaces or a line break around the registered value.
    SurroundingSpaces,
    /// `http` vs `https`.
    Scheme {
        /// The platform's.
        expected: String,
        /// The IdP's.
        registered: String,
    },
    /// Another host.
    Host {
        /// The platform's.
        expected: String,
        /// The IdP's.
        registered: String,
    },
    /// Another port, or a default port written out on one side only.
    Port {
        /// The platform's (`none` when absent).
        expected: String,
        /// The IdP's.
        registered: String,
    },
    /// Another path.
    Path {
        /// The platform's.
        expected: String,
        /// The IdP's.
        registered: String,
    },
    /// The same letters in another case.
    LetterCase {
        /// `host` or `path`.
        part: &'static str,
        /// The platform's spelling.
        expected: String,
        /// The IdP's spelling.
        registered: String,
    },
    /// A `/` at the end on one side only.
    TrailingSlash {
        /// True when the platform's URI has it and the IdP's lacks it.
        expected_has_it: bool,
    },
    /// Another `?query`.
    Query {
        /// The platform's (empty when none).
        expected: String,
        /// The IdP's.
        registered: String,
    },
    /// A `#fragment`, which redirect URIs must not have (RFC 6749 §3.1.2).
    Fragment,
}

impl RedirectDifference {
    /// One sentence naming the difference.
    pub fn message(&self) -> String {
        match self {
            Self::SurroundingSpaces => {
                "The registered value has spaces or a line break around it".to_owned()
            }
            Self::Scheme {
                expected,
                registered,
            } => {
                format!("Scheme: the platform uses {expected}://, the IdP has {registered}://")
            }
            Self::Host {
                expected,
                registered,
            } => format!("Host: the platform uses {expected}, the IdP has {registered}"),
            Self::Port {
                expected,
                registered,
            } => format!("Port: the platform uses {expected}, the IdP has {registered}"),
            Self::Path {
                expected,
                registered,
            } => format!("Path: the platform uses {expected}, the IdP has {registered}"),
            Self::LetterCase {
                part,
                expected,
                registered,
            } => {
                format!(
                    "Letter case of the {part}: the platform writes {expected}, the IdP has {registered}"
                )
            }
            Self::TrailingSlash {
                expected_has_it: true,
            } => "Trailing slash: the platform's URI ends with /, the IdP's does not".to_owned(),
            Self::TrailingSlash {
                expected_has_it: false,
            } => "Trailing slash: the IdP's URI ends with /, the platform's does not".to_owned(),
            Self::Query {
                expected,
                registered,
            } => {
                let show = |q: &str| {
                    if q.is_empty() {
                        "none".to_owned()
                    } else {
                        format!("?{q}")
                    }
                };
                format!(
                    "Query: the platform has {}, the IdP has {}",
                    show(expected),
                    show(registered)
                )
            }
            Self::Fragment => {
                "The IdP's URI has a #fragment, which a redirect URI must not have".to_owned()
            }
        }
    }
}

/// The parts of a URL as written, without any normalisation (case and default ports
/// matter here: the IdP compares strings).
struct UriParts<'a> {
    scheme: &'a str,
    host: &'a str,
    port: Option<&'a str>,
    path: &'a str,
    query: &'a str,
    fragment: Option<&'a str>,
}

fn split_uri(uri: &str) -> UriParts<'_> {
    let (scheme, rest) = uri.split_once("://").unwrap_or(("", uri));
    let (rest, fragment) = match rest.split_once('#') {
        Some((before, fragment)) => (before, Some(fragment)),
        None => (rest, None),
    };
    let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (authority, path) = match rest.find('/') {
        Some(index) => rest.split_at(index),
        None => (rest, ""),
    };
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(']') || authority.starts_with('[') => {
            (host, Some(port))
        }
        _ => (authority, None),
    };
    UriParts {
        scheme,
        host,
        port,
        path,
        query,
        fragment,
    }
}

/// Every difference between the redirect URI the platform expects and the one registered
/// in the IdP; empty when they are identical, character for character.
pub fn compare_redirect_uris(expected: &str, registered: &str) -> Vec<RedirectDifference> {
    let mut differences = Vec::new();
    let expected = expected.trim();
    let trimmed = registered.trim();
    if trimmed != registered {
        differences.push(RedirectDifference::SurroundingSpaces);
    }
    if expected == trimmed {
        return differences;
    }
    let (want, have) = (split_uri(expected), split_uri(trimmed));
    if !want.scheme.eq_ignore_ascii_case(have.scheme) {
        differences.push(RedirectDifference::Scheme {
            expected: want.scheme.to_owned(),
            registered: have.scheme.to_owned(),
        });
    }
    if !want.host.eq_ignore_ascii_case(have.host) {
        differences.push(RedirectDifference::Host {
            expected: want.host.to_owned(),
            registered: have.host.to_owned(),
        });
    } else if want.host != have.host {
        differences.push(RedirectDifference::LetterCase {
            part: "host",
            expected: want.host.to_owned(),
            registered: have.host.to_owned(),
        });
    }
    if want.port != have.port {
        differences.push(RedirectDifference::Port {
            expected: want.port.unwrap_or("none").to_owned(),
            registered: have.port.unwrap_or("none").to_owned(),
        });
    }
    let (want_path, have_path) = (
        want.path.trim_end_matches('/'),
        have.path.trim_end_matches('/'),
    );
    if want_path.eq_ignore_ascii_case(have_path) {
        if want.path.ends_with('/') != have.path.ends_with('/') {
            differences.push(RedirectDifference::TrailingSlash {
                expected_has_it: want.path.ends_with('/'),
            });
        }
        if want_path != have_path {
            differences.push(RedirectDifference::LetterCase {
                part: "path",
                expected: want_path.to_owned(),
                registered: have_path.to_owned(),
            });
        }
    } else {
        differences.push(RedirectDifference::Path {
            expected: display_path(want.path),
            registered: display_path(have.path),
        });
    }
    if want.query != have.query {
        differences.push(RedirectDifference::Query {
            expected: want.query.to_owned(),
            registered: have.query.to_owned(),
        });
    }
    if have.fragment.is_some() {
        differences.push(RedirectDifference::Fragment);
    }
    if differences.is_empty() {
        // Same parts, different spelling (for example the scheme's letter case).
        differences.push(RedirectDifference::LetterCase {
            part: "scheme",
            expected: want.scheme.to_owned(),
            registered: have.scheme.to_owned(),
        });
    }
    differences
}

fn display_path(path: &str) -> String {
    if path.is_empty() {
        "no path".to_owned()
    } else {
        path.to_owned()
    }
}

fn host_of(authority: &str) -> String {
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    if let Some(rest) = authority.strip_prefix('[') {
        return rest.split(']').next().unwrap_or_default().to_owned();
    }
    authority.split(':').next().unwrap_or_default().to_owned()
}

fn is_loopback_host(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host == "::1"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Why Next is disabled on the SSO app step: one variant per reason, with what its words
/// need. `Display` gives the one line the step shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SsoBlocker {
    /// A field of the IdP's issuer pattern is missing or wrong (the message names it).
    IssuerField(String),
    /// The issuer as typed is not usable.
    Issuer(String),
    /// The client id as typed is not usable.
    ClientId(String),
    /// No client secret is stored.
    NoClientSecret,
    /// The IdP's secrets always expire, and no expiry date was entered.
    NoSecretExpiry {
        /// The IdP's name.
        idp: String,
    },
    /// The scopes as typed cannot be read.
    Scopes(String),
    /// Scopes the platform needs are not requested.
    MissingScopes {
        /// The missing scopes.
        scopes: Vec<String>,
        /// The platform's name.
        platform: String,
    },
    /// The allowed email domains as typed cannot be read.
    AllowedDomains(String),
    /// The platform needs at least one allowed email domain.
    NoAllowedDomain,
    /// The redirect URI registered at the IdP differs (the first difference).
    RedirectUriDiffers(String),
    /// Nobody confirmed that users or groups are assigned to the app.
    AssignmentNotConfirmed,
    /// Nobody confirmed a break-glass admin.
    BreakGlassNotConfirmed,
}

impl std::fmt::Display for SsoBlocker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::IssuerField(message)
            | Self::Issuer(message)
            | Self::ClientId(message)
            | Self::Scopes(message)
            | Self::AllowedDomains(message) => f.write_str(message),
            Self::NoClientSecret => f.write_str("Enter the client secret"),
            Self::NoSecretExpiry { idp } => write!(
                f,
                "Enter when the client secret expires ({idp} secrets always expire)"
            ),
            Self::MissingScopes { scopes, platform } => write!(
                f,
                "Add the {} {} that {platform} needs",
                if scopes.len() == 1 { "scope" } else { "scopes" },
                scopes.join(", "),
            ),
            Self::NoAllowedDomain => f.write_str("Enter at least one allowed email domain"),
            Self::RedirectUriDiffers(difference) => {
                write!(f, "The registered redirect URI differs: {difference}")
            }
            Self::AssignmentNotConfirmed => {
                f.write_str("Confirm that users or groups are assigned to the app")
            }
            Self::BreakGlassNotConfirmed => {
                f.write_str("Confirm that a break-glass admin can sign in without SSO")
            }
        }
    }
}

/// Why Next is disabled on the SSO app step; `None` when the step is complete.
pub fn next_blocker(profile: &Profile, platform: &Platform) -> Option<SsoBlocker> {
    if profile.sso_protocol.unwrap_or(platform.sso.protocol) == SsoProtocol::Saml {
        // No OpenID Connect app: the SAML form's rules are in `wizard::saml`.
        return None;
    }
    let sso = &profile.sso;
    let catalog = crate::catalog::catalog();
    let idp = catalog.idp(profile.idp);
    if !sso.issuer_edited
        && let Some(pattern) = chosen_pattern(idp, &sso.issuer_pattern)
        && let Err(problems) = derive_issuer(idp, pattern, &sso.issuer_params)
        && let Some((_, message)) = problems.into_iter().next()
    {
        return Some(SsoBlocker::IssuerField(message));
    }
    if let Err(message) = check_issuer(&sso.issuer) {
        return Some(SsoBlocker::Issuer(message));
    }
    if let Err(message) = check_client_id(profile.idp, &sso.client_id) {
        return Some(SsoBlocker::ClientId(message));
    }
    let secret = sso
        .client_secret_credential
        .as_deref()
        .and_then(|id| profile.credential(id));
    let Some(secret) = secret else {
        return Some(SsoBlocker::NoClientSecret);
    };
    if !idp.secret_lifetimes_days.is_empty() && secret.expires_at.is_none() {
        return Some(SsoBlocker::NoSecretExpiry {
            idp: idp.name.clone(),
        });
    }
    match effective_scopes(&sso.scopes, platform) {
        Err(message) => return Some(SsoBlocker::Scopes(message)),
        Ok(scopes) => {
            let missing = missing_platform_scopes(&scopes, platform);
            if !missing.is_empty() {
                return Some(SsoBlocker::MissingScopes {
                    scopes: missing,
                    platform: platform.name.clone(),
                });
            }
        }
    }
    if platform.sso.uses_allowed_domains {
        match parse_allowed_domains(&sso.allowed_domains) {
            Err(message) => return Some(SsoBlocker::AllowedDomains(message)),
            Ok(domains) if domains.is_empty() => return Some(SsoBlocker::NoAllowedDomain),
            Ok(_) => {}
        }
    }
    if !sso.registered_redirect_uri.trim().is_empty()
        && let Some(expected) = redirect_uri_to_match(profile, platform)
        && let Some(difference) =
            compare_redirect_uris(&expected, &sso.registered_redirect_uri).first()
    {
        return Some(SsoBlocker::RedirectUriDiffers(difference.message()));
    }
    if !sso.assignment_confirmed {
        return Some(SsoBlocker::AssignmentNotConfirmed);
    }
    if !sso.break_glass_confirmed {
        return Some(SsoBlocker::BreakGlassNotConfirmed);
    }
    None
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};

    use super::*;
    use crate::catalog::catalog;
    use crate::model::{
        CredentialKind, CredentialMeta, CredentialOrigin, CredentialState, PlatformId,
    };

    const TENANT: &str = "5a1c2b3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";

    #[test]
    fn entra_issuer_is_derived_from_a_guid_tenant_id() {
        let idp = catalog().idp(IdpId::Entra);
        let pattern = chosen_pattern(idp, "").unwrap();
        let params: BTreeMap<String, String> =
            [("tenant_id".to_owned(), format!(" {TENANT} "))].into();
        // Surrounding spaces are a typing slip the placeholder rules reject, with a reason.
        assert!(derive_issuer(idp, pattern, &params).is_err());
        let params: BTreeMap<String, String> = [("tenant_id".to_owned(), TENANT.to_owned())].into();
        assert_eq!(
            derive_issuer(idp, pattern, &params).unwrap(),
            format!("https://login.microsoftonline.com/{TENANT}/v2.0")
        );
        let params: BTreeMap<String, String> =
            [("tenant_id".to_owned(), "contoso.onmicrosoft.com".to_owned())].into();
        let problems = derive_issuer(idp, pattern, &params).unwrap_err();
        assert_eq!(problems[0].0, "tenant_id");
        assert!(problems[0].1.contains("domain"), "{}", problems[0].1);
        assert!(derive_issuer(idp, pattern, &BTreeMap::new()).is_err());
    }

    #[test]
    fn okta_pattern_is_picked_by_label() {
        let idp = catalog().idp(IdpId::Okta);
        let custom = chosen_pattern(idp, "Default custom authorization server").unwrap();
        let params: BTreeMap<String, String> =
            [("okta_domain".to_owned(), "example.okta.com".to_owned())].into();
        assert_eq!(
            derive_issuer(idp, custom, &params).unwrap(),
            "https://example.okta.com/oauth2/default"
        );
        assert_eq!(
            chosen_pattern(idp, "no such label").unwrap().label,
            idp.issuer_patterns[0].label
        );
        assert!(chosen_pattern(catalog().idp(IdpId::Generic), "").is_none());
    }

    #[test]
    fn issuer_mistakes_are_named() {
        assert!(
            check_issuer(&format!("https://login.microsoftonline.com/{TENANT}/v2.0"))
                .unwrap()
                .is_empty()
        );
        for (text, words) in [
            ("", "Enter"),
            (" https://idp.example", "spaces"),
            ("idp.example", "https://"),
            ("http://idp.example", "https://"),
            (
                "https://idp.example/.well-known/openid-configuration",
                "discovery",
            ),
            ("https://idp.example/?x=1", "query"),
            (
                "https://login.microsoftonline.com/common/v2.0",
                "multi-tenant",
            ),
            (
                "https://login.microsoftonline.com/organizations/v2.0",
                "multi-tenant",
            ),
            (
                &format!("https://login.microsoftonline.com/{TENANT}"),
                "/v2.0",
            ),
        ] {
            let err = check_issuer(text).unwrap_err();
            assert!(err.contains(words), "{text:?} → {err}");
        }
        assert_eq!(check_issuer("http://127.0.0.1:9400").unwrap().len(), 1);
        // Issue #16 item 7: credentials in the URL are refused where they are typed.
        for with_userinfo in [
            "https://admin:pw@idp.example.com/oauth2/default",
            "https://admin@idp.example.com",
        ] {
            let err = check_issuer(with_userinfo).unwrap_err();
            assert!(err.contains("user name or password"), "{err}");
        }
        assert!(
            check_issuer(&format!("https://sts.windows.net/{TENANT}/")).unwrap()[0].contains("v1")
        );
    }

    #[test]
    fn entra_client_id_must_be_a_guid() {
        assert!(check_client_id(IdpId::Entra, TENANT).is_ok());
        assert!(
            check_client_id(IdpId::Entra, "abc~secret.value")
                .unwrap_err()
                .contains("GUID")
        );
        assert!(check_client_id(IdpId::Okta, "0oa1b2c3d4E5F6g7H8").is_ok());
        assert!(check_client_id(IdpId::Okta, "").is_err());
        assert!(check_client_id(IdpId::Okta, "a b").is_err());
    }

    #[test]
    fn scopes_parse_with_spaces_or_commas_and_need_openid() {
        assert_eq!(
            parse_scopes("openid, profile email  openid").unwrap(),
            ["openid", "profile", "email"]
        );
        assert!(
            parse_scopes("profile email")
                .unwrap_err()
                .contains("openid")
        );
        assert!(parse_scopes("openid \"email\"").is_err());
        assert!(parse_scopes("  ").is_err());
        let claresia = catalog().platform(PlatformId::Claresia);
        let scopes = effective_scopes("openid profile email", claresia).unwrap();
        assert_eq!(
            missing_platform_scopes(&scopes, claresia),
            ["offline_access"]
        );
        assert_eq!(effective_scopes("", claresia).unwrap(), claresia.sso.scopes);
    }

    #[test]
    fn allowed_domains_reject_a_leading_at_and_explain() {
        assert_eq!(
            parse_allowed_domains("Example.com, sub.example.org;example.com\nother.example")
                .unwrap(),
            ["example.com", "sub.example.org", "other.example"]
        );
        let err = parse_allowed_domains("example.com @contoso.com").unwrap_err();
        assert!(err.contains("contoso.com without the @"), "{err}");
        assert!(
            parse_allowed_domains("ann@contoso.com")
                .unwrap_err()
                .contains("only its domain, contoso.com")
        );
        assert!(parse_allowed_domains("https://contoso.com").is_err());
        assert!(parse_allowed_domains("*.contoso.com").is_err());
        assert!(parse_allowed_domains("contoso").is_err());
        assert!(parse_allowed_domains("").unwrap().is_empty());
    }

    fn kinds(expected: &str, registered: &str) -> Vec<String> {
        compare_redirect_uris(expected, registered)
            .iter()
            .map(RedirectDifference::message)
            .collect()
    }

    #[test]
    fn identical_redirect_uris_have_no_difference() {
        assert!(
            compare_redirect_uris("https://app.example/cb", "https://app.example/cb").is_empty()
        );
    }

    #[test]
    fn redirect_uri_differences_are_each_named() {
        let base = "https://api.workos.com/sso/oidc/callback";
        let scheme = kinds(base, "http://api.workos.com/sso/oidc/callback");
        assert_eq!(scheme.len(), 1);
        assert!(
            scheme[0].starts_with("Scheme: the platform uses https://, the IdP has http://"),
            "{scheme:?}"
        );
        assert!(kinds(base, "https://api.workos.io/sso/oidc/callback")[0].starts_with("Host:"));
        assert!(
            kinds(base, "https://api.workos.com:8443/sso/oidc/callback")[0].starts_with("Port:")
        );
        assert!(
            kinds(base, "https://api.workos.com:443/sso/oidc/callback")[0]
                .contains("the IdP has 443")
        );
        assert!(kinds(base, "https://api.workos.com/sso/saml/callback")[0].starts_with("Path:"));
        let case = kinds(base, "https://api.workos.com/SSO/oidc/Callback");
        assert!(case[0].starts_with("Letter case of the path"), "{case:?}");
        assert!(
            kinds(base, "https://API.workos.com/sso/oidc/callback")[0]
                .starts_with("Letter case of the host")
        );
        let slash = kinds(base, "https://api.workos.com/sso/oidc/callback/");
        assert_eq!(
            slash,
            ["Trailing slash: the IdP's URI ends with /, the platform's does not"]
        );
        assert_eq!(
            kinds("https://app.example/", "https://app.example"),
            ["Trailing slash: the platform's URI ends with /, the IdP's does not"]
        );
        assert!(
            kinds(base, "https://api.workos.com/sso/oidc/callback?x=1")[0].starts_with("Query:")
        );
        assert!(
            kinds(base, &format!("{base}#top"))
                .iter()
                .any(|m| m.contains("#fragment"))
        );
        assert!(kinds(base, &format!("{base}\n"))[0].contains("spaces"));
        let many = kinds(base, "http://API.workos.com/sso/oidc/callback/");
        assert_eq!(many.len(), 3, "{many:?}");
    }

    fn complete_profile() -> Profile {
        let mut profile = Profile {
            platform: PlatformId::Airia,
            idp: IdpId::Entra,
            ..Profile::default()
        };
        profile
            .sso
            .issuer_params
            .insert("tenant_id".into(), TENANT.into());
        profile.sso.issuer = format!("https://login.microsoftonline.com/{TENANT}/v2.0");
        profile.sso.client_id = "11111111-2222-3333-4444-555555555555".into();
        profile.sso.allowed_domains = "contoso.com".into();
        profile.sso.client_secret_credential = Some("sso-secret".into());
        profile.credentials.push(CredentialMeta {
            id: "sso-secret".into(),
            kind: CredentialKind::ClientSecret,
            label: String::new(),
            origin: CredentialOrigin::Imported,
            created_at: DateTime::<Utc>::UNIX_EPOCH,
            expires_at: Some(DateTime::<Utc>::UNIX_EPOCH),
            last4: "abcd".into(),
            last_verified_at: None,
            state: CredentialState::Active,
            session_only: false,
        });
        profile.sso.assignment_confirmed = true;
        profile.sso.break_glass_confirmed = true;
        profile
    }

    #[test]
    fn next_is_blocked_until_each_part_is_done() {
        let platform = catalog().platform(PlatformId::Airia);
        let complete = complete_profile();
        assert_eq!(next_blocker(&complete, platform), None);

        let mut p = complete.clone();
        p.sso
            .issuer_params
            .insert("tenant_id".into(), "contoso.com".into());
        assert!(matches!(
            next_blocker(&p, platform),
            Some(SsoBlocker::IssuerField(m)) if m.contains("Directory (tenant) ID")
        ));
        p.sso.issuer_edited = true;
        assert_eq!(
            next_blocker(&p, platform),
            None,
            "an edited issuer no longer depends on the tenant field"
        );

        let mut p = complete.clone();
        p.sso.client_id.clear();
        assert!(matches!(
            next_blocker(&p, platform),
            Some(SsoBlocker::ClientId(_))
        ));

        let mut p = complete.clone();
        p.sso.client_secret_credential = None;
        assert_eq!(next_blocker(&p, platform), Some(SsoBlocker::NoClientSecret));

        let mut p = complete.clone();
        p.credentials[0].expires_at = None;
        assert!(matches!(
            next_blocker(&p, platform),
            Some(SsoBlocker::NoSecretExpiry { .. })
        ));

        let mut p = complete.clone();
        p.sso.allowed_domains = "@contoso.com".into();
        assert!(matches!(
            next_blocker(&p, platform),
            Some(SsoBlocker::AllowedDomains(_))
        ));
        p.sso.allowed_domains.clear();
        assert_eq!(
            next_blocker(&p, platform),
            Some(SsoBlocker::NoAllowedDomain)
        );

        let mut p = complete.clone();
        p.sso.assignment_confirmed = false;
        assert_eq!(
            next_blocker(&p, platform),
            Some(SsoBlocker::AssignmentNotConfirmed)
        );

        let mut p = complete.clone();
        p.sso.break_glass_confirmed = false;
        assert_eq!(
            next_blocker(&p, platform),
            Some(SsoBlocker::BreakGlassNotConfirmed)
        );
    }

    #[test]
    fn blockers_keep_their_words() {
        let cases = [
            (SsoBlocker::NoClientSecret, "Enter the client secret"),
            (
                SsoBlocker::NoSecretExpiry {
                    idp: "Microsoft Entra ID".into(),
                },
                "Enter when the client secret expires (Microsoft Entra ID secrets always expire)",
            ),
            (
                SsoBlocker::MissingScopes {
                    scopes: vec!["offline_access".into()],
                    platform: "Claresia".into(),
                },
                "Add the scope offline_access that Claresia needs",
            ),
            (
                SsoBlocker::MissingScopes {
                    scopes: vec!["a".into(), "b".into()],
                    platform: "X".into(),
                },
                "Add the scopes a, b that X needs",
            ),
            (
                SsoBlocker::NoAllowedDomain,
                "Enter at least one allowed email domain",
            ),
            (
                SsoBlocker::RedirectUriDiffers("Trailing slash".into()),
                "The registered redirect URI differs: Trailing slash",
            ),
            (
                SsoBlocker::ClientId("Enter the client ID".into()),
                "Enter the client ID",
            ),
        ];
        for (blocker, words) in cases {
            assert_eq!(blocker.to_string(), words);
        }
    }

    #[test]
    fn a_registered_redirect_uri_that_differs_blocks_next() {
        let claresia = catalog().platform(PlatformId::Claresia);
        let mut p = complete_profile();
        p.platform = PlatformId::Claresia;
        p.sso.scopes = "openid profile email offline_access".into();
        assert_eq!(next_blocker(&p, claresia), None);
        p.sso.registered_redirect_uri = "https://api.workos.com/sso/oidc/callback/".into();
        assert!(matches!(
            next_blocker(&p, claresia),
            Some(SsoBlocker::RedirectUriDiffers(d)) if d.contains("Trailing slash")
        ));
        p.sso.registered_redirect_uri = "https://api.workos.com/sso/oidc/callback".into();
        assert_eq!(next_blocker(&p, claresia), None);
        p.sso.scopes = "openid profile email".into();
        assert!(matches!(
            next_blocker(&p, claresia),
            Some(SsoBlocker::MissingScopes { scopes, .. }) if scopes == ["offline_access"]
        ));
    }
}

//! The SAML metadata test (DESIGN.md, "Check ids", `saml.*`): an identity provider's
//! metadata fetched under the one HTTP policy (or read from a file), parsed with DTDs
//! refused — so no external entity is ever resolved and no entity is expanded — and judged:
//! its entity id, its single sign-on endpoints, its signing certificates' dates with the
//! product's 30/7-day rule, the `NameID` formats it offers, whether it is signed.
//!
//! The judgements are pure functions of the parsed [`Metadata`] and `now`, unit-tested
//! below; [`check`] adds the fetching. Nothing here is secret: metadata and certificates
//! are public.

use std::path::PathBuf;
use std::time::Instant;

use base64::Engine as _;
use chrono::{DateTime, Utc};
use sha2::Digest as _;

use crate::diagnostics::{Finding, Report, ReportKind};
use crate::expiry::{self, Severity};
use crate::probes::http::{self, Client, Policy, Request};

/// Check ids, in run order.
pub const METADATA_FETCH: &str = "saml.metadata_fetch";
/// Every URL used is https (loopback excepted).
pub const HTTPS: &str = "saml.https";
/// The entity id is the one expected.
pub const ENTITY_ID: &str = "saml.entity_id";
/// A usable single sign-on endpoint.
pub const SSO_SERVICE: &str = "saml.sso_service";
/// Signing certificates present and valid.
pub const SIGNING_CERT: &str = "saml.signing_cert";
/// `NameID` formats offered.
pub const NAMEID_FORMAT: &str = "saml.nameid_format";
/// Signed metadata or not.
pub const METADATA_SIGNATURE: &str = "saml.metadata_signature";

const MD: &str = "urn:oasis:names:tc:SAML:2.0:metadata";
const DS: &str = "http://www.w3.org/2000/09/xmldsig#";
const BINDING_REDIRECT: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
const BINDING_POST: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
/// The most elements a metadata document may have (a real one has a few hundred).
const MAX_NODES: u32 = 100_000;

/// Where the metadata comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MetadataSource {
    /// Fetched from the IdP's metadata URL.
    Url(String),
    /// Read from a downloaded file.
    File(PathBuf),
}

impl MetadataSource {
    /// A URL when the text starts with `http://` or `https://`, else a file path.
    pub fn parse(text: &str) -> Self {
        let trimmed = text.trim();
        let lower = trimmed.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            Self::Url(trimmed.to_owned())
        } else {
            Self::File(PathBuf::from(trimmed))
        }
    }

    fn describe(&self) -> String {
        match self {
            Self::Url(url) => url.clone(),
            Self::File(path) => path.display().to_string(),
        }
    }
}

/// What the metadata test needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SamlInput {
    /// The IdP's metadata.
    pub metadata: MetadataSource,
    /// The IdP entity id the platform was given, if known: compared exactly.
    pub expected_entity_id: Option<String>,
}

/// One signing certificate from the metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Certificate {
    /// Hex SHA-256 of the DER bytes: the fingerprint IdP consoles show, and the id the
    /// certificate is known by across checks.
    pub sha256: String,
    /// The subject, as text (`CN=…`).
    pub subject: String,
    /// Valid from.
    pub not_before: DateTime<Utc>,
    /// Valid until.
    pub not_after: DateTime<Utc>,
}

/// A single sign-on endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SsoService {
    /// The binding URI.
    pub binding: String,
    /// Where the `AuthnRequest` goes.
    pub location: String,
}

/// The parts of IdP metadata the checks judge.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Metadata {
    /// `EntityDescriptor/@entityID`.
    pub entity_id: String,
    /// `IDPSSODescriptor/SingleSignOnService`.
    pub sso_services: Vec<SsoService>,
    /// Certificates of `KeyDescriptor`s for signing (or without a `use`).
    pub signing_certs: Vec<Certificate>,
    /// Certificates that could not be read, with why.
    pub unreadable_certs: Vec<String>,
    /// `IDPSSODescriptor/NameIDFormat`.
    pub nameid_formats: Vec<String>,
    /// An enveloped `ds:Signature` on the entity descriptor.
    pub signed: bool,
}

/// Why the metadata could not be parsed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MetadataError {
    /// A document type declaration: refused, since it is how XXE and entity bombs come in.
    #[error(
        "the document has a DTD (<!DOCTYPE …>), which is refused: SAML metadata never needs one, and it is how external entities and entity-expansion attacks arrive"
    )]
    Dtd,
    /// Not XML at all, or broken XML.
    #[error("not well-formed XML: {0}")]
    Xml(String),
    /// XML, but not SAML metadata of an identity provider.
    #[error("{0}")]
    NotIdpMetadata(String),
}

/// Parses IdP metadata: an `EntityDescriptor` (or the first one with an IdP role inside an
/// `EntitiesDescriptor`), namespace-aware, DTDs refused.
pub fn parse_metadata(text: &str) -> Result<Metadata, MetadataError> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
    };
    let document = roxmltree::Document::parse_with_options(text, options).map_err(|err| {
        if matches!(err, roxmltree::Error::DtdDetected) {
            MetadataError::Dtd
        } else {
            MetadataError::Xml(err.to_string())
        }
    })?;
    let root = document.root_element();
    let entity = if root.has_tag_name((MD, "EntityDescriptor")) {
        Some(root)
    } else if root.has_tag_name((MD, "EntitiesDescriptor")) {
        root.descendants().find(|node| {
            node.has_tag_name((MD, "EntityDescriptor"))
                && node
                    .children()
                    .any(|c| c.has_tag_name((MD, "IDPSSODescriptor")))
        })
    } else {
        None
    };
    let Some(entity) = entity else {
        return Err(MetadataError::NotIdpMetadata(format!(
            "the document is XML but not SAML metadata: its root is <{}>, not an EntityDescriptor in the SAML 2.0 metadata namespace",
            root.tag_name().name()
        )));
    };
    let Some(idp) = entity
        .children()
        .find(|c| c.has_tag_name((MD, "IDPSSODescriptor")))
    else {
        return Err(MetadataError::NotIdpMetadata(
            "the metadata has no IDPSSODescriptor: it describes a service provider, not an identity provider; download the IdP's (federation) metadata instead".to_owned(),
        ));
    };

    let mut metadata = Metadata {
        entity_id: entity.attribute("entityID").unwrap_or_default().to_owned(),
        signed: entity.children().any(|c| c.has_tag_name((DS, "Signature"))),
        ..Metadata::default()
    };
    for child in idp.children().filter(roxmltree::Node::is_element) {
        if child.has_tag_name((MD, "SingleSignOnService")) {
            metadata.sso_services.push(SsoService {
                binding: child.attribute("Binding").unwrap_or_default().to_owned(),
                location: child.attribute("Location").unwrap_or_default().to_owned(),
            });
        } else if child.has_tag_name((MD, "NameIDFormat")) {
            let format = child.text().unwrap_or_default().trim().to_owned();
            if !format.is_empty() {
                metadata.nameid_formats.push(format);
            }
        } else if child.has_tag_name((MD, "KeyDescriptor"))
            && child.attribute("use").is_none_or(|u| u == "signing")
        {
            for cert in child
                .descendants()
                .filter(|n| n.has_tag_name((DS, "X509Certificate")))
            {
                match read_certificate(cert.text().unwrap_or_default()) {
                    Ok(cert) => metadata.signing_certs.push(cert),
                    Err(reason) => metadata.unreadable_certs.push(reason),
                }
            }
        }
    }
    Ok(metadata)
}

/// A base64 DER certificate as metadata carries it (line breaks and spaces allowed).
fn read_certificate(text: &str) -> Result<Certificate, String> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .map_err(|err| format!("an X509Certificate is not valid base64 ({err})"))?;
    let (_, cert) = x509_parser::parse_x509_certificate(&der)
        .map_err(|err| format!("an X509Certificate is not a readable certificate ({err})"))?;
    let validity = cert.validity();
    let time = |seconds: i64| {
        DateTime::<Utc>::from_timestamp(seconds, 0)
            .ok_or_else(|| "a certificate date is out of range".to_owned())
    };
    Ok(Certificate {
        sha256: crate::diagnostics::text::hex(&sha2::Sha256::digest(&der)),
        subject: cert.subject().to_string(),
        not_before: time(validity.not_before.timestamp())?,
        not_after: time(validity.not_after.timestamp())?,
    })
}

/// `saml.entity_id`: present, and exactly the expected one when it is known.
pub fn judge_entity_id(metadata: &Metadata, expected: Option<&str>) -> Finding {
    let actual = metadata.entity_id.as_str();
    if actual.is_empty() {
        return Finding::fail(
            ENTITY_ID,
            "The EntityDescriptor has no entityID",
            "Download the metadata again from the IdP; an IdP's metadata always names its entity id",
        );
    }
    match expected.map(str::trim).filter(|e| !e.is_empty()) {
        None => Finding::pass(
            ENTITY_ID,
            format!("The IdP's entity id is {actual}; give the platform exactly this value"),
        ),
        Some(expected) if expected == actual => {
            Finding::pass(ENTITY_ID, format!("The entity id is exactly {actual}"))
        }
        Some(expected) => {
            let hint = if expected.eq_ignore_ascii_case(actual) {
                " (they differ only in letter case, which still counts)"
            } else if expected.trim_end_matches('/') == actual.trim_end_matches('/') {
                " (they differ only in a trailing slash, which still counts)"
            } else {
                ""
            };
            Finding::fail(
                ENTITY_ID,
                format!(
                    "The metadata's entity id is {actual}, but the platform expects {expected}{hint}"
                ),
                format!(
                    "Enter {actual} as the IdP entity id (issuer) in the platform, character for character"
                ),
            )
        }
    }
}

/// `saml.sso_service`: an HTTP-Redirect or HTTP-POST endpoint over https.
pub fn judge_sso_service(metadata: &Metadata) -> Finding {
    let usable: Vec<&SsoService> = metadata
        .sso_services
        .iter()
        .filter(|s| s.binding == BINDING_REDIRECT || s.binding == BINDING_POST)
        .collect();
    if usable.is_empty() {
        return Finding::fail(
            SSO_SERVICE,
            if metadata.sso_services.is_empty() {
                "The metadata lists no SingleSignOnService".to_owned()
            } else {
                format!(
                    "No SingleSignOnService with the HTTP-Redirect or HTTP-POST binding (found: {})",
                    metadata
                        .sso_services
                        .iter()
                        .map(|s| s.binding.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            },
            "Check that this is the IdP's metadata for this app; SAML sign-in through a browser needs one of those two bindings",
        );
    }
    let plain: Vec<&str> = usable
        .iter()
        .filter(|s| !location_is_safe(&s.location))
        .map(|s| s.location.as_str())
        .collect();
    let listed = usable
        .iter()
        .map(|s| format!("{} {}", binding_name(&s.binding), s.location))
        .collect::<Vec<_>>()
        .join("; ");
    if plain.is_empty() {
        Finding::pass(SSO_SERVICE, format!("Sign-in endpoints: {listed}"))
    } else {
        Finding::fail(
            SSO_SERVICE,
            format!("A sign-in endpoint is not https: {}", plain.join(", ")),
            "Users' sign-in responses would cross the network in the clear; use the IdP's https endpoint",
        )
    }
}

fn binding_name(binding: &str) -> &str {
    match binding {
        BINDING_REDIRECT => "HTTP-Redirect",
        BINDING_POST => "HTTP-POST",
        other => other,
    }
}

fn location_is_safe(location: &str) -> bool {
    match url::Url::parse(location) {
        Ok(url) => url.scheme() == "https" || (url.scheme() == "http" && http::is_loopback(&url)),
        Err(_) => false,
    }
}

/// `saml.signing_cert`: at least one signing certificate valid now; severity from the days
/// left with the product's rule (expired or under 7 days: fail; under 30: warn). A rollover
/// (one about to expire beside a newer one) is a warning naming the date by which the
/// platform must trust the new one.
pub fn judge_signing_certs(metadata: &Metadata, now: DateTime<Utc>) -> Finding {
    let certs = &metadata.signing_certs;
    if certs.is_empty() {
        let why = metadata
            .unreadable_certs
            .first()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default();
        return Finding::fail(
            SIGNING_CERT,
            format!("The metadata has no readable signing certificate{why}"),
            "In the IdP, add or activate a SAML signing certificate for this app, then download the metadata again",
        );
    }
    let describe = |c: &Certificate| {
        format!(
            "{} valid until {} ({})",
            c.subject,
            c.not_after.format("%Y-%m-%d"),
            expiry::badge_text(c.not_after, now)
        )
    };
    let valid: Vec<&Certificate> = certs
        .iter()
        .filter(|c| c.not_before <= now && c.not_after > now)
        .collect();
    let Some(newest) = valid.iter().max_by_key(|c| c.not_after).copied() else {
        let future = certs.iter().find(|c| c.not_before > now);
        return Finding::fail(
            SIGNING_CERT,
            match future {
                Some(c) => format!(
                    "No signing certificate is valid now: {} starts only on {}",
                    c.subject,
                    c.not_before.format("%Y-%m-%d")
                ),
                None => format!(
                    "Every signing certificate has expired: {}",
                    certs.iter().map(describe).collect::<Vec<_>>().join("; ")
                ),
            },
            "Every sign-in fails with an expired certificate: create a new signing certificate in the IdP, make it active, and give the platform the new metadata or certificate",
        );
    };
    let soonest = valid
        .iter()
        .min_by_key(|c| c.not_after)
        .copied()
        .unwrap_or(newest);
    let rollover = valid.len() > 1
        && expiry::severity(soonest.not_after, now) != Severity::Ok
        && expiry::severity(newest.not_after, now) == Severity::Ok;
    if rollover {
        return Finding::warn(
            SIGNING_CERT,
            format!(
                "A rollover is under way: {} and the newer {}",
                describe(soonest),
                describe(newest)
            ),
            format!(
                "Make sure the platform trusts the new certificate (upload the new metadata or certificate) before {}, when the old one expires",
                soonest.not_after.format("%Y-%m-%d")
            ),
        );
    }
    match expiry::severity(newest.not_after, now) {
        Severity::Ok => Finding::pass(
            SIGNING_CERT,
            format!("Signing certificate: {}", describe(newest)),
        ),
        Severity::Warning => Finding::warn(
            SIGNING_CERT,
            format!("The signing certificate expires soon: {}", describe(newest)),
            "Create the next signing certificate in the IdP now and give it to the platform before this one expires",
        ),
        Severity::Critical | Severity::Expired => Finding::fail(
            SIGNING_CERT,
            format!(
                "The signing certificate expires in under 7 days: {}",
                describe(newest)
            ),
            "Roll the certificate today: create a new one in the IdP, upload it to the platform, make it active, test a sign-in",
        ),
    }
}

/// `saml.nameid_format`: which `NameID` formats the IdP offers (information; a missing list is fine).
pub fn judge_nameid(metadata: &Metadata) -> Finding {
    if metadata.nameid_formats.is_empty() {
        return Finding::pass(
            NAMEID_FORMAT,
            "The metadata lists no NameID format; the IdP decides per app (usually the email address or a persistent id)",
        );
    }
    let short: Vec<&str> = metadata
        .nameid_formats
        .iter()
        .map(|f| f.rsplit(':').next().unwrap_or(f))
        .collect();
    Finding::pass(
        NAMEID_FORMAT,
        format!("NameID formats offered: {}", short.join(", ")),
    )
}

/// `saml.metadata_signature`: whether the metadata is signed (the signature is not verified).
pub fn judge_signature(metadata: &Metadata) -> Finding {
    if metadata.signed {
        Finding::pass(
            METADATA_SIGNATURE,
            "The metadata is signed (this test does not verify the signature; fetch it over https from the IdP so that it cannot be altered on the way)",
        )
    } else {
        Finding::warn(
            METADATA_SIGNATURE,
            "The metadata is not signed: only the https connection vouches for it",
            "Fetch the metadata from the IdP's https URL, or compare the certificate's fingerprint with the one the IdP's console shows",
        )
    }
}

/// What a metadata test found: the report, and the signing certificates the metadata
/// carried (empty when it could not be read), for the tenant's credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SamlOutcome {
    /// The `saml.*` findings.
    pub report: Report,
    /// The signing certificates read, in document order.
    pub signing_certs: Vec<Certificate>,
}

/// Fetches or reads the metadata and runs every `saml.*` check.
pub async fn check(
    input: &SamlInput,
    policy: Policy,
    now: DateTime<Utc>,
    progress: &(dyn Fn(&Finding) + Send + Sync),
) -> Report {
    check_metadata(input, policy, now, progress).await.report
}

/// [`check`], also returning the signing certificates the metadata carried.
pub async fn check_metadata(
    input: &SamlInput,
    policy: Policy,
    now: DateTime<Utc>,
    progress: &(dyn Fn(&Finding) + Send + Sync),
) -> SamlOutcome {
    let outcome = |report: Report, signing_certs: Vec<Certificate>| SamlOutcome {
        report,
        signing_certs,
    };
    let target = input.metadata.describe();
    let mut findings: Vec<Finding> = Vec::new();
    let push = |finding: Finding, started: Instant, findings: &mut Vec<Finding>| {
        let finding = finding
            .with_duration_ms(u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX));
        progress(&finding);
        findings.push(finding);
    };
    let started = Instant::now();
    let fetched = fetch(&input.metadata, policy).await;
    let (text, urls) = match fetched {
        Ok(fetched) => fetched,
        Err(reason) => {
            push(
                Finding::fail(
                    METADATA_FETCH,
                    reason,
                    "Give the IdP's metadata URL (Entra: App Federation Metadata Url; Okta: the app's Metadata URL) or a downloaded metadata file",
                ),
                started,
                &mut findings,
            );
            for id in [
                HTTPS,
                ENTITY_ID,
                SSO_SERVICE,
                SIGNING_CERT,
                NAMEID_FORMAT,
                METADATA_SIGNATURE,
            ] {
                findings.push(Finding::skip(id, "Skipped: the metadata could not be read"));
            }
            return outcome(Report::new(ReportKind::Saml, target, findings), Vec::new());
        }
    };
    let parsed = parse_metadata(&text);
    match &parsed {
        Ok(metadata) => push(
            Finding::pass(
                METADATA_FETCH,
                format!(
                    "Metadata of {} read ({} bytes)",
                    metadata.entity_id,
                    text.len()
                ),
            ),
            started,
            &mut findings,
        ),
        Err(err) => push(
            Finding::fail(
                METADATA_FETCH,
                format!("The metadata could not be used: {err}"),
                "Download the IdP's federation metadata XML again (not its sign-in page, not the app's SP metadata)",
            ),
            started,
            &mut findings,
        ),
    }
    let started = Instant::now();
    push(judge_https(&urls), started, &mut findings);
    let Ok(metadata) = parsed else {
        for id in [
            ENTITY_ID,
            SSO_SERVICE,
            SIGNING_CERT,
            NAMEID_FORMAT,
            METADATA_SIGNATURE,
        ] {
            findings.push(Finding::skip(
                id,
                "Skipped: the metadata could not be parsed",
            ));
        }
        return outcome(Report::new(ReportKind::Saml, target, findings), Vec::new());
    };
    for judge in [
        judge_entity_id(&metadata, input.expected_entity_id.as_deref()),
        judge_sso_service(&metadata),
        judge_signing_certs(&metadata, now),
        judge_nameid(&metadata),
        judge_signature(&metadata),
    ] {
        push(judge, Instant::now(), &mut findings);
    }
    outcome(
        Report::new(ReportKind::Saml, target, findings),
        metadata.signing_certs,
    )
}

/// `saml.https`: every URL the metadata came through (after redirects) is https, or
/// plain http on this computer only.
fn judge_https(urls: &[url::Url]) -> Finding {
    if urls.is_empty() {
        return Finding::pass(HTTPS, "Read from a file: no network was involved");
    }
    let plain: Vec<&url::Url> = urls.iter().filter(|u| u.scheme() != "https").collect();
    if plain.is_empty() {
        Finding::pass(HTTPS, "The metadata was fetched over https")
    } else if plain.iter().all(|u| http::is_loopback(u)) {
        Finding::warn(
            HTTPS,
            "Plain http on this computer only (loopback), fine for a test setup",
            "A real IdP's metadata is always fetched over https",
        )
    } else {
        Finding::fail(
            HTTPS,
            format!(
                "The metadata came over plain http: {}",
                plain
                    .iter()
                    .map(|u| u.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            "Use the IdP's https metadata URL: over http anyone on the way can swap the signing certificate",
        )
    }
}

/// The metadata text and every URL it came through (none for a file).
async fn fetch(source: &MetadataSource, policy: Policy) -> Result<(String, Vec<url::Url>), String> {
    match source {
        MetadataSource::File(path) => {
            let limit = policy.max_body_bytes;
            let bytes = tokio::task::spawn_blocking({
                let path = path.clone();
                move || read_capped_file(&path, limit)
            })
            .await
            .map_err(|err| format!("could not read the file: {err}"))??;
            let text = String::from_utf8(bytes)
                .map_err(|_| format!("{} is not text (UTF-8)", path.display()))?;
            Ok((text, Vec::new()))
        }
        MetadataSource::Url(text) => {
            let url = http::parse_url(text).map_err(|err| err.to_string())?;
            let client = Client::new(policy).map_err(|err| err.to_string())?;
            let response = client
                .send(
                    Request::get(url.clone())
                        .accept("application/samlmetadata+xml, application/xml, text/xml"),
                )
                .await
                .map_err(|err| err.to_string())?;
            let mut urls = vec![url];
            urls.extend(response.redirects.iter().cloned());
            urls.push(response.final_url.clone());
            urls.dedup();
            if !response.status.is_success() {
                return Err(format!(
                    "HTTP {} from {}",
                    response.status.as_u16(),
                    response.final_url
                ));
            }
            if response.looks_like_html() {
                return Err(format!(
                    "{} answered with an HTML page, not metadata XML (a sign-in page or a portal?)",
                    response.final_url
                ));
            }
            let text = String::from_utf8(response.body).map_err(|_| {
                format!(
                    "{} answered with bytes that are not text",
                    response.final_url
                )
            })?;
            Ok((text, urls))
        }
    }
}

fn read_capped_file(path: &std::path::Path, limit: usize) -> Result<Vec<u8>, String> {
    use std::io::Read as _;
    let file = std::fs::File::open(path)
        .map_err(|err| format!("could not open {}: {err}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|err| format!("could not read {}: {err}", path.display()))?;
    if bytes.len() > limit {
        return Err(format!(
            "{} is larger than {} KiB; IdP metadata is a few KiB",
            path.display(),
            limit / 1024
        ));
    }
    Ok(bytes)
}

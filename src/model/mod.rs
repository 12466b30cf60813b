//! Plain serde data saved per tenant: [`Profile`], [`SsoApp`], [`ScimApp`],
//! [`CredentialMeta`]. No I/O, no clock, no secrets: a profile holds metadata only.
//!
//! Every struct is `#[serde(default)]` so a profile written by an older version still
//! loads; raw text the admin typed is kept as typed so no work is lost.

pub mod rotation;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::diagnostics::Report;

/// Version of the on-disk profile format.
pub const SCHEMA_VERSION: u32 = 1;

/// The SaaS platform being connected.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum PlatformId {
    /// Airia.
    Airia,
    /// AxonFlow.
    Axonflow,
    /// Workspace 365.
    Workspace365,
    /// Claresia.
    Claresia,
    /// AWS IAM Identity Center.
    AwsIamIdentityCenter,
    /// Any other app that speaks OIDC and SCIM.
    #[default]
    Generic,
}

impl PlatformId {
    /// Every platform, in display order.
    pub const ALL: [Self; 6] = [
        Self::Airia,
        Self::Axonflow,
        Self::Workspace365,
        Self::Claresia,
        Self::AwsIamIdentityCenter,
        Self::Generic,
    ];

    /// The CLI id (`aws-iam-identity-center`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Airia => "airia",
            Self::Axonflow => "axonflow",
            Self::Workspace365 => "workspace365",
            Self::Claresia => "claresia",
            Self::AwsIamIdentityCenter => "aws-iam-identity-center",
            Self::Generic => "generic",
        }
    }

    /// The name people know it by.
    pub fn label(self) -> &'static str {
        match self {
            Self::Airia => "Airia",
            Self::Axonflow => "AxonFlow",
            Self::Workspace365 => "Workspace 365",
            Self::Claresia => "Claresia",
            Self::AwsIamIdentityCenter => "AWS IAM Identity Center",
            Self::Generic => "Other OIDC + SCIM app",
        }
    }
}

/// The identity provider.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum IdpId {
    /// Microsoft Entra ID.
    #[default]
    Entra,
    /// Okta.
    Okta,
    /// OneLogin.
    Onelogin,
    /// Any other OIDC provider.
    Generic,
}

impl IdpId {
    /// Every IdP, in display order.
    pub const ALL: [Self; 4] = [Self::Entra, Self::Okta, Self::Onelogin, Self::Generic];

    /// The CLI id.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Entra => "entra",
            Self::Okta => "okta",
            Self::Onelogin => "onelogin",
            Self::Generic => "generic",
        }
    }

    /// The name people know it by.
    pub fn label(self) -> &'static str {
        match self {
            Self::Entra => "Microsoft Entra ID",
            Self::Okta => "Okta",
            Self::Onelogin => "OneLogin",
            Self::Generic => "Other OIDC provider",
        }
    }
}

/// An id that names no known platform or IdP.
#[derive(Debug, thiserror::Error)]
#[error("unknown {what} {given:?}; expected one of: {expected}")]
pub struct UnknownId {
    what: &'static str,
    given: String,
    expected: String,
}

impl FromStr for PlatformId {
    type Err = UnknownId;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| UnknownId {
                what: "platform",
                given: s.to_owned(),
                expected: Self::ALL.map(Self::as_str).join(", "),
            })
    }
}

impl FromStr for IdpId {
    type Err = UnknownId;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| UnknownId {
                what: "IdP",
                given: s.to_owned(),
                expected: Self::ALL.map(Self::as_str).join(", "),
            })
    }
}

impl fmt::Display for PlatformId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for IdpId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One tenant: everything the wizard knows about connecting it, except secret values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Profile {
    /// Format version, [`SCHEMA_VERSION`] when written by this build.
    pub schema_version: u32,
    /// File-name-safe id, stable for the life of the profile.
    pub id: String,
    /// The admin's name for the tenant.
    pub name: String,
    /// The SaaS platform.
    pub platform: PlatformId,
    /// The identity provider.
    pub idp: IdpId,
    /// When the profile was created.
    pub created_at: DateTime<Utc>,
    /// When it was last changed.
    pub updated_at: DateTime<Utc>,
    /// The SSO (OIDC) app.
    pub sso: SsoApp,
    /// The SCIM provisioning app.
    pub scim: ScimApp,
    /// Credential metadata (the values live in the OS keyring).
    pub credentials: Vec<CredentialMeta>,
    /// Checklist item ids the admin ticked.
    pub checklist_ticks: Vec<String>,
    /// Last OIDC check run.
    pub last_oidc_report: Option<StoredReport>,
    /// Last SCIM check run.
    pub last_scim_report: Option<StoredReport>,
    /// The sign-in protocol the admin chose for this tenant; `None` means the platform
    /// preset's first (`catalog::PlatformSso::protocol`).
    pub sso_protocol: Option<SsoProtocol>,
    /// The SAML sign-in app, when the tenant signs in with SAML.
    pub saml: SamlApp,
    /// Last SAML metadata check run.
    pub last_saml_report: Option<StoredReport>,
    /// Rotation in progress, if any (owned by the rotation walkthrough,
    /// `crate::wizard::rotation`). An unreadable value is dropped rather than making
    /// the whole profile unreadable; the pending credential stays listed either way.
    #[serde(deserialize_with = "rotation::lenient")]
    pub rotation: Option<rotation::RotationState>,
    /// Finished rotations and other notable events.
    pub history: Vec<HistoryEntry>,
}

impl Default for Profile {
    fn default() -> Self {
        Self {
            schema_version: SCHEMA_VERSION,
            id: String::new(),
            name: String::new(),
            platform: PlatformId::default(),
            idp: IdpId::default(),
            created_at: DateTime::<Utc>::UNIX_EPOCH,
            updated_at: DateTime::<Utc>::UNIX_EPOCH,
            sso: SsoApp::default(),
            scim: ScimApp::default(),
            credentials: Vec::new(),
            checklist_ticks: Vec::new(),
            last_oidc_report: None,
            last_scim_report: None,
            sso_protocol: None,
            saml: SamlApp::default(),
            last_saml_report: None,
            rotation: None,
            history: Vec::new(),
        }
    }
}

impl Profile {
    /// A new, empty profile.
    pub fn new(
        id: String,
        name: String,
        platform: PlatformId,
        idp: IdpId,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id,
            name,
            platform,
            idp,
            created_at: now,
            updated_at: now,
            ..Self::default()
        }
    }

    /// The credential with this id.
    pub fn credential(&self, id: &str) -> Option<&CredentialMeta> {
        self.credentials.iter().find(|c| c.id == id)
    }
}

/// The OIDC app registration, as the admin typed it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SsoApp {
    /// Values of the IdP's issuer placeholders (`tenant_id`, `okta_domain`, …).
    pub issuer_params: BTreeMap<String, String>,
    /// The issuer URL; derived from the params unless the admin edited it.
    pub issuer: String,
    /// True once the admin typed their own issuer instead of the derived one.
    pub issuer_edited: bool,
    /// Label of the IdP's issuer pattern the admin picked (Okta: org or custom
    /// authorization server); empty means the IdP's first pattern.
    pub issuer_pattern: String,
    /// Application (client) id.
    pub client_id: String,
    /// Id of the client secret's [`CredentialMeta`], if one is stored.
    pub client_secret_credential: Option<String>,
    /// The redirect URI registered in the IdP, pasted for comparison.
    pub registered_redirect_uri: String,
    /// The redirect URI the platform shows, for platforms whose preset has none (it
    /// depends on the tenant); compared with [`Self::registered_redirect_uri`].
    pub platform_redirect_uri: String,
    /// A loopback redirect URI registered for the wizard's Test login
    /// (`http://127.0.0.1/callback`); empty means that one.
    pub test_redirect_uri: String,
    /// Values of the platform's redirect URI placeholders.
    pub redirect_params: BTreeMap<String, String>,
    /// Requested scopes, space separated as typed.
    pub scopes: String,
    /// Allowed email domains, comma or space separated as typed.
    pub allowed_domains: String,
    /// The admin confirmed users and groups are assigned to the app.
    pub assignment_confirmed: bool,
    /// The admin confirmed a break-glass admin exists outside SSO.
    pub break_glass_confirmed: bool,
    /// Origins other than the issuer's (`https://host[:port]`) the admin confirmed for
    /// this tenant: the IdP's token endpoint may live there, so the client secret, code
    /// and verifier may go there (DESIGN.md, "Where credentials may go").
    pub confirmed_endpoint_origins: Vec<String>,
    /// Which ID token signatures Test login accepts.
    pub id_token_signing: IdTokenSigning,
}

/// Which ID token signatures Test login accepts (OpenID Connect Core §10.1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IdTokenSigning {
    /// Only the IdP's published keys (RS256 and similar), as platforms expect.
    #[default]
    PublishedKeys,
    /// Also the client secret (HS256/384/512), when the IdP advertises it; the admin's
    /// choice for an IdP set up that way.
    AlsoClientSecret,
}

/// The protocol a tenant's sign-in app uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SsoProtocol {
    /// OpenID Connect: issuer, client id, secret, redirect URI ([`SsoApp`]).
    Oidc,
    /// SAML 2.0: IdP metadata, entity ids and the ACS URL ([`SamlApp`]).
    Saml,
}

/// The SAML sign-in app, as the admin typed it, and the signing certificates its IdP
/// metadata carried at the last check. Nothing here is secret: metadata and certificates
/// are public.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SamlApp {
    /// The IdP's metadata: its URL (Entra's App Federation Metadata Url, Okta's Metadata
    /// URL) or the path of a downloaded metadata file, as typed.
    pub metadata: String,
    /// The IdP entity id (issuer) the platform was given, compared exactly with the
    /// metadata's; empty means not known.
    pub idp_entity_id: String,
    /// Values of the platform's ACS URL and SP entity id placeholders.
    pub sp_params: BTreeMap<String, String>,
    /// The ACS URL the platform shows, for platforms whose preset has none.
    pub platform_acs_url: String,
    /// The SP entity id the platform shows, for platforms whose preset has none.
    pub platform_sp_entity_id: String,
    /// The Reply URL (ACS) entered in the IdP, pasted for comparison.
    pub registered_acs_url: String,
    /// The Identifier (SP entity id, Okta's Audience URI) entered in the IdP, pasted for
    /// comparison.
    pub registered_sp_entity_id: String,
    /// The signing certificates read from the metadata at the last check (refreshed on
    /// every check); they show beside tokens in Credentials and the expiry views.
    pub signing_certs: Vec<SamlCertificate>,
}

/// A SAML signing certificate as read from IdP metadata: public data only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SamlCertificate {
    /// Hex SHA-256 of the DER certificate: the id it is known by across checks.
    pub sha256: String,
    /// The subject, as text (`CN=…`).
    pub subject: String,
    /// Valid from.
    pub not_before: DateTime<Utc>,
    /// Valid until.
    pub not_after: DateTime<Utc>,
    /// When a check last read it from the metadata.
    pub seen_at: DateTime<Utc>,
}

/// The SCIM provisioning app, as the admin typed it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScimApp {
    /// Values of the platform's SCIM URL placeholders.
    pub url_params: BTreeMap<String, String>,
    /// The SCIM base URL; derived from the params unless edited.
    pub base_url: String,
    /// True once the admin typed their own base URL.
    pub base_url_edited: bool,
    /// Id of the SCIM token's [`CredentialMeta`], if one is stored.
    pub token_credential: Option<String>,
    /// The admin confirmed the attribute mappings.
    pub mappings_confirmed: bool,
    /// The admin confirmed provisioning scope (assigned users and groups).
    pub scope_confirmed: bool,
}

/// What a credential is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CredentialKind {
    /// SCIM bearer token.
    ScimToken,
    /// OIDC client secret.
    ClientSecret,
}

impl CredentialKind {
    /// The CLI id.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ScimToken => "scim-token",
            Self::ClientSecret => "client-secret",
        }
    }

    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::ScimToken => "SCIM token",
            Self::ClientSecret => "OIDC client secret",
        }
    }
}

/// Where a credential's value came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CredentialOrigin {
    /// Generated by the wizard.
    Generated,
    /// Pasted from the vendor's or IdP's portal.
    Imported,
}

/// Whether a credential is in use or waiting to replace another.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CredentialState {
    /// The one in use.
    #[default]
    Active,
    /// Created during a rotation, not yet promoted.
    Pending,
}

/// Metadata of one credential; the value is in the OS keyring under
/// `<profile-id>/<credential-id>`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialMeta {
    /// Id, unique within the profile.
    pub id: String,
    /// SCIM token or client secret.
    pub kind: CredentialKind,
    /// The admin's label.
    #[serde(default)]
    pub label: String,
    /// Generated or imported.
    pub origin: CredentialOrigin,
    /// When it was created or imported.
    pub created_at: DateTime<Utc>,
    /// When it expires, if known.
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
    /// Last four characters of the value.
    pub last4: String,
    /// Last time a check succeeded with it.
    #[serde(default)]
    pub last_verified_at: Option<DateTime<Utc>>,
    /// Active or pending.
    #[serde(default)]
    pub state: CredentialState,
    /// True when the value was kept in memory for one session only (no keyring, or the
    /// keyring refused): after a restart the wizard has no value for it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub session_only: bool,
}

/// A check report with the time it ran.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredReport {
    /// When the checks ran.
    pub checked_at: DateTime<Utc>,
    /// What they found.
    pub report: Report,
}

/// Something that happened to a profile, kept for the change record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// What, in one line.
    pub event: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_cli_names_and_serde() {
        for platform in PlatformId::ALL {
            assert_eq!(platform.as_str().parse::<PlatformId>().unwrap(), platform);
            assert_eq!(
                serde_json::to_string(&platform).unwrap(),
                format!("\"{}\"", platform.as_str())
            );
        }
        for idp in IdpId::ALL {
            assert_eq!(idp.as_str().parse::<IdpId>().unwrap(), idp);
            assert_eq!(
                serde_json::to_string(&idp).unwrap(),
                format!("\"{}\"", idp.as_str())
            );
        }
        let err = "azure".parse::<IdpId>().unwrap_err().to_string();
        assert!(err.contains("entra, okta, onelogin, generic"), "{err}");
    }

    #[test]
    fn older_profile_without_new_fields_still_loads() {
        let json =
            r#"{"schema_version":1,"id":"t-1","name":"Contoso","platform":"airia","idp":"okta"}"#;
        let profile: Profile = serde_json::from_str(json).unwrap();
        assert_eq!(profile.platform, PlatformId::Airia);
        assert!(profile.credentials.is_empty());
    }
}

//! The typed schema of `assets/*.toml`: one struct per table, every one
//! `deny_unknown_fields` so a misspelt key fails the tests instead of being ignored.
//!
//! Plain data only: no parsing policy, no look-ups (those live in the parent module).

use serde::Deserialize;

use crate::model::{IdpId, PlatformId};

/// One SaaS platform preset (`[[platform]]` in `assets/platforms.toml`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Platform {
    /// Which platform this is.
    pub id: PlatformId,
    /// Display name, for example "AWS IAM Identity Center".
    pub name: String,
    /// One line saying what the preset covers.
    pub summary: String,
    /// Where the SSO and SCIM settings live in the platform's own admin pages.
    pub docs_hint: String,
    /// The sign-in half.
    pub sso: PlatformSso,
    /// The provisioning half.
    pub scim: PlatformScim,
}

pub use crate::model::SsoProtocol;

/// What a platform needs from the SSO app.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformSso {
    /// Sign-in protocol.
    pub protocol: SsoProtocol,
    /// Redirect (callback) URI: a fixed URL, a pattern with `{placeholders}`, or empty when
    /// the platform shows it per tenant (then [`Self::redirect_uri_hint`] says where).
    #[serde(default)]
    pub redirect_uri: String,
    /// Where the platform displays the redirect URI; shown when it is not fixed.
    #[serde(default)]
    pub redirect_uri_hint: String,
    /// Definitions of the placeholders used in [`Self::redirect_uri`].
    #[serde(default)]
    pub redirect_placeholders: Vec<Placeholder>,
    /// Scopes the SSO app must grant, `openid` first.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// ID-token claims the platform needs to create users just in time.
    #[serde(default)]
    pub jit_claims: Vec<String>,
    /// True when the platform routes users to SSO by an allowed (login) email domain list.
    pub uses_allowed_domains: bool,
    /// Further advice for the SSO half, one sentence each; a note about one IdP says so
    /// (`{ text = "…", idps = ["okta"] }`) and is shown only with that IdP.
    #[serde(default)]
    pub notes: Vec<ScopedLine>,
    /// Other sign-in protocols the platform supports besides [`Self::protocol`] (its
    /// recommended one); the admin picks one per tenant only when this is not empty.
    #[serde(default)]
    pub other_protocols: Vec<SsoProtocol>,
    /// SAML: the ACS (reply) URL the platform expects: fixed, a `{placeholder}` pattern,
    /// or empty when the platform shows it per tenant ([`Self::acs_url_hint`] says where).
    #[serde(default)]
    pub acs_url: String,
    /// SAML: where the platform shows its ACS URL when it is not fixed.
    #[serde(default)]
    pub acs_url_hint: String,
    /// SAML: the SP entity id (Entra's Identifier, Okta's Audience URI): fixed, a pattern,
    /// or empty when shown per tenant ([`Self::sp_entity_id_hint`] says where).
    #[serde(default)]
    pub sp_entity_id: String,
    /// SAML: where the platform shows its SP entity id when it is not fixed.
    #[serde(default)]
    pub sp_entity_id_hint: String,
    /// SAML: definitions of the placeholders used in [`Self::acs_url`] and
    /// [`Self::sp_entity_id`].
    #[serde(default)]
    pub saml_placeholders: Vec<Placeholder>,
}

impl PlatformSso {
    /// The sign-in protocols the platform supports, its recommended one first.
    pub fn protocols(&self) -> Vec<SsoProtocol> {
        let mut all = vec![self.protocol];
        for protocol in &self.other_protocols {
            if !all.contains(protocol) {
                all.push(*protocol);
            }
        }
        all
    }

    /// True when the platform supports `protocol`.
    pub fn supports(&self, protocol: SsoProtocol) -> bool {
        self.protocols().contains(&protocol)
    }
}

/// A line of advice and who it is for. In the TOML either a plain string (for everyone)
/// or a table `{ text = "…", platforms = [...], idps = [...] }`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(from = "ScopedLineToml")]
pub struct ScopedLine {
    /// The sentence.
    pub text: String,
    /// Platforms it is for; empty means all.
    pub platforms: Vec<PlatformId>,
    /// IdPs it is for; empty means all.
    pub idps: Vec<IdpId>,
}

impl ScopedLine {
    /// True when the line belongs in a tenant of `platform` with `idp`.
    pub fn applies_to(&self, platform: PlatformId, idp: IdpId) -> bool {
        (self.platforms.is_empty() || self.platforms.contains(&platform))
            && (self.idps.is_empty() || self.idps.contains(&idp))
    }
}

/// The two spellings of a [`ScopedLine`] in the TOML.
#[derive(Deserialize)]
#[serde(untagged)]
enum ScopedLineToml {
    Plain(String),
    Scoped(ScopedLineTable),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScopedLineTable {
    text: String,
    #[serde(default)]
    platforms: Vec<PlatformId>,
    #[serde(default)]
    idps: Vec<IdpId>,
}

impl From<ScopedLineToml> for ScopedLine {
    fn from(raw: ScopedLineToml) -> Self {
        match raw {
            ScopedLineToml::Plain(text) => Self {
                text,
                platforms: Vec::new(),
                idps: Vec::new(),
            },
            ScopedLineToml::Scoped(ScopedLineTable {
                text,
                platforms,
                idps,
            }) => Self {
                text,
                platforms,
                idps,
            },
        }
    }
}

/// Who creates the SCIM bearer token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenIssuer {
    /// The platform generates it; the admin imports it into the wizard once.
    Platform,
    /// The admin chooses it (the wizard can generate it) and sets it on both sides.
    Admin,
}

/// What a platform needs from the SCIM app.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformScim {
    /// SCIM base URL pattern with `{placeholders}`; empty when the platform publishes
    /// none (free entry, see [`Self::base_url_hint`]).
    #[serde(default)]
    pub base_url_pattern: String,
    /// Where to copy the base URL from; shown when there is no pattern.
    #[serde(default)]
    pub base_url_hint: String,
    /// Definitions of the placeholders used in [`Self::base_url_pattern`].
    #[serde(default)]
    pub placeholders: Vec<Placeholder>,
    /// Who creates the bearer token.
    pub token_issued_by: TokenIssuer,
    /// How a genuine token starts, when the platform's tokens have a recognisable prefix
    /// (a hint for spotting a pasted wrong value, never a validity test).
    #[serde(default)]
    pub token_prefix: String,
    /// Lifetime of a new token in days; `None` when the platform does not say.
    pub token_lifetime_days: Option<u32>,
    /// True when creating a new token stops the previous one at once, so there is no
    /// window in which both work. Unknown cases are set to `true` (the safe assumption).
    pub single_active_token: bool,
    /// What the vendor's guide implies about rotating the token, in our words.
    pub rotation_note: String,
    /// How to create (or regenerate) a token in the platform.
    #[serde(default)]
    pub token_steps: Vec<WalkStep>,
    /// SCIM attributes the platform relies on.
    #[serde(default)]
    pub required_attributes: Vec<AttributeRequirement>,
    /// Whether nested groups are provisioned; `None` when the platform does not say.
    pub nested_groups_supported: Option<bool>,
    /// How often the platform itself processes SCIM changes, when it says.
    pub sync_interval_minutes: Option<u32>,
    /// How group sync behaves on this platform.
    #[serde(default)]
    pub group_sync: String,
    /// Known traps, one sentence each.
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// A value the admin types to fill a `{placeholder}` in a URL pattern.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Placeholder {
    /// The name inside the braces, `snake_case`.
    pub name: String,
    /// Field label, sentence case.
    pub label: String,
    /// What kind of value it is; decides the validation.
    pub kind: PlaceholderKind,
    /// A made-up example that passes validation.
    pub example: String,
    /// Where the admin finds the value.
    pub help: String,
}

/// The kind of a placeholder value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PlaceholderKind {
    /// The start of an `https://` address: scheme and host only, no path, no trailing slash.
    Url,
    /// A GUID such as an Entra tenant id (8-4-4-4-12 hexadecimal digits).
    Guid,
    /// A host name without scheme, port or path, for example `example.okta.com`.
    Hostname,
    /// An AWS region code such as `us-east-1`.
    Region,
    /// Any single word that is safe inside a URL (no spaces, slashes or braces).
    Text,
}

/// One numbered walkthrough step.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WalkStep {
    /// Short imperative title.
    pub title: String,
    /// What to do, in our words.
    pub body: String,
    /// A page to open in the browser; may contain the IdP's issuer `{placeholders}`.
    #[serde(default)]
    pub console_url: Option<String>,
    /// Wizard fields the admin fills with values copied during this step.
    #[serde(default)]
    pub copy_back: Vec<WizardField>,
    /// Platforms this step is for; empty means every platform.
    #[serde(default)]
    pub platforms: Vec<PlatformId>,
}

impl WalkStep {
    /// True when the step is shown for `platform`.
    pub fn applies_to(&self, platform: PlatformId) -> bool {
        self.platforms.is_empty() || self.platforms.contains(&platform)
    }
}

/// A wizard field a walkthrough step fills.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WizardField {
    /// OIDC client (application) id.
    ClientId,
    /// Directory (tenant) id, for issuers that contain it.
    TenantId,
    /// OIDC client secret.
    ClientSecret,
    /// OIDC issuer URL.
    Issuer,
    /// Redirect (callback) URI.
    RedirectUri,
    /// SCIM base URL.
    ScimBaseUrl,
    /// SCIM bearer token.
    ScimToken,
}

impl WizardField {
    /// The field's label in the wizard, sentence case.
    pub fn label(self) -> &'static str {
        match self {
            Self::ClientId => "Client ID",
            Self::TenantId => "Tenant ID",
            Self::ClientSecret => "Client secret",
            Self::Issuer => "Issuer URL",
            Self::RedirectUri => "Redirect URI",
            Self::ScimBaseUrl => "SCIM base URL",
            Self::ScimToken => "SCIM token",
        }
    }
}

/// A SCIM attribute a platform relies on.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttributeRequirement {
    /// SCIM attribute path, for example `name.givenName`.
    pub path: String,
    /// True when provisioning fails without it; false when it is recommended.
    pub required: bool,
    /// Why the platform needs it.
    pub why: String,
    /// IdP source attributes that replace the IdP's default mapping for this platform.
    #[serde(default)]
    pub sources: Vec<SourceOverride>,
}

impl AttributeRequirement {
    /// The platform-specific source attribute for `idp`, if the platform names one.
    pub fn source_for(&self, idp: IdpId) -> Option<&str> {
        self.sources
            .iter()
            .find(|over| over.idp == idp)
            .map(|over| over.source.as_str())
    }
}

/// A platform-specific IdP source attribute for one SCIM attribute.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceOverride {
    /// The IdP.
    pub idp: IdpId,
    /// The IdP's source attribute, for example `mailNickname`.
    pub source: String,
}

/// One identity provider (`[[idp]]` in `assets/idps.toml`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Idp {
    /// Which IdP this is.
    pub id: IdpId,
    /// Display name.
    pub name: String,
    /// The admin console's start page; may contain issuer `{placeholders}`; empty if unknown.
    #[serde(default)]
    pub console_url: String,
    /// Issuer URL patterns, the usual one first; empty means free entry.
    #[serde(default)]
    pub issuer_patterns: Vec<IssuerPattern>,
    /// Definitions of the placeholders used in the issuer patterns and console URLs.
    #[serde(default)]
    pub issuer_placeholders: Vec<Placeholder>,
    /// Client secret lifetimes the IdP offers, in days, shortest first; empty when
    /// secrets do not expire by default or the IdP does not say.
    #[serde(default)]
    pub secret_lifetimes_days: Vec<u32>,
    /// What to know about client secret lifetimes.
    #[serde(default)]
    pub secret_lifetime_note: String,
    /// Creating the SSO (OIDC) app.
    pub sso_steps: Vec<WalkStep>,
    /// Creating the SCIM provisioning app.
    pub scim_steps: Vec<WalkStep>,
    /// Putting a new SCIM token into the IdP.
    pub rotate_scim_steps: Vec<WalkStep>,
    /// Rotating the OIDC client secret.
    pub rotate_secret_steps: Vec<WalkStep>,
    /// The IdP's default source attribute for each SCIM attribute.
    #[serde(default)]
    pub attribute_mappings: Vec<AttributeMapping>,
    /// How often the IdP pushes changes, in minutes, when known.
    pub sync_interval_minutes: Option<u32>,
    /// What the IdP does after repeated provisioning failures.
    #[serde(default)]
    pub quarantine: String,
    /// Where each value lives in the console.
    #[serde(default)]
    pub where_to_find: Vec<WhereToFind>,
}

impl Idp {
    /// The IdP's default source for a SCIM attribute path.
    pub fn default_source(&self, scim_path: &str) -> Option<&str> {
        self.attribute_mappings
            .iter()
            .find(|mapping| mapping.scim_path == scim_path)
            .map(|mapping| mapping.source.as_str())
    }

    /// The source the admin should map for `requirement` on this IdP: the platform's
    /// override when it names one, else the IdP's default.
    pub fn source_for<'a>(&'a self, requirement: &'a AttributeRequirement) -> Option<&'a str> {
        requirement
            .source_for(self.id)
            .or_else(|| self.default_source(&requirement.path))
    }
}

/// One issuer URL pattern.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssuerPattern {
    /// Which authorization server or endpoint this is.
    pub label: String,
    /// The pattern with `{placeholders}`.
    pub pattern: String,
    /// When to pick this one.
    #[serde(default)]
    pub note: String,
}

/// An IdP's default source attribute for one SCIM attribute.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttributeMapping {
    /// SCIM attribute path (target).
    pub scim_path: String,
    /// IdP attribute or expression (source).
    pub source: String,
}

/// Where a value lives in an IdP's console.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WhereToFind {
    /// What the admin is looking for.
    pub value: String,
    /// The path through the console.
    pub location: String,
    /// The wizard field it belongs in, if any.
    #[serde(default)]
    pub field: Option<WizardField>,
}

/// Which half of the setup a troubleshooting entry is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TroubleContext {
    /// Sign-in (OIDC).
    Sso,
    /// Provisioning (SCIM).
    Scim,
    /// Either.
    Any,
}

/// One troubleshooting entry (`[[entry]]` in `assets/troubleshooting.toml`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TroubleEntry {
    /// Stable id, kebab-case.
    pub id: String,
    /// Short title, sentence case.
    pub title: String,
    /// Exact tokens that identify it: `AADSTS50105`, `401`, `uniqueness`. Matched as
    /// whole words, ignoring case.
    #[serde(default)]
    pub codes: Vec<String>,
    /// Lower-case phrases seen in real messages, matched at word starts.
    #[serde(default)]
    pub phrases: Vec<String>,
    /// SSO, SCIM or either.
    pub context: TroubleContext,
    /// What it means.
    pub meaning: String,
    /// Usual causes, most likely first.
    #[serde(default)]
    pub causes: Vec<String>,
    /// What to change in the IdP.
    #[serde(default)]
    pub fix_idp: String,
    /// What to change in the platform.
    #[serde(default)]
    pub fix_platform: String,
    /// Related check ids, the one this entry explains best first.
    #[serde(default)]
    pub check_ids: Vec<String>,
    /// Check ids whose findings link to this entry. Each check id is the primary of
    /// exactly one entry, and is also listed in [`Self::check_ids`].
    #[serde(default)]
    pub primary_for: Vec<String>,
    /// Platforms it concerns; empty means all.
    #[serde(default)]
    pub platforms: Vec<PlatformId>,
    /// IdPs it concerns; empty means all.
    #[serde(default)]
    pub idps: Vec<IdpId>,
}

impl TroubleEntry {
    /// True when the entry concerns `platform`.
    pub fn applies_to_platform(&self, platform: PlatformId) -> bool {
        self.platforms.is_empty() || self.platforms.contains(&platform)
    }

    /// True when the entry concerns `idp`.
    pub fn applies_to_idp(&self, idp: IdpId) -> bool {
        self.idps.is_empty() || self.idps.contains(&idp)
    }
}

/// A group of checklist items, in display order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChecklistGroup {
    /// The SSO app in the IdP and the platform's SSO settings.
    SsoApp,
    /// The SCIM provisioning app.
    ScimApp,
    /// Attribute mappings and claims.
    AttributeMapping,
    /// Who is assigned and in provisioning scope.
    AssignmentScope,
    /// Client secrets, SCIM tokens and their expiry.
    CredentialsExpiry,
    /// Being able to rotate without losing access.
    RotationReadiness,
    /// A way in when SSO breaks.
    BreakGlass,
}

impl ChecklistGroup {
    /// Every group, in display order.
    pub const ALL: [Self; 7] = [
        Self::SsoApp,
        Self::ScimApp,
        Self::AttributeMapping,
        Self::AssignmentScope,
        Self::CredentialsExpiry,
        Self::RotationReadiness,
        Self::BreakGlass,
    ];

    /// Heading shown above the group, sentence case.
    pub fn label(self) -> &'static str {
        match self {
            Self::SsoApp => "SSO app",
            Self::ScimApp => "SCIM app",
            Self::AttributeMapping => "Attribute mapping",
            Self::AssignmentScope => "Assignment and scope",
            Self::CredentialsExpiry => "Credentials and expiry",
            Self::RotationReadiness => "Rotation readiness",
            Self::BreakGlass => "Break-glass access",
        }
    }

    /// The snake-case id used in the TOML file and exports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SsoApp => "sso_app",
            Self::ScimApp => "scim_app",
            Self::AttributeMapping => "attribute_mapping",
            Self::AssignmentScope => "assignment_scope",
            Self::CredentialsExpiry => "credentials_expiry",
            Self::RotationReadiness => "rotation_readiness",
            Self::BreakGlass => "break_glass",
        }
    }
}

/// One checklist item (`[[item]]` in `assets/checklists.toml`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecklistItem {
    /// Stable id, kebab-case; checklist progress is saved under it.
    pub id: String,
    /// The group it is shown in.
    pub group: ChecklistGroup,
    /// What to verify, as a statement the admin can tick.
    pub text: String,
    /// Why it matters, one line.
    pub why: String,
    /// Platforms it is for; empty means all.
    #[serde(default)]
    pub platforms: Vec<PlatformId>,
    /// IdPs it is for; empty means all.
    #[serde(default)]
    pub idps: Vec<IdpId>,
    /// Only for platforms that sign in with this protocol; `None` means any.
    #[serde(default)]
    pub sso_protocol: Option<SsoProtocol>,
    /// The check that verifies it automatically, if any.
    #[serde(default)]
    pub check_id: Option<String>,
    /// Vendor-specific additions to [`Self::why`], each shown only where it applies.
    #[serde(default)]
    pub notes: Vec<ScopedLine>,
    /// Something the wizard records that proves the item without a tick.
    #[serde(default)]
    pub known: Option<KnownFact>,
}

/// A fact the wizard itself records in a profile, which proves a checklist item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KnownFact {
    /// The break-glass box of the SSO app step is ticked.
    BreakGlassConfirmed,
    /// The "users or groups are assigned to the SSO app" box is ticked.
    SsoAssignmentConfirmed,
    /// The client secret in use has an expiry date.
    ClientSecretExpiryRecorded,
    /// The SCIM token in use has an expiry date.
    ScimTokenExpiryRecorded,
    /// A rotation walkthrough (which enforces the safe order) was finished.
    RotationCompleted,
    /// A client secret rotation walkthrough was finished.
    ClientSecretRotationCompleted,
}

impl ChecklistItem {
    /// True when the item belongs on the checklist of `platform` with `idp`.
    pub fn applies_to(&self, platform: &Platform, idp: IdpId) -> bool {
        (self.platforms.is_empty() || self.platforms.contains(&platform.id))
            && (self.idps.is_empty() || self.idps.contains(&idp))
            && self
                .sso_protocol
                .is_none_or(|protocol| protocol == platform.sso.protocol)
    }

    /// [`Self::why`] with the notes that apply to `platform` with `idp`, as one line.
    pub fn why_for(&self, platform: PlatformId, idp: IdpId) -> String {
        let mut why = self.why.trim().to_owned();
        for note in self.notes.iter().filter(|n| n.applies_to(platform, idp)) {
            why.push_str("; ");
            why.push_str(note.text.trim());
        }
        why
    }
}

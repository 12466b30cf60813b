//! Pure state machines of the wizard: the steps, their order, what each step needs before
//! the admin can go on, and how far along each one is. No I/O, no clock (`now` is a
//! parameter), no egui.

pub mod rotation;
pub mod saml;
pub mod scim;
pub mod sso;

use chrono::{DateTime, Utc};

use crate::catalog::Catalog;
use crate::diagnostics::Report;
use crate::expiry;
use crate::model::{Profile, SsoProtocol};

/// The wizard's steps, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StepId {
    /// Create or open a tenant profile.
    Tenant,
    /// Configure the OIDC app registration.
    SsoApp,
    /// Test OIDC discovery, keys and the client.
    TestSso,
    /// Configure the SCIM provisioning app.
    ScimApp,
    /// Test the SCIM endpoint.
    TestScim,
    /// Generate, import and watch credentials.
    Credentials,
    /// Review the checklist and export it.
    Review,
}

impl StepId {
    /// Every step, in order.
    pub const ALL: [Self; 7] = [
        Self::Tenant,
        Self::SsoApp,
        Self::TestSso,
        Self::ScimApp,
        Self::TestScim,
        Self::Credentials,
        Self::Review,
    ];

    /// The step's name in the rail.
    pub fn label(self) -> &'static str {
        match self {
            Self::Tenant => "Tenant",
            Self::SsoApp => "SSO app",
            Self::TestSso => "Test SSO",
            Self::ScimApp => "SCIM app",
            Self::TestScim => "Test SCIM",
            Self::Credentials => "Credentials",
            Self::Review => "Review",
        }
    }

    /// The id used on the command line (`gui --step sso-app`).
    pub fn slug(self) -> &'static str {
        match self {
            Self::Tenant => "tenant",
            Self::SsoApp => "sso-app",
            Self::TestSso => "test-sso",
            Self::ScimApp => "scim-app",
            Self::TestScim => "test-scim",
            Self::Credentials => "credentials",
            Self::Review => "review",
        }
    }

    /// The step with this slug.
    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|step| step.slug() == slug)
    }

    /// The step after this one.
    pub fn next(self) -> Option<Self> {
        Self::ALL
            .iter()
            .position(|s| *s == self)
            .and_then(|i| Self::ALL.get(i + 1))
            .copied()
    }

    /// The step before this one.
    pub fn previous(self) -> Option<Self> {
        Self::ALL
            .iter()
            .position(|s| *s == self)
            .and_then(|i| i.checked_sub(1))
            .map(|i| Self::ALL[i])
    }
}

/// How far along a step is, as shown in the rail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepStatus {
    /// Nothing entered yet.
    NotStarted,
    /// Some input, not complete.
    InProgress,
    /// Complete, or its checks passed.
    Done,
    /// Its checks failed or a credential is about to expire.
    NeedsAttention,
}

impl StepStatus {
    /// Words for the rail (colour is never the only signal).
    pub fn label(self) -> &'static str {
        match self {
            Self::NotStarted => "Not started",
            Self::InProgress => "In progress",
            Self::Done => "Done",
            Self::NeedsAttention => "Needs attention",
        }
    }
}

/// Why the admin cannot go on from a step yet: one variant per reason. `Display` gives the
/// one line shown beside Next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Blocker {
    /// No tenant profile is open.
    NoProfile,
    /// The tenant has no name.
    NoTenantName,
    /// The SSO app step is not complete.
    Sso(sso::SsoBlocker),
    /// The SCIM app step is not complete.
    Scim(scim::ScimBlocker),
    /// There is no step after this one.
    LastStep,
}

impl std::fmt::Display for Blocker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NoProfile => f.write_str("Create or open a tenant profile first"),
            Self::NoTenantName => f.write_str("Enter a name for the tenant"),
            Self::Sso(blocker) => blocker.fmt(f),
            Self::Scim(blocker) => blocker.fmt(f),
            Self::LastStep => f.write_str("This is the last step"),
        }
    }
}

/// Why the admin cannot go on from `step` yet; `None` when Next is allowed.
pub fn next_blocker(step: StepId, profile: Option<&Profile>, catalog: &Catalog) -> Option<Blocker> {
    let Some(profile) = profile else {
        return Some(Blocker::NoProfile);
    };
    match step {
        StepId::Tenant if profile.name.trim().is_empty() => Some(Blocker::NoTenantName),
        StepId::SsoApp => {
            sso::next_blocker(profile, catalog.platform(profile.platform)).map(Blocker::Sso)
        }
        StepId::ScimApp => {
            scim::next_blocker(profile, catalog.platform(profile.platform)).map(Blocker::Scim)
        }
        StepId::Review => Some(Blocker::LastStep),
        _ => None,
    }
}

/// The status of every step of a profile at `now`.
pub fn step_status(
    step: StepId,
    profile: &Profile,
    catalog: &Catalog,
    now: DateTime<Utc>,
) -> StepStatus {
    let from_report = |report: Option<&Report>| match report {
        None => StepStatus::NotStarted,
        Some(report) if report.has_failures() => StepStatus::NeedsAttention,
        Some(_) => StepStatus::Done,
    };
    let from_input = |started: bool, blocker: Option<Blocker>| match (started, blocker) {
        (false, _) => StepStatus::NotStarted,
        (true, None) => StepStatus::Done,
        (true, Some(_)) => StepStatus::InProgress,
    };
    let platform = catalog.platform(profile.platform);
    let saml = profile.sso_protocol.unwrap_or(platform.sso.protocol) == SsoProtocol::Saml;
    match step {
        StepId::Tenant => from_input(true, next_blocker(step, Some(profile), catalog)),
        StepId::SsoApp if saml => {
            let typed = [
                &profile.saml.metadata,
                &profile.saml.idp_entity_id,
                &profile.saml.registered_acs_url,
                &profile.saml.registered_sp_entity_id,
            ];
            if typed.iter().all(|text| text.trim().is_empty()) {
                StepStatus::NotStarted
            } else if saml::sso_app_filled(profile, platform) {
                StepStatus::Done
            } else {
                StepStatus::InProgress
            }
        }
        StepId::TestSso if saml => {
            from_report(profile.last_saml_report.as_ref().map(|r| &r.report))
        }
        StepId::SsoApp => from_input(
            !profile.sso.issuer.is_empty()
                || !profile.sso.client_id.is_empty()
                || !profile.sso.issuer_params.is_empty(),
            next_blocker(step, Some(profile), catalog),
        ),
        StepId::ScimApp => from_input(
            !profile.scim.base_url.is_empty() || !profile.scim.url_params.is_empty(),
            next_blocker(step, Some(profile), catalog),
        ),
        StepId::TestSso => from_report(profile.last_oidc_report.as_ref().map(|r| &r.report)),
        StepId::TestScim => from_report(profile.last_scim_report.as_ref().map(|r| &r.report)),
        StepId::Credentials => {
            if profile.credentials.is_empty() {
                StepStatus::NotStarted
            } else if profile
                .credentials
                .iter()
                .filter_map(|c| c.expires_at)
                .any(|at| expiry::severity(at, now).needs_action_now())
            {
                StepStatus::NeedsAttention
            } else if has_both_credentials(profile, saml) {
                StepStatus::Done
            } else {
                // A client secret alone (or a token alone) is half the job (#14).
                StepStatus::InProgress
            }
        }
        StepId::Review => {
            if profile.checklist_ticks.is_empty() {
                StepStatus::NotStarted
            } else {
                StepStatus::InProgress
            }
        }
    }
}

/// True when the SCIM app has a token and the SSO app a client secret, both listed; a SAML
/// sign-in has no secret (its certificates are public), so the token alone is enough.
fn has_both_credentials(profile: &Profile, saml: bool) -> bool {
    let listed = |slot: &Option<String>| {
        slot.as_deref()
            .is_some_and(|id| profile.credential(id).is_some())
    };
    listed(&profile.scim.token_credential)
        && (saml || listed(&profile.sso.client_secret_credential))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_done_only_with_a_scim_token_and_a_client_secret() {
        use crate::model::{
            CredentialKind, CredentialMeta, CredentialOrigin, CredentialState, IdpId, PlatformId,
        };
        let now = DateTime::parse_from_rfc3339("2026-11-23T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let catalog = crate::catalog::catalog();
        let mut profile = Profile::new(
            "acme-1".into(),
            "Acme".into(),
            PlatformId::Generic,
            IdpId::Entra,
            now,
        );
        let meta = |id: &str, kind| CredentialMeta {
            id: id.into(),
            kind,
            label: id.into(),
            origin: CredentialOrigin::Imported,
            created_at: now,
            expires_at: Some(now + chrono::Duration::days(90)),
            last4: "abcd".into(),
            last_verified_at: None,
            state: CredentialState::Active,
            session_only: false,
        };
        let status = |p: &Profile| step_status(StepId::Credentials, p, catalog, now);
        assert_eq!(status(&profile), StepStatus::NotStarted);
        profile
            .credentials
            .push(meta("secret", CredentialKind::ClientSecret));
        profile.sso.client_secret_credential = Some("secret".into());
        assert_eq!(status(&profile), StepStatus::InProgress);
        profile
            .credentials
            .push(meta("token", CredentialKind::ScimToken));
        profile.scim.token_credential = Some("token".into());
        assert_eq!(status(&profile), StepStatus::Done);
    }

    #[test]
    fn steps_walk_in_order_both_ways() {
        let mut step = StepId::Tenant;
        let mut seen = vec![step];
        while let Some(next) = step.next() {
            assert_eq!(next.previous(), Some(step));
            step = next;
            seen.push(step);
        }
        assert_eq!(seen, StepId::ALL);
        assert_eq!(StepId::Tenant.previous(), None);
        for step in StepId::ALL {
            assert_eq!(StepId::from_slug(step.slug()), Some(step));
        }
    }

    #[test]
    fn tenant_step_needs_a_profile_and_a_name() {
        let catalog = crate::catalog::catalog();
        assert_eq!(
            next_blocker(StepId::Tenant, None, catalog),
            Some(Blocker::NoProfile)
        );
        let mut profile = Profile::default();
        assert_eq!(
            next_blocker(StepId::Tenant, Some(&profile), catalog),
            Some(Blocker::NoTenantName)
        );
        assert_eq!(
            Blocker::NoTenantName.to_string(),
            "Enter a name for the tenant"
        );
        assert_eq!(
            Blocker::Scim(scim::ScimBlocker::NoToken).to_string(),
            "Store the SCIM token"
        );
        profile.name = "Contoso".into();
        assert_eq!(next_blocker(StepId::Tenant, Some(&profile), catalog), None);
    }

    #[test]
    fn a_saml_tenant_is_judged_on_its_saml_app_and_metadata_test() {
        use crate::diagnostics::{Finding, ReportKind};
        use crate::model::{
            CredentialKind, CredentialMeta, CredentialOrigin, CredentialState, IdpId, PlatformId,
            StoredReport,
        };
        let now = DateTime::parse_from_rfc3339("2026-11-23T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let catalog = crate::catalog::catalog();
        // Claresia offers both; the tenant chose SAML.
        let mut profile = Profile::new(
            "claresia-1".into(),
            "Claresia EU".into(),
            PlatformId::Claresia,
            IdpId::Entra,
            now,
        );
        profile.sso_protocol = Some(SsoProtocol::Saml);
        let status = |p: &Profile, step| step_status(step, p, catalog, now);
        assert_eq!(status(&profile, StepId::SsoApp), StepStatus::NotStarted);
        assert_eq!(
            sso::next_blocker(&profile, catalog.platform(profile.platform)),
            None,
            "no OIDC field is asked of a SAML tenant"
        );
        profile.saml.metadata =
            "https://login.microsoftonline.com/t/federationmetadata/2007-06/federationmetadata.xml"
                .into();
        assert_eq!(status(&profile, StepId::SsoApp), StepStatus::Done);

        assert_eq!(status(&profile, StepId::TestSso), StepStatus::NotStarted);
        let report = |finding| StoredReport {
            checked_at: now,
            report: Report::new(ReportKind::Saml, "metadata", vec![finding]),
        };
        profile.last_saml_report = Some(report(Finding::fail(
            "saml.signing_cert",
            "expired",
            "roll it",
        )));
        assert_eq!(
            status(&profile, StepId::TestSso),
            StepStatus::NeedsAttention
        );
        profile.last_saml_report = Some(report(Finding::pass("saml.signing_cert", "valid")));
        assert_eq!(status(&profile, StepId::TestSso), StepStatus::Done);

        // A SAML sign-in has no client secret: the SCIM token alone completes Credentials.
        profile.credentials.push(CredentialMeta {
            id: "token".into(),
            kind: CredentialKind::ScimToken,
            label: "token".into(),
            origin: CredentialOrigin::Imported,
            created_at: now,
            expires_at: Some(now + chrono::Duration::days(90)),
            last4: "abcd".into(),
            last_verified_at: None,
            state: CredentialState::Active,
            session_only: false,
        });
        profile.scim.token_credential = Some("token".into());
        assert_eq!(status(&profile, StepId::Credentials), StepStatus::Done);
        profile.sso_protocol = Some(SsoProtocol::Oidc);
        assert_eq!(
            status(&profile, StepId::Credentials),
            StepStatus::InProgress
        );
    }
}

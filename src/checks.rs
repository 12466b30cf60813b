//! From a stored tenant to its checks: the one place that turns a [`Profile`] and the
//! secret store into the inputs of the OIDC and SCIM suites, used by the window (Test SSO,
//! Test SCIM) and by the command line (`check profile`), so that both give the same
//! findings for the same tenant. Also the one reader of secrets from the environment.
//!
//! No egui, no printing: the faces decide how to show a [`TenantReport`].

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::catalog::{Platform, SsoProtocol, catalog};
use crate::diagnostics::Report;
use crate::model::{Profile, SamlCertificate, StoredReport};
use crate::probes::http::Policy;
use crate::probes::oidc::{self, OidcInput};
use crate::probes::saml::{self, MetadataSource, SamlInput, SamlOutcome};
use crate::probes::scim::{self, ScimInput};
use crate::secrets::{Secret, SecretStore, account};
use crate::wizard::sso as rules;

/// The OIDC check input of a tenant, without its client secret (read separately, off the
/// UI thread: see [`read_client_secret`]).
pub fn oidc_input(profile: &Profile, platform: &Platform) -> OidcInput {
    let sso = &profile.sso;
    let scopes = rules::effective_scopes(&sso.scopes, platform)
        .unwrap_or_else(|_| platform.sso.scopes.clone());
    let registered =
        Some(sso.registered_redirect_uri.trim().to_owned()).filter(|uri| !uri.is_empty());
    OidcInput {
        issuer: sso.issuer.trim().to_owned(),
        client_id: Some(sso.client_id.trim().to_owned()).filter(|id| !id.is_empty()),
        client_secret: None,
        redirect_uri: registered.or_else(|| rules::redirect_uri_to_match(profile, platform)),
        extra_scopes: scopes
            .into_iter()
            .filter(|s| !oidc::BASE_SCOPES.contains(&s.as_str()))
            .collect(),
        allowed_origins: sso.confirmed_endpoint_origins.clone(),
    }
}

/// The SCIM check input of a tenant with its token (from [`read_scim_token`]).
pub fn scim_input(profile: &Profile, token: Option<Secret>) -> ScimInput {
    ScimInput::new(profile.scim.base_url.clone(), token, profile.platform)
}

/// The keyring account of the tenant's client secret in use, if one is stored.
pub fn client_secret_account(profile: &Profile) -> Option<String> {
    profile
        .sso
        .client_secret_credential
        .as_deref()
        .map(|id| account(&profile.id, id))
}

/// The keyring account of the tenant's SCIM token in use, if one is stored.
pub fn scim_token_account(profile: &Profile) -> Option<String> {
    profile
        .scim
        .token_credential
        .as_deref()
        .map(|id| account(&profile.id, id))
}

/// The stored client secret, and a note when one was expected but could not be read (the
/// check then runs without it and says the secret was not checked). Blocking: the keyring
/// may take its time; call it off the UI thread.
pub fn read_client_secret(
    secrets: &dyn SecretStore,
    account: Option<&str>,
) -> (Option<Secret>, Option<String>) {
    let Some(account) = account else {
        return (None, None);
    };
    match secrets.get(account) {
        Ok(Some(secret)) => (Some(secret), None),
        Ok(None) => (
            None,
            Some(
                "The stored client secret is no longer in the keyring, so it was not checked: store it again in the SSO app step"
                    .to_owned(),
            ),
        ),
        Err(err) => (
            None,
            Some(format!(
                "The client secret could not be read, so it was not checked: {err}"
            )),
        ),
    }
}

/// The stored SCIM token (`None` when the tenant has none), or why the stored one could not
/// be read. Blocking, like [`read_client_secret`].
pub fn read_scim_token(
    secrets: &dyn SecretStore,
    account: Option<&str>,
) -> Result<Option<Secret>, String> {
    let Some(account) = account else {
        return Ok(None);
    };
    match secrets.get(account) {
        Ok(Some(token)) => Ok(Some(token)),
        Ok(None) => Err(
            "The stored token is missing from the keyring; store it again in the SCIM app step"
                .to_owned(),
        ),
        Err(err) => Err(format!("Could not read the token from the keyring: {err}")),
    }
}

/// Why a secret could not be read from the environment (a usage error: exit 2).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EnvSecretError {
    /// The variable is not set.
    #[error("the environment variable {var} is not set; export {what} in it first")]
    NotSet {
        /// The variable's name.
        var: String,
        /// What it should hold ("the client secret").
        what: String,
    },
    /// Set, but empty or only spaces.
    #[error("the environment variable {var} is empty; put {what} in it")]
    Empty {
        /// The variable's name.
        var: String,
        /// What it should hold.
        what: String,
    },
    /// Not valid UTF-8.
    #[error("the environment variable {var} is not valid text")]
    NotText {
        /// The variable's name.
        var: String,
    },
}

/// The one reader of secrets from the environment, for every command that takes one.
/// Spaces and line breaks around the value are dropped (`export VAR="$(cat file)"` and a
/// pasted trailing newline are common; no real secret starts or ends with one); an unset,
/// empty or blank variable is an error naming the variable and `what` it should hold.
pub fn secret_from_env(var: &str, what: &str) -> Result<Secret, EnvSecretError> {
    secret_from_value(var, what, std::env::var(var))
}

fn secret_from_value(
    var: &str,
    what: &str,
    value: Result<String, std::env::VarError>,
) -> Result<Secret, EnvSecretError> {
    match value {
        Ok(value) => {
            let trimmed = value.trim();
            if trimmed.is_empty() {
                Err(EnvSecretError::Empty {
                    var: var.to_owned(),
                    what: what.to_owned(),
                })
            } else if trimmed.len() == value.len() {
                Ok(Secret::new(value))
            } else {
                let secret = Secret::new(trimmed);
                drop(zeroize::Zeroizing::new(value));
                Ok(secret)
            }
        }
        Err(std::env::VarError::NotPresent) => Err(EnvSecretError::NotSet {
            var: var.to_owned(),
            what: what.to_owned(),
        }),
        Err(std::env::VarError::NotUnicode(_)) => Err(EnvSecretError::NotText {
            var: var.to_owned(),
        }),
    }
}

/// Both halves of one tenant, checked as the window's test steps check them.
#[derive(Clone, Debug, Serialize)]
pub struct TenantReport {
    /// The profile's id.
    pub profile: String,
    /// The tenant's name.
    pub name: String,
    /// The SSO half: the OIDC checks, or the SAML metadata test (`null` when not set up).
    pub sso: Option<Report>,
    /// The SCIM half (`null` when it was not set up).
    pub scim: Option<Report>,
    /// Why a half was not checked, or checked without its secret.
    pub notes: Vec<String>,
    /// True when a check of either half failed.
    pub failed: bool,
    /// The SAML metadata test's outcome (its report is also `sso`), for the caller to
    /// store with [`record_saml`]; `None` when the tenant is OIDC or has no metadata yet.
    #[serde(skip)]
    pub saml: Option<SamlOutcome>,
}

impl TenantReport {
    /// Plain text, one tenant: a heading, the notes, then each half's report.
    pub fn to_text(&self) -> String {
        let mut text = format!("Tenant {} ({})\n", self.name, self.profile);
        for note in &self.notes {
            text.push_str("  note: ");
            text.push_str(note);
            text.push('\n');
        }
        for report in [&self.sso, &self.scim].into_iter().flatten() {
            text.push('\n');
            text.push_str(&report.to_text());
            if !text.ends_with('\n') {
                text.push('\n');
            }
        }
        text
    }
}

/// The sign-in protocol of a tenant: the admin's choice, else the platform preset's.
pub fn sso_protocol(profile: &Profile) -> SsoProtocol {
    profile
        .sso_protocol
        .unwrap_or_else(|| catalog().platform(profile.platform).sso.protocol)
}

/// The metadata test's input for a stored tenant, as the window and `check saml
/// --profile` both build it; `None` while no metadata URL or file is given.
pub fn saml_input(profile: &Profile) -> Option<SamlInput> {
    let metadata = profile.saml.metadata.trim();
    if metadata.is_empty() {
        return None;
    }
    let entity_id = profile.saml.idp_entity_id.trim();
    Some(SamlInput {
        metadata: MetadataSource::parse(metadata),
        expected_entity_id: (!entity_id.is_empty()).then(|| entity_id.to_owned()),
    })
}

/// Stores a metadata test's outcome in the tenant: the report, and the signing
/// certificates as read now (a metadata that could not be read keeps the last known ones,
/// so a network failure does not make a certificate's expiry vanish from the dashboard).
pub fn record_saml(profile: &mut Profile, outcome: &SamlOutcome, now: DateTime<Utc>) {
    profile.last_saml_report = Some(StoredReport {
        checked_at: now,
        report: outcome.report.clone(),
    });
    if !outcome.signing_certs.is_empty() {
        profile.saml.signing_certs = outcome
            .signing_certs
            .iter()
            .map(|cert| SamlCertificate {
                sha256: cert.sha256.clone(),
                subject: cert.subject.clone(),
                not_before: cert.not_before,
                not_after: cert.not_after,
                seen_at: now,
            })
            .collect();
    }
}

/// Runs the SSO and SCIM checks of a stored tenant, both at once, reading its secrets from
/// `secrets` off the async threads. What cannot be checked is a note, not an error: a
/// tenant half set up is still worth checking.
pub async fn check_tenant(
    profile: &Profile,
    secrets: Arc<dyn SecretStore>,
    policy: Policy,
) -> TenantReport {
    let platform = catalog().platform(profile.platform);
    let mut notes = Vec::new();

    let saml = if sso_protocol(profile) == SsoProtocol::Saml {
        let input = saml_input(profile);
        if input.is_none() {
            notes.push(
                "The SSO app has no SAML metadata URL or file yet, so SSO was not checked"
                    .to_owned(),
            );
        }
        input
    } else {
        None
    };
    let sso = if sso_protocol(profile) == SsoProtocol::Saml {
        None
    } else if profile.sso.issuer.trim().is_empty() {
        notes.push("The SSO app has no issuer yet, so SSO was not checked".to_owned());
        None
    } else {
        Some((
            oidc_input(profile, platform),
            client_secret_account(profile),
        ))
    };
    let scim = if profile.scim.base_url.trim().is_empty() {
        notes.push("The SCIM app has no base URL yet, so SCIM was not checked".to_owned());
        None
    } else {
        Some(scim_token_account(profile))
    };

    let sso_run = async {
        let (mut input, account) = sso?;
        let store = Arc::clone(&secrets);
        let (secret, note) =
            tokio::task::spawn_blocking(move || read_client_secret(&*store, account.as_deref()))
                .await
                .unwrap_or_else(|err| {
                    (
                        None,
                        Some(format!("The client secret could not be read: {err}")),
                    )
                });
        input.client_secret = secret;
        Some((oidc::check(&input, policy, &|_| {}).await, note))
    };
    let scim_run = async {
        let account = scim?;
        let store = Arc::clone(&secrets);
        let token =
            tokio::task::spawn_blocking(move || read_scim_token(&*store, account.as_deref()))
                .await
                .unwrap_or_else(|err| Err(format!("Could not read the token: {err}")));
        Some(match token {
            Ok(token) => Ok(scim::check(&scim_input(profile, token), policy, &|_| {}).await),
            Err(note) => Err(note),
        })
    };
    let saml_run = async {
        let input = saml?;
        Some(saml::check_metadata(&input, policy, Utc::now(), &|_| {}).await)
    };
    let (sso, scim, saml) = tokio::join!(sso_run, scim_run, saml_run);

    let sso = sso
        .map(|(report, note)| {
            notes.extend(note);
            report
        })
        .or_else(|| saml.as_ref().map(|outcome| outcome.report.clone()));
    let scim = match scim {
        Some(Ok(report)) => Some(report),
        Some(Err(note)) => {
            notes.push(format!("{note}, so SCIM was not checked"));
            None
        }
        None => None,
    };
    let failed = [&sso, &scim]
        .into_iter()
        .flatten()
        .any(Report::has_failures);
    TenantReport {
        profile: profile.id.clone(),
        name: profile.name.clone(),
        sso,
        scim,
        notes,
        failed,
        saml,
    }
}

#[cfg(test)]
mod tests {
    use std::env::VarError;

    use super::*;
    use crate::diagnostics::{Finding, ReportKind};
    use crate::model::{PlatformId, SsoProtocol};
    use crate::probes::saml::Certificate;

    #[test]
    fn a_tenant_signs_in_with_its_choice_else_its_platform_default() {
        let mut profile = Profile {
            platform: PlatformId::AwsIamIdentityCenter,
            ..Profile::default()
        };
        assert_eq!(sso_protocol(&profile), SsoProtocol::Saml);
        profile.platform = PlatformId::Claresia;
        assert_eq!(sso_protocol(&profile), SsoProtocol::Oidc);
        profile.sso_protocol = Some(SsoProtocol::Saml);
        assert_eq!(sso_protocol(&profile), SsoProtocol::Saml);
    }

    #[test]
    fn the_saml_input_comes_from_the_profile_and_a_blank_entity_id_is_not_compared() {
        let mut profile = Profile::default();
        assert_eq!(saml_input(&profile), None);
        profile.saml.metadata = " https://idp.example/metadata ".to_owned();
        profile.saml.idp_entity_id = "  ".to_owned();
        let input = saml_input(&profile).expect("metadata given");
        assert_eq!(
            input.metadata,
            MetadataSource::Url("https://idp.example/metadata".to_owned())
        );
        assert_eq!(input.expected_entity_id, None);
        profile.saml.idp_entity_id = "https://sts.windows.net/t/".to_owned();
        assert_eq!(
            saml_input(&profile).and_then(|i| i.expected_entity_id),
            Some("https://sts.windows.net/t/".to_owned())
        );
    }

    #[test]
    fn a_failed_metadata_read_keeps_the_last_known_certificates() {
        let now = DateTime::<Utc>::UNIX_EPOCH + chrono::Duration::days(20_000);
        let cert = Certificate {
            sha256: "ab".repeat(32),
            subject: "CN=Microsoft Azure Federated SSO Certificate".to_owned(),
            not_before: now - chrono::Duration::days(10),
            not_after: now + chrono::Duration::days(20),
        };
        let report = |status_pass: bool| {
            let finding = if status_pass {
                Finding::pass("saml.metadata_fetch", "read")
            } else {
                Finding::fail("saml.metadata_fetch", "unreachable", "retry")
            };
            Report::new(ReportKind::Saml, "https://idp.example/md", vec![finding])
        };
        let mut profile = Profile::default();
        record_saml(
            &mut profile,
            &SamlOutcome {
                report: report(true),
                signing_certs: vec![cert.clone()],
            },
            now,
        );
        assert_eq!(profile.saml.signing_certs.len(), 1);
        assert_eq!(profile.saml.signing_certs[0].not_after, cert.not_after);
        assert_eq!(profile.saml.signing_certs[0].seen_at, now);

        let later = now + chrono::Duration::hours(1);
        record_saml(
            &mut profile,
            &SamlOutcome {
                report: report(false),
                signing_certs: Vec::new(),
            },
            later,
        );
        assert_eq!(profile.saml.signing_certs.len(), 1, "kept");
        assert_eq!(profile.saml.signing_certs[0].seen_at, now);
        assert_eq!(
            profile.last_saml_report.as_ref().map(|r| r.checked_at),
            Some(later)
        );
    }

    #[test]
    fn environment_secrets_are_trimmed_and_blank_ones_refused() {
        let ok = |value: &str| secret_from_value("V", "the token", Ok(value.to_owned()));
        assert_eq!(
            ok("abc").map(|s| s.expose().to_owned()),
            Ok("abc".to_owned())
        );
        assert_eq!(
            ok("  abc\r\n").map(|s| s.expose().to_owned()),
            Ok("abc".to_owned())
        );
        assert!(matches!(ok(""), Err(EnvSecretError::Empty { .. })));
        assert!(matches!(ok(" \n\t"), Err(EnvSecretError::Empty { .. })));
        let unset = secret_from_value("V", "the token", Err(VarError::NotPresent));
        assert_eq!(
            unset.err().map(|e| e.to_string()),
            Some("the environment variable V is not set; export the token in it first".to_owned())
        );
    }
}

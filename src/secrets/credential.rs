//! Rules for adding a credential to a profile, shared by the Credentials step and the
//! `token` commands: who may generate which credential, the default lifetime from the
//! platform or IdP preset, parsing an expiry, the metadata written to the profile, and
//! finding keyring entries whose profile or credential is gone.
//!
//! Pure: no I/O, no clock (`now` is a parameter). The secret value itself never enters a
//! [`CredentialMeta`]; only its last four characters do.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::{RandomError, Secret, parse_account};
use crate::catalog::{Idp, Platform, TokenIssuer};
use crate::model::{
    CredentialKind, CredentialMeta, CredentialOrigin, CredentialState, HistoryEntry, IdpId, Profile,
};

/// Longest lifetime accepted, in days (ten years); longer is almost certainly a typo.
pub const MAX_LIFETIME_DAYS: u32 = 3650;

/// Whether the wizard may generate a credential of this kind, or only import one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Issuance {
    /// The admin chooses the value: the wizard generates it.
    Generate,
    /// The platform or IdP creates the value; the admin pastes it in once.
    ImportOnly {
        /// One sentence saying who creates it and where.
        why: String,
    },
}

/// Who creates a credential of `kind` for this platform and IdP (`token_issued_by` in
/// `assets/platforms.toml` for SCIM tokens; client secrets come from the IdP, and only a
/// generic provider may accept one chosen by the admin).
pub fn issuance(kind: CredentialKind, platform: &Platform, idp: &Idp) -> Issuance {
    match kind {
        CredentialKind::ScimToken => match platform.scim.token_issued_by {
            TokenIssuer::Admin => Issuance::Generate,
            TokenIssuer::Platform => Issuance::ImportOnly {
                why: format!(
                    "{} creates SCIM tokens itself: create one there and paste it here once",
                    platform.name
                ),
            },
        },
        CredentialKind::ClientSecret if idp.id == IdpId::Generic => Issuance::Generate,
        CredentialKind::ClientSecret => Issuance::ImportOnly {
            why: format!(
                "{} creates client secrets itself: add one to the app registration and paste it here once",
                idp.name
            ),
        },
    }
}

/// The preset lifetime of a new credential, in days: the platform's SCIM token lifetime,
/// or the IdP's suggested (shortest offered) client secret lifetime.
pub fn preset_lifetime_days(kind: CredentialKind, platform: &Platform, idp: &Idp) -> Option<u32> {
    match kind {
        CredentialKind::ScimToken => platform.scim.token_lifetime_days,
        CredentialKind::ClientSecret => idp.secret_lifetimes_days.first().copied(),
    }
}

/// How the admin set the expiry of a new credential.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExpiryChoice {
    /// The platform or IdP preset ([`preset_lifetime_days`]); no expiry when there is none.
    Preset,
    /// This many days from now.
    LifetimeDays(u32),
    /// This moment.
    At(DateTime<Utc>),
    /// It does not expire (many IdPs' client secrets by default).
    Never,
}

/// An expiry the admin gave that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExpiryError {
    /// Not a date.
    #[error("{given:?} is not a date; write it as YYYY-MM-DD, for example 2027-06-30")]
    BadDate {
        /// What was typed.
        given: String,
    },
    /// Not a whole number of days in range.
    #[error(
        "{given:?} is not a lifetime; give a whole number of days from 1 to {MAX_LIFETIME_DAYS}"
    )]
    BadLifetime {
        /// What was typed.
        given: String,
    },
}

/// When a credential expires under `choice`, seen at `now`.
pub fn resolve_expiry(
    choice: ExpiryChoice,
    preset_days: Option<u32>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    match choice {
        ExpiryChoice::Preset => preset_days.map(|days| now + Duration::days(i64::from(days))),
        ExpiryChoice::LifetimeDays(days) => Some(now + Duration::days(i64::from(days))),
        ExpiryChoice::At(at) => Some(at),
        ExpiryChoice::Never => None,
    }
}

/// Parses a lifetime in days, 1 to [`MAX_LIFETIME_DAYS`].
pub fn parse_lifetime_days(text: &str) -> Result<u32, ExpiryError> {
    text.trim()
        .parse::<u32>()
        .ok()
        .filter(|days| (1..=MAX_LIFETIME_DAYS).contains(days))
        .ok_or_else(|| ExpiryError::BadLifetime {
            given: text.to_owned(),
        })
}

/// Parses a date as `YYYY-MM-DD` or a full RFC 3339 timestamp. A date alone is the end of
/// that day in the admin's local time zone: the one rule with [`crate::expiry::days_left`]
/// (issue #14; it used to be 00:00 UTC, a day early for most of the world).
pub fn parse_date(text: &str) -> Result<DateTime<Utc>, ExpiryError> {
    parse_date_in(text, &chrono::Local)
}

/// [`parse_date`] with a date alone read in the time zone `tz`.
pub fn parse_date_in<Tz: chrono::TimeZone>(
    text: &str,
    tz: &Tz,
) -> Result<DateTime<Utc>, ExpiryError> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|date| date.and_hms_opt(23, 59, 59))
        // `latest`: a clock turned back at that hour has two such instants.
        .and_then(|at| tz.from_local_datetime(&at).latest())
        .map(|at| at.with_timezone(&Utc))
        .ok_or_else(|| ExpiryError::BadDate {
            given: text.to_owned(),
        })
}

/// What the admin asked for, before the value exists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCredential {
    /// SCIM token or client secret.
    pub kind: CredentialKind,
    /// The admin's label; empty gives "<kind> <date>".
    pub label: String,
    /// Generated or imported.
    pub origin: CredentialOrigin,
    /// When it expires, if known.
    pub expires_at: Option<DateTime<Utc>>,
}

/// The metadata of a new credential of `profile` holding `secret`: a fresh id, the last
/// four characters, no value. `random` supplies the id's suffix (tests pass a constant).
pub fn credential_meta(
    profile: &Profile,
    new: NewCredential,
    secret: &Secret,
    now: DateTime<Utc>,
    random: impl FnMut() -> Result<u32, RandomError>,
) -> Result<CredentialMeta, RandomError> {
    let NewCredential {
        kind,
        label,
        origin,
        expires_at,
    } = new;
    let label = match label.trim() {
        "" => distinct_label(
            profile,
            &format!("{} {}", kind.label(), now.format("%Y-%m-%d")),
        ),
        trimmed if trimmed.len() == label.len() => label,
        trimmed => trimmed.to_owned(),
    };
    Ok(CredentialMeta {
        id: fresh_credential_id(profile, kind, random)?,
        kind,
        label,
        origin,
        created_at: now,
        expires_at,
        last4: secret.last4(),
        last_verified_at: None,
        state: CredentialState::Active,
        session_only: false,
    })
}

/// `base`, or `base (2)`, `base (3)`… when another credential of `profile` has that label:
/// two secrets added the same day must not read the same in every list (#14).
fn distinct_label(profile: &Profile, base: &str) -> String {
    let taken = |label: &str| profile.credentials.iter().any(|c| c.label == label);
    if !taken(base) {
        return base.to_owned();
    }
    // One more number than there are credentials is always free.
    (2..=profile.credentials.len() + 2)
        .map(|n| format!("{base} ({n})"))
        .find(|label| !taken(label))
        .unwrap_or_else(|| base.to_owned())
}

/// A credential id unused in `profile`: `<kind>-<6 hex digits>`. A generator that fails,
/// or keeps giving ids that are taken, is an error instead of an endless loop.
pub fn fresh_credential_id(
    profile: &Profile,
    kind: CredentialKind,
    mut random: impl FnMut() -> Result<u32, RandomError>,
) -> Result<String, RandomError> {
    for _ in 0..ID_ATTEMPTS {
        let id = format!("{}-{:06x}", kind.as_str(), random()? & 0x00ff_ffff);
        if profile.credential(&id).is_none() {
            return Ok(id);
        }
    }
    Err(RandomError::repeating())
}

/// How many taken ids [`fresh_credential_id`] tries before it blames the generator: with
/// 2²⁴ suffixes and a handful of credentials, a working one needs more than one try about
/// once in a million.
const ID_ATTEMPTS: usize = 64;

/// Six random hex digits' worth from the OS RNG, for [`credential_meta`].
pub fn os_random() -> Result<u32, RandomError> {
    let mut bytes = [0_u8; 4];
    super::random(&mut bytes)?;
    Ok(u32::from_le_bytes(bytes))
}

/// What adding a credential did to the one in use (issue #14: adding never switches).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Attached {
    /// Nothing of its kind was in use: the app uses the new one now.
    InUse,
    /// The app keeps using the credential it had (its id); the new one waits, listed as
    /// "Not in use", until the admin switches explicitly or rotates.
    Kept {
        /// The credential still in use.
        in_use: String,
    },
}

/// Why [`use_credential`] refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UseError {
    /// No credential with this id in the profile.
    #[error("this tenant has no credential {id}; `profile show` lists them")]
    Unknown {
        /// The id asked for.
        id: String,
    },
    /// A rotation's new credential, not yet confirmed: the walkthrough switches it.
    #[error(
        "“{label}” is the new credential of a rotation in progress; finish the rotation to use it"
    )]
    Pending {
        /// Its label.
        label: String,
    },
}

fn slot(profile: &mut Profile, kind: CredentialKind) -> &mut Option<String> {
    match kind {
        CredentialKind::ScimToken => &mut profile.scim.token_credential,
        CredentialKind::ClientSecret => &mut profile.sso.client_secret_credential,
    }
}

/// A credential as the history names it: kind, label and masked last characters.
fn named(meta: &CredentialMeta) -> String {
    format!(
        "{} “{}” ({})",
        meta.kind.label(),
        meta.label,
        super::masked(&meta.last4)
    )
}

/// Adds a line to the profile's history.
fn note(profile: &mut Profile, at: DateTime<Utc>, event: String) {
    profile.history.push(HistoryEntry { at, event });
}

/// Adds a stored credential to the profile. It becomes the one in use only when nothing of
/// its kind is (the first SCIM token, the first client secret): adding, importing or
/// generating never takes the place of a working credential. Switching is
/// [`use_credential`], an explicit choice; replacing a working one is a rotation.
pub fn attach(profile: &mut Profile, meta: CredentialMeta, now: DateTime<Utc>) -> Attached {
    let expires = meta.expires_at.map_or_else(
        || "no expiry set".to_owned(),
        |at| format!("expires {}", at.format("%Y-%m-%d")),
    );
    let verb = match meta.origin {
        CredentialOrigin::Generated => "Generated",
        CredentialOrigin::Imported => "Imported",
    };
    note(profile, now, format!("{verb} {}, {expires}", named(&meta)));
    let current = slot(profile, meta.kind)
        .clone()
        .filter(|id| profile.credential(id).is_some());
    let attached = if let Some(in_use) = current {
        Attached::Kept { in_use }
    } else {
        *slot(profile, meta.kind) = Some(meta.id.clone());
        Attached::InUse
    };
    profile.credentials.push(meta);
    attached
}

/// Makes `credential_id` the one its app uses (the GUI's confirmed "Use this one", the
/// CLI's `--use`). Returns the id it replaced, if any; the replaced one stays listed.
pub fn use_credential(
    profile: &mut Profile,
    credential_id: &str,
    now: DateTime<Utc>,
) -> Result<Option<String>, UseError> {
    let meta = profile
        .credential(credential_id)
        .cloned()
        .ok_or_else(|| UseError::Unknown {
            id: credential_id.to_owned(),
        })?;
    if meta.state == CredentialState::Pending {
        return Err(UseError::Pending { label: meta.label });
    }
    let previous = slot(profile, meta.kind).replace(meta.id.clone());
    if previous.as_deref() != Some(credential_id) {
        let app = match meta.kind {
            CredentialKind::ScimToken => "SCIM app",
            CredentialKind::ClientSecret => "SSO app",
        };
        note(profile, now, format!("The {app} now uses {}", named(&meta)));
    }
    Ok(previous.filter(|id| id != credential_id))
}

/// Removes a credential's metadata (the caller deletes its value from the store); the app
/// that used it is left without one. Returns what was removed.
pub fn detach(
    profile: &mut Profile,
    credential_id: &str,
    now: DateTime<Utc>,
) -> Option<CredentialMeta> {
    let index = profile
        .credentials
        .iter()
        .position(|c| c.id == credential_id)?;
    let meta = profile.credentials.remove(index);
    if profile.scim.token_credential.as_deref() == Some(credential_id) {
        profile.scim.token_credential = None;
    }
    if profile.sso.client_secret_credential.as_deref() == Some(credential_id) {
        profile.sso.client_secret_credential = None;
    }
    note(
        profile,
        now,
        format!("Removed {} from the wizard", named(&meta)),
    );
    Some(meta)
}

/// True when the profile's SSO or SCIM app uses this credential.
pub fn in_use(profile: &Profile, credential_id: &str) -> bool {
    profile.scim.token_credential.as_deref() == Some(credential_id)
        || profile.sso.client_secret_credential.as_deref() == Some(credential_id)
}

/// A keyring entry nobody refers to any more.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Orphan {
    /// The keyring account (`<profile-id>/<credential-id>`).
    pub account: String,
    /// Why it is left over.
    pub reason: OrphanReason,
}

/// Why a keyring entry is left over.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OrphanReason {
    /// No profile has this id (deleted, or deleted by another copy of the wizard).
    ProfileGone,
    /// The profile exists but no longer lists the credential.
    CredentialGone {
        /// The tenant's name.
        tenant: String,
    },
    /// The account name is not one the wizard writes.
    Unrecognised,
}

impl OrphanReason {
    /// Words for the clean-up list.
    pub fn label(&self) -> String {
        match self {
            Self::ProfileGone => "its tenant profile no longer exists".to_owned(),
            Self::CredentialGone { tenant } => {
                format!("“{tenant}” no longer lists this credential")
            }
            Self::Unrecognised => "not a name the wizard writes".to_owned(),
        }
    }
}

/// Keyring accounts (from [`super::SecretStore::accounts`]) that no profile refers to.
/// Profiles whose file could not be read are named in `unreadable_ids` and their entries
/// are never offered for deletion (the file may still be repaired).
pub fn orphans<'a>(
    profiles: impl IntoIterator<Item = &'a Profile>,
    unreadable_ids: &[String],
    accounts: &[String],
) -> Vec<Orphan> {
    let profiles: Vec<&Profile> = profiles.into_iter().collect();
    accounts
        .iter()
        .filter_map(|account| {
            let reason = match parse_account(account) {
                None => OrphanReason::Unrecognised,
                Some((profile_id, _)) if unreadable_ids.iter().any(|id| id == profile_id) => {
                    return None;
                }
                Some((profile_id, credential_id)) => match profiles
                    .iter()
                    .find(|p| p.id == profile_id)
                {
                    None => OrphanReason::ProfileGone,
                    Some(profile) if profile.credential(credential_id).is_some() => return None,
                    Some(profile) => OrphanReason::CredentialGone {
                        tenant: profile.name.clone(),
                    },
                },
            };
            Some(Orphan {
                account: account.clone(),
                reason,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::catalog;
    use crate::model::PlatformId;

    use crate::expiry::test_now as now;

    #[test]
    fn platform_issued_tokens_are_import_only() {
        let catalog = catalog();
        let entra = catalog.idp(IdpId::Entra);
        let airia = catalog.platform(PlatformId::Airia);
        assert!(matches!(
            issuance(CredentialKind::ScimToken, airia, entra),
            Issuance::ImportOnly { .. }
        ));
        let generic = catalog.platform(PlatformId::Generic);
        assert_eq!(
            issuance(CredentialKind::ScimToken, generic, entra),
            Issuance::Generate
        );
        assert!(matches!(
            issuance(CredentialKind::ClientSecret, generic, entra),
            Issuance::ImportOnly { .. }
        ));
        assert_eq!(
            issuance(
                CredentialKind::ClientSecret,
                generic,
                catalog.idp(IdpId::Generic)
            ),
            Issuance::Generate
        );
    }

    #[test]
    fn presets_come_from_the_catalog() {
        let catalog = catalog();
        let entra = catalog.idp(IdpId::Entra);
        assert_eq!(
            preset_lifetime_days(
                CredentialKind::ScimToken,
                catalog.platform(PlatformId::Airia),
                entra
            ),
            Some(180)
        );
        assert_eq!(
            preset_lifetime_days(
                CredentialKind::ScimToken,
                catalog.platform(PlatformId::AwsIamIdentityCenter),
                entra
            ),
            Some(365)
        );
        assert_eq!(
            preset_lifetime_days(
                CredentialKind::ClientSecret,
                catalog.platform(PlatformId::Generic),
                entra
            ),
            Some(180)
        );
        assert_eq!(
            preset_lifetime_days(
                CredentialKind::ClientSecret,
                catalog.platform(PlatformId::Generic),
                catalog.idp(IdpId::Okta)
            ),
            None
        );
    }

    #[test]
    fn expiry_choices_resolve_against_now() {
        let now = now();
        assert_eq!(
            resolve_expiry(ExpiryChoice::Preset, Some(180), now),
            Some(now + Duration::days(180))
        );
        assert_eq!(resolve_expiry(ExpiryChoice::Preset, None, now), None);
        assert_eq!(
            resolve_expiry(ExpiryChoice::LifetimeDays(7), None, now),
            Some(now + Duration::days(7))
        );
        assert_eq!(resolve_expiry(ExpiryChoice::Never, Some(180), now), None);
        let date = parse_date_in("2027-06-30", &Utc).unwrap();
        assert_eq!(date.to_rfc3339(), "2027-06-30T23:59:59+00:00");
        let plus2 = chrono::FixedOffset::east_opt(2 * 3600).unwrap();
        let date = parse_date_in("2027-06-30", &plus2).unwrap();
        assert_eq!(date.to_rfc3339(), "2027-06-30T21:59:59+00:00");
        assert_eq!(
            crate::expiry::days_left_in(date, date - Duration::days(3), &plus2),
            3
        );
        assert_eq!(
            parse_date("2027-06-30T10:00:00+02:00")
                .unwrap()
                .to_rfc3339(),
            "2027-06-30T08:00:00+00:00"
        );
        assert!(matches!(
            parse_date("30.06.2027"),
            Err(ExpiryError::BadDate { .. })
        ));
        assert_eq!(parse_lifetime_days(" 90 "), Ok(90));
        assert!(parse_lifetime_days("0").is_err());
        assert!(parse_lifetime_days("-5").is_err());
        assert!(parse_lifetime_days("99999").is_err());
    }

    #[test]
    fn attach_points_the_app_at_the_new_credential_and_keeps_only_metadata() {
        let mut profile = acme(IdpId::Okta);
        let secret = Secret::new("0123456789-very-secret-value-wxyz");
        let new = NewCredential {
            kind: CredentialKind::ScimToken,
            label: String::new(),
            origin: CredentialOrigin::Generated,
            expires_at: Some(now() + Duration::days(30)),
        };
        let meta = credential_meta(&profile, new, &secret, now(), || Ok(0x00ab_cdef)).unwrap();
        assert_eq!(meta.id, "scim-token-abcdef");
        assert_eq!(meta.label, "SCIM token 2026-11-23");
        assert_eq!(meta.last4, "wxyz");
        attach(&mut profile, meta, now());
        assert_eq!(
            profile.scim.token_credential.as_deref(),
            Some("scim-token-abcdef")
        );
        let json = serde_json::to_string(&profile).unwrap();
        assert!(!json.contains(secret.expose()));
        assert!(
            !json.contains("session_only"),
            "false is not written: {json}"
        );

        // A second id never collides with the first.
        let mut calls = 0;
        let id = fresh_credential_id(&profile, CredentialKind::ScimToken, || {
            calls += 1;
            Ok(if calls == 1 { 0x00ab_cdef } else { 0x0012_3456 })
        })
        .unwrap();
        assert_eq!(id, "scim-token-123456");

        // A generator stuck on a taken value is an error, not an endless loop (issue #16
        // item 11: a failing RNG used to give 0 every time).
        let stuck = fresh_credential_id(&profile, CredentialKind::ScimToken, || Ok(0x00ab_cdef));
        assert!(stuck.is_err(), "{stuck:?}");
        let failed = crate::secrets::test_rng::with_failing_rng(|| {
            credential_meta(
                &profile,
                NewCredential {
                    kind: CredentialKind::ScimToken,
                    label: String::new(),
                    origin: CredentialOrigin::Generated,
                    expires_at: None,
                },
                &secret,
                now(),
                os_random,
            )
        });
        assert!(failed.is_err(), "{failed:?}");

        assert!(in_use(&profile, "scim-token-abcdef"));
        let removed = detach(&mut profile, "scim-token-abcdef", now()).unwrap();
        assert_eq!(removed.id, "scim-token-abcdef");
        assert_eq!(profile.scim.token_credential, None);
        assert!(profile.credentials.is_empty());
    }

    /// The test tenant, on the generic platform with `idp`.
    fn acme(idp: IdpId) -> Profile {
        Profile::new(
            "acme-1".into(),
            "Acme".into(),
            PlatformId::Generic,
            idp,
            now(),
        )
    }

    fn add(profile: &mut Profile, kind: CredentialKind, suffix: u32) -> (String, Attached) {
        let new = NewCredential {
            kind,
            label: String::new(),
            origin: CredentialOrigin::Imported,
            expires_at: None,
        };
        let meta = credential_meta(profile, new, &Secret::new("value-1234"), now(), || {
            Ok(suffix)
        })
        .unwrap_or_else(|err| panic!("{err}"));
        let id = meta.id.clone();
        (id.clone(), attach(profile, meta, now()))
    }

    #[test]
    fn adding_a_second_credential_never_changes_the_one_in_use() {
        let mut profile = acme(IdpId::Entra);
        let (first, attached) = add(&mut profile, CredentialKind::ScimToken, 1);
        assert_eq!(attached, Attached::InUse, "the first one is used");
        let (second, attached) = add(&mut profile, CredentialKind::ScimToken, 2);
        assert_eq!(
            attached,
            Attached::Kept {
                in_use: first.clone()
            }
        );
        assert_eq!(
            profile.scim.token_credential.as_deref(),
            Some(first.as_str())
        );
        assert!(in_use(&profile, &first) && !in_use(&profile, &second));

        // Another kind is independent: the first client secret is used at once.
        let (secret, attached) = add(&mut profile, CredentialKind::ClientSecret, 3);
        assert_eq!(attached, Attached::InUse);
        assert_eq!(
            profile.sso.client_secret_credential.as_deref(),
            Some(secret.as_str())
        );
        assert_eq!(
            profile.scim.token_credential.as_deref(),
            Some(first.as_str())
        );

        // A slot pointing at a credential that is gone counts as empty.
        profile.scim.token_credential = Some("scim-token-gone".into());
        let (third, attached) = add(&mut profile, CredentialKind::ScimToken, 4);
        assert_eq!(attached, Attached::InUse);
        assert_eq!(
            profile.scim.token_credential.as_deref(),
            Some(third.as_str())
        );
    }

    #[test]
    fn default_labels_of_the_same_day_differ() {
        let mut profile = acme(IdpId::Entra);
        add(&mut profile, CredentialKind::ClientSecret, 1);
        add(&mut profile, CredentialKind::ClientSecret, 2);
        add(&mut profile, CredentialKind::ClientSecret, 3);
        let labels: Vec<&str> = profile
            .credentials
            .iter()
            .map(|c| c.label.as_str())
            .collect();
        assert_eq!(
            labels,
            [
                "OIDC client secret 2026-11-23",
                "OIDC client secret 2026-11-23 (2)",
                "OIDC client secret 2026-11-23 (3)"
            ]
        );
    }

    #[test]
    fn switching_is_explicit_and_recorded() {
        let mut profile = acme(IdpId::Entra);
        let (first, _) = add(&mut profile, CredentialKind::ScimToken, 1);
        let (second, _) = add(&mut profile, CredentialKind::ScimToken, 2);
        let history = profile.history.len();
        assert_eq!(
            use_credential(&mut profile, &second, now()),
            Ok(Some(first.clone()))
        );
        assert_eq!(
            profile.scim.token_credential.as_deref(),
            Some(second.as_str())
        );
        assert_eq!(profile.history.len(), history + 1);
        assert!(
            profile.history[history]
                .event
                .contains("The SCIM app now uses")
        );
        // Using the one already in use changes nothing and records nothing.
        assert_eq!(use_credential(&mut profile, &second, now()), Ok(None));
        assert_eq!(profile.history.len(), history + 1);
        assert!(matches!(
            use_credential(&mut profile, "scim-token-nope", now()),
            Err(UseError::Unknown { .. })
        ));
        profile
            .credentials
            .iter_mut()
            .find(|c| c.id == first)
            .unwrap()
            .state = CredentialState::Pending;
        assert!(matches!(
            use_credential(&mut profile, &first, now()),
            Err(UseError::Pending { .. })
        ));
        assert_eq!(
            profile.scim.token_credential.as_deref(),
            Some(second.as_str())
        );
    }

    #[test]
    fn orphans_are_entries_whose_profile_or_credential_is_gone() {
        let mut profile = acme(IdpId::Okta);
        let secret = Secret::new("abcd");
        let new = NewCredential {
            kind: CredentialKind::ScimToken,
            label: "t".into(),
            origin: CredentialOrigin::Imported,
            expires_at: None,
        };
        let meta = credential_meta(&profile, new, &secret, now(), || Ok(1)).unwrap();
        attach(&mut profile, meta, now());
        let accounts = vec![
            "acme-1/scim-token-000001".to_owned(),
            "acme-1/scim-token-000002".to_owned(),
            "gone-2/client-secret-000003".to_owned(),
            "broken-3/scim-token-000004".to_owned(),
            "stray".to_owned(),
        ];
        let found = orphans([&profile], &["broken-3".to_owned()], &accounts);
        assert_eq!(
            found,
            [
                Orphan {
                    account: "acme-1/scim-token-000002".into(),
                    reason: OrphanReason::CredentialGone {
                        tenant: "Acme".into()
                    }
                },
                Orphan {
                    account: "gone-2/client-secret-000003".into(),
                    reason: OrphanReason::ProfileGone
                },
                Orphan {
                    account: "stray".into(),
                    reason: OrphanReason::Unrecognised
                },
            ]
        );
    }
}

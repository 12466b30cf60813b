//! The I/O side of a rotation: storing the new credential as pending, deleting the old
//! secret when the new one is promoted, deleting the pending one when the rotation is
//! cancelled, and looking a user up over SCIM to confirm a provisioning event.
//!
//! Core, not UI: the window's rotation screen runs these on its runtime (keyring calls
//! may block), the command line and the integration tests call them directly. Every rule (what may happen when) is decided by
//! `crate::wizard::rotation`; this module only carries out its answers and never deletes
//! the old secret unless the new one is in the store.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::model::{CredentialMeta, CredentialOrigin, CredentialState, Profile};
use crate::probes::http::{self, Client, HttpError, Policy, Request};
use crate::secrets::credential::{self, NewCredential};
use crate::secrets::{Secret, SecretStore, StoreError, account};
use crate::wizard::rotation::{
    self, Promotion, RotationAction, RotationError, RotationState, RotationStep,
};

/// Why a rotation's keyring or profile change did not happen. Nothing was deleted.
#[derive(Debug, thiserror::Error)]
pub enum RotationIoError {
    /// The state machine refused.
    #[error("{0}")]
    Rule(#[from] RotationError),
    /// The keyring failed.
    #[error("{0}")]
    Store(#[from] StoreError),
    /// The new credential's value is not in the keyring, so the old one is kept.
    #[error(
        "the new credential's value is not in the keyring (account {account}), so the old one was kept; go back to the Create step and store the new one again"
    )]
    PendingMissing {
        /// The keyring account looked up.
        account: String,
    },
    /// The profile has no rotation in progress.
    #[error("this tenant has no rotation in progress")]
    NotRotating,
}

/// The metadata of a new pending credential replacing the one being rotated: same kind,
/// a fresh id, the expiry the admin chose (or the preset), never active yet.
pub fn pending_meta(
    profile: &Profile,
    state: &RotationState,
    secret: &Secret,
    origin: CredentialOrigin,
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<CredentialMeta, crate::secrets::RandomError> {
    let old_label = profile
        .credential(&state.credential_id)
        .map(|c| c.label.clone())
        .unwrap_or_default();
    let label = if old_label.trim().is_empty() {
        String::new()
    } else {
        format!(
            "{} (rotated {})",
            strip_rotated(&old_label),
            now.format("%Y-%m-%d")
        )
    };
    let mut meta = credential::credential_meta(
        profile,
        NewCredential {
            kind: state.kind,
            label,
            origin,
            expires_at,
        },
        secret,
        now,
        credential::os_random,
    )?;
    meta.state = CredentialState::Pending;
    Ok(meta)
}

/// A label without an earlier " (rotated …)" suffix, so labels do not grow each rotation.
fn strip_rotated(label: &str) -> &str {
    label.find(" (rotated ").map_or(label, |at| &label[..at])
}

/// Puts the pending value in the store. Blocking (the keyring): run it off the UI thread.
pub fn store_pending(
    store: &dyn SecretStore,
    profile_id: &str,
    meta: &CredentialMeta,
    secret: &Secret,
) -> Result<(), StoreError> {
    store.put(&account(profile_id, &meta.id), secret)
}

/// Records a stored pending credential in the profile (Create step). Returns the id of
/// an earlier pending credential it replaces, whose value the caller deletes.
pub fn record_pending(
    profile: &mut Profile,
    meta: CredentialMeta,
    now: DateTime<Utc>,
) -> Result<Option<String>, RotationError> {
    let state = profile.rotation.as_ref().ok_or(RotationError::Finished)?;
    let next = rotation::apply(
        state,
        RotationAction::PendingCreated {
            credential_id: meta.id.clone(),
        },
        now,
    )?;
    let replaced = state.pending_credential_id.clone();
    if let Some(old_pending) = &replaced {
        profile
            .credentials
            .retain(|c| !(c.id == *old_pending && c.state == CredentialState::Pending));
    }
    profile.credentials.push(meta);
    profile.rotation = Some(next);
    Ok(replaced)
}

/// Deletes the retired credential's value, but only after checking that the new one is
/// in the store. Blocking: run it off the UI thread. Deleting twice is not an error, so a
/// failed promotion can simply be retried.
pub fn retire_old(
    store: &dyn SecretStore,
    profile_id: &str,
    promotion: &Promotion,
) -> Result<(), RotationIoError> {
    let pending = account(profile_id, &promotion.promoted_credential_id);
    match store.get(&pending)? {
        Some(secret) if !secret.is_empty() => {}
        _ => return Err(RotationIoError::PendingMissing { account: pending }),
    }
    store.delete(&account(profile_id, &promotion.retired_credential_id))?;
    Ok(())
}

/// What [`retire_old`] will act on for the rotation in `profile`, once it is allowed:
/// the state after the Revoke action and the ids involved. Changes nothing.
pub fn plan_revoke(
    profile: &Profile,
    now: DateTime<Utc>,
) -> Result<(RotationState, Promotion), RotationIoError> {
    let state = profile
        .rotation
        .as_ref()
        .ok_or(RotationIoError::NotRotating)?;
    let done = rotation::apply(state, RotationAction::Revoke, now)?;
    let promoted = done
        .pending_credential_id
        .clone()
        .ok_or(RotationError::NoPendingCredential)?;
    Ok((
        done,
        Promotion {
            retired_credential_id: state.credential_id.clone(),
            promoted_credential_id: promoted,
        },
    ))
}

/// Revokes in one go (tests, command line): checks the rule, deletes the old secret
/// after making sure the new one is stored, promotes the new one in the profile. The
/// profile is unchanged when anything fails.
pub fn revoke(
    profile: &mut Profile,
    store: &dyn SecretStore,
    now: DateTime<Utc>,
) -> Result<Promotion, RotationIoError> {
    let (done, promotion) = plan_revoke(profile, now)?;
    retire_old(store, &profile.id, &promotion)?;
    Ok(rotation::promote(profile, &done, now)?)
}

/// The state after the Cancel action, and the pending credential whose value goes.
pub fn plan_cancel(
    profile: &Profile,
    now: DateTime<Utc>,
) -> Result<(RotationState, Option<String>), RotationIoError> {
    let state = profile
        .rotation
        .as_ref()
        .ok_or(RotationIoError::NotRotating)?;
    let cancelled = rotation::apply(state, RotationAction::Cancel, now)?;
    Ok((cancelled.clone(), cancelled.pending_credential_id))
}

/// Deletes a pending value. Blocking: run it off the UI thread.
pub fn discard_pending(
    store: &dyn SecretStore,
    profile_id: &str,
    pending_id: Option<&str>,
) -> Result<(), StoreError> {
    match pending_id {
        Some(id) => store.delete(&account(profile_id, id)),
        None => Ok(()),
    }
}

/// Cancels in one go (tests, command line): the pending value is deleted, the current
/// credential untouched. The profile is unchanged when the keyring fails.
pub fn cancel(
    profile: &mut Profile,
    store: &dyn SecretStore,
    now: DateTime<Utc>,
) -> Result<(), RotationIoError> {
    let (cancelled, pending) = plan_cancel(profile, now)?;
    discard_pending(store, &profile.id, pending.as_deref())?;
    rotation::abandon(profile, &cancelled, now)?;
    Ok(())
}

/// Reads the pending credential's value. Blocking: run it off the UI thread.
pub fn pending_secret(
    store: &dyn SecretStore,
    profile_id: &str,
    state: &RotationState,
) -> Result<Secret, RotationIoError> {
    let id = state
        .pending_credential_id
        .as_deref()
        .ok_or(RotationError::NoPendingCredential)?;
    let pending = account(profile_id, id);
    store
        .get(&pending)?
        .ok_or(RotationIoError::PendingMissing { account: pending })
}

/// True while the rotation is at a step where the pending value must exist.
pub fn needs_pending(state: &RotationState) -> bool {
    state.pending_credential_id.is_some()
        && !matches!(state.step, RotationStep::Done | RotationStep::Cancelled)
}

/// A user found (or not) over SCIM.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// The platform knows this user.
    Found {
        /// Its SCIM id.
        id: String,
        /// Its userName as the platform stores it.
        user_name: String,
        /// Its `active` flag, when sent.
        active: Option<bool>,
    },
    /// No user with that userName (yet).
    NotFound,
}

/// Why a SCIM look-up gave no answer. Never contains the token.
#[derive(Debug, thiserror::Error)]
pub enum LookupError {
    /// The base URL or the network failed.
    #[error("{0}")]
    Http(#[from] HttpError),
    /// The token was refused.
    #[error("the platform refused the new token ({status}); run the test step again")]
    Refused {
        /// 401 or 403.
        status: u16,
    },
    /// Any other answer.
    #[error("unexpected answer {status} from {url}; the SCIM base URL may be wrong")]
    Unexpected {
        /// The status code.
        status: u16,
        /// The URL asked.
        url: String,
    },
    /// The body was not a SCIM list.
    #[error("the answer from {url} is not a SCIM user list")]
    NotAList {
        /// The URL asked.
        url: String,
    },
    /// Nothing to look up.
    #[error("enter the userName of the user you changed in the IdP")]
    EmptyUserName,
}

/// The `/Users` URL filtering on one userName (RFC 7644 §3.4.2.2: the value is a JSON
/// string, so quotes and backslashes are escaped).
pub fn user_filter_url(base_url: &str, user_name: &str) -> Result<url::Url, HttpError> {
    let mut url = http::parse_url(base_url)?;
    let path = format!("{}/Users", url.path().trim_end_matches('/'));
    url.set_path(&path);
    url.set_query(None);
    let literal = serde_json::to_string(user_name).unwrap_or_else(|_| format!("\"{user_name}\""));
    url.query_pairs_mut()
        .append_pair("filter", &format!("userName eq {literal}"));
    Ok(url)
}

/// Looks a user up by userName with `token` (`GET /Users?filter=userName eq "…"`), to
/// confirm that a change made in the IdP reached the platform with the new token.
pub async fn find_user(
    base_url: &str,
    token: Secret,
    user_name: &str,
    policy: Policy,
) -> Result<Lookup, LookupError> {
    let user_name = user_name.trim();
    if user_name.is_empty() {
        return Err(LookupError::EmptyUserName);
    }
    let url = user_filter_url(base_url, user_name)?;
    let client = Client::new(policy)?;
    let response = client
        .send(
            Request::get(url.clone())
                .bearer(token)
                .accept("application/scim+json, application/json;q=0.9"),
        )
        .await?;
    let status = response.status.as_u16();
    match status {
        200 => {}
        401 | 403 => return Err(LookupError::Refused { status }),
        _ => {
            return Err(LookupError::Unexpected {
                status,
                url: url.to_string(),
            });
        }
    }
    let not_a_list = || LookupError::NotAList {
        url: url.to_string(),
    };
    let body = response.json().map_err(|_| not_a_list())?;
    let resources = body.get("Resources").and_then(Value::as_array);
    let total = body
        .get("totalResults")
        .and_then(Value::as_u64)
        .ok_or_else(not_a_list)?;
    let first = resources.and_then(|r| r.first());
    match (total, first) {
        (0, _) | (_, None) => Ok(Lookup::NotFound),
        (_, Some(user)) => Ok(Lookup::Found {
            id: user
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            user_name: user
                .get("userName")
                .and_then(Value::as_str)
                .unwrap_or(user_name)
                .to_owned(),
            active: user.get("active").and_then(Value::as_bool),
        }),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;
    use crate::model::CredentialKind;
    use crate::secrets::MemoryStore;
    use crate::wizard::rotation::{EventConfirmation, RotationReason};

    fn t(minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 9, minute, 0).unwrap()
    }

    fn profile_with_token(store: &MemoryStore) -> Profile {
        let mut profile = Profile {
            id: "t-1".into(),
            ..Profile::default()
        };
        let old = Secret::new("token-a-0000");
        let mut meta = credential::credential_meta(
            &profile,
            NewCredential {
                kind: CredentialKind::ScimToken,
                label: "SCIM".into(),
                origin: CredentialOrigin::Imported,
                expires_at: None,
            },
            &old,
            t(0),
            || Ok(1),
        )
        .unwrap();
        meta.id = "scim-token-a".into();
        store.put(&account("t-1", &meta.id), &old).unwrap();
        profile.scim.token_credential = Some(meta.id.clone());
        profile.credentials.push(meta);
        rotation::begin(
            &mut profile,
            crate::catalog::catalog(),
            "scim-token-a",
            RotationReason::Expiring,
            t(0),
        )
        .unwrap();
        profile
    }

    fn act(profile: &mut Profile, action: RotationAction) {
        let next = rotation::apply(profile.rotation.as_ref().unwrap(), action, t(2)).unwrap();
        profile.rotation = Some(next);
    }

    /// The metadata of an imported value for the rotation under way, at `t(1)`.
    fn imported_pending_meta(profile: &Profile, secret: &Secret) -> CredentialMeta {
        pending_meta(
            profile,
            profile.rotation.as_ref().unwrap(),
            secret,
            CredentialOrigin::Imported,
            None,
            t(1),
        )
        .unwrap()
    }

    fn create_pending(profile: &mut Profile, store: &MemoryStore, value: &str) -> String {
        let secret = Secret::new(value);
        let meta = imported_pending_meta(profile, &secret);
        store_pending(store, &profile.id, &meta, &secret).unwrap();
        let id = meta.id.clone();
        record_pending(profile, meta, t(1)).unwrap();
        id
    }

    #[test]
    fn a_replaced_pending_credential_is_handed_back_for_deletion() {
        let store = MemoryStore::new();
        let mut profile = profile_with_token(&store);
        act(&mut profile, RotationAction::Advance);
        let first = create_pending(&mut profile, &store, "token-b-1111");
        let secret = Secret::new("token-c-2222");
        let meta = imported_pending_meta(&profile, &secret);
        assert_eq!(meta.label, "SCIM (rotated 2026-03-01)");
        assert_eq!(
            record_pending(&mut profile, meta, t(1)).unwrap(),
            Some(first.clone())
        );
        assert!(profile.credential(&first).is_none());
        assert_eq!(
            profile
                .credentials
                .iter()
                .filter(|c| c.state == CredentialState::Pending)
                .count(),
            1
        );
    }

    #[test]
    fn revoke_keeps_the_old_secret_when_the_new_one_is_missing() {
        let store = MemoryStore::new();
        let mut profile = profile_with_token(&store);
        act(&mut profile, RotationAction::Advance);
        let pending = create_pending(&mut profile, &store, "token-b-1111");
        while profile.rotation.as_ref().unwrap().step != RotationStep::Revoke {
            let state = profile.rotation.as_ref().unwrap();
            let action = match state.step {
                RotationStep::Test if !state.test_passed => {
                    RotationAction::TestResult { passed: true }
                }
                RotationStep::ConfirmEvent if state.event_confirmed_by.is_none() => {
                    RotationAction::ConfirmEvent(EventConfirmation::Admin {
                        note: String::new(),
                    })
                }
                _ => RotationAction::Advance,
            };
            act(&mut profile, action);
        }
        store.delete(&account("t-1", &pending)).unwrap();
        let before = profile.clone();
        assert!(matches!(
            revoke(&mut profile, &store, t(5)),
            Err(RotationIoError::PendingMissing { .. })
        ));
        assert_eq!(profile, before);
        assert!(store.get("t-1/scim-token-a").unwrap().is_some());

        store
            .put(&account("t-1", &pending), &Secret::new("token-b-1111"))
            .unwrap();
        let promotion = revoke(&mut profile, &store, t(5)).unwrap();
        assert_eq!(promotion.promoted_credential_id, pending);
        assert!(store.get("t-1/scim-token-a").unwrap().is_none());
        assert_eq!(
            profile.scim.token_credential.as_deref(),
            Some(pending.as_str())
        );
    }

    #[test]
    fn revoke_before_the_test_changes_nothing() {
        let store = MemoryStore::new();
        let mut profile = profile_with_token(&store);
        act(&mut profile, RotationAction::Advance);
        create_pending(&mut profile, &store, "token-b-1111");
        let before = profile.clone();
        assert!(matches!(
            revoke(&mut profile, &store, t(5)),
            Err(RotationIoError::Rule(_))
        ));
        assert_eq!(profile, before);
        assert!(store.get("t-1/scim-token-a").unwrap().is_some());
    }

    #[test]
    fn cancel_deletes_only_the_pending_secret() {
        let store = MemoryStore::new();
        let mut profile = Profile {
            platform: crate::model::PlatformId::Axonflow,
            ..profile_with_token(&MemoryStore::new())
        };
        profile.rotation = None;
        store
            .put("t-1/scim-token-a", &Secret::new("token-a-0000"))
            .unwrap();
        rotation::begin(
            &mut profile,
            crate::catalog::catalog(),
            "scim-token-a",
            RotationReason::Leaked,
            t(0),
        )
        .unwrap();
        act(&mut profile, RotationAction::Advance);
        let pending = create_pending(&mut profile, &store, "token-b-1111");
        cancel(&mut profile, &store, t(3)).unwrap();
        assert!(store.get(&account("t-1", &pending)).unwrap().is_none());
        assert!(store.get("t-1/scim-token-a").unwrap().is_some());
        assert!(profile.rotation.is_none());
        assert!(profile.credential(&pending).is_none());
        assert_eq!(
            profile.scim.token_credential.as_deref(),
            Some("scim-token-a")
        );
    }

    #[test]
    fn the_user_filter_is_escaped_and_appended_to_the_base_url() {
        let url = user_filter_url(
            "https://scim.example/v2/",
            "ann \"the\" admin@contoso.example",
        )
        .unwrap();
        assert_eq!(url.path(), "/v2/Users");
        let filter: Vec<_> = url.query_pairs().collect();
        assert_eq!(
            filter[0].1,
            r#"userName eq "ann \"the\" admin@contoso.example""#
        );
        assert!(user_filter_url("not a url", "x").is_err());
    }
}

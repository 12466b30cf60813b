//! Many tenants with many credentials, for the dashboard test and `examples/bench_scale.rs`
//! (included with `#[path]` by both).

use chrono::{DateTime, Utc};
use sso_scim_wizard::model::{
    CredentialKind, CredentialMeta, CredentialOrigin, CredentialState, IdpId, PlatformId,
};
use sso_scim_wizard::storage::{ProfileStore, StorageError};

/// Saves `profiles` tenants with `per_profile` SCIM tokens each, expiring from 30 days ago
/// to two years ahead in a scattered order; every 50th has no expiry.
pub fn seed(
    store: &ProfileStore,
    profiles: usize,
    per_profile: usize,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    for p in 0..profiles {
        let mut profile = store.create(
            &format!("Tenant {p:04}"),
            PlatformId::Generic,
            IdpId::Okta,
            now,
        )?;
        profile.credentials = (0..per_profile)
            .map(|c| {
                let n = p * per_profile + c;
                let days = i64::try_from((n * 7919) % 760).unwrap_or(0) - 30;
                CredentialMeta {
                    id: format!("scim-token-{n:06x}"),
                    kind: CredentialKind::ScimToken,
                    label: format!("token {n}"),
                    origin: CredentialOrigin::Generated,
                    created_at: now,
                    expires_at: (!n.is_multiple_of(50)).then(|| now + chrono::Duration::days(days)),
                    last4: format!("{:04}", n % 10_000),
                    last_verified_at: None,
                    state: CredentialState::Active,
                    session_only: false,
                }
            })
            .collect();
        store.save(&profile)?;
    }
    Ok(())
}

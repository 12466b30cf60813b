//! Seeds tenants for `scripts/bench`'s `check profile --all` figures: N generic tenants
//! wired to the local test peers (scripts/peers), each with its client secret and SCIM
//! token in the OS keyring, in `$SSO_SCIM_WIZARD_CONFIG_DIR`.
//!
//! `bench_tenants N` reads the peers from `SSW_OIDC_ISSUER`, `SSW_OIDC_CLIENT_ID`,
//! `SSW_OIDC_CLIENT_SECRET`, `SSW_SCIM_BASE_URL` and `SSW_SCIM_TOKEN`, and prints
//! `tenants=N`. Needs an unlocked Secret Service (scripts/bench runs one).

use std::io::Write as _;

use anyhow::Context as _;
use chrono::Utc;
use sso_scim_wizard::model::{
    CredentialKind, CredentialMeta, CredentialOrigin, CredentialState, IdpId, PlatformId,
};
use sso_scim_wizard::secrets::{KeyringStore, Secret, SecretStore as _, account};
use sso_scim_wizard::storage::ProfileStore;

fn var(name: &str) -> anyhow::Result<String> {
    std::env::var(name).with_context(|| format!("{name} is not set (start scripts/peers)"))
}

fn main() -> anyhow::Result<()> {
    let count: usize = std::env::args()
        .nth(1)
        .context("usage: bench_tenants N")?
        .parse()
        .context("N must be a number")?;
    let issuer = var("SSW_OIDC_ISSUER")?;
    let client_id = var("SSW_OIDC_CLIENT_ID")?;
    let client_secret = Secret::new(var("SSW_OIDC_CLIENT_SECRET")?);
    let base_url = var("SSW_SCIM_BASE_URL")?;
    let token = Secret::new(var("SSW_SCIM_TOKEN")?);
    let store = ProfileStore::from_env()?;
    let keyring = KeyringStore::open()?;
    let now = Utc::now();
    for n in 0..count {
        let mut profile = store.create(
            &format!("Bench tenant {n:03}"),
            PlatformId::Generic,
            IdpId::Generic,
            now,
        )?;
        profile.sso.issuer.clone_from(&issuer);
        profile.sso.issuer_edited = true;
        profile.sso.client_id.clone_from(&client_id);
        profile.scim.base_url.clone_from(&base_url);
        profile.scim.base_url_edited = true;
        for (id, kind, secret) in [
            (
                "client-secret-000001",
                CredentialKind::ClientSecret,
                &client_secret,
            ),
            ("scim-token-000001", CredentialKind::ScimToken, &token),
        ] {
            keyring.put(&account(&profile.id, id), secret)?;
            profile.credentials.push(CredentialMeta {
                id: id.to_owned(),
                kind,
                label: id.to_owned(),
                origin: CredentialOrigin::Imported,
                created_at: now,
                expires_at: None,
                last4: secret.last4(),
                last_verified_at: None,
                state: CredentialState::Active,
                session_only: false,
            });
        }
        profile.sso.client_secret_credential = Some("client-secret-000001".to_owned());
        profile.scim.token_credential = Some("scim-token-000001".to_owned());
        store.save(&profile)?;
    }
    writeln!(std::io::stdout().lock(), "tenants={count}")?;
    Ok(())
}

//! The rotation walkthrough end to end against the real SCIM server of `scripts/peers`:
//! token A is replaced by token B while the server is reconfigured through its tokens file
//! (re-read on every request), the pending token is proven with the SCIM checks, and the
//! old value is removed from a real Secret Service (`SSW_KEYRING=1`; without one the
//! tests use the in-memory store and say so).
//!
//! The tokens file is shared with other tests running at the same time: these tests only
//! add and remove their own random tokens, under a lock file, and never touch the others.

#![expect(
    clippy::disallowed_methods,
    reason = "the tests block on their own runtime, not on a frame"
)]
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed call is a failed test"
)]

use crate::scim_tokens;
use crate::support;
use scim_tokens::reconfigure;

use std::path::PathBuf;
use std::sync::Arc;

use chrono::Utc;
use sso_scim_wizard::diagnostics::{Report, Status};
use sso_scim_wizard::model::{
    CredentialKind, CredentialMeta, CredentialOrigin, CredentialState, PlatformId, Profile,
};
use sso_scim_wizard::probes::http::{Client, Policy, Request};
use sso_scim_wizard::probes::scim;
use sso_scim_wizard::rotation::{self as effects, Lookup, RotationIoError};
use sso_scim_wizard::secrets::{
    KeyringStore, MemoryStore, Secret, SecretStore, account, generate_token,
};
use sso_scim_wizard::storage::ProfileStore;
use sso_scim_wizard::wizard::rotation::{
    self, EventConfirmation, RotationAction, RotationError, RotationReason, RotationStep,
};

/// What the tests need from the peers, or `None` (skip) when they are not running.
struct Peers {
    base_url: String,
    tokens_file: PathBuf,
}

fn peers() -> Option<Peers> {
    let base_url = support::peer("SSW_SCIM_BASE_URL")?;
    let tokens_file = PathBuf::from(support::peer("SSW_SCIM_TOKENS_FILE")?);
    Some(Peers {
        base_url,
        tokens_file,
    })
}

/// The real Secret Service when the test command provides one, else memory.
fn secret_store() -> Arc<dyn SecretStore> {
    if support::require_keyring() {
        Arc::new(KeyringStore::open().expect("an unlocked Secret Service"))
    } else {
        #[expect(clippy::print_stderr, reason = "a test says which store it used")]
        {
            eprintln!("no Secret Service: rotating against the in-memory store instead");
        }
        Arc::new(MemoryStore::new())
    }
}

/// Removes the test's tokens and keyring entries even when an assertion failed.
struct Cleanup {
    tokens_file: PathBuf,
    tokens: Vec<Secret>,
    store: Arc<dyn SecretStore>,
    accounts: Vec<String>,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let tokens: Vec<&str> = self.tokens.iter().map(Secret::expose).collect();
        reconfigure(&self.tokens_file, &[], &tokens);
        for account in &self.accounts {
            let _ = self.store.delete(account);
        }
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn check(
    rt: &tokio::runtime::Runtime,
    base_url: &str,
    token: Secret,
    platform: PlatformId,
) -> Report {
    let input = scim::ScimInput::new(base_url, Some(token), platform);
    rt.block_on(scim::check(&input, Policy::default(), &|_| {}))
}

fn auth_status(report: &Report) -> Status {
    report.finding("scim.auth").map(|f| f.status).unwrap()
}

/// A unique profile id, so runs and parallel tests never share keyring accounts.
fn unique_id(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{prefix}-{}-{nanos:x}", std::process::id())
}

/// A tenant whose SCIM app uses token A, stored in `store`.
fn tenant(
    platform: PlatformId,
    base_url: &str,
    store: &dyn SecretStore,
    token_a: &Secret,
) -> Profile {
    let now = Utc::now();
    let mut profile = Profile::new(
        unique_id("ssw-rotation"),
        "Rotation test".into(),
        platform,
        sso_scim_wizard::model::IdpId::Entra,
        now,
    );
    base_url.clone_into(&mut profile.scim.base_url);
    let meta = CredentialMeta {
        id: "scim-token-a".into(),
        kind: CredentialKind::ScimToken,
        label: "SCIM token".into(),
        origin: CredentialOrigin::Imported,
        created_at: now,
        expires_at: None,
        last4: token_a.last4(),
        last_verified_at: None,
        state: CredentialState::Active,
        session_only: false,
    };
    store.put(&account(&profile.id, &meta.id), token_a).unwrap();
    profile.scim.token_credential = Some(meta.id.clone());
    profile.credentials.push(meta);
    profile
}

fn act(profile: &mut Profile, action: RotationAction) {
    let state = profile.rotation.as_ref().expect("a rotation in progress");
    let next = rotation::apply(state, action, Utc::now()).unwrap();
    profile.rotation = Some(next);
}

fn step_of(profile: &Profile) -> RotationStep {
    profile.rotation.as_ref().map(|r| r.step).unwrap()
}

/// Stores `secret` as the pending credential (Create step); returns its id.
fn create_pending(profile: &mut Profile, store: &dyn SecretStore, secret: &Secret) -> String {
    let state = profile.rotation.clone().unwrap();
    let meta = effects::pending_meta(
        profile,
        &state,
        secret,
        CredentialOrigin::Imported,
        None,
        Utc::now(),
    )
    .unwrap();
    effects::store_pending(store, &profile.id, &meta, secret).unwrap();
    let id = meta.id.clone();
    assert_eq!(
        effects::record_pending(profile, meta, Utc::now()).unwrap(),
        None
    );
    id
}

/// Runs the checks with the pending token read back from the store and records the result.
fn test_pending(
    rt: &tokio::runtime::Runtime,
    profile: &mut Profile,
    store: &dyn SecretStore,
) -> Report {
    let state = profile.rotation.clone().unwrap();
    let secret = effects::pending_secret(store, &profile.id, &state).unwrap();
    let report = check(rt, &profile.scim.base_url, secret, profile.platform);
    let passed = rotation::credential_test_passed(CredentialKind::ScimToken, &report);
    act(profile, RotationAction::TestResult { passed });
    report
}

/// What the IdP would do with the new token: create a user (returns its id).
fn provision_user(
    rt: &tokio::runtime::Runtime,
    base_url: &str,
    token: &Secret,
    user_name: &str,
) -> String {
    let client = Client::new(Policy::default()).unwrap();
    let url = sso_scim_wizard::probes::http::parse_url(&format!("{base_url}/Users")).unwrap();
    let body = serde_json::json!({
        "schemas": [scim::USER_SCHEMA],
        "userName": user_name,
        "active": true,
        "emails": [{"value": user_name, "primary": true}],
    });
    let request = Request::with_json(reqwest::Method::POST, url, &body, scim::SCIM_MEDIA_TYPE)
        .bearer(token.clone());
    let response = rt.block_on(client.send(request)).unwrap();
    assert_eq!(
        response.status.as_u16(),
        201,
        "{}",
        String::from_utf8_lossy(&response.body)
    );
    response.json().unwrap()["id"].as_str().unwrap().to_owned()
}

fn delete_user(rt: &tokio::runtime::Runtime, base_url: &str, token: &Secret, id: &str) {
    let client = Client::new(Policy::default()).unwrap();
    let url = sso_scim_wizard::probes::http::parse_url(&format!("{base_url}/Users/{id}")).unwrap();
    let mut request = Request::get(url).bearer(token.clone());
    request.method = reqwest::Method::DELETE;
    let _ = rt.block_on(client.send(request));
}

#[test]
#[expect(
    clippy::too_many_lines,
    reason = "one rotation told step by step reads best in one piece"
)]
fn rotate_a_to_b_with_overlap_proves_b_before_a_is_removed_from_the_keyring() {
    let Some(peers) = peers() else { return };
    let store = secret_store();
    let rt = runtime();
    let token_a = generate_token().unwrap();
    let token_b = generate_token().unwrap();
    reconfigure(&peers.tokens_file, &[token_a.expose()], &[]);
    // AxonFlow keeps several tokens, so old and new overlap.
    let mut profile = tenant(
        PlatformId::Axonflow,
        &peers.base_url,
        store.as_ref(),
        &token_a,
    );
    let old_account = account(&profile.id, "scim-token-a");
    let mut cleanup = Cleanup {
        tokens_file: peers.tokens_file.clone(),
        tokens: vec![token_a.clone(), token_b.clone()],
        store: Arc::clone(&store),
        accounts: vec![old_account.clone()],
    };
    assert_eq!(
        auth_status(&check(
            &rt,
            &peers.base_url,
            token_a.clone(),
            PlatformId::Axonflow
        )),
        Status::Pass
    );

    rotation::begin(
        &mut profile,
        sso_scim_wizard::catalog::catalog(),
        "scim-token-a",
        RotationReason::Expiring,
        Utc::now(),
    )
    .unwrap();
    assert!(!profile.rotation.as_ref().unwrap().single_active);
    act(&mut profile, RotationAction::Advance);
    assert_eq!(step_of(&profile), RotationStep::Create);
    let pending_id = create_pending(&mut profile, store.as_ref(), &token_b);
    cleanup.accounts.push(account(&profile.id, &pending_id));
    act(&mut profile, RotationAction::Advance);
    assert_eq!(step_of(&profile), RotationStep::PutInIdp);
    act(&mut profile, RotationAction::Advance);
    assert_eq!(step_of(&profile), RotationStep::Test);

    // The server does not know B yet: the test fails and nothing can be revoked.
    let report = test_pending(&rt, &mut profile, store.as_ref());
    assert_eq!(auth_status(&report), Status::Fail, "{}", report.to_text());
    assert!(matches!(
        effects::revoke(&mut profile, store.as_ref(), Utc::now()),
        Err(RotationIoError::Rule(RotationError::NotTested))
    ));
    assert!(store.get(&old_account).unwrap().is_some());

    // Closing the app here and opening it again: the profile file carries the rotation,
    // the keyring still holds the pending token.
    let dir = tempfile::tempdir().unwrap();
    let profiles = ProfileStore::at(dir.path());
    profiles.save(&profile).unwrap();
    let mut profile = profiles.load(&profile.id, Utc::now()).unwrap();
    assert_eq!(step_of(&profile), RotationStep::Test);
    assert_eq!(
        profile
            .rotation
            .as_ref()
            .unwrap()
            .pending_credential_id
            .as_deref(),
        Some(pending_id.as_str())
    );

    // The platform now accepts A and B.
    reconfigure(&peers.tokens_file, &[token_b.expose()], &[]);
    let report = test_pending(&rt, &mut profile, store.as_ref());
    assert_eq!(auth_status(&report), Status::Pass, "{}", report.to_text());
    assert!(profile.rotation.as_ref().unwrap().test_passed);
    act(&mut profile, RotationAction::Advance);
    assert_eq!(step_of(&profile), RotationStep::ConfirmEvent);

    // A real provisioning event with B, confirmed by looking the user up with B.
    let user_name = format!("{}@rotation.example.com", unique_id("pilot"));
    let user_id = provision_user(&rt, &peers.base_url, &token_b, &user_name);
    let state = profile.rotation.clone().unwrap();
    let pending = effects::pending_secret(store.as_ref(), &profile.id, &state).unwrap();
    let found = rt
        .block_on(effects::find_user(
            &peers.base_url,
            pending.clone(),
            &user_name.to_uppercase(),
            Policy::default(),
        ))
        .unwrap();
    let Lookup::Found {
        user_name: found_name,
        ..
    } = found
    else {
        panic!("the provisioned user was not found: {found:?}");
    };
    assert_eq!(
        rt.block_on(effects::find_user(
            &peers.base_url,
            pending,
            "nobody-here@rotation.example.com",
            Policy::default()
        ))
        .unwrap(),
        Lookup::NotFound
    );
    act(
        &mut profile,
        RotationAction::ConfirmEvent(EventConfirmation::ScimLookup {
            user_name: found_name,
        }),
    );
    act(&mut profile, RotationAction::Advance);
    assert_eq!(step_of(&profile), RotationStep::Revoke);

    // The admin revokes A in the platform; the wizard then removes it from the keyring.
    reconfigure(&peers.tokens_file, &[], &[token_a.expose()]);
    assert_eq!(
        auth_status(&check(
            &rt,
            &peers.base_url,
            token_a.clone(),
            PlatformId::Axonflow
        )),
        Status::Fail
    );
    let promotion = effects::revoke(&mut profile, store.as_ref(), Utc::now()).unwrap();
    assert_eq!(promotion.retired_credential_id, "scim-token-a");
    assert!(
        store.get(&old_account).unwrap().is_none(),
        "the old token is still in the keyring"
    );
    let promoted = store
        .get(&account(&profile.id, &pending_id))
        .unwrap()
        .expect("the new token in the keyring");
    assert_eq!(promoted.expose(), token_b.expose());
    assert!(profile.rotation.is_none());
    assert_eq!(
        profile.scim.token_credential.as_deref(),
        Some(pending_id.as_str())
    );
    assert_eq!(
        profile.credential(&pending_id).unwrap().state,
        CredentialState::Active
    );
    assert!(profile.credential("scim-token-a").is_none());
    let summary = &profile.history.last().unwrap().event;
    assert!(
        summary.contains("confirm-event") && summary.contains("found over SCIM"),
        "{summary}"
    );
    assert_eq!(
        auth_status(&check(&rt, &peers.base_url, promoted, PlatformId::Axonflow)),
        Status::Pass
    );
    delete_user(&rt, &peers.base_url, &token_b, &user_id);
}

#[test]
fn single_token_platform_tests_b_at_once_and_cleans_up_the_dead_a() {
    let Some(peers) = peers() else { return };
    let store = secret_store();
    let rt = runtime();
    let token_a = generate_token().unwrap();
    let token_b = generate_token().unwrap();
    reconfigure(&peers.tokens_file, &[token_a.expose()], &[]);
    let mut profile = tenant(
        PlatformId::AwsIamIdentityCenter,
        &peers.base_url,
        store.as_ref(),
        &token_a,
    );
    let old_account = account(&profile.id, "scim-token-a");
    let mut cleanup = Cleanup {
        tokens_file: peers.tokens_file.clone(),
        tokens: vec![token_a.clone(), token_b.clone()],
        store: Arc::clone(&store),
        accounts: vec![old_account.clone()],
    };
    rotation::begin(
        &mut profile,
        sso_scim_wizard::catalog::catalog(),
        "scim-token-a",
        RotationReason::Leaked,
        Utc::now(),
    )
    .unwrap();
    assert!(profile.rotation.as_ref().unwrap().single_active);
    act(&mut profile, RotationAction::Advance);

    // Regenerating in the platform: B replaces A there at once.
    reconfigure(&peers.tokens_file, &[token_b.expose()], &[token_a.expose()]);
    let pending_id = create_pending(&mut profile, store.as_ref(), &token_b);
    cleanup.accounts.push(account(&profile.id, &pending_id));
    assert!(matches!(
        rotation::apply(
            profile.rotation.as_ref().unwrap(),
            RotationAction::Cancel,
            Utc::now()
        ),
        Err(RotationError::CancelWouldLoseAccess)
    ));
    act(&mut profile, RotationAction::Advance);
    assert_eq!(
        step_of(&profile),
        RotationStep::Test,
        "tested straight after creating"
    );
    let report = test_pending(&rt, &mut profile, store.as_ref());
    assert_eq!(auth_status(&report), Status::Pass, "{}", report.to_text());
    assert_eq!(
        auth_status(&check(
            &rt,
            &peers.base_url,
            token_a.clone(),
            PlatformId::AwsIamIdentityCenter
        )),
        Status::Fail
    );
    act(&mut profile, RotationAction::Advance);
    assert_eq!(step_of(&profile), RotationStep::PutInIdp);
    act(&mut profile, RotationAction::Advance);
    act(
        &mut profile,
        RotationAction::ConfirmEvent(EventConfirmation::Admin {
            note: "user arrived in IAM Identity Center".into(),
        }),
    );
    act(&mut profile, RotationAction::Advance);
    assert_eq!(step_of(&profile), RotationStep::Revoke);

    effects::revoke(&mut profile, store.as_ref(), Utc::now()).unwrap();
    assert!(store.get(&old_account).unwrap().is_none());
    assert!(
        store
            .get(&account(&profile.id, &pending_id))
            .unwrap()
            .is_some()
    );
    assert_eq!(
        profile.scim.token_credential.as_deref(),
        Some(pending_id.as_str())
    );
    assert!(
        profile
            .history
            .last()
            .unwrap()
            .event
            .contains("single-token platform")
    );
}

#[test]
fn cancelling_removes_b_and_leaves_a_working() {
    let Some(peers) = peers() else { return };
    let store = secret_store();
    let rt = runtime();
    let token_a = generate_token().unwrap();
    let token_b = generate_token().unwrap();
    reconfigure(
        &peers.tokens_file,
        &[token_a.expose(), token_b.expose()],
        &[],
    );
    let mut profile = tenant(
        PlatformId::Axonflow,
        &peers.base_url,
        store.as_ref(),
        &token_a,
    );
    let old_account = account(&profile.id, "scim-token-a");
    let mut cleanup = Cleanup {
        tokens_file: peers.tokens_file.clone(),
        tokens: vec![token_a.clone(), token_b.clone()],
        store: Arc::clone(&store),
        accounts: vec![old_account.clone()],
    };
    rotation::begin(
        &mut profile,
        sso_scim_wizard::catalog::catalog(),
        "scim-token-a",
        RotationReason::Scheduled,
        Utc::now(),
    )
    .unwrap();
    act(&mut profile, RotationAction::Advance);
    let pending_id = create_pending(&mut profile, store.as_ref(), &token_b);
    let pending_account = account(&profile.id, &pending_id);
    cleanup.accounts.push(pending_account.clone());
    act(&mut profile, RotationAction::Advance);
    act(&mut profile, RotationAction::Advance);
    test_pending(&rt, &mut profile, store.as_ref());

    effects::cancel(&mut profile, store.as_ref(), Utc::now()).unwrap();
    assert!(
        store.get(&pending_account).unwrap().is_none(),
        "the pending token is still in the keyring"
    );
    let kept = store
        .get(&old_account)
        .unwrap()
        .expect("the current token is kept");
    assert_eq!(kept.expose(), token_a.expose());
    assert!(profile.rotation.is_none());
    assert!(profile.credential(&pending_id).is_none());
    assert_eq!(
        profile.scim.token_credential.as_deref(),
        Some("scim-token-a")
    );
    assert_eq!(
        auth_status(&check(&rt, &peers.base_url, kept, PlatformId::Axonflow)),
        Status::Pass
    );
}

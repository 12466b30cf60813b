//! The window reads the time from one clock per frame, and UI tests can set it: the
//! Credentials step's expiry badge at chosen moments, with no waiting and no dependence on
//! the day the test runs.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, TimeZone as _, Utc};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use sso_scim_wizard::model::{
    CredentialKind, CredentialMeta, CredentialOrigin, CredentialState, IdpId, PlatformId,
};
use sso_scim_wizard::secrets::credential::attach;
use sso_scim_wizard::secrets::{MemoryStore, SecretStore};
use sso_scim_wizard::storage::ProfileStore;
use sso_scim_wizard::ui::{Clock, Launch, WizardApp};
use sso_scim_wizard::wizard::StepId;

use crate::ui_support;
use ui_support::step_until;

#[test]
fn the_expiry_badge_follows_the_apps_clock_through_yellow_red_and_expired() {
    let tmp = tempfile::tempdir().unwrap();
    let store = ProfileStore::at(tmp.path());
    let created = Utc.with_ymd_and_hms(2031, 3, 1, 12, 0, 0).unwrap();
    let mut profile = store
        .create("Contoso", PlatformId::Airia, IdpId::Entra, created)
        .unwrap();
    let meta = CredentialMeta {
        id: "scim-1".to_owned(),
        kind: CredentialKind::ScimToken,
        label: String::new(),
        origin: CredentialOrigin::Imported,
        created_at: created,
        expires_at: Some(created + Duration::days(40)),
        last4: "wxyz".to_owned(),
        last_verified_at: None,
        state: CredentialState::Active,
        session_only: false,
    };
    attach(&mut profile, meta, created);
    store.save(&profile).unwrap();

    let now = Arc::new(Mutex::new(created));
    let read = Arc::clone(&now);
    let clock: Clock = Arc::new(move || *read.lock().unwrap());
    let secrets: Arc<dyn SecretStore> = Arc::new(MemoryStore::new());
    let launch = Launch {
        profile_id: Some(profile.id.clone()),
        step: Some(StepId::Credentials),
    };
    let app = WizardApp::new(store, secrets, None, &launch)
        .unwrap()
        .with_clock(clock);
    let mut h = Harness::builder()
        .with_size(egui::vec2(1300.0, 900.0))
        .build_ui_state(|ui, app: &mut WizardApp| app.ui(ui), app);

    let at = |h: &mut Harness<'_, WizardApp>, time: DateTime<Utc>, badge: &str| {
        *now.lock().unwrap() = time;
        step_until(h, badge, |h| h.query_by_label_contains(badge).is_some());
    };
    at(&mut h, created, "Valid · 40 d left");
    at(
        &mut h,
        created + Duration::days(15),
        "Expires soon · 25 d left",
    );
    at(
        &mut h,
        created + Duration::days(36),
        "Expires very soon · 4 d left",
    );
    at(&mut h, created + Duration::days(42), "Expired 2 d ago");
    assert_eq!(h.state().now(), created + Duration::days(42));
}

//! Fuzz seeds and kept crashes, replayed as ordinary tests: every file under
//! `fuzz/corpus/<target>/` and `fuzz/regressions/<target>/` goes through the driver the
//! fuzz target uses (`fuzz/src/lib.rs`, included here, not copied), so a crash found by
//! `scripts/fuzz` and kept stays fixed without `libFuzzer`. The tests below also pin that
//! the drivers reach the deep paths (a verified ID token, a loaded profile, a valid
//! catalog): a driver that stops early would fuzz nothing.

#[path = "../../fuzz/src/lib.rs"]
mod drivers;

use std::panic::catch_unwind;
use std::path::{Path, PathBuf};

use sso_scim_wizard::diagnostics::Status;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// The files of `fuzz/<kind>/<target>/`, sorted; none when the folder does not exist.
fn inputs(kind: &str, target: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(fuzz_dir().join(kind).join(target)) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

fn input(kind: &str, target: &str, name: &str) -> Vec<u8> {
    let path = fuzz_dir().join(kind).join(target).join(name);
    std::fs::read(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

#[test]
fn every_seed_and_kept_crash_runs_without_a_panic() {
    let mut panicked = Vec::new();
    for target in drivers::TARGETS {
        let seeds = inputs("corpus", target);
        assert!(!seeds.is_empty(), "no seeds in fuzz/corpus/{target}/");
        for path in seeds.iter().chain(&inputs("regressions", target)) {
            let data = std::fs::read(path).unwrap();
            match catch_unwind(|| drivers::drive(target, &data)) {
                Ok(known) => assert!(known, "no driver for {target}"),
                Err(_) => panicked.push(path.display().to_string()),
            }
        }
    }
    assert!(panicked.is_empty(), "panicked on: {panicked:#?}");
}

#[test]
fn every_fuzz_target_has_a_driver() {
    for entry in std::fs::read_dir(fuzz_dir().join("fuzz_targets")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        assert!(
            drivers::TARGETS.contains(&name.as_str()),
            "fuzz_targets/{name}.rs is not in TARGETS, so its seeds are never replayed"
        );
    }
}

#[test]
fn seed_discovery_document_reaches_every_document_check() {
    let findings = drivers::discovery(&input(
        "corpus",
        "discovery",
        "okta-custom-authorization-server.json",
    ));
    let ids: Vec<&str> = findings.iter().map(|f| f.id.as_str()).collect();
    for id in [
        "oidc.discovery_fetch",
        "oidc.https",
        "oidc.issuer_match",
        "oidc.required_metadata",
        "oidc.signing_algs",
        "oidc.scopes",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    assert_eq!(findings[0].status, Status::Pass, "{:?}", findings[0]);
}

#[test]
fn seed_jwks_passes_and_reaches_the_login_key_selection() {
    let outcome = drivers::jwks(&input("corpus", "jwks", "okta-rsa.json"));
    assert_eq!(
        outcome.finding.status,
        Status::Pass,
        "{:?}",
        outcome.finding
    );
    let login = outcome.login.expect("the seed is JSON");
    // The RS256 token names the key and gets as far as the signature check.
    let rs256 = login[0].as_ref().unwrap_err().to_string();
    assert!(rs256.contains("signature"), "{rs256}");
}

#[test]
fn seed_hs256_token_verifies_so_the_claim_checks_run() {
    let results = drivers::id_token(&input("corpus", "id_token", "hs256-valid-token.jwt"));
    let verified = results[0].as_ref().expect("the seed token verifies");
    assert_eq!(verified.algorithm, "HS256");
    assert_eq!(verified.claims["nonce"], drivers::NONCE);
}

#[test]
fn seed_claims_are_signed_and_verified_by_the_driver() {
    let results = drivers::id_token(&input("corpus", "id_token", "claims-entra.json"));
    // As a whole token the claims are not a JWT; as claims they verify.
    assert!(results[0].is_err());
    assert!(results[1].is_ok(), "{:?}", results[1]);
}

#[test]
fn seed_scim_bodies_reach_their_checks() {
    let list = drivers::scim_list(&input(
        "corpus",
        "scim_list",
        "entra-empty-filter-answer.json",
    ));
    assert!(list.iter().all(|f| f.status == Status::Pass), "{list:#?}");
    let errors = drivers::scim_error(&input("corpus", "scim_error", "not-found.json"));
    assert_eq!(errors[0].id, "scim.not_found_error");
    assert_eq!(errors[0].status, Status::Pass, "{:?}", errors[0]);
}

#[test]
fn seed_profile_loads_and_a_newer_schema_is_refused() {
    let profile = drivers::profile(&input("corpus", "profile", "rich.json")).unwrap();
    assert_eq!(profile.credentials.len(), 3);
    assert!(profile.rotation.is_some());
    assert!(matches!(
        drivers::profile(&input("corpus", "profile", "newer-schema.json")),
        Err(sso_scim_wizard::storage::ProfileParseError::Newer { .. })
    ));
}

#[test]
fn embedded_catalog_files_validate_through_the_driver() {
    for (slot, text) in [
        sso_scim_wizard::catalog::PLATFORMS_TOML,
        sso_scim_wizard::catalog::IDPS_TOML,
        sso_scim_wizard::catalog::TROUBLESHOOTING_TOML,
        sso_scim_wizard::catalog::CHECKLISTS_TOML,
    ]
    .into_iter()
    .enumerate()
    {
        let results = drivers::catalog(text.as_bytes());
        assert!(results[slot].is_ok(), "{:?}", results[slot].as_ref().err());
    }
}

/// Found while widening the profile driver: `ics::calendar` added a day to the last date
/// chrono can represent and panicked, so one hand-edited profile crashed the calendar
/// export. The event now has no DTEND, which means one day (RFC 5545 §3.6.1).
#[test]
fn expiry_on_the_last_representable_day_exports_a_one_day_event() {
    let profile = drivers::profile(&input(
        "regressions",
        "profile",
        "expiry-on-the-last-day-chrono-can-represent.json",
    ))
    .unwrap();
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-23T12:00:00Z")
        .unwrap()
        .to_utc();
    let due = sso_scim_wizard::expiry::due_list([&profile]);
    let calendar = sso_scim_wizard::export::ics::calendar(&due, now);
    assert_eq!(calendar.matches("BEGIN:VEVENT").count(), 1, "{calendar}");
    assert!(
        calendar.contains("DTSTART;VALUE=DATE:+2621421231"),
        "{calendar}"
    );
    assert!(!calendar.contains("DTEND"), "{calendar}");
}

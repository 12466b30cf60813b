//! Fuzz target: A JWK Set as `jwks_uri` serves it (`oidc.jwks` and the test login's key selection).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = sso_scim_wizard_fuzz::jwks(data);
});

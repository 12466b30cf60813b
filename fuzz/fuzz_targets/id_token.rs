//! Fuzz target: An ID token as the token endpoint returns it (the test login's header, signature and
//! claim checks).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = sso_scim_wizard_fuzz::id_token(data);
});

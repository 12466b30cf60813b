//! Fuzz target: A tenant profile file as the profile store loads it (JSON, `schema_version`, id).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = sso_scim_wizard_fuzz::profile(data);
});

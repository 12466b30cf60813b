//! Fuzz target: A catalog TOML file in each of the four slots (parse with the schema, then validate).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = sso_scim_wizard_fuzz::catalog(data);
});

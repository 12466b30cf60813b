//! Fuzz target: A SCIM ListResponse as `GET /Users` and `GET /Groups` return it.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = sso_scim_wizard_fuzz::scim_list(data);
});

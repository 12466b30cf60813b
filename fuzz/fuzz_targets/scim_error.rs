//! Fuzz target: A SCIM error body (RFC 7644 §3.12) under the statuses that carry one.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = sso_scim_wizard_fuzz::scim_error(data);
});

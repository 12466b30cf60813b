//! Fuzz target: An OpenID Connect discovery document as an IdP serves it (`oidc.discovery_fetch` and
//! every check that reads the document).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = sso_scim_wizard_fuzz::discovery(data);
});

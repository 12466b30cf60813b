//! The integration tests, one binary: each module is one former test file. Shared
//! helpers (tests/support) are compiled once here. UI tests (`egui_kittest`) need the
//! `gui` feature, which is on by default.

#[path = "../support/mod.rs"]
mod support;

#[path = "../support/saml/mod.rs"]
mod samldata;

#[path = "../support/hostile.rs"]
mod hostile;

#[cfg(feature = "gui")]
#[path = "../support/ui.rs"]
mod ui_support;

#[path = "../support/scim_tokens.rs"]
mod scim_tokens;

#[cfg(feature = "gui")]
#[path = "../support/seed.rs"]
mod seed;

mod cli_check_oidc;
#[cfg(feature = "gui")]
mod cli_check_profile;
mod cli_check_scim;
mod cli_expiry;
mod cli_review;
mod fuzz_regressions;
mod hostile_network;
mod keyring;
mod logging;
mod oidc_checks;
mod oidc_hostile;
mod oidc_login;
#[cfg(feature = "gui")]
mod packaging;
mod peers_smoke;
mod rotation;
mod saml_checks;
mod saml_profile;
#[cfg(feature = "gui")]
mod save_folder;
mod scim_checks;
mod scim_hostile;
mod scim_replay;
mod secret_sweep;
mod storage_kill;
#[cfg(feature = "gui")]
mod troubleshoot_coverage;
#[cfg(feature = "gui")]
mod ui_clock;
#[cfg(feature = "gui")]
mod ui_credentials;
#[cfg(feature = "gui")]
mod ui_dashboard;
#[cfg(feature = "gui")]
mod ui_keyboard;
#[cfg(feature = "gui")]
mod ui_replay;
#[cfg(feature = "gui")]
mod ui_review;
#[cfg(feature = "gui")]
mod ui_rotation;
#[cfg(feature = "gui")]
mod ui_saml;
#[cfg(feature = "gui")]
mod ui_scim;
#[cfg(feature = "gui")]
mod ui_sso;
#[cfg(feature = "gui")]
mod ui_tenant;
#[cfg(feature = "gui")]
mod words;

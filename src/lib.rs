//! sso-scim-wizard: connect a SaaS tenant to an identity provider.
//!
//! The core (`model`, `catalog`, `wizard`, `diagnostics`, `expiry`, `probes`, `secrets`,
//! `storage`, `export`) knows nothing of egui; `ui` and `cli` are two thin faces over it.
//! Modules depend downward only: `ui`/`cli` → `probes`, `secrets`, `storage`, `export` →
//! `wizard`, `diagnostics`, `expiry`, `catalog`, `model`. `ui` exists only with the `gui`
//! feature (on by default); without it the binary is the command line alone.

pub mod catalog;
pub mod checks;
pub mod diagnostics;
pub mod expiry;
pub mod export;
pub mod model;
pub mod probes;
pub mod rotation;
pub mod secrets;
pub mod storage;
pub mod wizard;

pub mod cli;
#[cfg(feature = "gui")]
pub mod ui;

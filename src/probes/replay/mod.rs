//! The provisioning replay: what Microsoft Entra ID, Okta and OneLogin really send to a
//! SCIM endpoint, sent in their order on uniquely named probe users and groups, each step
//! judged into a `scim.replay.<idp>.<step>` finding, with a clean-up that always runs.
//!
//! The requests are data ([`catalog`], `assets/replay/`); the engine ([`engine`]) sends
//! them through [`crate::probes::http`]. Only with the admin's consent (it writes).

pub mod catalog;
pub mod engine;

pub use catalog::{Idp, Phase, catalog};
pub use engine::{ReplayInput, ReplayPlan, replay};

//! Network checks: one HTTP client policy ([`http`]) and the OIDC, SCIM and SAML metadata
//! probes built on it. Probes turn every network outcome into [`crate::diagnostics::Finding`]s; they never
//! panic on what a server sends and never put a secret in a finding.

pub mod http;
pub mod login;
pub mod oidc;
pub mod replay;
pub mod saml;
pub mod scim;

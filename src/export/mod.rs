//! Files the admin takes elsewhere: the checklist for a change ticket ([`checklist`],
//! Markdown, print-ready HTML and plain text), the redacted support bundle ([`bundle`]),
//! the redaction both use ([`redact`]), the text rendering of troubleshooting matches ([`explain`]), and calendar reminders
//! for credential expiry ([`ics`]).
//!
//! Everything here is pure rendering from metadata: no network, no keyring, no clock
//! (`now` is a parameter). Nothing here ever sees a secret value, so nothing here can
//! write one.

pub mod bundle;
pub mod checklist;
pub mod explain;
pub mod ics;
pub mod redact;
pub mod save_dir;

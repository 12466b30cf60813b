//! Widgets shared by several steps.

pub mod calendar_export;
pub mod confirm;
pub mod expiry_badge;
pub mod findings;
pub mod secret_input;
pub mod secret_reveal;
pub mod store_task;
pub mod toasts;
pub mod walkthrough;

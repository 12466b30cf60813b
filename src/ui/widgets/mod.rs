//! Widgets shared by several steps.

pub mod toasts;

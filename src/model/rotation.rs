//! The saved state of a rotation in progress: plain serde data kept in the profile, so
//! closing the app mid-rotation and opening it again resumes at the same step. The rules
//! (which action is allowed when) live in `crate::wizard::rotation`; nothing here decides.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::CredentialKind;

/// One step of the rotation walkthrough.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RotationStep {
    /// Why and what: the credential, the platform's rule, the risks, the expected gap.
    Prepare,
    /// Generate or import the new credential; it is stored as pending.
    Create,
    /// Put the new credential where the other side reads it (the IdP's provisioning
    /// settings for a SCIM token, the platform's SSO settings for a client secret).
    PutInIdp,
    /// Run the checks with the pending credential.
    Test,
    /// A real provisioning event (or sign-in) went through with the new credential.
    ConfirmEvent,
    /// Revoke the old credential (or, on the single-token path, confirm it is dead).
    Revoke,
    /// Finished: the pending credential is now the active one.
    Done,
    /// Abandoned: the pending credential is removed, the current one untouched.
    Cancelled,
}

impl RotationStep {
    /// Short name for the step list.
    pub fn label(self, kind: CredentialKind, single_active: bool) -> &'static str {
        match self {
            Self::Prepare => "Prepare",
            Self::Create => "Create the new one",
            Self::PutInIdp => match kind {
                CredentialKind::ScimToken => "Put it in the IdP",
                CredentialKind::ClientSecret => "Put it in the platform",
            },
            Self::Test => "Test the new one",
            Self::ConfirmEvent => match kind {
                CredentialKind::ScimToken => "Confirm a provisioning event",
                CredentialKind::ClientSecret => "Confirm a sign-in",
            },
            Self::Revoke if single_active => "Clean up the old one",
            Self::Revoke => "Revoke the old one",
            Self::Done => "Done",
            Self::Cancelled => "Cancelled",
        }
    }

    /// True for [`Self::Done`] and [`Self::Cancelled`]: no action applies any more.
    pub fn is_finished(self) -> bool {
        matches!(self, Self::Done | Self::Cancelled)
    }
}

/// Why the admin rotates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RotationReason {
    /// It expires soon (the dashboard said so).
    #[default]
    Expiring,
    /// It was exposed (pasted in a ticket, a chat, a log).
    Leaked,
    /// Routine rotation on the admin's own schedule.
    Scheduled,
    /// It stopped working (401, quarantine) and is being replaced.
    Broken,
}

impl RotationReason {
    /// Every reason, in display order.
    pub const ALL: [Self; 4] = [Self::Expiring, Self::Leaked, Self::Scheduled, Self::Broken];

    /// Words for the reason picker and the history.
    pub fn label(self) -> &'static str {
        match self {
            Self::Expiring => "It expires soon",
            Self::Leaked => "It was exposed",
            Self::Scheduled => "Routine rotation",
            Self::Broken => "It stopped working",
        }
    }
}

/// How the admin confirmed that a real event went through with the new credential.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "by")]
pub enum EventConfirmation {
    /// The admin saw it arrive (IdP log, platform console, a sign-in), in their words.
    Admin {
        /// What they saw; may be empty.
        note: String,
    },
    /// The wizard found the user over SCIM with the new token.
    ScimLookup {
        /// The userName that was found.
        user_name: String,
    },
}

impl EventConfirmation {
    /// One line for the summary.
    pub fn describe(&self) -> String {
        match self {
            Self::Admin { note } if note.trim().is_empty() => "confirmed by the admin".to_owned(),
            Self::Admin { note } => format!("confirmed by the admin: {}", note.trim()),
            Self::ScimLookup { user_name } => {
                format!("user {user_name} found over SCIM with the new token")
            }
        }
    }
}

/// When the walkthrough entered a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepTime {
    /// The step entered.
    pub step: RotationStep,
    /// When.
    pub at: DateTime<Utc>,
}

/// A rotation in progress, saved in the profile after every step so a restart resumes
/// at the same step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotationState {
    /// The credential being replaced.
    pub credential_id: String,
    /// SCIM token or client secret.
    pub kind: CredentialKind,
    /// The new credential, once created (stored as pending in the keyring).
    #[serde(default)]
    pub pending_credential_id: Option<String>,
    /// The current step.
    pub step: RotationStep,
    /// When the rotation began.
    pub started_at: DateTime<Utc>,
    /// When each step was entered, in order (a step entered twice appears twice).
    #[serde(default)]
    pub step_times: Vec<StepTime>,
    /// The last check run with the pending credential passed.
    #[serde(default)]
    pub test_passed: bool,
    /// The admin went on without a passing test, and why.
    #[serde(default)]
    pub override_reason: Option<String>,
    /// How the real event was confirmed.
    #[serde(default)]
    pub event_confirmed_by: Option<EventConfirmation>,
    /// The platform keeps one token only: creating the new one invalidated the old.
    #[serde(default)]
    pub single_active: bool,
    /// Why the admin rotates.
    #[serde(default)]
    pub reason: RotationReason,
}

impl fmt::Display for RotationStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

impl RotationStep {
    /// A stable lower-case name (`put-in-idp`), for errors and the history.
    pub fn slug(self) -> &'static str {
        match self {
            Self::Prepare => "prepare",
            Self::Create => "create",
            Self::PutInIdp => "put-in-idp",
            Self::Test => "test",
            Self::ConfirmEvent => "confirm-event",
            Self::Revoke => "revoke",
            Self::Done => "done",
            Self::Cancelled => "cancelled",
        }
    }
}

/// Reads a saved rotation, or `None` when the value is missing, `null`, or not a rotation
/// this build understands (the field held untyped JSON before the walkthrough existed).
pub(crate) fn lenient<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<RotationState>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(deserializer)?;
    Ok(value.and_then(|value| serde_json::from_value(value).ok()))
}

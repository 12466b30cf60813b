//! The rotation walkthrough as a pure state machine: replacing a SCIM token or an OIDC
//! client secret without ever losing access (DESIGN.md, "Rotate a token or secret").
//!
//! This module owns the order of the steps, what each step needs before the admin may go
//! on, the rule that the old credential cannot be revoked before the new one is proven,
//! and what promoting or abandoning a rotation does to the profile's metadata. It does no
//! I/O and never reads the clock: the keyring side of promotion and cancellation lives in
//! `crate::ui::rotation` and calls [`promote`] and [`abandon`] here.
//!
//! Two paths exist. Where old and new can work side by side (`AxonFlow`, most client
//! secrets), the new credential goes into the IdP first, is tested, a real provisioning
//! event is confirmed, and only then the old one is revoked. Where the platform keeps a
//! single token (creating a new one invalidates the old: AWS IAM Identity Center,
//! Workspace 365, …) there is no overlap: the admin is warned up front, the new token is
//! tested straight after it is created, and the last step confirms the old one is already
//! dead and cleans it up.

use chrono::{DateTime, Utc};

use crate::catalog::Catalog;
use crate::diagnostics::{Report, Status};
pub use crate::model::rotation::{
    EventConfirmation, RotationReason, RotationState, RotationStep, StepTime,
};
use crate::model::{CredentialKind, CredentialMeta, CredentialState, HistoryEntry, IdpId, Profile};

/// How long an admin needs to paste a new credential into the other side when that page
/// is already open: the floor of every gap estimate.
pub const PASTE_MINUTES: u32 = 5;

/// The steps of a rotation in order. On the single-token path the test comes straight
/// after creating, because the old token is already dead and a bad new one must be found
/// before it is pasted anywhere.
pub fn path(single_active: bool) -> &'static [RotationStep] {
    use RotationStep::{ConfirmEvent, Create, Done, Prepare, PutInIdp, Revoke, Test};
    if single_active {
        &[Prepare, Create, Test, PutInIdp, ConfirmEvent, Revoke, Done]
    } else {
        &[Prepare, Create, PutInIdp, Test, ConfirmEvent, Revoke, Done]
    }
}

/// Something the admin does in the walkthrough.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RotationAction {
    /// Go on to the next step of the path, when the current one is complete.
    Advance,
    /// Go back one step (for example to create another credential after a failed test).
    Back,
    /// Change why the admin rotates (Prepare step).
    SetReason(RotationReason),
    /// The new credential was stored as pending under this id (Create step).
    PendingCreated {
        /// Its credential id.
        credential_id: String,
    },
    /// The checks ran with the pending credential.
    TestResult {
        /// True when the credential's own check passed.
        passed: bool,
    },
    /// Go on without a passing test; the reason is recorded.
    Override {
        /// Why, in the admin's words; must not be blank.
        reason: String,
    },
    /// A real event went through with the new credential.
    ConfirmEvent(EventConfirmation),
    /// Revoke (or clean up) the old credential and finish.
    Revoke,
    /// Abandon the rotation: remove the pending credential, keep the current one.
    Cancel,
}

/// Why an action was refused. The state it was applied to is unchanged.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RotationError {
    /// The action belongs to another step.
    #[error("“{action}” is not possible at the “{step}” step")]
    WrongStep {
        /// The action tried.
        action: &'static str,
        /// The step the rotation is at.
        step: &'static str,
    },
    /// Create the new credential first.
    #[error("create or import the new credential first")]
    NoPendingCredential,
    /// The test has neither passed nor been overridden.
    #[error(
        "the new credential has not passed its test; run the test again, or go on with a written reason"
    )]
    NotTested,
    /// An override needs a reason.
    #[error("write down why you are going on without a passing test")]
    EmptyReason,
    /// No real event was confirmed yet.
    #[error("confirm that a real event went through with the new credential first")]
    EventNotConfirmed,
    /// The rotation is over.
    #[error("this rotation is already finished")]
    Finished,
    /// There is no step before this one.
    #[error("this is the first step")]
    AtFirstStep,
    /// On the single-token path the old token is already dead once the new one exists.
    #[error(
        "the platform invalidated the old token when the new one was created, so cancelling would leave no working token; finish the rotation, or go back and create another token"
    )]
    CancelWouldLoseAccess,
    /// A rotation is already in progress for this profile.
    #[error("a rotation is already in progress for this tenant; finish or cancel it first")]
    AlreadyRotating,
    /// No such credential in the profile.
    #[error("no credential {credential_id:?} in this tenant")]
    UnknownCredential {
        /// The id asked for.
        credential_id: String,
    },
    /// Only an active credential can be rotated.
    #[error("credential {credential_id:?} is a pending one; rotate the active credential instead")]
    NotActive {
        /// The id asked for.
        credential_id: String,
    },
    /// The profile does not match the rotation (edited by hand, or a stale state).
    #[error(
        "the tenant's saved rotation does not match its credentials ({detail}); cancel the rotation and start again"
    )]
    Inconsistent {
        /// What does not match.
        detail: String,
    },
}

impl RotationAction {
    /// The one step at which the action is allowed, for the actions tied to one step.
    fn only_at(&self) -> Option<RotationStep> {
        match self {
            Self::SetReason(_) => Some(RotationStep::Prepare),
            Self::PendingCreated { .. } => Some(RotationStep::Create),
            Self::TestResult { .. } | Self::Override { .. } => Some(RotationStep::Test),
            Self::ConfirmEvent(_) => Some(RotationStep::ConfirmEvent),
            Self::Advance | Self::Back | Self::Revoke | Self::Cancel => None,
        }
    }

    fn name(&self) -> &'static str {
        match self {
            Self::Advance => "Next",
            Self::Back => "Back",
            Self::SetReason(_) => "Reason",
            Self::PendingCreated { .. } => "Create",
            Self::TestResult { .. } => "Test",
            Self::Override { .. } => "Override",
            Self::ConfirmEvent(_) => "Confirm",
            Self::Revoke => "Revoke",
            Self::Cancel => "Cancel",
        }
    }
}

impl RotationState {
    /// A new rotation of `credential`, at the Prepare step.
    pub fn new(
        credential: &CredentialMeta,
        single_active: bool,
        reason: RotationReason,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            credential_id: credential.id.clone(),
            kind: credential.kind,
            pending_credential_id: None,
            step: RotationStep::Prepare,
            started_at: now,
            step_times: vec![StepTime {
                step: RotationStep::Prepare,
                at: now,
            }],
            test_passed: false,
            override_reason: None,
            event_confirmed_by: None,
            single_active,
            reason,
        }
    }

    /// The steps of this rotation's path, in order.
    pub fn path(&self) -> &'static [RotationStep] {
        path(self.single_active)
    }

    /// The test passed, or the admin overrode it with a reason: the gate before revoking.
    pub fn test_cleared(&self) -> bool {
        self.test_passed
            || self
                .override_reason
                .as_deref()
                .is_some_and(|r| !r.trim().is_empty())
    }

    /// True once the old credential no longer works: always on the single-token path after
    /// the new one was created, otherwise only when done.
    pub fn old_is_dead(&self) -> bool {
        (self.single_active && self.pending_credential_id.is_some())
            || self.step == RotationStep::Done
    }

    /// Why the admin cannot go on from the current step yet; `None` when Next is allowed.
    pub fn blocker(&self) -> Option<RotationError> {
        match self.step {
            RotationStep::Prepare | RotationStep::PutInIdp => None,
            RotationStep::Create => self
                .pending_credential_id
                .is_none()
                .then_some(RotationError::NoPendingCredential),
            RotationStep::Test => (!self.test_cleared()).then_some(RotationError::NotTested),
            RotationStep::ConfirmEvent => self
                .event_confirmed_by
                .is_none()
                .then_some(RotationError::EventNotConfirmed),
            // Leaving the Revoke step is the Revoke action itself, never a plain Next.
            RotationStep::Revoke => Some(self.wrong_step(&RotationAction::Advance)),
            RotationStep::Done | RotationStep::Cancelled => Some(RotationError::Finished),
        }
    }

    /// Why the old credential cannot be revoked yet; `None` when it may be.
    pub fn revoke_blocker(&self) -> Option<RotationError> {
        if self.step.is_finished() {
            Some(RotationError::Finished)
        } else if self.pending_credential_id.is_none() {
            Some(RotationError::NoPendingCredential)
        } else if !self.test_cleared() {
            Some(RotationError::NotTested)
        } else if self.event_confirmed_by.is_none() {
            Some(RotationError::EventNotConfirmed)
        } else if self.step != RotationStep::Revoke {
            Some(self.wrong_step(&RotationAction::Revoke))
        } else {
            None
        }
    }

    fn wrong_step(&self, action: &RotationAction) -> RotationError {
        RotationError::WrongStep {
            action: action.name(),
            step: self.step.label(self.kind, self.single_active),
        }
    }

    fn index(&self) -> Option<usize> {
        self.path().iter().position(|s| *s == self.step)
    }

    fn enter(&mut self, step: RotationStep, now: DateTime<Utc>) {
        self.step = step;
        self.step_times.push(StepTime { step, at: now });
    }

    /// When the walkthrough last entered `step`.
    pub fn entered_at(&self, step: RotationStep) -> Option<DateTime<Utc>> {
        self.step_times
            .iter()
            .rev()
            .find(|t| t.step == step)
            .map(|t| t.at)
    }
}

/// Applies `action` to `state` at `now`: the new state, or why the action is refused
/// (then `state` is what it was).
pub fn apply(
    state: &RotationState,
    action: RotationAction,
    now: DateTime<Utc>,
) -> Result<RotationState, RotationError> {
    if state.step.is_finished() {
        return Err(RotationError::Finished);
    }
    if let Some(at) = action.only_at()
        && state.step != at
    {
        return Err(state.wrong_step(&action));
    }
    if matches!(
        action,
        RotationAction::TestResult { .. } | RotationAction::Override { .. }
    ) && state.pending_credential_id.is_none()
    {
        return Err(RotationError::NoPendingCredential);
    }
    let mut next = state.clone();
    match action {
        RotationAction::Advance => {
            if let Some(blocker) = state.blocker() {
                return Err(blocker);
            }
            let Some(following) = state.index().and_then(|i| state.path().get(i + 1)).copied()
            else {
                return Err(RotationError::Finished);
            };
            next.enter(following, now);
        }
        RotationAction::Back => {
            let Some(previous) = state
                .index()
                .and_then(|i| i.checked_sub(1))
                .map(|i| state.path()[i])
            else {
                return Err(RotationError::AtFirstStep);
            };
            next.enter(previous, now);
        }
        RotationAction::SetReason(reason) => {
            next.reason = reason;
        }
        RotationAction::PendingCreated { credential_id } => {
            // A new credential replaces an earlier pending one: whatever was proven about
            // the earlier one says nothing about this one.
            next.pending_credential_id = Some(credential_id);
            next.test_passed = false;
            next.override_reason = None;
            next.event_confirmed_by = None;
        }
        RotationAction::TestResult { passed } => {
            next.test_passed = passed;
        }
        RotationAction::Override { reason } => {
            let reason = reason.trim();
            if reason.is_empty() {
                return Err(RotationError::EmptyReason);
            }
            next.override_reason = Some(reason.to_owned());
        }
        RotationAction::ConfirmEvent(by) => {
            next.event_confirmed_by = Some(by);
        }
        RotationAction::Revoke => {
            if let Some(blocker) = state.revoke_blocker() {
                return Err(blocker);
            }
            next.enter(RotationStep::Done, now);
        }
        RotationAction::Cancel => {
            if state.single_active && state.pending_credential_id.is_some() {
                return Err(RotationError::CancelWouldLoseAccess);
            }
            next.enter(RotationStep::Cancelled, now);
        }
    }
    Ok(next)
}

/// Starts a rotation of `credential_id` in `profile`, or says why it cannot start.
pub fn start(
    profile: &Profile,
    credential_id: &str,
    single_active: bool,
    reason: RotationReason,
    now: DateTime<Utc>,
) -> Result<RotationState, RotationError> {
    if profile.rotation.is_some() {
        return Err(RotationError::AlreadyRotating);
    }
    let credential =
        profile
            .credential(credential_id)
            .ok_or_else(|| RotationError::UnknownCredential {
                credential_id: credential_id.to_owned(),
            })?;
    if credential.state != CredentialState::Active {
        return Err(RotationError::NotActive {
            credential_id: credential_id.to_owned(),
        });
    }
    Ok(RotationState::new(credential, single_active, reason, now))
}

/// Starts a rotation of `credential_id` and saves it in the profile, with the platform's
/// (or IdP's) rule from the catalog deciding the path.
pub fn begin(
    profile: &mut Profile,
    catalog: &Catalog,
    credential_id: &str,
    reason: RotationReason,
    now: DateTime<Utc>,
) -> Result<(), RotationError> {
    let kind = profile
        .credential(credential_id)
        .map(|c| c.kind)
        .ok_or_else(|| RotationError::UnknownCredential {
            credential_id: credential_id.to_owned(),
        })?;
    let single = single_active(
        kind,
        catalog.platform(profile.platform).scim.single_active_token,
        profile.idp,
    );
    let state = start(profile, credential_id, single, reason, now)?;
    profile.rotation = Some(state);
    Ok(())
}

/// Whether a credential of `kind` can only exist once, so creating a new one ends the old:
/// for a SCIM token the platform's rule (`single_active_token`); for a client secret the
/// IdP's, where only `OneLogin` is known to replace the secret at once (its rotation steps
/// say so); Entra and Okta keep two secrets side by side.
pub fn single_active(kind: CredentialKind, platform_single_token: bool, idp: IdpId) -> bool {
    match kind {
        CredentialKind::ScimToken => platform_single_token,
        // TODO(rotation): move this into assets/idps.toml as a per-IdP flag.
        CredentialKind::ClientSecret => idp == IdpId::Onelogin,
    }
}

/// How long provisioning (or sign-in) may be interrupted when old and new cannot overlap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GapEstimate {
    /// With the IdP page open and a restart or on-demand push right after pasting.
    pub best_minutes: u32,
    /// When the change waits for the IdP's next cycle and the platform's own processing.
    pub worst_minutes: u32,
}

/// The expected window without provisioning (SCIM token) or without sign-in (client
/// secret) on the single-token path; `None` when old and new overlap, so there is none.
///
/// A SCIM change made while the IdP still holds the dead token fails and waits for the
/// IdP's next cycle (Entra: about 40 minutes), then for the platform's own processing
/// (Airia: every 10 minutes). Unknown intervals count as zero, so the estimate is a floor.
pub fn provisioning_gap(
    kind: CredentialKind,
    single_active: bool,
    idp_sync_interval_minutes: Option<u32>,
    platform_sync_interval_minutes: Option<u32>,
) -> Option<GapEstimate> {
    if !single_active {
        return None;
    }
    let worst = match kind {
        CredentialKind::ScimToken => PASTE_MINUTES
            .saturating_add(idp_sync_interval_minutes.unwrap_or(0))
            .saturating_add(platform_sync_interval_minutes.unwrap_or(0)),
        // Sign-in resumes the moment the platform holds the new secret.
        CredentialKind::ClientSecret => PASTE_MINUTES,
    };
    Some(GapEstimate {
        best_minutes: PASTE_MINUTES,
        worst_minutes: worst,
    })
}

/// The check whose result decides whether the pending credential works: `scim.auth` for
/// a SCIM token, `oidc.client_auth` for a client secret.
pub fn deciding_check(kind: CredentialKind) -> &'static str {
    match kind {
        CredentialKind::ScimToken => "scim.auth",
        CredentialKind::ClientSecret => "oidc.client_auth",
    }
}

/// True when the report shows the pending credential works: its deciding check passed.
/// Other findings (a slow server, a missing content type) are shown but do not block.
pub fn credential_test_passed(kind: CredentialKind, report: &Report) -> bool {
    report
        .finding(deciding_check(kind))
        .is_some_and(|f| f.status == Status::Pass)
}

/// What the I/O layer must delete from the keyring after [`promote`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Promotion {
    /// The old credential's id: its secret is deleted.
    pub retired_credential_id: String,
    /// The new active credential's id.
    pub promoted_credential_id: String,
}

/// After the Revoke action (state at Done): the pending credential becomes active and
/// takes the old one's place in the SSO or SCIM app, the old metadata is removed, the
/// history gets a summary, and the rotation is cleared. The keyring is the caller's job
/// (delete the retired secret first; see `crate::ui::rotation`).
pub fn promote(
    profile: &mut Profile,
    state: &RotationState,
    now: DateTime<Utc>,
) -> Result<Promotion, RotationError> {
    if state.step != RotationStep::Done {
        return Err(state
            .revoke_blocker()
            .unwrap_or(RotationError::Inconsistent {
                detail: format!("the rotation is at {}, not done", state.step),
            }));
    }
    let pending_id = state
        .pending_credential_id
        .clone()
        .ok_or(RotationError::NoPendingCredential)?;
    if profile.credential(&pending_id).is_none() {
        return Err(RotationError::Inconsistent {
            detail: format!("the new credential {pending_id:?} is missing"),
        });
    }
    for credential in &mut profile.credentials {
        if credential.id == pending_id {
            credential.state = CredentialState::Active;
            credential.last_verified_at = if state.test_passed {
                state.entered_at(RotationStep::Test).or(Some(now))
            } else {
                credential.last_verified_at
            };
        }
    }
    profile.credentials.retain(|c| c.id != state.credential_id);
    let slot = match state.kind {
        CredentialKind::ScimToken => &mut profile.scim.token_credential,
        CredentialKind::ClientSecret => &mut profile.sso.client_secret_credential,
    };
    if slot.is_none() || slot.as_deref() == Some(state.credential_id.as_str()) {
        *slot = Some(pending_id.clone());
    }
    profile.history.push(HistoryEntry {
        at: now,
        event: summary(state),
    });
    profile.rotation = None;
    Ok(Promotion {
        retired_credential_id: state.credential_id.clone(),
        promoted_credential_id: pending_id,
    })
}

/// After the Cancel action (state at Cancelled): the pending credential's metadata is
/// removed, the current one is untouched, the history notes it, and the rotation is
/// cleared. Returns the pending id whose secret the caller deletes from the keyring.
pub fn abandon(
    profile: &mut Profile,
    state: &RotationState,
    now: DateTime<Utc>,
) -> Result<Option<String>, RotationError> {
    if state.step != RotationStep::Cancelled {
        return Err(RotationError::Inconsistent {
            detail: format!("the rotation is at {}, not cancelled", state.step),
        });
    }
    let pending = state.pending_credential_id.clone();
    if let Some(pending_id) = &pending {
        profile
            .credentials
            .retain(|c| !(c.id == *pending_id && c.state == CredentialState::Pending));
    }
    profile.history.push(HistoryEntry {
        at: now,
        event: format!(
            "Rotation of {} {} cancelled; the current one was kept",
            state.kind.label(),
            state.credential_id
        ),
    });
    profile.rotation = None;
    Ok(pending)
}

/// The history line of a finished rotation: what was replaced, why, and when each step
/// was reached.
pub fn summary(state: &RotationState) -> String {
    use std::fmt::Write as _;
    let mut out = format!(
        "Rotated {} {} → {} ({})",
        state.kind.label(),
        state.credential_id,
        state.pending_credential_id.as_deref().unwrap_or("?"),
        state.reason.label().to_lowercase(),
    );
    if state.single_active {
        out.push_str("; single-token platform, no overlap");
    }
    for time in &state.step_times {
        let _ = write!(
            out,
            "; {} {}",
            time.step.slug(),
            time.at.format("%Y-%m-%d %H:%M:%S UTC")
        );
    }
    match &state.override_reason {
        Some(reason) if !state.test_passed => {
            let _ = write!(out, "; test overridden: {reason}");
        }
        _ => out.push_str("; test passed"),
    }
    if let Some(by) = &state.event_confirmed_by {
        let _ = write!(out, "; event {}", by.describe());
    }
    out
}

/// A rotation left half done, in words for the tenant list and the step rail ("SCIM token
/// rotation in progress: Put it in the IdP"); `None` when none is under way (#14).
pub fn in_progress_words(profile: &Profile) -> Option<String> {
    let state = profile
        .rotation
        .as_ref()
        .filter(|r| !r.step.is_finished())?;
    Some(format!(
        "{} rotation in progress: {}",
        state.kind.label(),
        state.step.label(state.kind, state.single_active)
    ))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;
    use crate::diagnostics::{Finding, ReportKind};
    use crate::model::CredentialOrigin;

    fn t(minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 9, minute, 0).unwrap()
    }

    fn credential(id: &str, kind: CredentialKind, state: CredentialState) -> CredentialMeta {
        CredentialMeta {
            id: id.to_owned(),
            kind,
            label: String::new(),
            origin: CredentialOrigin::Imported,
            created_at: t(0),
            expires_at: None,
            last4: "abcd".to_owned(),
            last_verified_at: None,
            state,
            session_only: false,
        }
    }

    fn fresh(single_active: bool) -> RotationState {
        RotationState::new(
            &credential("old", CredentialKind::ScimToken, CredentialState::Active),
            single_active,
            RotationReason::Expiring,
            t(0),
        )
    }

    fn step(state: &RotationState, action: RotationAction) -> RotationState {
        apply(state, action, t(1)).unwrap()
    }

    /// Every step of the multi-token path before Done, in order.
    const STEPS: [RotationStep; 6] = [
        RotationStep::Prepare,
        RotationStep::Create,
        RotationStep::PutInIdp,
        RotationStep::Test,
        RotationStep::ConfirmEvent,
        RotationStep::Revoke,
    ];

    /// [`STEPS`] without `skip`.
    fn steps_but(skip: RotationStep) -> impl Iterator<Item = RotationStep> {
        STEPS.into_iter().filter(move |s| *s != skip)
    }

    /// Next from `state` is refused with `expected`.
    fn assert_next_refused(state: &RotationState, expected: RotationError) {
        assert_eq!(apply(state, RotationAction::Advance, t(2)), Err(expected));
    }

    /// Next from `state` leads to `expected`.
    fn assert_next(state: &RotationState, expected: RotationStep) {
        assert_eq!(step(state, RotationAction::Advance).step, expected);
    }

    /// Walks a rotation to `target` the allowed way.
    fn walk_to(single_active: bool, target: RotationStep) -> RotationState {
        let mut state = fresh(single_active);
        while state.step != target {
            let action = match state.step {
                RotationStep::Create if state.pending_credential_id.is_none() => {
                    RotationAction::PendingCreated {
                        credential_id: "new".into(),
                    }
                }
                RotationStep::Test if !state.test_cleared() => {
                    RotationAction::TestResult { passed: true }
                }
                RotationStep::ConfirmEvent if state.event_confirmed_by.is_none() => {
                    RotationAction::ConfirmEvent(EventConfirmation::Admin {
                        note: String::new(),
                    })
                }
                RotationStep::Revoke => RotationAction::Revoke,
                _ => RotationAction::Advance,
            };
            state = step(&state, action);
        }
        state
    }

    #[test]
    fn the_overlap_path_puts_it_in_the_idp_before_testing() {
        assert_eq!(
            path(false),
            [
                RotationStep::Prepare,
                RotationStep::Create,
                RotationStep::PutInIdp,
                RotationStep::Test,
                RotationStep::ConfirmEvent,
                RotationStep::Revoke,
                RotationStep::Done
            ]
        );
        let done = walk_to(false, RotationStep::Done);
        let entered: Vec<_> = done.step_times.iter().map(|t| t.step).collect();
        assert_eq!(entered, path(false));
    }

    #[test]
    fn the_single_token_path_tests_straight_after_creating() {
        let state = walk_to(true, RotationStep::Create);
        let state = step(
            &state,
            RotationAction::PendingCreated {
                credential_id: "new".into(),
            },
        );
        let state = step(&state, RotationAction::Advance);
        assert_eq!(state.step, RotationStep::Test);
        assert!(state.old_is_dead());
        let done = walk_to(true, RotationStep::Done);
        assert_eq!(
            done.step_times.iter().map(|t| t.step).collect::<Vec<_>>(),
            path(true)
        );
        assert_eq!(
            RotationStep::Revoke.label(CredentialKind::ScimToken, true),
            "Clean up the old one"
        );
    }

    #[test]
    fn create_needs_a_pending_credential_before_next() {
        let state = walk_to(false, RotationStep::Create);
        assert_next_refused(&state, RotationError::NoPendingCredential);
        let state = step(
            &state,
            RotationAction::PendingCreated {
                credential_id: "new".into(),
            },
        );
        assert_next(&state, RotationStep::PutInIdp);
    }

    #[test]
    fn pending_created_only_at_the_create_step() {
        for at in steps_but(RotationStep::Create) {
            assert_wrong_step(
                at,
                RotationAction::PendingCreated {
                    credential_id: "x".into(),
                },
            );
        }
    }

    /// `action` at `at` (on the multi-token path) is refused as the wrong step.
    fn assert_wrong_step(at: RotationStep, action: RotationAction) {
        let state = walk_to(false, at);
        let result = apply(&state, action, t(2));
        assert!(
            matches!(result, Err(RotationError::WrongStep { .. })),
            "{at:?}: {result:?}"
        );
    }

    #[test]
    fn a_second_new_credential_resets_what_was_proven() {
        let tested = walk_to(true, RotationStep::PutInIdp);
        assert!(tested.test_passed);
        let back = step(&step(&tested, RotationAction::Back), RotationAction::Back);
        assert_eq!(back.step, RotationStep::Create);
        let replaced = step(
            &back,
            RotationAction::PendingCreated {
                credential_id: "newer".into(),
            },
        );
        assert_eq!(replaced.pending_credential_id.as_deref(), Some("newer"));
        assert!(!replaced.test_passed);
        assert!(replaced.override_reason.is_none());
    }

    #[test]
    fn test_step_blocks_until_passed_or_overridden() {
        let state = walk_to(false, RotationStep::Test);
        assert_next_refused(&state, RotationError::NotTested);
        let failed = step(&state, RotationAction::TestResult { passed: false });
        assert_next_refused(&failed, RotationError::NotTested);
        let passed = step(&failed, RotationAction::TestResult { passed: true });
        assert_next(&passed, RotationStep::ConfirmEvent);
        // A later failing run takes the pass back.
        let failed_again = step(&passed, RotationAction::TestResult { passed: false });
        assert!(!failed_again.test_cleared());
    }

    #[test]
    fn override_needs_a_reason_and_is_recorded() {
        let state = walk_to(false, RotationStep::Test);
        assert_eq!(
            apply(
                &state,
                RotationAction::Override {
                    reason: "  \n ".into()
                },
                t(2)
            ),
            Err(RotationError::EmptyReason)
        );
        let overridden = step(
            &state,
            RotationAction::Override {
                reason: " the platform blocks our IP range ".into(),
            },
        );
        assert_eq!(
            overridden.override_reason.as_deref(),
            Some("the platform blocks our IP range")
        );
        assert!(overridden.test_cleared());
        assert_next(&overridden, RotationStep::ConfirmEvent);
    }

    #[test]
    fn test_result_and_override_only_at_the_test_step() {
        for at in steps_but(RotationStep::Test) {
            let state = walk_to(false, at);
            assert!(matches!(
                apply(&state, RotationAction::TestResult { passed: true }, t(2)),
                Err(RotationError::WrongStep { .. })
            ));
            assert!(matches!(
                apply(
                    &state,
                    RotationAction::Override {
                        reason: "why".into()
                    },
                    t(2)
                ),
                Err(RotationError::WrongStep { .. })
            ));
        }
    }

    #[test]
    fn confirm_event_step_blocks_until_confirmed() {
        let state = walk_to(false, RotationStep::ConfirmEvent);
        assert_next_refused(&state, RotationError::EventNotConfirmed);
        let confirmed = step(
            &state,
            RotationAction::ConfirmEvent(EventConfirmation::ScimLookup {
                user_name: "pilot@contoso.example".into(),
            }),
        );
        assert_next(&confirmed, RotationStep::Revoke);
        for at in steps_but(RotationStep::ConfirmEvent) {
            assert_wrong_step(
                at,
                RotationAction::ConfirmEvent(EventConfirmation::Admin {
                    note: String::new(),
                }),
            );
        }
    }

    #[test]
    fn revoke_is_refused_before_the_test_passed_or_was_overridden() {
        // Every step before Revoke on both paths: refused.
        for single_active in [false, true] {
            for at in steps_but(RotationStep::Revoke) {
                let state = walk_to(single_active, at);
                assert!(
                    apply(&state, RotationAction::Revoke, t(2)).is_err(),
                    "{at:?} single={single_active}"
                );
            }
        }
        // Even a state that reached Revoke (an old or hand-edited file) without a test is refused.
        let mut forged = walk_to(false, RotationStep::Revoke);
        forged.test_passed = false;
        forged.override_reason = None;
        assert_eq!(
            apply(&forged, RotationAction::Revoke, t(2)),
            Err(RotationError::NotTested)
        );
        forged.override_reason = Some("   ".into());
        assert_eq!(
            apply(&forged, RotationAction::Revoke, t(2)),
            Err(RotationError::NotTested)
        );
        forged.override_reason = Some("vendor confirmed by phone".into());
        assert_eq!(
            step(&forged, RotationAction::Revoke).step,
            RotationStep::Done
        );
        let mut unconfirmed = walk_to(false, RotationStep::Revoke);
        unconfirmed.event_confirmed_by = None;
        assert_eq!(
            apply(&unconfirmed, RotationAction::Revoke, t(2)),
            Err(RotationError::EventNotConfirmed)
        );
    }

    #[test]
    fn revoke_finishes_and_advance_cannot_skip_it() {
        let state = walk_to(false, RotationStep::Revoke);
        assert!(matches!(
            apply(&state, RotationAction::Advance, t(2)),
            Err(RotationError::WrongStep { .. })
        ));
        let done = apply(&state, RotationAction::Revoke, t(9)).unwrap();
        assert_eq!(done.step, RotationStep::Done);
        assert_eq!(done.entered_at(RotationStep::Done), Some(t(9)));
    }

    #[test]
    fn nothing_applies_after_done_or_cancelled() {
        let done = walk_to(false, RotationStep::Done);
        let cancelled = step(&fresh(false), RotationAction::Cancel);
        for state in [done, cancelled] {
            for action in [
                RotationAction::Advance,
                RotationAction::Back,
                RotationAction::Revoke,
                RotationAction::Cancel,
                RotationAction::TestResult { passed: true },
            ] {
                assert_eq!(apply(&state, action, t(3)), Err(RotationError::Finished));
            }
        }
    }

    #[test]
    fn back_walks_the_path_and_stops_at_prepare() {
        assert_eq!(
            apply(&fresh(false), RotationAction::Back, t(1)),
            Err(RotationError::AtFirstStep)
        );
        let state = walk_to(false, RotationStep::Revoke);
        let back = step(&state, RotationAction::Back);
        assert_eq!(back.step, RotationStep::ConfirmEvent);
        // Going back keeps what was proven.
        assert!(back.test_passed && back.event_confirmed_by.is_some());
    }

    #[test]
    fn cancel_is_allowed_at_every_step_of_the_overlap_path() {
        for at in STEPS {
            let state = walk_to(false, at);
            let cancelled = apply(&state, RotationAction::Cancel, t(5)).unwrap();
            assert_eq!(cancelled.step, RotationStep::Cancelled, "{at:?}");
            assert_eq!(cancelled.credential_id, "old");
        }
    }

    #[test]
    fn cancel_on_the_single_token_path_is_refused_once_the_new_token_exists() {
        for at in [RotationStep::Prepare, RotationStep::Create] {
            let state = walk_to(true, at);
            assert_eq!(
                apply(&state, RotationAction::Cancel, t(5)).unwrap().step,
                RotationStep::Cancelled
            );
        }
        for at in [
            RotationStep::Test,
            RotationStep::PutInIdp,
            RotationStep::ConfirmEvent,
            RotationStep::Revoke,
        ] {
            let state = walk_to(true, at);
            assert_eq!(
                apply(&state, RotationAction::Cancel, t(5)),
                Err(RotationError::CancelWouldLoseAccess),
                "{at:?}"
            );
        }
    }

    #[test]
    fn resume_after_restart_lands_on_the_same_step() {
        for single_active in [false, true] {
            for &at in path(single_active) {
                let state = walk_to(single_active, at);
                let profile = Profile {
                    id: "t-1".into(),
                    rotation: Some(state.clone()),
                    ..Profile::default()
                };
                let json = serde_json::to_string(&profile).unwrap();
                let back: Profile = serde_json::from_str(&json).unwrap();
                assert_eq!(back.rotation.as_ref(), Some(&state));
                assert_eq!(back.rotation.unwrap().step, at);
            }
        }
    }

    #[test]
    fn a_profile_without_rotation_or_with_an_unknown_old_value_still_loads() {
        let none: Profile = serde_json::from_str(r#"{"schema_version":1,"id":"t-1"}"#).unwrap();
        assert!(none.rotation.is_none());
        let null: Profile =
            serde_json::from_str(r#"{"schema_version":1,"id":"t-1","rotation":null}"#).unwrap();
        assert!(null.rotation.is_none());
        // The field was an untyped placeholder before; whatever an old build wrote there is
        // dropped rather than making the whole profile unreadable.
        let odd: Profile =
            serde_json::from_str(r#"{"schema_version":1,"id":"t-1","rotation":{"step":3}}"#)
                .unwrap();
        assert!(odd.rotation.is_none());
        assert_eq!(odd.id, "t-1");
    }

    #[test]
    fn start_refuses_unknown_pending_and_second_rotations() {
        let mut profile = Profile::default();
        profile.credentials.push(credential(
            "old",
            CredentialKind::ScimToken,
            CredentialState::Active,
        ));
        profile.credentials.push(credential(
            "p",
            CredentialKind::ScimToken,
            CredentialState::Pending,
        ));
        assert!(matches!(
            start(&profile, "nope", false, RotationReason::Leaked, t(0)),
            Err(RotationError::UnknownCredential { .. })
        ));
        assert!(matches!(
            start(&profile, "p", false, RotationReason::Leaked, t(0)),
            Err(RotationError::NotActive { .. })
        ));
        let state = start(&profile, "old", true, RotationReason::Leaked, t(0)).unwrap();
        assert_eq!(
            (state.step, state.single_active, state.reason),
            (RotationStep::Prepare, true, RotationReason::Leaked)
        );
        profile.rotation = Some(state);
        assert_eq!(
            start(&profile, "old", true, RotationReason::Leaked, t(0)),
            Err(RotationError::AlreadyRotating)
        );
    }

    #[test]
    fn the_reason_can_change_only_while_preparing() {
        let state = step(
            &fresh(false),
            RotationAction::SetReason(RotationReason::Leaked),
        );
        assert_eq!(state.reason, RotationReason::Leaked);
        let later = walk_to(false, RotationStep::Create);
        assert!(matches!(
            apply(
                &later,
                RotationAction::SetReason(RotationReason::Broken),
                t(2)
            ),
            Err(RotationError::WrongStep { .. })
        ));
    }

    #[test]
    fn begin_takes_the_path_from_the_catalog() {
        let catalog = crate::catalog::catalog();
        for (platform, single) in [
            (crate::model::PlatformId::AwsIamIdentityCenter, true),
            (crate::model::PlatformId::Axonflow, false),
        ] {
            let mut profile = Profile {
                platform,
                ..Profile::default()
            };
            profile.credentials.push(credential(
                "old",
                CredentialKind::ScimToken,
                CredentialState::Active,
            ));
            begin(&mut profile, catalog, "old", RotationReason::Expiring, t(0)).unwrap();
            assert_eq!(
                profile.rotation.as_ref().map(|r| r.single_active),
                Some(single),
                "{platform}"
            );
        }
        let mut profile = Profile::default();
        assert!(matches!(
            begin(&mut profile, catalog, "old", RotationReason::Expiring, t(0)),
            Err(RotationError::UnknownCredential { .. })
        ));
    }

    #[test]
    fn gap_exists_only_without_overlap_and_adds_the_sync_cycles() {
        assert_eq!(
            provisioning_gap(CredentialKind::ScimToken, false, Some(40), Some(10)),
            None
        );
        // Entra (about 40 minutes) in front of Airia (10-minute processing).
        assert_eq!(
            provisioning_gap(CredentialKind::ScimToken, true, Some(40), Some(10)),
            Some(GapEstimate {
                best_minutes: PASTE_MINUTES,
                worst_minutes: PASTE_MINUTES + 50
            })
        );
        assert_eq!(
            provisioning_gap(CredentialKind::ScimToken, true, None, None),
            Some(GapEstimate {
                best_minutes: PASTE_MINUTES,
                worst_minutes: PASTE_MINUTES
            })
        );
        assert_eq!(
            provisioning_gap(CredentialKind::ClientSecret, true, Some(40), Some(10))
                .map(|g| g.worst_minutes),
            Some(PASTE_MINUTES)
        );
    }

    #[test]
    fn single_active_follows_the_platform_for_tokens_and_the_idp_for_secrets() {
        assert!(single_active(CredentialKind::ScimToken, true, IdpId::Entra));
        assert!(!single_active(
            CredentialKind::ScimToken,
            false,
            IdpId::Onelogin
        ));
        assert!(!single_active(
            CredentialKind::ClientSecret,
            true,
            IdpId::Entra
        ));
        assert!(single_active(
            CredentialKind::ClientSecret,
            false,
            IdpId::Onelogin
        ));
    }

    #[test]
    fn the_deciding_check_must_pass() {
        let report = |status| {
            Report::new(
                ReportKind::Scim,
                "https://scim.example/v2",
                vec![
                    Finding::fail("scim.content_type", "text/json", "fix"),
                    Finding::new("scim.auth", status, ""),
                ],
            )
        };
        assert!(credential_test_passed(
            CredentialKind::ScimToken,
            &report(Status::Pass)
        ));
        assert!(!credential_test_passed(
            CredentialKind::ScimToken,
            &report(Status::Fail)
        ));
        assert!(!credential_test_passed(
            CredentialKind::ScimToken,
            &report(Status::Skip)
        ));
        assert!(!credential_test_passed(
            CredentialKind::ClientSecret,
            &report(Status::Pass)
        ));
    }

    fn rotating_profile(kind: CredentialKind) -> Profile {
        let mut profile = Profile {
            id: "t-1".into(),
            ..Profile::default()
        };
        profile
            .credentials
            .push(credential("old", kind, CredentialState::Active));
        profile
            .credentials
            .push(credential("new", kind, CredentialState::Pending));
        profile.credentials.push(credential(
            "other",
            CredentialKind::ClientSecret,
            CredentialState::Active,
        ));
        profile.scim.token_credential = Some("old".into());
        profile.sso.client_secret_credential = Some("other".into());
        profile
    }

    #[test]
    fn promote_swaps_the_credential_and_writes_a_timed_summary() {
        let mut profile = rotating_profile(CredentialKind::ScimToken);
        let state = walk_to(false, RotationStep::Done);
        profile.rotation = Some(state.clone());
        let promotion = promote(&mut profile, &state, t(30)).unwrap();
        assert_eq!(
            promotion,
            Promotion {
                retired_credential_id: "old".into(),
                promoted_credential_id: "new".into()
            }
        );
        assert!(profile.credential("old").is_none());
        assert_eq!(
            profile.credential("new").unwrap().state,
            CredentialState::Active
        );
        assert!(
            profile
                .credential("new")
                .unwrap()
                .last_verified_at
                .is_some()
        );
        assert_eq!(profile.scim.token_credential.as_deref(), Some("new"));
        assert_eq!(
            profile.sso.client_secret_credential.as_deref(),
            Some("other")
        );
        assert!(profile.rotation.is_none());
        let event = &profile.history.last().unwrap().event;
        for slug in [
            "prepare",
            "create",
            "put-in-idp",
            "test",
            "confirm-event",
            "revoke",
            "done",
            "test passed",
        ] {
            assert!(event.contains(slug), "{slug} missing from {event}");
        }
    }

    #[test]
    fn promote_of_a_client_secret_updates_the_sso_app() {
        let mut profile = rotating_profile(CredentialKind::ClientSecret);
        profile.sso.client_secret_credential = Some("old".into());
        let mut state = walk_to(false, RotationStep::Done);
        state.kind = CredentialKind::ClientSecret;
        promote(&mut profile, &state, t(30)).unwrap();
        assert_eq!(profile.sso.client_secret_credential.as_deref(), Some("new"));
        assert_eq!(profile.scim.token_credential.as_deref(), Some("old"));
    }

    #[test]
    fn promote_refuses_an_unfinished_rotation() {
        let mut profile = rotating_profile(CredentialKind::ScimToken);
        let state = walk_to(false, RotationStep::Revoke);
        let before = profile.clone();
        assert!(promote(&mut profile, &state, t(30)).is_err());
        assert_eq!(profile, before);
    }

    #[test]
    fn abandon_removes_only_the_pending_credential() {
        let mut profile = rotating_profile(CredentialKind::ScimToken);
        let state = step(&walk_to(false, RotationStep::Test), RotationAction::Cancel);
        profile.rotation = Some(state.clone());
        assert_eq!(
            abandon(&mut profile, &state, t(30)).unwrap().as_deref(),
            Some("new")
        );
        assert!(profile.credential("new").is_none());
        assert_eq!(
            profile.credential("old").unwrap().state,
            CredentialState::Active
        );
        assert_eq!(profile.scim.token_credential.as_deref(), Some("old"));
        assert!(profile.rotation.is_none());
        assert!(profile.history.last().unwrap().event.contains("cancelled"));
        let early = step(&fresh(false), RotationAction::Cancel);
        assert_eq!(
            abandon(
                &mut rotating_profile(CredentialKind::ScimToken),
                &early,
                t(30)
            )
            .unwrap(),
            None
        );
        assert!(abandon(&mut profile, &walk_to(false, RotationStep::Test), t(30)).is_err());
    }

    #[test]
    fn the_summary_names_an_override() {
        let mut state = walk_to(false, RotationStep::Test);
        state = step(
            &state,
            RotationAction::Override {
                reason: "checks cannot reach the platform".into(),
            },
        );
        let state = walk_to_done_from(state);
        assert!(summary(&state).contains("test overridden: checks cannot reach the platform"));
    }

    fn walk_to_done_from(mut state: RotationState) -> RotationState {
        state = step(&state, RotationAction::Advance);
        state = step(
            &state,
            RotationAction::ConfirmEvent(EventConfirmation::Admin {
                note: "saw it".into(),
            }),
        );
        state = step(&state, RotationAction::Advance);
        step(&state, RotationAction::Revoke)
    }

    #[test]
    fn a_half_done_rotation_is_named_with_its_step() {
        let mut profile = Profile::new(
            "acme-1".into(),
            "Acme".into(),
            crate::model::PlatformId::Generic,
            IdpId::Entra,
            t(0),
        );
        assert_eq!(in_progress_words(&profile), None);
        profile.credentials.push(credential(
            "old",
            CredentialKind::ScimToken,
            CredentialState::Active,
        ));
        profile.scim.token_credential = Some("old".into());
        let catalog = crate::catalog::catalog();
        begin(&mut profile, catalog, "old", RotationReason::Expiring, t(1)).unwrap();
        let words = in_progress_words(&profile).unwrap();
        assert!(
            words.starts_with("SCIM token rotation in progress: "),
            "{words}"
        );
        profile.rotation.as_mut().unwrap().step = RotationStep::Cancelled;
        assert_eq!(in_progress_words(&profile), None);
    }
}

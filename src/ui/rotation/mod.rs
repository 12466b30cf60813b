//! The rotation walkthrough screen: draws the state machine of `crate::wizard::rotation`
//! for the rotation saved in the open profile, one step at a time, and turns the admin's
//! clicks into its actions. The shell shows this screen instead of the current wizard
//! step while the open profile has a rotation in progress.
//!
//! Keyring calls and checks run on the app's runtime ([`Task`]); their I/O is in
//! [`effects`]. What is allowed when is never decided here: the screen asks the core
//! (`blocker`, `revoke_blocker`) and disables buttons accordingly.

/// The I/O side lives in the core ([`crate::rotation`]); the name stays for this screen.
pub use crate::rotation as effects;

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::catalog::{Catalog, WalkStep};
use crate::diagnostics::Report;
use crate::model::{CredentialKind, CredentialOrigin, Profile};
use crate::probes::http::Policy;
use crate::probes::{oidc, scim};
use crate::secrets::credential::{self, Issuance};
use crate::secrets::{Secret, generate_token, masked};
use crate::ui::steps::StepEnv;
use crate::ui::task::Task;
use crate::ui::theme::Tokens;
use crate::ui::widgets::expiry_badge;
use crate::ui::widgets::secret_input::SecretInput;
use crate::ui::widgets::secret_reveal::SecretReveal;
use crate::ui::widgets::walkthrough;
use crate::wizard::rotation::{
    self, EventConfirmation, RotationAction, RotationReason, RotationState, RotationStep,
};

use effects::Lookup;

/// What the shell should do after a frame of the rotation screen.
#[derive(Debug, Default, PartialEq, Eq)]
pub enum RotationOutcome {
    /// Nothing.
    #[default]
    Stay,
    /// The rotation moved to another step (or ended): write the profile now.
    Flush,
    /// The admin wants the wizard back; the rotation stays saved.
    Hide,
}

/// Which keyring change is running.
enum Finishing {
    /// Revoking: the state after the Revoke action, promoted once the old secret is gone.
    Revoke(RotationState),
    /// Cancelling: the state after the Cancel action.
    Cancel(RotationState),
}

/// The screen's own state: raw input and running tasks. The rotation itself lives in the
/// profile, so it survives a restart; everything here may be lost.
#[derive(Default)]
pub struct RotationScreen {
    import_text: SecretInput,
    expires_text: String,
    store_task: Task<Result<(crate::model::CredentialMeta, Option<Secret>), String>>,
    reveal: SecretReveal,
    cleanup_task: Task<Result<(), String>>,
    test_task: Task<Result<Report, String>>,
    report: Option<Report>,
    override_text: String,
    lookup_user: String,
    lookup_task: Task<Result<Lookup, String>>,
    lookup_result: Option<Result<Lookup, String>>,
    event_note: String,
    finish_task: Task<Result<(), String>>,
    finishing: Option<Finishing>,
    confirm_cancel: bool,
    error: Option<String>,
    finished: Option<Finished>,
    /// "Copy the new token again": the pending value from the keyring to the clipboard.
    copy_again: Task<Result<(), String>>,
    copy_again_result: Option<Result<(), String>>,
}

/// The end of a rotation, shown until the admin closes it.
struct Finished {
    title: String,
    text: String,
    state: RotationState,
}

impl std::fmt::Debug for RotationScreen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RotationScreen")
            .field("finished", &self.finished.is_some())
            .finish_non_exhaustive()
    }
}

/// A "Rotate…" button for a credential of `profile`; true when clicked. Disabled, with
/// the reason on hover, when a rotation cannot start (a pending credential, or another
/// rotation in progress). Start the rotation with [`begin_ui`] once `env` is mutable.
pub fn rotate_button(
    ui: &mut egui::Ui,
    profile: &Profile,
    credential_id: &str,
    now: DateTime<Utc>,
) -> bool {
    rotate_button_labelled(ui, profile, credential_id, now, "Rotate…")
}

/// [`rotate_button`] with another label: the SSO and SCIM apps' "Replace…", which leads
/// into the rotation walkthrough rather than swapping the working credential out (#14).
pub fn rotate_button_labelled(
    ui: &mut egui::Ui,
    profile: &Profile,
    credential_id: &str,
    now: DateTime<Utc>,
    label: &str,
) -> bool {
    let blocker = rotation::start(
        profile,
        credential_id,
        false,
        RotationReason::default(),
        now,
    )
    .err();
    let response = ui.add_enabled(blocker.is_none(), egui::Button::new(label));
    match &blocker {
        Some(why) => response.on_disabled_hover_text(why.to_string()).clicked(),
        None => response
            .on_hover_text("Replace it step by step without losing access")
            .clicked(),
    }
}

/// Starts rotating `credential_id` of the open profile; the shell then shows the
/// walkthrough in place of the step. A refusal is shown as a toast.
pub fn begin_ui(ui: &egui::Ui, env: &mut StepEnv<'_>, credential_id: &str) {
    if let Err(err) = rotation::begin(
        env.profile,
        env.catalog,
        credential_id,
        RotationReason::default(),
        env.now,
    ) {
        env.toasts.show(err.to_string(), ui.ctx().input(|i| i.time));
    }
}

impl RotationScreen {
    /// True while the screen has something to show for `profile`: a rotation in progress,
    /// or the summary of one that just ended.
    pub fn is_open(&self, profile: &Profile) -> bool {
        profile.rotation.is_some() || self.finished.is_some() || self.finishing.is_some()
    }

    /// Draws the screen. Asks for the profile to be written whenever the rotation changed
    /// this frame, so a restart resumes exactly where the admin was.
    pub fn ui(&mut self, ui: &mut egui::Ui, env: &mut StepEnv<'_>) -> RotationOutcome {
        let before = env.profile.rotation.clone();
        let outcome = self.content_ui(ui, env);
        if outcome == RotationOutcome::Stay && env.profile.rotation != before {
            RotationOutcome::Flush
        } else {
            outcome
        }
    }

    fn content_ui(&mut self, ui: &mut egui::Ui, env: &mut StepEnv<'_>) -> RotationOutcome {
        self.poll_tasks(ui.ctx(), env);
        let mut outcome = RotationOutcome::Stay;
        if let Some(finished) = &self.finished {
            finished_ui(ui, finished);
            ui.add_space(8.0);
            if ui.button("Close").clicked() {
                self.finished = None;
                outcome = RotationOutcome::Hide;
            }
            return outcome;
        }
        let Some(state) = env.profile.rotation.clone() else {
            return RotationOutcome::Hide;
        };
        header_ui(ui, env, &state);
        ui.separator();
        match state.step {
            RotationStep::Prepare => self.prepare_ui(ui, env, &state),
            RotationStep::Create => self.create_ui(ui, env, &state),
            RotationStep::PutInIdp => {
                put_in_place_ui(ui, env, &state);
                self.copy_again_ui(ui, env, &state);
            }
            RotationStep::Test => self.test_ui(ui, env, &state),
            RotationStep::ConfirmEvent => self.confirm_event_ui(ui, env, &state),
            RotationStep::Revoke => revoke_instructions_ui(ui, env, &state),
            RotationStep::Done | RotationStep::Cancelled => {}
        }
        if let Some(error) = &self.error {
            ui.add_space(6.0);
            ui.colored_label(Tokens::ui(ui).bad, error);
        }
        ui.add_space(10.0);
        ui.separator();
        if self.footer_ui(ui, env, &state) {
            outcome = RotationOutcome::Hide;
        }
        self.cancel_dialog_ui(ui.ctx(), env);
        outcome
    }

    /// Drops the one-time value (the shell calls this when the screen is left).
    pub fn on_leave(&mut self) {
        self.reveal.dismiss();
    }

    /// True while a new value is on screen and not yet copied: leaving now loses it.
    pub fn is_revealing(&self) -> bool {
        self.reveal.is_showing()
    }

    fn act(&mut self, env: &mut StepEnv<'_>, action: RotationAction) {
        let Some(state) = env.profile.rotation.as_ref() else {
            return;
        };
        match rotation::apply(state, action, env.now) {
            Ok(next) => {
                env.profile.rotation = Some(next);
                self.error = None;
            }
            Err(err) => self.error = Some(err.to_string()),
        }
    }

    fn poll_tasks(&mut self, ctx: &egui::Context, env: &mut StepEnv<'_>) {
        self.poll_store(ctx, env);
        self.poll_checks(env);
        self.poll_finish(env);
    }

    fn poll_store(&mut self, ctx: &egui::Context, env: &mut StepEnv<'_>) {
        self.store_task.poll();
        if let Some(result) = self.store_task.take() {
            match result {
                Ok((meta, reveal)) => {
                    let what = meta.kind.label();
                    match effects::record_pending(env.profile, meta, env.now) {
                        Ok(replaced) => {
                            self.reveal = match reveal {
                                Some(secret) => SecretReveal::once(secret, what),
                                None => SecretReveal::default(),
                            };
                            self.report = None;
                            self.error = None;
                            if let Some(old_pending) = replaced {
                                let store = Arc::clone(env.secrets);
                                let profile_id = env.profile.id.clone();
                                self.cleanup_task = Task::spawn(env.runtime, ctx, async move {
                                    blocking(move || {
                                        effects::discard_pending(
                                            store.as_ref(),
                                            &profile_id,
                                            Some(&old_pending),
                                        )
                                        .map_err(|err| err.to_string())
                                    })
                                    .await
                                });
                            }
                        }
                        Err(err) => self.error = Some(err.to_string()),
                    }
                }
                Err(err) => self.error = Some(err),
            }
        }
        self.cleanup_task.poll();
        if let Some(Err(err)) = self.cleanup_task.take() {
            self.error = Some(format!(
                "the earlier new credential could not be removed from the keyring: {err}"
            ));
        }
    }

    fn poll_checks(&mut self, env: &mut StepEnv<'_>) {
        self.test_task.poll();
        if let Some(result) = self.test_task.take() {
            match result {
                Ok(report) => {
                    if let Some(state) = env.profile.rotation.as_ref() {
                        let passed = rotation::credential_test_passed(state.kind, &report);
                        if passed
                            && let Some(pending) = state.pending_credential_id.as_deref()
                            && let Some(meta) =
                                env.profile.credentials.iter_mut().find(|c| c.id == pending)
                        {
                            meta.last_verified_at = Some(env.now);
                        }
                        self.act(env, RotationAction::TestResult { passed });
                    }
                    self.report = Some(report);
                }
                Err(err) => self.error = Some(err),
            }
        }
        self.lookup_task.poll();
        if let Some(result) = self.lookup_task.take() {
            if let Ok(Lookup::Found { user_name, .. }) = &result {
                let user_name = user_name.clone();
                self.act(
                    env,
                    RotationAction::ConfirmEvent(EventConfirmation::ScimLookup { user_name }),
                );
            }
            self.lookup_result = Some(result);
        }
    }

    fn poll_finish(&mut self, env: &mut StepEnv<'_>) {
        self.finish_task.poll();
        if let Some(result) = self.finish_task.take() {
            let finishing = self.finishing.take();
            match (result, finishing) {
                (Ok(()), Some(Finishing::Revoke(done))) => {
                    match rotation::promote(env.profile, &done, env.now) {
                        Ok(_) => {
                            self.finished = Some(Finished {
                                title: "Rotation finished".to_owned(),
                                text: format!(
                                    "The new {} is now the one in use, and the old one was removed from this computer's keyring. This summary is saved in the tenant's history",
                                    done.kind.label()
                                ),
                                state: done,
                            });
                            self.reveal.dismiss();
                        }
                        Err(err) => self.error = Some(err.to_string()),
                    }
                }
                (Ok(()), Some(Finishing::Cancel(cancelled))) => {
                    match rotation::abandon(env.profile, &cancelled, env.now) {
                        Ok(_) => {
                            self.finished = Some(Finished {
                                title: "Rotation cancelled".to_owned(),
                                text: format!(
                                    "The current {} is untouched and still in use; the new one was removed from this computer's keyring",
                                    cancelled.kind.label()
                                ),
                                state: cancelled,
                            });
                            self.reveal.dismiss();
                        }
                        Err(err) => self.error = Some(err.to_string()),
                    }
                }
                (Err(err), _) => self.error = Some(err),
                (Ok(()), None) => {}
            }
        }
    }

    fn prepare_ui(&mut self, ui: &mut egui::Ui, env: &mut StepEnv<'_>, state: &RotationState) {
        let tokens = Tokens::ui(ui);
        let platform = env.catalog.platform(env.profile.platform);
        let idp = env.catalog.idp(env.profile.idp);
        if let Some(credential) = env.profile.credential(&state.credential_id) {
            ui.horizontal(|ui| {
                ui.label(format!("Current {}:", credential.kind.label()));
                ui.monospace(masked(&credential.last4));
                expiry_badge::ui(ui, credential.expires_at, env.now);
            });
        }
        ui.add_space(6.0);
        ui.label("Why are you rotating it?");
        let mut reason = state.reason;
        ui.horizontal_wrapped(|ui| {
            for choice in RotationReason::ALL {
                ui.radio_value(&mut reason, choice, choice.label());
            }
        });
        if reason != state.reason {
            self.act(env, RotationAction::SetReason(reason));
        }
        ui.add_space(6.0);
        ui.strong(format!(
            "What {} does",
            rule_owner(env.catalog, env.profile, state.kind)
        ));
        match state.kind {
            CredentialKind::ScimToken => ui.label(&platform.scim.rotation_note),
            CredentialKind::ClientSecret => ui.label(&idp.secret_lifetime_note),
        };
        ui.add_space(6.0);
        if state.single_active {
            ui.colored_label(tokens.warn, single_active_warning(state.kind));
        } else {
            ui.label(
                "Old and new can work side by side, so nothing stops while you switch: the old one is revoked only after the new one is proven",
            );
        }
        ui.add_space(6.0);
        ui.strong("If it goes wrong");
        ui.label(match state.kind {
            CredentialKind::ScimToken => {
                "Provisioning stops without anyone noticing: new joiners get no account, leavers keep theirs, group changes do not arrive. Sign-in keeps working, which is why the outage is easy to miss"
            }
            CredentialKind::ClientSecret => {
                "Nobody can sign in through SSO until the platform has a working secret; keep your break-glass admin account at hand"
            }
        });
        if state.kind == CredentialKind::ScimToken && !idp.quarantine.is_empty() {
            ui.label(format!("{}: {}", idp.name, idp.quarantine));
        }
        let gap = rotation::provisioning_gap(
            state.kind,
            state.single_active,
            idp.sync_interval_minutes,
            platform.scim.sync_interval_minutes,
        );
        if let Some(gap) = gap {
            ui.add_space(6.0);
            ui.colored_label(
                tokens.warn,
                match state.kind {
                    CredentialKind::ScimToken => format!(
                        "Expect {} without provisioning: from creating the new token until the IdP's next successful cycle after you paste it",
                        minutes_range(gap.best_minutes, gap.worst_minutes)
                    ),
                    CredentialKind::ClientSecret => format!(
                        "Expect about {} minutes in which sign-in fails: from creating the new secret until the platform has it",
                        gap.best_minutes
                    ),
                },
            );
        }
    }

    fn create_ui(&mut self, ui: &mut egui::Ui, env: &mut StepEnv<'_>, state: &RotationState) {
        let tokens = Tokens::ui(ui);
        let platform = env.catalog.platform(env.profile.platform);
        let idp = env.catalog.idp(env.profile.idp);
        if state.single_active {
            ui.colored_label(tokens.warn, single_active_warning(state.kind));
            ui.add_space(4.0);
        }
        let steps: Vec<&WalkStep> = match state.kind {
            CredentialKind::ScimToken => platform.scim.token_steps.iter().collect(),
            CredentialKind::ClientSecret => idp
                .rotate_secret_steps
                .iter()
                .filter(|s| {
                    s.copy_back
                        .contains(&crate::catalog::WizardField::ClientSecret)
                })
                .collect(),
        };
        walk_steps_ui(ui, env, &steps);
        ui.add_space(6.0);

        if let Some(pending) = state
            .pending_credential_id
            .as_deref()
            .and_then(|id| env.profile.credential(id))
        {
            ui.horizontal(|ui| {
                ui.colored_label(tokens.good, "✔ New one stored in the keyring as pending:");
                ui.monospace(masked(&pending.last4));
            });
        }
        self.reveal_ui(ui, env);
        if state.pending_credential_id.is_some() {
            ui.add_space(6.0);
            ui.collapsing("Replace it with another…", |ui| {
                self.new_value_ui(ui, env, state);
            });
        } else {
            self.new_value_ui(ui, env, state);
        }
    }

    /// The expiry field and the generate button or import field.
    fn new_value_ui(&mut self, ui: &mut egui::Ui, env: &mut StepEnv<'_>, state: &RotationState) {
        let tokens = Tokens::ui(ui);
        let platform = env.catalog.platform(env.profile.platform);
        let idp = env.catalog.idp(env.profile.idp);
        let issuance = credential::issuance(state.kind, platform, idp);
        let busy = self.store_task.is_running();
        let expires_label = ui.label("Expires on (YYYY-MM-DD; empty for the usual lifetime)");
        ui.add(egui::TextEdit::singleline(&mut self.expires_text).desired_width(160.0))
            .labelled_by(expires_label.id);
        let preset = credential::preset_lifetime_days(state.kind, platform, idp);
        let expires_at = if self.expires_text.trim().is_empty() {
            Ok(credential::resolve_expiry(
                credential::ExpiryChoice::Preset,
                preset,
                env.now,
            ))
        } else {
            credential::parse_date(&self.expires_text).map(Some)
        };
        if let Err(err) = &expires_at {
            ui.colored_label(tokens.bad, err.to_string());
        }
        let expires_ok = expires_at.is_ok();
        let expires_at = expires_at.unwrap_or_default();
        ui.add_space(6.0);
        match issuance {
            Issuance::Generate => {
                let label = format!("Generate new {}", short_kind(state.kind));
                if ui
                    .add_enabled(!busy && expires_ok, egui::Button::new(label))
                    .clicked()
                {
                    match generate_token() {
                        Ok(secret) => self.store(
                            ui.ctx(),
                            env,
                            state,
                            secret,
                            CredentialOrigin::Generated,
                            expires_at,
                        ),
                        Err(err) => self.error = Some(err.to_string()),
                    }
                }
            }
            Issuance::ImportOnly { why } => {
                ui.label(why);
                let label = ui.label(format!("New {}", short_kind(state.kind)));
                self.import_text
                    .ui(ui, "paste the new value here", 360.0)
                    .labelled_by(label.id);
                let prefix = match state.kind {
                    CredentialKind::ScimToken => {
                        Some(platform.scim.token_prefix.as_str()).filter(|p| !p.is_empty())
                    }
                    CredentialKind::ClientSecret => None,
                };
                let cleaned = crate::secrets::clean_import(&self.import_text, prefix);
                if let Ok(imported) = &cleaned {
                    for warning in &imported.warnings {
                        ui.colored_label(tokens.warn, warning.message());
                    }
                }
                let ready = cleaned.is_ok() && !busy && expires_ok;
                if ui
                    .add_enabled(ready, egui::Button::new("Store as pending"))
                    .clicked()
                    && let Ok(imported) = cleaned
                {
                    self.import_text.clear();
                    self.store(
                        ui.ctx(),
                        env,
                        state,
                        imported.secret,
                        CredentialOrigin::Imported,
                        expires_at,
                    );
                }
            }
        }
        if busy {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Storing in the keyring…");
            });
        }
    }

    fn store(
        &mut self,
        ctx: &egui::Context,
        env: &StepEnv<'_>,
        state: &RotationState,
        secret: Secret,
        origin: CredentialOrigin,
        expires_at: Option<DateTime<Utc>>,
    ) {
        let meta =
            match effects::pending_meta(env.profile, state, &secret, origin, expires_at, env.now) {
                Ok(meta) => meta,
                Err(err) => {
                    self.store_task = Task::Done(Err(err.to_string()));
                    return;
                }
            };
        let store = Arc::clone(env.secrets);
        let profile_id = env.profile.id.clone();
        // Only a generated value is revealed: an imported one is already in the admin's hands.
        let reveal = (origin == CredentialOrigin::Generated).then(|| secret.clone());
        self.store_task = Task::spawn(env.runtime, ctx, async move {
            blocking(move || {
                effects::store_pending(store.as_ref(), &profile_id, &meta, &secret)
                    .map(|()| (meta, reveal))
                    .map_err(|err| err.to_string())
            })
            .await
        });
    }

    /// Until the IdP step is confirmed the new value can be copied again, from the keyring
    /// and without showing it: the reveal of the step before is gone and the clipboard is
    /// cleared after 60 s, and a value lost here would force yet another new one (#14).
    fn copy_again_ui(&mut self, ui: &mut egui::Ui, env: &mut StepEnv<'_>, state: &RotationState) {
        let Some(pending_id) = state.pending_credential_id.as_deref() else {
            return;
        };
        self.copy_again.poll();
        if let Some(result) = self.copy_again.take() {
            if result.is_ok() {
                env.toasts.show("Copied to clipboard", ui.input(|i| i.time));
            }
            self.copy_again_result = Some(result);
        }
        let tokens = Tokens::ui(ui);
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            let label = format!("Copy the new {} again", short_kind(state.kind));
            let running = self.copy_again.is_running();
            if ui
                .add_enabled(!running, egui::Button::new(label))
                .on_hover_text("Copies it from the keyring without showing it; the clipboard is cleared after 60 s")
                .clicked()
            {
                let store = Arc::clone(env.secrets);
                let account = crate::secrets::account(&env.profile.id, pending_id);
                self.copy_again_result = None;
                self.copy_again = Task::spawn(env.runtime, ui.ctx(), async move {
                    let secret = blocking(move || store.get(&account).map_err(|err| err.to_string()))
                        .await?
                        .ok_or_else(|| {
                            "the new value is no longer in the keyring: go back and create another one"
                                .to_owned()
                        })?;
                    crate::ui::widgets::secret_reveal::copy_to_clipboard(secret).await
                });
            }
            if running {
                ui.spinner();
            }
        });
        match &self.copy_again_result {
            Some(Ok(())) => {
                ui.colored_label(
                    tokens.muted,
                    "Copied. The clipboard is cleared 60 s after copying if it still holds the value.",
                );
            }
            Some(Err(err)) => {
                ui.colored_label(tokens.bad, format!("Could not copy it: {err}"));
            }
            None => {}
        }
    }

    fn reveal_ui(&mut self, ui: &mut egui::Ui, env: &mut StepEnv<'_>) {
        self.reveal.ui(ui, env.runtime, env.toasts);
    }

    fn test_ui(&mut self, ui: &mut egui::Ui, env: &mut StepEnv<'_>, state: &RotationState) {
        let tokens = Tokens::ui(ui);
        ui.label(match state.kind {
            CredentialKind::ScimToken => "The wizard runs the SCIM checks with the new token (not the one in use)",
            CredentialKind::ClientSecret => {
                "The wizard asks the IdP's token endpoint whether it accepts the client id with the new secret"
            }
        });
        if state.single_active {
            ui.label(
                "The old one no longer works, so test the new one now, before pasting it anywhere. If it fails, go back and create another",
            );
        }
        ui.add_space(6.0);
        let running = self.test_task.is_running();
        ui.horizontal(|ui| {
            if ui
                .add_enabled(!running, egui::Button::new("Test the new credential"))
                .clicked()
            {
                self.start_test(ui.ctx(), env, state);
            }
            if running {
                ui.spinner();
                ui.label("Checking…");
            }
        });
        if state.test_passed {
            ui.colored_label(tokens.good, "✔ The new credential works");
        } else if self.report.is_some() {
            ui.colored_label(tokens.bad, "✖ The new credential was not accepted");
        }
        if let Some(report) = &self.report {
            findings_ui(ui, report);
        }
        if let Some(reason) = &state.override_reason {
            ui.colored_label(
                tokens.warn,
                format!("Going on without a passing test: {reason}"),
            );
        } else if !state.test_passed {
            ui.add_space(8.0);
            ui.collapsing("Go on without a passing test…", |ui| {
                ui.label(
                    "Only when the checks cannot reach the platform from this computer but you know the new credential works. The reason is recorded in the tenant's history",
                );
                let label = ui.label("Reason");
                ui.add(egui::TextEdit::multiline(&mut self.override_text).desired_rows(2).desired_width(420.0))
                    .labelled_by(label.id);
                let ready = !self.override_text.trim().is_empty();
                if ui.add_enabled(ready, egui::Button::new("Go on without a passing test")).clicked() {
                    let reason = std::mem::take(&mut self.override_text);
                    self.act(env, RotationAction::Override { reason });
                }
            });
        }
    }

    fn start_test(&mut self, ctx: &egui::Context, env: &StepEnv<'_>, state: &RotationState) {
        let store = Arc::clone(env.secrets);
        let profile = env.profile.clone();
        let state = state.clone();
        let platform = env.catalog.platform(profile.platform);
        let redirect_uri =
            crate::wizard::sso::expected_redirect_uri(platform, &profile.sso.redirect_params)
                .ok()
                .flatten()
                .or_else(|| {
                    Some(profile.sso.registered_redirect_uri.trim().to_owned())
                        .filter(|r| !r.is_empty())
                });
        let extra_scopes: Vec<String> =
            crate::wizard::sso::effective_scopes(&profile.sso.scopes, platform)
                .unwrap_or_default()
                .into_iter()
                .filter(|s| !oidc::BASE_SCOPES.contains(&s.as_str()))
                .collect();
        self.report = None;
        self.error = None;
        self.test_task = Task::spawn(env.runtime, ctx, async move {
            let profile_id = profile.id.clone();
            let lookup_state = state.clone();
            let secret = blocking(move || {
                effects::pending_secret(store.as_ref(), &profile_id, &lookup_state)
                    .map_err(|err| err.to_string())
            })
            .await?;
            let report = match state.kind {
                CredentialKind::ScimToken => {
                    let input = scim::ScimInput::new(
                        profile.scim.base_url.clone(),
                        Some(secret),
                        profile.platform,
                    );
                    scim::check(&input, Policy::default(), &|_| {}).await
                }
                CredentialKind::ClientSecret => {
                    let input = oidc::OidcInput {
                        issuer: profile.sso.issuer.clone(),
                        client_id: Some(profile.sso.client_id.clone())
                            .filter(|c| !c.trim().is_empty()),
                        client_secret: Some(secret),
                        redirect_uri,
                        extra_scopes,
                        allowed_origins: profile.sso.confirmed_endpoint_origins.clone(),
                    };
                    oidc::check(&input, Policy::default(), &|_| {}).await
                }
            };
            Ok(report)
        });
    }

    fn confirm_event_ui(
        &mut self,
        ui: &mut egui::Ui,
        env: &mut StepEnv<'_>,
        state: &RotationState,
    ) {
        let tokens = Tokens::ui(ui);
        match state.kind {
            CredentialKind::ScimToken => {
                ui.label(
                    "A passing test proves the platform accepts the token; it does not prove the IdP sends it. Make one small real change in the IdP — assign a pilot user to the app, or edit one — and push it (Entra: Provision on demand; Okta: push now), then confirm it arrived",
                );
                let idp = env.catalog.idp(env.profile.idp);
                if let Some(minutes) = idp.sync_interval_minutes {
                    ui.colored_label(
                        tokens.muted,
                        format!("Without an on-demand push, {} sends changes about every {minutes} minutes", idp.name),
                    );
                }
                ui.add_space(6.0);
                ui.strong("Look the user up with the new token");
                let label = ui.label("userName of the user you changed");
                ui.add(egui::TextEdit::singleline(&mut self.lookup_user).desired_width(320.0))
                    .labelled_by(label.id);
                let running = self.lookup_task.is_running();
                ui.horizontal(|ui| {
                    let ready = !running && !self.lookup_user.trim().is_empty();
                    if ui
                        .add_enabled(ready, egui::Button::new("Look up"))
                        .clicked()
                    {
                        self.start_lookup(ui.ctx(), env, state);
                    }
                    if running {
                        ui.spinner();
                    }
                });
                match &self.lookup_result {
                    Some(Ok(Lookup::Found {
                        user_name, active, ..
                    })) => {
                        let state_word = match active {
                            Some(false) => " (inactive)",
                            _ => "",
                        };
                        ui.colored_label(
                            tokens.good,
                            format!("✔ Found {user_name}{state_word} in the platform"),
                        );
                    }
                    Some(Ok(Lookup::NotFound)) => {
                        ui.colored_label(
                            tokens.warn,
                            "Not there yet: the IdP may not have pushed it, or the platform processes changes on its own schedule. Try again in a few minutes",
                        );
                    }
                    Some(Err(err)) => {
                        ui.colored_label(tokens.bad, err);
                    }
                    None => {}
                }
            }
            CredentialKind::ClientSecret => {
                ui.label(
                    "Sign in to the platform through SSO as a normal user (not the break-glass admin), in a private browser window, and confirm it worked",
                );
            }
        }
        ui.add_space(8.0);
        if let Some(by) = &state.event_confirmed_by {
            ui.colored_label(tokens.good, format!("✔ Event {}", by.describe()));
        } else {
            let label = ui.label("What you saw (optional)");
            ui.add(egui::TextEdit::singleline(&mut self.event_note).desired_width(420.0))
                .labelled_by(label.id);
            let text = match state.kind {
                CredentialKind::ScimToken => "I saw the change arrive",
                CredentialKind::ClientSecret => "Sign-in worked",
            };
            if ui.button(text).clicked() {
                let note = std::mem::take(&mut self.event_note);
                self.act(
                    env,
                    RotationAction::ConfirmEvent(EventConfirmation::Admin { note }),
                );
            }
        }
    }

    fn start_lookup(&mut self, ctx: &egui::Context, env: &StepEnv<'_>, state: &RotationState) {
        let store = Arc::clone(env.secrets);
        let profile_id = env.profile.id.clone();
        let base_url = env.profile.scim.base_url.clone();
        let user_name = self.lookup_user.trim().to_owned();
        let state = state.clone();
        self.lookup_result = None;
        self.lookup_task = Task::spawn(env.runtime, ctx, async move {
            let secret = blocking(move || {
                effects::pending_secret(store.as_ref(), &profile_id, &state)
                    .map_err(|err| err.to_string())
            })
            .await?;
            effects::find_user(&base_url, secret, &user_name, Policy::default())
                .await
                .map_err(|err| err.to_string())
        });
    }

    /// Back, Cancel, Hide, and the one action that moves on: Next, or Revoke on the last
    /// step. Returns true when the admin asked to hide the screen.
    fn footer_ui(
        &mut self,
        ui: &mut egui::Ui,
        env: &mut StepEnv<'_>,
        state: &RotationState,
    ) -> bool {
        let busy = self.finish_task.is_running()
            || self.store_task.is_running()
            || self.test_task.is_running();
        // Moving on while the new value is on screen would lose it before it was copied.
        let revealing = self.reveal.is_showing();
        let mut hide = false;
        // Why Next or Revoke is disabled goes on its own line under the buttons: in the
        // row, a long reason ran over Back and Cancel (#14).
        let mut note: Option<(egui::Color32, String)> = None;
        ui.horizontal(|ui| {
            let back_enabled = !busy && !revealing && state.step != RotationStep::Prepare;
            if ui
                .add_enabled(back_enabled, egui::Button::new("Back"))
                .clicked()
            {
                self.act(env, RotationAction::Back);
            }
            let cancel_blocker = rotation::apply(state, RotationAction::Cancel, env.now).err();
            let cancel = ui.add_enabled(
                !busy && cancel_blocker.is_none(),
                egui::Button::new("Cancel rotation…"),
            );
            if let Some(why) = &cancel_blocker {
                cancel.on_disabled_hover_text(why.to_string());
            } else if cancel.clicked() {
                self.confirm_cancel = true;
            }
            if ui
                .add_enabled(!revealing, egui::Button::new("Back to the wizard"))
                .on_hover_text("The rotation is saved; resume it from the banner above the steps")
                .clicked()
            {
                hide = true;
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let tokens = Tokens::ui(ui);
                // The revoke button is always in sight, and enabled only once the core
                // says the new credential is proven: the rule the walkthrough exists for.
                let revoke_blocker = state.revoke_blocker();
                let revoke = ui.add_enabled(
                    !busy && revoke_blocker.is_none(),
                    egui::Button::new(revoke_label(state)),
                );
                if let Some(why) = &revoke_blocker {
                    revoke.on_disabled_hover_text(why.to_string());
                } else if revoke.clicked() {
                    self.start_revoke(ui.ctx(), env, state);
                }
                if self.finish_task.is_running() {
                    ui.spinner();
                }
                if state.step == RotationStep::Revoke {
                    if let Some(why) = revoke_blocker {
                        note = Some((tokens.bad, why.to_string()));
                    }
                } else {
                    let blocker = state.blocker().map(|why| why.to_string()).or_else(|| {
                        revealing.then(|| {
                            "Copy the new value first (or hide it once you have it)".to_owned()
                        })
                    });
                    let next =
                        ui.add_enabled(!busy && blocker.is_none(), egui::Button::new("Next"));
                    if next.clicked() {
                        self.act(env, RotationAction::Advance);
                    }
                    if let Some(why) = blocker {
                        note = Some((tokens.muted, why));
                    }
                }
            });
        });
        if let Some((colour, why)) = note {
            ui.with_layout(egui::Layout::top_down(egui::Align::Max), |ui| {
                ui.add(egui::Label::new(egui::RichText::new(why).color(colour)).wrap());
            });
        }
        hide
    }

    fn start_revoke(&mut self, ctx: &egui::Context, env: &StepEnv<'_>, state: &RotationState) {
        let (done, promotion) = match effects::plan_revoke(env.profile, env.now) {
            Ok(plan) => plan,
            Err(err) => {
                self.error = Some(err.to_string());
                return;
            }
        };
        debug_assert_eq!(done.credential_id, state.credential_id);
        let store = Arc::clone(env.secrets);
        let profile_id = env.profile.id.clone();
        self.finishing = Some(Finishing::Revoke(done));
        self.finish_task = Task::spawn(env.runtime, ctx, async move {
            blocking(move || {
                effects::retire_old(store.as_ref(), &profile_id, &promotion)
                    .map_err(|err| err.to_string())
            })
            .await
        });
    }

    fn cancel_dialog_ui(&mut self, ctx: &egui::Context, env: &StepEnv<'_>) {
        if !self.confirm_cancel {
            return;
        }
        let mut choice = None;
        let modal = egui::Modal::new(egui::Id::unique("rotation-cancel-dialog")).show(ctx, |ui| {
            ui.set_width(420.0);
            ui.heading("Cancel this rotation?");
            ui.label(
                "The new credential is deleted from the keyring and the current one stays in use. If you already put the new one in the IdP or the platform, put the current one back there (or revoke the new one) so both sides agree",
            );
            ui.horizontal(|ui| {
                if ui.button("Keep rotating").clicked() {
                    choice = Some(false);
                }
                if ui.button("Cancel rotation").clicked() {
                    choice = Some(true);
                }
            });
        });
        if modal.should_close() && choice.is_none() {
            choice = Some(false);
        }
        match choice {
            Some(true) => {
                self.confirm_cancel = false;
                match effects::plan_cancel(env.profile, env.now) {
                    Ok((cancelled, pending)) => {
                        let store = Arc::clone(env.secrets);
                        let profile_id = env.profile.id.clone();
                        self.finishing = Some(Finishing::Cancel(cancelled));
                        self.finish_task = Task::spawn(env.runtime, ctx, async move {
                            blocking(move || {
                                effects::discard_pending(
                                    store.as_ref(),
                                    &profile_id,
                                    pending.as_deref(),
                                )
                                .map_err(|err| err.to_string())
                            })
                            .await
                        });
                    }
                    Err(err) => self.error = Some(err.to_string()),
                }
            }
            Some(false) => self.confirm_cancel = false,
            None => {}
        }
    }
}

fn header_ui(ui: &mut egui::Ui, env: &StepEnv<'_>, state: &RotationState) {
    let label = env
        .profile
        .credential(&state.credential_id)
        .map_or_else(|| state.credential_id.clone(), |c| c.label.clone());
    ui.heading(format!("Rotate {} “{label}”", state.kind.label()));
    let tokens = Tokens::ui(ui);
    ui.horizontal_wrapped(|ui| {
        let current = state
            .path()
            .iter()
            .position(|s| *s == state.step)
            .unwrap_or(0);
        for (index, step) in state.path().iter().enumerate() {
            if index > 0 {
                ui.colored_label(tokens.muted, "›");
            }
            let (icon, colour) = match index.cmp(&current) {
                std::cmp::Ordering::Less => ("✔", tokens.good),
                std::cmp::Ordering::Equal => ("●", tokens.accent),
                std::cmp::Ordering::Greater => ("○", tokens.muted),
            };
            let text = format!(
                "{icon} {}. {}",
                index + 1,
                step.label(state.kind, state.single_active)
            );
            let text = egui::RichText::new(text).color(colour);
            ui.label(if index == current {
                text.strong()
            } else {
                text
            });
        }
    });
}

fn finished_ui(ui: &mut egui::Ui, finished: &Finished) {
    ui.heading(&finished.title);
    ui.label(&finished.text);
    ui.add_space(6.0);
    let state = &finished.state;
    egui::Grid::new("rotation-step-times")
        .num_columns(2)
        .spacing([16.0, 4.0])
        .show(ui, |ui| {
            for time in &state.step_times {
                ui.label(time.step.label(state.kind, state.single_active));
                ui.label(
                    time.at
                        .with_timezone(&chrono::Local)
                        .format("%Y-%m-%d %H:%M:%S")
                        .to_string(),
                );
                ui.end_row();
            }
        });
    if let Some(reason) = state
        .override_reason
        .as_deref()
        .filter(|_| !state.test_passed)
    {
        ui.label(format!("Test overridden: {reason}"));
    }
    if let Some(by) = &state.event_confirmed_by {
        ui.label(format!("Real event {}", by.describe()));
    }
}

fn put_in_place_ui(ui: &mut egui::Ui, env: &StepEnv<'_>, state: &RotationState) {
    let platform = env.catalog.platform(env.profile.platform);
    let idp = env.catalog.idp(env.profile.idp);
    match state.kind {
        CredentialKind::ScimToken => {
            ui.label(format!(
                "Replace the token in {}'s SCIM provisioning settings with the new one. Keep the SCIM base URL as it is unless the platform changed it",
                idp.name
            ));
            let steps: Vec<&WalkStep> = idp
                .rotate_scim_steps
                .iter()
                .filter(|s| s.applies_to(platform.id))
                .collect();
            walk_steps_ui(ui, env, &steps);
        }
        CredentialKind::ClientSecret => {
            ui.label(format!(
                "Paste the new client secret into {}'s SSO settings and save",
                platform.name
            ));
            ui.label(&platform.docs_hint);
        }
    }
    ui.add_space(6.0);
    ui.label("Press Next once it is saved there");
}

fn revoke_instructions_ui(ui: &mut egui::Ui, env: &StepEnv<'_>, state: &RotationState) {
    let platform = env.catalog.platform(env.profile.platform);
    let idp = env.catalog.idp(env.profile.idp);
    let tokens = Tokens::ui(ui);
    if state.single_active {
        ui.label(format!(
            "{} stopped accepting the old {} when the new one was created, so there is nothing left to revoke there. The wizard now removes the old value from this computer's keyring and makes the new one the {} in use",
            match state.kind {
                CredentialKind::ScimToken => platform.name.as_str(),
                CredentialKind::ClientSecret => idp.name.as_str(),
            },
            short_kind(state.kind),
            short_kind(state.kind)
        ));
    } else {
        match state.kind {
            CredentialKind::ScimToken => {
                ui.label(format!(
                    "The new token is proven. Revoke the old one in {} now, then press the button below: the wizard removes the old value from the keyring and makes the new one the token in use",
                    platform.name
                ));
                ui.colored_label(tokens.muted, &platform.docs_hint);
            }
            CredentialKind::ClientSecret => {
                ui.label(format!(
                    "The new secret is proven. Delete the old one in {} now, then press the button below: the wizard removes the old value from the keyring and makes the new one the secret in use",
                    idp.name
                ));
                if let Some(last) = idp.rotate_secret_steps.last() {
                    walk_steps_ui(ui, env, &[last]);
                }
            }
        }
    }
}

fn findings_ui(ui: &mut egui::Ui, report: &Report) {
    // TODO(rotation): use the shared findings widget once it lands.
    let tokens = Tokens::ui(ui);
    for finding in report.by_severity() {
        ui.horizontal_wrapped(|ui| {
            ui.colored_label(
                tokens.status(finding.status),
                format!("{} {}", finding.status.icon(), finding.status.label()),
            );
            ui.strong(&finding.title);
        });
        if !finding.detail.is_empty() {
            ui.label(&finding.detail);
        }
        if !finding.fix.is_empty() && finding.status != crate::diagnostics::Status::Pass {
            ui.colored_label(tokens.muted, &finding.fix);
        }
    }
}

fn walk_steps_ui(ui: &mut egui::Ui, env: &StepEnv<'_>, steps: &[&WalkStep]) {
    walkthrough::steps_ui(
        ui,
        steps,
        &env.profile.sso.issuer_params,
        "in the SSO app step",
    );
}

fn revoke_label(state: &RotationState) -> String {
    if state.single_active {
        format!("Clean up old {}", short_kind(state.kind))
    } else {
        format!("Revoke old {}", short_kind(state.kind))
    }
}

fn short_kind(kind: CredentialKind) -> &'static str {
    match kind {
        CredentialKind::ScimToken => "token",
        CredentialKind::ClientSecret => "secret",
    }
}

fn rule_owner(catalog: &Catalog, profile: &Profile, kind: CredentialKind) -> String {
    match kind {
        CredentialKind::ScimToken => catalog.platform(profile.platform).name.clone(),
        CredentialKind::ClientSecret => catalog.idp(profile.idp).name.clone(),
    }
}

fn single_active_warning(kind: CredentialKind) -> &'static str {
    match kind {
        CredentialKind::ScimToken => {
            "Only one token can exist here: creating the new one ends the old one at once. Open the IdP's provisioning page first, then create the token and paste it there straight away"
        }
        CredentialKind::ClientSecret => {
            "Only one secret can exist here: creating the new one ends the old one at once. Open the platform's SSO settings first, then create the secret and paste it there straight away"
        }
    }
}

/// "about 5 minutes", "about 5 to 45 minutes" (never "about 5 to 5 minutes", #14).
fn minutes_range(best: u32, worst: u32) -> String {
    if best >= worst {
        format!("about {best} minutes")
    } else {
        format!("about {best} to {worst} minutes")
    }
}

/// Runs blocking keyring work off the runtime's async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    tokio::task::spawn_blocking(work)
        .await
        .unwrap_or_else(|err| Err(format!("the keyring task stopped: {err}")))
}

#[cfg(test)]
mod tests {
    use super::minutes_range;

    #[test]
    fn an_equal_gap_is_one_number_not_a_range() {
        assert_eq!(minutes_range(5, 5), "about 5 minutes");
        assert_eq!(minutes_range(5, 45), "about 5 to 45 minutes");
    }
}

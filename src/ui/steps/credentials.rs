//! The Credentials step: the tenant's SCIM tokens and client secrets with their expiry
//! badges, generating or importing a new one with a label and an expiry, the one-time
//! reveal, removal, and the ways out to the expiry dashboard and a calendar.
//!
//! Values go to the secret store from a background task (the keyring may block on D-Bus or
//! an unlock prompt); the profile gets metadata only. A value is shown once
//! ([`SecretReveal`]) and dropped when the step is left. Who may generate what, presets
//! and parsing live in [`crate::secrets::credential`], shared with the `token` commands.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::{Step, StepEnv, StepOutcome};
use crate::catalog::{Idp, Platform};
use crate::expiry;
use crate::model::{CredentialKind, CredentialMeta, CredentialOrigin, CredentialState, Profile};
use crate::secrets::credential::{
    self, ExpiryChoice, Issuance, NewCredential, parse_date, parse_lifetime_days,
    preset_lifetime_days, resolve_expiry,
};
use crate::secrets::{Secret, StoreError, account, clean_import, generate_token, masked};
use crate::ui::task::Task;
use crate::ui::theme::Tokens;
use crate::ui::widgets::calendar_export::CalendarExport;
use crate::ui::widgets::expiry_badge;
use crate::ui::widgets::secret_input::SecretInput;
use crate::ui::widgets::secret_reveal::SecretReveal;

/// Asked by the shell before leaving while a value has not been copied.
pub const LEAVE_WARNING: &str = "This secret will not be shown again. If you leave before copying it, you will have to generate or import a new one.";

/// Where the new value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    Generate,
    Import,
}

/// How the expiry is given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ExpiryMode {
    Preset,
    Days,
    Date,
    Never,
}

/// The "add a credential" form, as typed. `Debug` is written by hand: the pasted value
/// must never reach a log or panic message.
struct Form {
    kind: CredentialKind,
    source: Source,
    label: String,
    expiry: ExpiryMode,
    days_text: String,
    date_text: String,
    /// The pasted value; zeroized on drop and after import.
    paste: SecretInput,
    paste_id: Option<egui::Id>,
}

impl std::fmt::Debug for Form {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Form")
            .field("kind", &self.kind)
            .field("source", &self.source)
            .field("label", &self.label)
            .field("expiry", &self.expiry)
            .field("paste", &if self.paste.is_empty() { "" } else { "…" })
            .finish_non_exhaustive()
    }
}

impl Default for Form {
    fn default() -> Self {
        Self {
            kind: CredentialKind::ScimToken,
            source: Source::Generate,
            label: String::new(),
            expiry: ExpiryMode::Preset,
            days_text: String::new(),
            date_text: String::new(),
            paste: SecretInput::default(),
            paste_id: None,
        }
    }
}

impl Form {
    /// Kind, where the value comes from (generate or paste, as the catalog allows), label.
    fn kind_ui(&mut self, ui: &mut egui::Ui, platform: &Platform, idp: &Idp, tokens: Tokens) {
        let Self {
            kind,
            source,
            label,
            ..
        } = self;
        ui.horizontal(|ui| {
            ui.label("Kind:");
            for option in [CredentialKind::ScimToken, CredentialKind::ClientSecret] {
                ui.radio_value(kind, option, option.label());
            }
        });
        match credential::issuance(*kind, platform, idp) {
            Issuance::Generate => {
                ui.horizontal(|ui| {
                    ui.label("Value:");
                    ui.radio_value(source, Source::Generate, "Generate a new one here");
                    ui.radio_value(source, Source::Import, "Paste one I already have");
                });
            }
            Issuance::ImportOnly { why } => {
                *source = Source::Import;
                ui.colored_label(tokens.muted, why);
            }
        }
        if *kind == CredentialKind::ClientSecret && !idp.secret_lifetime_note.is_empty() {
            ui.colored_label(tokens.muted, &idp.secret_lifetime_note);
        }
        ui.horizontal(|ui| {
            let name = ui.label("Label:");
            ui.add(
                egui::TextEdit::singleline(label)
                    .hint_text(kind.label())
                    .desired_width(260.0),
            )
            .labelled_by(name.id);
        });
    }

    /// The expiry fields, parsed every frame; `Err` (shown) while they do not parse.
    fn expiry_ui(
        &mut self,
        ui: &mut egui::Ui,
        platform: &Platform,
        idp: &Idp,
        now: DateTime<Utc>,
        tokens: Tokens,
    ) -> Result<Option<DateTime<Utc>>, String> {
        let Self {
            kind,
            expiry,
            days_text,
            date_text,
            ..
        } = self;
        let preset = preset_lifetime_days(*kind, platform, idp);
        if preset.is_none() && *expiry == ExpiryMode::Preset {
            *expiry = ExpiryMode::Never;
        }
        // Wrapped: five choices do not fit a small window on one line.
        let choice = ui
            .horizontal_wrapped(|ui| {
                ui.label("Expires:");
                if let Some(days) = preset {
                    let whose = match kind {
                        CredentialKind::ScimToken => platform.name.as_str(),
                        CredentialKind::ClientSecret => idp.name.as_str(),
                    };
                    ui.radio_value(
                        expiry,
                        ExpiryMode::Preset,
                        format!("{whose} default ({days} days)"),
                    );
                }
                ui.radio_value(expiry, ExpiryMode::Days, "After");
                let days_label = ui.label("days:");
                ui.add_enabled(
                    *expiry == ExpiryMode::Days,
                    egui::TextEdit::singleline(days_text)
                        .desired_width(50.0)
                        .hint_text("90"),
                )
                .labelled_by(days_label.id);
                ui.radio_value(expiry, ExpiryMode::Date, "On");
                let date_label = ui.label("date:");
                ui.add_enabled(
                    *expiry == ExpiryMode::Date,
                    egui::TextEdit::singleline(date_text)
                        .desired_width(100.0)
                        .hint_text("YYYY-MM-DD"),
                )
                .labelled_by(date_label.id);
                ui.radio_value(expiry, ExpiryMode::Never, "Never");
                parse_choice(*expiry, days_text, date_text)
            })
            .inner;
        let expires_at = choice.map(|c| resolve_expiry(c, preset, now));
        match &expires_at {
            Err(err) => {
                ui.colored_label(tokens.bad, err);
            }
            Ok(Some(at)) => {
                ui.horizontal(|ui| {
                    ui.label(format!(
                        "Expires {} —",
                        at.with_timezone(&chrono::Local).format("%Y-%m-%d")
                    ));
                    expiry_badge::ui(ui, Some(*at), now);
                });
            }
            Ok(None) => {
                ui.colored_label(
                    tokens.muted,
                    "No expiry recorded: set a reminder yourself to rotate it",
                );
            }
        }
        expires_at
    }

    /// The password field for a pasted value; the cleaned value once there is one, with
    /// what was removed or looks wrong shown under the field.
    fn paste_ui(
        &mut self,
        ui: &mut egui::Ui,
        prefix: Option<&str>,
        tokens: Tokens,
    ) -> Option<Secret> {
        let Self {
            kind,
            paste,
            paste_id,
            ..
        } = self;
        ui.horizontal(|ui| {
            let name = ui.label(format!("Paste the {}:", kind.label()));
            let response = paste.ui(ui, "pasted once, never shown in full again", 360.0);
            *paste_id = Some(response.id);
            response.labelled_by(name.id);
        });
        if paste.trim().is_empty() {
            return None;
        }
        match clean_import(paste, prefix) {
            Ok(imported) => {
                for warning in &imported.warnings {
                    ui.colored_label(tokens.warn, format!("⚠ {}", warning.message()));
                }
                Some(imported.secret)
            }
            Err(err) => {
                ui.colored_label(tokens.bad, err.to_string());
                None
            }
        }
    }

    /// Clears the pasted value and the field's undo history (which holds copies of it).
    fn forget_paste(&mut self, ctx: &egui::Context) {
        self.paste.clear();
        if let Some(id) = self.paste_id
            && let Some(mut state) = egui::text_edit::TextEditState::load(ctx, id)
        {
            state.clear_undoer();
            state.store(ctx, id);
        }
    }
}

/// A new value waiting for the store, or refused by it.
struct Pending {
    meta: CredentialMeta,
    secret: Secret,
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending")
            .field("meta", &self.meta)
            .field("secret", &self.secret)
            .finish()
    }
}

/// State of the Credentials step.
#[derive(Debug, Default)]
pub struct CredentialsStep {
    form: Form,
    pending: Option<Pending>,
    storing: Task<Result<(), StoreError>>,
    store_error: Option<StoreError>,
    /// False once the step was left while a value was being stored: it is then never shown.
    left_while_storing: bool,
    reveal: SecretReveal,
    /// The admin chose to go on without a keyring.
    session_acknowledged: bool,
    /// Which stored values exist, by credential id (`None`: not checked yet).
    presence: Option<BTreeMap<String, bool>>,
    presence_for: Vec<String>,
    presence_task: Task<BTreeMap<String, bool>>,
    confirm_remove: Option<String>,
    /// A credential whose "Use this one…" was clicked, waiting for the admin to confirm.
    confirm_use: Option<String>,
    removing: Task<(String, Result<(), StoreError>)>,
    remove_error: Option<String>,
    calendar: CalendarExport,
    /// A credential whose "Rotate…" was clicked; started by `ui::rotation` after the list.
    rotate: Option<String>,
}

impl Step for CredentialsStep {
    fn ui(&mut self, ui: &mut egui::Ui, env: &mut StepEnv<'_>) -> StepOutcome {
        self.poll(ui.ctx(), env);
        let mut outcome = StepOutcome::Stay;
        ui.heading("Credentials");
        ui.label(
            "The tenant's SCIM token and OIDC client secret. Values live in the OS keyring only; this list shows the last \
             four characters and when each one expires.",
        );
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            if ui
                .button("Expiry dashboard")
                .on_hover_text("Every credential of every tenant, most urgent first")
                .clicked()
            {
                outcome = StepOutcome::OpenExpiryDashboard;
            }
            let profile = &*env.profile;
            self.calendar
                .button_ui(ui, env.runtime, env.now, env.toasts, || {
                    expiry::due_list([profile])
                });
        });
        self.calendar.result_ui(ui);
        ui.add_space(6.0);
        self.keyring_ui(ui, env);
        ui.add_space(6.0);
        ui.scope(|ui| self.list_ui(ui, env));
        if let Some(credential_id) = self.rotate.take() {
            crate::ui::rotation::begin_ui(ui, env, &credential_id);
        }
        ui.add_space(10.0);
        self.reveal.ui(ui, env.runtime, env.toasts);
        self.store_error_ui(ui, env);
        ui.add_space(10.0);
        self.form_ui(ui, env);
        self.remove_dialog_ui(ui.ctx(), env);
        self.use_dialog_ui(ui.ctx(), env);
        outcome
    }

    fn leave_warning(&self) -> Option<String> {
        (self.reveal.is_showing() || (self.pending.is_some() && !self.left_while_storing))
            .then(|| LEAVE_WARNING.to_owned())
    }

    fn on_leave(&mut self, _env: &mut StepEnv<'_>) {
        self.reveal.dismiss();
        if self.storing.is_running() {
            self.left_while_storing = true;
        } else {
            // Refused by the store and not kept: gone with the step.
            self.pending = None;
            self.store_error = None;
        }
        self.form.paste.clear();
        self.confirm_remove = None;
        self.confirm_use = None;
    }
}

impl CredentialsStep {
    /// True while a new value is shown in full (tests).
    pub fn is_revealing(&self) -> bool {
        self.reveal.is_showing()
    }

    fn poll(&mut self, ctx: &egui::Context, env: &mut StepEnv<'_>) {
        self.storing.poll();
        if let Some(result) = self.storing.take() {
            match (result, self.pending.take()) {
                (Ok(()), Some(Pending { mut meta, secret })) => {
                    meta.session_only = meta.session_only || !env.secrets.is_persistent();
                    let what = meta.kind.label();
                    // A pasted value was seen already (in the vendor's portal): it is shown
                    // as its mask in the list, never again in full (issue #14).
                    let generated = meta.origin == CredentialOrigin::Generated;
                    let note = if meta.session_only {
                        "kept for this session only"
                    } else {
                        "stored in the keyring"
                    };
                    // Adding never switches what is in use (issue #14); say so when it did not.
                    let note = match credential::attach(env.profile, meta, env.now) {
                        credential::Attached::InUse => note.to_owned(),
                        credential::Attached::Kept { .. } => format!("{note}, not in use yet"),
                    };
                    env.toasts
                        .show(format!("{what} {note}"), ctx.input(|i| i.time));
                    self.reveal = if generated {
                        SecretReveal::once(secret, what)
                    } else {
                        SecretReveal::default()
                    };
                    if self.left_while_storing {
                        self.reveal.dismiss();
                    }
                    self.store_error = None;
                }
                (Err(err), Some(pending)) => {
                    if self.left_while_storing {
                        self.store_error = None;
                    } else {
                        self.pending = Some(pending);
                        self.store_error = Some(err);
                    }
                }
                (_, None) => {}
            }
            self.left_while_storing = false;
        }

        self.removing.poll();
        if let Some((id, result)) = self.removing.take() {
            match result {
                Ok(()) => {
                    if let Some(meta) = credential::detach(env.profile, &id, env.now) {
                        env.toasts.show(
                            format!("Removed {} “{}”", meta.kind.label(), meta.label),
                            ctx.input(|i| i.time),
                        );
                    }
                    self.remove_error = None;
                }
                Err(err) => self.remove_error = Some(err.to_string()),
            }
        }

        // Check which values are really in the store whenever the list changes (a profile
        // copied from another computer, or kept for one session only, has none).
        let ids: Vec<String> = env
            .profile
            .credentials
            .iter()
            .map(|c| c.id.clone())
            .collect();
        if ids != self.presence_for
            && !self.presence_task.is_running()
            && !self.storing.is_running()
        {
            self.presence_for.clone_from(&ids);
            let secrets = Arc::clone(env.secrets);
            let profile_id = env.profile.id.clone();
            self.presence_task = Task::spawn(env.runtime, ctx, async move {
                tokio::task::spawn_blocking(move || {
                    ids.into_iter()
                        .filter_map(|id| {
                            // An error (locked keyring) says nothing about presence: leave it out.
                            let found = secrets.get(&account(&profile_id, &id)).ok()?;
                            Some((id, found.is_some()))
                        })
                        .collect()
                })
                .await
                .unwrap_or_default()
            });
        }
        self.presence_task.poll();
        if let Some(presence) = self.presence_task.take() {
            self.presence = Some(presence);
        }
    }

    fn keyring_ui(&mut self, ui: &mut egui::Ui, env: &StepEnv<'_>) {
        if env.secrets.is_persistent() {
            return;
        }
        let tokens = Tokens::ui(ui);
        egui::Frame::group(ui.style()).stroke(egui::Stroke::new(1.0, tokens.warn)).show(ui, |ui| {
            match env.secrets.session_only_reason() {
                Some(reason) => {
                    ui.colored_label(tokens.warn, format!("⚠ Secrets cannot be stored: {reason}"));
                    ui.label(
                        "You can go on without storing: new values are kept in memory until the app closes, and the \
                         wizard will need them again after a restart. Nothing is ever written to a file.",
                    );
                    if self.session_acknowledged {
                        ui.colored_label(tokens.muted, "Going on without storing (this session only)");
                    } else if ui.button("Continue without storing (this session only)").clicked() {
                        self.session_acknowledged = true;
                    }
                }
                None => {
                    ui.colored_label(tokens.warn, "⚠ Secrets are kept in memory for this session only");
                }
            }
        });
    }

    fn list_ui(&mut self, ui: &mut egui::Ui, env: &StepEnv<'_>) {
        let tokens = Tokens::ui(ui);
        let profile = &*env.profile;
        if profile.credentials.is_empty() {
            ui.colored_label(
                tokens.muted,
                "No credentials yet: add the SCIM token and the client secret below.",
            );
            return;
        }
        let busy = self.removing.is_running();
        // Columns size to their content; wrapping would break labels and dates mid-word.
        ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Extend);
        egui::Grid::new("credentials-grid")
            .striped(true)
            .num_columns(3)
            .spacing([12.0, 6.0])
            .show(ui, |ui| {
                // Three columns, the actions under the credential's name, so the table
                // fits from the minimum window size up (issue #15).
                for heading in ["Credential", "Expiry and use", "History"] {
                    ui.label(egui::RichText::new(heading).strong());
                }
                ui.end_row();
                for meta in &profile.credentials {
                    ui.vertical(|ui| {
                        ui.label(egui::RichText::new(&meta.label).strong());
                        ui.horizontal(|ui| {
                            ui.label(
                                egui::RichText::new(meta.kind.label())
                                    .small()
                                    .color(tokens.muted),
                            );
                            ui.label(egui::RichText::new(masked(&meta.last4)).monospace());
                        });
                        let pending = meta.state == CredentialState::Pending;
                        ui.horizontal(|ui| {
                            let remove = ui
                                .add_enabled(!busy && !pending, egui::Button::new("Remove…"))
                                .on_disabled_hover_text(
                                    "Part of a rotation in progress: finish or cancel the rotation first",
                                );
                            if remove.clicked() {
                                self.confirm_remove = Some(meta.id.clone());
                            }
                            if crate::ui::rotation::rotate_button(ui, profile, &meta.id, env.now) {
                                self.rotate = Some(meta.id.clone());
                            }
                        });
                        if !pending
                            && !credential::in_use(profile, &meta.id)
                            && ui
                                .add_enabled(!busy, egui::Button::new("Use this one…"))
                                .on_hover_text(
                                    "Make the app use this credential instead of the current one",
                                )
                                .clicked()
                        {
                            self.confirm_use = Some(meta.id.clone());
                        }
                    });
                    ui.vertical(|ui| {
                        ui.horizontal(|ui| expiry_badge::ui(ui, meta.expires_at, env.now));
                        ui.label(use_words(profile, meta));
                        if let Some(note) = self.storage_note(meta, env.secrets.is_persistent()) {
                            ui.colored_label(tokens.warn, note);
                        }
                    });
                    ui.vertical(|ui| {
                        let origin = match meta.origin {
                            CredentialOrigin::Generated => "Generated",
                            CredentialOrigin::Imported => "Imported",
                        };
                        ui.label(format!("{origin} {}", meta.created_at.format("%Y-%m-%d")));
                        let verified = meta.last_verified_at.map_or_else(
                            || "Never verified".to_owned(),
                            |at| format!("Verified {}", at.format("%Y-%m-%d")),
                        );
                        ui.label(egui::RichText::new(verified).small().color(tokens.muted));
                    });
                    ui.end_row();
                }
            });
        if let Some(err) = &self.remove_error {
            ui.colored_label(tokens.bad, format!("Could not remove it: {err}"));
        }
    }

    /// A warning when the wizard holds no value for a credential.
    fn storage_note(&self, meta: &CredentialMeta, persistent: bool) -> Option<&'static str> {
        let present = self
            .presence
            .as_ref()
            .and_then(|p| p.get(&meta.id))
            .copied();
        match present {
            Some(false) if meta.session_only => {
                Some("Value gone: it was kept for one session only")
            }
            Some(false) => Some("Value missing from the keyring"),
            Some(true) if meta.session_only && persistent => Some("Kept for this session only"),
            _ => None,
        }
    }

    fn store_error_ui(&mut self, ui: &mut egui::Ui, env: &StepEnv<'_>) {
        let Some(err) = &self.store_error else { return };
        let tokens = Tokens::ui(ui);
        ui.colored_label(tokens.bad, format!("The new value was not stored: {err}"));
        ui.horizontal(|ui| {
            if ui.button("Try again").clicked()
                && let Some(pending) = &self.pending
            {
                self.storing = spawn_put(env, pending, false, ui.ctx());
                self.store_error = None;
            }
            if ui
                .button("Keep it for this session only")
                .on_hover_text("Kept in memory until the app closes; never written to a file")
                .clicked()
                && let Some(pending) = &mut self.pending
            {
                pending.meta.session_only = true;
                self.storing = spawn_put(env, pending, true, ui.ctx());
                self.store_error = None;
            }
            if ui.button("Discard").clicked() {
                self.pending = None;
                self.store_error = None;
            }
        });
    }

    fn form_ui(&mut self, ui: &mut egui::Ui, env: &mut StepEnv<'_>) {
        let tokens = Tokens::ui(ui);
        let platform = env.catalog.platform(env.profile.platform);
        let idp = env.catalog.idp(env.profile.idp);
        let blocked = if self.reveal.is_showing() {
            Some("Copy the value above first (or hide it): it will not be shown again")
        } else if self.pending.is_some() || self.storing.is_running() {
            Some("Storing the new value…")
        } else if env.secrets.session_only_reason().is_some() && !self.session_acknowledged {
            Some("Choose above whether to go on without storing")
        } else {
            None
        };

        ui.heading("Add a credential");
        let form = &mut self.form;
        form.kind_ui(ui, platform, idp, tokens);
        let expires_at = form.expiry_ui(ui, platform, idp, env.now, tokens);
        let cleaned = if form.source == Source::Import {
            let prefix = (form.kind == CredentialKind::ScimToken)
                .then_some(platform.scim.token_prefix.as_str());
            form.paste_ui(ui, prefix, tokens)
        } else {
            None
        };

        let ready = blocked.is_none()
            && expires_at.is_ok()
            && (form.source == Source::Generate || cleaned.is_some());
        let action = match form.source {
            Source::Generate => format!("Generate {}", form.kind.label()),
            Source::Import => format!("Store {}", form.kind.label()),
        };
        let clicked = ui
            .horizontal(|ui| {
                let clicked = ui.add_enabled(ready, egui::Button::new(&action)).clicked();
                if let Some(why) = blocked {
                    ui.colored_label(tokens.muted, why);
                }
                clicked
            })
            .inner;
        let Ok(expires_at) = expires_at else { return };
        if !clicked {
            return;
        }
        let secret = match (form.source, cleaned) {
            (Source::Generate, _) => match generate_token() {
                Ok(secret) => secret,
                Err(err) => {
                    self.store_error = Some(StoreError::Other {
                        reason: err.to_string(),
                    });
                    return;
                }
            },
            (Source::Import, Some(secret)) => {
                form.forget_paste(ui.ctx());
                secret
            }
            (Source::Import, None) => return,
        };
        let new = NewCredential {
            kind: form.kind,
            label: std::mem::take(&mut form.label),
            origin: match form.source {
                Source::Generate => CredentialOrigin::Generated,
                Source::Import => CredentialOrigin::Imported,
            },
            expires_at,
        };
        let meta = match credential::credential_meta(
            env.profile,
            new,
            &secret,
            env.now,
            credential::os_random,
        ) {
            Ok(meta) => meta,
            Err(err) => {
                self.store_error = Some(StoreError::Other {
                    reason: err.to_string(),
                });
                return;
            }
        };
        let pending = Pending { meta, secret };
        self.storing = spawn_put(env, &pending, false, ui.ctx());
        self.pending = Some(pending);
        self.store_error = None;
    }

    fn remove_dialog_ui(&mut self, ctx: &egui::Context, env: &StepEnv<'_>) {
        let Some(id) = self.confirm_remove.clone() else {
            return;
        };
        let Some(meta) = env.profile.credential(&id) else {
            self.confirm_remove = None;
            return;
        };
        let platform = env.catalog.platform(env.profile.platform);
        let idp = env.catalog.idp(env.profile.idp);
        let elsewhere = match meta.kind {
            CredentialKind::ScimToken => platform.name.as_str(),
            CredentialKind::ClientSecret => idp.name.as_str(),
        };
        let mut choice = None;
        let modal = egui::Modal::new(egui::Id::unique("remove-credential-dialog")).show(ctx, |ui| {
            ui.set_width(420.0);
            ui.heading("Remove credential?");
            ui.label(format!(
                "“{}” ({}, {}) is deleted from the keyring and the wizard forgets it. It keeps working in {elsewhere} \
                 until you revoke it there.",
                meta.label,
                meta.kind.label(),
                masked(&meta.last4)
            ));
            if credential::in_use(env.profile, &meta.id) {
                ui.colored_label(Tokens::ui(ui).warn, "It is the one in use: the wizard's tests will have no value to use.");
            }
            ui.horizontal(|ui| {
                if ui.button("Remove").clicked() {
                    choice = Some(true);
                }
                if ui.button("Cancel").clicked() {
                    choice = Some(false);
                }
            });
        });
        if modal.should_close() && choice.is_none() {
            choice = Some(false);
        }
        match choice {
            Some(true) => {
                let secrets = Arc::clone(env.secrets);
                let account = account(&env.profile.id, &id);
                self.removing = Task::spawn(env.runtime, ctx, async move {
                    let result = tokio::task::spawn_blocking(move || secrets.delete(&account))
                        .await
                        .unwrap_or_else(|err| {
                            Err(StoreError::Other {
                                reason: err.to_string(),
                            })
                        });
                    (id, result)
                });
                self.confirm_remove = None;
            }
            Some(false) => self.confirm_remove = None,
            None => {}
        }
    }
}

impl CredentialsStep {
    /// "Use this one…": the explicit, confirmed switch of the credential an app uses.
    fn use_dialog_ui(&mut self, ctx: &egui::Context, env: &mut StepEnv<'_>) {
        let Some(id) = self.confirm_use.clone() else {
            return;
        };
        let Some(meta) = env.profile.credential(&id).cloned() else {
            self.confirm_use = None;
            return;
        };
        let (app, current) = match meta.kind {
            CredentialKind::ScimToken => ("SCIM app", env.profile.scim.token_credential.clone()),
            CredentialKind::ClientSecret => {
                ("SSO app", env.profile.sso.client_secret_credential.clone())
            }
        };
        let current_label = current
            .as_deref()
            .and_then(|c| env.profile.credential(c))
            .map(|c| format!("“{}” ({})", c.label, masked(&c.last4)));
        let mut choice = None;
        let modal = egui::Modal::new(egui::Id::unique("use-credential-dialog")).show(ctx, |ui| {
            ui.set_width(440.0);
            ui.heading(format!("Switch the {app} to this {}?", meta.kind.label()));
            ui.label(format!(
                "The wizard's checks of the {app} will use “{}” ({}) from now on.",
                meta.label,
                masked(&meta.last4)
            ));
            if let Some(current) = &current_label {
                ui.colored_label(
                    Tokens::ui(ui).warn,
                    format!(
                        "It replaces {current}. Switch only if the other side already accepts the new one; \
                         to replace a working credential without losing access, use Rotate… instead."
                    ),
                );
            }
            ui.horizontal(|ui| {
                if ui.button("Use it").clicked() {
                    choice = Some(true);
                }
                if ui.button("Cancel").clicked() {
                    choice = Some(false);
                }
            });
        });
        if modal.should_close() && choice.is_none() {
            choice = Some(false);
        }
        match choice {
            Some(true) => {
                if let Err(err) = credential::use_credential(env.profile, &id, env.now) {
                    env.toasts.show(err.to_string(), ctx.input(|i| i.time));
                }
                self.confirm_use = None;
            }
            Some(false) => self.confirm_use = None,
            None => {}
        }
    }
}

/// Stores a pending value in the background (session-only when `session_only`).
fn spawn_put(
    env: &StepEnv<'_>,
    pending: &Pending,
    session_only: bool,
    ctx: &egui::Context,
) -> Task<Result<(), StoreError>> {
    let secrets = Arc::clone(env.secrets);
    let account = account(&env.profile.id, &pending.meta.id);
    let secret = pending.secret.clone();
    Task::spawn(env.runtime, ctx, async move {
        tokio::task::spawn_blocking(move || {
            if session_only {
                secrets.put_session_only(&account, &secret)
            } else {
                secrets.put(&account, &secret)
            }
        })
        .await
        .unwrap_or_else(|err| {
            Err(StoreError::Other {
                reason: err.to_string(),
            })
        })
    })
}

/// The expiry choice from the form's fields.
fn parse_choice(
    mode: ExpiryMode,
    days_text: &str,
    date_text: &str,
) -> Result<ExpiryChoice, String> {
    match mode {
        ExpiryMode::Preset => Ok(ExpiryChoice::Preset),
        ExpiryMode::Never => Ok(ExpiryChoice::Never),
        ExpiryMode::Days => parse_lifetime_days(days_text)
            .map(ExpiryChoice::LifetimeDays)
            .map_err(|err| err.to_string()),
        ExpiryMode::Date => parse_date(date_text)
            .map(ExpiryChoice::At)
            .map_err(|err| err.to_string()),
    }
}

/// Whether the apps use this credential, in words.
fn use_words(profile: &Profile, meta: &CredentialMeta) -> &'static str {
    if meta.state == CredentialState::Pending {
        "Pending (rotation)"
    } else if credential::in_use(profile, &meta.id) {
        match meta.kind {
            CredentialKind::ScimToken => "In use by the SCIM app",
            CredentialKind::ClientSecret => "In use by the SSO app",
        }
    } else {
        "Not in use"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_of_the_form_and_step_never_shows_a_pasted_value() {
        let raw = "pasted-vendor-token-9f8e7d";
        let mut step = CredentialsStep::default();
        step.form.paste.set(raw);
        assert!(!format!("{:?}", step.form).contains(raw));
        assert!(!format!("{step:?}").contains(raw));
    }

    #[test]
    fn expiry_fields_parse_into_choices() {
        assert_eq!(
            parse_choice(ExpiryMode::Preset, "", ""),
            Ok(ExpiryChoice::Preset)
        );
        assert_eq!(
            parse_choice(ExpiryMode::Days, " 30", ""),
            Ok(ExpiryChoice::LifetimeDays(30))
        );
        assert!(parse_choice(ExpiryMode::Days, "", "").is_err());
        let Ok(ExpiryChoice::At(at)) = parse_choice(ExpiryMode::Date, "", "2027-01-31") else {
            panic!("a date")
        };
        assert_eq!(
            at.with_timezone(&chrono::Local)
                .format("%Y-%m-%d")
                .to_string(),
            "2027-01-31"
        );
        assert!(
            parse_choice(ExpiryMode::Date, "", "31/01/2027")
                .unwrap_err()
                .contains("YYYY-MM-DD")
        );
    }

    #[test]
    fn pending_debug_hides_the_value() {
        let pending = Pending {
            meta: CredentialMeta {
                id: "c".into(),
                kind: CredentialKind::ScimToken,
                label: "l".into(),
                origin: CredentialOrigin::Generated,
                created_at: Utc::now(),
                expires_at: None,
                last4: "wxyz".into(),
                last_verified_at: None,
                state: CredentialState::Active,
                session_only: false,
            },
            secret: Secret::new("super-secret-value-wxyz"),
        };
        assert!(!format!("{pending:?}").contains("super-secret"));
        assert!(!format!("{:?}", CredentialsStep::default()).contains("super-secret"));
    }
}

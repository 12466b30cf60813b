//! The SCIM app step: why provisioning gets its own app in the identity provider, the
//! provider's walkthrough with "Open in browser" buttons, the SCIM base URL built from the
//! platform's pattern (mistakes caught as typed), the bearer token handed to the secret
//! store with its expiry badge, the attribute mapping table, and the provisioning scope
//! and timing.
//!
//! Every rule comes from the core: [`crate::wizard::scim`] (URL, placeholders, mappings,
//! what Next needs) and [`crate::secrets::credential`] (cleaning a pasted token, its
//! metadata and expiry). The token goes to the store from a background task and never to
//! the profile; the field holding it is zeroized when it is stored or the step is left.

use std::fmt;

use super::{Step, StepEnv, StepOutcome};
use crate::catalog::{Idp, Platform, WalkStep};
use crate::model::{CredentialKind, CredentialOrigin};
use crate::secrets::credential::{
    self, ExpiryChoice, ExpiryError, Issuance, parse_date, preset_lifetime_days, resolve_expiry,
};
use crate::secrets::{Secret, clean_import, generate_token, masked};
use crate::ui::theme::Tokens;
use crate::ui::widgets::expiry_badge;
use crate::ui::widgets::secret_input::SecretInput;
use crate::ui::widgets::secret_reveal::SecretReveal;
use crate::ui::widgets::store_task::StoreTask;
use crate::ui::widgets::walkthrough;
use crate::wizard::scim::{self as rules, Gravity};

/// Asked before leaving while a generated token has not been copied.
const LEAVE_WARNING: &str = "The generated SCIM token will not be shown again. If you leave before copying it, you will have to generate a new one.";

/// State of the SCIM app step: raw input only; the profile holds the rest.
#[derive(Default)]
pub struct ScimAppStep {
    /// The pasted token; zeroized on drop, after storing and when the step is left.
    token_input: SecretInput,
    /// An expiry date typed for platforms without a preset lifetime.
    expiry_text: String,
    /// Show the token form although a token is stored.
    replacing: bool,
    storing: StoreTask,
    store_error: Option<String>,
    reveal: SecretReveal,
}

impl fmt::Debug for ScimAppStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScimAppStep")
            .field("token_input", &"…")
            .field("replacing", &self.replacing)
            .field("storing", &self.storing.is_running())
            .field("store_error", &self.store_error)
            .finish_non_exhaustive()
    }
}

impl Step for ScimAppStep {
    fn ui(&mut self, ui: &mut egui::Ui, env: &mut StepEnv<'_>) -> StepOutcome {
        self.poll(ui.ctx(), env);
        let platform = env.catalog.platform(env.profile.platform);
        let idp = env.catalog.idp(env.profile.idp);
        rules::sync_base_url(&mut env.profile.scim, platform);

        ui.heading("SCIM app");
        ui.label(format!(
            "Provisioning gets its own app in {}, apart from the sign-in app: it holds the SCIM base URL and the \
             token {} gave you, and creates, updates and deactivates users there. Keeping the two apart means a \
             provisioning change cannot break sign-in, and each app only gets the permissions it needs.",
            idp.name, platform.name
        ));
        if !platform.docs_hint.is_empty() {
            ui.colored_label(Tokens::ui(ui).muted, &platform.docs_hint);
        }
        ui.add_space(8.0);
        Self::walkthrough_ui(ui, env, idp);
        ui.add_space(8.0);
        base_url_ui(ui, env, platform);
        ui.add_space(8.0);
        self.token_ui(ui, env, platform, idp);
        ui.add_space(8.0);
        mappings_ui(ui, env, platform, idp);
        ui.add_space(8.0);
        scope_ui(ui, env, platform, idp);
        StepOutcome::Stay
    }

    fn leave_warning(&self) -> Option<String> {
        self.reveal.is_showing().then(|| LEAVE_WARNING.to_owned())
    }

    fn on_leave(&mut self, _env: &mut StepEnv<'_>) {
        self.reveal.dismiss();
        self.token_input.clear();
        if !self.storing.is_running() {
            self.storing.forget();
            self.store_error = None;
        }
    }
}

impl ScimAppStep {
    fn poll(&mut self, ctx: &egui::Context, env: &mut StepEnv<'_>) {
        match self.storing.poll(ctx, env, "SCIM token") {
            Some(Ok(reveal)) => {
                if let Some(secret) = reveal {
                    self.reveal = SecretReveal::once(secret, "SCIM token");
                }
                self.replacing = false;
                self.store_error = None;
            }
            Some(Err(err)) => self.store_error = Some(err),
            None => {}
        }
    }

    fn walkthrough_ui(ui: &mut egui::Ui, env: &StepEnv<'_>, idp: &Idp) {
        let steps: Vec<&WalkStep> = idp
            .scim_steps
            .iter()
            .filter(|s| s.applies_to(env.profile.platform))
            .collect();
        if steps.is_empty() {
            return;
        }
        egui::CollapsingHeader::new(format!("Set up the SCIM app in {}", idp.name))
            .default_open(true)
            .show(ui, |ui| {
                walkthrough::steps_ui(
                    ui,
                    &steps,
                    &env.profile.sso.issuer_params,
                    "in the SSO app step",
                );
            });
    }

    fn token_ui(
        &mut self,
        ui: &mut egui::Ui,
        env: &mut StepEnv<'_>,
        platform: &Platform,
        idp: &Idp,
    ) {
        let tokens = Tokens::ui(ui);
        ui.heading("SCIM token");
        if !platform.scim.token_steps.is_empty() {
            egui::CollapsingHeader::new(format!("Get the token from {}", platform.name))
                .default_open(false)
                .show(ui, |ui| {
                    for (number, step) in platform.scim.token_steps.iter().enumerate() {
                        ui.label(
                            egui::RichText::new(format!("{}. {}", number + 1, step.title)).strong(),
                        );
                        ui.label(&step.body);
                    }
                });
        }
        let stored = env
            .profile
            .scim
            .token_credential
            .as_deref()
            .and_then(|id| env.profile.credential(id))
            .cloned();
        if let Some(meta) = &stored {
            let mut replace = false;
            ui.horizontal(|ui| {
                ui.label("Stored token:");
                ui.label(egui::RichText::new(masked(&meta.last4)).monospace());
                expiry_badge::ui(ui, meta.expires_at, env.now);
                if meta.session_only {
                    ui.colored_label(tokens.warn, "kept for this session only");
                }
                // Replacing a working credential is a rotation: the new one is tested
                // before the old one goes (#14), never a swap that breaks the app.
                replace = crate::ui::rotation::rotate_button_labelled(
                    ui,
                    env.profile,
                    &meta.id,
                    env.now,
                    "Replace…",
                );
            });
            if replace {
                crate::ui::rotation::begin_ui(ui, env, &meta.id);
            }
        }
        self.reveal.ui(ui, env.runtime, env.toasts);
        if let Some(err) = &self.store_error {
            ui.colored_label(tokens.bad, format!("The token was not stored: {err}"));
        }
        if stored.is_some() && !self.replacing {
            return;
        }
        if self.storing.is_running() {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Storing the token…");
            });
            return;
        }
        if !env.secrets.is_persistent() {
            ui.colored_label(
                tokens.warn,
                "⚠ No keyring: the token is kept in memory for this session only, never in a file (see Credentials)",
            );
        }
        self.token_form_ui(ui, env, platform, idp);
    }

    fn token_form_ui(
        &mut self,
        ui: &mut egui::Ui,
        env: &mut StepEnv<'_>,
        platform: &Platform,
        idp: &Idp,
    ) {
        let tokens = Tokens::ui(ui);
        let issuance = credential::issuance(CredentialKind::ScimToken, platform, idp);
        if let Issuance::ImportOnly { why } = &issuance {
            ui.colored_label(tokens.muted, why);
        }
        let preset_days = preset_lifetime_days(CredentialKind::ScimToken, platform, idp);
        ui.horizontal(|ui| {
            let label = ui.label("SCIM token");
            let width = crate::ui::theme::field_width(ui, 340.0);
            self.token_input
                .ui(ui, "paste the token here", width)
                .labelled_by(label.id);
        });
        let prefix = Some(platform.scim.token_prefix.as_str()).filter(|p| !p.is_empty());
        let cleaned = if self.token_input.trim().is_empty() {
            None
        } else {
            clean_import(&self.token_input, prefix).ok()
        };
        if let Some(imported) = &cleaned {
            for warning in &imported.warnings {
                ui.colored_label(tokens.warn, format!("⚠ {}", warning.message()));
            }
        }
        let expiry = self.expiry_ui(ui, env, platform, preset_days);
        ui.horizontal(|ui| {
            let can_store = cleaned.is_some() && expiry.is_ok();
            if ui
                .add_enabled(can_store, egui::Button::new("Store token"))
                .clicked()
                && let (Some(imported), Ok(expires_at)) = (cleaned, &expiry)
            {
                self.store(
                    ui.ctx(),
                    env,
                    imported.secret,
                    CredentialOrigin::Imported,
                    *expires_at,
                    false,
                );
            }
            if issuance == Issuance::Generate
                && ui
                    .button("Generate a token")
                    .on_hover_text(format!(
                        "{} accepts a token you choose: set this one in both places",
                        platform.name
                    ))
                    .clicked()
            {
                match generate_token() {
                    Ok(secret) => {
                        let expires_at = expiry.as_ref().ok().copied().flatten();
                        self.store(
                            ui.ctx(),
                            env,
                            secret,
                            CredentialOrigin::Generated,
                            expires_at,
                            true,
                        );
                    }
                    Err(err) => self.store_error = Some(err.to_string()),
                }
            }
            if self.replacing && ui.button("Cancel").clicked() {
                self.replacing = false;
                self.token_input.clear();
            }
        });
    }

    /// The token's expiry: the platform's preset lifetime, else an optional typed date.
    fn expiry_ui(
        &mut self,
        ui: &mut egui::Ui,
        env: &StepEnv<'_>,
        platform: &Platform,
        preset_days: Option<u32>,
    ) -> Result<Option<chrono::DateTime<chrono::Utc>>, ExpiryError> {
        let tokens = Tokens::ui(ui);
        if let Some(days) = preset_days {
            ui.colored_label(
                tokens.muted,
                format!(
                    "{} tokens last {days} days; the wizard warns before that",
                    platform.name
                ),
            );
            return Ok(resolve_expiry(ExpiryChoice::Preset, Some(days), env.now));
        }
        ui.horizontal(|ui| {
            let label = ui.label("Token expires on (optional)");
            ui.add(
                egui::TextEdit::singleline(&mut self.expiry_text)
                    .hint_text("YYYY-MM-DD")
                    .desired_width(crate::ui::theme::field_width(ui, 110.0)),
            )
            .labelled_by(label.id);
        });
        if self.expiry_text.trim().is_empty() {
            return Ok(None);
        }
        let parsed = parse_date(&self.expiry_text);
        if let Err(err) = &parsed {
            ui.colored_label(
                tokens.bad,
                crate::diagnostics::words::sentence(&err.to_string()).as_ref(),
            );
        }
        parsed.map(Some)
    }

    fn store(
        &mut self,
        ctx: &egui::Context,
        env: &StepEnv<'_>,
        secret: Secret,
        origin: CredentialOrigin,
        expires_at: Option<chrono::DateTime<chrono::Utc>>,
        reveal: bool,
    ) {
        self.storing.start(
            ctx,
            env,
            CredentialKind::ScimToken,
            secret,
            origin,
            expires_at,
            reveal,
        );
        self.token_input.clear();
        self.store_error = None;
    }
}

/// Width kept free to the right of the base URL field for its "Copy URL" button.
const COPY_URL_ROOM: f32 = 100.0;

fn base_url_ui(ui: &mut egui::Ui, env: &mut StepEnv<'_>, platform: &Platform) {
    let tokens = Tokens::ui(ui);
    ui.heading("SCIM base URL");
    let pattern = rules::pattern_of(platform);
    let scim = &mut env.profile.scim;
    if let Some(pattern) = pattern {
        ui.horizontal_wrapped(|ui| {
            ui.label(format!("{} SCIM URLs look like", platform.name));
            ui.label(egui::RichText::new(pattern).monospace());
        });
        let errors = rules::placeholder_errors_as_typed(platform, &scim.url_params);
        egui::Grid::new("scim-url-fields")
            .num_columns(2)
            .spacing([10.0, 4.0])
            .show(ui, |ui| {
                for placeholder in &platform.scim.placeholders {
                    let label = ui.label(&placeholder.label);
                    ui.vertical(|ui| {
                        // Edited on a copy so that merely showing the step adds nothing to the profile.
                        let mut value = scim
                            .url_params
                            .get(&placeholder.name)
                            .cloned()
                            .unwrap_or_default();
                        let changed = ui
                            .add_enabled(
                                !scim.base_url_edited,
                                egui::TextEdit::singleline(&mut value)
                                    .hint_text(&placeholder.example)
                                    .desired_width(crate::ui::theme::field_width(ui, 380.0)),
                            )
                            .labelled_by(label.id)
                            .changed();
                        if changed {
                            scim.url_params.insert(placeholder.name.clone(), value);
                        }
                        if let Some((_, message)) =
                            errors.iter().find(|(name, _)| *name == placeholder.name)
                        {
                            ui.colored_label(tokens.bad, format!("✖ {message}"));
                        }
                        ui.label(
                            egui::RichText::new(&placeholder.help)
                                .small()
                                .color(tokens.muted),
                        );
                    });
                    ui.end_row();
                }
            });
        ui.checkbox(
            &mut scim.base_url_edited,
            "Type the whole URL myself instead",
        );
    } else if !platform.scim.base_url_hint.is_empty() {
        ui.colored_label(tokens.muted, &platform.scim.base_url_hint);
    }
    let editable = pattern.is_none() || scim.base_url_edited;
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("SCIM base URL");
        // Leave room for "Copy URL" in a small window instead of pushing it off the edge.
        let width = (ui.available_width() - COPY_URL_ROOM).clamp(160.0, 520.0);
        let edit = egui::TextEdit::singleline(&mut scim.base_url)
            .hint_text("https://…/scim/v2")
            .desired_width(width)
            .font(egui::TextStyle::Monospace)
            .interactive(editable);
        ui.add(edit).labelled_by(label.id);
        let copy = ui.add_enabled(
            !scim.base_url.trim().is_empty(),
            egui::Button::new("Copy URL"),
        );
        if copy.clicked() {
            ui.ctx().copy_text(scim.base_url.trim().to_owned());
            env.toasts
                .show("Copied to clipboard", ui.ctx().input(|i| i.time));
        }
    });
    if !scim.base_url.is_empty() {
        for issue in rules::base_url_issues(&scim.base_url, pattern) {
            let (icon, colour) = match issue.gravity() {
                Gravity::Blocking => ("✖", tokens.bad),
                Gravity::Advisory => ("⚠", tokens.warn),
            };
            ui.colored_label(
                colour,
                format!("{icon} {}. {}", issue.message(), issue.fix()),
            );
        }
    }
}

fn mappings_ui(ui: &mut egui::Ui, env: &mut StepEnv<'_>, platform: &Platform, idp: &Idp) {
    let tokens = Tokens::ui(ui);
    ui.heading("Attribute mappings");
    ui.label(format!(
        "What {} needs from each user, and what to map it from in {}'s provisioning mappings.",
        platform.name, idp.name
    ));
    let rows = rules::mapping_rows(platform, idp);
    let mut copied = None;
    // Columns wrap rather than run past the window's edge (issue #15).
    let column_width = ((ui.available_width() - 24.0) * 0.4).max(120.0);
    egui::Grid::new("scim-mappings")
        .max_col_width(column_width)
        .striped(true)
        .num_columns(3)
        .spacing([12.0, 4.0])
        .show(ui, |ui| {
            for heading in [
                "SCIM attribute",
                &format!("Map from ({})", idp.name),
                "Needed",
            ] {
                ui.label(egui::RichText::new(heading).strong());
            }
            ui.end_row();
            for row in &rows {
                ui.vertical(|ui| {
                    ui.set_max_width(column_width.min(460.0));
                    ui.horizontal_wrapped(|ui| {
                        ui.label(egui::RichText::new(&row.scim_path).monospace());
                        if ui
                            .small_button("Copy")
                            .on_hover_text("Copy the SCIM attribute")
                            .clicked()
                        {
                            copied = Some(row.scim_path.clone());
                        }
                    });
                    // Why the platform needs it, wrapped under the name so the table fits.
                    if !row.why.is_empty() {
                        ui.add(
                            egui::Label::new(
                                egui::RichText::new(&row.why).small().color(tokens.muted),
                            )
                            .wrap(),
                        );
                    }
                });
                ui.horizontal_wrapped(|ui| match &row.source {
                    Some(source) => {
                        ui.label(egui::RichText::new(source).monospace());
                        if ui
                            .small_button("Copy")
                            .on_hover_text("Copy the source attribute")
                            .clicked()
                        {
                            copied = Some(source.clone());
                        }
                    }
                    None => {
                        ui.colored_label(tokens.muted, "choose a source");
                    }
                });
                ui.label(if row.required {
                    "Required"
                } else {
                    "Recommended"
                });
                ui.end_row();
            }
        });
    if let Some(text) = copied {
        ui.ctx().copy_text(text);
        env.toasts
            .show("Copied to clipboard", ui.ctx().input(|i| i.time));
    }
    for warning in &platform.scim.warnings {
        ui.colored_label(tokens.warn, format!("⚠ {warning}"));
    }
    if !platform.scim.group_sync.is_empty() {
        ui.label(format!("Groups: {}", platform.scim.group_sync));
    }
    if platform.scim.nested_groups_supported == Some(false) {
        ui.colored_label(
            tokens.warn,
            format!(
                "⚠ {} takes direct group members only: people in nested groups are not provisioned",
                platform.name
            ),
        );
    }
    ui.colored_label(
        tokens.muted,
        "If users arrive but groups do not: check that group provisioning is on in the IdP and that the groups themselves are in scope",
    );
    ui.checkbox(
        &mut env.profile.scim.mappings_confirmed,
        format!("I checked these mappings in {}", idp.name),
    );
}

fn scope_ui(ui: &mut egui::Ui, env: &mut StepEnv<'_>, platform: &Platform, idp: &Idp) {
    let tokens = Tokens::ui(ui);
    ui.heading("Provisioning scope and timing");
    ui.label("Provision only the users and groups assigned to the SCIM app, starting with one pilot group.");
    if let Some(minutes) = idp.sync_interval_minutes {
        ui.label(format!(
            "{} sends changes in cycles, about every {minutes} minutes.",
            idp.name
        ));
    }
    if let Some(minutes) = platform.scim.sync_interval_minutes {
        ui.label(format!(
            "{} then processes them every {minutes} minutes, so the IdP's log may show success before the change appears.",
            platform.name
        ));
    }
    if !idp.quarantine.is_empty() {
        ui.colored_label(tokens.muted, &idp.quarantine);
    }
    ui.checkbox(
        &mut env.profile.scim.scope_confirmed,
        "The SCIM app provisions assigned users and groups only",
    );
}

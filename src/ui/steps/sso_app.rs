//! The SSO app step: the IdP's walkthrough for the OIDC app registration with "Open in
//! browser" buttons, the issuer built from the tenant id or domain (editable), the client
//! ID, the client secret handed to the secret store with its expiry, the scopes, the
//! allowed email domains, the redirect URI helper that names every difference between
//! what the platform expects and what the IdP has, and the assignment and break-glass
//! reminders.
//!
//! Every rule comes from the core ([`crate::wizard::sso`], [`crate::secrets::credential`]);
//! fields are re-checked every frame and marked when wrong. The secret goes to the store
//! from a background task and never to the profile; its field is zeroized when stored or
//! when the step is left.

use std::fmt;

use chrono::{DateTime, Utc};

use super::{Step, StepEnv, StepOutcome};
use crate::catalog::{Idp, Platform, SsoProtocol, WalkStep};
use crate::model::{CredentialKind, CredentialOrigin};
use crate::secrets::credential::{self, ExpiryChoice, Issuance, parse_date, resolve_expiry};
use crate::secrets::{Secret, clean_import, generate_token, masked};
use crate::ui::theme::Tokens;
use crate::ui::widgets::expiry_badge;
use crate::ui::widgets::secret_input::SecretInput;
use crate::ui::widgets::secret_reveal::SecretReveal;
use crate::ui::widgets::store_task::StoreTask;
use crate::ui::widgets::walkthrough;
use crate::wizard::sso as rules;

/// Asked before leaving while a generated secret has not been copied.
const LEAVE_WARNING: &str = "The generated client secret will not be shown again. If you leave before copying it, you will have to generate a new one.";

/// How the admin gives the secret's expiry.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Lifetime {
    /// The IdP's suggested lifetime (its shortest), or none when it has no lifetimes.
    #[default]
    Suggested,
    /// One of the IdP's lifetimes, in days from today.
    Days(u32),
    /// A date typed by the admin.
    Date,
    /// It does not expire.
    Never,
}

/// State of the SSO app step: raw input only; the profile holds the rest.
#[derive(Default)]
pub struct SsoAppStep {
    /// The pasted secret; zeroized on drop, after storing and when the step is left.
    secret_input: SecretInput,
    lifetime: Lifetime,
    expiry_text: String,
    /// Show the secret form although a secret is stored.
    replacing: bool,
    storing: StoreTask,
    store_error: Option<String>,
    reveal: SecretReveal,
}

impl fmt::Debug for SsoAppStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SsoAppStep")
            .field("secret_input", &"…")
            .field("lifetime", &self.lifetime)
            .field("replacing", &self.replacing)
            .field("storing", &self.storing.is_running())
            .field("store_error", &self.store_error)
            .finish_non_exhaustive()
    }
}

impl Step for SsoAppStep {
    fn ui(&mut self, ui: &mut egui::Ui, env: &mut StepEnv<'_>) -> StepOutcome {
        self.poll(ui.ctx(), env);
        let platform = env.catalog.platform(env.profile.platform);
        let idp = env.catalog.idp(env.profile.idp);
        ui.heading("SSO app");
        if crate::checks::sso_protocol(env.profile) == SsoProtocol::Saml {
            saml_ui(ui, env, platform, idp);
            return StepOutcome::Stay;
        }
        ui.label(format!(
            "Sign-in gets its own OpenID Connect app in {}, separate from the SCIM provisioning app: {} redirects users to it and trusts the ID tokens it issues.",
            idp.name, platform.name
        ));
        ui.add_space(8.0);
        Self::walkthrough_ui(ui, env, idp);
        ui.add_space(8.0);
        issuer_ui(ui, env, idp);
        ui.add_space(8.0);
        client_id_ui(ui, env);
        ui.add_space(8.0);
        self.secret_ui(ui, env, platform, idp);
        ui.add_space(8.0);
        scopes_ui(ui, env, platform, idp);
        if platform.sso.uses_allowed_domains {
            ui.add_space(8.0);
            domains_ui(ui, env, platform);
        }
        ui.add_space(8.0);
        redirect_ui(ui, env, platform, idp);
        ui.add_space(8.0);
        reminders_ui(ui, env, platform, idp);
        StepOutcome::Stay
    }

    fn leave_warning(&self) -> Option<String> {
        self.reveal.is_showing().then(|| LEAVE_WARNING.to_owned())
    }

    fn on_leave(&mut self, _env: &mut StepEnv<'_>) {
        self.reveal.dismiss();
        self.secret_input.clear();
        if !self.storing.is_running() {
            self.storing.forget();
            self.store_error = None;
        }
    }
}

impl SsoAppStep {
    fn poll(&mut self, ctx: &egui::Context, env: &mut StepEnv<'_>) {
        match self.storing.poll(ctx, env, "Client secret") {
            Some(Ok(reveal)) => {
                if let Some(secret) = reveal {
                    self.reveal = SecretReveal::once(secret, "client secret");
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
            .sso_steps
            .iter()
            .filter(|s| s.applies_to(env.profile.platform))
            .collect();
        if steps.is_empty() {
            return;
        }
        egui::CollapsingHeader::new(format!("Set up the SSO app in {}", idp.name))
            .default_open(true)
            .show(ui, |ui| {
                walkthrough::steps_ui(ui, &steps, &env.profile.sso.issuer_params, "below");
            });
    }

    fn secret_ui(
        &mut self,
        ui: &mut egui::Ui,
        env: &mut StepEnv<'_>,
        platform: &Platform,
        idp: &Idp,
    ) {
        let tokens = Tokens::ui(ui);
        ui.heading("Client secret");
        let stored = env
            .profile
            .sso
            .client_secret_credential
            .as_deref()
            .and_then(|id| env.profile.credential(id))
            .cloned();
        if let Some(meta) = &stored {
            let mut replace = false;
            ui.horizontal(|ui| {
                ui.label("Stored secret:");
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
            if meta.expires_at.is_none() && !idp.secret_lifetimes_days.is_empty() {
                ui.colored_label(
                    tokens.bad,
                    format!(
                        "✖ {} secrets always expire: replace it and give its expiry",
                        idp.name
                    ),
                );
            }
        }
        self.reveal.ui(ui, env.runtime, env.toasts);
        if let Some(err) = &self.store_error {
            ui.colored_label(tokens.bad, format!("The secret was not stored: {err}"));
        }
        if stored.is_some() && !self.replacing {
            return;
        }
        if self.storing.is_running() {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Storing the secret…");
            });
            return;
        }
        if !env.secrets.is_persistent() {
            ui.colored_label(
                tokens.warn,
                "⚠ No keyring: the secret is kept in memory for this session only, never in a file (see Credentials)",
            );
        }
        self.secret_form_ui(ui, env, platform, idp);
    }

    fn secret_form_ui(
        &mut self,
        ui: &mut egui::Ui,
        env: &mut StepEnv<'_>,
        platform: &Platform,
        idp: &Idp,
    ) {
        let tokens = Tokens::ui(ui);
        let issuance = credential::issuance(CredentialKind::ClientSecret, platform, idp);
        if let Issuance::ImportOnly { why } = &issuance {
            ui.colored_label(tokens.muted, why);
        }
        ui.horizontal(|ui| {
            let label = ui.label("Client secret");
            let width = crate::ui::theme::field_width(ui, 340.0);
            self.secret_input
                .ui(ui, "paste the secret's value here", width)
                .labelled_by(label.id);
        });
        let cleaned = if self.secret_input.trim().is_empty() {
            None
        } else {
            clean_import(&self.secret_input, None).ok()
        };
        // Entra's secret ID (a GUID) is not the secret: refuse to store it (#14).
        let is_secret_id = cleaned.as_ref().is_some_and(|imported| {
            env.profile.idp == crate::model::IdpId::Entra
                && crate::probes::oidc::is_guid(imported.secret.expose())
        });
        if let Some(imported) = &cleaned {
            for warning in &imported.warnings {
                ui.colored_label(tokens.warn, format!("⚠ {}", warning.message()));
            }
            if is_secret_id {
                ui.colored_label(
                    tokens.bad,
                    "✖ This is a GUID, which is the secret's ID: Entra's secret value is in the Value column",
                );
            }
        }
        let expiry = self.expiry_ui(ui, env.now, idp);
        if let Err(err) = &expiry {
            ui.colored_label(tokens.bad, format!("✖ {err}"));
        }
        if !idp.secret_lifetime_note.is_empty() {
            ui.colored_label(tokens.muted, &idp.secret_lifetime_note);
        }
        ui.horizontal(|ui| {
            let can_store = cleaned.is_some() && expiry.is_ok() && !is_secret_id;
            if ui
                .add_enabled(can_store, egui::Button::new("Store secret"))
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
                    .button("Generate a secret")
                    .on_hover_text(format!(
                        "{} accepts a secret you choose: set this one in both places",
                        idp.name
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
                self.secret_input.clear();
            }
        });
    }

    /// The expiry picker: the IdP's lifetimes, a date, or none; `Err` for a bad date.
    fn expiry_ui(
        &mut self,
        ui: &mut egui::Ui,
        now: DateTime<Utc>,
        idp: &Idp,
    ) -> Result<Option<DateTime<Utc>>, String> {
        let suggested = idp.secret_lifetimes_days.first().copied();
        if self.lifetime == Lifetime::Suggested {
            self.lifetime = suggested.map_or(Lifetime::Never, Lifetime::Days);
        }
        let describe = |lifetime: Lifetime| match lifetime {
            Lifetime::Days(days) => lifetime_label(days),
            Lifetime::Date => "Until a date…".to_owned(),
            Lifetime::Never | Lifetime::Suggested => "Does not expire".to_owned(),
        };
        ui.horizontal(|ui| {
            let label = ui.label("Secret expires");
            let combo = egui::ComboBox::from_id_salt("sso-secret-lifetime")
                .selected_text(describe(self.lifetime))
                .show_ui(ui, |ui| {
                    for days in &idp.secret_lifetimes_days {
                        ui.selectable_value(
                            &mut self.lifetime,
                            Lifetime::Days(*days),
                            lifetime_label(*days),
                        );
                    }
                    ui.selectable_value(&mut self.lifetime, Lifetime::Date, "Until a date…");
                    if idp.secret_lifetimes_days.is_empty() {
                        ui.selectable_value(&mut self.lifetime, Lifetime::Never, "Does not expire");
                    }
                });
            combo.response.labelled_by(label.id);
            if self.lifetime == Lifetime::Date {
                let date = ui.label("Date");
                ui.add(
                    egui::TextEdit::singleline(&mut self.expiry_text)
                        .hint_text("YYYY-MM-DD")
                        .desired_width(crate::ui::theme::field_width(ui, 110.0)),
                )
                .labelled_by(date.id);
            }
        });
        let choice = match self.lifetime {
            Lifetime::Days(days) => ExpiryChoice::LifetimeDays(days),
            Lifetime::Date => {
                ExpiryChoice::At(parse_date(&self.expiry_text).map_err(|err| err.to_string())?)
            }
            Lifetime::Never | Lifetime::Suggested => ExpiryChoice::Never,
        };
        let expires_at = resolve_expiry(choice, None, now);
        if let Some(at) = expires_at {
            if at <= now {
                return Err(
                    "That date has passed: a secret that expired no longer signs anyone in"
                        .to_owned(),
                );
            }
            ui.colored_label(
                Tokens::ui(ui).muted,
                format!(
                    "Expires {}; the wizard warns you 30 days before",
                    at.format("%Y-%m-%d")
                ),
            );
        }
        Ok(expires_at)
    }

    fn store(
        &mut self,
        ctx: &egui::Context,
        env: &StepEnv<'_>,
        secret: Secret,
        origin: CredentialOrigin,
        expires_at: Option<DateTime<Utc>>,
        reveal: bool,
    ) {
        self.storing.start(
            ctx,
            env,
            CredentialKind::ClientSecret,
            secret,
            origin,
            expires_at,
            reveal,
        );
        self.secret_input.clear();
        self.store_error = None;
    }
}

/// "180 days (6 months)", "365 days (12 months)".
fn lifetime_label(days: u32) -> String {
    let months = (f64::from(days) / 30.4).round();
    if days >= 28 {
        format!("{days} days ({months} months)")
    } else {
        format!("{days} days")
    }
}

fn error_line(ui: &mut egui::Ui, message: &str) {
    ui.colored_label(Tokens::ui(ui).bad, format!("✖ {message}"));
}

fn issuer_ui(ui: &mut egui::Ui, env: &mut StepEnv<'_>, idp: &Idp) {
    let tokens = Tokens::ui(ui);
    ui.heading("Issuer");
    let sso = &mut env.profile.sso;
    let pattern = rules::chosen_pattern(idp, &sso.issuer_pattern).cloned();
    if let Some(pattern) = &pattern {
        if idp.issuer_patterns.len() > 1 {
            ui.horizontal(|ui| {
                let label = ui.label("Authorization server");
                let combo = egui::ComboBox::from_id_salt("sso-issuer-pattern")
                    .selected_text(&pattern.label)
                    .show_ui(ui, |ui| {
                        for choice in &idp.issuer_patterns {
                            ui.selectable_value(
                                &mut sso.issuer_pattern,
                                choice.label.clone(),
                                &choice.label,
                            );
                        }
                    });
                combo.response.labelled_by(label.id);
            });
            if !pattern.note.is_empty() {
                ui.colored_label(tokens.muted, &pattern.note);
            }
        }
        let problems = match rules::derive_issuer(idp, pattern, &sso.issuer_params) {
            Ok(derived) => {
                if !sso.issuer_edited && sso.issuer != derived {
                    sso.issuer = derived;
                }
                Vec::new()
            }
            Err(problems) => {
                if !sso.issuer_edited && !sso.issuer.is_empty() {
                    sso.issuer.clear();
                }
                problems
            }
        };
        issuer_fields_ui(ui, sso, idp, pattern, &problems);
        ui.checkbox(&mut sso.issuer_edited, "Type the issuer myself instead");
    }
    let editable = pattern.is_none() || sso.issuer_edited;
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("Issuer URL");
        ui.add(
            egui::TextEdit::singleline(&mut sso.issuer)
                .hint_text("https://…")
                .desired_width(crate::ui::theme::field_width(ui, 520.0))
                .font(egui::TextStyle::Monospace)
                .interactive(editable),
        )
        .labelled_by(label.id);
        if ui
            .add_enabled(
                !sso.issuer.trim().is_empty(),
                egui::Button::new("Copy issuer"),
            )
            .clicked()
        {
            ui.ctx().copy_text(sso.issuer.trim().to_owned());
            env.toasts
                .show("Copied to clipboard", ui.ctx().input(|i| i.time));
        }
    });
    if !sso.issuer.is_empty() || editable {
        match rules::check_issuer(&sso.issuer) {
            Ok(advice) => {
                for line in advice {
                    ui.colored_label(tokens.warn, format!("⚠ {line}"));
                }
            }
            Err(message) if !sso.issuer.is_empty() => error_line(ui, &message),
            Err(_) => {}
        }
    }
    ui.colored_label(
        tokens.muted,
        "Paste this same issuer into the platform's SSO settings, character for character",
    );
}

/// The fields the issuer is built from (tenant id, Okta domain…), each marked when wrong.
fn issuer_fields_ui(
    ui: &mut egui::Ui,
    sso: &mut crate::model::SsoApp,
    idp: &Idp,
    pattern: &crate::catalog::IssuerPattern,
    problems: &[(String, String)],
) {
    let tokens = Tokens::ui(ui);
    egui::Grid::new("sso-issuer-fields")
        .num_columns(2)
        .spacing([10.0, 4.0])
        .show(ui, |ui| {
            for placeholder in &idp.issuer_placeholders {
                if !crate::catalog::placeholders(&pattern.pattern)
                    .contains(&placeholder.name.as_str())
                {
                    continue;
                }
                let label = ui.label(&placeholder.label);
                ui.vertical(|ui| {
                    // Edited on a copy so that merely showing the step adds nothing to the profile.
                    let mut value = sso
                        .issuer_params
                        .get(&placeholder.name)
                        .cloned()
                        .unwrap_or_default();
                    let changed = ui
                        .add_enabled(
                            !sso.issuer_edited,
                            egui::TextEdit::singleline(&mut value)
                                .hint_text(&placeholder.example)
                                .desired_width(crate::ui::theme::field_width(ui, 380.0)),
                        )
                        .labelled_by(label.id)
                        .changed();
                    if changed {
                        sso.issuer_params.insert(placeholder.name.clone(), value);
                    }
                    let typed = sso
                        .issuer_params
                        .get(&placeholder.name)
                        .is_some_and(|v| !v.is_empty());
                    if typed
                        && let Some((_, message)) =
                            problems.iter().find(|(name, _)| *name == placeholder.name)
                    {
                        error_line(ui, message);
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
}

fn client_id_ui(ui: &mut egui::Ui, env: &mut StepEnv<'_>) {
    ui.heading("Client ID");
    let idp_id = env.profile.idp;
    let sso = &mut env.profile.sso;
    ui.horizontal(|ui| {
        let label = ui.label("Client ID");
        ui.add(
            egui::TextEdit::singleline(&mut sso.client_id)
                .hint_text(if idp_id == crate::model::IdpId::Entra {
                    "Application (client) ID"
                } else {
                    "client ID"
                })
                .desired_width(crate::ui::theme::field_width(ui, 380.0))
                .font(egui::TextStyle::Monospace),
        )
        .labelled_by(label.id);
    });
    if !sso.client_id.is_empty()
        && let Err(message) = rules::check_client_id(idp_id, &sso.client_id)
    {
        error_line(ui, &message);
    }
}

fn scopes_ui(ui: &mut egui::Ui, env: &mut StepEnv<'_>, platform: &Platform, idp: &Idp) {
    let tokens = Tokens::ui(ui);
    ui.heading("Scopes");
    let sso = &mut env.profile.sso;
    // Shown with the platform's scopes until the admin types: showing writes nothing.
    let mut text = if sso.scopes.is_empty() {
        platform.sso.scopes.join(" ")
    } else {
        sso.scopes.clone()
    };
    ui.horizontal(|ui| {
        let label = ui.label("Scopes");
        let changed = ui
            .add(
                egui::TextEdit::singleline(&mut text)
                    .desired_width(crate::ui::theme::field_width(ui, 380.0))
                    .font(egui::TextStyle::Monospace),
            )
            .labelled_by(label.id)
            .changed();
        if changed {
            sso.scopes.clone_from(&text);
        }
    });
    match rules::effective_scopes(&sso.scopes, platform) {
        Err(message) => error_line(ui, &message),
        Ok(scopes) => {
            let missing = rules::missing_platform_scopes(&scopes, platform);
            if !missing.is_empty() {
                error_line(
                    ui,
                    &format!("{} needs {} as well", platform.name, missing.join(", ")),
                );
            }
        }
    }
    if idp.id == crate::model::IdpId::Entra {
        ui.colored_label(
            tokens.muted,
            "In Entra, these are Microsoft Graph delegated permissions under API permissions; grant admin consent for the tenant",
        );
    }
}

fn domains_ui(ui: &mut egui::Ui, env: &mut StepEnv<'_>, platform: &Platform) {
    let tokens = Tokens::ui(ui);
    ui.heading("Allowed email domains");
    ui.label(format!(
        "{} sends users to SSO by the part after the @ in their email address. List every domain your users sign in with.",
        platform.name
    ));
    let sso = &mut env.profile.sso;
    ui.horizontal(|ui| {
        let label = ui.label("Allowed email domains");
        ui.add(
            egui::TextEdit::singleline(&mut sso.allowed_domains)
                .hint_text("example.com, example.org")
                .desired_width(crate::ui::theme::field_width(ui, 380.0)),
        )
        .labelled_by(label.id);
    });
    match rules::parse_allowed_domains(&sso.allowed_domains) {
        Err(message) => error_line(ui, &message),
        Ok(domains) if domains.is_empty() => {
            ui.colored_label(
                tokens.muted,
                "Write each domain without the @, for example example.com",
            );
        }
        Ok(domains) => {
            ui.colored_label(
                tokens.good,
                format!("✔ Users at {} are sent to SSO", domains.join(", ")),
            );
        }
    }
}

/// What the redirect URI is for; the Entra error code only in an Entra tenant.
fn redirect_intro(idp: crate::model::IdpId) -> String {
    let code = if idp == crate::model::IdpId::Entra {
        " (AADSTS50011 in Entra)"
    } else {
        ""
    };
    format!(
        "The IdP sends users back to this address after sign-in. It must match character for character: scheme, host, port, path, letter case and any trailing slash. A mismatch shows as an error page{code} or as a redirect loop."
    )
}

fn redirect_ui(ui: &mut egui::Ui, env: &mut StepEnv<'_>, platform: &Platform, idp: &Idp) {
    let tokens = Tokens::ui(ui);
    ui.heading("Redirect URI");
    ui.label(redirect_intro(idp.id));
    let profile = &mut *env.profile;
    let sso = &mut profile.sso;
    let pattern = platform.sso.redirect_uri.trim();
    if pattern.is_empty() {
        if !platform.sso.redirect_uri_hint.is_empty() {
            ui.colored_label(tokens.muted, &platform.sso.redirect_uri_hint);
        }
        ui.horizontal(|ui| {
            let label = ui.label(format!("Redirect URI shown by {}", platform.name));
            ui.add(
                egui::TextEdit::singleline(&mut sso.platform_redirect_uri)
                    .hint_text("https://…")
                    .desired_width(crate::ui::theme::field_width(ui, 440.0))
                    .font(egui::TextStyle::Monospace),
            )
            .labelled_by(label.id);
        });
    } else if !platform.sso.redirect_placeholders.is_empty() {
        for placeholder in &platform.sso.redirect_placeholders {
            ui.horizontal(|ui| {
                let label = ui.label(&placeholder.label);
                let mut value = sso
                    .redirect_params
                    .get(&placeholder.name)
                    .cloned()
                    .unwrap_or_default();
                let changed = ui
                    .add(
                        egui::TextEdit::singleline(&mut value)
                            .hint_text(&placeholder.example)
                            .desired_width(crate::ui::theme::field_width(ui, 300.0)),
                    )
                    .labelled_by(label.id)
                    .changed();
                if changed {
                    sso.redirect_params
                        .insert(placeholder.name.clone(), value.clone());
                }
                if !value.is_empty()
                    && let Err(message) = placeholder.validate(&value)
                {
                    error_line(ui, &message);
                }
            });
        }
    }
    let snapshot = profile.clone();
    let expected = rules::redirect_uri_to_match(&snapshot, platform);
    let sso = &mut profile.sso;
    if let (Some(expected), false) = (&expected, pattern.is_empty()) {
        ui.horizontal(|ui| {
            ui.label(format!("{} expects", platform.name));
            ui.label(egui::RichText::new(expected).monospace().strong());
            if ui.button("Copy redirect URI").clicked() {
                ui.ctx().copy_text(expected.clone());
                env.toasts
                    .show("Copied to clipboard", ui.ctx().input(|i| i.time));
            }
        });
        if !platform.sso.redirect_uri_hint.is_empty() {
            ui.colored_label(tokens.muted, &platform.sso.redirect_uri_hint);
        }
    }
    ui.horizontal(|ui| {
        let label = ui.label(format!("Redirect URI registered in {}", idp.name));
        ui.add(
            egui::TextEdit::singleline(&mut sso.registered_redirect_uri)
                .hint_text("paste it to compare")
                .desired_width(crate::ui::theme::field_width(ui, 440.0))
                .font(egui::TextStyle::Monospace),
        )
        .labelled_by(label.id);
    });
    match (&expected, sso.registered_redirect_uri.is_empty()) {
        (_, true) => {}
        (None, false) => {
            ui.colored_label(
                tokens.muted,
                format!("Enter the redirect URI {} shows to compare", platform.name),
            );
        }
        (Some(expected), false) => {
            let differences = rules::compare_redirect_uris(expected, &sso.registered_redirect_uri);
            if differences.is_empty() {
                ui.colored_label(tokens.good, "✔ Identical, character for character");
            }
            for difference in differences {
                error_line(ui, &difference.message());
            }
        }
    }
}

fn reminders_ui(ui: &mut egui::Ui, env: &mut StepEnv<'_>, platform: &Platform, idp: &Idp) {
    let tokens = Tokens::ui(ui);
    ui.heading("Before you go on");
    for note in platform
        .sso
        .notes
        .iter()
        .filter(|note| note.applies_to(platform.id, idp.id))
    {
        ui.colored_label(tokens.muted, format!("• {}", note.text));
    }
    let sso = &mut env.profile.sso;
    ui.label(format!(
        "Only users and groups assigned to the app in {} can sign in; anyone else is refused{}.",
        idp.name,
        if idp.id == crate::model::IdpId::Entra {
            " with AADSTS50105"
        } else {
            ""
        }
    ));
    ui.checkbox(
        &mut sso.assignment_confirmed,
        "Users or groups are assigned to the SSO app",
    );
    ui.label(format!(
        "Keep one {} admin who signs in without SSO (a local account on a domain outside SSO), so a broken SSO setting cannot lock everyone out.",
        platform.name
    ));
    ui.checkbox(
        &mut sso.break_glass_confirmed,
        "A break-glass admin can sign in without SSO",
    );
}

/// The SSO app step for a SAML tenant: the IdP's metadata and entity id, and the SP
/// values helper (the ACS URL and SP entity id the platform expects, each compared with
/// what the IdP's app holds).
fn saml_ui(ui: &mut egui::Ui, env: &mut StepEnv<'_>, platform: &Platform, idp: &Idp) {
    use crate::wizard::saml::{self, SpValue};
    let tokens = Tokens::ui(ui);
    ui.label(format!(
        "Sign-in uses a SAML 2.0 app in {}: {} sends users to it and trusts the assertions it signs. Give the app the two values below, then give {} the app's metadata.",
        idp.name, platform.name, platform.name
    ));
    ui.add_space(8.0);
    ui.heading("Values for the IdP's SAML app");
    for which in [SpValue::AcsUrl, SpValue::SpEntityId] {
        let (preset, hint) = match which {
            SpValue::AcsUrl => (&platform.sso.acs_url, &platform.sso.acs_url_hint),
            SpValue::SpEntityId => (&platform.sso.sp_entity_id, &platform.sso.sp_entity_id_hint),
        };
        let name = which.label();
        ui.strong(name);
        if !hint.is_empty() {
            ui.colored_label(tokens.muted, hint.as_str());
        }
        let fixed = !preset.trim().is_empty() && !preset.contains('{');
        if !fixed {
            ui.horizontal_wrapped(|ui| {
                let label = ui.label(format!("{name} shown by {}", platform.name));
                let field = match which {
                    SpValue::AcsUrl => &mut env.profile.saml.platform_acs_url,
                    SpValue::SpEntityId => &mut env.profile.saml.platform_sp_entity_id,
                };
                ui.add(
                    egui::TextEdit::singleline(field)
                        .hint_text("https://…")
                        .desired_width(crate::ui::theme::field_width(ui, 440.0))
                        .font(egui::TextStyle::Monospace),
                )
                .labelled_by(label.id);
            });
        }
        let expected = saml::expected(env.profile, platform, which);
        if let Some(expected) = &expected {
            ui.horizontal_wrapped(|ui| {
                ui.label(format!("{} expects", platform.name));
                ui.label(egui::RichText::new(expected).monospace().strong());
                if ui.button(format!("Copy {name}")).clicked() {
                    ui.ctx().copy_text(expected.clone());
                    env.toasts
                        .show("Copied to clipboard", ui.ctx().input(|i| i.time));
                }
            });
        }
        ui.horizontal_wrapped(|ui| {
            let label = ui.label(format!("{name} entered in {}", idp.name));
            let field = match which {
                SpValue::AcsUrl => &mut env.profile.saml.registered_acs_url,
                SpValue::SpEntityId => &mut env.profile.saml.registered_sp_entity_id,
            };
            ui.add(
                egui::TextEdit::singleline(field)
                    .hint_text("paste it to compare")
                    .desired_width(crate::ui::theme::field_width(ui, 440.0))
                    .font(egui::TextStyle::Monospace),
            )
            .labelled_by(label.id);
        });
        let registered = saml::registered(env.profile, which);
        match (&expected, registered.is_empty()) {
            (_, true) => {}
            (None, false) => {
                ui.colored_label(
                    tokens.muted,
                    format!("Enter the {name} {} shows to compare", platform.name),
                );
            }
            (Some(expected), false) => {
                let differences = saml::compare(expected, registered);
                if differences.is_empty() {
                    ui.colored_label(tokens.good, "✔ Identical, character for character");
                }
                for difference in differences {
                    error_line(ui, &difference.message());
                }
            }
        }
        ui.add_space(6.0);
    }
    saml_metadata_ui(ui, env, platform, idp);
}

/// The metadata URL or file and the IdP entity id of a SAML tenant.
fn saml_metadata_ui(ui: &mut egui::Ui, env: &mut StepEnv<'_>, platform: &Platform, idp: &Idp) {
    let tokens = Tokens::ui(ui);
    ui.add_space(8.0);
    ui.heading("The IdP's metadata");
    ui.label(format!(
        "Paste the metadata URL {} shows for the app, or the path of the metadata file you downloaded from it. Test SSO reads it and checks the signing certificates.",
        idp.name
    ));
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("Metadata URL or file");
        ui.add(
            egui::TextEdit::singleline(&mut env.profile.saml.metadata)
                .hint_text("https://… or /path/to/metadata.xml")
                .desired_width(crate::ui::theme::field_width(ui, 440.0))
                .font(egui::TextStyle::Monospace),
        )
        .labelled_by(label.id);
    });
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("IdP entity id (optional)");
        ui.add(
            egui::TextEdit::singleline(&mut env.profile.saml.idp_entity_id)
                .hint_text("the Identifier or Issuer the IdP shows")
                .desired_width(crate::ui::theme::field_width(ui, 440.0))
                .font(egui::TextStyle::Monospace),
        )
        .labelled_by(label.id);
    });
    if env.profile.saml.metadata.trim().is_empty() {
        ui.colored_label(tokens.muted, "Test SSO needs the metadata URL or file");
    }
    for note in platform
        .sso
        .notes
        .iter()
        .filter(|n| n.applies_to(platform.id, idp.id))
    {
        ui.colored_label(tokens.muted, note.text.as_str());
    }
}

//! The Tenant step: create a tenant profile or open, rename, duplicate or delete a saved
//! one. It returns [`TenantCommand`]s; the shell does the storage work.

use chrono::{DateTime, Local, Utc};

use crate::model::{IdpId, PlatformId, Profile, SsoProtocol};
use crate::storage::Listing;
use crate::ui::task::Task;
use crate::ui::theme::Tokens;

/// What the Tenant step asks the shell to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TenantCommand {
    /// Create a profile and open it.
    Create {
        /// Tenant name.
        name: String,
        /// Platform.
        platform: PlatformId,
        /// IdP.
        idp: IdpId,
    },
    /// Open a saved profile.
    Open(String),
    /// Duplicate a saved profile (without its credentials).
    Duplicate(String),
    /// Rename a saved profile.
    Rename {
        /// Profile id.
        id: String,
        /// New name.
        name: String,
    },
    /// Delete a saved profile (already confirmed).
    Delete(String),
    /// Read the profiles folder again.
    Refresh,
}

/// What the Tenant step gets each frame.
pub struct TenantEnv<'a> {
    /// The open profile, if any.
    pub profile: Option<&'a mut Profile>,
    /// The saved profiles (loading in the background at start-up).
    pub listing: &'a Task<Result<Listing, String>>,
    /// The current time.
    pub now: DateTime<Utc>,
}

/// A confirmation or input dialog of this step.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Dialog {
    Rename {
        id: String,
        name: String,
    },
    Delete {
        id: String,
        name: String,
        credentials: usize,
    },
}

/// State of the Tenant step: the new-tenant form and any open dialog.
#[derive(Debug)]
pub struct TenantStep {
    new_name: String,
    new_platform: PlatformId,
    new_idp: IdpId,
    dialog: Option<Dialog>,
}

impl Default for TenantStep {
    fn default() -> Self {
        Self {
            new_name: String::new(),
            new_platform: PlatformId::Airia,
            new_idp: IdpId::Entra,
            dialog: None,
        }
    }
}

impl TenantStep {
    /// True while a dialog is open (the shell then leaves Enter and Escape to it).
    pub fn has_dialog(&self) -> bool {
        self.dialog.is_some()
    }

    /// Draws the step.
    pub fn ui(&mut self, ui: &mut egui::Ui, env: &mut TenantEnv<'_>) -> Option<TenantCommand> {
        let mut command = None;
        ui.heading("Tenant");
        ui.label("Each tenant is one profile: the platform you connect, the identity provider, and everything you set up for them. Changes are saved as you type.");
        ui.add_space(8.0);

        if let Some(profile) = env.profile.as_deref_mut() {
            open_profile_ui(ui, profile);
            ui.add_space(12.0);
        }

        ui.group(|ui| {
            ui.strong("New tenant");
            egui::Grid::new("new-tenant")
                .num_columns(2)
                .spacing([12.0, 8.0])
                .show(ui, |ui| {
                    let label = ui.label("Tenant name");
                    let name = ui.add(
                        egui::TextEdit::singleline(&mut self.new_name)
                            .hint_text("e.g. Contoso production")
                            .desired_width(280.0),
                    );
                    let name = name.labelled_by(label.id);
                    ui.end_row();
                    let label = ui.label("Platform");
                    platform_combo(ui, "new-platform", label.id, &mut self.new_platform);
                    ui.end_row();
                    let label = ui.label("Identity provider");
                    idp_combo(ui, "new-idp", label.id, &mut self.new_idp);
                    ui.end_row();
                    let name_ok = !self.new_name.trim().is_empty();
                    let create = ui.add_enabled(name_ok, egui::Button::new("Create tenant"));
                    let enter = name.lost_focus()
                        && ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Enter));
                    if (create.clicked() || enter) && name_ok {
                        command = Some(TenantCommand::Create {
                            name: self.new_name.trim().to_owned(),
                            platform: self.new_platform,
                            idp: self.new_idp,
                        });
                        self.new_name.clear();
                    }
                    if !name_ok {
                        ui.weak("Enter a name to create a tenant");
                    }
                    ui.end_row();
                });
        });
        ui.add_space(12.0);

        let open_id = env.profile.as_deref().map(|p| p.id.clone());
        if let Some(c) = self.saved_profiles_ui(ui, env, open_id.as_deref()) {
            command = Some(c);
        }
        if let Some(c) = self.dialog_ui(ui) {
            command = Some(c);
        }
        command
    }

    fn saved_profiles_ui(
        &mut self,
        ui: &mut egui::Ui,
        env: &TenantEnv<'_>,
        open_id: Option<&str>,
    ) -> Option<TenantCommand> {
        let mut command = None;
        ui.horizontal(|ui| {
            ui.strong("Saved tenants");
            if ui
                .small_button("Reload")
                .on_hover_text("Read the profiles folder again")
                .clicked()
            {
                command = Some(TenantCommand::Refresh);
            }
        });
        let listing = match env.listing {
            Task::Idle | Task::Running(_) => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("Loading saved tenants…");
                });
                return command;
            }
            Task::Done(Err(err)) => {
                ui.colored_label(
                    Tokens::ui(ui).bad,
                    format!("Could not list saved tenants: {err}"),
                );
                return command;
            }
            Task::Done(Ok(listing)) => listing,
        };
        for problem in &listing.problems {
            ui.colored_label(Tokens::ui(ui).bad, format!("⚠ {problem}"));
        }
        if listing.profiles.is_empty() {
            ui.weak("No saved tenants yet. Create one above.");
            return command;
        }
        // Two columns (the tenant with its details under it, then its actions, which wrap)
        // so the list fits from the minimum window size up (issue #15).
        let name_width = (ui.available_width() * 0.5).max(160.0);
        egui::Grid::new("saved-tenants")
            .num_columns(2)
            .striped(true)
            .spacing([16.0, 6.0])
            .max_col_width(name_width)
            .show(ui, |ui| {
                for profile in &listing.profiles {
                    let is_open = open_id == Some(profile.id.as_str());
                    ui.vertical(|ui| {
                        if is_open {
                            ui.strong(format!("{} (open)", profile.name));
                        } else {
                            ui.label(&profile.name);
                        }
                        ui.label(
                            egui::RichText::new(format!(
                                "{} · {} · changed {}",
                                profile.platform.label(),
                                profile.idp.label(),
                                relative_time(profile.updated_at, env.now)
                            ))
                            .small()
                            .color(Tokens::ui(ui).muted),
                        );
                        if let Some(words) = crate::wizard::rotation::in_progress_words(profile) {
                            ui.colored_label(
                                Tokens::ui(ui).warn,
                                egui::RichText::new(words.as_str()).small(),
                            );
                        }
                    });
                    ui.horizontal_wrapped(|ui| {
                        if ui
                            .add_enabled(!is_open, egui::Button::new("Open"))
                            .on_hover_text(&profile.id)
                            .clicked()
                        {
                            command = Some(TenantCommand::Open(profile.id.clone()));
                        }
                        if ui.button("Rename…").clicked() {
                            self.dialog = Some(Dialog::Rename {
                                id: profile.id.clone(),
                                name: profile.name.clone(),
                            });
                        }
                        if ui
                            .button("Duplicate")
                            .on_hover_text("Copy the settings; credentials are not copied")
                            .clicked()
                        {
                            command = Some(TenantCommand::Duplicate(profile.id.clone()));
                        }
                        if ui.button("Delete…").clicked() {
                            self.dialog = Some(Dialog::Delete {
                                id: profile.id.clone(),
                                name: profile.name.clone(),
                                credentials: profile.credentials.len(),
                            });
                        }
                    });
                    ui.end_row();
                }
            });
        command
    }

    fn dialog_ui(&mut self, ui: &mut egui::Ui) -> Option<TenantCommand> {
        let dialog = self.dialog.as_mut()?;
        let mut command = None;
        let mut close = false;
        let modal = egui::Modal::new(egui::Id::unique("tenant-dialog")).show(ui.ctx(), |ui| {
            ui.set_width(380.0);
            match dialog {
                Dialog::Rename { id, name } => {
                    ui.heading("Rename tenant");
                    let label = ui.label("New name");
                    let field = ui.text_edit_singleline(name).labelled_by(label.id);
                    // Focus the name when the dialog opens; Tab can then move on to the buttons.
                    if ui.memory(|m| m.focused().is_none()) {
                        field.request_focus();
                    }
                    let valid = !name.trim().is_empty();
                    // A single-line field gives up focus on Enter, so `lost_focus` only shows
                    // a frame later, when the key is gone: read the key while the field has it.
                    let enter = (field.has_focus() || field.lost_focus())
                        && ui.input(|i| i.key_pressed(egui::Key::Enter));
                    ui.horizontal(|ui| {
                        if ui.add_enabled(valid, egui::Button::new("Rename")).clicked() || (enter && valid) {
                            command = Some(TenantCommand::Rename { id: id.clone(), name: name.trim().to_owned() });
                            close = true;
                        }
                        if ui.button("Cancel").clicked() {
                            close = true;
                        }
                    });
                }
                Dialog::Delete { id, name, credentials } => {
                    ui.heading("Delete tenant?");
                    ui.label(format!("“{name}” and its settings, checklist and check history will be deleted."));
                    if *credentials > 0 {
                        ui.label(format!(
                            "Its {} will be removed from the keyring too. The credentials themselves stay valid in the platform and IdP until you revoke them there.",
                            crate::diagnostics::words::count(*credentials, "stored secret", "stored secrets")
                        ));
                    }
                    ui.horizontal(|ui| {
                        if ui.button("Delete").clicked() {
                            command = Some(TenantCommand::Delete(id.clone()));
                            close = true;
                        }
                        if ui.button("Cancel").clicked() {
                            close = true;
                        }
                    });
                }
            }
        });
        if close || modal.should_close() {
            self.dialog = None;
        }
        command
    }
}

fn open_profile_ui(ui: &mut egui::Ui, profile: &mut Profile) {
    ui.group(|ui| {
        ui.strong("Open tenant");
        egui::Grid::new("open-tenant")
            .num_columns(2)
            .spacing([12.0, 8.0])
            .show(ui, |ui| {
                let label = ui.label("Name");
                ui.add(egui::TextEdit::singleline(&mut profile.name).desired_width(280.0))
                    .labelled_by(label.id);
                ui.end_row();
                let label = ui.label("Platform");
                platform_combo(ui, "open-platform", label.id, &mut profile.platform);
                ui.end_row();
                let label = ui.label("Identity provider");
                idp_combo(ui, "open-idp", label.id, &mut profile.idp);
                ui.end_row();
                protocol_row(ui, profile);
            });
        if profile.name.trim().is_empty() {
            ui.colored_label(Tokens::ui(ui).bad, "The tenant needs a name");
        }
    });
}

fn platform_combo(ui: &mut egui::Ui, id: &str, label: egui::Id, value: &mut PlatformId) {
    egui::ComboBox::from_id_salt(id)
        .selected_text(value.label())
        .width(280.0)
        .show_ui(ui, |ui| {
            for platform in PlatformId::ALL {
                ui.selectable_value(value, platform, platform.label());
            }
        })
        .response
        .labelled_by(label);
}

/// The sign-in protocol picker, shown only when the platform supports more than one; a
/// choice the platform does not support (after a platform change) falls back to its first.
fn protocol_row(ui: &mut egui::Ui, profile: &mut Profile) {
    let protocols = crate::catalog::catalog()
        .platform(profile.platform)
        .sso
        .protocols();
    if profile
        .sso_protocol
        .is_some_and(|chosen| !protocols.contains(&chosen))
    {
        profile.sso_protocol = None;
    }
    if protocols.len() < 2 {
        return;
    }
    let mut chosen = profile.sso_protocol.unwrap_or(protocols[0]);
    ui.label("Sign-in protocol");
    ui.horizontal(|ui| {
        for (i, protocol) in protocols.iter().enumerate() {
            let mut text = protocol_label(*protocol).to_owned();
            if i == 0 {
                text.push_str(" (recommended)");
            }
            ui.radio_value(&mut chosen, *protocol, text);
        }
    });
    ui.end_row();
    if chosen != profile.sso_protocol.unwrap_or(protocols[0]) {
        profile.sso_protocol = Some(chosen);
    }
}

/// How the window names a sign-in protocol.
pub fn protocol_label(protocol: SsoProtocol) -> &'static str {
    match protocol {
        SsoProtocol::Oidc => "OpenID Connect (OIDC)",
        SsoProtocol::Saml => "SAML 2.0",
    }
}

fn idp_combo(ui: &mut egui::Ui, id: &str, label: egui::Id, value: &mut IdpId) {
    egui::ComboBox::from_id_salt(id)
        .selected_text(value.label())
        .width(280.0)
        .show_ui(ui, |ui| {
            for idp in IdpId::ALL {
                ui.selectable_value(value, idp, idp.label());
            }
        })
        .response
        .labelled_by(label);
}

/// "just now", "5 min ago", "3 h ago", else the local date.
fn relative_time(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let seconds = (now - at).num_seconds();
    match seconds {
        ..60 => "just now".to_owned(),
        60..3600 => format!("{} min ago", seconds / 60),
        3600..86_400 => format!("{} h ago", seconds / 3600),
        _ => at.with_timezone(&Local).format("%Y-%m-%d").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_times_read_naturally() {
        let now = DateTime::parse_from_rfc3339("2026-11-23T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(relative_time(now, now), "just now");
        assert_eq!(
            relative_time(now - chrono::Duration::minutes(5), now),
            "5 min ago"
        );
        assert_eq!(
            relative_time(now - chrono::Duration::hours(3), now),
            "3 h ago"
        );
    }
}

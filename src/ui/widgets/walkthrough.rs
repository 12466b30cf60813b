//! An identity provider's walkthrough: numbered steps from the catalog, each with an
//! "Open in browser" button when it lives in an admin console. Shared by the SSO, SCIM and
//! rotation screens so the steps read and behave the same everywhere.

use std::collections::BTreeMap;

use crate::catalog::{WalkStep, catalog, fill_pattern};
use crate::ui::theme::Tokens;

/// Draws `steps` numbered from 1. Console links are filled from `values` (the issuer's
/// placeholders); while one is missing the button is disabled and its tooltip says to fill
/// it in `where_to_fill` ("below", "in the SSO app step"). A browser that cannot be opened
/// leaves a message under the steps until the next click.
pub fn steps_ui(
    ui: &mut egui::Ui,
    steps: &[&WalkStep],
    values: &BTreeMap<String, String>,
    where_to_fill: &str,
) {
    let error_id = egui::Id::unique("walkthrough-browser-error");
    let tokens = Tokens::ui(ui);
    for (number, step) in steps.iter().enumerate() {
        ui.horizontal_wrapped(|ui| {
            ui.label(egui::RichText::new(format!("{}. {}", number + 1, step.title)).strong());
            let Some(pattern) = step.console_url.as_deref().filter(|u| !u.is_empty()) else {
                return;
            };
            match fill_pattern(pattern, values) {
                Ok(url) => {
                    if ui
                        .button("Open in browser")
                        .on_hover_text(url.as_str())
                        .clicked()
                    {
                        let error = open_in_browser(&url).err();
                        ui.data_mut(|d| d.insert_temp(error_id, error));
                    }
                }
                Err(missing) => {
                    ui.add_enabled(false, egui::Button::new("Open in browser"))
                        .on_disabled_hover_text(missing_fields_hint(&missing, where_to_fill));
                }
            }
        });
        ui.label(&step.body);
        if !step.copy_back.is_empty() {
            let fields: Vec<&str> = step.copy_back.iter().map(|f| f.label()).collect();
            ui.colored_label(
                tokens.muted,
                format!("Copy into the wizard: {}", fields.join(", ")),
            );
        }
        ui.add_space(4.0);
    }
    if let Some(Some(err)) = ui.data(|d| d.get_temp::<Option<String>>(error_id)) {
        ui.colored_label(tokens.bad, err);
    }
}

/// Opens `url` in `$BROWSER` or the default browser without waiting for it.
pub fn open_in_browser(url: &str) -> Result<(), String> {
    crate::ui::browser::open_url(url).map_err(|err| err.to_string())
}

/// "Fill in Okta domain below to open this page": the fields by the labels the form shows,
/// never by the placeholder names of the catalog (`okta_domain`).
pub fn missing_fields_hint(missing: &[String], where_to_fill: &str) -> String {
    let labels: Vec<String> = missing
        .iter()
        .map(|name| {
            catalog()
                .idps
                .iter()
                .flat_map(|idp| &idp.issuer_placeholders)
                .find(|placeholder| placeholder.name == *name)
                .map_or_else(|| name.replace('_', " "), |p| p.label.clone())
        })
        .collect();
    let fields = match labels.as_slice() {
        [] => "the missing fields".to_owned(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    };
    format!("Fill in {fields} {where_to_fill} to open this page")
}

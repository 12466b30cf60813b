//! With no desktop save dialog, exports are offered a place in the admin's Documents
//! folder (as XDG user-dirs names it), else Downloads, else home; the Review step makes
//! the offer instead of only pointing to the command line.

use std::sync::Arc;

use chrono::Utc;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{By, Queryable as _};
use sso_scim_wizard::export::save_dir::{Places, save_into};
use sso_scim_wizard::model::{IdpId, PlatformId};
use sso_scim_wizard::secrets::MemoryStore;
use sso_scim_wizard::storage::ProfileStore;
use sso_scim_wizard::ui::{Launch, WizardApp};
use sso_scim_wizard::wizard::StepId;

use crate::ui_support;
use ui_support::step_until;

fn places(home: &std::path::Path) -> Places {
    Places {
        home: home.to_path_buf(),
        config_home: home.join(".config"),
    }
}

#[test]
fn documents_as_user_dirs_names_it_then_downloads_then_home() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path();
    assert_eq!(places(home).save_folder(), home);

    std::fs::create_dir(home.join("Downloads")).unwrap();
    assert_eq!(places(home).save_folder(), home.join("Downloads"));

    std::fs::create_dir_all(home.join(".config")).unwrap();
    std::fs::create_dir(home.join("Dokumente")).unwrap();
    std::fs::write(
        home.join(".config/user-dirs.dirs"),
        "XDG_DOCUMENTS_DIR=\"$HOME/Dokumente\"\nXDG_DOWNLOAD_DIR=\"$HOME/Downloads\"\n",
    )
    .unwrap();
    assert_eq!(places(home).save_folder(), home.join("Dokumente"));
}

#[test]
fn a_taken_name_is_never_overwritten() {
    let tmp = tempfile::tempdir().unwrap();
    let first = save_into(tmp.path(), "checklist.md", "one").unwrap();
    let second = save_into(tmp.path(), "checklist.md", "two").unwrap();
    assert_eq!(first, tmp.path().join("checklist.md"));
    assert_eq!(second, tmp.path().join("checklist (2).md"));
    assert_eq!(std::fs::read_to_string(first).unwrap(), "one");
    assert_eq!(std::fs::read_to_string(second).unwrap(), "two");
}

/// Runs only where no save dialog can open (no session bus, no zenity), as on this build
/// machine; elsewhere a real dialog would wait for a person.
#[test]
fn without_a_save_dialog_the_review_export_offers_a_folder_and_says_where() {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some()
        || std::process::Command::new("zenity")
            .arg("--version")
            .output()
            .is_ok()
    {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let profile = ProfileStore::at(tmp.path())
        .create("Contoso", PlatformId::Generic, IdpId::Generic, Utc::now())
        .unwrap();
    let launch = Launch {
        profile_id: Some(profile.id),
        step: Some(StepId::Review),
    };
    let app = WizardApp::new(
        ProfileStore::at(tmp.path()),
        Arc::new(MemoryStore::new()),
        None,
        &launch,
    )
    .unwrap();
    let mut h = Harness::builder()
        .with_size(egui::vec2(1200.0, 900.0))
        .build_ui_state(|ui, app: &mut WizardApp| app.ui(ui), app);
    step_until(&mut h, "the export button", |h| {
        h.query_by_role_and_label(Role::Button, "Export Markdown…")
            .is_some()
    });
    h.get_by_role_and_label(Role::Button, "Export Markdown…")
        .click();
    step_until(&mut h, "the offer of a folder", |h| {
        h.query(By::new().role(Role::Button).label_contains("Save as "))
            .is_some()
    });
    let expected = Places::from_env().unwrap().save_folder();
    let offer = h.get(By::new().role(Role::Button).label_contains("Save as "));
    let label = format!("{offer:?}");
    assert!(
        label.contains(&expected.display().to_string()) && label.contains("checklist-"),
        "the offer does not say where: {label}"
    );
}

//! Every finding and every OAuth/OIDC error the app can show resolves in Troubleshoot:
//! through the catalog lookups the window and `explain` use, through the panel itself,
//! and through the `explain` command.

use std::process::Command;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use sso_scim_wizard::catalog::{Match, catalog};
use sso_scim_wizard::diagnostics::{check_ids, oauth_errors};
use sso_scim_wizard::model::PlatformId;
use sso_scim_wizard::probes::login::LoginError;
use sso_scim_wizard::probes::oidc::OAuthError;
use sso_scim_wizard::ui::troubleshoot::Troubleshooter;

/// The texts the window hands to the panel after a failed test login with `code`: the
/// IdP's answer in the browser, and the token endpoint's answer to the code.
fn login_lookups(code: &str) -> [String; 2] {
    let idp = LoginError::Idp {
        error: code.to_owned(),
        description: "End-User aborted interaction".to_owned(),
    };
    let token = LoginError::Token(
        OAuthError {
            error: code.to_owned(),
            description: "the request was refused".to_owned(),
        }
        .text(),
    );
    [idp.lookup_text(), token.lookup_text()]
}

/// The lookup of the panel: all entries, or only those for `platform` (the panel's
/// default when a tenant is open).
fn lookup(text: &str, platform: Option<PlatformId>) -> Vec<Match<'static>> {
    match platform {
        Some(platform) => catalog().explain_for(text, platform),
        None => catalog().explain(text),
    }
}

fn platforms() -> impl Iterator<Item = Option<PlatformId>> {
    std::iter::once(None).chain(PlatformId::ALL.into_iter().map(Some))
}

#[test]
fn every_check_id_has_an_entry_for_its_findings_and_when_pasted() {
    for id in check_ids::all() {
        // The findings list's "What does this mean?" link.
        let entry = catalog().trouble_for_check(id);
        assert!(entry.is_some(), "no entry for findings of {id}");
        // A line of a text report pasted into the panel.
        let pasted = format!("✖ Failed  {}  ({id})", check_ids::title(id));
        for platform in platforms() {
            let matches = lookup(&pasted, platform);
            let best = matches
                .first()
                .unwrap_or_else(|| panic!("{pasted:?} finds nothing (platform {platform:?})"));
            assert!(
                best.entry.check_ids.iter().any(|linked| linked == id),
                "{pasted:?} leads to {} first, which does not explain {id}",
                best.entry.id
            );
        }
    }
}

#[test]
fn every_oauth_error_of_a_test_login_has_an_entry_naming_it_first() {
    let codes = oauth_errors::all();
    assert!(codes.len() >= 20, "the list of OAuth errors shrank");
    for code in codes {
        for text in login_lookups(code) {
            for platform in platforms() {
                let matches = lookup(&text, platform);
                let best = matches
                    .first()
                    .unwrap_or_else(|| panic!("{text:?} finds nothing (platform {platform:?})"));
                assert!(
                    best.entry.codes.iter().any(|c| c == code),
                    "{text:?} leads to {} first, which does not name {code}",
                    best.entry.id
                );
            }
        }
    }
}

#[test]
fn a_denied_test_login_shows_an_entry_in_the_panel_not_nothing() {
    for code in oauth_errors::all() {
        let [text, _] = login_lookups(code);
        for platform in [PlatformId::Generic, PlatformId::Airia] {
            let mut troubleshooter = Troubleshooter::default();
            troubleshooter.open_query(&text);
            let mut h = Harness::builder()
                .with_size(egui::vec2(500.0, 900.0))
                .build_ui_state(
                    move |ui, t: &mut Troubleshooter| t.ui(ui, catalog(), Some(platform)),
                    troubleshooter,
                );
            h.run();
            assert!(
                h.query_by_label_contains("Nothing in the catalog matches")
                    .is_none(),
                "{text:?} matches nothing in the panel for {platform:?}"
            );
            let best = catalog().explain_for(&text, platform);
            let title = &best.first().unwrap().entry.title;
            assert!(
                h.query_all_by_label(title).count() >= 2,
                "{title} is not listed and shown in full for {text:?}"
            );
        }
    }
}

#[test]
fn explain_command_finds_every_oauth_error() {
    for code in oauth_errors::all() {
        let [text, _] = login_lookups(code);
        let output = Command::new(env!("CARGO_BIN_EXE_sso-scim-wizard"))
            .args(["explain", "--platform", "generic", "--limit", "1", &text])
            .env(
                "SSO_SCIM_WIZARD_CONFIG_DIR",
                tempfile::tempdir().unwrap().path(),
            )
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "explain {text:?} failed: {stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let best = catalog().explain_for(&text, PlatformId::Generic);
        assert!(
            stdout.contains(&best.first().unwrap().entry.title),
            "explain {text:?} did not show the best entry: {stdout}"
        );
    }
}

//! The findings list shared by the Test SSO and Test SCIM steps: failures first, each
//! finding with an icon, colour and the status in words (colour is never the only
//! signal), its title, what was observed, a "How to fix" line, and a link to the
//! troubleshooting entry that explains the check. Plus the progress line shown while a
//! check runs and the one-line summary of a report.
//!
//! Display only: it takes findings, never runs a check, and keeps no state.

use crate::catalog::Catalog;
use crate::diagnostics::words::sentence;
use crate::diagnostics::{Finding, Report, Status, Summary};
use crate::ui::theme::Tokens;
use crate::ui::troubleshoot;

/// Draws `findings` failures first, then warnings, passes and skips (check order kept
/// within a status).
pub fn findings_ui(ui: &mut egui::Ui, catalog: &Catalog, findings: &[Finding]) {
    let mut sorted: Vec<&Finding> = findings.iter().collect();
    sorted.sort_by_key(|finding| finding.status);
    for finding in sorted {
        finding_ui(ui, catalog, finding);
        ui.add_space(4.0);
    }
}

/// One finding in a frame whose edge takes the status colour.
pub fn finding_ui(ui: &mut egui::Ui, catalog: &Catalog, finding: &Finding) {
    let tokens = Tokens::ui(ui);
    let colour = tokens.status(finding.status);
    egui::Frame::new()
        .stroke(egui::Stroke::new(1.0, colour))
        .corner_radius(4.0)
        .inner_margin(egui::Margin::symmetric(8, 6))
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal_wrapped(|ui| {
                ui.label(
                    egui::RichText::new(format!(
                        "{} {}",
                        finding.status.icon(),
                        finding.status.label()
                    ))
                    .color(colour)
                    .strong(),
                );
                ui.label(egui::RichText::new(&finding.title).strong());
                ui.label(egui::RichText::new(&finding.id).small().color(tokens.muted));
            });
            if !finding.detail.is_empty() {
                ui.label(sentence(&finding.detail).as_ref());
            }
            if !finding.fix.is_empty() && matches!(finding.status, Status::Fail | Status::Warn) {
                ui.horizontal_wrapped(|ui| {
                    ui.label(egui::RichText::new("How to fix:").strong());
                    ui.label(sentence(&finding.fix).as_ref());
                });
            }
            if matches!(finding.status, Status::Fail | Status::Warn) {
                troubleshoot::check_link_ui(ui, catalog, &finding.id);
            }
        });
}

/// The line shown while checks run: a spinner, "3 of 8 checks done" and the title of the
/// last one finished.
pub fn progress_ui(ui: &mut egui::Ui, done: &[Finding], total: usize) {
    ui.horizontal(|ui| {
        ui.spinner();
        ui.label(format!("{} of {total} checks done", done.len()));
        if let Some(last) = done.last() {
            ui.colored_label(
                Tokens::ui(ui).muted,
                format!("Last: {} {}", last.status.icon(), last.title),
            );
        }
    });
}

/// "7 passed, 1 warning, 0 failed, 0 skipped", coloured by the worst status.
pub fn summary_ui(ui: &mut egui::Ui, report: &Report) {
    let tokens = Tokens::ui(ui);
    let Summary {
        pass,
        warn,
        fail,
        skip,
    } = report.summary;
    let worst = if fail > 0 {
        Status::Fail
    } else if warn > 0 {
        Status::Warn
    } else {
        Status::Pass
    };
    ui.label(
        egui::RichText::new(format!(
            "{} {pass} passed, {warn} {}, {fail} failed, {skip} skipped",
            worst.icon(),
            if warn == 1 { "warning" } else { "warnings" },
        ))
        .color(tokens.status(worst))
        .strong(),
    );
}

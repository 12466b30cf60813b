//! The expiry badge shown wherever a credential appears: a coloured frame with an icon, the
//! words and the days left ([`crate::expiry::badge_text`]), so colour is never the only
//! signal. Colours come from [`Tokens`].

use chrono::{DateTime, Utc};

use crate::expiry::{self, Severity};
use crate::ui::theme::Tokens;

/// An icon that reads without colour.
pub fn icon(severity: Option<Severity>) -> &'static str {
    match severity {
        Some(Severity::Ok) => "✔",
        Some(Severity::Warning) => "⚠",
        Some(Severity::Critical) => "❗",
        Some(Severity::Expired) => "✖",
        None => "–",
    }
}

/// The badge's words: [`expiry::badge_text`], or "No expiry set".
pub fn text(expires_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    expires_at.map_or_else(
        || "No expiry set".to_owned(),
        |at| expiry::badge_text(at, now),
    )
}

/// Draws the badge; hovering shows the exact expiry.
pub fn ui(
    ui: &mut egui::Ui,
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> egui::Response {
    let tokens = Tokens::ui(ui);
    let severity = expiry::severity_of(expires_at, now);
    let colour = severity.map_or(tokens.muted, |s| tokens.severity(s));
    let words = format!("{} {}", icon(severity), text(expires_at, now));
    let response = egui::Frame::new()
        .stroke(egui::Stroke::new(1.0, colour))
        .corner_radius(4.0)
        .inner_margin(egui::Margin::symmetric(6, 1))
        .show(ui, |ui| {
            ui.add(
                egui::Label::new(egui::RichText::new(words).color(colour))
                    .wrap_mode(egui::TextWrapMode::Extend),
            )
        })
        .inner;
    match expires_at {
        Some(at) => response.on_hover_text(format!("Expires {}", at.format("%Y-%m-%d %H:%M UTC"))),
        None => response.on_hover_text("No expiry date is recorded for this credential"),
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    #[test]
    fn badge_words_cover_every_severity_and_no_expiry() {
        let now = DateTime::parse_from_rfc3339("2026-11-23T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            text(Some(now + Duration::days(45)), now),
            "Valid · 45 d left"
        );
        assert_eq!(
            text(Some(now + Duration::days(3)), now),
            "Expires very soon · 3 d left"
        );
        assert_eq!(text(Some(now - Duration::days(3)), now), "Expired 3 d ago");
        assert_eq!(text(None, now), "No expiry set");
        let icons: std::collections::HashSet<_> = [
            Severity::Ok,
            Severity::Warning,
            Severity::Critical,
            Severity::Expired,
        ]
        .map(|s| icon(Some(s)))
        .into();
        assert_eq!(icons.len(), 4, "each severity has its own icon");
    }
}

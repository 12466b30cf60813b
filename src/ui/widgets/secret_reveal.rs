//! The one-time reveal of a new secret (DESIGN.md, "One-time reveal"): the full value in
//! monospace with a **Copy** button; after the first copy, or when the admin leaves the
//! step, only `•••• abcd` for good. There is no way back to [`Reveal::Once`].
//!
//! Copying goes through arboard on a background thread that keeps serving the value (on
//! X11 and Wayland the content lives only as long as its owner) and clears the clipboard
//! after [`CLEAR_AFTER`] if it still holds the value. When arboard cannot reach a
//! clipboard (no `DISPLAY`, a Wayland compositor without data-control), the value is
//! copied through the window's own clipboard instead, and the admin is told it will not be
//! cleared automatically.

use std::time::{Duration, Instant};

use tokio::sync::oneshot;
use zeroize::Zeroizing;

use crate::secrets::{Secret, masked};
use crate::ui::task::Task;
use crate::ui::theme::Tokens;
use crate::ui::widgets::toasts::Toasts;

/// How long a copied secret may stay on the clipboard.
pub const CLEAR_AFTER: Duration = Duration::from_mins(1);

/// Shortens [`CLEAR_AFTER`] for the real-window test (tests/desktop), which would otherwise
/// wait a minute per run. Only ever shorter: a value above 60 s, or one that does not parse,
/// leaves the 60 s.
pub const CLEAR_AFTER_ENV: &str = "SSO_SCIM_WIZARD_CLIPBOARD_CLEAR_SECS";

/// The clear-after time in effect: [`CLEAR_AFTER`], or less when [`CLEAR_AFTER_ENV`] says so.
pub fn clear_after() -> Duration {
    clear_after_from(std::env::var(CLEAR_AFTER_ENV).ok().as_deref())
}

fn clear_after_from(value: Option<&str>) -> Duration {
    value
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
        .filter(|d| *d <= CLEAR_AFTER)
        .unwrap_or(CLEAR_AFTER)
}

/// Where a one-time value is in its life.
#[derive(Debug, Default)]
pub enum Reveal {
    /// Nothing to show.
    #[default]
    Hidden,
    /// Shown in full until copied or the step is left.
    Once(Secret),
    /// Copied or left: only the last four characters, for good.
    Dismissed,
}

/// How a copy went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CopyOutcome {
    /// On the system clipboard; cleared after [`CLEAR_AFTER`] if still there.
    Copied,
    /// arboard could not reach a clipboard (the reason); the window's clipboard was used.
    Fallback(String),
}

/// A one-time reveal with its Copy button.
#[derive(Debug, Default)]
pub struct SecretReveal {
    reveal: Reveal,
    what: String,
    last4: String,
    copy: Task<Result<(), String>>,
    outcome: Option<CopyOutcome>,
}

impl SecretReveal {
    /// Reveals `secret` (a `what`, for example "SCIM token") once.
    pub fn once(secret: Secret, what: impl Into<String>) -> Self {
        let last4 = secret.last4();
        Self {
            reveal: Reveal::Once(secret),
            what: what.into(),
            last4,
            copy: Task::Idle,
            outcome: None,
        }
    }

    /// True while the full value is on screen and has not been copied.
    pub fn is_showing(&self) -> bool {
        matches!(self.reveal, Reveal::Once(_))
    }

    /// Where the value is in its life.
    pub fn state(&self) -> &Reveal {
        &self.reveal
    }

    /// How the copy went, once it did.
    pub fn outcome(&self) -> Option<&CopyOutcome> {
        self.outcome.as_ref()
    }

    /// Drops the value for good (the step is left, or the admin hid it).
    pub fn dismiss(&mut self) {
        if matches!(self.reveal, Reveal::Once(_)) {
            self.reveal = Reveal::Dismissed;
        }
        // A copy still starting keeps its own clone, cleared on its own schedule.
        self.copy = Task::Idle;
    }

    /// Draws the value (or its mask) and the Copy button.
    pub fn ui(&mut self, ui: &mut egui::Ui, runtime: &tokio::runtime::Handle, toasts: &mut Toasts) {
        self.copy.poll();
        if let Some(result) = self.copy.take() {
            self.finish_copy(ui.ctx(), result, toasts);
        }
        let tokens = Tokens::ui(ui);
        match &self.reveal {
            Reveal::Hidden => {}
            Reveal::Once(secret) => {
                ui.label(
                    egui::RichText::new(format!("Your new {} — shown only this once:", self.what))
                        .strong(),
                );
                let mut start_copy = false;
                let mut hide = false;
                ui.horizontal(|ui| {
                    egui::Frame::group(ui.style()).show(ui, |ui| {
                        ui.add(
                            // Not selectable: a selection goes to the PRIMARY selection on X11
                            // and Wayland, which nothing clears after 60 s. Copy is the way out.
                            egui::Label::new(egui::RichText::new(secret.expose()).monospace().size(15.0))
                                .selectable(false)
                                .wrap_mode(egui::TextWrapMode::Extend),
                        );
                    });
                    if self.copy.is_running() {
                        ui.spinner();
                    } else if ui.button("Copy").on_hover_text("Copy to the clipboard; the value is then hidden for good").clicked() {
                        start_copy = true;
                    }
                    if ui
                        .small_button("Hide it")
                        .on_hover_text("You copied it another way: hide it for good (it cannot be shown again)")
                        .clicked()
                    {
                        hide = true;
                    }
                });
                ui.colored_label(
                    tokens.warn,
                    "It will not be shown again. Copy it into the other side now; the clipboard is cleared after 60 s \
                     if it still holds this value.",
                );
                if start_copy {
                    self.copy = spawn_copy(runtime, ui.ctx(), secret.clone());
                }
                if hide {
                    self.dismiss();
                }
            }
            Reveal::Dismissed => {
                ui.horizontal(|ui| {
                    ui.label(format!("New {}:", self.what));
                    ui.label(egui::RichText::new(masked(&self.last4)).monospace());
                });
                match &self.outcome {
                    Some(CopyOutcome::Copied) => {
                        ui.colored_label(
                            tokens.muted,
                            "Copied. The clipboard is cleared 60 s after copying if it still holds the value.",
                        );
                    }
                    Some(CopyOutcome::Fallback(reason)) => {
                        ui.colored_label(
                            tokens.warn,
                            format!(
                                "Copied through the window's clipboard: the system clipboard could not be reached \
                                 directly ({reason}), so it cannot be cleared after 60 s. Copy something else over it \
                                 when you are done."
                            ),
                        );
                    }
                    None => {}
                }
            }
        }
    }

    fn finish_copy(
        &mut self,
        ctx: &egui::Context,
        result: Result<(), String>,
        toasts: &mut Toasts,
    ) {
        let Reveal::Once(secret) = std::mem::take(&mut self.reveal) else {
            return;
        };
        let outcome = match result {
            Ok(()) => CopyOutcome::Copied,
            Err(reason) => {
                // The window's clipboard (winit: X11 or Wayland) still works where arboard
                // does not; it just cannot be cleared by us later.
                ctx.copy_text(secret.expose().to_owned());
                CopyOutcome::Fallback(reason)
            }
        };
        toasts.show("Copied to clipboard", ctx.input(|i| i.time));
        self.outcome = Some(outcome);
        self.reveal = Reveal::Dismissed;
    }
}

/// Puts `secret` on the system clipboard from a background thread. The task finishes as
/// soon as the value is on the clipboard (or could not be put there); the thread keeps
/// serving it and clears it after [`CLEAR_AFTER`] if it is still there.
///
/// A plain thread rather than `spawn_blocking`: dropping the tokio runtime waits for its
/// blocking tasks, and closing the window must not wait up to a minute for the clipboard.
fn spawn_copy(
    runtime: &tokio::runtime::Handle,
    ctx: &egui::Context,
    secret: Secret,
) -> Task<Result<(), String>> {
    Task::spawn(runtime, ctx, copy_to_clipboard(secret))
}

/// Puts `secret` on the system clipboard exactly as the reveal's Copy does (served, then
/// cleared after [`clear_after`] if still there) without showing it: the rotation's "Copy
/// the new token again" (#14). Finishes once the value is on the clipboard.
pub async fn copy_to_clipboard(secret: Secret) -> Result<(), String> {
    let (started_tx, started_rx) = oneshot::channel();
    let deadline = Instant::now() + clear_after();
    let spawned = std::thread::Builder::new()
        .name("ssw-clipboard".to_owned())
        .spawn(move || serve_clipboard(&secret, deadline, started_tx));
    if let Err(err) = spawned {
        return Err(format!("no clipboard thread: {err}"));
    }
    started_rx
        .await
        .unwrap_or_else(|_| Err("the clipboard worker stopped".to_owned()))
}

/// Sets the clipboard, reports, keeps it served until `deadline` and then clears it if it
/// still holds `secret`.
fn serve_clipboard(
    secret: &Secret,
    deadline: Instant,
    started: oneshot::Sender<Result<(), String>>,
) {
    let mut clipboard = match arboard::Clipboard::new() {
        Ok(clipboard) => clipboard,
        Err(err) => {
            let _ = started.send(Err(err.to_string()));
            return;
        }
    };
    if let Err(err) = set_text(&mut clipboard, secret) {
        let _ = started.send(Err(err.to_string()));
        return;
    }
    let _ = started.send(Ok(()));
    wait_until(&mut clipboard, secret, deadline);
    let still_ours = clipboard
        .get_text()
        .map(Zeroizing::new)
        .is_ok_and(|text| text.as_str() == secret.expose());
    if still_ours {
        let _ = clipboard.clear();
    }
}

#[cfg(all(
    unix,
    not(any(target_os = "macos", target_os = "android", target_os = "emscripten"))
))]
fn set_text(clipboard: &mut arboard::Clipboard, secret: &Secret) -> Result<(), arboard::Error> {
    use arboard::SetExtLinux as _;
    // Clipboard managers honour this hint and keep the value out of their history.
    clipboard.set().exclude_from_history().text(secret.expose())
}

#[cfg(not(all(
    unix,
    not(any(target_os = "macos", target_os = "android", target_os = "emscripten"))
)))]
fn set_text(clipboard: &mut arboard::Clipboard, secret: &Secret) -> Result<(), arboard::Error> {
    clipboard.set_text(secret.expose())
}

/// Linux: on X11 and Wayland the owner serves the content, so keep owning it until the
/// deadline (returns early when another program takes the clipboard over).
#[cfg(all(
    unix,
    not(any(target_os = "macos", target_os = "android", target_os = "emscripten"))
))]
fn wait_until(clipboard: &mut arboard::Clipboard, secret: &Secret, deadline: Instant) {
    use arboard::SetExtLinux as _;
    let _ = clipboard
        .set()
        .exclude_from_history()
        .wait_until(deadline)
        .text(secret.expose());
}

/// Elsewhere the system keeps the content; this background thread just waits.
#[cfg(not(all(
    unix,
    not(any(target_os = "macos", target_os = "android", target_os = "emscripten"))
)))]
#[expect(
    clippy::disallowed_methods,
    reason = "a background clipboard thread, never the UI thread"
)]
fn wait_until(_clipboard: &mut arboard::Clipboard, _secret: &Secret, deadline: Instant) {
    std::thread::sleep(deadline.saturating_duration_since(Instant::now()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dismissing_is_for_good() {
        let mut reveal = SecretReveal::once(Secret::new("abcdefgh-1234"), "SCIM token");
        assert!(reveal.is_showing());
        reveal.dismiss();
        assert!(!reveal.is_showing());
        assert!(matches!(reveal.state(), Reveal::Dismissed));
        reveal.dismiss();
        assert!(matches!(reveal.state(), Reveal::Dismissed));
        assert!(!format!("{reveal:?}").contains("abcdefgh"));
        assert!(!SecretReveal::default().is_showing());
    }

    #[test]
    fn the_clear_time_can_only_be_shortened() {
        assert_eq!(clear_after_from(None), CLEAR_AFTER);
        assert_eq!(clear_after_from(Some("4")), Duration::from_secs(4));
        assert_eq!(clear_after_from(Some("3600")), CLEAR_AFTER);
        assert_eq!(clear_after_from(Some("soon")), CLEAR_AFTER);
        assert_eq!(clear_after_from(Some("-1")), CLEAR_AFTER);
    }
}

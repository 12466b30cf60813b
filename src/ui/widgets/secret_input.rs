//! The one input for a secret (client secret, SCIM token, rotation import, Credentials
//! paste): a password field whose text lives in a zeroizing buffer and which keeps no
//! undo history, so earlier spellings of a typed secret do not linger in egui's memory
//! after the field is cleared (issue #16 item 9).

use zeroize::Zeroizing;

/// Room reserved up front, so typing never reallocates the buffer (a reallocation would
/// leave the old bytes behind, unzeroized). Longer pastes still work.
const RESERVED_BYTES: usize = 4096;

/// A secret being typed or pasted. `Debug` prints `…`; the text is zeroized on drop and
/// on [`Self::clear`].
pub struct SecretInput {
    text: Zeroizing<String>,
}

impl Default for SecretInput {
    fn default() -> Self {
        Self {
            text: Zeroizing::new(String::with_capacity(RESERVED_BYTES)),
        }
    }
}

impl std::fmt::Debug for SecretInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretInput(…)")
    }
}

impl std::ops::Deref for SecretInput {
    type Target = str;
    fn deref(&self) -> &str {
        &self.text
    }
}

impl SecretInput {
    /// Shows the field (masked, with `hint` when empty). egui's undo history of the
    /// field is dropped every frame.
    pub fn ui(&mut self, ui: &mut egui::Ui, hint: &str, width: f32) -> egui::Response {
        let response = ui.add(
            egui::TextEdit::singleline(&mut *self.text)
                .password(true)
                .desired_width(width)
                .hint_text(hint),
        );
        forget_history(ui.ctx(), response.id);
        response
    }

    /// Replaces the text (a value handed over in code, or a test's paste).
    pub fn set(&mut self, text: &str) {
        self.clear();
        self.text.push_str(text);
    }

    /// Empties the field; the old text is zeroized.
    pub fn clear(&mut self) {
        *self = Self::default();
    }
}

/// Drops the undo history egui keeps for the text field `id`.
fn forget_history(ctx: &egui::Context, id: egui::Id) {
    if let Some(mut state) = egui::text_edit::TextEditState::load(ctx, id) {
        state.clear_undoer();
        state.store(ctx, id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable as _;

    #[derive(Default)]
    struct Form {
        input: SecretInput,
        id: Option<egui::Id>,
    }

    /// True when egui holds an earlier text of the field to undo to.
    fn has_history(h: &Harness<'_, Form>) -> bool {
        let Some(id) = h.state().id else { return false };
        let Some(state) = egui::text_edit::TextEditState::load(&h.ctx, id) else {
            return false;
        };
        let probe = (
            egui::text::CCursorRange::default(),
            "something else".to_owned(),
        );
        state.undoer().has_undo(&probe)
    }

    #[test]
    fn typed_secrets_leave_no_undo_history() {
        let mut h = Harness::new_ui_state(
            |ui, form: &mut Form| {
                let label = ui.label("Secret");
                let response = form.input.ui(ui, "paste", 200.0).labelled_by(label.id);
                form.id = Some(response.id);
            },
            Form::default(),
        );
        h.get_by_label("Secret").focus();
        h.run();
        h.get_by_label("Secret").type_text("first-secret-1111");
        h.run();
        assert_eq!(&*h.state().input, "first-secret-1111");
        assert!(!has_history(&h), "egui kept an undo history of the secret");
        assert!(!format!("{:?}", h.state().input).contains("first"));
        h.state_mut().input.clear();
        assert!(h.state().input.is_empty());
    }
}

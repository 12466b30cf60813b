//! Small rules of our wording, shared by the window and the CLI: a message shown on its
//! own starts with a capital letter, and a count agrees with its noun ("1 user",
//! "2 users"). Pure functions, no I/O.

use std::borrow::Cow;

/// `text` with its first letter in upper case, for a message shown on its own. Error
/// types write their messages in lower case so they read well after a colon; a label or
/// a finding's detail shown by itself starts a sentence.
pub fn sentence(text: &str) -> Cow<'_, str> {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) if first.is_lowercase() => {
            let mut out: String = first.to_uppercase().collect();
            out.push_str(chars.as_str());
            Cow::Owned(out)
        }
        _ => Cow::Borrowed(text),
    }
}

/// "1 user", "0 users", "3 users": `count` with `singular` or `plural`.
pub fn count<N>(count: N, singular: &str, plural: &str) -> String
where
    N: std::fmt::Display + PartialEq + From<u8> + Copy,
{
    if count == N::from(1) {
        format!("1 {singular}")
    } else {
        format!("{count} {plural}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentence_capitalises_only_a_lower_case_start() {
        assert_eq!(
            sentence("the token was refused with 401"),
            "The token was refused with 401"
        );
        assert_eq!(sentence("HTTP 500"), "HTTP 500");
        assert_eq!(sentence("✖ failed"), "✖ failed");
        assert_eq!(sentence(""), "");
    }

    #[test]
    fn count_agrees_with_its_noun() {
        assert_eq!(count(1_u32, "user", "users"), "1 user");
        assert_eq!(count(0_u32, "user", "users"), "0 users");
        assert_eq!(count(2_usize, "credential", "credentials"), "2 credentials");
    }
}

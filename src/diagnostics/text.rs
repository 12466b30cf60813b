//! Server-supplied text made safe to print: [`printable`] turns control and
//! bidirectional-override characters into visible escapes (a 404 body must not clear the
//! screen, set the window title or paint a fake "All checks passed"; issue #16 item 6).
//!
//! Pure: no I/O. JSON output does not go through [`printable`]; serde escapes control
//! characters there as JSON does.

use std::fmt::Write as _;

/// `text` on one line with every control character (C0, DEL, C1), line and paragraph
/// separator and bidirectional or invisible formatting character written as a visible
/// `\u{…}` escape; tabs and line breaks become one space. For text output of anything a
/// server, a file or a paste could have supplied.
pub fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\t' | '\n' | '\r' => out.push(' '),
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// Like [`printable`], but keeps line breaks (`\n`): for a whole text block written to a
/// terminal. `\r` is escaped, since it lets a line overwrite itself.
pub fn printable_lines(text: &str) -> String {
    text.split('\n')
        .map(|line| {
            let mut out = String::with_capacity(line.len());
            for c in line.chars() {
                match c {
                    '\t' => out.push(c),
                    c if needs_escape(c) || c == '\r' => {
                        let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
                    }
                    c => out.push(c),
                }
            }
            out
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Characters a terminal acts on or that change how the rest of a line reads.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_escapes_are_shown_not_obeyed() {
        let hostile = "Not found\u{1b}[2J\u{1b}]0;pwned\u{7}\u{1b}[32mAll checks passed\r\u{9b}31m\u{202e}txt";
        let safe = printable(hostile);
        assert!(!safe.chars().any(needs_escape), "{safe:?}");
        assert!(!safe.contains('\r'));
        assert!(safe.contains("\\u{1b}[2J"), "{safe}");
        assert!(safe.contains("\\u{202e}"), "{safe}");
        assert_eq!(printable("plain, ünïcode ✔ text"), "plain, ünïcode ✔ text");
        assert_eq!(printable("two\nlines"), "two lines");
        assert_eq!(printable_lines("a\u{1b}[2J\nb\r"), "a\\u{1b}[2J\nb\\u{d}");
    }
}

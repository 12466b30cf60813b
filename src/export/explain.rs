//! Showing why a pasted error matched: where the matched codes and phrases sit in the
//! admin's own text ([`highlight_spans`]), and the plain-text answer of the `explain`
//! command ([`render_text`]). The ranking itself is [`crate::catalog::Catalog::explain`].

use std::fmt::Write as _;
use std::ops::Range;

use crate::catalog::{Match, TroubleContext, TroubleEntry};

/// Words for an entry's context.
pub fn context_label(context: TroubleContext) -> &'static str {
    match context {
        TroubleContext::Sso => "sign-in",
        TroubleContext::Scim => "provisioning",
        TroubleContext::Any => "sign-in or provisioning",
    }
}

/// Byte ranges of `text` where the matched codes and phrases of `matches` occur,
/// sorted and merged.
pub fn match_spans(text: &str, matches: &[Match<'_>]) -> Vec<Range<usize>> {
    let mut codes = Vec::new();
    let mut phrases = Vec::new();
    for found in matches {
        for term in &found.matched {
            if found.entry.codes.contains(term) {
                codes.push(term.clone());
            } else {
                phrases.push(term.clone());
            }
        }
    }
    highlight_spans(text, &codes, &phrases)
}

/// Byte ranges of `text` where any of `codes` or `phrases` occurs, sorted and merged.
///
/// Matching follows the ranking's rules: case and the punctuation between words are
/// ignored; a code is a whole word, and an `AADSTS` code also matches its bare number
/// (`50011`), the way tickets often quote it; a phrase starts at a word start and its
/// last word may be the start of a longer one ("quarantin" in "quarantined").
pub fn highlight_spans(text: &str, codes: &[String], phrases: &[String]) -> Vec<Range<usize>> {
    let words = words(text);
    let mut spans = Vec::new();
    for code in codes {
        let wanted = term_words(code);
        find_sequence(&words, &wanted, false, &mut spans);
        if let [only] = wanted.as_slice()
            && let Some(number) = only.strip_prefix("aadsts")
            && number.len() >= 5
        {
            find_sequence(&words, &[number.to_owned()], false, &mut spans);
        }
    }
    for phrase in phrases {
        find_sequence(&words, &term_words(phrase), true, &mut spans);
    }
    merge(spans)
}

/// `text` with every span wrapped in `open` … `close`.
pub fn mark(text: &str, spans: &[Range<usize>], open: &str, close: &str) -> String {
    let mut out = String::with_capacity(text.len() + spans.len() * (open.len() + close.len()));
    let mut from = 0;
    for span in spans {
        let (Some(before), Some(inside)) = (text.get(from..span.start), text.get(span.clone()))
        else {
            continue;
        };
        out.push_str(before);
        out.push_str(open);
        out.push_str(inside);
        out.push_str(close);
        from = span.end;
    }
    out.push_str(text.get(from..).unwrap_or_default());
    out
}

/// The lines of `text` that hold a highlight, each marked with `«…»` and cut to about
/// [`EXCERPT_CHARS`] characters around its first highlight.
pub fn marked_excerpts(text: &str, spans: &[Range<usize>]) -> Vec<String> {
    let mut out = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let line_end = line_start + line.len();
        let local: Vec<Range<usize>> = spans
            .iter()
            .filter(|span| span.start >= line_start && span.end <= line_end)
            .map(|span| span.start - line_start..span.end - line_start)
            .collect();
        if let Some(first) = local.first() {
            let line = line.trim_end_matches(['\r', '\n']);
            let (cut_start, cut_end) = excerpt_window(line, first.clone());
            let inside: Vec<Range<usize>> = local
                .iter()
                .filter(|span| span.start >= cut_start && span.end <= cut_end)
                .map(|span| span.start - cut_start..span.end - cut_start)
                .collect();
            let body = line.get(cut_start..cut_end).unwrap_or(line);
            let mut marked = mark(body, &inside, OPEN_MARK, CLOSE_MARK);
            if cut_start > 0 {
                marked.insert(0, '…');
            }
            if cut_end < line.len() {
                marked.push('…');
            }
            out.push(marked.trim().to_owned());
        }
        line_start = line_end;
    }
    out
}

/// Marks around a highlight in plain text: no Markdown `**`, which a terminal prints as
/// two stars, and characters that do not occur in error messages.
pub const OPEN_MARK: &str = "«";
/// See [`OPEN_MARK`].
pub const CLOSE_MARK: &str = "»";

/// About how many characters of a long line an excerpt keeps.
pub const EXCERPT_CHARS: usize = 140;

/// The answer of `explain`: where the text matched, then each entry with what it means,
/// its causes, both fixes and its related checks. At most `limit` entries.
pub fn render_text(text: &str, matches: &[Match<'_>], limit: usize) -> String {
    let mut out = String::new();
    if matches.is_empty() {
        let _ = writeln!(
            out,
            "No troubleshooting entry matches this text.\n\
             Paste the whole error message or log line: an AADSTS code, an HTTP status, \
             a scimType such as uniqueness, or the words around them."
        );
        return out;
    }
    let shown = matches.get(..limit).unwrap_or(matches);
    let excerpts = marked_excerpts(text, &match_spans(text, shown));
    if !excerpts.is_empty() {
        let _ = writeln!(out, "Found in your text:");
        for excerpt in excerpts.iter().take(5) {
            let _ = writeln!(out, "  {excerpt}");
        }
        let _ = writeln!(out);
    }
    for (index, found) in shown.iter().enumerate() {
        render_entry(&mut out, index + 1, found);
    }
    if matches.len() > shown.len() {
        let hidden = matches.len() - shown.len();
        let noun = if hidden == 1 { "match" } else { "matches" };
        let _ = writeln!(
            out,
            "{hidden} weaker {noun} not shown; --limit {} shows all",
            matches.len()
        );
    }
    out
}

fn render_entry(out: &mut String, rank: usize, found: &Match<'_>) {
    let entry: &TroubleEntry = found.entry;
    let _ = writeln!(
        out,
        "{rank}. {}  [{}, {}]",
        entry.title,
        entry.id,
        context_label(entry.context)
    );
    let _ = writeln!(out, "   Matched: {}", found.matched.join(", "));
    let _ = writeln!(out, "   What it means: {}", entry.meaning.trim());
    if !entry.causes.is_empty() {
        let _ = writeln!(out, "   Likely causes:");
        for cause in &entry.causes {
            let _ = writeln!(out, "     - {}", cause.trim());
        }
    }
    if !entry.fix_idp.trim().is_empty() {
        let _ = writeln!(out, "   Fix in the IdP: {}", entry.fix_idp.trim());
    }
    if !entry.fix_platform.trim().is_empty() {
        let _ = writeln!(out, "   Fix in the platform: {}", entry.fix_platform.trim());
    }
    if !entry.check_ids.is_empty() {
        let _ = writeln!(out, "   Related checks: {}", entry.check_ids.join(", "));
    }
    if !entry.platforms.is_empty() {
        let names: Vec<&str> = entry.platforms.iter().map(|p| p.label()).collect();
        let _ = writeln!(out, "   Applies to: {}", names.join(", "));
    }
    let _ = writeln!(out);
}

/// A word of the text: its byte range and its lower-case form.
struct Word {
    range: Range<usize>,
    lower: String,
}

/// Runs of letters, digits and `_`, as the ranking reads them.
fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut start = None;
    for (index, c) in text.char_indices() {
        let inside = c.is_alphanumeric() || c == '_';
        match (inside, start) {
            (true, None) => start = Some(index),
            (false, Some(begin)) => {
                out.push(word(text, begin..index));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(begin) = start {
        out.push(word(text, begin..text.len()));
    }
    out
}

fn word(text: &str, range: Range<usize>) -> Word {
    let lower = text.get(range.clone()).unwrap_or_default().to_lowercase();
    Word { range, lower }
}

fn term_words(term: &str) -> Vec<String> {
    words(term).into_iter().map(|w| w.lower).collect()
}

/// Every place where `wanted` occurs as consecutive words; with `prefix_last`, the last
/// word may be the start of a longer word.
fn find_sequence(
    words: &[Word],
    wanted: &[String],
    prefix_last: bool,
    spans: &mut Vec<Range<usize>>,
) {
    let Some((last, exact)) = wanted.split_last() else {
        return;
    };
    for start in 0..words.len() {
        let Some(window) = words.get(start..start + wanted.len()) else {
            break;
        };
        let Some((tail, head)) = window.split_last() else {
            continue;
        };
        let head_matches = head.iter().zip(exact).all(|(w, want)| w.lower == *want);
        let tail_matches = if prefix_last {
            tail.lower.starts_with(last.as_str())
        } else {
            tail.lower == *last
        };
        if head_matches && tail_matches {
            let end = if tail.lower == *last || !tail.lower.is_ascii() {
                tail.range.end
            } else {
                tail.range.start + last.len()
            };
            spans.push(window[0].range.start..end);
        }
    }
}

fn merge(mut spans: Vec<Range<usize>>) -> Vec<Range<usize>> {
    spans.sort_by_key(|span| (span.start, span.end));
    let mut out: Vec<Range<usize>> = Vec::with_capacity(spans.len());
    for span in spans {
        match out.last_mut() {
            Some(previous) if span.start <= previous.end => {
                previous.end = previous.end.max(span.end);
            }
            _ => out.push(span),
        }
    }
    out
}

/// The byte window of `line` to show around `first`, on character boundaries.
fn excerpt_window(line: &str, first: Range<usize>) -> (usize, usize) {
    if line.chars().count() <= EXCERPT_CHARS {
        return (0, line.len());
    }
    let before = EXCERPT_CHARS / 3;
    let start = line.get(..first.start).map_or(0, |head| {
        head.char_indices()
            .rev()
            .nth(before.saturating_sub(1))
            .map_or(0, |(index, _)| index)
    });
    let end = line
        .get(start..)
        .and_then(|rest| {
            rest.char_indices()
                .nth(EXCERPT_CHARS)
                .map(|(i, _)| start + i)
        })
        .unwrap_or(line.len())
        .max(first.end.min(line.len()));
    (start, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(list: &[&str]) -> Vec<String> {
        list.iter().map(|t| (*t).to_owned()).collect()
    }

    fn marked(text: &str, codes: &[&str]) -> String {
        mark(text, &highlight_spans(text, &terms(codes), &[]), "[", "]")
    }

    fn marked_phrase(text: &str, phrases: &[&str]) -> String {
        mark(text, &highlight_spans(text, &[], &terms(phrases)), "[", "]")
    }

    #[test]
    fn codes_are_found_ignoring_case_and_only_as_whole_words() {
        assert_eq!(
            marked("aadsts50105: user not assigned", &["AADSTS50105"]),
            "[aadsts50105]: user not assigned"
        );
        assert_eq!(
            marked("error 4010 then 401", &["401"]),
            "error 4010 then [401]"
        );
    }

    #[test]
    fn a_bare_aadsts_number_is_highlighted() {
        assert_eq!(
            marked("Azure error 50011 during login", &["AADSTS50011"]),
            "Azure error [50011] during login"
        );
    }

    #[test]
    fn phrases_ignore_punctuation_and_may_end_inside_a_word() {
        assert_eq!(
            marked_phrase("The job is in Quarantined state", &["in quarantin"]),
            "The job is [in Quarantin]ed state"
        );
        assert_eq!(
            marked_phrase("redirect-uri mismatch", &["redirect uri"]),
            "[redirect-uri] mismatch"
        );
    }

    #[test]
    fn overlapping_highlights_merge() {
        let text = "scimType uniqueness";
        assert_eq!(
            highlight_spans(text, &terms(&["uniqueness"]), &terms(&["scimtype uniq"])),
            vec![0..text.len()]
        );
    }

    #[test]
    fn long_lines_are_cut_around_the_first_highlight() {
        let text = format!("{} AADSTS50105 {}", "x ".repeat(200), "y ".repeat(200));
        let spans = highlight_spans(&text, &terms(&["AADSTS50105"]), &[]);
        let excerpts = marked_excerpts(&text, &spans);
        assert_eq!(excerpts.len(), 1);
        assert!(excerpts[0].contains("«AADSTS50105»"));
        assert!(excerpts[0].starts_with('…') && excerpts[0].ends_with('…'));
        assert!(excerpts[0].chars().count() < EXCERPT_CHARS + 20);
    }

    #[test]
    fn non_ascii_text_does_not_break_highlighting() {
        let text = "Fehler: Benutzer ist nicht zugewiesen — AADSTS50105 ✖";
        let spans = highlight_spans(text, &terms(&["AADSTS50105"]), &[]);
        assert_eq!(
            mark(text, &spans, "<", ">"),
            "Fehler: Benutzer ist nicht zugewiesen — <AADSTS50105> ✖"
        );
    }

    #[test]
    fn the_answer_names_the_entry_and_marks_the_code() {
        let catalog = crate::catalog::catalog();
        let text = "AADSTS7000222: The provided client secret keys for app are expired.";
        let answer = render_text(text, &catalog.explain(text), 3);
        assert!(answer.contains("«AADSTS7000222»"), "{answer}");
        assert!(!answer.contains("**"), "Markdown in plain text: {answer}");
        assert!(
            answer.contains("aadsts7000222-client-secret-expired"),
            "{answer}"
        );
        assert!(answer.contains("Fix in the IdP"), "{answer}");
        assert!(render_text("nothing to see", &[], 3).starts_with("No troubleshooting entry"));
    }
}

//! Ranking troubleshooting entries against a pasted error message or log line.
//!
//! Exact codes (AADSTS numbers, HTTP statuses as whole words, SCIM `scimType` names)
//! weigh most; phrases found at word starts weigh less; words that reveal whether the
//! text comes from sign-in or provisioning break ties between entries sharing a code.

use std::collections::BTreeSet;

use super::types::{TroubleContext, TroubleEntry};
use crate::model::PlatformId;

/// One troubleshooting entry that matches a pasted text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Match<'a> {
    /// The entry.
    pub entry: &'a TroubleEntry,
    /// Higher is a better match; only useful for ordering.
    pub score: u32,
    /// The entry's codes and phrases found in the text, codes first, as written in the
    /// entry, so the UI can highlight them.
    pub matched: Vec<String>,
}

/// An Entra `AADSTS` code.
const SCORE_AADSTS: u32 = 100;
/// The number of an `AADSTS` code pasted without its prefix (`50011`).
const SCORE_AADSTS_BARE: u32 = 90;
/// A named code: a `scimType`, an OAuth error such as `invalid_client`.
const SCORE_NAMED_CODE: u32 = 80;
/// A three-digit HTTP status; many entries share one, so it weighs least of the codes.
const SCORE_HTTP_STATUS: u32 = 60;
/// A one-word phrase; each further word adds [`SCORE_PHRASE_WORD`].
const SCORE_PHRASE: u32 = 10;
/// Extra weight per additional word in a phrase, up to [`MAX_PHRASE_SCORE`].
const SCORE_PHRASE_WORD: u32 = 5;
/// Cap on a single phrase.
const MAX_PHRASE_SCORE: u32 = 30;
/// The text names the entry's context (sign-in or provisioning).
const SCORE_CONTEXT: u32 = 10;
/// The entry is specific to the platform being explained for.
const SCORE_PLATFORM: u32 = 5;
/// A check id (`scim.auth`) the entry is the primary explanation of: a finding copied
/// from a report names its check this way.
const SCORE_CHECK_PRIMARY: u32 = 85;
/// A check id the entry is related to, without being its primary explanation.
const SCORE_CHECK_RELATED: u32 = 20;

/// Words that show a text comes from provisioning.
const SCIM_WORDS: &[&str] = &[
    "scim",
    "provisioning",
    "provision",
    "tenant url",
    "secret token",
    "bearer",
    "scimtype",
    "serviceproviderconfig",
    "test api credentials",
    "sync",
];
/// Words that show a text comes from sign-in.
const SSO_WORDS: &[&str] = &[
    "sso",
    "sign in",
    "signin",
    "sign on",
    "login",
    "log in",
    "oidc",
    "openid",
    "redirect",
    "callback",
    "aadsts",
    "id token",
    "id_token",
    "authorize",
    "client secret",
    "client id",
    "client_id",
    "client_secret",
];

/// Ranks `entries` against `text`; entries for other platforms are left out when
/// `platform` is given. Best first; ties keep file order.
pub(super) fn rank<'a>(
    entries: &'a [TroubleEntry],
    text: &str,
    platform: Option<PlatformId>,
) -> Vec<Match<'a>> {
    let tokens = tokens(text);
    let normalized = format!(" {} ", normalize(text));
    let context = detect_context(&normalized);
    let check_words = check_words(text);

    let mut matches: Vec<(usize, Match<'a>)> = entries
        .iter()
        .enumerate()
        .filter(|(_, entry)| platform.is_none_or(|p| entry.applies_to_platform(p)))
        .filter_map(|(index, entry)| {
            let (mut score, mut matched) = score_entry(entry, &tokens, &normalized);
            score += check_id_score(entry, &check_words, &mut matched);
            if matched.is_empty() {
                return None;
            }
            if context.is_some_and(|c| c == entry.context) {
                score += SCORE_CONTEXT;
            }
            if platform.is_some() && !entry.platforms.is_empty() {
                score += SCORE_PLATFORM;
            }
            Some((
                index,
                Match {
                    entry,
                    score,
                    matched,
                },
            ))
        })
        .collect();
    matches.sort_by(|(a_index, a), (b_index, b)| b.score.cmp(&a.score).then(a_index.cmp(b_index)));
    matches.into_iter().map(|(_, found)| found).collect()
}

fn score_entry(
    entry: &TroubleEntry,
    tokens: &BTreeSet<String>,
    normalized: &str,
) -> (u32, Vec<String>) {
    let mut score = 0;
    let mut matched = Vec::new();
    for code in &entry.codes {
        if let Some(weight) = code_weight(code, tokens) {
            score += weight;
            matched.push(code.clone());
        }
    }
    for phrase in &entry.phrases {
        let wanted = normalize(phrase);
        if !wanted.is_empty() && normalized.contains(&format!(" {wanted}")) {
            score += phrase_weight(&wanted);
            matched.push(phrase.clone());
        }
    }
    (score, matched)
}

/// The weight of the check ids named in the text (`check_words`) that `entry` explains.
fn check_id_score(
    entry: &TroubleEntry,
    check_words: &BTreeSet<String>,
    matched: &mut Vec<String>,
) -> u32 {
    let mut score = 0;
    for id in &entry.check_ids {
        if check_words.contains(&id.to_ascii_lowercase()) {
            score += if entry.primary_for.contains(id) {
                SCORE_CHECK_PRIMARY
            } else {
                SCORE_CHECK_RELATED
            };
            matched.push(id.clone());
        }
    }
    score
}

/// Lower-case words that may be check ids: runs of ASCII letters, digits, `_` and `.`,
/// without a sentence's final dot.
fn check_words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .map(|word| word.trim_matches('.'))
        .filter(|word| word.contains('.'))
        .map(str::to_ascii_lowercase)
        .collect()
}

/// The weight of `code` when it occurs in the text as a whole word, else `None`.
fn code_weight(code: &str, tokens: &BTreeSet<String>) -> Option<u32> {
    let code_lower = code.to_ascii_lowercase();
    if let Some(number) = code_lower.strip_prefix("aadsts") {
        if tokens.contains(&code_lower) {
            return Some(SCORE_AADSTS);
        }
        // Vendor guides and tickets often quote the number alone ("Azure error 50011").
        return (number.len() >= 5 && tokens.contains(number)).then_some(SCORE_AADSTS_BARE);
    }
    if !tokens.contains(&code_lower) {
        return None;
    }
    let is_http_status = code.len() == 3 && code.chars().all(|c| c.is_ascii_digit());
    Some(if is_http_status {
        SCORE_HTTP_STATUS
    } else {
        SCORE_NAMED_CODE
    })
}

fn phrase_weight(normalized_phrase: &str) -> u32 {
    let extra_words =
        u32::try_from(normalized_phrase.split(' ').count().saturating_sub(1)).unwrap_or(u32::MAX);
    SCORE_PHRASE
        .saturating_add(SCORE_PHRASE_WORD.saturating_mul(extra_words))
        .min(MAX_PHRASE_SCORE)
}

/// Sign-in or provisioning, when the text says so and does not say both.
fn detect_context(normalized: &str) -> Option<TroubleContext> {
    let mentions = |words: &[&str]| {
        words
            .iter()
            .any(|word| normalized.contains(&format!(" {}", normalize(word))))
    };
    match (mentions(SCIM_WORDS), mentions(SSO_WORDS)) {
        (true, false) => Some(TroubleContext::Scim),
        (false, true) => Some(TroubleContext::Sso),
        _ => None,
    }
}

/// Lower-case words: runs of ASCII letters, digits and `_`.
fn tokens(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|word| !word.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

/// Lower case, every run of other characters turned into one space, trimmed.
pub(super) fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_alphanumeric() || c == '_' {
            out.extend(c.to_lowercase());
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    out.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_turns_punctuation_into_single_spaces() {
        assert_eq!(
            normalize("  Redirect-URI: 'https://x/cb'  "),
            "redirect uri https x cb"
        );
        assert_eq!(
            normalize("event.type:system.scim"),
            "event type system scim"
        );
    }

    #[test]
    fn check_words_keep_dotted_ids_and_drop_a_final_dot() {
        let words = check_words("Failed: scim.auth. See oidc.client_auth, then retry");
        assert!(words.contains("scim.auth"));
        assert!(words.contains("oidc.client_auth"));
        assert!(!words.contains("retry"));
    }

    #[test]
    fn http_status_must_be_a_whole_word() {
        let words = tokens("error 4010 at 12:40:01");
        assert_eq!(code_weight("401", &words), None);
        assert_eq!(
            code_weight("401", &tokens("HTTP/1.1 401 Unauthorized")),
            Some(SCORE_HTTP_STATUS)
        );
    }

    #[test]
    fn aadsts_code_matches_with_or_without_prefix() {
        assert_eq!(
            code_weight("AADSTS50011", &tokens("aadsts50011: bad")),
            Some(SCORE_AADSTS)
        );
        assert_eq!(
            code_weight("AADSTS50011", &tokens("Azure error 50011")),
            Some(SCORE_AADSTS_BARE)
        );
        assert_eq!(code_weight("AADSTS50011", &tokens("AADSTS500113")), None);
    }
}

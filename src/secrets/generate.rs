//! New secret values: generating a token (CSPRNG, 256 bits, URL-safe) and cleaning a value
//! pasted from a vendor's portal. Pure apart from the OS random number generator.
//!
//! Intermediate copies of a value are zeroized or never made: generation writes into
//! zeroizing buffers, cleaning works on slices of the pasted text.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use zeroize::Zeroizing;

use super::Secret;

/// Random bytes in a generated token: 32 bytes = 256 bits of entropy.
pub const TOKEN_BYTES: usize = 32;

/// Characters in a generated token: 32 bytes in unpadded base64url.
pub const TOKEN_CHARS: usize = 43;

/// The operating system's random number generator failed (the same error as
/// [`super::random`]).
pub type GenerateError = super::RandomError;

/// A new token: [`TOKEN_BYTES`] bytes from the OS CSPRNG in unpadded base64url
/// (`A–Z a–z 0–9 - _`), [`TOKEN_CHARS`] characters. Nothing in that alphabet needs
/// escaping in a URL, a form field, JSON or an HTTP header.
pub fn generate_token() -> Result<Secret, GenerateError> {
    let mut bytes = Zeroizing::new([0_u8; TOKEN_BYTES]);
    super::random(bytes.as_mut_slice())?;
    // Room for the whole encoding up front, so the buffer is never reallocated (and the
    // old one left behind unzeroized).
    let mut text = Zeroizing::new(String::with_capacity(TOKEN_CHARS + 1));
    URL_SAFE_NO_PAD.encode_string(bytes.as_slice(), &mut text);
    Ok(Secret::new(std::mem::take(&mut *text)))
}

/// Something odd about a pasted value, told to the admin before it is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportWarning {
    /// A leading `Bearer ` was removed: the IdP adds it itself.
    BearerPrefix,
    /// A leading `Authorization:` header name was removed.
    AuthorizationHeader,
    /// Surrounding quotes were removed.
    Quotes,
    /// Spaces, tabs or line breaks inside the value (kept: check the source).
    InnerWhitespace,
    /// Control or non-ASCII characters (kept: check the source).
    UnusualCharacters,
    /// The platform's tokens start with this prefix and the value does not.
    MissingPrefix(String),
}

impl ImportWarning {
    /// One sentence for the admin.
    pub fn message(&self) -> String {
        match self {
            Self::BearerPrefix => "Removed a leading “Bearer ”: paste only the token, the IdP adds the word itself".to_owned(),
            Self::AuthorizationHeader => "Removed a leading “Authorization:” header name".to_owned(),
            Self::Quotes => "Removed the quotes around the value".to_owned(),
            Self::InnerWhitespace => {
                "The value has spaces or line breaks inside; tokens never do, so copy it again from the source".to_owned()
            }
            Self::UnusualCharacters => {
                "The value has invisible or non-ASCII characters; copy it again from the source".to_owned()
            }
            Self::MissingPrefix(prefix) => {
                format!("This platform's tokens start with “{prefix}”; check that you copied the SCIM token")
            }
        }
    }
}

/// A pasted value after cleaning.
#[derive(Debug)]
pub struct Imported {
    /// The value to store.
    pub secret: Secret,
    /// What was removed or looks wrong.
    pub warnings: Vec<ImportWarning>,
}

/// Nothing was left of a pasted value after trimming.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("the pasted value is empty")]
pub struct EmptyImport;

/// Trims a pasted value and removes a leading `Authorization:` / `Bearer ` and
/// surrounding quotes, saying so; flags inner whitespace and odd characters without
/// changing them. `expected_prefix` is the platform's token prefix, if it has one.
pub fn clean_import(raw: &str, expected_prefix: Option<&str>) -> Result<Imported, EmptyImport> {
    let mut warnings = Vec::new();
    let mut value = raw.trim();
    loop {
        let before = value;
        if let Some(rest) = strip_prefix_ignore_case(value, "authorization:") {
            value = rest.trim_start();
            push_once(&mut warnings, ImportWarning::AuthorizationHeader);
        }
        if let Some(rest) = strip_prefix_ignore_case(value, "bearer")
            && (rest.is_empty() || rest.starts_with(char::is_whitespace))
        {
            value = rest.trim_start();
            push_once(&mut warnings, ImportWarning::BearerPrefix);
        }
        if let Some(inner) = strip_quotes(value) {
            value = inner.trim();
            push_once(&mut warnings, ImportWarning::Quotes);
        }
        if value == before {
            break;
        }
    }
    if value.is_empty() {
        return Err(EmptyImport);
    }
    if value.contains(char::is_whitespace) {
        warnings.push(ImportWarning::InnerWhitespace);
    }
    if value
        .chars()
        .any(|c| !c.is_ascii() || (c.is_control() && !c.is_whitespace()))
    {
        warnings.push(ImportWarning::UnusualCharacters);
    }
    if let Some(prefix) = expected_prefix.filter(|p| !p.is_empty())
        && !value.starts_with(prefix)
    {
        warnings.push(ImportWarning::MissingPrefix(prefix.to_owned()));
    }
    Ok(Imported {
        secret: Secret::new(value),
        warnings,
    })
}

fn push_once(warnings: &mut Vec<ImportWarning>, warning: ImportWarning) {
    if !warnings.contains(&warning) {
        warnings.push(warning);
    }
}

fn strip_prefix_ignore_case<'a>(value: &'a str, prefix: &str) -> Option<&'a str> {
    let head = value.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &value[prefix.len()..])
}

/// The text inside matching quotes, if `value` is quoted.
fn strip_quotes(value: &str) -> Option<&str> {
    const PAIRS: [(char, char); 5] = [('"', '"'), ('\'', '\''), ('`', '`'), ('“', '”'), ('‘', '’')];
    PAIRS.iter().find_map(|&(open, close)| {
        let inner = value.strip_prefix(open)?.strip_suffix(close)?;
        Some(inner)
    })
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashSet};

    use super::*;

    #[test]
    fn generated_tokens_have_256_bits_in_a_url_safe_alphabet() {
        let token = generate_token().unwrap();
        let text = token.expose();
        assert_eq!(text.len(), TOKEN_CHARS);
        assert!(
            text.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
            "{text}"
        );
        let decoded = URL_SAFE_NO_PAD.decode(text).unwrap();
        assert_eq!(decoded.len() * 8, 256);
        assert!(!format!("{token:?}").contains(text));
    }

    #[test]
    fn generated_tokens_are_unique_and_evenly_spread() {
        let tokens: Vec<Secret> = (0..2000).map(|_| generate_token().unwrap()).collect();
        let distinct: HashSet<&str> = tokens.iter().map(Secret::expose).collect();
        assert_eq!(distinct.len(), tokens.len());
        // 2000 × 42 full characters ≈ 84 000 draws over 64 symbols: each symbol ≈ 1312.
        // A chi-square over 63 degrees of freedom stays far below 150 for a uniform source
        // (p < 1e-8 to exceed it); a biased or truncated encoder blows way past it.
        let mut counts: BTreeMap<char, f64> = BTreeMap::new();
        let mut draws = 0.0;
        for token in &tokens {
            // The 43rd character carries only 4 random bits: leave it out.
            for c in token.expose().chars().take(TOKEN_CHARS - 1) {
                *counts.entry(c).or_default() += 1.0;
                draws += 1.0;
            }
        }
        assert_eq!(counts.len(), 64, "every symbol of the alphabet appears");
        let expected = draws / 64.0;
        let chi_square: f64 = counts
            .values()
            .map(|n| (n - expected).powi(2) / expected)
            .sum();
        assert!(chi_square < 150.0, "chi-square {chi_square}");
    }

    #[test]
    fn import_trims_and_removes_bearer_and_quotes_with_warnings() {
        let cleaned = clean_import("  Bearer abc123XYZ\n", None).unwrap();
        assert_eq!(cleaned.secret.expose(), "abc123XYZ");
        assert_eq!(cleaned.warnings, [ImportWarning::BearerPrefix]);

        let cleaned = clean_import("\"Bearer   abc\"", None).unwrap();
        assert_eq!(cleaned.secret.expose(), "abc");
        assert_eq!(
            cleaned.warnings,
            [ImportWarning::Quotes, ImportWarning::BearerPrefix]
        );

        let cleaned = clean_import("Authorization: bearer xyz", None).unwrap();
        assert_eq!(cleaned.secret.expose(), "xyz");
        assert_eq!(
            cleaned.warnings,
            [
                ImportWarning::AuthorizationHeader,
                ImportWarning::BearerPrefix
            ]
        );

        let cleaned = clean_import("“abc”", None).unwrap();
        assert_eq!(cleaned.secret.expose(), "abc");
    }

    #[test]
    fn a_plain_pasted_value_has_no_warnings() {
        let cleaned = clean_import("scim_AbC-123_xyz\r\n", Some("scim_")).unwrap();
        assert_eq!(cleaned.secret.expose(), "scim_AbC-123_xyz");
        assert!(cleaned.warnings.is_empty());
        // A token that merely starts with the letters "bearer" is left alone.
        let cleaned = clean_import("bearerish-token", None).unwrap();
        assert_eq!(cleaned.secret.expose(), "bearerish-token");
        assert!(cleaned.warnings.is_empty());
    }

    #[test]
    fn import_flags_inner_whitespace_odd_characters_and_a_missing_prefix() {
        let cleaned = clean_import("abc\ndef", Some("scim_")).unwrap();
        assert_eq!(cleaned.secret.expose(), "abc\ndef");
        assert_eq!(
            cleaned.warnings,
            [
                ImportWarning::InnerWhitespace,
                ImportWarning::MissingPrefix("scim_".to_owned())
            ]
        );
        let cleaned = clean_import("abc\u{200b}def", None).unwrap();
        assert_eq!(cleaned.warnings, [ImportWarning::UnusualCharacters]);
        for warning in &cleaned.warnings {
            assert!(!warning.message().contains("abc"));
        }
    }

    #[test]
    fn an_empty_paste_is_refused() {
        assert_eq!(clean_import("  \n", None).unwrap_err(), EmptyImport);
        assert_eq!(clean_import("Bearer  ", None).unwrap_err(), EmptyImport);
        assert_eq!(clean_import("\"\"", None).unwrap_err(), EmptyImport);
    }
}

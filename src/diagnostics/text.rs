//! Server-supplied text made safe to print and to keep: [`printable`] turns control and
//! bidirectional-override characters into visible escapes (a 404 body must not clear the
//! screen, set the window title or paint a fake "All checks passed"; issue #16 item 6),
//! and [`Redactor`] removes secrets in every spelling a server may echo them in, including
//! what a cut left of one (issue #16 item 5). Probes redact with it before they shorten.
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

/// Shortens `text` to `max_chars` characters plus `…`. Call it only on text that was
/// already redacted ([`Redactor::redact`]).
pub fn shorten(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(max_chars).collect();
        format!("{cut}…")
    }
}

/// The shortest secret [`Redactor`] removes: a shorter value is an ordinary word
/// ("wrong", "test") as often as a secret, and blanking it would garble the server's
/// sentence (issue #15: "missing, wrong, revoked" became "missing, [token removed],
/// revoked"). Such values fail the token format check anyway.
pub const MIN_SECRET_CHARS: usize = 8;

/// Letters-only values shorter than this are words, not secrets (see [`is_secret_like`]).
const MIN_WORD_LIKE_SECRET_CHARS: usize = 16;

/// True when `value` is long or random enough to be a secret: at least
/// [`MIN_SECRET_CHARS`] characters, and either not letters only (digits, symbols) or at
/// least 16 characters. "wrong", "revoked" or "password" are left alone wherever they
/// appear; generated tokens and IdP secrets always qualify.
pub fn is_secret_like(value: &str) -> bool {
    let chars = value.chars().count();
    chars >= MIN_SECRET_CHARS
        && (chars >= MIN_WORD_LIKE_SECRET_CHARS || !value.chars().all(char::is_alphabetic))
}

/// The shortest tail of a secret's spelling that counts as a leftover of it when a
/// server (or an earlier cut) truncated the echo.
const MIN_PREFIX_CHARS: usize = 8;

/// Removes every spelling of some secrets from text: raw, trimmed, URL-encoded
/// (`%XX` and form `+`), standard and URL-safe base64 with and without padding, the
/// base64 of `id:secret` (an echoed `Authorization: Basic` header), and a spelling cut
/// off at the end of the text (a truncated echo). Each match becomes `label`.
#[derive(Clone, Default)]
pub struct Redactor {
    spellings: Vec<zeroize::Zeroizing<String>>,
    label: String,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor")
            .field("spellings", &self.spellings.len())
            .field("label", &self.label)
            .finish()
    }
}

impl Redactor {
    /// A redactor that writes `label` (for example `[token removed]`) in place of a secret.
    pub fn new(label: impl Into<String>) -> Self {
        Self {
            spellings: Vec::new(),
            label: label.into(),
        }
    }

    /// Adds a secret value; `client_id`, when given, adds the Basic forms of
    /// `client_id:secret`. Values that are not [`is_secret_like`] are ignored.
    #[must_use]
    pub fn with_secret(mut self, secret: &str, client_id: Option<&str>) -> Self {
        self.add(secret, client_id);
        self
    }

    /// See [`Self::with_secret`].
    pub fn add(&mut self, secret: &str, client_id: Option<&str>) {
        use base64::Engine as _;
        use base64::engine::general_purpose::{
            STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD,
        };
        for value in [secret, secret.trim()] {
            if !is_secret_like(value) {
                continue;
            }
            let mut forms: Vec<String> = vec![value.to_owned()];
            forms.push(url::form_urlencoded::byte_serialize(value.as_bytes()).collect());
            forms.push(percent_encode_all(value));
            let mut payloads = vec![value.to_owned()];
            if let Some(id) = client_id.map(str::trim).filter(|id| !id.is_empty()) {
                payloads.push(format!("{id}:{value}"));
                let enc = |s: &str| -> String {
                    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
                };
                payloads.push(format!("{}:{}", enc(id), enc(value)));
            }
            for payload in &payloads {
                for engine in [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD] {
                    forms.push(engine.encode(payload.as_bytes()));
                }
            }
            for form in forms {
                if !self.spellings.iter().any(|s| **s == form) {
                    self.spellings.push(zeroize::Zeroizing::new(form));
                }
            }
        }
        // Longest first, so a longer spelling is never half-replaced by a shorter one.
        self.spellings.sort_by_key(|s| std::cmp::Reverse(s.len()));
    }

    /// True when there is nothing to remove.
    pub fn is_empty(&self) -> bool {
        self.spellings.is_empty()
    }

    /// `text` with every spelling replaced by the label, and a trailing cut-off spelling
    /// (at least [`MIN_PREFIX_CHARS`] characters of one) too.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for spelling in &self.spellings {
            if out.contains(spelling.as_str()) {
                out = out.replace(spelling.as_str(), &self.label);
            }
        }
        self.redact_cut_prefixes(&out)
    }

    /// Where a prefix of a spelling runs up to the end of the text, a `…` or a closing
    /// quote, it is what a cut (ours or the server's) left of an echo.
    fn redact_cut_prefixes(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for spelling in &self.spellings {
            let chars: Vec<(usize, char)> = spelling.char_indices().collect();
            // Try the longest prefix first.
            for take in (MIN_PREFIX_CHARS..chars.len()).rev() {
                let end = chars.get(take).map_or(spelling.len(), |(i, _)| *i);
                let prefix = &spelling[..end];
                let mut search_from = 0;
                let mut replaced = false;
                while let Some(found) = out[search_from..].find(prefix) {
                    let at = search_from + found;
                    let after = at + prefix.len();
                    let next = out[after..].chars().next();
                    let boundary = next.is_none_or(|c| matches!(c, '"' | '\'' | '…'));
                    if boundary {
                        out.replace_range(at..after, &self.label);
                        search_from = at + self.label.len();
                        replaced = true;
                    } else {
                        search_from = after;
                    }
                }
                if replaced {
                    break;
                }
            }
        }
        out
    }

    /// Redacts, then shortens: the order that leaves no prefix of a secret behind.
    pub fn redact_then_shorten(&self, text: &str, max_chars: usize) -> String {
        shorten(&self.redact(text), max_chars)
    }
}

/// Every byte that is not an unreserved URL character as `%XX` (how `encodeURIComponent`
/// and most servers spell a value in a query or path).
fn percent_encode_all(value: &str) -> String {
    let mut out = String::with_capacity(value.len() * 3);
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Query parameter names whose values are credentials in URLs people paste: signed-URL
/// signatures, API keys, authorization codes, passwords, secrets, tokens.
const URL_SECRET_PARAMS: &[&str] = &[
    "sig",
    "signature",
    "key",
    "apikey",
    "api_key",
    "code",
    "pwd",
    "pass",
    "password",
    "secret",
    "client_secret",
    "token",
    "access_token",
    "id_token",
    "refresh_token",
    "auth",
    "x-amz-signature",
    "x-goog-signature",
];

/// True when a query parameter called `name` holds a credential.
fn is_url_secret_param(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    URL_SECRET_PARAMS.contains(&name.as_str())
        || name.ends_with("_token")
        || name.ends_with("_secret")
        || name.ends_with("password")
}

/// True when `url` carries a user name or password (`https://user:pass@host/`): a
/// finding wherever a URL is entered (issue #16 item 7).
pub fn has_userinfo(url: &url::Url) -> bool {
    !url.username().is_empty() || url.password().is_some()
}

/// Every `http://` or `https://` URL in `text` without its userinfo and with the values
/// of credential query parameters (`sig`, `key`, `code`, `pwd`, `password`, `secret`,
/// `token`…) replaced by `label`; `None` when nothing had to change.
pub fn strip_url_credentials(text: &str, label: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    let mut rest = text;
    while let Some(start) = find_url_start(rest) {
        out.push_str(&rest[..start]);
        let candidate = &rest[start..];
        let end = candidate
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '`'))
            .unwrap_or(candidate.len());
        let raw = &candidate[..end];
        match clean_url(raw, label) {
            Some(clean) => {
                out.push_str(&clean);
                changed = true;
            }
            None => out.push_str(raw),
        }
        rest = &candidate[end..];
    }
    out.push_str(rest);
    changed.then_some(out)
}

fn find_url_start(text: &str) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    match (lower.find("http://"), lower.find("https://")) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The URL with credentials removed, or `None` when it has none (or does not parse).
fn clean_url(raw: &str, label: &str) -> Option<String> {
    let mut url = url::Url::parse(raw).ok()?;
    let mut changed = false;
    if has_userinfo(&url) {
        let _ = url.set_username("");
        let _ = url.set_password(None);
        changed = true;
    }
    if url.query().is_some() {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if pairs
            .iter()
            .any(|(k, v)| is_url_secret_param(k) && !v.is_empty() && v != label)
        {
            let mut query = url::form_urlencoded::Serializer::new(String::new());
            for (k, v) in &pairs {
                if is_url_secret_param(k) && !v.is_empty() {
                    query.append_pair(k, label);
                } else {
                    query.append_pair(k, v);
                }
            }
            url.set_query(Some(&query.finish()));
            changed = true;
        }
    }
    changed.then(|| url.to_string())
}

/// Lower-case hex of `bytes` (fingerprints, random names).
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
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

    const SECRET: &str = "Zq8~vR2.pLk4_mW9xT6+nB3";

    fn redactor() -> Redactor {
        Redactor::new("[removed]").with_secret(SECRET, Some("my-app"))
    }

    #[test]
    fn every_echoed_spelling_is_removed() {
        use base64::Engine as _;
        use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
        let form: String = url::form_urlencoded::byte_serialize(SECRET.as_bytes()).collect();
        let basic = STANDARD.encode(format!("my-app:{SECRET}"));
        for echo in [
            SECRET.to_owned(),
            form,
            percent_encode_all(SECRET),
            STANDARD.encode(SECRET),
            URL_SAFE_NO_PAD.encode(SECRET),
            basic.clone(),
            format!("Authorization: Basic {basic}"),
        ] {
            let text = format!("the server says \"{echo}\" was wrong");
            let out = redactor().redact(&text);
            assert!(!out.contains(&echo), "{echo} left in {out}");
            assert!(
                out.contains("[removed]") && out.ends_with("was wrong"),
                "{out}"
            );
        }
    }

    #[test]
    fn a_cut_echo_leaves_no_prefix() {
        // Issue #16 item 5: a secret across a 300-character cut kept a 14-character prefix.
        let text = format!("{}{SECRET} and more", "x ".repeat(143));
        let cut = redactor().redact_then_shorten(&text, 300);
        assert!(!cut.contains("Zq8~vR2"), "{cut}");
        // The same cut made before redacting (as a server or an older path may do).
        let late = redactor().redact(&shorten(&text, 300));
        assert!(!late.contains("Zq8~vR2.p"), "{late}");
        assert!(late.ends_with("[removed]…"), "{late}");
    }

    #[test]
    fn ordinary_words_are_not_eaten() {
        // Issue #15: a token "wrong" turned "missing, wrong, revoked" into
        // "missing, [token removed], revoked".
        for weak in ["wrong", "password", "revoked"] {
            let r = Redactor::new("[token removed]").with_secret(weak, None);
            assert!(r.is_empty());
            assert_eq!(
                r.redact("the token is missing, wrong, revoked or a password"),
                "the token is missing, wrong, revoked or a password"
            );
        }
        assert!(is_secret_like("abcdefghijklmnopq"));
        assert!(is_secret_like("s3cr~t+x"));
        assert!(!format!("{:?}", redactor()).contains("Zq8"));
    }

    #[test]
    fn url_credentials_are_stripped() {
        let text = "issuer https://admin:hunter2@idp.example.com/o?sig=abc&x=1&Password=p&code=q, and http://h/p?token=t.";
        let out = strip_url_credentials(text, "[redacted]").unwrap();
        for gone in ["admin", "hunter2", "abc", "=p&", "code=q", "token=t"] {
            assert!(!out.contains(gone), "{gone} in {out}");
        }
        assert!(
            out.contains("https://idp.example.com/o?sig=%5Bredacted%5D&x=1"),
            "{out}"
        );
        assert_eq!(
            strip_url_credentials("https://idp.example.com/a?x=1", "[redacted]"),
            None
        );
        assert!(has_userinfo(&url::Url::parse("https://u@h/").unwrap()));
        assert!(!has_userinfo(&url::Url::parse("https://h/").unwrap()));
    }
}

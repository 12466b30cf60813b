//! Pure rules of the SCIM app step: the mistakes an admin makes when typing a SCIM base URL
//! or pasting a bearer token, how a base URL is matched against a platform's pattern, and
//! what the step needs before Next is allowed.
//!
//! The same rules feed the live check (`probes::scim`, findings `scim.base_url` and
//! `scim.token_format`), so the GUI and `check scim` say the same thing. No I/O, no clock,
//! no egui; a token is only ever inspected, never copied into a message.

use std::collections::BTreeMap;

use crate::catalog::{Idp, Platform, fill_pattern};
use crate::model::{Profile, ScimApp};

/// Path endings that name a SCIM resource rather than the base URL (RFC 7644 §3.2): an identity provider
/// appends `/Users` itself, so a pasted `…/scim/v2/Users` ends up as `…/Users/Users`.
const RESOURCE_SUFFIXES: &[&str] = &[
    "/Users",
    "/Groups",
    "/ServiceProviderConfig",
    "/Schemas",
    "/ResourceTypes",
    "/Bulk",
    "/Me",
    "/.search",
];

/// How much a mistake matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Gravity {
    /// Provisioning cannot work like this; Next stays disabled.
    Blocking,
    /// Works with most identity providers but deserves a fix.
    Advisory,
}

/// A mistake in a SCIM base URL as typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BaseUrlIssue {
    /// Nothing typed.
    Empty,
    /// Not an absolute http(s) URL.
    Unparseable {
        /// Why it does not parse.
        reason: String,
    },
    /// A space inside the URL (often two values pasted together).
    InnerSpaces,
    /// Spaces or a line break before or after the URL.
    SurroundingSpaces,
    /// Plain http to a host that is not this computer: identity providers refuse it and the token would
    /// travel in clear text.
    NotHttps,
    /// Plain http to a loopback host (a local test server): fine for testing only.
    PlainHttpLoopback,
    /// The URL names a resource (`/Users`) instead of ending at the base.
    ResourceSuffix {
        /// The offending ending, as typed (`/Users`).
        suffix: String,
    },
    /// A `/` at the end: some identity providers then request `…//Users`.
    TrailingSlash,
    /// A user name or password in the URL (`https://user:password@host/…`): it would be
    /// stored in the profile, shown and exported (issue #16 item 7).
    Userinfo,
    /// A `?query` on the end: the identity provider appends paths after it and the request breaks.
    QueryString,
    /// A `#fragment` on the end.
    Fragment,
    /// The platform's base URL ends in a version segment (`/v2`) this one lacks.
    MissingVersionSegment {
        /// What the URL should end with (`/scim/v2`).
        expected_end: String,
    },
    /// The URL does not have the shape of the platform's pattern.
    PatternMismatch {
        /// The pattern, with `{placeholders}`.
        pattern: String,
    },
}

impl BaseUrlIssue {
    /// Whether the mistake stops provisioning.
    pub fn gravity(&self) -> Gravity {
        match self {
            Self::SurroundingSpaces
            | Self::PlainHttpLoopback
            | Self::TrailingSlash
            | Self::PatternMismatch { .. } => Gravity::Advisory,
            _ => Gravity::Blocking,
        }
    }

    /// What is wrong, in one sentence.
    pub fn message(&self) -> String {
        match self {
            Self::Empty => "No SCIM base URL entered".to_owned(),
            Self::Unparseable { reason } => format!("This is not a full URL ({reason})"),
            Self::InnerSpaces => "The URL contains a space".to_owned(),
            Self::SurroundingSpaces => {
                "The URL has spaces or a line break before or after it".to_owned()
            }
            Self::NotHttps => "The URL uses http, not https".to_owned(),
            Self::PlainHttpLoopback => {
                "The URL uses plain http to this computer (fine for a local test server only)"
                    .to_owned()
            }
            Self::ResourceSuffix { suffix } => {
                format!("The URL ends with {suffix}, which the IdP adds by itself")
            }
            Self::TrailingSlash => "The URL ends with a slash".to_owned(),
            Self::Userinfo => {
                "The URL contains a user name or password before the host (…@)".to_owned()
            }
            Self::QueryString => "The URL has a query string (?…) on the end".to_owned(),
            Self::Fragment => "The URL has a #fragment on the end".to_owned(),
            Self::MissingVersionSegment { expected_end } => {
                format!("The URL is missing the version segment: it should end with {expected_end}")
            }
            Self::PatternMismatch { pattern } => {
                format!("The URL does not have the platform's usual shape {pattern}")
            }
        }
    }

    /// What to do about it, in one sentence.
    pub fn fix(&self) -> String {
        match self {
            Self::Empty => "Copy the SCIM endpoint URL from the platform's admin page".to_owned(),
            Self::Unparseable { .. } => "Enter the whole URL, starting with https://".to_owned(),
            Self::InnerSpaces => "Remove the spaces; copy the URL again in one piece".to_owned(),
            Self::SurroundingSpaces => "Remove the spaces and line breaks around the URL".to_owned(),
            Self::NotHttps => "Use the https:// address; identity providers do not send tokens over plain http".to_owned(),
            Self::PlainHttpLoopback => "Use the platform's https:// address for the real setup".to_owned(),
            Self::ResourceSuffix { suffix } => format!("Remove {suffix} from the end"),
            Self::TrailingSlash => "Remove the slash at the end".to_owned(),
            Self::Userinfo => "Remove the part between :// and @; the SCIM token is the credential, and a password in a URL ends up in saved files and exports".to_owned(),
            Self::QueryString => "Remove everything from the ? onwards".to_owned(),
            Self::Fragment => "Remove everything from the # onwards".to_owned(),
            Self::MissingVersionSegment { expected_end } => format!(
                "Add the missing part so the URL ends with {expected_end} (copy it again from the platform's admin page)"
            ),
            Self::PatternMismatch { .. } => {
                "Check that the URL was copied from this platform's SCIM settings and for the right environment".to_owned()
            }
        }
    }
}

/// Every mistake in `text` as a SCIM base URL, blocking ones first. `pattern` is the
/// platform's base URL pattern with `{placeholders}`; `None` (generic platform) skips the
/// shape checks.
pub fn base_url_issues(text: &str, pattern: Option<&str>) -> Vec<BaseUrlIssue> {
    let mut issues = Vec::new();
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return vec![BaseUrlIssue::Empty];
    }
    if trimmed.len() != text.len() {
        issues.push(BaseUrlIssue::SurroundingSpaces);
    }
    if trimmed.chars().any(char::is_whitespace) {
        issues.push(BaseUrlIssue::InnerSpaces);
        return sorted(issues);
    }
    let url = match url::Url::parse(trimmed) {
        Ok(url)
            if matches!(url.scheme(), "http" | "https")
                && url.host_str().is_some_and(|h| !h.is_empty()) =>
        {
            url
        }
        Ok(url) if !matches!(url.scheme(), "http" | "https") => {
            issues.push(BaseUrlIssue::Unparseable {
                reason: format!("the scheme is {:?}, not https", url.scheme()),
            });
            return sorted(issues);
        }
        Ok(_) => {
            issues.push(BaseUrlIssue::Unparseable {
                reason: "there is no host name".to_owned(),
            });
            return sorted(issues);
        }
        Err(err) => {
            issues.push(BaseUrlIssue::Unparseable {
                reason: err.to_string(),
            });
            return sorted(issues);
        }
    };
    if url.scheme() == "http" {
        issues.push(if is_loopback_host(&url) {
            BaseUrlIssue::PlainHttpLoopback
        } else {
            BaseUrlIssue::NotHttps
        });
    }
    if crate::diagnostics::text::has_userinfo(&url) {
        issues.push(BaseUrlIssue::Userinfo);
    }
    if url.query().is_some() {
        issues.push(BaseUrlIssue::QueryString);
    }
    if url.fragment().is_some() {
        issues.push(BaseUrlIssue::Fragment);
    }
    let path = url.path();
    let bare_path = path.trim_end_matches('/');
    if bare_path.len() != path.len() && !bare_path.is_empty() {
        issues.push(BaseUrlIssue::TrailingSlash);
    }
    if let Some(suffix) = resource_suffix(bare_path) {
        issues.push(BaseUrlIssue::ResourceSuffix {
            suffix: suffix.to_owned(),
        });
    }
    if let Some(pattern) = pattern.filter(|p| !p.trim().is_empty()) {
        let base = without_query(&url);
        if let Some(issue) = pattern_issue(&base, pattern) {
            issues.push(issue);
        }
    }
    sorted(issues)
}

fn sorted(mut issues: Vec<BaseUrlIssue>) -> Vec<BaseUrlIssue> {
    issues.sort_by_key(BaseUrlIssue::gravity);
    issues
}

/// The ending of `path` that names a SCIM resource, as typed, if any (case-insensitive:
/// `/users` is the same mistake).
fn resource_suffix(path: &str) -> Option<&str> {
    RESOURCE_SUFFIXES.iter().find_map(|suffix| {
        let start = path.len().checked_sub(suffix.len())?;
        let ending = path.get(start..)?;
        ending.eq_ignore_ascii_case(suffix).then_some(ending)
    })
}

fn is_loopback_host(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// The URL as a string without query, fragment or trailing slashes.
fn without_query(url: &url::Url) -> String {
    let mut bare = url.clone();
    bare.set_query(None);
    bare.set_fragment(None);
    bare.as_str().trim_end_matches('/').to_owned()
}

/// Compares a base URL (no query, no trailing slash) with the platform's pattern.
fn pattern_issue(base: &str, pattern: &str) -> Option<BaseUrlIssue> {
    let pattern = pattern.trim().trim_end_matches('/');
    if matches_pattern(base, pattern) {
        return None;
    }
    if let Some(version) = version_suffix(pattern) {
        let without_version = &pattern[..pattern.len() - version.len()];
        // `…/scim` instead of `…/scim/v2`: the commonest copy mistake the guides name.
        if matches_pattern(base, without_version) {
            let expected_end = last_literal_tail(pattern);
            return Some(BaseUrlIssue::MissingVersionSegment { expected_end });
        }
    }
    Some(BaseUrlIssue::PatternMismatch {
        pattern: pattern.to_owned(),
    })
}

/// The `/v2`-like segment a pattern ends with, if any.
fn version_suffix(pattern: &str) -> Option<&str> {
    let slash = pattern.rfind('/')?;
    let last = &pattern[slash + 1..];
    let is_version = last.len() >= 2
        && last.starts_with(['v', 'V'])
        && last[1..].chars().all(|c| c.is_ascii_digit());
    is_version.then(|| &pattern[slash..])
}

/// The literal text after the pattern's last placeholder, trimmed to its last two path
/// segments (`/scim/v2`), for messages.
fn last_literal_tail(pattern: &str) -> String {
    let tail = pattern.rsplit('}').next().unwrap_or(pattern);
    let segments: Vec<&str> = tail.split('/').filter(|s| !s.is_empty()).collect();
    let keep = segments.len().min(2);
    format!("/{}", segments[segments.len() - keep..].join("/"))
}

/// A piece of a `{placeholder}` pattern.
#[derive(Debug, PartialEq, Eq)]
enum Piece<'a> {
    Literal(&'a str),
    Placeholder,
}

fn pieces(pattern: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        if open > 0 {
            out.push(Piece::Literal(&rest[..open]));
        }
        out.push(Piece::Placeholder);
        rest = &rest[open + close + 1..];
    }
    if !rest.is_empty() {
        out.push(Piece::Literal(rest));
    }
    out
}

/// True when `text` has the shape of `pattern`: literals match exactly (ASCII case-
/// insensitively, as hosts and schemes are) and each placeholder stands for at least one
/// character.
pub fn matches_pattern(text: &str, pattern: &str) -> bool {
    fn go(text: &str, pieces: &[Piece<'_>]) -> bool {
        match pieces.split_first() {
            None => text.is_empty(),
            Some((Piece::Literal(lit), rest)) => {
                text.len() >= lit.len()
                    && text.is_char_boundary(lit.len())
                    && text[..lit.len()].eq_ignore_ascii_case(lit)
                    && go(&text[lit.len()..], rest)
            }
            Some((Piece::Placeholder, rest)) => (1..=text.len())
                .filter(|i| text.is_char_boundary(*i))
                .any(|i| go(&text[i..], rest)),
        }
    }
    go(text, &pieces(pattern))
}

/// A problem with a pasted bearer token. Messages describe the token's edges only, never
/// its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenIssue {
    /// Nothing pasted.
    Empty,
    /// Starts with `Bearer ` (the identity provider adds that word itself).
    BearerPrefix {
        /// The prefix as pasted (`Bearer `, `bearer `).
        prefix: String,
    },
    /// Wrapped in quotes.
    Quoted {
        /// The quote characters found at the start and end.
        quotes: String,
    },
    /// Line breaks before, inside or after the token.
    LineBreaks {
        /// Where: "at the end", "inside", "at the start".
        place: String,
    },
    /// Spaces or tabs before or after the token.
    SurroundingWhitespace {
        /// What and where, e.g. "1 space at the end".
        what: String,
    },
    /// Spaces inside the token (two values pasted together, or a wrapped copy).
    InnerWhitespace,
    /// Characters that cannot be sent in an HTTP header (control or non-ASCII characters).
    UnsendableCharacters,
    /// Shorter than any platform issues: probably a partial copy.
    TooShort {
        /// Its length in characters.
        length: usize,
    },
}

/// Shortest token we accept without a warning.
pub const MIN_TOKEN_CHARS: usize = 16;

impl TokenIssue {
    /// Whether the identity provider would fail with a token pasted like this.
    pub fn gravity(&self) -> Gravity {
        match self {
            Self::SurroundingWhitespace { .. } | Self::TooShort { .. } => Gravity::Advisory,
            _ => Gravity::Blocking,
        }
    }

    /// What is wrong, in one sentence, naming exactly what to remove.
    pub fn message(&self) -> String {
        match self {
            Self::Empty => "No token entered".to_owned(),
            Self::BearerPrefix { prefix } => {
                format!("The token starts with the word {:?}; the IdP adds that word itself", prefix.trim_end())
            }
            Self::Quoted { quotes } => format!("The token is wrapped in quotes ({quotes})"),
            Self::LineBreaks { place } => format!("The token has a line break {place}"),
            Self::SurroundingWhitespace { what } => format!("The token has {what}"),
            Self::InnerWhitespace => "The token has a space inside it".to_owned(),
            Self::UnsendableCharacters => {
                "The token contains characters that cannot be sent in an HTTP header (control or non-ASCII characters)"
                    .to_owned()
            }
            Self::TooShort { length } => {
                format!("The token is only {length} characters long; platform tokens are longer")
            }
        }
    }

    /// What to do about it.
    pub fn fix(&self) -> String {
        match self {
            Self::Empty => "Paste the token the platform issued".to_owned(),
            Self::BearerPrefix { prefix } => {
                format!("Remove {:?} (the first {} characters) and paste only the token", prefix, prefix.chars().count())
            }
            Self::Quoted { .. } => "Remove the quote marks at both ends".to_owned(),
            Self::LineBreaks { place } => format!("Remove the line break {place}; paste the token as one line"),
            Self::SurroundingWhitespace { .. } => "Remove the spaces around the token".to_owned(),
            Self::InnerWhitespace => "Copy the token again in one piece, without spaces".to_owned(),
            Self::UnsendableCharacters => {
                "Copy the token again from the platform, using its copy button rather than selecting the text".to_owned()
            }
            Self::TooShort { .. } => "Check that the whole token was copied".to_owned(),
        }
    }
}

/// Every paste problem in `raw`, blocking ones first.
pub fn token_issues(raw: &str) -> Vec<TokenIssue> {
    let mut issues = Vec::new();
    if raw.trim().is_empty() {
        return vec![TokenIssue::Empty];
    }
    let is_line_break = |c: char| c == '\n' || c == '\r';
    let lead: String = raw.chars().take_while(|c| c.is_whitespace()).collect();
    let trail: String = {
        let mut t: Vec<char> = raw
            .chars()
            .rev()
            .take_while(|c| c.is_whitespace())
            .collect();
        t.reverse();
        t.into_iter().collect()
    };
    let core = raw.trim();
    let mut places = Vec::new();
    if lead.contains(is_line_break) {
        places.push("at the start");
    }
    if core.contains(is_line_break) {
        places.push("inside");
    }
    if trail.contains(is_line_break) {
        places.push("at the end");
    }
    if !places.is_empty() {
        issues.push(TokenIssue::LineBreaks {
            place: places.join(" and "),
        });
    }
    let mut spaces = Vec::new();
    let blanks = |s: &str| s.chars().filter(|c| *c == ' ' || *c == '\t').count();
    if blanks(&lead) > 0 {
        spaces.push(format!("{} at the start", plural(blanks(&lead), "space")));
    }
    if blanks(&trail) > 0 {
        spaces.push(format!("{} at the end", plural(blanks(&trail), "space")));
    }
    if !spaces.is_empty() {
        issues.push(TokenIssue::SurroundingWhitespace {
            what: spaces.join(" and "),
        });
    }

    let mut inner = core;
    if let Some(quotes) = surrounding_quotes(inner) {
        issues.push(TokenIssue::Quoted {
            quotes: quotes.0.clone(),
        });
        inner = quotes.1;
    }
    if let Some(prefix) = bearer_prefix(inner) {
        issues.push(TokenIssue::BearerPrefix {
            prefix: prefix.to_owned(),
        });
        inner = inner[prefix.len()..].trim_start();
        if let Some(quotes) = surrounding_quotes(inner) {
            issues.push(TokenIssue::Quoted {
                quotes: quotes.0.clone(),
            });
            inner = quotes.1;
        }
    }
    if inner.chars().any(|c| c == ' ' || c == '\t') {
        issues.push(TokenIssue::InnerWhitespace);
    }
    if inner
        .chars()
        .any(|c| !c.is_ascii() || (c.is_ascii_control() && !c.is_whitespace()))
    {
        issues.push(TokenIssue::UnsendableCharacters);
    }
    let length = cleaned_token(raw).chars().count();
    if length > 0 && length < MIN_TOKEN_CHARS {
        issues.push(TokenIssue::TooShort { length });
    }
    issues.sort_by_key(TokenIssue::gravity);
    issues.dedup();
    issues
}

/// The token with the paste mistakes removed: surrounding whitespace, quotes and a
/// `Bearer ` prefix, and any whitespace or line break inside.
pub fn cleaned_token(raw: &str) -> String {
    let mut inner = raw.trim();
    for _ in 0..2 {
        if let Some((_, unquoted)) = surrounding_quotes(inner) {
            inner = unquoted.trim();
        }
        if let Some(prefix) = bearer_prefix(inner) {
            inner = inner[prefix.len()..].trim();
        }
    }
    inner.chars().filter(|c| !c.is_whitespace()).collect()
}

fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// `Bearer ` (any case) followed by more text.
fn bearer_prefix(text: &str) -> Option<&str> {
    const WORD: &str = "bearer";
    let head = text.get(..WORD.len())?;
    if !head.eq_ignore_ascii_case(WORD) {
        return None;
    }
    let after = &text[WORD.len()..];
    let gap = after.len() - after.trim_start().len();
    (gap > 0 && !after.trim().is_empty()).then(|| &text[..WORD.len() + gap])
}

/// The matching quote pair around `text` and the text inside.
fn surrounding_quotes(text: &str) -> Option<(String, &str)> {
    const PAIRS: &[(char, char)] = &[('"', '"'), ('\'', '\''), ('“', '”'), ('‘', '’'), ('`', '`')];
    let first = text.chars().next()?;
    let last = text.chars().next_back()?;
    if text.chars().count() < 2 {
        return None;
    }
    PAIRS
        .iter()
        .find(|(open, close)| first == *open && last == *close)
        .map(|(open, close)| {
            (
                format!("{open}…{close}"),
                &text[open.len_utf8()..text.len() - close.len_utf8()],
            )
        })
}

/// The platform's SCIM base URL pattern, `None` when it publishes none (free entry).
pub fn pattern_of(platform: &Platform) -> Option<&str> {
    let pattern = platform.scim.base_url_pattern.trim();
    (!pattern.is_empty()).then_some(pattern)
}

/// Problems with the values typed into the pattern's placeholder fields, as
/// `(placeholder name, message starting with the field label)`, in field order. Empty
/// fields count: use [`placeholder_errors_as_typed`] to leave untouched ones alone.
pub fn placeholder_errors(
    platform: &Platform,
    params: &BTreeMap<String, String>,
) -> Vec<(String, String)> {
    platform
        .scim
        .placeholders
        .iter()
        .filter_map(|placeholder| {
            let value = params.get(&placeholder.name).map_or("", String::as_str);
            placeholder
                .validate(value)
                .err()
                .map(|message| (placeholder.name.clone(), message))
        })
        .collect()
}

/// Like [`placeholder_errors`], without complaints about fields still empty (for marking
/// fields while the admin types).
pub fn placeholder_errors_as_typed(
    platform: &Platform,
    params: &BTreeMap<String, String>,
) -> Vec<(String, String)> {
    placeholder_errors(platform, params)
        .into_iter()
        .filter(|(name, _)| params.get(name).is_some_and(|value| !value.is_empty()))
        .collect()
}

/// The base URL built from the platform's pattern, once every placeholder has a valid value.
pub fn derived_base_url(platform: &Platform, params: &BTreeMap<String, String>) -> Option<String> {
    let pattern = pattern_of(platform)?;
    if !placeholder_errors(platform, params).is_empty() {
        return None;
    }
    fill_pattern(pattern, params).ok()
}

/// Keeps `scim.base_url` in step with the placeholder fields, unless the admin typed their
/// own URL or the platform has no pattern.
pub fn sync_base_url(scim: &mut ScimApp, platform: &Platform) {
    if scim.base_url_edited || pattern_of(platform).is_none() {
        return;
    }
    scim.base_url = derived_base_url(platform, &scim.url_params).unwrap_or_default();
}

/// One row of the attribute mapping table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MappingRow {
    /// The SCIM attribute, for example `emails[type eq "work"].value`.
    pub scim_path: String,
    /// What to map to it in the identity provider, when known.
    pub source: Option<String>,
    /// True when provisioning fails without it.
    pub required: bool,
    /// Why the platform needs it (empty for the identity provider's own defaults).
    pub why: String,
}

/// The mapping table for a platform and identity provider: first the attributes the
/// platform requires or recommends, with the source to map in this identity provider;
/// then the identity provider's other default mappings, so the table shows everything
/// that will be sent.
pub fn mapping_rows(platform: &Platform, idp: &Idp) -> Vec<MappingRow> {
    let mut rows: Vec<MappingRow> = platform
        .scim
        .required_attributes
        .iter()
        .map(|requirement| MappingRow {
            scim_path: requirement.path.clone(),
            source: idp.source_for(requirement).map(str::to_owned),
            required: requirement.required,
            why: requirement.why.clone(),
        })
        .collect();
    for mapping in &idp.attribute_mappings {
        if !rows.iter().any(|row| row.scim_path == mapping.scim_path) {
            rows.push(MappingRow {
                scim_path: mapping.scim_path.clone(),
                source: Some(mapping.source.clone()),
                required: false,
                why: String::new(),
            });
        }
    }
    rows
}

/// True when the profile's SCIM token credential is recorded (its value is in the keyring).
pub fn has_token(profile: &Profile) -> bool {
    profile
        .scim
        .token_credential
        .as_deref()
        .is_some_and(|id| profile.credential(id).is_some())
}

/// Why Next is disabled on the SCIM app step: one variant per reason, with what its words
/// need. `Display` gives the one line the step shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScimBlocker {
    /// A field of the platform's base URL pattern is missing or wrong (the message names it).
    UrlField(String),
    /// No base URL was entered.
    NoBaseUrl,
    /// The base URL has a mistake that stops provisioning.
    BaseUrl(BaseUrlIssue),
    /// No SCIM token is stored.
    NoToken,
    /// The attribute mappings are not confirmed.
    MappingsNotConfirmed,
    /// The provisioning scope is not confirmed.
    ScopeNotConfirmed,
}

impl std::fmt::Display for ScimBlocker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::UrlField(message) => f.write_str(message),
            Self::NoBaseUrl => f.write_str("Enter the SCIM base URL"),
            Self::BaseUrl(issue) => f.write_str(&issue.message()),
            Self::NoToken => f.write_str("Store the SCIM token"),
            Self::MappingsNotConfirmed => f.write_str("Confirm the attribute mappings"),
            Self::ScopeNotConfirmed => f.write_str("Confirm the provisioning scope"),
        }
    }
}

/// Why Next is disabled on the step; `None` when complete.
pub fn next_blocker(profile: &Profile, platform: &Platform) -> Option<ScimBlocker> {
    let scim = &profile.scim;
    let pattern = pattern_of(platform);
    if pattern.is_some()
        && !scim.base_url_edited
        && let Some((_, message)) = placeholder_errors(platform, &scim.url_params)
            .into_iter()
            .next()
    {
        return Some(ScimBlocker::UrlField(message));
    }
    if scim.base_url.trim().is_empty() {
        return Some(ScimBlocker::NoBaseUrl);
    }
    if let Some(issue) = base_url_issues(&scim.base_url, pattern)
        .into_iter()
        .find(|issue| issue.gravity() == Gravity::Blocking)
    {
        return Some(ScimBlocker::BaseUrl(issue));
    }
    if !has_token(profile) {
        return Some(ScimBlocker::NoToken);
    }
    if !scim.mappings_confirmed {
        return Some(ScimBlocker::MappingsNotConfirmed);
    }
    if !scim.scope_confirmed {
        return Some(ScimBlocker::ScopeNotConfirmed);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const AIRIA: &str = "{environment_base_url}/auth/realms/airia/org/{client_guid}/scim/v2";

    fn kinds(issues: &[BaseUrlIssue]) -> Vec<String> {
        issues.iter().map(|i| format!("{i:?}")).collect()
    }

    #[test]
    fn a_clean_https_base_url_has_no_issues() {
        assert!(base_url_issues("https://scim.example.com/scim/v2", None).is_empty());
        assert!(
            base_url_issues(
                "https://prod.airia.ai/auth/realms/airia/org/4f1c-9a/scim/v2",
                Some(AIRIA)
            )
            .is_empty()
        );
    }

    #[test]
    fn http_is_blocking_except_on_loopback() {
        assert_eq!(
            base_url_issues("http://scim.example.com/v2", None),
            [BaseUrlIssue::NotHttps]
        );
        assert_eq!(
            base_url_issues("http://127.0.0.1:9400/v2", None),
            [BaseUrlIssue::PlainHttpLoopback]
        );
        assert_eq!(BaseUrlIssue::PlainHttpLoopback.gravity(), Gravity::Advisory);
    }

    #[test]
    fn a_user_name_or_password_in_the_url_is_blocking() {
        // Issue #16 item 7: it would be stored, shown and exported with the profile.
        for text in [
            "https://user:pw@scim.example.com/scim/v2",
            "https://user@scim.example.com/scim/v2",
        ] {
            let issues = base_url_issues(text, None);
            assert_eq!(issues, [BaseUrlIssue::Userinfo], "{text}");
            assert_eq!(issues[0].gravity(), Gravity::Blocking);
            assert!(!issues[0].fix().contains("pw"));
        }
    }

    #[test]
    fn trailing_users_is_caught_with_its_spelling() {
        let issues = base_url_issues("https://x.example/scim/v2/users/", None);
        assert!(
            issues.contains(&BaseUrlIssue::ResourceSuffix {
                suffix: "/users".into()
            }),
            "{issues:?}"
        );
        assert!(issues.contains(&BaseUrlIssue::TrailingSlash));
        assert_eq!(
            issues[0].gravity(),
            Gravity::Blocking,
            "blocking first: {issues:?}"
        );
        assert!(issues[0].fix().contains("/users"));
    }

    #[test]
    fn query_fragment_and_spaces_are_caught() {
        assert!(
            base_url_issues("https://x.example/scim/v2?tenant=1", None)
                .contains(&BaseUrlIssue::QueryString)
        );
        assert!(
            base_url_issues("https://x.example/scim/v2#top", None)
                .contains(&BaseUrlIssue::Fragment)
        );
        assert_eq!(
            base_url_issues("https://x.example/scim /v2", None),
            [BaseUrlIssue::InnerSpaces]
        );
        assert_eq!(
            base_url_issues(" https://x.example/scim/v2\n", None),
            [BaseUrlIssue::SurroundingSpaces]
        );
        assert_eq!(base_url_issues("  ", None), [BaseUrlIssue::Empty]);
    }

    #[test]
    fn not_a_url_says_why() {
        let issues = base_url_issues("x.example/scim/v2", None);
        assert!(
            matches!(issues.as_slice(), [BaseUrlIssue::Unparseable { .. }]),
            "{issues:?}"
        );
        let issues = base_url_issues("ftp://x.example/scim/v2", None);
        assert!(issues[0].message().contains("ftp"), "{issues:?}");
    }

    #[test]
    fn airia_url_without_v2_is_missing_the_version_segment() {
        let issues = base_url_issues(
            "https://prod.airia.ai/auth/realms/airia/org/4f1c/scim",
            Some(AIRIA),
        );
        assert_eq!(
            issues,
            [BaseUrlIssue::MissingVersionSegment {
                expected_end: "/scim/v2".into()
            }]
        );
        assert!(issues[0].message().contains("missing the version segment"));
        assert_eq!(issues[0].gravity(), Gravity::Blocking);
    }

    #[test]
    fn a_url_of_another_shape_is_a_pattern_mismatch() {
        let issues = base_url_issues("https://prod.airia.ai/scim/v2", Some(AIRIA));
        assert_eq!(
            kinds(&issues),
            [format!(
                "{:?}",
                BaseUrlIssue::PatternMismatch {
                    pattern: AIRIA.into()
                }
            )]
        );
    }

    #[test]
    fn pattern_placeholders_need_at_least_one_character() {
        assert!(matches_pattern(
            "https://a/org/x/scim/v2",
            "{base}/org/{id}/scim/v2"
        ));
        assert!(!matches_pattern(
            "https://a/org//scim/v2",
            "{base}/org/{id}/scim/v2"
        ));
        assert!(matches_pattern("HTTPS://A/org/x", "https://{h}/org/x"));
        assert!(!matches_pattern(
            "https://a/org/x/extra",
            "https://{h}/org/x"
        ));
    }

    #[test]
    fn bearer_prefix_is_named_exactly() {
        let issues = token_issues("Bearer abcdefghijklmnopqrstuvwxyz");
        assert_eq!(
            issues,
            [TokenIssue::BearerPrefix {
                prefix: "Bearer ".into()
            }]
        );
        assert!(
            issues[0].fix().contains("first 7 characters"),
            "{}",
            issues[0].fix()
        );
        assert_eq!(
            cleaned_token("Bearer abcdefghijklmnopqrstuvwxyz"),
            "abcdefghijklmnopqrstuvwxyz"
        );
    }

    #[test]
    fn quotes_newlines_and_spaces_are_each_reported() {
        let raw = "  \"abcdefghijklmnopqrstuvwxyz\"\n";
        let issues = token_issues(raw);
        assert!(
            issues.contains(&TokenIssue::Quoted {
                quotes: "\"…\"".into()
            }),
            "{issues:?}"
        );
        assert!(
            issues.contains(&TokenIssue::LineBreaks {
                place: "at the end".into()
            }),
            "{issues:?}"
        );
        assert!(issues.contains(&TokenIssue::SurroundingWhitespace {
            what: "2 spaces at the start".into()
        }));
        assert_eq!(cleaned_token(raw), "abcdefghijklmnopqrstuvwxyz");
    }

    #[test]
    fn quoted_bearer_and_bearer_quoted_both_clean_up() {
        assert_eq!(
            cleaned_token("'Bearer abcdefghijklmnopqrstuvwxyz'"),
            "abcdefghijklmnopqrstuvwxyz"
        );
        assert_eq!(
            cleaned_token("bearer “abcdefghijklmnopqrstuvwxyz”"),
            "abcdefghijklmnopqrstuvwxyz"
        );
        let issues = token_issues("bearer “abcdefghijklmnopqrstuvwxyz”");
        assert_eq!(issues.len(), 2, "{issues:?}");
    }

    #[test]
    fn a_clean_token_has_no_issues_and_messages_never_quote_it() {
        let raw = "scim_0123456789abcdefXYZ";
        assert!(token_issues(raw).is_empty());
        for bad in [
            format!("Bearer {raw}"),
            format!("\"{raw}\"\n"),
            format!("{raw} {raw}"),
            format!("{raw}é"),
        ] {
            for issue in token_issues(&bad) {
                assert!(
                    !issue.message().contains(raw) && !issue.fix().contains(raw),
                    "{issue:?}"
                );
            }
        }
    }

    fn airia() -> &'static Platform {
        crate::catalog::catalog().platform(crate::model::PlatformId::Airia)
    }

    fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn the_airia_url_is_built_from_valid_fields_only() {
        let platform = airia();
        assert_eq!(pattern_of(platform), Some(AIRIA));
        let good = params(&[
            ("environment_base_url", "https://prod.airia.ai"),
            ("client_guid", "3f2b8c1e-9a4d-4e7b-8c21-5d6f7a8b9c0d"),
        ]);
        assert_eq!(
            derived_base_url(platform, &good).as_deref(),
            Some(
                "https://prod.airia.ai/auth/realms/airia/org/3f2b8c1e-9a4d-4e7b-8c21-5d6f7a8b9c0d/scim/v2"
            )
        );
        let bad = params(&[
            ("environment_base_url", "http://prod.airia.ai/"),
            ("client_guid", ""),
        ]);
        assert_eq!(derived_base_url(platform, &bad), None);
        let errors = placeholder_errors(platform, &bad);
        assert_eq!(errors.len(), 2, "{errors:?}");
        // While typing, the untouched field is left alone.
        let as_typed = placeholder_errors_as_typed(platform, &bad);
        assert_eq!(as_typed.len(), 1, "{as_typed:?}");
        assert_eq!(as_typed[0].0, "environment_base_url");
    }

    #[test]
    fn sync_follows_the_fields_until_the_admin_edits_the_url() {
        let platform = airia();
        let mut scim = ScimApp {
            url_params: params(&[
                ("environment_base_url", "https://prod.airia.ai"),
                ("client_guid", "3f2b8c1e-9a4d-4e7b-8c21-5d6f7a8b9c0d"),
            ]),
            ..ScimApp::default()
        };
        sync_base_url(&mut scim, platform);
        assert!(scim.base_url.ends_with("/scim/v2"));
        scim.base_url_edited = true;
        scim.base_url = "https://custom.example/scim/v2".into();
        sync_base_url(&mut scim, platform);
        assert_eq!(scim.base_url, "https://custom.example/scim/v2");
    }

    #[test]
    fn next_blocker_walks_through_url_token_mappings_and_scope() {
        use crate::model::{CredentialMeta, PlatformId};
        let catalog = crate::catalog::catalog();
        let platform = catalog.platform(PlatformId::Generic);
        let mut profile = Profile {
            platform: PlatformId::Generic,
            ..Profile::default()
        };
        assert_eq!(
            next_blocker(&profile, platform),
            Some(ScimBlocker::NoBaseUrl)
        );
        profile.scim.base_url = "https://scim.example.com/scim/v2/Users".into();
        let blocker = next_blocker(&profile, platform);
        assert!(
            matches!(&blocker, Some(ScimBlocker::BaseUrl(_))),
            "{blocker:?}"
        );
        assert!(blocker.is_some_and(|b| b.to_string().contains("/Users")));
        profile.scim.base_url = "https://scim.example.com/scim/v2/".into();
        // A trailing slash is advisory: the token is what is missing now.
        assert_eq!(next_blocker(&profile, platform), Some(ScimBlocker::NoToken));
        // Built from JSON so the test does not depend on every metadata field.
        let meta: CredentialMeta = serde_json::from_value(serde_json::json!({
            "id": "scim-1", "kind": "scim-token", "origin": "imported",
            "created_at": "2026-01-01T00:00:00Z", "last4": "abcd",
        }))
        .unwrap();
        profile.credentials.push(meta);
        profile.scim.token_credential = Some("scim-1".into());
        assert_eq!(
            next_blocker(&profile, platform),
            Some(ScimBlocker::MappingsNotConfirmed)
        );
        profile.scim.mappings_confirmed = true;
        assert_eq!(
            next_blocker(&profile, platform),
            Some(ScimBlocker::ScopeNotConfirmed)
        );
        profile.scim.scope_confirmed = true;
        assert_eq!(next_blocker(&profile, platform), None);
    }

    #[test]
    fn scim_blockers_keep_their_words() {
        let cases = [
            (ScimBlocker::NoBaseUrl, "Enter the SCIM base URL"),
            (ScimBlocker::NoToken, "Store the SCIM token"),
            (
                ScimBlocker::MappingsNotConfirmed,
                "Confirm the attribute mappings",
            ),
            (
                ScimBlocker::ScopeNotConfirmed,
                "Confirm the provisioning scope",
            ),
            (
                ScimBlocker::UrlField("Tenant: enter it".into()),
                "Tenant: enter it",
            ),
        ];
        for (blocker, words) in cases {
            assert_eq!(blocker.to_string(), words);
        }
        let issue = BaseUrlIssue::NotHttps;
        assert_eq!(
            ScimBlocker::BaseUrl(issue.clone()).to_string(),
            issue.message()
        );
    }

    #[test]
    fn airia_fields_block_next_with_the_field_label() {
        let profile = Profile {
            platform: crate::model::PlatformId::Airia,
            ..Profile::default()
        };
        let first = &airia().scim.placeholders[0];
        let Some(ScimBlocker::UrlField(blocker)) = next_blocker(&profile, airia()) else {
            panic!("a missing URL field blocks first");
        };
        assert!(blocker.starts_with(&first.label), "{blocker}");
    }

    #[test]
    fn mapping_rows_use_the_platform_override_then_the_idp_default() {
        use crate::model::{IdpId, PlatformId};
        let catalog = crate::catalog::catalog();
        let aws = catalog.platform(PlatformId::AwsIamIdentityCenter);
        let entra = catalog.idp(IdpId::Entra);
        let rows = mapping_rows(aws, entra);
        assert!(!rows.is_empty());
        let user_name = rows
            .iter()
            .find(|r| r.scim_path == "userName")
            .expect("userName row");
        assert!(user_name.required);
        assert!(user_name.source.is_some(), "{user_name:?}");
        // Every default mapping of the IdP shows up once, after the platform's own rows.
        for platform in PlatformId::ALL {
            let rows = mapping_rows(catalog.platform(platform), entra);
            for mapping in &entra.attribute_mappings {
                assert_eq!(
                    rows.iter()
                        .filter(|r| r.scim_path == mapping.scim_path)
                        .count(),
                    1,
                    "{platform}"
                );
            }
        }
    }

    #[test]
    fn short_and_odd_tokens_are_flagged() {
        assert_eq!(token_issues("abc"), [TokenIssue::TooShort { length: 3 }]);
        assert!(token_issues("abcdefghijklmnop qrstuvwxyz").contains(&TokenIssue::InnerWhitespace));
        assert!(
            token_issues("abcdefghijklmnopqrstuvwxyz\u{7}")
                .contains(&TokenIssue::UnsendableCharacters)
        );
        assert_eq!(token_issues(" \n"), [TokenIssue::Empty]);
        assert_eq!(token_issues("Bearer"), [TokenIssue::TooShort { length: 6 }]);
    }
}

//! URL patterns with `{placeholders}` and the validation of the values that fill them.
//!
//! Pure string work: no URL parsing library, no I/O. The messages are written for an
//! admin who pasted something slightly wrong, and say what to change.

use std::collections::BTreeMap;

use super::types::{Placeholder, PlaceholderKind};

/// The placeholder names in `pattern`, in order of first appearance, without duplicates.
///
/// A name is the text between `{` and `}` made of ASCII letters, digits and `_`;
/// anything else in braces is not a placeholder.
pub fn placeholders(pattern: &str) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        let name = &after[..close];
        if is_placeholder_name(name) {
            if !names.contains(&name) {
                names.push(name);
            }
            rest = &after[close + 1..];
        } else {
            rest = after;
        }
    }
    names
}

/// Substitutes every `{name}` in `pattern` with the trimmed value from `values`.
///
/// Returns the names of placeholders that have no value or only whitespace, in order,
/// so the form can mark exactly those fields.
pub fn fill_pattern(
    pattern: &str,
    values: &BTreeMap<String, String>,
) -> Result<String, Vec<String>> {
    let missing: Vec<String> = placeholders(pattern)
        .into_iter()
        .filter(|name| {
            values
                .get(*name)
                .is_none_or(|value| value.trim().is_empty())
        })
        .map(str::to_owned)
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    let mut filled = pattern.to_owned();
    for name in placeholders(pattern) {
        if let Some(value) = values.get(name) {
            filled = filled.replace(&format!("{{{name}}}"), value.trim());
        }
    }
    Ok(filled)
}

/// Fills `pattern` once every placeholder in it has a value that passes its declaration
/// in `declared` (a placeholder without a declaration only needs to be non-empty).
///
/// `Err` lists each placeholder that is missing or invalid with its message, in pattern
/// order, so a form can mark exactly those fields.
pub fn fill_validated(
    pattern: &str,
    declared: &[Placeholder],
    values: &BTreeMap<String, String>,
) -> Result<String, Vec<(String, String)>> {
    let mut problems: Vec<(String, String)> = Vec::new();
    for name in placeholders(pattern) {
        let value = values.get(name).map(String::as_str).unwrap_or_default();
        let check = match declared.iter().find(|p| p.name == name) {
            Some(placeholder) => placeholder.validate(value),
            None if value.trim().is_empty() => Err(format!("{name}: this field is empty")),
            None => Ok(()),
        };
        if let Err(message) = check {
            problems.push((name.to_owned(), message));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    fill_pattern(pattern, values).map_err(|missing| {
        missing
            .into_iter()
            .map(|name| (name, "this field is empty".to_owned()))
            .collect()
    })
}

fn is_placeholder_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl Placeholder {
    /// Validates `value` for this placeholder; the message starts with the field label.
    pub fn validate(&self, value: &str) -> Result<(), String> {
        self.kind
            .validate(value)
            .map_err(|message| format!("{}: {message}", self.label))
    }
}

impl PlaceholderKind {
    /// Checks a value typed for a placeholder of this kind.
    ///
    /// The error says what is wrong and what to enter instead, in the admin's words.
    pub fn validate(&self, value: &str) -> Result<(), String> {
        if value.trim().is_empty() {
            return Err("this field is empty".to_owned());
        }
        if value.chars().any(char::is_whitespace) {
            return Err(
                "remove the spaces or line breaks (they often come with a copied value)".to_owned(),
            );
        }
        match self {
            Self::Url => validate_base_url(value),
            Self::Guid => validate_guid(value),
            Self::Hostname => validate_hostname(value),
            Self::Region => validate_region(value),
            Self::Text => validate_text(value),
        }
    }
}

fn validate_base_url(value: &str) -> Result<(), String> {
    let lower = value.to_ascii_lowercase();
    if lower.starts_with("http://") {
        return Err(
            "use https:// instead of http:// (the connection must be encrypted)".to_owned(),
        );
    }
    let Some(rest) = strip_prefix_ignore_case(value, "https://") else {
        return Err(format!("start with https://, for example https://{value}"));
    };
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(host_end);
    if authority.is_empty() {
        return Err("add the host name after https://".to_owned());
    }
    if tail == "/" {
        return Err("remove the trailing slash".to_owned());
    }
    if !tail.is_empty() {
        return Err(format!(
            "enter only the start of the address, up to the host name: remove {tail}"
        ));
    }
    validate_authority(authority)
}

/// Host with an optional port, as found after `https://`.
fn validate_authority(authority: &str) -> Result<(), String> {
    if authority.contains('@') {
        return Err("remove the user name and @ before the host name".to_owned());
    }
    let host = match authority.rsplit_once(':') {
        Some((host, port)) => {
            if port.is_empty()
                || !port.chars().all(|c| c.is_ascii_digit())
                || port.parse::<u16>().is_err()
            {
                return Err(format!(
                    "the port {port:?} is not a number between 1 and 65535"
                ));
            }
            host
        }
        None => authority,
    };
    check_host_labels(host)
}

fn validate_guid(value: &str) -> Result<(), String> {
    if value.starts_with('{') || value.ends_with('}') {
        return Err("remove the curly braces around the ID".to_owned());
    }
    if value.contains('.') {
        return Err("this looks like a domain name; enter the ID itself, a GUID such as 00000000-0000-0000-0000-000000000000".to_owned());
    }
    let groups: Vec<&str> = value.split('-').collect();
    let well_formed = groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.chars().all(|c| c.is_ascii_hexdigit()));
    if well_formed {
        Ok(())
    } else {
        Err("expected a GUID: 32 hexadecimal digits in groups of 8-4-4-4-12, such as 00000000-0000-0000-0000-000000000000".to_owned())
    }
}

fn validate_hostname(value: &str) -> Result<(), String> {
    if value.contains("://") {
        return Err("enter only the host name, without https://".to_owned());
    }
    if value.contains(['/', '?', '#']) {
        return Err(
            "remove the path: enter only the host name, such as example.okta.com".to_owned(),
        );
    }
    if value.contains(':') {
        return Err("remove the port number: enter only the host name".to_owned());
    }
    if !value.contains('.') {
        return Err(
            "enter the full host name including its domain, such as example.okta.com".to_owned(),
        );
    }
    check_host_labels(value)
}

fn check_host_labels(host: &str) -> Result<(), String> {
    let host = host.strip_suffix('.').unwrap_or(host);
    let valid = !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if valid {
        Ok(())
    } else {
        Err(format!(
            "{host:?} is not a valid host name: use letters, digits and hyphens separated by dots"
        ))
    }
}

fn validate_region(value: &str) -> Result<(), String> {
    const HINT: &str = "expected an AWS region code such as us-east-1 or eu-west-2 (not the region's display name)";
    if value.chars().any(|c| c.is_ascii_uppercase()) {
        return Err(format!("{HINT}; use lower case"));
    }
    let parts: Vec<&str> = value.split('-').collect();
    let Some((last, init)) = parts.split_last() else {
        return Err(HINT.to_owned());
    };
    let valid = parts.len() >= 3
        && parts[0].len() == 2
        && init
            .iter()
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_lowercase()))
        && !last.is_empty()
        && last.chars().all(|c| c.is_ascii_digit());
    if valid { Ok(()) } else { Err(HINT.to_owned()) }
}

fn validate_text(value: &str) -> Result<(), String> {
    if value.contains("://") {
        return Err("enter only this part of the address, not a whole URL".to_owned());
    }
    if value.contains(['/', '?', '#', '{', '}', '"', '\'', '<', '>']) {
        return Err("remove slashes, quotes and brackets: enter just the value".to_owned());
    }
    Ok(())
}

fn strip_prefix_ignore_case<'a>(value: &'a str, prefix: &str) -> Option<&'a str> {
    let head = value.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &value[prefix.len()..])
}

/// Checks that `value` is a complete `https://` URL: a valid host, no whitespace, no
/// unfilled `{placeholder}`, no query or fragment and no trailing slash. A path is allowed.
pub(super) fn check_https_url(value: &str) -> Result<(), String> {
    if value.chars().any(char::is_whitespace) {
        return Err(format!("{value:?} contains whitespace"));
    }
    if value.contains(['{', '}']) {
        return Err(format!("{value:?} still has an unfilled placeholder"));
    }
    let Some(rest) = strip_prefix_ignore_case(value, "https://") else {
        return Err(format!("{value:?} does not start with https://"));
    };
    if rest.contains(['?', '#']) {
        return Err(format!("{value:?} has a query or fragment"));
    }
    if value.ends_with('/') {
        return Err(format!("{value:?} ends with a slash"));
    }
    let authority = rest.split('/').next().unwrap_or_default();
    validate_authority(authority).map_err(|message| format!("{value:?}: {message}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_listed_once_in_order() {
        assert_eq!(
            placeholders("https://{a}/x/{b_2}/{a}/{not valid}/{}"),
            ["a", "b_2"]
        );
        assert!(placeholders("https://example.com/scim/v2").is_empty());
    }

    #[test]
    fn url_kind_rejects_paths_trailing_slashes_and_plain_http() {
        let url = PlaceholderKind::Url;
        assert_eq!(url.validate("https://prod.example.com"), Ok(()));
        assert_eq!(url.validate("https://prod.example.com:8443"), Ok(()));
        assert!(
            url.validate("https://prod.example.com/")
                .is_err_and(|m| m.contains("trailing slash"))
        );
        assert!(
            url.validate("https://prod.example.com/scim/v2")
                .is_err_and(|m| m.contains("/scim/v2"))
        );
        assert!(
            url.validate("http://prod.example.com")
                .is_err_and(|m| m.contains("https://"))
        );
        assert!(
            url.validate("prod.example.com")
                .is_err_and(|m| m.contains("https://prod.example.com"))
        );
        assert!(url.validate(" https://prod.example.com").is_err());
    }

    #[test]
    fn guid_kind_explains_domain_names_and_braces() {
        let guid = PlaceholderKind::Guid;
        assert_eq!(
            guid.validate("3f2b8c1e-9a4d-4e7b-8c21-5d6f7a8b9c0d"),
            Ok(())
        );
        assert!(
            guid.validate("contoso.onmicrosoft.com")
                .is_err_and(|m| m.contains("domain name"))
        );
        assert!(
            guid.validate("{3f2b8c1e-9a4d-4e7b-8c21-5d6f7a8b9c0d}")
                .is_err_and(|m| m.contains("braces"))
        );
        assert!(guid.validate("3f2b8c1e9a4d4e7b8c215d6f7a8b9c0d").is_err());
        assert!(
            guid.validate("3f2b8c1e-9a4d-4e7b-8c21-5d6f7a8b9c0g")
                .is_err()
        );
    }

    #[test]
    fn hostname_kind_rejects_scheme_path_and_bare_names() {
        let host = PlaceholderKind::Hostname;
        assert_eq!(host.validate("example.okta.com"), Ok(()));
        assert!(
            host.validate("https://example.okta.com")
                .is_err_and(|m| m.contains("without https://"))
        );
        assert!(
            host.validate("example.okta.com/oauth2/default")
                .is_err_and(|m| m.contains("path"))
        );
        assert!(
            host.validate("example")
                .is_err_and(|m| m.contains("domain"))
        );
        assert!(host.validate("exa_mple.okta.com").is_err());
    }

    #[test]
    fn region_kind_accepts_codes_not_display_names() {
        let region = PlaceholderKind::Region;
        for ok in [
            "us-east-1",
            "eu-central-1",
            "ap-southeast-2",
            "us-gov-west-1",
        ] {
            assert_eq!(region.validate(ok), Ok(()), "{ok}");
        }
        for bad in [
            "US-EAST-1",
            "us-east",
            "useast1",
            "US East (N. Virginia)",
            "east-1",
        ] {
            assert!(region.validate(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn text_kind_rejects_urls_and_slashes() {
        let text = PlaceholderKind::Text;
        assert_eq!(text.validate("acme"), Ok(()));
        assert!(text.validate("https://acme.onelogin.com").is_err());
        assert!(text.validate("a/b").is_err());
        assert!(text.validate("   ").is_err_and(|m| m.contains("empty")));
    }

    #[test]
    fn https_url_check_allows_paths_but_not_trailing_slash_or_placeholders() {
        assert_eq!(
            check_https_url("https://scim.us-east-1.amazonaws.com/abc/scim/v2"),
            Ok(())
        );
        assert!(check_https_url("https://example.com/scim/v2/").is_err());
        assert!(check_https_url("https://{host}/scim/v2").is_err());
        assert!(check_https_url("http://example.com").is_err());
        assert!(check_https_url("https:///scim").is_err());
    }
}

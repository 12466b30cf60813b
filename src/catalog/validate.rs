//! Consistency rules for a parsed catalog: ids, cross-references, patterns, examples and
//! coverage. Each rule adds a human-readable problem; an empty list means valid.

use std::collections::BTreeSet;

use super::pattern::{check_https_url, fill_pattern, placeholders};
use super::types::{ChecklistGroup, Idp, Placeholder, Platform, SsoProtocol, WalkStep};
use super::{Catalog, explain::normalize};
use crate::diagnostics::{check_ids, oauth_errors};
use crate::model::{IdpId, PlatformId};

/// Every problem found in `catalog`.
pub(super) fn problems(catalog: &Catalog) -> Vec<String> {
    let mut out = Vec::new();
    coverage(catalog, &mut out);
    for platform in &catalog.platforms {
        check_platform(platform, &mut out);
    }
    for idp in &catalog.idps {
        check_idp(idp, &mut out);
    }
    check_trouble(catalog, &mut out);
    check_checklist(catalog, &mut out);
    out
}

/// Every platform and IdP id has exactly one entry.
fn coverage(catalog: &Catalog, out: &mut Vec<String>) {
    for id in PlatformId::ALL {
        let count = catalog.platforms.iter().filter(|p| p.id == id).count();
        if count != 1 {
            out.push(format!(
                "platforms.toml: platform {id} has {count} entries, expected exactly 1"
            ));
        }
    }
    // The pickers show `label()`; sentences use the catalog's name: one name everywhere.
    for platform in &catalog.platforms {
        if platform.name != platform.id.label() {
            out.push(format!(
                "platforms.toml: {} is named {:?} but the pickers call it {:?}",
                platform.id,
                platform.name,
                platform.id.label()
            ));
        }
    }
    for idp in &catalog.idps {
        if idp.name != idp.id.label() {
            out.push(format!(
                "idps.toml: {} is named {:?} but the pickers call it {:?}",
                idp.id,
                idp.name,
                idp.id.label()
            ));
        }
    }
    for id in IdpId::ALL {
        let count = catalog.idps.iter().filter(|i| i.id == id).count();
        if count != 1 {
            out.push(format!(
                "idps.toml: IdP {id} has {count} entries, expected exactly 1"
            ));
        }
    }
}

fn check_platform(platform: &Platform, out: &mut Vec<String>) {
    let at = format!("platforms.toml: {}", platform.id);
    for (field, value) in [
        ("name", &platform.name),
        ("summary", &platform.summary),
        ("docs_hint", &platform.docs_hint),
    ] {
        if value.trim().is_empty() {
            out.push(format!("{at}: {field} is empty"));
        }
    }

    let sso = &platform.sso;
    if sso.protocol == SsoProtocol::Oidc && !sso.scopes.iter().any(|s| s == "openid") {
        out.push(format!(
            "{at}: an OIDC platform must request the openid scope"
        ));
    }
    if sso.redirect_uri.is_empty() {
        if sso.protocol == SsoProtocol::Oidc && sso.redirect_uri_hint.trim().is_empty() {
            out.push(format!(
                "{at}: redirect_uri is empty, so redirect_uri_hint must say where to find it"
            ));
        }
    } else {
        check_pattern(
            &format!("{at}: redirect_uri"),
            &sso.redirect_uri,
            &sso.redirect_placeholders,
            out,
        );
    }
    if sso.redirect_uri.is_empty() && !sso.redirect_placeholders.is_empty() {
        out.push(format!(
            "{at}: redirect_placeholders declared without a redirect_uri pattern"
        ));
    }

    check_saml_sp(&at, sso, out);

    let scim = &platform.scim;
    if scim.base_url_pattern.is_empty() {
        if scim.base_url_hint.trim().is_empty() {
            out.push(format!(
                "{at}: base_url_pattern is empty, so base_url_hint must say where to copy it from"
            ));
        }
        if !scim.placeholders.is_empty() {
            out.push(format!(
                "{at}: SCIM placeholders declared without a base_url_pattern"
            ));
        }
    } else {
        check_pattern(
            &format!("{at}: base_url_pattern"),
            &scim.base_url_pattern,
            &scim.placeholders,
            out,
        );
    }
    if scim.rotation_note.trim().is_empty() {
        out.push(format!("{at}: rotation_note is empty"));
    }
    if scim.token_lifetime_days == Some(0) || scim.sync_interval_minutes == Some(0) {
        out.push(format!(
            "{at}: a lifetime or interval of 0 means nothing; leave it out instead"
        ));
    }
    check_steps(&format!("{at}: token_steps"), &scim.token_steps, &[], out);
    let mut paths = BTreeSet::new();
    for requirement in &scim.required_attributes {
        if !paths.insert(requirement.path.as_str()) {
            out.push(format!(
                "{at}: attribute {} is listed twice",
                requirement.path
            ));
        }
        if requirement.why.trim().is_empty() {
            out.push(format!("{at}: attribute {} has no why", requirement.path));
        }
        let idps: BTreeSet<IdpId> = requirement.sources.iter().map(|s| s.idp).collect();
        if idps.len() != requirement.sources.len() {
            out.push(format!(
                "{at}: attribute {} names one IdP twice in sources",
                requirement.path
            ));
        }
    }
}

fn check_idp(idp: &Idp, out: &mut Vec<String>) {
    let at = format!("idps.toml: {}", idp.id);
    if idp.name.trim().is_empty() {
        out.push(format!("{at}: name is empty"));
    }
    let mut used: BTreeSet<&str> = BTreeSet::new();
    for issuer in &idp.issuer_patterns {
        used.extend(placeholders(&issuer.pattern));
        check_filled_example(
            &format!("{at}: issuer {:?}", issuer.label),
            &issuer.pattern,
            &idp.issuer_placeholders,
            out,
        );
    }
    if !idp.console_url.is_empty() {
        used.extend(placeholders(&idp.console_url));
        check_filled_example(
            &format!("{at}: console_url"),
            &idp.console_url,
            &idp.issuer_placeholders,
            out,
        );
    }
    check_declared(&at, &used, &idp.issuer_placeholders, out);
    if !idp
        .secret_lifetimes_days
        .windows(2)
        .all(|pair| pair[0] < pair[1])
        || idp.secret_lifetimes_days.contains(&0)
    {
        out.push(format!(
            "{at}: secret_lifetimes_days must be positive and ascending"
        ));
    }
    for (name, steps) in [
        ("sso_steps", &idp.sso_steps),
        ("scim_steps", &idp.scim_steps),
        ("rotate_scim_steps", &idp.rotate_scim_steps),
        ("rotate_secret_steps", &idp.rotate_secret_steps),
    ] {
        if steps.is_empty() {
            out.push(format!("{at}: {name} is empty"));
        }
        check_steps(
            &format!("{at}: {name}"),
            steps,
            &idp.issuer_placeholders,
            out,
        );
    }
    let mut paths = BTreeSet::new();
    for mapping in &idp.attribute_mappings {
        if !paths.insert(mapping.scim_path.as_str()) {
            out.push(format!(
                "{at}: attribute mapping for {} is listed twice",
                mapping.scim_path
            ));
        }
    }
}

fn check_steps(
    at: &str,
    steps: &[WalkStep],
    url_placeholders: &[Placeholder],
    out: &mut Vec<String>,
) {
    for (index, step) in steps.iter().enumerate() {
        let number = index + 1;
        if step.title.trim().is_empty() || step.body.trim().is_empty() {
            out.push(format!("{at}: step {number} needs a title and a body"));
        }
        if let Some(url) = &step.console_url {
            let declared: BTreeSet<&str> =
                url_placeholders.iter().map(|p| p.name.as_str()).collect();
            for name in placeholders(url) {
                if !declared.contains(name) {
                    out.push(format!(
                        "{at}: step {number} console_url uses undeclared placeholder {{{name}}}"
                    ));
                }
            }
            check_filled_example(
                &format!("{at}: step {number} console_url"),
                url,
                url_placeholders,
                out,
            );
        }
    }
}

/// A pattern's placeholders and its declared definitions agree both ways, the examples
/// are valid, and the pattern filled with them is an https URL.
fn check_pattern(at: &str, pattern: &str, declared: &[Placeholder], out: &mut Vec<String>) {
    let used: BTreeSet<&str> = placeholders(pattern).into_iter().collect();
    check_declared(at, &used, declared, out);
    check_filled_example(at, pattern, declared, out);
}

fn check_declared(
    at: &str,
    used: &BTreeSet<&str>,
    declared: &[Placeholder],
    out: &mut Vec<String>,
) {
    let mut names = BTreeSet::new();
    for placeholder in declared {
        if !names.insert(placeholder.name.as_str()) {
            out.push(format!(
                "{at}: placeholder {} is declared twice",
                placeholder.name
            ));
        }
        if !used.contains(placeholder.name.as_str()) {
            out.push(format!(
                "{at}: placeholder {} is declared but not used",
                placeholder.name
            ));
        }
        if placeholder.label.trim().is_empty() || placeholder.help.trim().is_empty() {
            out.push(format!(
                "{at}: placeholder {} needs a label and help",
                placeholder.name
            ));
        }
        if let Err(message) = placeholder.kind.validate(&placeholder.example) {
            out.push(format!(
                "{at}: example {:?} for {} is invalid: {message}",
                placeholder.example, placeholder.name
            ));
        }
    }
    for name in used {
        if !names.contains(name) {
            out.push(format!("{at}: placeholder {{{name}}} has no definition"));
        }
    }
}

fn check_filled_example(at: &str, pattern: &str, declared: &[Placeholder], out: &mut Vec<String>) {
    let examples = declared
        .iter()
        .map(|p| (p.name.clone(), p.example.clone()))
        .collect();
    match fill_pattern(pattern, &examples) {
        Ok(url) => {
            if let Err(message) = check_https_url(&url) {
                out.push(format!(
                    "{at}: filled with the examples it is not a valid https URL: {message}"
                ));
            }
        }
        Err(missing) => out.push(format!("{at}: no example for {}", missing.join(", "))),
    }
}

fn check_trouble(catalog: &Catalog, out: &mut Vec<String>) {
    let mut ids = BTreeSet::new();
    for entry in &catalog.troubleshooting {
        let at = format!("troubleshooting.toml: {}", entry.id);
        if !ids.insert(entry.id.as_str()) {
            out.push(format!("{at}: id is used twice"));
        }
        if !is_kebab_id(&entry.id) {
            out.push(format!("{at}: id must be lower-case kebab-case"));
        }
        if entry.title.trim().is_empty() || entry.meaning.trim().is_empty() {
            out.push(format!("{at}: needs a title and a meaning"));
        }
        if entry.fix_idp.trim().is_empty() && entry.fix_platform.trim().is_empty() {
            out.push(format!("{at}: has no fix (fix_idp or fix_platform)"));
        }
        if entry.causes.is_empty() {
            out.push(format!("{at}: lists no causes"));
        }
        if entry.codes.is_empty() && entry.phrases.is_empty() {
            out.push(format!(
                "{at}: has no codes or phrases, so explain can never find it"
            ));
        }
        for code in &entry.codes {
            if code.is_empty() || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                out.push(format!(
                    "{at}: code {code:?} must be one word of letters, digits and _"
                ));
            }
        }
        for phrase in &entry.phrases {
            if phrase.trim().is_empty()
                || phrase.to_lowercase() != *phrase
                || normalize(phrase).is_empty()
            {
                out.push(format!(
                    "{at}: phrase {phrase:?} must be non-empty lower case"
                ));
            }
        }
        for id in &entry.check_ids {
            if !check_ids::is_known(id) {
                out.push(format!("{at}: check id {id} does not exist"));
            }
        }
        for id in &entry.primary_for {
            if !entry.check_ids.contains(id) {
                out.push(format!(
                    "{at}: primary_for names {id}, which is missing from check_ids"
                ));
            }
        }
    }
    for id in check_ids::all() {
        if !catalog
            .troubleshooting
            .iter()
            .any(|entry| entry.check_ids.iter().any(|c| c == id))
        {
            out.push(format!(
                "troubleshooting.toml: no entry links check id {id}"
            ));
        }
    }
    for code in oauth_errors::all() {
        if !catalog
            .troubleshooting
            .iter()
            .any(|entry| entry.codes.iter().any(|c| c == code))
        {
            out.push(format!(
                "troubleshooting.toml: no entry has the OAuth error code {code}"
            ));
        }
    }
}

fn check_checklist(catalog: &Catalog, out: &mut Vec<String>) {
    let mut ids = BTreeSet::new();
    for item in &catalog.checklist {
        let at = format!("checklists.toml: {}", item.id);
        if !ids.insert(item.id.as_str()) {
            out.push(format!("{at}: id is used twice"));
        }
        if !is_kebab_id(&item.id) {
            out.push(format!("{at}: id must be lower-case kebab-case"));
        }
        if item.text.trim().is_empty() || item.why.trim().is_empty() {
            out.push(format!("{at}: needs a text and a why"));
        }
        if item.why.contains('\n') {
            out.push(format!("{at}: why must be one line"));
        }
        if let Some(id) = &item.check_id
            && !check_ids::is_known(id)
        {
            out.push(format!("{at}: check id {id} does not exist"));
        }
        if !catalog.platforms.iter().any(|platform| {
            catalog
                .idps
                .iter()
                .any(|idp| item.applies_to(platform, idp.id))
        }) {
            out.push(format!("{at}: applies to no platform and IdP pair"));
        }
    }
    for platform in &catalog.platforms {
        for idp in IdpId::ALL {
            for group in ChecklistGroup::ALL {
                if !catalog
                    .checklist
                    .iter()
                    .any(|item| item.group == group && item.applies_to(platform, idp))
                {
                    out.push(format!(
                        "checklists.toml: {} with {idp} has no item in group {}",
                        platform.id,
                        group.as_str()
                    ));
                }
            }
        }
    }
}

fn is_kebab_id(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// A platform that supports SAML must say what ACS URL and SP entity id it expects, or
/// where it shows them; a protocol listed twice is a data mistake.
fn check_saml_sp(at: &str, sso: &super::types::PlatformSso, out: &mut Vec<String>) {
    if sso.other_protocols.contains(&sso.protocol) {
        out.push(format!("{at}: other_protocols repeats the main protocol"));
    }
    let saml = sso.supports(SsoProtocol::Saml);
    for (field, value, hint) in [
        ("acs_url", &sso.acs_url, &sso.acs_url_hint),
        ("sp_entity_id", &sso.sp_entity_id, &sso.sp_entity_id_hint),
    ] {
        if !saml {
            if !value.is_empty() || !hint.is_empty() {
                out.push(format!("{at}: {field} given for a platform without SAML"));
            }
            continue;
        }
        if value.is_empty() {
            if hint.trim().is_empty() {
                out.push(format!(
                    "{at}: {field} is empty, so {field}_hint must say where the platform shows it"
                ));
            }
        } else {
            check_pattern(
                &format!("{at}: {field}"),
                value,
                &sso.saml_placeholders,
                out,
            );
        }
    }
}

#[cfg(test)]
mod saml_tests {
    use crate::catalog::Catalog;
    use crate::model::{PlatformId, SsoProtocol};

    fn loaded() -> Catalog {
        match Catalog::load() {
            Ok(catalog) => catalog,
            Err(error) => panic!("embedded catalog does not load: {error}"),
        }
    }

    #[test]
    fn presets_name_their_sign_in_protocols() {
        let catalog = loaded();
        let aws = catalog.platform(PlatformId::AwsIamIdentityCenter);
        assert_eq!(aws.sso.protocols(), vec![SsoProtocol::Saml]);
        assert!(!aws.sso.acs_url_hint.is_empty() && !aws.sso.sp_entity_id_hint.is_empty());
        let claresia = catalog.platform(PlatformId::Claresia);
        assert_eq!(
            claresia.sso.protocols(),
            vec![SsoProtocol::Oidc, SsoProtocol::Saml]
        );
        assert_eq!(
            catalog.platform(PlatformId::Airia).sso.protocols(),
            vec![SsoProtocol::Oidc]
        );
    }

    #[test]
    fn a_saml_platform_without_acs_url_or_hint_is_reported() {
        let mut catalog = loaded();
        let Some(aws) = catalog
            .platforms
            .iter_mut()
            .find(|p| p.id == PlatformId::AwsIamIdentityCenter)
        else {
            panic!("no AWS preset");
        };
        aws.sso.acs_url_hint.clear();
        aws.sso.other_protocols.push(SsoProtocol::Saml);
        let problems = catalog.validate();
        assert!(
            problems
                .iter()
                .any(|p| p.contains("acs_url is empty, so acs_url_hint")),
            "{problems:?}"
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("repeats the main protocol")),
            "{problems:?}"
        );
    }
}

//! The knowledge catalog: platform presets, IdP walkthroughs, troubleshooting entries and
//! checklist items, read from `assets/*.toml` (embedded at build time with
//! `include_str!`) into typed structs.
//!
//! This module owns the schema of those four files and the queries over them: look-ups
//! by id, [`Catalog::explain`] for a pasted error message, [`Catalog::checklist_for`],
//! and the URL patterns with `{placeholders}`. Adding a platform means adding data to the
//! TOML files, not code. It does no I/O and knows nothing of egui; the tests at the bottom
//! validate the embedded files, so a parse error here is a bug caught before release.

mod explain;
mod pattern;
mod types;
mod validate;

use std::sync::LazyLock;

use serde::Deserialize;

pub use explain::Match;
pub use pattern::{fill_pattern, fill_validated, placeholders};
pub use types::{
    AttributeMapping, AttributeRequirement, ChecklistGroup, ChecklistItem, Idp, IssuerPattern,
    KnownFact, Placeholder, PlaceholderKind, Platform, PlatformScim, PlatformSso, ScopedLine,
    SourceOverride, SsoProtocol, TokenIssuer, TroubleContext, TroubleEntry, WalkStep, WhereToFind,
    WizardField,
};

use crate::model::{IdpId, PlatformId};

/// The embedded `assets/platforms.toml`.
pub const PLATFORMS_TOML: &str = include_str!("../../assets/platforms.toml");
/// The embedded `assets/idps.toml`.
pub const IDPS_TOML: &str = include_str!("../../assets/idps.toml");
/// The embedded `assets/troubleshooting.toml`.
pub const TROUBLESHOOTING_TOML: &str = include_str!("../../assets/troubleshooting.toml");
/// The embedded `assets/checklists.toml`.
pub const CHECKLISTS_TOML: &str = include_str!("../../assets/checklists.toml");

/// Everything the app knows about platforms, IdPs, errors and checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Catalog {
    /// One preset per [`PlatformId`].
    pub platforms: Vec<Platform>,
    /// One entry per [`IdpId`].
    pub idps: Vec<Idp>,
    /// Troubleshooting entries, in file order.
    pub troubleshooting: Vec<TroubleEntry>,
    /// Checklist items, in file order.
    pub checklist: Vec<ChecklistItem>,
}

/// Why the catalog could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// A file is not valid TOML or does not fit the schema.
    #[error("{file} does not fit the catalog schema: {source}")]
    Parse {
        /// Which file, for example `assets/idps.toml`.
        file: &'static str,
        /// The parser's message, with line and column.
        #[source]
        source: toml::de::Error,
    },
    /// The files parse but contradict each other or miss required entries.
    #[error("the catalog has {} problem(s): {}", problems.len(), problems.join("; "))]
    Invalid {
        /// Every problem [`Catalog::validate`] found.
        problems: Vec<String>,
    },
}

/// The catalog parsed from the embedded assets, once per process.
pub fn catalog() -> &'static Catalog {
    #[expect(clippy::expect_used, reason = "embedded assets are validated by tests")]
    static CATALOG: LazyLock<Catalog> =
        LazyLock::new(|| Catalog::load().expect("the embedded catalog assets are valid"));
    &CATALOG
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlatformsFile {
    platform: Vec<Platform>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IdpsFile {
    idp: Vec<Idp>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TroubleshootingFile {
    entry: Vec<TroubleEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChecklistsFile {
    item: Vec<ChecklistItem>,
}

/// One of the four catalog files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CatalogFile {
    /// `assets/platforms.toml`.
    Platforms,
    /// `assets/idps.toml`.
    Idps,
    /// `assets/troubleshooting.toml`.
    Troubleshooting,
    /// `assets/checklists.toml`.
    Checklists,
}

impl CatalogFile {
    /// All four, in [`Catalog::parse`] order.
    pub const ALL: [Self; 4] = [
        Self::Platforms,
        Self::Idps,
        Self::Troubleshooting,
        Self::Checklists,
    ];

    /// The file's path in the repository, as error messages name it.
    pub fn path(self) -> &'static str {
        match self {
            Self::Platforms => "assets/platforms.toml",
            Self::Idps => "assets/idps.toml",
            Self::Troubleshooting => "assets/troubleshooting.toml",
            Self::Checklists => "assets/checklists.toml",
        }
    }
}

fn parse_file<T: for<'de> Deserialize<'de>>(
    file: &'static str,
    text: &str,
) -> Result<T, CatalogError> {
    toml::from_str(text).map_err(|source| CatalogError::Parse { file, source })
}

impl Catalog {
    /// Parses and validates the embedded asset files.
    pub fn load() -> Result<Self, CatalogError> {
        Self::parse(
            PLATFORMS_TOML,
            IDPS_TOML,
            TROUBLESHOOTING_TOML,
            CHECKLISTS_TOML,
        )
    }

    /// Parses and validates the four files' contents; the error names the file.
    ///
    /// A catalog that parses but fails [`Self::validate`] is rejected too, so every
    /// [`Catalog`] value has an entry for each platform and IdP id.
    pub fn parse(
        platforms: &str,
        idps: &str,
        troubleshooting: &str,
        checklists: &str,
    ) -> Result<Self, CatalogError> {
        let catalog = Self {
            platforms: parse_file::<PlatformsFile>(CatalogFile::Platforms.path(), platforms)?
                .platform,
            idps: parse_file::<IdpsFile>(CatalogFile::Idps.path(), idps)?.idp,
            troubleshooting: parse_file::<TroubleshootingFile>(
                CatalogFile::Troubleshooting.path(),
                troubleshooting,
            )?
            .entry,
            checklist: parse_file::<ChecklistsFile>(CatalogFile::Checklists.path(), checklists)?
                .item,
        };
        catalog.validated()
    }

    /// This catalog with one file's contents replaced by `text`, parsed and validated as
    /// [`Self::parse`] does: for checking an edited file against the other three without
    /// parsing them again.
    pub fn with_file(&self, file: CatalogFile, text: &str) -> Result<Self, CatalogError> {
        let mut catalog = self.clone();
        let path = file.path();
        match file {
            CatalogFile::Platforms => {
                catalog.platforms = parse_file::<PlatformsFile>(path, text)?.platform;
            }
            CatalogFile::Idps => catalog.idps = parse_file::<IdpsFile>(path, text)?.idp,
            CatalogFile::Troubleshooting => {
                catalog.troubleshooting = parse_file::<TroubleshootingFile>(path, text)?.entry;
            }
            CatalogFile::Checklists => {
                catalog.checklist = parse_file::<ChecklistsFile>(path, text)?.item;
            }
        }
        catalog.validated()
    }

    fn validated(self) -> Result<Self, CatalogError> {
        let problems = self.validate();
        if problems.is_empty() {
            Ok(self)
        } else {
            Err(CatalogError::Invalid { problems })
        }
    }

    /// The preset of a platform.
    ///
    /// # Panics
    /// Only if the public fields were edited after parsing so an id lost its entry;
    /// [`Self::parse`] guarantees one entry per id.
    #[expect(
        clippy::expect_used,
        reason = "parse() rejects a catalog without an entry for every platform id"
    )]
    pub fn platform(&self, id: PlatformId) -> &Platform {
        self.platforms
            .iter()
            .find(|platform| platform.id == id)
            .expect("every platform id has a catalog entry")
    }

    /// The entry of an IdP.
    ///
    /// # Panics
    /// Only if the public fields were edited after parsing so an id lost its entry;
    /// [`Self::parse`] guarantees one entry per id.
    #[expect(
        clippy::expect_used,
        reason = "parse() rejects a catalog without an entry for every IdP id"
    )]
    pub fn idp(&self, id: IdpId) -> &Idp {
        self.idps
            .iter()
            .find(|idp| idp.id == id)
            .expect("every IdP id has a catalog entry")
    }

    /// The troubleshooting entry with this id.
    pub fn trouble(&self, entry_id: &str) -> Option<&TroubleEntry> {
        self.troubleshooting
            .iter()
            .find(|entry| entry.id == entry_id)
    }

    /// The entry that best explains a failed or warned check: the one naming `check_id`
    /// in `primary_for`, else among the entries linking it, the one that lists it
    /// earliest, then the one linking fewest checks.
    pub fn trouble_for_check(&self, check_id: &str) -> Option<&TroubleEntry> {
        if let Some(entry) = self
            .troubleshooting
            .iter()
            .find(|entry| entry.primary_for.iter().any(|id| id == check_id))
        {
            return Some(entry);
        }
        self.troubleshooting
            .iter()
            .filter_map(|entry| {
                let position = entry.check_ids.iter().position(|id| id == check_id)?;
                Some(((position, entry.check_ids.len()), entry))
            })
            .min_by_key(|(rank, _)| *rank)
            .map(|(_, entry)| entry)
    }

    /// Entries matching a pasted error message or log line, best first.
    ///
    /// Exact codes score highest (`AADSTS` numbers, then `scimType` names and OAuth error
    /// codes, then HTTP statuses as whole words), phrases next; mentions of sign-in or
    /// provisioning break ties between entries that share a code.
    pub fn explain(&self, text: &str) -> Vec<Match<'_>> {
        explain::rank(&self.troubleshooting, text, None)
    }

    /// Like [`Self::explain`], but leaves out entries about other platforms and puts
    /// entries specific to `platform` ahead of general ones with the same evidence.
    pub fn explain_for(&self, text: &str, platform: PlatformId) -> Vec<Match<'_>> {
        explain::rank(&self.troubleshooting, text, Some(platform))
    }

    /// The checklist for a platform and IdP, grouped in [`ChecklistGroup::ALL`] order,
    /// file order within a group.
    pub fn checklist_for(&self, platform: PlatformId, idp: IdpId) -> Vec<&ChecklistItem> {
        let Some(platform) = self.platforms.iter().find(|p| p.id == platform) else {
            return Vec::new();
        };
        let mut items: Vec<&ChecklistItem> = self
            .checklist
            .iter()
            .filter(|item| item.applies_to(platform, idp))
            .collect();
        items.sort_by_key(|item| item.group);
        items
    }

    /// Human-readable problems (missing ids, dangling references, bad patterns or
    /// examples, uncovered checks); empty means valid.
    pub fn validate(&self) -> Vec<String> {
        validate::problems(self)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;
    use crate::diagnostics::check_ids;

    fn loaded() -> Catalog {
        match Catalog::load() {
            Ok(catalog) => catalog,
            Err(error) => panic!("embedded catalog does not load: {error}"),
        }
    }

    fn top_id<'a>(catalog: &'a Catalog, text: &str) -> &'a str {
        match catalog.explain(text).first() {
            Some(found) => found.entry.id.as_str(),
            None => panic!("nothing explains {text:?}"),
        }
    }

    #[test]
    fn embedded_files_load_and_validate() {
        assert_eq!(loaded().validate(), Vec::<String>::new());
        assert!(std::ptr::eq(catalog(), catalog()));
    }

    #[test]
    fn every_platform_and_idp_id_has_exactly_one_entry() {
        let catalog = loaded();
        assert_eq!(catalog.platforms.len(), PlatformId::ALL.len());
        assert_eq!(catalog.idps.len(), IdpId::ALL.len());
        for id in PlatformId::ALL {
            assert_eq!(catalog.platform(id).id, id);
        }
        for id in IdpId::ALL {
            assert_eq!(catalog.idp(id).id, id);
        }
    }

    #[test]
    fn entry_and_item_ids_are_unique() {
        let catalog = loaded();
        let trouble: BTreeSet<&str> = catalog
            .troubleshooting
            .iter()
            .map(|e| e.id.as_str())
            .collect();
        assert_eq!(trouble.len(), catalog.troubleshooting.len());
        let items: BTreeSet<&str> = catalog.checklist.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(items.len(), catalog.checklist.len());
    }

    #[test]
    fn every_troubleshooting_entry_has_a_meaning_and_a_fix() {
        for entry in &loaded().troubleshooting {
            assert!(!entry.meaning.trim().is_empty(), "{}", entry.id);
            assert!(
                !(entry.fix_idp.trim().is_empty() && entry.fix_platform.trim().is_empty()),
                "{}",
                entry.id
            );
        }
    }

    #[test]
    fn every_referenced_check_id_exists() {
        let catalog = loaded();
        let referenced = catalog
            .troubleshooting
            .iter()
            .flat_map(|entry| entry.check_ids.iter())
            .chain(
                catalog
                    .checklist
                    .iter()
                    .filter_map(|item| item.check_id.as_ref()),
            );
        for id in referenced {
            assert!(check_ids::is_known(id), "unknown check id {id}");
        }
    }

    #[test]
    fn every_check_id_links_to_an_entry_that_lists_it() {
        let catalog = loaded();
        for id in check_ids::all() {
            let Some(entry) = catalog.trouble_for_check(id) else {
                panic!("no troubleshooting entry for check {id}");
            };
            assert!(entry.check_ids.iter().any(|c| c == id));
        }
        assert!(catalog.trouble_for_check("no.such_check").is_none());
    }

    #[test]
    fn a_finding_links_to_the_entry_named_primary_for_its_check() {
        let catalog = loaded();
        for (check, entry) in [
            ("scim.auth", "scim-401-unauthorized"),
            ("oidc.issuer_match", "oidc-issuer-mismatch"),
            ("oidc.client_auth", "sso-invalid-client"),
            ("scim.write.duplicate", "scim-duplicate-accepted"),
        ] {
            assert_eq!(
                catalog.trouble_for_check(check).map(|e| e.id.as_str()),
                Some(entry),
                "{check}"
            );
        }
    }

    #[test]
    fn every_platform_and_idp_pair_gets_every_checklist_group() {
        let catalog = loaded();
        for platform in PlatformId::ALL {
            for idp in IdpId::ALL {
                let items = catalog.checklist_for(platform, idp);
                for group in ChecklistGroup::ALL {
                    assert!(
                        items.iter().any(|item| item.group == group),
                        "{platform} with {idp} has no {} items",
                        group.label()
                    );
                }
                assert!(items.windows(2).all(|pair| pair[0].group <= pair[1].group));
            }
        }
    }

    #[test]
    fn checklist_items_for_one_platform_do_not_leak_into_others() {
        let catalog = loaded();
        for item in catalog.checklist_for(PlatformId::Airia, IdpId::Okta) {
            assert!(
                item.platforms.is_empty() || item.platforms.contains(&PlatformId::Airia),
                "{}",
                item.id
            );
            assert!(
                item.idps.is_empty() || item.idps.contains(&IdpId::Okta),
                "{}",
                item.id
            );
        }
    }

    #[test]
    fn pattern_placeholders_and_definitions_agree() {
        let catalog = loaded();
        for platform in &catalog.platforms {
            let used: BTreeSet<&str> = placeholders(&platform.scim.base_url_pattern)
                .into_iter()
                .collect();
            let declared: BTreeSet<&str> = platform
                .scim
                .placeholders
                .iter()
                .map(|p| p.name.as_str())
                .collect();
            assert_eq!(used, declared, "{}", platform.id);
        }
        for idp in &catalog.idps {
            let used: BTreeSet<&str> = idp
                .issuer_patterns
                .iter()
                .flat_map(|issuer| placeholders(&issuer.pattern))
                .chain(placeholders(&idp.console_url))
                .collect();
            let declared: BTreeSet<&str> = idp
                .issuer_placeholders
                .iter()
                .map(|p| p.name.as_str())
                .collect();
            assert_eq!(used, declared, "{}", idp.id);
        }
    }

    #[test]
    fn examples_validate_and_fill_patterns_into_https_urls() {
        let catalog = loaded();
        let mut checked = 0;
        let cases = catalog
            .platforms
            .iter()
            .map(|p| (&p.scim.base_url_pattern, &p.scim.placeholders))
            .chain(catalog.idps.iter().flat_map(|idp| {
                idp.issuer_patterns
                    .iter()
                    .map(move |issuer| (&issuer.pattern, &idp.issuer_placeholders))
            }));
        for (pattern, declared) in cases {
            if pattern.is_empty() {
                continue;
            }
            let examples: BTreeMap<String, String> = declared
                .iter()
                .inspect(|p| assert_eq!(p.validate(&p.example), Ok(()), "{}", p.name))
                .map(|p| (p.name.clone(), p.example.clone()))
                .collect();
            let url = match fill_pattern(pattern, &examples) {
                Ok(url) => url,
                Err(missing) => panic!("{pattern}: no example for {missing:?}"),
            };
            assert_eq!(pattern::check_https_url(&url), Ok(()), "{pattern}");
            checked += 1;
        }
        assert!(checked >= 7, "only {checked} patterns checked");
    }

    #[test]
    fn presets_carry_the_facts_from_the_vendor_guides() {
        let catalog = loaded();
        let airia = catalog.platform(PlatformId::Airia);
        assert_eq!(airia.scim.token_lifetime_days, Some(180));
        assert_eq!(airia.scim.sync_interval_minutes, Some(10));
        assert_eq!(airia.sso.jit_claims, ["given_name", "family_name", "email"]);
        assert!(airia.sso.uses_allowed_domains);
        let aws = catalog.platform(PlatformId::AwsIamIdentityCenter);
        assert_eq!(aws.scim.token_lifetime_days, Some(365));
        assert_eq!(aws.scim.nested_groups_supported, Some(false));
        assert!(aws.scim.single_active_token);
        let user_name = aws
            .scim
            .required_attributes
            .iter()
            .find(|r| r.path == "userName");
        let entra = catalog.idp(IdpId::Entra);
        assert_eq!(
            user_name.and_then(|r| entra.source_for(r)),
            Some("mailNickname")
        );
        let claresia = catalog.platform(PlatformId::Claresia);
        assert_eq!(
            claresia.sso.redirect_uri,
            "https://api.workos.com/sso/oidc/callback"
        );
        assert!(claresia.sso.scopes.iter().any(|s| s == "offline_access"));
        assert_eq!(entra.default_source("userName"), Some("userPrincipalName"));
        assert_eq!(entra.sync_interval_minutes, Some(40));
        assert_eq!(entra.secret_lifetimes_days, [180, 365, 545, 730]);
    }

    #[test]
    fn explain_finds_unassigned_user_from_aadsts50105() {
        let catalog = loaded();
        let text = "AADSTS50105: The signed in user is not assigned to a role for the application";
        assert_eq!(top_id(&catalog, text), "aadsts50105-user-not-assigned");
        let matches = catalog.explain(text);
        assert!(
            matches
                .first()
                .is_some_and(|m| m.matched.first().is_some_and(|c| c == "AADSTS50105"))
        );
    }

    #[test]
    fn explain_finds_redirect_mismatch_from_aadsts50011() {
        let catalog = loaded();
        let text = "AADSTS50011: The redirect URI 'https://x/cb' specified in the request does not match \
                    the redirect URIs configured for the application";
        assert_eq!(top_id(&catalog, text), "aadsts50011-redirect-mismatch");
        assert_eq!(
            top_id(&catalog, "Azure error 50011 during login"),
            "aadsts50011-redirect-mismatch"
        );
    }

    #[test]
    fn explain_prefers_the_scim_type_over_the_http_status_in_an_error_body() {
        let catalog = loaded();
        let body = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","scimType":"uniqueness"}"#;
        let matches = catalog.explain(body);
        let ids: Vec<&str> = matches.iter().map(|m| m.entry.id.as_str()).collect();
        assert_eq!(ids.first(), Some(&"scim-type-uniqueness"));
        assert!(ids.contains(&"scim-409-conflict"), "{ids:?}");
    }

    #[test]
    fn explain_reads_a_scim_401_as_a_token_problem_not_a_sign_in_problem() {
        let catalog = loaded();
        assert_eq!(
            top_id(
                &catalog,
                "StatusCode: Unauthorized 401 from the SCIM endpoint during export"
            ),
            "scim-401-unauthorized"
        );
        assert_eq!(
            top_id(&catalog, "Unauthorized - 401"),
            "scim-401-unauthorized"
        );
    }

    #[test]
    fn explain_finds_aws_missing_user_name() {
        assert_eq!(
            top_id(&loaded(), "Missing required attribute: userName"),
            "aws-missing-username"
        );
    }

    #[test]
    fn explain_finds_entra_quarantine() {
        assert_eq!(
            top_id(&loaded(), "The provisioning job is in quarantine"),
            "entra-provisioning-quarantine"
        );
    }

    #[test]
    fn explain_finds_each_scim_type_by_name() {
        let catalog = loaded();
        for scim_type in [
            "uniqueness",
            "invalidFilter",
            "invalidSyntax",
            "invalidValue",
            "mutability",
            "noTarget",
            "invalidPath",
            "tooMany",
            "invalidVers",
            "sensitive",
        ] {
            let body = format!(r#"{{"status":"400","scimType":"{scim_type}"}}"#);
            let expected = format!("scim-type-{}", scim_type.to_ascii_lowercase());
            assert_eq!(top_id(&catalog, &body), expected, "{scim_type}");
        }
    }

    #[test]
    fn explain_finds_the_other_guide_messages() {
        let catalog = loaded();
        for (text, expected) in [
            (
                "AADSTS900561: The endpoint only accepts POST requests. Received a PUT request.",
                "aadsts900561-method-not-allowed",
            ),
            (
                "AADSTS7000215: Invalid client secret provided.",
                "aadsts7000215-invalid-client-secret",
            ),
            (
                "AADSTS7000222: The provided client secret keys for app are expired.",
                "aadsts7000222-client-secret-expired",
            ),
            ("Email address already exists", "aws-email-already-exists"),
            ("Group not found", "aws-group-not-found"),
            (
                "Automatic provisioning failed: error while creating the user",
                "okta-automatic-provisioning-failed",
            ),
            (
                "502 Bad Gateway after signing in with SSO",
                "sso-502-bad-gateway",
            ),
            (
                "HTTP 403 Forbidden from the SCIM endpoint on Test Connection",
                "scim-403-forbidden",
            ),
            ("Invalid SCIM endpoint", "aws-invalid-scim-endpoint"),
        ] {
            assert_eq!(top_id(&catalog, text), expected, "{text}");
        }
    }

    #[test]
    fn explain_for_a_platform_skips_other_platforms_entries() {
        let catalog = loaded();
        let matches =
            catalog.explain_for("SCIM error 500 Internal Server Error", PlatformId::Airia);
        assert!(
            matches
                .iter()
                .all(|m| m.entry.applies_to_platform(PlatformId::Airia))
        );
        let w365 = catalog.explain_for(
            "SCIM error 500 Internal Server Error",
            PlatformId::Workspace365,
        );
        assert_eq!(
            w365.first().map(|m| m.entry.id.as_str()),
            Some("workspace365-500-upn-mismatch")
        );
    }

    #[test]
    fn explain_returns_nothing_for_unrelated_text() {
        assert!(loaded().explain("the weather is fine today").is_empty());
    }

    #[test]
    fn fill_pattern_substitutes_every_placeholder() {
        let values = BTreeMap::from([
            ("region".to_owned(), "eu-west-1".to_owned()),
            ("tenant_id".to_owned(), " abc123 ".to_owned()),
        ]);
        assert_eq!(
            fill_pattern(
                "https://scim.{region}.amazonaws.com/{tenant_id}/scim/v2",
                &values
            ),
            Ok("https://scim.eu-west-1.amazonaws.com/abc123/scim/v2".to_owned())
        );
    }

    #[test]
    fn fill_pattern_reports_missing_and_blank_placeholders() {
        let values = BTreeMap::from([("client_guid".to_owned(), "  ".to_owned())]);
        assert_eq!(
            fill_pattern(
                "{environment_base_url}/auth/realms/airia/org/{client_guid}/scim/v2",
                &values
            ),
            Err(vec![
                "environment_base_url".to_owned(),
                "client_guid".to_owned()
            ])
        );
    }

    #[test]
    fn a_misspelt_key_is_a_parse_error_naming_the_file() {
        let broken = CHECKLISTS_TOML.replacen("why =", "whyy =", 1);
        let result = Catalog::parse(PLATFORMS_TOML, IDPS_TOML, TROUBLESHOOTING_TOML, &broken);
        assert!(
            matches!(
                &result,
                Err(CatalogError::Parse {
                    file: "assets/checklists.toml",
                    ..
                })
            ),
            "{result:?}"
        );
    }

    #[test]
    fn validate_reports_dangling_check_ids_and_missing_platforms() {
        let mut catalog = loaded();
        catalog.troubleshooting[0]
            .check_ids
            .push("oidc.no_such_check".to_owned());
        catalog.platforms.retain(|p| p.id != PlatformId::Claresia);
        let problems = catalog.validate();
        assert!(
            problems.iter().any(|p| p.contains("oidc.no_such_check")),
            "{problems:?}"
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("platform claresia has 0 entries")),
            "{problems:?}"
        );
    }

    #[test]
    fn validate_reports_an_undeclared_placeholder() {
        let mut catalog = loaded();
        let Some(aws) = catalog
            .platforms
            .iter_mut()
            .find(|p| p.id == PlatformId::AwsIamIdentityCenter)
        else {
            panic!("no AWS preset");
        };
        aws.scim.base_url_pattern.push_str("/{extra}");
        let problems = catalog.validate();
        assert!(
            problems
                .iter()
                .any(|p| p.contains("{extra} has no definition")),
            "{problems:?}"
        );
    }
}

//! The SCIM probe suite: every `scim.*` check of DESIGN.md against a live SCIM 2.0
//! endpoint, and the optional write probe.
//!
//! It owns the order of the checks, what each request is, and how each answer turns into a
//! [`Finding`]. Every request goes through [`crate::probes::http`] (one policy: timeout,
//! body cap, redirects that drop the token off-origin). The token is a [`Secret`]: it is
//! sent in the `Authorization` header and nowhere else, and every finding is scrubbed of it
//! before anyone sees it, even when a server echoes it back.
//!
//! Requests are those an identity provider makes (RFC 7644): `GET /ServiceProviderConfig`,
//! `GET /Users` with and without the token, Entra's *Test Connection* filter, `/Groups`,
//! an unknown id, `/Schemas`, `/ResourceTypes`; with the write probe also `POST`, `PATCH`
//! and `DELETE` on one uniquely named probe user that is removed again whatever happens.

mod judge;
mod protocol;
mod transport;
mod write;

pub(crate) use transport::{ACCEPT, scim_request};
pub(crate) use write::uuid_like;

use std::time::Instant;

use reqwest::Method;
use url::Url;

use crate::diagnostics::text::Redactor;
use crate::diagnostics::{Finding, Report, ReportKind, check_ids};
use crate::model::PlatformId;
use crate::probes::http::{Client, HttpError, Policy, Response};
use crate::secrets::{RandomError, Secret};
use crate::wizard::scim::{self as rules, Gravity};
use judge::{
    auth_pass, content_type_finding, discovery_list, join_sentences, latency_finding, refused,
    spc_finding, unauthenticated_finding,
};
use transport::{
    Body, Exchange, body_of, error_suffix, is_accepted, is_login_redirect, is_sendable,
    is_unreachable, judged, millis, transport_fix,
};
use write::random_failed;

pub use judge::SLOW_REQUEST_MS;
pub use judge::{entra_finding, groups_finding, list_response_finding, not_found_finding};
pub use protocol::{
    ERROR_SCHEMA, LIST_RESPONSE_SCHEMA, PATCH_OP_SCHEMA, SCIM_MEDIA_TYPE,
    SERVICE_PROVIDER_CONFIG_SCHEMA, ScimError, USER_SCHEMA, scim_type_meaning, status_meaning,
};
pub use write::{PROBE_EMAIL_DOMAIN, PROBE_USER_PREFIX, WriteProbePlan, new_probe_id};

/// What to check.
#[derive(Clone, Debug)]
pub struct ScimInput {
    /// The SCIM base URL as the admin typed it (what the identity provider would be given).
    pub base_url: String,
    /// The bearer token as pasted; `None` runs only the checks that need none.
    pub token: Option<Secret>,
    /// The platform, for its base URL pattern and its token facts.
    pub platform: PlatformId,
    /// Run the write probe (creates and deletes one user). Only with the admin's consent.
    pub write_probe: bool,
    /// The random part of the probe user's name, as shown in the consent dialog
    /// ([`WriteProbePlan`]); `None` picks a fresh one.
    pub probe_id: Option<String>,
}

impl ScimInput {
    /// A read-only check of `base_url` with `token`.
    pub fn new(base_url: impl Into<String>, token: Option<Secret>, platform: PlatformId) -> Self {
        Self {
            base_url: base_url.into(),
            token,
            platform,
            write_probe: false,
            probe_id: None,
        }
    }
}

/// Facts about the platform that shape the checks' wording.
#[derive(Clone, Debug, Default)]
struct PlatformFacts {
    name: String,
    pattern: Option<String>,
    token_lifetime_days: Option<u32>,
    single_active_token: bool,
    /// The generic preset: no platform name or token facts to quote.
    generic: bool,
}

impl PlatformFacts {
    fn of(platform: PlatformId) -> Self {
        let preset = crate::catalog::catalog().platform(platform);
        let pattern = preset.scim.base_url_pattern.trim();
        Self {
            name: preset.name.clone(),
            pattern: (!pattern.is_empty()).then(|| pattern.to_owned()),
            token_lifetime_days: preset.scim.token_lifetime_days,
            single_active_token: preset.scim.single_active_token,
            generic: platform == PlatformId::Generic,
        }
    }
}

/// Runs every SCIM check against `input` and returns the report; `progress` sees each
/// finding as it is made. Never panics on what a server sends; a silent server costs one
/// timeout, after which the checks that need the network are skipped.
pub async fn check(
    input: &ScimInput,
    policy: Policy,
    progress: &(dyn Fn(&Finding) + Send + Sync),
) -> Report {
    let facts = PlatformFacts::of(input.platform);
    let mut run = Run::new(input, policy, progress);
    let target = input.base_url.trim().to_owned();
    run.suite(input, &facts).await;
    run.finish(target)
}

/// One run of the suite: the client, what was sent and seen, and the findings so far.
struct Run<'a> {
    client: Option<Client>,
    base: Option<Url>,
    write_probe: bool,
    /// The probe id, or why none could be made (reported by the write probe).
    probe_id: Result<String, RandomError>,
    exchanges: Vec<Exchange>,
    findings: Vec<Finding>,
    /// Why the remaining checks could not run (used for every id still missing at the end).
    skip_reason: String,
    progress: &'a (dyn Fn(&Finding) + Send + Sync),
    /// Removes every spelling of the token from findings.
    redactor: Redactor,
}

/// What the token check settled on.
struct TokenChoice {
    /// The token the remaining checks use (as given, or cleaned when only that works).
    token: Option<Secret>,
    /// The `GET /Users` answer that proved it, when it was accepted.
    accepted: Option<Response>,
}

impl<'a> Run<'a> {
    fn new(
        input: &ScimInput,
        policy: Policy,
        progress: &'a (dyn Fn(&Finding) + Send + Sync),
    ) -> Self {
        // Very short values would blank out ordinary words (issue #15); the redactor
        // ignores them, and `scim.token_format` flags them as too short anyway.
        let mut redactor = Redactor::new("[token removed]");
        if let Some(token) = &input.token {
            let raw = token.expose();
            redactor.add(raw, None);
            redactor.add(&zeroize::Zeroizing::new(rules::cleaned_token(raw)), None);
        }
        Self {
            client: Client::new(policy).ok(),
            base: None,
            write_probe: input.write_probe,
            probe_id: input.probe_id.clone().map_or_else(new_probe_id, Ok),
            exchanges: Vec::new(),
            findings: Vec::new(),
            skip_reason: String::new(),
            progress,
            redactor,
        }
    }

    async fn suite(&mut self, input: &ScimInput, facts: &PlatformFacts) {
        if !self.check_base_url(&input.base_url, facts) {
            "the base URL could not be used (see scim.base_url)".clone_into(&mut self.skip_reason);
            self.check_token_format(input.token.as_ref());
            return;
        }
        if self.client.is_none() {
            "the HTTP client could not be set up on this computer"
                .clone_into(&mut self.skip_reason);
            return;
        }
        let candidates = self.check_token_format(input.token.as_ref());
        if let Err(reason) = self.check_service_provider_config().await {
            self.skip_reason = reason;
            return;
        }
        let open_users = self.check_unauthenticated_rejected().await;
        let choice = self
            .check_auth(candidates.as_ref(), open_users, facts)
            .await;
        self.check_entra_test_connection(choice.token.as_ref())
            .await;
        let (Some(token), Some(list)) = (choice.token, choice.accepted) else {
            self.skip_reason = if candidates.is_none() {
                "no token was given, so the authenticated checks could not run".to_owned()
            } else {
                "the token was not accepted (see scim.auth)".to_owned()
            };
            return;
        };
        self.check_list_response(&list);
        self.check_groups(&token).await;
        self.check_not_found_error(&token).await;
        self.check_schemas(&token).await;
        if self.write_probe {
            match self.probe_id.clone() {
                Ok(probe_id) => {
                    let plan = WriteProbePlan::new(&probe_id);
                    self.write_probe(&token, &plan).await;
                }
                Err(err) => {
                    self.skip_reason = format!("no probe user name could be made: {err}");
                    let (id, _) = check_ids::SCIM_WRITE[0];
                    self.emit(Finding::fail(
                        id,
                        format!("The write probe did not run: {err}"),
                        "Run the checks again; if this keeps happening, the computer's random number generator is broken",
                    ));
                }
            }
        }
    }

    /// Adds a finding: scrubs the token, reports progress, keeps it.
    fn emit(&mut self, mut finding: Finding) {
        if !self.redactor.is_empty() {
            finding.detail = self.redactor.redact(&finding.detail);
            finding.fix = self.redactor.redact(&finding.fix);
        }
        (self.progress)(&finding);
        self.findings.push(finding);
    }

    fn has(&self, id: &str) -> bool {
        self.findings.iter().any(|f| f.id == id)
    }

    /// Fills in every check that did not run, then puts them in the stable order.
    fn finish(mut self, target: String) -> Report {
        if !self.has("scim.content_type") && !self.exchanges.is_empty() {
            let finding = content_type_finding(&self.exchanges);
            self.emit(finding);
        }
        if !self.has("scim.latency") && !self.exchanges.is_empty() {
            let finding = latency_finding(&self.exchanges);
            self.emit(finding);
        }
        let write_ids: &[(&str, &str)] = if self.write_probe {
            check_ids::SCIM_WRITE
        } else {
            &[]
        };
        let order: Vec<&str> = check_ids::SCIM
            .iter()
            .chain(write_ids)
            .map(|(id, _)| *id)
            .collect();
        for id in &order {
            if !self.has(id) {
                let reason = if self.skip_reason.is_empty() {
                    "not run"
                } else {
                    self.skip_reason.as_str()
                };
                let finding = Finding::skip(id, reason);
                self.emit(finding);
            }
        }
        let mut checks: Vec<Finding> = self
            .findings
            .into_iter()
            .filter(|f| order.contains(&f.id.as_str()))
            .collect();
        checks.sort_by_key(|f| order.iter().position(|id| *id == f.id));
        Report::new(ReportKind::Scim, target, checks)
    }

    // ----- scim.base_url -----

    fn check_base_url(&mut self, typed: &str, facts: &PlatformFacts) -> bool {
        let issues = rules::base_url_issues(typed, facts.pattern.as_deref());
        let url = crate::probes::http::parse_url(typed).ok();
        let worst = issues.iter().map(rules::BaseUrlIssue::gravity).min();
        let messages = join_sentences(issues.iter().map(rules::BaseUrlIssue::message));
        let fixes = join_sentences(issues.iter().map(rules::BaseUrlIssue::fix));
        // Plain http to another computer or a user name in the URL: the token must not
        // go there, so no request is made at all (DESIGN.md, "Where credentials may go").
        let blocker = url
            .as_ref()
            .and_then(crate::probes::http::credential_blocker);
        if let Some(refusal) = &blocker {
            // The SCIM app's own rules already name a user name in the URL; say it once.
            let userinfo = matches!(refusal, crate::probes::http::CredentialRefusal::Userinfo)
                && !issues.contains(&rules::BaseUrlIssue::Userinfo);
            let mut detail = messages;
            let mut fix = fixes;
            if userinfo {
                detail = join_sentences(
                    [
                        detail,
                        "The URL has a user name or password in it (user:password@host)".to_owned(),
                    ]
                    .into_iter()
                    .filter(|part| !part.is_empty()),
                );
                fix = join_sentences(
                    [fix, refusal.fix()]
                        .into_iter()
                        .filter(|part| !part.is_empty()),
                );
            }
            detail.push_str(
                " No request was sent, so the token did not leave this computer; the other checks did not run.",
            );
            self.emit(Finding::fail("scim.base_url", detail, fix));
            self.base = None;
            return false;
        }
        let finding = match (&url, worst) {
            (None, _) | (Some(_), Some(Gravity::Blocking)) => {
                Finding::fail("scim.base_url", messages, fixes)
            }
            (Some(_), Some(Gravity::Advisory)) => {
                let mut detail = messages;
                if issues.contains(&rules::BaseUrlIssue::TrailingSlash) {
                    detail.push_str(" The checks below ran without the trailing slash.");
                }
                Finding::warn("scim.base_url", detail, fixes)
            }
            (Some(url), None) => {
                let shape = match &facts.pattern {
                    Some(pattern) => format!(", and it has the {} shape {pattern}", facts.name),
                    None => String::new(),
                };
                Finding::pass(
                    "scim.base_url",
                    format!("{url} is an https URL without a resource path or query{shape}"),
                )
            }
        };
        self.emit(finding);
        self.base = url;
        self.base.is_some()
    }

    // ----- scim.token_format -----

    /// Reports paste problems; returns the token as given and its cleaned form (when that
    /// differs), or `None` when there is no token.
    fn check_token_format(&mut self, token: Option<&Secret>) -> Option<(Secret, Option<Secret>)> {
        let Some(token) = token else {
            self.emit(Finding::skip("scim.token_format", "no token was given"));
            return None;
        };
        let raw = token.expose();
        let issues = rules::token_issues(raw);
        let cleaned = rules::cleaned_token(raw);
        let cleaned = (cleaned != raw && !cleaned.is_empty()).then(|| Secret::new(cleaned));
        let messages = join_sentences(issues.iter().map(rules::TokenIssue::message));
        let fixes = join_sentences(issues.iter().map(rules::TokenIssue::fix));
        let finding = match issues.iter().map(rules::TokenIssue::gravity).min() {
            None => Finding::pass(
                "scim.token_format",
                format!(
                    "{} characters, no spaces, quotes, line breaks or Bearer prefix (ends in {})",
                    raw.chars().count(),
                    token.last4()
                ),
            ),
            Some(Gravity::Advisory) => Finding::warn("scim.token_format", messages, fixes),
            Some(Gravity::Blocking) => Finding::fail(
                "scim.token_format",
                format!(
                    "{messages} The IdP sends the token exactly as pasted, so the platform would refuse it."
                ),
                fixes,
            ),
        };
        self.emit(finding);
        Some((token.clone(), cleaned))
    }

    // ----- scim.service_provider_config -----

    /// `Err(reason)` when the server cannot be reached at all.
    async fn check_service_provider_config(&mut self) -> Result<(), String> {
        const ID: &str = "scim.service_provider_config";
        let started = Instant::now();
        let result = self
            .call(Method::GET, &["ServiceProviderConfig"], &[], None, None)
            .await;
        let response = match result {
            Ok(response) => response,
            Err(err) => {
                let unreachable = is_unreachable(&err);
                let finding = Finding::fail(ID, err.to_string(), transport_fix(&err));
                self.emit(finding.with_duration_ms(millis(started)));
                return if unreachable {
                    Err(format!(
                        "the server could not be reached ({}; see {ID})",
                        err.kind()
                    ))
                } else {
                    Ok(())
                };
            }
        };
        let finding = match (response.status.as_u16(), body_of(&response)) {
            (_, _) if is_login_redirect(&response) => Finding::warn(
                ID,
                format!(
                    "GET /ServiceProviderConfig was redirected to a web page at {}",
                    response.final_url
                ),
                "The base URL probably points at the platform's web app; copy the SCIM endpoint from its provisioning settings",
            ),
            (200, Body::Json(doc)) => spc_finding(&doc),
            (200, Body::Html) => Finding::warn(
                ID,
                "GET /ServiceProviderConfig returned a web page, not SCIM JSON",
                "Check the base URL: it should be the SCIM endpoint, not the web app",
            ),
            (200, Body::NotJson(error)) => Finding::fail(
                ID,
                format!(
                    "GET /ServiceProviderConfig answered 200 but the body is not valid JSON ({error})"
                ),
                "Report this to the platform: its SCIM discovery document is broken",
            ),
            (401 | 403, _) => Finding::warn(
                ID,
                format!(
                    "GET /ServiceProviderConfig without a token was refused with {}",
                    response.status
                ),
                "Most IdPs do not need it, but the usual practice is to serve discovery without a token; if other checks pass, nothing to do",
            ),
            (404, _) => Finding::warn(
                ID,
                "GET /ServiceProviderConfig returned 404: the server does not publish its SCIM features there",
                "If /Users also gives 404 below, the base URL is wrong; otherwise the platform simply does not offer discovery",
            ),
            (_, body) => Finding::warn(
                ID,
                format!(
                    "GET /ServiceProviderConfig returned {}{}",
                    response.status,
                    error_suffix(&body)
                ),
                "Check the base URL; if it is right, ask the platform about its SCIM discovery endpoint",
            ),
        };
        self.emit(finding.with_duration_ms(response.elapsed_ms()));
        Ok(())
    }

    // ----- scim.unauthenticated_rejected -----

    /// Returns true when `/Users` answered with data without any token.
    async fn check_unauthenticated_rejected(&mut self) -> bool {
        const ID: &str = "scim.unauthenticated_rejected";
        let started = Instant::now();
        let result = self
            .call(
                Method::GET,
                &["Users"],
                &[("startIndex", "1"), ("count", "1")],
                None,
                None,
            )
            .await;
        let (finding, open) = match result {
            Err(err) => (Finding::skip(ID, format!("could not tell: {err}")), false),
            Ok(response) => unauthenticated_finding(&response),
        };
        self.emit(finding.with_duration_ms(millis(started)));
        open
    }

    // ----- scim.auth -----

    async fn check_auth(
        &mut self,
        candidates: Option<&(Secret, Option<Secret>)>,
        open_users: bool,
        facts: &PlatformFacts,
    ) -> TokenChoice {
        const ID: &str = "scim.auth";
        let started = Instant::now();
        let Some((given, cleaned)) = candidates else {
            self.emit(Finding::skip(ID, "no token was given"));
            return TokenChoice {
                token: None,
                accepted: None,
            };
        };
        let given_sendable = is_sendable(given);
        // Retrying with the cleaned token only makes sense when the token was the problem.
        let mut token_refused = true;
        let mut problem = if given_sendable {
            match self.list_users(given).await {
                Ok(response) if is_accepted(&response) => {
                    let finding = auth_pass(&response, open_users);
                    self.emit(finding.with_duration_ms(millis(started)));
                    return TokenChoice {
                        token: Some(given.clone()),
                        accepted: Some(response),
                    };
                }
                Ok(response) => {
                    token_refused = matches!(response.status.as_u16(), 401 | 403);
                    refused(&response, facts)
                }
                Err(err) => {
                    token_refused = false;
                    (err.to_string(), transport_fix(&err))
                }
            }
        } else {
            (
                "The token could not be sent at all: it contains a line break or another character that is not allowed in an HTTP header".to_owned(),
                "Remove the line breaks and paste the token as one line".to_owned(),
            )
        };
        if token_refused
            && let Some(cleaned) = cleaned.as_ref().filter(|c| is_sendable(c))
            && let Ok(response) = self.list_users(cleaned).await
            && is_accepted(&response)
        {
            problem.0.push_str(
                ". With the paste mistakes removed (see scim.token_format) the server accepts it, so the token itself is good. The checks below ran with the corrected token.",
            );
            let finding = Finding::fail(
                ID,
                problem.0,
                "Correct the token where it was pasted (the IdP's secret token field): remove what scim.token_format names, or copy it again with the platform's copy button",
            );
            self.emit(finding.with_duration_ms(millis(started)));
            return TokenChoice {
                token: Some(cleaned.clone()),
                accepted: Some(response),
            };
        }
        self.emit(Finding::fail(ID, problem.0, problem.1).with_duration_ms(millis(started)));
        TokenChoice {
            token: given_sendable.then(|| given.clone()),
            accepted: None,
        }
    }

    async fn list_users(&mut self, token: &Secret) -> Result<Response, HttpError> {
        // One user per page: a real tenant's full list could pass the body cap.
        self.call(
            Method::GET,
            &["Users"],
            &[("startIndex", "1"), ("count", "1")],
            Some(token),
            None,
        )
        .await
    }

    // ----- scim.entra_test_connection -----

    async fn check_entra_test_connection(&mut self, token: Option<&Secret>) {
        const ID: &str = "scim.entra_test_connection";
        let Some(token) = token else {
            self.emit(Finding::skip(ID, "no token that can be sent was given"));
            return;
        };
        let started = Instant::now();
        // Entra's Test Connection asks for a user that cannot exist and expects an empty
        // list back: `GET /Users?filter=userName eq "<random>"`.
        let user_name = match uuid_like() {
            Ok(random) => format!("{PROBE_USER_PREFIX}{random}"),
            Err(err) => {
                self.emit(random_failed(ID, &err));
                return;
            }
        };
        let result = self.users_named(token, &user_name).await;
        let finding = judged(ID, result, entra_finding, |err| {
            format!("{err}. The IdP's connection test would fail the same way.")
        });
        self.emit(finding.with_duration_ms(millis(started)));
    }

    // ----- scim.list_response -----

    fn check_list_response(&mut self, response: &Response) {
        let finding = list_response_finding(response);
        self.emit(finding);
    }

    // ----- scim.groups -----

    async fn check_groups(&mut self, token: &Secret) {
        const ID: &str = "scim.groups";
        let started = Instant::now();
        let result = self
            .call(
                Method::GET,
                &["Groups"],
                &[("startIndex", "1"), ("count", "1")],
                Some(token),
                None,
            )
            .await;
        let finding = judged(ID, result, groups_finding, |err| {
            format!("GET /Groups failed: {err}")
        });
        self.emit(finding.with_duration_ms(millis(started)));
    }

    // ----- scim.not_found_error -----

    async fn check_not_found_error(&mut self, token: &Secret) {
        const ID: &str = "scim.not_found_error";
        let started = Instant::now();
        let id = match uuid_like() {
            Ok(id) => id,
            Err(err) => {
                self.emit(random_failed(ID, &err));
                return;
            }
        };
        let result = self
            .call(Method::GET, &["Users", &id], &[], Some(token), None)
            .await;
        let finding = judged(ID, result, not_found_finding, |err| {
            format!("GET /Users/<unknown id> failed: {err}")
        });
        self.emit(finding.with_duration_ms(millis(started)));
    }

    // ----- scim.schemas -----

    async fn check_schemas(&mut self, token: &Secret) {
        const ID: &str = "scim.schemas";
        let started = Instant::now();
        let mut problems = Vec::new();
        let mut found = Vec::new();
        for (endpoint, wanted) in [("Schemas", USER_SCHEMA), ("ResourceTypes", "User")] {
            match self
                .call(Method::GET, &[endpoint], &[], Some(token), None)
                .await
            {
                Err(err) => problems.push(format!("GET /{endpoint} failed ({})", err.kind())),
                Ok(response) => match discovery_list(&response, wanted) {
                    Ok(count) => found.push(format!(
                        "/{endpoint} lists {count} entries including {wanted}"
                    )),
                    Err(problem) => problems.push(format!("/{endpoint}: {problem}")),
                },
            }
        }
        let finding = if problems.is_empty() {
            Finding::pass(ID, join_sentences(found.into_iter()))
        } else {
            Finding::warn(
                ID,
                join_sentences(problems.into_iter().chain(found)),
                "The common IdPs provision without these discovery endpoints, but tools that read the schema (and some IdPs' attribute pickers) need them; ask the platform whether it publishes them",
            )
        };
        self.emit(finding.with_duration_ms(millis(started)));
    }
}

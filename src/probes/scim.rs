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

use std::fmt::Write as _;
use std::time::Instant;

use reqwest::Method;
use reqwest::header::HeaderValue;
use serde_json::{Value, json};
use url::Url;

use crate::diagnostics::text::Redactor;
use crate::diagnostics::{Finding, Report, ReportKind, Status, check_ids};
use crate::model::PlatformId;
use crate::probes::http::{Client, HttpError, Policy, Request, Response};
use crate::secrets::{RandomError, Secret};
use crate::wizard::scim::{self as rules, Gravity};

/// RFC 7644 §3.4.2 list response schema.
pub const LIST_RESPONSE_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
/// RFC 7644 §3.12 error schema.
pub const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
/// RFC 7644 §3.5.2 PATCH request schema.
pub const PATCH_OP_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
/// RFC 7643 §4.1 core user schema.
pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// RFC 7643 §5 service provider configuration schema.
pub const SERVICE_PROVIDER_CONFIG_SCHEMA: &str =
    "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
/// The SCIM media type (RFC 7644 §3.1).
pub const SCIM_MEDIA_TYPE: &str = "application/scim+json";
/// A request slower than this gets a latency warning.
pub const SLOW_REQUEST_MS: u64 = 600;
/// Domain of the probe user's userName and email (RFC 2606: reserved, never delivered).
pub const PROBE_EMAIL_DOMAIN: &str = "example.com";
/// Prefix of every probe user's userName, so a leftover is easy to recognise.
pub const PROBE_USER_PREFIX: &str = "ssw-probe-";

const ACCEPT: &str = "application/scim+json, application/json;q=0.9";

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

/// Exactly what the write probe creates and does, for the consent dialog and for the run.
#[derive(Clone, Debug, PartialEq)]
pub struct WriteProbePlan {
    /// The random part of the name (letters and digits only); the same id gives the same plan.
    pub probe_id: String,
    /// The probe user's `userName` (and email): `ssw-probe-<random>@example.com`.
    pub user_name: String,
    /// The probe user's `externalId`.
    pub external_id: String,
    /// The JSON body of the `POST /Users`.
    pub user: Value,
}

impl WriteProbePlan {
    /// The plan for a probe id (the random part of the name); see [`new_probe_id`].
    pub fn new(probe_id: &str) -> Self {
        let clean: String = probe_id
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(32)
            .collect();
        let user_name = format!("{PROBE_USER_PREFIX}{clean}@{PROBE_EMAIL_DOMAIN}");
        let external_id = format!("{PROBE_USER_PREFIX}{clean}");
        // Every attribute the platforms' guides call required that a probe can fill
        // honestly: userName, given and family name, a primary work email, externalId,
        // displayName (AWS IAM Identity Center needs it). A manager reference would have
        // to point at a real user, so the probe leaves it out.
        let user = json!({
            "schemas": [USER_SCHEMA],
            "userName": user_name,
            "externalId": external_id,
            "active": true,
            "displayName": "SSO SCIM Wizard probe",
            "name": { "givenName": "Probe", "familyName": "SSO SCIM Wizard" },
            "emails": [{ "value": user_name, "type": "work", "primary": true }],
        });
        Self {
            probe_id: clean,
            user_name,
            external_id,
            user,
        }
    }

    /// The consent text, one line per fact: what is created, with which attributes, what
    /// is done to it and that it is deleted again.
    pub fn describe(&self) -> Vec<String> {
        vec![
            format!("Creates one user with userName {} (POST /Users).", self.user_name),
            format!(
                "Its attributes: display name \"SSO SCIM Wizard probe\", given name \"Probe\", family name \"SSO SCIM Wizard\", work email {}, externalId {}, active.",
                self.user_name, self.external_id
            ),
            "Reads it back, then sends the same user again and expects 409 uniqueness (a second copy is deleted at once if the server makes one).".to_owned(),
            "Deactivates it with PATCH active=false, then deletes it and checks that it is gone.".to_owned(),
            "The user is deleted even when a step fails; one that cannot be deleted is reported with its id so you can remove it by hand.".to_owned(),
            "The platform may count, log or announce the new user (for example a welcome email to the example.com address, which is never delivered).".to_owned(),
        ]
    }
}

/// A fresh random probe id: 12 lower-case hex digits, or the generator's error.
pub fn new_probe_id() -> Result<String, RandomError> {
    Ok(hex(&random_bytes::<6>()?))
}

/// A SCIM error body (RFC 7644 §3.12), decoded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScimError {
    /// `status` as sent (a string per the RFC; some servers send a number).
    pub status: Option<String>,
    /// `scimType`, when present.
    pub scim_type: Option<String>,
    /// `detail`, when present.
    pub detail: Option<String>,
}

impl ScimError {
    /// The error in `body`, when it is a SCIM error (by schema, or by `status` + `detail`).
    pub fn parse(body: &Value) -> Option<Self> {
        let has_schema = body
            .get("schemas")
            .and_then(Value::as_array)
            .is_some_and(|schemas| schemas.iter().any(|s| s.as_str() == Some(ERROR_SCHEMA)));
        let text = |key: &str| match body.get(key) {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        let error = Self {
            status: text("status"),
            scim_type: text("scimType"),
            detail: text("detail"),
        };
        (has_schema || (error.status.is_some() && error.detail.is_some())).then_some(error)
    }

    /// One sentence: the server's own words and, for a known `scimType`, what it means.
    pub fn describe(&self) -> String {
        let mut out = String::new();
        if let Some(scim_type) = &self.scim_type {
            let _ = write!(out, "scimType {scim_type:?}");
            if let Some(meaning) = scim_type_meaning(scim_type) {
                let _ = write!(out, ": {meaning}");
            }
        }
        if let Some(detail) = &self.detail {
            if !out.is_empty() {
                out.push_str("; ");
            }
            let _ = write!(out, "the server says {:?}", clip(detail, 200));
        }
        out
    }
}

/// What a `scimType` error keyword means (RFC 7644 §3.12), in our words.
pub fn scim_type_meaning(scim_type: &str) -> Option<&'static str> {
    Some(match scim_type {
        "invalidFilter" => "the filter is malformed or not supported",
        "tooMany" => "the query would return more results than the server allows",
        "uniqueness" => "the userName or externalId is already taken by another resource",
        "mutability" => "the request tried to change an attribute that cannot be changed",
        "invalidSyntax" => {
            "the request body could not be parsed or does not follow the SCIM schema"
        }
        "invalidPath" => "a PATCH path is malformed or names no attribute",
        "noTarget" => "the PATCH path matched nothing to change",
        "invalidValue" => "a value is missing, of the wrong type, or not allowed",
        "invalidVers" => "the server does not support the SCIM version requested",
        "sensitive" => "the request put sensitive data in the URL",
        _ => return None,
    })
}

/// What an HTTP status means when an identity provider gets it from a SCIM endpoint, with the causes
/// the vendors' troubleshooting guides give, in our words.
pub fn status_meaning(status: u16) -> Option<&'static str> {
    Some(match status {
        400 => {
            "the request was refused as malformed: invalid JSON, a required user attribute missing, an unsupported filter, or a body the server does not expect from this IdP"
        }
        401 => {
            "the token is missing, wrong, revoked or expired, or not sent in the form the server expects (Authorization: Bearer <token>)"
        }
        403 => "the token was recognised but is not allowed to do this",
        404 => {
            "nothing is there: a wrong base URL or environment (for example test instead of production), or a user or group that no longer exists"
        }
        409 => {
            "a conflict: the userName or email already exists, perhaps created by hand or by another provisioning app"
        }
        500..=599 => {
            "the server failed while handling the request; it is a problem on the platform's side"
        }
        _ => return None,
    })
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

/// One request and what came back, for the latency and content-type checks.
#[derive(Clone, Debug)]
struct Exchange {
    label: String,
    elapsed_ms: u64,
    outcome: String,
    /// The `Content-Type` of a response that carried a JSON body.
    json_content_type: Option<String>,
}

/// What a response body turned out to be.
#[derive(Debug)]
enum Body {
    Json(Value),
    Html,
    Empty,
    NotJson(String),
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
            let finding = self.content_type_finding();
            self.emit(finding);
        }
        if !self.has("scim.latency") && !self.exchanges.is_empty() {
            let finding = self.latency_finding();
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

    // ----- requests -----

    fn endpoint(&self, segments: &[&str], query: &[(&str, &str)]) -> Option<Url> {
        let mut url = self.base.clone()?;
        let base_path = url.path().trim_end_matches('/').to_owned();
        url.set_path(&base_path);
        {
            let mut path = url.path_segments_mut().ok()?;
            path.pop_if_empty();
            path.extend(segments);
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        Some(url)
    }

    /// Sends one request under the policy and records it.
    async fn call(
        &mut self,
        method: Method,
        segments: &[&str],
        query: &[(&str, &str)],
        token: Option<&Secret>,
        body: Option<&Value>,
    ) -> Result<Response, HttpError> {
        let label = request_label(&method, segments, query);
        let (Some(client), Some(url)) = (self.client.clone(), self.endpoint(segments, query))
        else {
            return Err(HttpError::Other {
                url: label,
                reason: "no usable base URL".to_owned(),
            });
        };
        let mut request = if let Some(body) = body {
            Request::with_json(method, url, body, SCIM_MEDIA_TYPE)
        } else {
            let mut request = Request::get(url);
            request.method = method;
            request
        }
        .accept(ACCEPT);
        if let Some(token) = token {
            request = request.bearer(token.clone());
        }
        let started = Instant::now();
        let mut result = client.send(request).await;
        // What the server says is redacted whole before anything parses, quotes or
        // shortens it (DESIGN.md, "Network policy"): an echoed token cut in half by a
        // 200-character quote leaves no prefix behind.
        if let Ok(response) = &mut result
            && !self.redactor.is_empty()
            && let Ok(text) = std::str::from_utf8(&response.body)
        {
            let redacted = self.redactor.redact(text);
            if redacted != text {
                response.body = redacted.into_bytes();
            }
        }
        let elapsed_ms = match &result {
            Ok(response) => response.elapsed_ms(),
            Err(_) => millis(started),
        };
        let (outcome, json_content_type) = match &result {
            Ok(response) => {
                let ct = response.content_type();
                let is_json = matches!(body_of(response), Body::Json(_));
                (response.status.as_u16().to_string(), is_json.then_some(ct))
            }
            Err(err) => (err.kind().to_owned(), None),
        };
        self.exchanges.push(Exchange {
            label,
            elapsed_ms,
            outcome,
            json_content_type,
        });
        result
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
        let filter = format!("userName eq \"{user_name}\"");
        let result = self
            .call(
                Method::GET,
                &["Users"],
                &[("filter", filter.as_str())],
                Some(token),
                None,
            )
            .await;
        let finding = match result {
            Err(err) => Finding::fail(
                ID,
                format!("{err}. The IdP's connection test would fail the same way."),
                transport_fix(&err),
            ),
            Ok(response) => entra_finding(&response),
        };
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
        let finding = match result {
            Err(err) => Finding::fail(
                ID,
                format!("GET /Groups failed: {err}"),
                transport_fix(&err),
            ),
            Ok(response) => groups_finding(&response),
        };
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
        let finding = match result {
            Err(err) => Finding::fail(
                ID,
                format!("GET /Users/<unknown id> failed: {err}"),
                transport_fix(&err),
            ),
            Ok(response) => not_found_finding(&response),
        };
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

    // ----- scim.content_type and scim.latency -----

    fn content_type_finding(&self) -> Finding {
        const ID: &str = "scim.content_type";
        let json: Vec<(&str, &str)> = self
            .exchanges
            .iter()
            .filter_map(|e| {
                e.json_content_type
                    .as_deref()
                    .map(|ct| (e.label.as_str(), ct))
            })
            .collect();
        if json.is_empty() {
            return Finding::skip(ID, "no SCIM JSON response was received");
        }
        let plain_json: Vec<&str> = json
            .iter()
            .filter(|(_, ct)| *ct == "application/json")
            .map(|(l, _)| *l)
            .collect();
        let other: Vec<String> = json
            .iter()
            .filter(|(_, ct)| *ct != SCIM_MEDIA_TYPE && *ct != "application/json")
            .map(|(label, ct)| {
                format!(
                    "{label} ({})",
                    if ct.is_empty() { "no Content-Type" } else { ct }
                )
            })
            .collect();
        if !other.is_empty() {
            Finding::fail(
                ID,
                format!(
                    "JSON came back labelled as something else: {}",
                    other.join(", ")
                ),
                "The platform must label SCIM responses application/scim+json (RFC 7644 §3.1); IdPs may refuse other types. Report it to the platform",
            )
        } else if !plain_json.is_empty() {
            Finding::warn(
                ID,
                format!(
                    "{} of {} JSON responses use application/json instead of application/scim+json: {}",
                    plain_json.len(),
                    json.len(),
                    plain_json.join(", ")
                ),
                "The common IdPs accept application/json, so provisioning works; the SCIM standard asks for application/scim+json",
            )
        } else {
            Finding::pass(
                ID,
                format!(
                    "all {} JSON responses use application/scim+json",
                    json.len()
                ),
            )
        }
    }

    fn latency_finding(&self) -> Finding {
        const ID: &str = "scim.latency";
        let per_request: Vec<String> = self
            .exchanges
            .iter()
            .map(|e| format!("{} {} {} ms", e.label, e.outcome, e.elapsed_ms))
            .collect();
        let slow: Vec<&Exchange> = self
            .exchanges
            .iter()
            .filter(|e| e.elapsed_ms > SLOW_REQUEST_MS)
            .collect();
        let detail = format!("per request: {}", per_request.join("; "));
        if slow.is_empty() {
            let max = self
                .exchanges
                .iter()
                .map(|e| e.elapsed_ms)
                .max()
                .unwrap_or(0);
            Finding::pass(
                ID,
                format!("slowest {max} ms (limit {SLOW_REQUEST_MS} ms); {detail}"),
            )
        } else {
            let names: Vec<String> = slow
                .iter()
                .map(|e| format!("{} took {} ms", e.label, e.elapsed_ms))
                .collect();
            Finding::warn(
                ID,
                format!("{} over {SLOW_REQUEST_MS} ms; {detail}", names.join(", ")),
                "Slow answers make IdP sync cycles long and can trip their timeouts; check the network path (proxy, VPN) and ask the platform about response times",
            )
        }
    }

    // ----- write probe -----

    async fn write_probe(&mut self, token: &Secret, plan: &WriteProbePlan) {
        let mut probe = WriteState::default();
        let created = self.write_create(token, plan, &mut probe).await;
        if let Some(id) = created.clone() {
            self.write_duplicate(token, plan, &mut probe).await;
            self.write_patch(token, &id).await;
        } else {
            let reason = "the probe user could not be created (see scim.write.create)";
            self.emit(Finding::skip("scim.write.duplicate", reason));
            self.emit(Finding::skip("scim.write.patch", reason));
        }
        self.write_delete_and_clean_up(token, plan, created.as_deref(), &mut probe)
            .await;
    }

    async fn write_create(
        &mut self,
        token: &Secret,
        plan: &WriteProbePlan,
        probe: &mut WriteState,
    ) -> Option<String> {
        const ID: &str = "scim.write.create";
        let started = Instant::now();
        let result = self
            .call(Method::POST, &["Users"], &[], Some(token), Some(&plan.user))
            .await;
        let response = match result {
            Ok(response) => response,
            Err(err) => {
                // The user may have been created before the answer was lost.
                probe.maybe_created = true;
                let finding = Finding::fail(
                    ID,
                    format!("POST /Users failed: {err}"),
                    transport_fix(&err),
                );
                self.emit(finding.with_duration_ms(millis(started)));
                return None;
            }
        };
        let status = response.status.as_u16();
        let body = body_of(&response);
        let id = match &body {
            Body::Json(doc) => doc.get("id").and_then(Value::as_str).map(str::to_owned),
            _ => None,
        };
        if response.status.is_success() {
            if let Some(id) = &id {
                probe.created.push(id.clone());
            } else {
                probe.maybe_created = true;
            }
        }
        let finding = match (status, id) {
            (201 | 200, Some(id)) => self.read_back(token, plan, &id, status).await,
            (201 | 200, None) => Finding::fail(
                ID,
                format!(
                    "POST /Users answered {} but the body has no user id",
                    response.status
                ),
                "An IdP stores the id from this answer to update the user later; report this to the platform",
            ),
            (status, _) => {
                let mut detail = format!(
                    "POST /Users was refused with {}{}",
                    response.status,
                    error_suffix(&body)
                );
                if let Some(meaning) = status_meaning(status) {
                    let _ = write!(detail, ". This usually means {meaning}");
                }
                let fix = if matches!(status, 401 | 403) {
                    "The token can read but not create users; issue a token with write (provisioning) rights and try again"
                } else {
                    "Compare the attributes the platform requires with the IdP's attribute mappings"
                };
                Finding::fail(ID, detail, fix)
            }
        };
        self.emit(finding.with_duration_ms(millis(started)));
        // Even when reading it back failed, a user with an id exists: the other steps and
        // the clean-up still need it.
        probe.created.first().cloned()
    }

    async fn read_back(
        &mut self,
        token: &Secret,
        plan: &WriteProbePlan,
        id: &str,
        status: u16,
    ) -> Finding {
        const ID: &str = "scim.write.create";
        match self
            .call(Method::GET, &["Users", id], &[], Some(token), None)
            .await
        {
            Err(err) => Finding::fail(
                ID,
                format!("created user {id}, but reading it back failed: {err}"),
                transport_fix(&err),
            ),
            Ok(read) => match (read.status.as_u16(), body_of(&read)) {
                (200, Body::Json(doc))
                    if doc
                        .get("userName")
                        .and_then(Value::as_str)
                        .is_some_and(|u| u.eq_ignore_ascii_case(&plan.user_name)) =>
                {
                    let mut detail = format!(
                        "POST /Users answered {status} with id {id}; GET /Users/{id} returned the same userName"
                    );
                    if status != 201 {
                        detail.push_str(" (RFC 7644 §3.3 asks for 201 Created on a new user)");
                    }
                    Finding::pass(ID, detail)
                }
                (200, _) => Finding::fail(
                    ID,
                    format!(
                        "created user {id}, but GET /Users/{id} did not return it with userName {}",
                        plan.user_name
                    ),
                    "Report this to the platform: a created user must be readable by its id",
                ),
                (_, body) => Finding::fail(
                    ID,
                    format!(
                        "created user {id}, but GET /Users/{id} answered {}{}",
                        read.status,
                        error_suffix(&body)
                    ),
                    "Report this to the platform: a created user must be readable by its id",
                ),
            },
        }
    }

    async fn write_duplicate(
        &mut self,
        token: &Secret,
        plan: &WriteProbePlan,
        probe: &mut WriteState,
    ) {
        const ID: &str = "scim.write.duplicate";
        let started = Instant::now();
        let result = self
            .call(Method::POST, &["Users"], &[], Some(token), Some(&plan.user))
            .await;
        let finding = match result {
            Err(err) => {
                probe.maybe_created = true;
                Finding::fail(
                    ID,
                    format!("the second POST /Users failed: {err}"),
                    transport_fix(&err),
                )
            }
            Ok(response) => {
                let body = body_of(&response);
                let error = match &body {
                    Body::Json(doc) => ScimError::parse(doc),
                    _ => None,
                };
                match response.status.as_u16() {
                    409 if error.as_ref().and_then(|e| e.scim_type.as_deref())
                        == Some("uniqueness") =>
                    {
                        Finding::pass(
                            ID,
                            "the same userName again was refused with 409 and scimType \"uniqueness\", as IdPs expect",
                        )
                    }
                    409 => Finding::warn(
                        ID,
                        format!(
                            "the duplicate was refused with 409 but without scimType \"uniqueness\"{}",
                            error_suffix(&body)
                        ),
                        "IdPs cope, but the SCIM standard asks for scimType uniqueness so they can tell a duplicate from other conflicts",
                    ),
                    code if response.status.is_success() => {
                        if let Body::Json(doc) = &body
                            && let Some(id) = doc.get("id").and_then(Value::as_str)
                        {
                            probe.created.push(id.to_owned());
                        } else {
                            probe.maybe_created = true;
                        }
                        Finding::fail(
                            ID,
                            format!(
                                "a second user with the same userName was accepted ({code}): the platform does not enforce unique userNames"
                            ),
                            "IdPs rely on 409 to match an existing account instead of creating a copy; without it you get duplicate users. Report this to the platform",
                        )
                    }
                    _ => Finding::fail(
                        ID,
                        format!(
                            "the duplicate was answered with {} instead of 409{}",
                            response.status,
                            error_suffix(&body)
                        ),
                        "The platform should refuse a duplicate userName with 409 and scimType uniqueness; report this to the platform",
                    ),
                }
            }
        };
        self.emit(finding.with_duration_ms(millis(started)));
    }

    async fn write_patch(&mut self, token: &Secret, id: &str) {
        const ID: &str = "scim.write.patch";
        let started = Instant::now();
        // Entra and Okta deactivate a user this way before (or instead of) deleting it.
        let patch = json!({
            "schemas": [PATCH_OP_SCHEMA],
            "Operations": [{ "op": "replace", "path": "active", "value": false }],
        });
        let result = self
            .call(
                Method::PATCH,
                &["Users", id],
                &[],
                Some(token),
                Some(&patch),
            )
            .await;
        let finding = match result {
            Err(err) => Finding::fail(
                ID,
                format!("PATCH /Users/{id} failed: {err}"),
                transport_fix(&err),
            ),
            Ok(response) if response.status.is_success() => {
                self.confirm_inactive(token, id, &response).await
            }
            Ok(response) => Finding::fail(
                ID,
                format!(
                    "PATCH active=false was refused with {}{}",
                    response.status,
                    error_suffix(&body_of(&response))
                ),
                "IdPs deactivate users with PATCH; without it, people removed in the IdP keep their access. Report this to the platform",
            ),
        };
        self.emit(finding.with_duration_ms(millis(started)));
    }

    async fn confirm_inactive(&mut self, token: &Secret, id: &str, patched: &Response) -> Finding {
        const ID: &str = "scim.write.patch";
        let active = match self
            .call(Method::GET, &["Users", id], &[], Some(token), None)
            .await
        {
            Ok(read) => match body_of(&read) {
                Body::Json(doc) => doc.get("active").cloned(),
                _ => None,
            },
            Err(_) => None,
        };
        match active {
            Some(Value::Bool(false)) => Finding::pass(
                ID,
                format!(
                    "PATCH active=false answered {} and the user now reads as inactive",
                    patched.status
                ),
            ),
            Some(Value::Bool(true)) => Finding::fail(
                ID,
                format!(
                    "PATCH active=false answered {} but the user still reads as active",
                    patched.status
                ),
                "Deprovisioning would not take effect; report this to the platform",
            ),
            _ => Finding::warn(
                ID,
                format!(
                    "PATCH active=false answered {}, but reading the user back did not show the active attribute",
                    patched.status
                ),
                "Check in the platform that deactivated users lose access",
            ),
        }
    }

    async fn write_delete_and_clean_up(
        &mut self,
        token: &Secret,
        plan: &WriteProbePlan,
        main_id: Option<&str>,
        probe: &mut WriteState,
    ) {
        const ID: &str = "scim.write.delete";
        let started = Instant::now();
        if probe.maybe_created {
            // An answer was lost or had no id: find what the server holds under the name.
            for id in self.find_by_user_name(token, &plan.user_name).await {
                if !probe.created.contains(&id) {
                    probe.created.push(id);
                }
            }
        }
        let mut finding = match main_id {
            Some(id) => self.delete_and_confirm(token, id).await,
            None => Finding::skip(
                ID,
                "the probe user was not created, so there was nothing to delete",
            ),
        };
        let mut left: Vec<String> = Vec::new();
        let mut removed: Vec<String> = Vec::new();
        for id in probe
            .created
            .iter()
            .filter(|id| Some(id.as_str()) != main_id)
            .cloned()
            .collect::<Vec<_>>()
        {
            if self.delete_quietly(token, &id).await {
                removed.push(id);
            } else {
                left.push(id);
            }
        }
        if let Some(id) = main_id
            && finding.status != Status::Pass
        {
            left.insert(0, id.to_owned());
        }
        if !removed.is_empty() {
            let _ = write!(finding.detail, " Also removed: {}.", removed.join(", "));
        }
        if !left.is_empty() {
            let list = left.join(", ");
            finding = Finding::fail(
                ID,
                format!(
                    "{} Left behind on the server: user id {list} (userName {}).",
                    finding.detail, plan.user_name
                ),
                format!(
                    "Delete user {list} ({}) in the platform's admin console",
                    plan.user_name
                ),
            );
        }
        self.emit(finding.with_duration_ms(millis(started)));
    }

    async fn delete_and_confirm(&mut self, token: &Secret, id: &str) -> Finding {
        const ID: &str = "scim.write.delete";
        let response = match self
            .call(Method::DELETE, &["Users", id], &[], Some(token), None)
            .await
        {
            Err(err) => {
                return Finding::fail(
                    ID,
                    format!("DELETE /Users/{id} failed: {err}"),
                    transport_fix(&err),
                );
            }
            Ok(response) => response,
        };
        if !response.status.is_success() {
            return Finding::fail(
                ID,
                format!(
                    "DELETE /Users/{id} was refused with {}{}",
                    response.status,
                    error_suffix(&body_of(&response))
                ),
                "IdPs delete users this way when they are removed from scope; report this to the platform",
            );
        }
        match self
            .call(Method::GET, &["Users", id], &[], Some(token), None)
            .await
        {
            Ok(gone) if gone.status.as_u16() == 404 => Finding::pass(
                ID,
                format!(
                    "DELETE /Users/{id} answered {} and the user is gone (404)",
                    response.status
                ),
            ),
            Ok(still) => Finding::fail(
                ID,
                format!(
                    "DELETE /Users/{id} answered {} but the user is still returned ({})",
                    response.status, still.status
                ),
                "The platform may only hide deleted users; check its deleted-users list",
            ),
            Err(err) => Finding::warn(
                ID,
                format!(
                    "DELETE /Users/{id} answered {}, but checking that it is gone failed: {err}",
                    response.status
                ),
                "Check in the platform that the probe user is gone",
            ),
        }
    }

    async fn delete_quietly(&mut self, token: &Secret, id: &str) -> bool {
        match self
            .call(Method::DELETE, &["Users", id], &[], Some(token), None)
            .await
        {
            Ok(response) => response.status.is_success() || response.status.as_u16() == 404,
            Err(_) => false,
        }
    }

    async fn find_by_user_name(&mut self, token: &Secret, user_name: &str) -> Vec<String> {
        let filter = format!("userName eq \"{user_name}\"");
        let Ok(response) = self
            .call(
                Method::GET,
                &["Users"],
                &[("filter", filter.as_str())],
                Some(token),
                None,
            )
            .await
        else {
            return Vec::new();
        };
        let Body::Json(doc) = body_of(&response) else {
            return Vec::new();
        };
        doc.get("Resources")
            .and_then(Value::as_array)
            .map(|resources| {
                resources
                    .iter()
                    .filter(|r| {
                        r.get("userName")
                            .and_then(Value::as_str)
                            .is_some_and(|u| u.eq_ignore_ascii_case(user_name))
                    })
                    .filter_map(|r| r.get("id").and_then(Value::as_str).map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Users the write probe created (or may have created) and must remove.
#[derive(Debug, Default)]
struct WriteState {
    created: Vec<String>,
    /// A create answer was lost or had no id: look the name up before finishing.
    maybe_created: bool,
}

// ----- pure judgements of responses -----

fn body_of(response: &Response) -> Body {
    if response.body.iter().all(u8::is_ascii_whitespace) {
        return Body::Empty;
    }
    if response.looks_like_html() {
        return Body::Html;
    }
    match response.json() {
        Ok(value) => Body::Json(value),
        Err(err) => Body::NotJson(format!(
            "{err}; it starts with {:?}",
            snippet(&response.body)
        )),
    }
}

/// A redirect that ended on a web page (a sign-in page, most likely).
fn is_login_redirect(response: &Response) -> bool {
    !response.redirects.is_empty()
        && matches!(
            body_of(response),
            Body::Html | Body::Empty | Body::NotJson(_)
        )
}

/// 2xx and not a web page: the server took the token.
fn is_accepted(response: &Response) -> bool {
    response.status.is_success()
        && !matches!(body_of(response), Body::Html)
        && !is_login_redirect(response)
}

fn is_sendable(token: &Secret) -> bool {
    !token.is_empty() && HeaderValue::from_str(&format!("Bearer {}", token.expose())).is_ok()
}

/// ` (scimType "…": meaning; the server says "…")` for a SCIM error body, else empty.
fn error_suffix(body: &Body) -> String {
    match body {
        Body::Json(doc) => ScimError::parse(doc)
            .map(|e| e.describe())
            .filter(|d| !d.is_empty())
            .map_or_else(String::new, |d| format!(" ({d})")),
        Body::Html => " (a web page)".to_owned(),
        Body::NotJson(_) | Body::Empty => String::new(),
    }
}

fn spc_finding(doc: &Value) -> Finding {
    const ID: &str = "scim.service_provider_config";
    let is_spc = doc
        .get("schemas")
        .and_then(Value::as_array)
        .is_some_and(|s| {
            s.iter()
                .any(|v| v.as_str() == Some(SERVICE_PROVIDER_CONFIG_SCHEMA))
        });
    let supported = |feature: &str| {
        doc.get(feature)
            .and_then(|f| f.get("supported"))
            .and_then(Value::as_bool)
    };
    let features: Vec<String> = ["patch", "filter", "bulk", "sort", "etag"]
        .iter()
        .filter_map(|f| supported(f).map(|s| format!("{f} {}", if s { "yes" } else { "no" })))
        .collect();
    let schemes: Vec<&str> = doc
        .get("authenticationSchemes")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.get("type").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default();
    let mut detail = format!(
        "served without a token; features: {}",
        if features.is_empty() {
            "none listed".to_owned()
        } else {
            features.join(", ")
        }
    );
    if !schemes.is_empty() {
        let _ = write!(detail, "; authentication: {}", schemes.join(", "));
    }
    if !is_spc {
        return Finding::warn(
            ID,
            format!(
                "the JSON at /ServiceProviderConfig does not declare the ServiceProviderConfig schema; {detail}"
            ),
            "Check that the base URL is the SCIM endpoint",
        );
    }
    match (supported("filter"), supported("patch")) {
        (Some(false), _) => Finding::warn(
            ID,
            format!(
                "{detail}. Filtering is declared unsupported, but IdPs look users up with filters before they create them"
            ),
            "Ask the platform whether filtering on userName works (see the connection test check)",
        ),
        (_, Some(false)) => Finding::warn(
            ID,
            format!(
                "{detail}. PATCH is declared unsupported, but IdPs update and deactivate users with PATCH"
            ),
            "Ask the platform how deactivation works without PATCH",
        ),
        _ => Finding::pass(ID, detail),
    }
}

/// The verdict on `GET /Users` without a token, and whether it served data.
fn unauthenticated_finding(response: &Response) -> (Finding, bool) {
    const ID: &str = "scim.unauthenticated_rejected";
    let status = response.status.as_u16();
    if is_login_redirect(response) {
        return (
            Finding::warn(
                ID,
                format!(
                    "without a token, GET /Users was redirected to a web page at {} instead of answering 401",
                    response.final_url
                ),
                "The base URL probably points at the platform's web app rather than its SCIM API",
            ),
            false,
        );
    }
    match (status, body_of(response)) {
        (401, _) => (
            Finding::pass(ID, "GET /Users without a token was refused with 401"),
            false,
        ),
        (403, _) => (
            Finding::pass(
                ID,
                "GET /Users without a token was refused with 403 (401 is the usual answer)",
            ),
            false,
        ),
        (200..=299, Body::Json(doc)) => {
            let count = doc.get("totalResults").and_then(Value::as_u64);
            let what = count.map_or_else(
                || "data".to_owned(),
                |n| {
                    format!(
                        "a user list ({})",
                        crate::diagnostics::words::count(n, "user", "users")
                    )
                },
            );
            (
                Finding::fail(
                    ID,
                    format!(
                        "SECURITY: GET /Users without any token returned {what}. Anyone who can reach this URL can read (and probably change) the user directory"
                    ),
                    "Stop and report this to the platform's security contact now; do not connect an IdP to this endpoint until it refuses requests without a valid token",
                ),
                true,
            )
        }
        (200..=299, Body::Html) => (
            Finding::warn(
                ID,
                "GET /Users without a token returned a web page, not a 401",
                "The base URL probably points at the platform's web app rather than its SCIM API",
            ),
            false,
        ),
        (_, body) => (
            Finding::skip(
                ID,
                format!(
                    "could not tell: GET /Users without a token answered {}{}",
                    response.status,
                    error_suffix(&body)
                ),
            ),
            false,
        ),
    }
}

fn auth_pass(response: &Response, open_users: bool) -> Finding {
    const ID: &str = "scim.auth";
    let total = match body_of(response) {
        Body::Json(doc) => doc.get("totalResults").and_then(Value::as_u64),
        _ => None,
    };
    let users = total.map_or_else(String::new, |n| {
        format!(
            "; the server reports {}",
            crate::diagnostics::words::count(n, "user", "users")
        )
    });
    if open_users {
        Finding::warn(
            ID,
            format!(
                "GET /Users with the token answered {}{users}, but it answers without a token too, so this does not prove the token is valid",
                response.status
            ),
            "Fix the open endpoint first (see scim.unauthenticated_rejected), then test again",
        )
    } else {
        Finding::pass(
            ID,
            format!(
                "GET /Users with the token answered {}{users}",
                response.status
            ),
        )
    }
}

/// Detail and fix for a `GET /Users` with the token that was not accepted.
fn refused(response: &Response, facts: &PlatformFacts) -> (String, String) {
    let status = response.status.as_u16();
    let body = body_of(response);
    if is_login_redirect(response) {
        let hops = response.redirects.len();
        return (
            format!(
                "GET /Users was redirected ({hops} redirect{}) to a web page at {} — a sign-in page, not the SCIM API",
                if hops == 1 { "" } else { "s" },
                response.final_url
            ),
            "Use the SCIM endpoint URL from the platform's provisioning settings, not the address of its web app".to_owned(),
        );
    }
    let server = error_suffix(&body);
    let (detail, fix) = match (status, &body) {
        (200..=299, Body::Html) => (
            format!("GET /Users answered {} with a web page instead of SCIM JSON", response.status),
            "The base URL points at a web page; copy the SCIM endpoint URL from the platform's provisioning settings".to_owned(),
        ),
        (300..=399, _) => (
            format!("GET /Users answered {} without a usable redirect target", response.status),
            "Use the final SCIM endpoint URL; IdPs do not follow redirects when provisioning".to_owned(),
        ),
        (401, _) => {
            let mut fix = "Generate a new token in the platform, paste it into the IdP's secret token field (copy it, do not retype it), and test again".to_owned();
            if let Some(days) = facts.token_lifetime_days.filter(|_| !facts.generic) {
                let _ = write!(fix, ". {} tokens last {days} days, so an older one has probably expired", facts.name);
            }
            if facts.single_active_token && !facts.generic {
                let _ = write!(
                    fix,
                    ". A new token in {} may stop the current one at once, so paste it into the IdP right away",
                    facts.name
                );
            }
            (format!("the token was refused with 401{server}. This usually means {}", status_meaning(401).unwrap_or_default()), fix)
        }
        (403, _) => (
            format!("the token was refused with 403{server}. This usually means {}", status_meaning(403).unwrap_or_default()),
            "Generate a new token with provisioning rights in the platform (regenerating also refreshes its permissions) and paste it into the IdP".to_owned(),
        ),
        (404, _) => {
            let mut fix = "Copy the SCIM base URL again from the platform, for the right environment and tenant".to_owned();
            // The segment before `/Users` is the end of the base URL as the IdP would use it.
            let segments: Vec<&str> = response.final_url.path_segments().map(Iterator::collect).unwrap_or_default();
            let base_end = segments.len().checked_sub(2).and_then(|i| segments.get(i)).copied().unwrap_or_default();
            let is_version = base_end.len() >= 2
                && base_end.starts_with(['v', 'V'])
                && base_end[1..].chars().all(|c| c.is_ascii_digit());
            if !is_version {
                fix.push_str("; most SCIM base URLs end with a version segment such as /v2 or /scim/v2");
            }
            (format!("GET /Users answered 404{server}: the base URL is wrong or points at another environment"), fix)
        }
        (code, _) => (
            format!("GET /Users answered {}{server}{}", response.status, status_meaning(code).map_or_else(String::new, |m| format!(": {m}"))),
            "Check the base URL and the token; if both are right, report the answer to the platform".to_owned(),
        ),
    };
    (detail, fix)
}

/// `scim.entra_test_connection` for the answer to `GET /Users?filter=userName eq "<random>"`:
/// an empty `ListResponse` passes, anything else fails with what Entra would report.
pub fn entra_finding(response: &Response) -> Finding {
    const ID: &str = "scim.entra_test_connection";
    const SAME: &str = "The IdP's connection test would report the same failure";
    let status = response.status.as_u16();
    let body = body_of(response);
    if is_login_redirect(response) {
        return Finding::fail(
            ID,
            format!(
                "the filter request was redirected to a web page at {}. {SAME}",
                response.final_url
            ),
            "Use the SCIM endpoint URL from the platform's provisioning settings",
        );
    }
    match (status, &body) {
        (200, Body::Json(doc)) => {
            let is_list = has_schema(doc, LIST_RESPONSE_SCHEMA);
            let total = doc.get("totalResults").and_then(Value::as_u64);
            let resources = doc
                .get("Resources")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            match (is_list, total) {
                (true, Some(0)) if resources == 0 => Finding::pass(
                    ID,
                    "GET /Users?filter=userName eq \"<random>\" answered 200 with an empty ListResponse, as the IdP's connection test expects",
                ),
                (true, Some(n)) => Finding::fail(
                    ID,
                    format!(
                        "a filter on a userName that cannot exist returned {}: the server ignores the filter",
                        crate::diagnostics::words::count(n, "user", "users")
                    ),
                    "IdPs look users up by filter before creating them; a server that ignores it makes them update the wrong users. Report this to the platform",
                ),
                _ => Finding::fail(
                    ID,
                    format!(
                        "the filter request answered 200 but not with a ListResponse with totalResults. {SAME}"
                    ),
                    "Report this to the platform: list answers must be a SCIM ListResponse",
                ),
            }
        }
        (200..=299, _) => Finding::fail(
            ID,
            format!(
                "the filter request answered {} without SCIM JSON. {SAME}",
                response.status
            ),
            "Check the base URL",
        ),
        (code, _) => {
            let meaning = status_meaning(code)
                .map_or_else(String::new, |m| format!(". This usually means {m}"));
            Finding::fail(
                ID,
                format!(
                    "GET /Users?filter=userName eq \"<random>\" answered {}{}{meaning}. {SAME}",
                    response.status,
                    error_suffix(&body)
                ),
                if code == 400 {
                    "The platform must support filtering on userName; IdPs cannot provision without it. Report this to the platform"
                } else {
                    "Fix the problem the token check reports first; the IdP's connection test then passes too"
                },
            )
        }
    }
}

/// `scim.list_response` for an accepted `GET /Users`: a SCIM `ListResponse` (RFC 7644
/// §3.4.2) with `schemas`, `totalResults` and `Resources`, paged as asked.
pub fn list_response_finding(response: &Response) -> Finding {
    const ID: &str = "scim.list_response";
    let doc = match body_of(response) {
        Body::Json(doc) => doc,
        Body::NotJson(error) => {
            return Finding::fail(
                ID,
                format!(
                    "GET /Users answered {} but the body is not valid JSON: {error}",
                    response.status
                ),
                "The IdP cannot read this answer; report it to the platform",
            );
        }
        Body::Empty => {
            return Finding::fail(
                ID,
                format!("GET /Users answered {} with an empty body", response.status),
                "Report this to the platform",
            );
        }
        Body::Html => {
            return Finding::fail(ID, "GET /Users returned a web page", "Check the base URL");
        }
    };
    let mut problems = Vec::new();
    if doc.is_object() {
        if !has_schema(&doc, LIST_RESPONSE_SCHEMA) {
            problems.push(format!("schemas does not contain {LIST_RESPONSE_SCHEMA}"));
        }
        let total = doc.get("totalResults");
        if !total.is_some_and(Value::is_u64) {
            problems.push("totalResults is missing or not a whole number".to_owned());
        }
        match doc.get("Resources") {
            None if total.and_then(Value::as_u64).unwrap_or(0) > 0 => {
                problems.push("Resources is missing although totalResults is not zero".to_owned());
            }
            Some(resources) if !resources.is_array() => {
                problems.push("Resources is not a list".to_owned());
            }
            _ => {}
        }
    } else {
        problems.push("the body is not a JSON object (a ListResponse is an object with schemas, totalResults and Resources)".to_owned());
    }
    if !problems.is_empty() {
        return Finding::fail(
            ID,
            format!(
                "GET /Users is not a valid SCIM ListResponse: {}",
                problems.join("; ")
            ),
            "IdPs read users from a ListResponse (RFC 7644 §3.4.2); report this to the platform",
        );
    }
    let total = doc.get("totalResults").and_then(Value::as_u64).unwrap_or(0);
    let resources = doc
        .get("Resources")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    if resources.len() > 1 {
        return Finding::warn(
            ID,
            format!(
                "a ListResponse with totalResults {total}, but {} users came back when 1 was asked for: the server ignores count",
                resources.len()
            ),
            "Large directories may then exceed response limits; report paging problems to the platform",
        );
    }
    if let Some(user) = resources.first()
        && (user.get("id").is_none() || user.get("userName").is_none())
    {
        return Finding::warn(
            ID,
            format!(
                "a ListResponse with totalResults {total}, but its first user lacks id or userName"
            ),
            "IdPs match users by id and userName; report this to the platform",
        );
    }
    Finding::pass(
        ID,
        format!("a ListResponse with totalResults {total} and a Resources list"),
    )
}

/// `scim.groups` for the answer to `GET /Groups`: a `ListResponse`, or what the status and
/// SCIM error body say about group support.
pub fn groups_finding(response: &Response) -> Finding {
    const ID: &str = "scim.groups";
    let status = response.status.as_u16();
    let body = body_of(response);
    match (status, &body) {
        (200, Body::Json(doc)) if has_schema(doc, LIST_RESPONSE_SCHEMA) => {
            let total = doc.get("totalResults").and_then(Value::as_u64).unwrap_or(0);
            Finding::pass(
                ID,
                format!("GET /Groups answered 200 with a ListResponse ({total} groups)"),
            )
        }
        (200, _) => Finding::fail(
            ID,
            "GET /Groups answered 200 but not with a SCIM ListResponse",
            "Group push will fail; report this to the platform",
        ),
        (404 | 501, _) => Finding::warn(
            ID,
            format!(
                "GET /Groups answered {}{}: this endpoint does not offer groups",
                response.status,
                error_suffix(&body)
            ),
            "Users can still be provisioned, but groups assigned in the IdP will not arrive; assign users directly, or ask the platform about group support",
        ),
        (401 | 403, _) => Finding::fail(
            ID,
            format!(
                "GET /Groups was refused with {}{} although /Users works with the same token",
                response.status,
                error_suffix(&body)
            ),
            "The token lacks rights on groups; issue a token with full provisioning rights",
        ),
        _ => Finding::fail(
            ID,
            format!(
                "GET /Groups answered {}{}",
                response.status,
                error_suffix(&body)
            ),
            "Users may sync while groups do not; check group provisioning in the IdP and report the answer to the platform",
        ),
    }
}

/// `scim.not_found_error` for the answer to `GET /Users/<unknown id>`: 404 with a SCIM
/// error body (RFC 7644 §3.12) passes.
pub fn not_found_finding(response: &Response) -> Finding {
    const ID: &str = "scim.not_found_error";
    let status = response.status.as_u16();
    let body = body_of(response);
    match (status, &body) {
        (404, Body::Json(doc)) if ScimError::parse(doc).is_some() => Finding::pass(
            ID,
            format!(
                "GET /Users/<unknown id> answered 404 with a SCIM error{}",
                error_suffix(&body)
            ),
        ),
        (404, _) => Finding::warn(
            ID,
            "GET /Users/<unknown id> answered 404, but without a SCIM error body (urn:ietf:params:scim:api:messages:2.0:Error)",
            "IdPs show the error body in their provisioning logs; without it failures are harder to read",
        ),
        (200..=299, _) => Finding::fail(
            ID,
            format!(
                "GET /Users/<unknown id> answered {} instead of 404",
                response.status
            ),
            "IdPs treat a user that exists as one to update; a server that never says 404 breaks clean-up of removed users. Report this to the platform",
        ),
        (400, _) => Finding::warn(
            ID,
            format!(
                "GET /Users/<unknown id> answered 400 instead of 404{}",
                error_suffix(&body)
            ),
            "IdPs expect 404 for a user that no longer exists",
        ),
        _ => Finding::fail(
            ID,
            format!(
                "GET /Users/<unknown id> answered {}{}",
                response.status,
                error_suffix(&body)
            ),
            "IdPs expect 404 with a SCIM error body for a user that no longer exists; report this to the platform",
        ),
    }
}

/// `Ok(entries)` when a discovery endpoint lists `wanted` (by `id` or `name`).
fn discovery_list(response: &Response, wanted: &str) -> Result<usize, String> {
    let status = response.status.as_u16();
    let body = body_of(response);
    let doc = match (status, body) {
        (200, Body::Json(doc)) => doc,
        (200, _) => return Err("answered 200 without JSON".to_owned()),
        (_, body) => {
            return Err(format!(
                "answered {}{}",
                response.status,
                error_suffix(&body)
            ));
        }
    };
    let entries: &[Value] = match &doc {
        Value::Array(items) => items,
        Value::Object(_) => doc
            .get("Resources")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice),
        _ => &[],
    };
    let found = entries.iter().any(|e| {
        [e.get("id"), e.get("name")]
            .into_iter()
            .flatten()
            .any(|v| v.as_str() == Some(wanted))
    });
    if found {
        Ok(entries.len())
    } else {
        Err(format!("does not list {wanted}"))
    }
}

fn has_schema(doc: &Value, schema: &str) -> bool {
    doc.get("schemas")
        .and_then(Value::as_array)
        .is_some_and(|s| s.iter().any(|v| v.as_str() == Some(schema)))
}

// ----- small helpers -----

fn request_label(method: &Method, segments: &[&str], query: &[(&str, &str)]) -> String {
    let mut label = format!("{method} /{}", segments.join("/"));
    if let Some((name, _)) = query.iter().find(|(name, _)| *name == "filter") {
        let _ = write!(label, "?{name}=…");
    }
    label
}

fn is_unreachable(err: &HttpError) -> bool {
    matches!(
        err,
        HttpError::Dns { .. }
            | HttpError::Connect { .. }
            | HttpError::Tls { .. }
            | HttpError::Timeout { .. }
    )
}

fn transport_fix(err: &HttpError) -> String {
    match err {
        HttpError::Timeout { .. } => {
            "The server accepted the connection but did not answer in time; check the URL, any proxy or VPN, and whether the platform is up. IdPs give up on slow endpoints too".to_owned()
        }
        HttpError::BodyTooLarge { .. } => {
            "This is not a SCIM endpoint's answer (far too large); check the base URL".to_owned()
        }
        HttpError::TooManyRedirects { .. } => {
            "The URL leads into a redirect chain, usually a sign-in page; use the SCIM endpoint URL from the platform's provisioning settings".to_owned()
        }
        HttpError::Dns { .. } => "Check the host name in the base URL; from the IdP's side it must resolve publicly".to_owned(),
        HttpError::Connect { .. } => "Check the host and port, and that the platform's SCIM endpoint is reachable from this network".to_owned(),
        HttpError::Tls { .. } => "Fix the certificate problem; IdPs refuse endpoints whose certificate they cannot verify".to_owned(),
        HttpError::InvalidUrl { .. } | HttpError::Other { .. } => "Check the base URL and try again".to_owned(),
    }
}

fn join_sentences(parts: impl Iterator<Item = String>) -> String {
    let sentences: Vec<String> = parts
        .map(|p| {
            let p = p.trim().to_owned();
            if p.ends_with(['.', '!', '?']) {
                p
            } else {
                format!("{p}.")
            }
        })
        .collect();
    sentences.join(" ")
}

/// The start of a body as printable text, for a message.
fn snippet(body: &[u8]) -> String {
    let head = &body[..body.len().min(240)];
    let text: String = String::from_utf8_lossy(head)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    clip(&text, 60)
}

fn clip(text: &str, max_chars: usize) -> String {
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if clean.chars().count() > max_chars {
        format!("{}…", clean.chars().take(max_chars).collect::<String>())
    } else {
        clean
    }
}

fn millis(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}

fn random_bytes<const N: usize>() -> Result<[u8; N], RandomError> {
    let mut bytes = [0u8; N];
    crate::secrets::random(&mut bytes)?;
    Ok(bytes)
}

/// A check that could not run because no random value could be made.
fn random_failed(id: &str, err: &RandomError) -> Finding {
    Finding::fail(
        id,
        format!("The check did not run: {err}"),
        "Run the checks again; if this keeps happening, the computer's random number generator is broken",
    )
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// A random id shaped like a UUID (8-4-4-4-12), which servers that validate ids accept.
fn uuid_like() -> Result<String, RandomError> {
    let h = hex(&random_bytes::<16>()?);
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scim_errors_are_decoded_with_their_meaning() {
        let body = json!({"schemas": [ERROR_SCHEMA], "status": "409", "scimType": "uniqueness", "detail": "taken"});
        let error = ScimError::parse(&body).unwrap();
        assert_eq!(error.scim_type.as_deref(), Some("uniqueness"));
        let text = error.describe();
        assert!(
            text.contains("already taken") && text.contains("the server says \"taken\""),
            "{text}"
        );
        let numeric = json!({"status": 400, "detail": "bad filter"});
        assert_eq!(
            ScimError::parse(&numeric).unwrap().status.as_deref(),
            Some("400")
        );
        assert!(ScimError::parse(&json!({"Resources": []})).is_none());
    }

    #[test]
    fn every_rfc_scim_type_has_a_meaning() {
        for t in [
            "invalidFilter",
            "tooMany",
            "uniqueness",
            "mutability",
            "invalidSyntax",
            "invalidPath",
            "noTarget",
            "invalidValue",
            "invalidVers",
            "sensitive",
        ] {
            assert!(scim_type_meaning(t).is_some(), "{t}");
        }
        assert!(scim_type_meaning("madeUp").is_none());
    }

    #[test]
    fn status_meanings_follow_the_guides() {
        assert!(status_meaning(401).unwrap().contains("expired"));
        assert!(status_meaning(404).unwrap().contains("base URL"));
        assert!(status_meaning(409).unwrap().contains("already exists"));
        assert!(status_meaning(200).is_none());
    }

    #[test]
    fn the_write_plan_names_exactly_what_is_created() {
        let plan = WriteProbePlan::new("ab12cd34ef56");
        assert_eq!(plan.user_name, "ssw-probe-ab12cd34ef56@example.com");
        assert_eq!(plan.user["userName"], plan.user_name);
        assert_eq!(plan.user["emails"][0]["value"], plan.user_name);
        assert_eq!(plan.user["externalId"], "ssw-probe-ab12cd34ef56");
        let text = plan.describe().join("\n");
        assert!(
            text.contains(&plan.user_name) && text.contains("deleted"),
            "{text}"
        );
        // Hostile characters in a probe id never reach the name.
        assert_eq!(
            WriteProbePlan::new("a\"b/c").user_name,
            "ssw-probe-abc@example.com"
        );
    }

    #[test]
    fn probe_ids_are_random_hex() {
        let a = new_probe_id().unwrap();
        assert_eq!(a.len(), 12);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, new_probe_id().unwrap());
        let u = uuid_like().unwrap();
        assert_eq!(
            u.split('-').map(str::len).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        // No fall-back to time-derived bytes when the generator fails (issue #16 item 11).
        crate::secrets::test_rng::with_failing_rng(|| {
            assert!(new_probe_id().is_err());
            assert!(uuid_like().is_err());
        });
    }

    #[test]
    fn snippets_are_short_and_printable() {
        let s = snippet(b"{\"a\":\n\x07 1, \"b\": \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"");
        assert!(
            s.ends_with('…') && !s.contains('\n') && !s.contains('\u{7}'),
            "{s}"
        );
    }

    #[test]
    fn unsendable_tokens_are_recognised() {
        assert!(is_sendable(&Secret::new("abcdefghijklmnopqrstuvwxyz")));
        assert!(!is_sendable(&Secret::new("abcdefghijklmnopqrstuvwxyz\n")));
        assert!(!is_sendable(&Secret::new("")));
    }
}

//! The replay engine: sends a catalog's steps in order on uniquely named probe users and
//! groups, judges each answer into a [`Finding`], and always cleans up.
//!
//! Every request goes through [`crate::probes::http`] (the policy's timeout and size cap,
//! credentials only to the entered origin). Server text is redacted of the token before it
//! is parsed, quoted or shortened. A create that fails skips the steps that need its id;
//! a server that stops answering skips the rest; the clean-up then deletes by id whatever
//! was created, within its own bound, and names what it could not remove.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::Value;
use url::Url;

use super::catalog::{self, Auth, Idp, Kind, Replay, Step};
use crate::diagnostics::text::Redactor;
use crate::diagnostics::{Finding, Report, ReportKind, Status};
use crate::model::PlatformId;
use crate::probes::http::{Client, HttpError, Policy, Request, Response};
use crate::probes::scim::{ACCEPT, scim_request, uuid_like};
use crate::probes::scim::{
    ERROR_SCHEMA, LIST_RESPONSE_SCHEMA, PROBE_EMAIL_DOMAIN, PROBE_USER_PREFIX, ScimError,
};
use crate::secrets::{RandomError, Secret};

/// The token sent by steps that check a wrong token is refused (not a secret).
pub const WRONG_TOKEN: &str = "ssw-replay-wrong-token-0000000000";
/// Longest server text quoted in a finding.
const QUOTE_CHARS: usize = 200;

/// What to replay, where.
#[derive(Clone, Debug)]
pub struct ReplayInput {
    /// The SCIM base URL as the admin typed it.
    pub base_url: String,
    /// The bearer token.
    pub token: Secret,
    /// The platform, for its expectations.
    pub platform: PlatformId,
    /// Whose provisioning to replay.
    pub idp: Idp,
    /// The random part of the probe names, as shown in the consent dialog; `None` picks one.
    pub probe_id: Option<String>,
}

/// Exactly what a replay creates, for the consent dialog and for the run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplayPlan {
    /// Whose replay.
    pub idp: Idp,
    /// The random part of the names (letters and digits).
    pub probe_id: String,
    /// The generated values by placeholder name.
    pub names: Vec<(String, String)>,
}

impl ReplayPlan {
    /// The plan for `idp` with `probe_id` (see [`crate::probes::scim::new_probe_id`]).
    pub fn new(idp: Idp, probe_id: &str) -> Result<Self, RandomError> {
        let run: String = probe_id
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(32)
            .collect::<String>()
            .to_ascii_lowercase();
        let base = format!("{PROBE_USER_PREFIX}{run}");
        let user_name = format!("{base}@{PROBE_EMAIL_DOMAIN}");
        let names = vec![
            ("run", run.clone()),
            ("user_name_upper", user_name.to_ascii_uppercase()),
            ("user_name", user_name),
            ("user_name_alt", format!("{base}-alt@{PROBE_EMAIL_DOMAIN}")),
            ("user_external_id", base.clone()),
            ("second_user_name", format!("{base}-2@{PROBE_EMAIL_DOMAIN}")),
            ("second_external_id", format!("{base}-2")),
            ("group_name", format!("{base}-group")),
            ("group_renamed", format!("{base}-group-renamed")),
            ("group_external_id", format!("{base}-group")),
            ("second_group_name", format!("{base}-group-2")),
            (
                "random_name",
                format!("{PROBE_USER_PREFIX}{}", uuid_like()?),
            ),
            ("unknown_id", uuid_like()?),
        ];
        Ok(Self {
            idp,
            probe_id: run,
            names: names.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        })
    }

    /// A generated value.
    pub fn name(&self, key: &str) -> Option<&str> {
        self.names
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The consent text: what is created, what is done, that it is all deleted again.
    pub fn describe(&self) -> Vec<String> {
        let replay = catalog::catalog().replay(self.idp);
        let mut users = Vec::new();
        let mut groups = Vec::new();
        for step in &replay.steps {
            let name = |key: &str| self.name(key).unwrap_or_default().to_owned();
            match step.creates {
                Some(Kind::User) => {
                    let n = if step
                        .body
                        .as_deref()
                        .is_some_and(|b| b.contains("{second_user_name}"))
                    {
                        name("second_user_name")
                    } else {
                        name("user_name")
                    };
                    if !users.contains(&n) {
                        users.push(n);
                    }
                }
                Some(Kind::Group) => {
                    let n = if step
                        .body
                        .as_deref()
                        .is_some_and(|b| b.contains("{second_group_name}"))
                    {
                        name("second_group_name")
                    } else {
                        name("group_name")
                    };
                    if !groups.contains(&n) {
                        groups.push(n);
                    }
                }
                None => {}
            }
        }
        let mut lines = vec![format!(
            "Sends the {} requests {} sends, in its order ({}).",
            replay.steps.len(),
            replay.name,
            replay.summary.trim_end_matches('.')
        )];
        if !users.is_empty() {
            lines.push(format!(
                "Creates {} test user(s): {} (example.com addresses, never delivered).",
                users.len(),
                users.join(", ")
            ));
        }
        if !groups.is_empty() {
            lines.push(format!(
                "Creates {} test group(s): {} (renamed to {} on the way).",
                groups.len(),
                groups.join(", "),
                self.name("group_renamed").unwrap_or_default()
            ));
        }
        lines.push(
            "Changes, deactivates and adds the test users to the test group as the IdP would."
                .to_owned(),
        );
        lines.push("Everything it creates is deleted at the end, even when a step fails; anything that cannot be deleted is listed by id so you can remove it by hand.".to_owned());
        lines.push("The platform may count, log or announce the test users (for example a welcome email that is never delivered).".to_owned());
        lines
    }
}

/// A check on an answer, parsed from the catalog's words.
#[derive(Clone, Debug, PartialEq)]
pub enum Check {
    /// `count == N`: the list has N results (`totalResults`, and that many resources).
    Count(u64),
    /// `page <= N`: at most N resources in the page.
    PageAtMost(u64),
    /// `startIndex == N`.
    StartIndex(u64),
    /// `list`: a SCIM `ListResponse`.
    List,
    /// `error schema`: a SCIM Error body.
    ErrorSchema,
    /// `has X`: a resource with id X is in the list.
    Has(String),
    /// `lacks X`: no resource with id X is in the list.
    Lacks(String),
    /// `first != X`: the first resource's id is not X.
    FirstIsNot(String),
    /// `/pointer == <JSON>`.
    Equals(String, Value),
    /// `/pointer contains X`: a `{value: X}` entry (members, manager) is there.
    Contains(String, String),
    /// `/pointer lacks X`: no `{value: X}` entry is there.
    LacksValue(String, String),
}

impl Check {
    /// Parses one check; the error says what is wrong.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let number = |rest: &str| {
            rest.trim()
                .parse::<u64>()
                .map_err(|_| format!("check {text:?}: expected a number"))
        };
        if let Some(rest) = text.strip_prefix("count ==") {
            return Ok(Self::Count(number(rest)?));
        }
        if let Some(rest) = text.strip_prefix("page <=") {
            return Ok(Self::PageAtMost(number(rest)?));
        }
        if let Some(rest) = text.strip_prefix("startIndex ==") {
            return Ok(Self::StartIndex(number(rest)?));
        }
        if text == "list" {
            return Ok(Self::List);
        }
        if text == "error schema" {
            return Ok(Self::ErrorSchema);
        }
        if let Some(rest) = text.strip_prefix("has ") {
            return Ok(Self::Has(rest.trim().to_owned()));
        }
        if let Some(rest) = text.strip_prefix("lacks ") {
            return Ok(Self::Lacks(rest.trim().to_owned()));
        }
        if let Some(rest) = text.strip_prefix("first != ") {
            return Ok(Self::FirstIsNot(rest.trim().to_owned()));
        }
        if text.starts_with('/') {
            if let Some((pointer, literal)) = text.split_once(" == ") {
                let value = serde_json::from_str(literal.trim())
                    .map_err(|e| format!("check {text:?}: the value is not JSON ({e})"))?;
                return Ok(Self::Equals(pointer.trim().to_owned(), value));
            }
            if let Some((pointer, id)) = text.split_once(" contains ") {
                return Ok(Self::Contains(
                    pointer.trim().to_owned(),
                    id.trim().to_owned(),
                ));
            }
            if let Some((pointer, id)) = text.split_once(" lacks ") {
                return Ok(Self::LacksValue(
                    pointer.trim().to_owned(),
                    id.trim().to_owned(),
                ));
            }
        }
        Err(format!("check {text:?} is not one the replay knows"))
    }

    /// `Err(what came back instead)` when `doc` fails the check.
    #[expect(clippy::too_many_lines, reason = "one arm per check, each short")]
    pub fn judge(&self, doc: Option<&Value>) -> Result<(), String> {
        let Some(doc) = doc else {
            return Err("the answer had no JSON body".to_owned());
        };
        let resources = || {
            doc.get("Resources")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        };
        let ids = || -> Vec<String> {
            resources()
                .iter()
                .filter_map(|r| r.get("id").and_then(Value::as_str).map(str::to_owned))
                .collect()
        };
        let number = |key: &str| doc.get(key).and_then(Value::as_u64);
        match self {
            Self::Count(want) => {
                let total = number("totalResults");
                let listed = resources().len() as u64;
                if total == Some(*want) && listed == *want {
                    Ok(())
                } else {
                    Err(format!(
                        "expected {want} result(s), got totalResults {} with {listed} resource(s)",
                        total.map_or_else(|| "missing".to_owned(), |t| t.to_string())
                    ))
                }
            }
            Self::PageAtMost(max) => {
                let listed = resources().len() as u64;
                if listed <= *max {
                    Ok(())
                } else {
                    Err(format!(
                        "asked for at most {max} per page, got {listed} resources (itemsPerPage {}, startIndex {}): the paging parameters were ignored",
                        number("itemsPerPage")
                            .map_or_else(|| "missing".to_owned(), |n| n.to_string()),
                        number("startIndex")
                            .map_or_else(|| "missing".to_owned(), |n| n.to_string())
                    ))
                }
            }
            Self::StartIndex(want) => match number("startIndex") {
                Some(got) if got == *want => Ok(()),
                got => Err(format!(
                    "asked for startIndex {want}, the answer says startIndex {}",
                    got.map_or_else(|| "missing".to_owned(), |n| n.to_string())
                )),
            },
            Self::List => {
                if has_schema(doc, LIST_RESPONSE_SCHEMA) {
                    Ok(())
                } else {
                    Err("the answer is not a SCIM ListResponse (its schemas lack the ListResponse URN)".to_owned())
                }
            }
            Self::ErrorSchema => {
                if has_schema(doc, ERROR_SCHEMA) {
                    Ok(())
                } else {
                    Err("the error body does not carry the SCIM Error schema".to_owned())
                }
            }
            Self::Has(id) => {
                if ids().iter().any(|i| i == id) {
                    Ok(())
                } else {
                    Err(format!("the list does not contain {id}"))
                }
            }
            Self::Lacks(id) => {
                if ids().iter().any(|i| i == id) {
                    Err(format!("the list still contains {id}"))
                } else {
                    Ok(())
                }
            }
            Self::FirstIsNot(id) => match ids().first() {
                Some(first) if first == id => Err(format!(
                    "the page starts with {id} again: the server returned the same page for a later startIndex"
                )),
                _ => Ok(()),
            },
            Self::Equals(pointer, want) => {
                let got = doc.pointer(pointer);
                if got == Some(want) {
                    Ok(())
                } else {
                    Err(format!(
                        "{pointer} reads {} instead of {want}",
                        got.map_or_else(|| "nothing".to_owned(), Value::to_string)
                    ))
                }
            }
            Self::Contains(pointer, id) => {
                if values_at(doc, pointer).iter().any(|v| v == id) {
                    Ok(())
                } else {
                    Err(format!("{pointer} does not include {id}"))
                }
            }
            Self::LacksValue(pointer, id) => {
                if values_at(doc, pointer).iter().any(|v| v == id) {
                    Err(format!("{pointer} still includes {id}"))
                } else {
                    Ok(())
                }
            }
        }
    }
}

fn has_schema(doc: &Value, schema: &str) -> bool {
    doc.get("schemas")
        .and_then(Value::as_array)
        .is_some_and(|s| s.iter().any(|v| v.as_str() == Some(schema)))
}

/// The `value`s at a pointer: an array of `{value}` objects, one object, or a string.
fn values_at(doc: &Value, pointer: &str) -> Vec<String> {
    let one = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o.get("value").and_then(Value::as_str).map(str::to_owned),
        _ => None,
    };
    match doc.pointer(pointer) {
        Some(Value::Array(items)) => items.iter().filter_map(one).collect(),
        Some(other) => one(other).into_iter().collect(),
        None => Vec::new(),
    }
}

/// Something the replay created (or may have) and the clean-up must remove.
#[derive(Clone, Debug)]
struct Created {
    kind: Kind,
    /// The id; `None` when the server answered without one (then `name` finds it).
    id: Option<String>,
    /// The userName or displayName it was created with.
    name: String,
    removed: bool,
}

/// One replay run.
struct Run<'a> {
    replay: &'a Replay,
    client: Client,
    base: Url,
    token: Secret,
    redactor: Redactor,
    values: HashMap<String, String>,
    /// Which step captures each name, for skip reasons.
    captured_by: HashMap<String, String>,
    created: Vec<Created>,
    findings: Vec<Finding>,
    /// Set when the server stopped answering: the remaining steps are skipped.
    stopped: Option<String>,
    progress: &'a (dyn Fn(&Finding) + Send + Sync),
    policy: Policy,
}

/// Runs the replay of `input.idp` and returns its report; `progress` sees each finding as
/// it is made. Never panics on what a server sends; the clean-up always runs.
pub async fn replay(
    input: &ReplayInput,
    policy: Policy,
    progress: &(dyn Fn(&Finding) + Send + Sync),
) -> Report {
    let replay = catalog::catalog().replay(input.idp);
    let target = input.base_url.trim().to_owned();
    let plan = match input
        .probe_id
        .clone()
        .map_or_else(crate::probes::scim::new_probe_id, Ok)
        .and_then(|id| ReplayPlan::new(input.idp, &id))
    {
        Ok(plan) => plan,
        Err(err) => {
            return refused(
                replay,
                &target,
                &format!("no probe names could be made: {err}"),
                "Run it again; if this keeps happening, the computer's random number generator is broken",
                progress,
            );
        }
    };
    let base = match crate::probes::http::parse_url(&target) {
        Ok(url) => url,
        Err(err) => {
            return refused(
                replay,
                &target,
                &err.to_string(),
                "Enter the SCIM base URL the IdP is given, starting with https://",
                progress,
            );
        }
    };
    if let Some(refusal) = crate::probes::http::credential_blocker(&base) {
        return refused(
            replay,
            &target,
            &format!(
                "{} No request was sent, so the token did not leave this computer.",
                refusal.message("the SCIM token")
            ),
            &refusal.fix(),
            progress,
        );
    }
    let client = match Client::new(policy) {
        Ok(client) => client,
        Err(err) => {
            return refused(
                replay,
                &target,
                &err.to_string(),
                "The HTTP client could not be set up on this computer",
                progress,
            );
        }
    };
    let mut redactor = Redactor::new("[token removed]");
    redactor.add(input.token.expose(), None);
    let mut base = base;
    let trimmed = base.path().trim_end_matches('/').to_owned();
    base.set_path(&trimmed);
    let mut run = Run {
        replay,
        client,
        base,
        token: input.token.clone(),
        redactor,
        values: plan.names.iter().cloned().collect(),
        captured_by: HashMap::new(),
        created: Vec::new(),
        findings: Vec::new(),
        stopped: None,
        progress,
        policy,
    };
    for step in &replay.steps {
        let finding = run.step(step).await;
        run.emit(finding);
    }
    let cleanup = run.clean_up().await;
    run.emit(cleanup);
    run.platform_notes(input.platform);
    Report::new(ReportKind::Scim, target, run.findings)
}

/// A report whose every step is skipped because nothing could be sent.
fn refused(
    replay: &Replay,
    target: &str,
    why: &str,
    fix: &str,
    progress: &(dyn Fn(&Finding) + Send + Sync),
) -> Report {
    let mut findings = Vec::new();
    for (n, step) in replay.steps.iter().enumerate() {
        let mut finding = if n == 0 {
            Finding::fail(&replay.check_id(step), why, fix)
        } else {
            Finding::skip(
                &replay.check_id(step),
                "nothing was sent (see the first step)",
            )
        };
        step.title.clone_into(&mut finding.title);
        progress(&finding);
        findings.push(finding);
    }
    Report::new(ReportKind::Scim, target, findings)
}

impl Run<'_> {
    fn emit(&mut self, mut finding: Finding) {
        finding.detail = self.redactor.redact(&finding.detail);
        finding.fix = self.redactor.redact(&finding.fix);
        (self.progress)(&finding);
        self.findings.push(finding);
    }

    fn value(&self, name: &str) -> Option<String> {
        self.values.get(name).cloned()
    }

    fn fill(&self, text: &str) -> String {
        catalog::fill(text, &|name| self.value(name))
    }

    fn url(&self, path: &str, query: &[(String, String)]) -> Option<Url> {
        let mut url = self.base.clone();
        let filled = self.fill(path);
        let mut segments: Vec<&str> = filled.split('/').filter(|s| !s.is_empty()).collect();
        {
            let mut out = url.path_segments_mut().ok()?;
            out.pop_if_empty();
            out.extend(segments.drain(..));
        }
        if !query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in query {
                pairs.append_pair(&self.fill(name), &self.fill(value));
            }
        }
        Some(url)
    }

    /// Sends one request under the policy; the body comes back redacted.
    async fn send(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
        auth: Auth,
    ) -> Result<Response, HttpError> {
        let mut request = scim_request(method, url, body);
        request = request.bearer(match auth {
            Auth::Token => self.token.clone(),
            Auth::Wrong => Secret::new(WRONG_TOKEN.to_owned()),
        });
        let mut result = self.client.send(request).await;
        if let Ok(response) = &mut result
            && let Ok(text) = std::str::from_utf8(&response.body)
        {
            let redacted = self.redactor.redact(text);
            if redacted != text {
                response.body = redacted.into_bytes();
            }
        }
        result
    }

    /// What came back, in a few words: status, SCIM error or the start of the body.
    fn came_back(&self, response: &Response) -> String {
        let mut out = response.status.to_string();
        let text = String::from_utf8_lossy(&response.body);
        if let Ok(doc) = serde_json::from_str::<Value>(&text) {
            if let Some(error) = ScimError::parse(&doc) {
                let described = error.describe();
                if !described.is_empty() {
                    let _ = write!(
                        out,
                        " ({})",
                        self.redactor
                            .redact_then_shorten(&described, QUOTE_CHARS + 60)
                    );
                }
            }
        } else if !text.trim().is_empty() {
            let _ = write!(
                out,
                " with a non-JSON body {:?}",
                self.redactor.redact_then_shorten(text.trim(), 80)
            );
        }
        out
    }

    fn step_fail(&self, step: &Step, detail: String) -> Finding {
        let mut fix = step.fix.trim().trim_end_matches('.').to_owned();
        let mode = step.entra_mode.matters_for();
        if self.replay.idp == "entra" && !mode.is_empty() {
            let _ = write!(fix, ". {mode}");
        }
        let mut finding = Finding::fail(&self.replay.check_id(step), detail, fix);
        step.title.clone_into(&mut finding.title);
        finding
    }

    fn sends(&self, step: &Step, method: &Method, url: &Url) -> String {
        let path = url
            .path()
            .strip_prefix(self.base.path())
            .unwrap_or(url.path());
        let pairs: Vec<String> = url.query_pairs().map(|(k, v)| format!("{k}={v}")).collect();
        let query = if pairs.is_empty() {
            String::new()
        } else {
            format!("?{}", pairs.join("&"))
        };
        format!(
            "{} sends {method} {path}{query}: {}",
            self.replay.name,
            step.sends.trim_end_matches('.')
        )
    }

    #[expect(
        clippy::too_many_lines,
        reason = "one step from skip through send, capture, checks and read-back, in order"
    )]
    async fn step(&mut self, step: &Step) -> Finding {
        let id = self.replay.check_id(step);
        let started = Instant::now();
        let skip = |reason: String| {
            let mut finding = Finding::skip(&id, reason);
            step.title.clone_into(&mut finding.title);
            finding
        };
        if let Some(why) = &self.stopped {
            return skip(format!("not sent: {why}"));
        }
        let produced: Vec<String> = step
            .capture
            .iter()
            .chain(&step.capture_first)
            .cloned()
            .collect();
        if let Some(missing) = step
            .placeholders()
            .into_iter()
            .find(|name| !produced.contains(name) && !self.values.contains_key(name))
        {
            let by = self
                .captured_by
                .get(&missing)
                .cloned()
                .unwrap_or_else(|| "an earlier step".to_owned());
            return skip(format!(
                "not sent: it needs the id that step {by} should have returned ({missing}), and that step did not produce one"
            ));
        }
        for name in &produced {
            self.captured_by.insert(name.clone(), step.id.clone());
        }
        let method = Method::from_bytes(step.method.as_bytes()).unwrap_or(Method::GET);
        let Some(url) = self.url(&step.path, &step.query) else {
            return skip("not sent: the base URL cannot take a path".to_owned());
        };
        let body = match step
            .body
            .as_deref()
            .map(|b| serde_json::from_str::<Value>(&self.fill(b)))
        {
            None => None,
            Some(Ok(body)) => Some(body),
            Some(Err(err)) => {
                return skip(format!(
                    "not sent: the catalog's body did not fill in ({err})"
                ));
            }
        };
        let sends = self.sends(step, &method, &url);
        let created_name = body.as_ref().and_then(|b| {
            b.get("userName")
                .or_else(|| b.get("displayName"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
        let result = self
            .send(method.clone(), url, body.as_ref(), step.auth)
            .await;
        let response = match result {
            Ok(response) => response,
            Err(err) => {
                if let (Some(kind), Some(name)) = (step.creates, created_name) {
                    // The answer was lost: the object may exist; the clean-up looks for it.
                    self.created.push(Created {
                        kind,
                        id: None,
                        name,
                        removed: false,
                    });
                }
                if matches!(err, HttpError::Timeout { .. } | HttpError::Connect { .. }) {
                    self.stopped = Some(format!(
                        "the server stopped answering at step {} ({})",
                        step.id,
                        err.kind()
                    ));
                }
                return self
                    .step_fail(step, format!("{sends}. No answer came back: {err}."))
                    .with_duration_ms(millis(started));
            }
        };
        let status = response.status.as_u16();
        let doc: Option<Value> = serde_json::from_slice(&response.body).ok();
        let came_back = self.came_back(&response);
        if let Some(kind) = step.creates
            && response.status.is_success()
        {
            let new_id = doc
                .as_ref()
                .and_then(|d| d.get("id"))
                .and_then(Value::as_str)
                .map(str::to_owned);
            self.created.push(Created {
                kind,
                id: new_id.clone(),
                name: created_name.clone().unwrap_or_default(),
                removed: false,
            });
            if new_id.is_none() {
                return self
                    .step_fail(step, format!("{sends}. What came back: {came_back}, but without the new object's id, which the IdP keeps to update it later."))
                    .with_duration_ms(millis(started));
            }
        }
        if let Some(name) = &step.capture
            && let Some(value) = doc
                .as_ref()
                .and_then(|d| d.get("id"))
                .and_then(Value::as_str)
            && step.status.contains(&status)
        {
            self.values.insert(name.clone(), value.to_owned());
        }
        if let Some(name) = &step.capture_first
            && let Some(value) = doc
                .as_ref()
                .and_then(|d| d.pointer("/Resources/0/id"))
                .and_then(Value::as_str)
        {
            self.values.insert(name.clone(), value.to_owned());
        }
        if let Some(removes) = &step.removes
            && (response.status.is_success() || status == 404)
        {
            let gone = self.fill(removes);
            for object in &mut self.created {
                if object.id.as_deref() == Some(gone.as_str()) {
                    object.removed = true;
                }
            }
        }
        if !step.status.contains(&status) {
            let want: Vec<String> = step.status.iter().map(u16::to_string).collect();
            return self
                .step_fail(
                    step,
                    format!(
                        "{sends}. It needs {} back; what came back: {came_back}.",
                        want.join(" or ")
                    ),
                )
                .with_duration_ms(millis(started));
        }
        for check in &step.checks {
            let check = match Check::parse(&self.fill(check)) {
                Ok(check) => check,
                Err(err) => return skip(format!("not judged: {err}")),
            };
            if let Err(problem) = check.judge(doc.as_ref()) {
                return self
                    .step_fail(
                        step,
                        format!("{sends}. What came back: {came_back}, but {problem}."),
                    )
                    .with_duration_ms(millis(started));
            }
        }
        let mut detail = format!("{sends}. What came back: {came_back}");
        if let Some(verify) = &step.verify {
            let Some(url) = self.url(&verify.path, &[]) else {
                return skip("not judged: the base URL cannot take a path".to_owned());
            };
            match self.send(Method::GET, url, None, Auth::Token).await {
                Err(err) => {
                    return self
                        .step_fail(
                            step,
                            format!("{detail}; reading it back to confirm failed: {err}."),
                        )
                        .with_duration_ms(millis(started));
                }
                Ok(read) => {
                    let read_doc: Option<Value> = serde_json::from_slice(&read.body).ok();
                    if !verify.status.contains(&read.status.as_u16()) {
                        return self
                            .step_fail(step, format!("{detail}; reading it back answered {}, so the change did not take effect.", self.came_back(&read)))
                            .with_duration_ms(millis(started));
                    }
                    for check in &verify.checks {
                        let Ok(check) = Check::parse(&self.fill(check)) else {
                            continue;
                        };
                        if let Err(problem) = check.judge(read_doc.as_ref()) {
                            return self
                                .step_fail(step, format!("{detail}, but reading it back shows the change did not take effect: {problem}."))
                                .with_duration_ms(millis(started));
                        }
                    }
                    if verify.status.contains(&404) {
                        detail.push_str(", and reading it back answers 404: it is gone");
                    } else {
                        detail.push_str(", and reading it back confirms the change");
                    }
                }
            }
        }
        detail.push('.');
        let mut finding = Finding::pass(&id, detail);
        step.title.clone_into(&mut finding.title);
        finding.with_duration_ms(millis(started))
    }

    /// Deletes everything still there, groups first, within twice the request timeout.
    async fn clean_up(&mut self) -> Finding {
        let id = self.replay.cleanup_id();
        let started = Instant::now();
        let budget = self.policy.timeout * 2 + Duration::from_secs(1);
        let deadline = tokio::time::Instant::now() + budget;
        // Objects created without an id in the answer (or whose answer was lost): look
        // them up by name, once, within the budget.
        let mut unknown: Vec<String> = Vec::new();
        for n in 0..self.created.len() {
            if self.created[n].id.is_some() || self.created[n].removed {
                continue;
            }
            let (kind, name) = (self.created[n].kind, self.created[n].name.clone());
            let found = tokio::time::timeout_at(deadline, self.find_by_name(kind, &name))
                .await
                .ok()
                .flatten();
            match found {
                Some(ids) if ids.is_empty() => self.created[n].removed = true,
                Some(ids) => {
                    let mut ids = ids.into_iter();
                    self.created[n].id = ids.next();
                    for extra in ids {
                        self.created.push(Created {
                            kind,
                            id: Some(extra),
                            name: name.clone(),
                            removed: false,
                        });
                    }
                }
                None => unknown.push(format!("{} {name}", kind_word(kind))),
            }
        }
        let mut removed = Vec::new();
        let mut left = Vec::new();
        for kind in [Kind::Group, Kind::User] {
            let mut tasks = tokio::task::JoinSet::new();
            for object in self.created.iter().filter(|o| o.kind == kind && !o.removed) {
                let Some(object_id) = object.id.clone() else {
                    continue;
                };
                let segment = match kind {
                    Kind::User => "Users",
                    Kind::Group => "Groups",
                };
                let Some(url) = self.url(&format!("/{segment}/{object_id}"), &[]) else {
                    continue;
                };
                let mut request = Request::get(url).accept(ACCEPT).bearer(self.token.clone());
                request.method = Method::DELETE;
                let client = self.client.clone();
                let label = format!("{} {object_id} ({})", kind_word(kind), object.name);
                left.push(label.clone());
                tasks.spawn(async move {
                    let ok = client
                        .send(request)
                        .await
                        .is_ok_and(|r| r.status.is_success() || r.status.as_u16() == 404);
                    (label, ok)
                });
            }
            while let Ok(Some(joined)) = tokio::time::timeout_at(deadline, tasks.join_next()).await
            {
                if let Ok((label, true)) = joined {
                    left.retain(|l| *l != label);
                    removed.push(label);
                }
            }
            tasks.abort_all();
        }
        left.extend(unknown);
        let elapsed = millis(started);
        let mut finding = if left.is_empty() {
            let detail = if removed.is_empty() {
                "Nothing the replay created was left to delete.".to_owned()
            } else {
                format!(
                    "Deleted what the replay created and the IdP's own steps had not removed: {}.",
                    removed.join(", ")
                )
            };
            Finding::pass(&id, detail)
        } else {
            let mut detail = format!("Left behind on the server: {}.", left.join(", "));
            if !removed.is_empty() {
                let _ = write!(detail, " Deleted: {}.", removed.join(", "));
            }
            Finding::fail(
                &id,
                detail,
                format!(
                    "Delete these test objects in the platform's admin console (they all start with {PROBE_USER_PREFIX}{})",
                    self.value("run").unwrap_or_default()
                ),
            )
        };
        "Clean-up removed everything the replay created".clone_into(&mut finding.title);
        finding.with_duration_ms(elapsed)
    }

    /// The ids of the objects named `name`; `None` when the lookup failed.
    async fn find_by_name(&self, kind: Kind, name: &str) -> Option<Vec<String>> {
        let (segment, attribute) = match kind {
            Kind::User => ("/Users", "userName"),
            Kind::Group => ("/Groups", "displayName"),
        };
        let query = vec![("filter".to_owned(), format!("{attribute} eq \"{name}\""))];
        let url = self.url(segment, &query)?;
        let response = self.send(Method::GET, url, None, Auth::Token).await.ok()?;
        if !response.status.is_success() {
            return None;
        }
        let doc: Value = serde_json::from_slice(&response.body).ok()?;
        let resources = doc.get("Resources").and_then(Value::as_array)?;
        Some(
            resources
                .iter()
                .filter(|r| {
                    r.get(attribute)
                        .and_then(Value::as_str)
                        .is_some_and(|n| n.eq_ignore_ascii_case(name))
                })
                .filter_map(|r| r.get("id").and_then(Value::as_str).map(str::to_owned))
                .collect(),
        )
    }

    /// The platform's expectations: one warning each, and a note on the steps they explain.
    fn platform_notes(&mut self, platform: PlatformId) {
        let expectations = catalog::catalog().expectations(platform);
        if expectations.is_empty() {
            return;
        }
        let platform_name = crate::catalog::catalog().platform(platform).name.clone();
        for expectation in expectations {
            for finding in &mut self.findings {
                let step = finding.id.rsplit('.').next().unwrap_or_default().to_owned();
                if finding.status == Status::Fail && expectation.steps.contains(&step) {
                    finding.fix = format!(
                        "{}. {platform_name} documents this: it expects {}",
                        finding.fix.trim_end_matches('.'),
                        expectation.expects.trim()
                    );
                }
            }
            let id = format!("scim.replay.{}.expects_{}", self.replay.idp, expectation.id);
            let mut finding = Finding::warn(
                &id,
                format!("{platform_name} expects: {}", expectation.expects.trim()),
                format!("In {}: {}", self.replay.name, expectation.mapping.trim()),
            );
            format!(
                "{platform_name} expectation: {}",
                expectation.id.replace('_', " ")
            )
            .clone_into(&mut finding.title);
            self.emit(finding);
        }
    }
}

fn kind_word(kind: Kind) -> &'static str {
    match kind {
        Kind::User => "user",
        Kind::Group => "group",
    }
}

fn millis(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn checks_parse_and_judge() {
        let list = json!({"schemas": [LIST_RESPONSE_SCHEMA], "totalResults": 3, "startIndex": 1, "itemsPerPage": 20,
            "Resources": [{"id": "a"}, {"id": "b"}, {"id": "c"}]});
        assert!(
            Check::parse("count == 3")
                .unwrap()
                .judge(Some(&list))
                .is_ok()
        );
        assert!(
            Check::parse("count == 1")
                .unwrap()
                .judge(Some(&list))
                .is_err()
        );
        let err = Check::parse("page <= 1")
            .unwrap()
            .judge(Some(&list))
            .unwrap_err();
        assert!(err.contains("ignored"), "{err}");
        assert!(
            Check::parse("startIndex == 2")
                .unwrap()
                .judge(Some(&list))
                .is_err()
        );
        assert!(Check::parse("has b").unwrap().judge(Some(&list)).is_ok());
        assert!(Check::parse("lacks b").unwrap().judge(Some(&list)).is_err());
        assert!(
            Check::parse("first != a")
                .unwrap()
                .judge(Some(&list))
                .is_err()
        );
        assert!(Check::parse("list").unwrap().judge(Some(&list)).is_ok());
        assert!(
            Check::parse("error schema")
                .unwrap()
                .judge(Some(&list))
                .is_err()
        );
        let group = json!({"displayName": "g", "members": [{"value": "u1"}], "active": false});
        assert!(
            Check::parse("/displayName == \"g\"")
                .unwrap()
                .judge(Some(&group))
                .is_ok()
        );
        assert!(
            Check::parse("/active == false")
                .unwrap()
                .judge(Some(&group))
                .is_ok()
        );
        assert!(
            Check::parse("/members contains u1")
                .unwrap()
                .judge(Some(&group))
                .is_ok()
        );
        assert!(
            Check::parse("/members lacks u1")
                .unwrap()
                .judge(Some(&group))
                .is_err()
        );
        assert!(
            Check::parse("/members contains u1")
                .unwrap()
                .judge(None)
                .is_err()
        );
        assert!(Check::parse("nonsense").is_err());
    }

    #[test]
    fn a_plan_names_every_generated_value_and_describes_what_it_creates() {
        let plan = ReplayPlan::new(Idp::Entra, "AbC123!").unwrap();
        assert_eq!(plan.probe_id, "abc123");
        for name in catalog::GENERATED {
            assert!(plan.name(name).is_some(), "{name}");
        }
        assert_eq!(plan.name("user_name"), Some("ssw-probe-abc123@example.com"));
        assert_eq!(
            plan.name("user_name_upper"),
            Some("SSW-PROBE-ABC123@EXAMPLE.COM")
        );
        let text = plan.describe().join("\n");
        assert!(text.contains("ssw-probe-abc123@example.com"), "{text}");
        assert!(text.contains("ssw-probe-abc123-group"), "{text}");
        assert!(text.contains("deleted"), "{text}");
    }
}

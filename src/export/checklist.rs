//! The offline checklist of a tenant and its exports for a change ticket.
//!
//! [`ChecklistReview`] joins the catalog's items for a platform × IdP with what the
//! profile knows: the boxes the admin ticked and the last check runs, which prove some
//! items automatically. The Review step draws it; [`render`] turns it into plain text,
//! Markdown or a print-ready HTML page with the tenant's non-secret settings, the last
//! check results, credential expiries and the open items.
//!
//! Settings are copied field by field from an allow-list, never by serialising the
//! profile, so a field added later cannot slip into an export unreviewed.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use crate::catalog::{Catalog, ChecklistGroup, ChecklistItem, KnownFact};
use crate::diagnostics::{ReportKind, Status};
use crate::expiry;
use crate::model::{CredentialKind, CredentialState, IdpId, PlatformId, Profile, StoredReport};

/// What the last check run said about an item's check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evidence {
    /// The check id, for example `oidc.issuer_match`.
    pub check_id: String,
    /// Its outcome in the last run.
    pub status: Status,
    /// When that run happened.
    pub checked_at: DateTime<Utc>,
}

impl Evidence {
    /// One line for people; `at` is the time already formatted for the reader.
    pub fn describe(&self, at: &str) -> String {
        let id = &self.check_id;
        match self.status {
            Status::Pass => format!("Verified by check {id} at {at}"),
            Status::Fail => format!("Check {id} failed at {at}"),
            Status::Warn => format!("Check {id} passed with a warning at {at}"),
            Status::Skip => format!("Check {id} could not run at {at}"),
        }
    }
}

/// One checklist item with its progress.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewItem<'a> {
    /// The catalog item.
    pub item: &'a ChecklistItem,
    /// The admin ticked it.
    pub ticked: bool,
    /// The last check run's result for the item's check, when it has one and it ran.
    pub evidence: Option<Evidence>,
    /// What the wizard recorded that proves the item ("Confirmed in the SSO app step"),
    /// when the item names such a fact and the profile has it.
    pub known: Option<String>,
}

impl ReviewItem<'_> {
    /// True when the last check run proved the item (its check passed).
    pub fn is_verified(&self) -> bool {
        self.evidence
            .as_ref()
            .is_some_and(|evidence| evidence.status == Status::Pass)
    }

    /// Ticked by hand, verified by a check, or proven by what the wizard recorded.
    pub fn is_done(&self) -> bool {
        self.ticked || self.is_verified() || self.known.is_some()
    }
}

/// Progress of one group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GroupProgress {
    /// The group.
    pub group: ChecklistGroup,
    /// Items done (ticked or verified).
    pub done: usize,
    /// Items in the group.
    pub total: usize,
}

/// The checklist of one platform × IdP with its progress.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChecklistReview<'a> {
    /// The platform.
    pub platform: PlatformId,
    /// The IdP.
    pub idp: IdpId,
    /// Items in display order: by group, file order within a group.
    pub items: Vec<ReviewItem<'a>>,
}

impl<'a> ChecklistReview<'a> {
    /// The checklist of a profile: its ticks and its last check runs.
    pub fn for_profile(catalog: &'a Catalog, profile: &Profile) -> Self {
        let items = catalog
            .checklist_for(profile.platform, profile.idp)
            .into_iter()
            .map(|item| ReviewItem {
                item,
                ticked: profile.checklist_ticks.contains(&item.id),
                evidence: item
                    .check_id
                    .as_deref()
                    .and_then(|check_id| evidence(profile, check_id)),
                known: item.known.and_then(|fact| known_fact(profile, fact)),
            })
            .collect();
        Self {
            platform: profile.platform,
            idp: profile.idp,
            items,
        }
    }

    /// An empty checklist for a platform and IdP, nothing ticked.
    pub fn blank(catalog: &'a Catalog, platform: PlatformId, idp: IdpId) -> Self {
        let items = catalog
            .checklist_for(platform, idp)
            .into_iter()
            .map(|item| ReviewItem {
                item,
                ticked: false,
                evidence: None,
                known: None,
            })
            .collect();
        Self {
            platform,
            idp,
            items,
        }
    }

    /// The groups that have items, in display order, with their items.
    pub fn groups(&self) -> Vec<(ChecklistGroup, Vec<&ReviewItem<'a>>)> {
        ChecklistGroup::ALL
            .into_iter()
            .map(|group| {
                let items: Vec<&ReviewItem<'a>> = self
                    .items
                    .iter()
                    .filter(|entry| entry.item.group == group)
                    .collect();
                (group, items)
            })
            .filter(|(_, items)| !items.is_empty())
            .collect()
    }

    /// Done and total per group, for the groups that have items.
    pub fn progress(&self) -> Vec<GroupProgress> {
        self.groups()
            .into_iter()
            .map(|(group, items)| GroupProgress {
                group,
                done: items.iter().filter(|entry| entry.is_done()).count(),
                total: items.len(),
            })
            .collect()
    }

    /// Items done, over all groups.
    pub fn done_count(&self) -> usize {
        self.items.iter().filter(|entry| entry.is_done()).count()
    }

    /// Items neither ticked nor verified, in display order.
    pub fn open_items(&self) -> impl Iterator<Item = &ReviewItem<'a>> {
        self.items.iter().filter(|entry| !entry.is_done())
    }
}

/// The sentence saying how `profile` proves `fact`, or `None` when it does not (yet).
pub fn known_fact(profile: &Profile, fact: KnownFact) -> Option<String> {
    let in_use_expiry = |kind: CredentialKind| {
        let slot = match kind {
            CredentialKind::ScimToken => profile.scim.token_credential.as_deref(),
            CredentialKind::ClientSecret => profile.sso.client_secret_credential.as_deref(),
        };
        profile
            .credentials
            .iter()
            .filter(|c| c.kind == kind && c.state == CredentialState::Active)
            .filter(|c| slot.is_none_or(|id| c.id == id))
            .find_map(|c| c.expires_at)
    };
    let finished_rotation = |kind: Option<CredentialKind>| {
        profile
            .history
            .iter()
            .rev()
            .find(|entry| {
                entry.event.starts_with(FINISHED_ROTATION_PREFIX)
                    && kind.is_none_or(|kind| {
                        entry.event[FINISHED_ROTATION_PREFIX.len()..].starts_with(kind.label())
                    })
            })
            .map(|entry| {
                format!(
                    "A rotation was finished in the wizard on {}",
                    entry.at.format("%Y-%m-%d")
                )
            })
    };
    match fact {
        KnownFact::BreakGlassConfirmed => profile
            .sso
            .break_glass_confirmed
            .then(|| "Confirmed in the SSO app step".to_owned()),
        KnownFact::SsoAssignmentConfirmed => profile
            .sso
            .assignment_confirmed
            .then(|| "Confirmed in the SSO app step".to_owned()),
        KnownFact::ClientSecretExpiryRecorded => in_use_expiry(CredentialKind::ClientSecret)
            .map(|at| format!("Expiry recorded: {}", at.format("%Y-%m-%d"))),
        KnownFact::ScimTokenExpiryRecorded => in_use_expiry(CredentialKind::ScimToken)
            .map(|at| format!("Expiry recorded: {}", at.format("%Y-%m-%d"))),
        KnownFact::RotationCompleted => finished_rotation(None),
        KnownFact::ClientSecretRotationCompleted => {
            finished_rotation(Some(CredentialKind::ClientSecret))
        }
    }
}

/// How [`crate::wizard::rotation::summary`] starts the history line of a finished rotation.
const FINISHED_ROTATION_PREFIX: &str = "Rotated ";

/// The last run's result for `check_id`, from the report of its kind.
pub fn evidence(profile: &Profile, check_id: &str) -> Option<Evidence> {
    [&profile.last_oidc_report, &profile.last_scim_report]
        .into_iter()
        .flatten()
        .find_map(|stored| {
            stored.report.finding(check_id).map(|finding| Evidence {
                check_id: check_id.to_owned(),
                status: finding.status,
                checked_at: stored.checked_at,
            })
        })
}

/// A time as exports show it: UTC, to the minute, with the zone written out.
pub fn utc_text(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// The file formats of an export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Plain text for a terminal.
    Text,
    /// Markdown for a ticket or a wiki.
    Markdown,
    /// A self-contained HTML page that prints cleanly.
    Html,
}

impl Format {
    /// The usual file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Text => "txt",
            Self::Markdown => "md",
            Self::Html => "html",
        }
    }
}

/// The non-secret settings of a profile, as (label, value) rows; empty values read
/// "not set". An allow-list: a field shows up here only when someone adds it here.
pub fn settings_rows(profile: &Profile) -> Vec<(&'static str, String)> {
    let text = |value: &str| {
        if value.trim().is_empty() {
            "not set".to_owned()
        } else {
            // Identifiers and URLs: only the bearer, JWT and key=value rules apply.
            clean(value.trim(), false)
        }
    };
    let yes_no = |confirmed: bool| {
        if confirmed {
            "confirmed"
        } else {
            "not confirmed"
        }
        .to_owned()
    };
    vec![
        ("Tenant", text(&profile.name)),
        ("Profile id", text(&profile.id)),
        ("Platform", profile.platform.label().to_owned()),
        ("Identity provider", profile.idp.label().to_owned()),
        ("Issuer", text(&profile.sso.issuer)),
        ("Client id", text(&profile.sso.client_id)),
        (
            "Redirect URI registered in the IdP",
            text(&profile.sso.registered_redirect_uri),
        ),
        ("Scopes", text(&profile.sso.scopes)),
        ("Allowed email domains", text(&profile.sso.allowed_domains)),
        (
            "Users and groups assigned to the SSO app",
            yes_no(profile.sso.assignment_confirmed),
        ),
        (
            "Break-glass admin outside SSO",
            yes_no(profile.sso.break_glass_confirmed),
        ),
        ("SCIM base URL", text(&profile.scim.base_url)),
        (
            "Attribute mappings",
            yes_no(profile.scim.mappings_confirmed),
        ),
        ("Provisioning scope", yes_no(profile.scim.scope_confirmed)),
    ]
}

/// Renders the checklist in `format`. With a profile, the export also carries its
/// settings, credential expiries and last check results; `now` is when it was made.
pub fn render(
    review: &ChecklistReview<'_>,
    profile: Option<&Profile>,
    now: DateTime<Utc>,
    format: Format,
) -> String {
    let document = Document::build(review, profile, now);
    match format {
        Format::Text => document.to_text(),
        Format::Markdown => document.to_markdown(),
        Format::Html => document.to_html(),
    }
}

/// A suggested file name: `checklist-<profile id or platform-idp>-<date>.<ext>`.
pub fn file_name(
    review: &ChecklistReview<'_>,
    profile: Option<&Profile>,
    now: DateTime<Utc>,
    format: Format,
) -> String {
    let subject = profile
        .map(|p| p.id.clone())
        .filter(|id| !id.is_empty())
        .unwrap_or_else(|| format!("{}-{}", review.platform, review.idp));
    format!(
        "checklist-{subject}-{}.{}",
        now.format("%Y-%m-%d"),
        format.extension()
    )
}

/// Everything an export shows, as plain strings, built once for every format.
struct Document {
    title: String,
    generated_at: String,
    done: usize,
    total: usize,
    progress: Vec<(String, usize, usize)>,
    open: Vec<(String, Vec<OpenLine>)>,
    settings: Vec<(&'static str, String)>,
    credentials: Vec<CredentialLine>,
    reports: Vec<ReportBlock>,
    has_profile: bool,
    all: Vec<(String, Vec<ItemLine>)>,
}

struct OpenLine {
    text: String,
    why: String,
    note: Option<String>,
}

struct ItemLine {
    done: bool,
    text: String,
    note: Option<String>,
}

struct CredentialLine {
    kind: String,
    label: String,
    last4: String,
    created: String,
    expires: String,
    status: String,
}

struct ReportBlock {
    heading: String,
    checked_at: String,
    target: String,
    summary: String,
    findings: Vec<(Status, String, String, String)>,
}

impl Document {
    fn build(review: &ChecklistReview<'_>, profile: Option<&Profile>, now: DateTime<Utc>) -> Self {
        let title = match profile {
            Some(profile) if !profile.name.trim().is_empty() => {
                format!(
                    "SSO and SCIM checklist: {}",
                    clean(profile.name.trim(), true)
                )
            }
            _ => format!(
                "SSO and SCIM checklist: {} with {}",
                review.platform.label(),
                review.idp.label()
            ),
        };
        let note = |entry: &ReviewItem<'_>| {
            entry
                .evidence
                .as_ref()
                .map(|evidence| evidence.describe(&utc_text(evidence.checked_at)))
                .or_else(|| entry.known.clone())
        };
        let groups = review.groups();
        let open = groups
            .iter()
            .map(|(group, items)| {
                let lines = items
                    .iter()
                    .filter(|entry| !entry.is_done())
                    .map(|entry| OpenLine {
                        text: entry.item.text.clone(),
                        why: entry.item.why_for(review.platform, review.idp),
                        note: note(entry),
                    })
                    .collect::<Vec<_>>();
                (group.label().to_owned(), lines)
            })
            .filter(|(_, lines)| !lines.is_empty())
            .collect();
        let all = groups
            .iter()
            .map(|(group, items)| {
                let lines = items
                    .iter()
                    .map(|entry| ItemLine {
                        done: entry.is_done(),
                        text: entry.item.text.clone(),
                        note: note(entry),
                    })
                    .collect();
                (group.label().to_owned(), lines)
            })
            .collect();
        Self {
            title,
            generated_at: utc_text(now),
            done: review.done_count(),
            total: review.items.len(),
            progress: review
                .progress()
                .into_iter()
                .map(|p| (p.group.label().to_owned(), p.done, p.total))
                .collect(),
            open,
            settings: profile.map_or_else(
                || {
                    vec![
                        ("Platform", review.platform.label().to_owned()),
                        ("Identity provider", review.idp.label().to_owned()),
                    ]
                },
                settings_rows,
            ),
            credentials: profile
                .map(|p| credential_lines(p, now))
                .unwrap_or_default(),
            reports: profile.map(report_blocks).unwrap_or_default(),
            has_profile: profile.is_some(),
            all,
        }
    }

    fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{}", self.title);
        let _ = writeln!(out, "Generated {}", self.generated_at);
        let _ = writeln!(out, "{} of {} items done", self.done, self.total);
        let _ = writeln!(out);
        let _ = writeln!(out, "Progress per group");
        for (group, done, total) in &self.progress {
            let _ = writeln!(out, "  {group:<26} {done:>3} of {total}");
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "Settings");
        for (label, value) in &self.settings {
            let _ = writeln!(out, "  {label}: {value}");
        }
        if self.has_profile {
            let _ = writeln!(out);
            let _ = writeln!(out, "Credentials");
            if self.credentials.is_empty() {
                let _ = writeln!(out, "  none recorded");
            }
            for c in &self.credentials {
                let _ = writeln!(
                    out,
                    "  {} {} (•••• {}): created {}, expires {}, {}",
                    c.kind, c.label, c.last4, c.created, c.expires, c.status
                );
            }
            let _ = writeln!(out);
            let _ = writeln!(out, "Last check results");
            if self.reports.is_empty() {
                let _ = writeln!(out, "  no checks run yet");
            }
            for report in &self.reports {
                let _ = writeln!(
                    out,
                    "  {} at {} against {}: {}",
                    report.heading, report.checked_at, report.target, report.summary
                );
                for (status, title, id, detail) in &report.findings {
                    let _ = writeln!(out, "    {} {title} ({id})", status.icon());
                    if !detail.is_empty() && *status != Status::Pass {
                        let _ = writeln!(out, "        {detail}");
                    }
                }
            }
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "Open items");
        if self.open.is_empty() {
            let _ = writeln!(out, "  none: every item is done");
        }
        for (group, lines) in &self.open {
            let _ = writeln!(out, "  {group}");
            for line in lines {
                let _ = writeln!(out, "    [ ] {}", line.text);
                let _ = writeln!(out, "        Why: {}", line.why);
                if let Some(note) = &line.note {
                    let _ = writeln!(out, "        {note}");
                }
            }
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "Full checklist");
        for (group, lines) in &self.all {
            let _ = writeln!(out, "  {group}");
            for line in lines {
                let mark = if line.done { "[x]" } else { "[ ]" };
                let _ = writeln!(out, "    {mark} {}", line.text);
                if let Some(note) = &line.note {
                    let _ = writeln!(out, "        {note}");
                }
            }
        }
        out
    }

    fn to_markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "# {}\n", md(&self.title));
        let _ = writeln!(
            out,
            "Generated {} · **{} of {} items done**\n",
            self.generated_at, self.done, self.total
        );
        let _ = writeln!(out, "## Progress per group\n");
        let _ = writeln!(out, "| Group | Done | Total |\n| --- | ---: | ---: |");
        for (group, done, total) in &self.progress {
            let _ = writeln!(out, "| {} | {done} | {total} |", md(group));
        }
        let _ = writeln!(out, "\n## Open items\n");
        if self.open.is_empty() {
            let _ = writeln!(out, "None: every item is done.");
        }
        for (group, lines) in &self.open {
            let _ = writeln!(out, "### {}\n", md(group));
            for line in lines {
                let _ = writeln!(out, "- [ ] {}  ", md(&line.text));
                let _ = writeln!(out, "  *Why:* {}", md(&line.why));
                if let Some(note) = &line.note {
                    let _ = writeln!(out, "  \n  {}", md(note));
                }
            }
            let _ = writeln!(out);
        }
        let _ = writeln!(out, "## Settings\n");
        let _ = writeln!(out, "| Setting | Value |\n| --- | --- |");
        for (label, value) in &self.settings {
            let _ = writeln!(out, "| {} | {} |", md(label), md(value));
        }
        if self.has_profile {
            let _ = writeln!(out, "\n## Credentials\n");
            if self.credentials.is_empty() {
                let _ = writeln!(out, "None recorded.");
            } else {
                let _ = writeln!(
                    out,
                    "| Kind | Label | Last four | Created | Expires | Status |\n| --- | --- | --- | --- | --- | --- |"
                );
                for c in &self.credentials {
                    let _ = writeln!(
                        out,
                        "| {} | {} | •••• {} | {} | {} | {} |",
                        md(&c.kind),
                        md(&c.label),
                        md(&c.last4),
                        c.created,
                        c.expires,
                        md(&c.status)
                    );
                }
            }
            let _ = writeln!(out, "\n## Last check results\n");
            if self.reports.is_empty() {
                let _ = writeln!(out, "No checks run yet.");
            }
            for report in &self.reports {
                let _ = writeln!(
                    out,
                    "### {}\n\nRan {} against {}: {}\n",
                    md(&report.heading),
                    report.checked_at,
                    md(&report.target),
                    md(&report.summary)
                );
                for (status, title, id, detail) in &report.findings {
                    let _ = write!(
                        out,
                        "- {} {}: {} ({})",
                        status.icon(),
                        status.label(),
                        md(title),
                        md(id)
                    );
                    if !detail.is_empty() && *status != Status::Pass {
                        let _ = write!(out, "  \n  {}", md(detail));
                    }
                    let _ = writeln!(out);
                }
                let _ = writeln!(out);
            }
        }
        let _ = writeln!(out, "\n## Full checklist\n");
        for (group, lines) in &self.all {
            let _ = writeln!(out, "### {}\n", md(group));
            for line in lines {
                let mark = if line.done { "[x]" } else { "[ ]" };
                let _ = write!(out, "- {mark} {}", md(&line.text));
                if let Some(note) = &line.note {
                    let _ = write!(out, "  \n  *{}*", md(note));
                }
                let _ = writeln!(out);
            }
            let _ = writeln!(out);
        }
        out
    }

    #[expect(
        clippy::too_many_lines,
        reason = "one document template, section after section; splitting it hides the order"
    )]
    fn to_html(&self) -> String {
        let mut out = String::new();
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{}</title>\n<style>{HTML_STYLE}</style>\n</head>\n<body>\n",
            html(&self.title)
        );
        let _ = writeln!(out, "<h1>{}</h1>", html(&self.title));
        let _ = writeln!(
            out,
            "<p class=\"meta\">Generated {} · <strong>{} of {} items done</strong></p>",
            html(&self.generated_at),
            self.done,
            self.total
        );
        let _ = writeln!(
            out,
            "<h2>Progress per group</h2>\n<table>\n<tr><th>Group</th><th>Done</th><th>Total</th></tr>"
        );
        for (group, done, total) in &self.progress {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td class=\"num\">{done}</td><td class=\"num\">{total}</td></tr>",
                html(group)
            );
        }
        let _ = writeln!(out, "</table>\n<h2>Open items</h2>");
        if self.open.is_empty() {
            let _ = writeln!(out, "<p>None: every item is done.</p>");
        }
        for (group, lines) in &self.open {
            let _ = writeln!(out, "<h3>{}</h3>\n<ul class=\"checklist\">", html(group));
            for line in lines {
                let _ = write!(
                    out,
                    "<li><span class=\"box\">☐</span> {}<div class=\"why\">Why: {}</div>",
                    html(&line.text),
                    html(&line.why)
                );
                if let Some(note) = &line.note {
                    let _ = write!(out, "<div class=\"note\">{}</div>", html(note));
                }
                let _ = writeln!(out, "</li>");
            }
            let _ = writeln!(out, "</ul>");
        }
        let _ = writeln!(out, "<h2>Settings</h2>\n<table>");
        for (label, value) in &self.settings {
            let _ = writeln!(
                out,
                "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
                html(label),
                html(value)
            );
        }
        let _ = writeln!(out, "</table>");
        if self.has_profile {
            let _ = writeln!(out, "<h2>Credentials</h2>");
            if self.credentials.is_empty() {
                let _ = writeln!(out, "<p>None recorded.</p>");
            } else {
                let _ = writeln!(
                    out,
                    "<table>\n<tr><th>Kind</th><th>Label</th><th>Last four</th><th>Created</th><th>Expires</th><th>Status</th></tr>"
                );
                for c in &self.credentials {
                    let _ = writeln!(
                        out,
                        "<tr><td>{}</td><td>{}</td><td>•••• {}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                        html(&c.kind),
                        html(&c.label),
                        html(&c.last4),
                        html(&c.created),
                        html(&c.expires),
                        html(&c.status)
                    );
                }
                let _ = writeln!(out, "</table>");
            }
            let _ = writeln!(out, "<h2>Last check results</h2>");
            if self.reports.is_empty() {
                let _ = writeln!(out, "<p>No checks run yet.</p>");
            }
            for report in &self.reports {
                let _ = writeln!(
                    out,
                    "<h3>{}</h3>\n<p>Ran {} against <code>{}</code>: {}</p>\n<ul class=\"findings\">",
                    html(&report.heading),
                    html(&report.checked_at),
                    html(&report.target),
                    html(&report.summary)
                );
                for (status, title, id, detail) in &report.findings {
                    let _ = write!(
                        out,
                        "<li class=\"{}\">{} {}: {} <code>{}</code>",
                        status_class(*status),
                        status.icon(),
                        status.label(),
                        html(title),
                        html(id)
                    );
                    if !detail.is_empty() && *status != Status::Pass {
                        let _ = write!(out, "<div class=\"why\">{}</div>", html(detail));
                    }
                    let _ = writeln!(out, "</li>");
                }
                let _ = writeln!(out, "</ul>");
            }
        }
        let _ = writeln!(out, "<h2>Full checklist</h2>");
        for (group, lines) in &self.all {
            let _ = writeln!(out, "<h3>{}</h3>\n<ul class=\"checklist\">", html(group));
            for line in lines {
                let mark = if line.done { "☑" } else { "☐" };
                let _ = write!(
                    out,
                    "<li><span class=\"box\">{mark}</span> {}",
                    html(&line.text)
                );
                if let Some(note) = &line.note {
                    let _ = write!(out, "<div class=\"note\">{}</div>", html(note));
                }
                let _ = writeln!(out, "</li>");
            }
            let _ = writeln!(out, "</ul>");
        }
        let _ = writeln!(out, "</body>\n</html>");
        out
    }
}

fn credential_lines(profile: &Profile, now: DateTime<Utc>) -> Vec<CredentialLine> {
    let mut credentials: Vec<_> = profile.credentials.iter().collect();
    credentials.sort_by_key(|c| c.expires_at.unwrap_or(DateTime::<Utc>::MAX_UTC));
    credentials
        .into_iter()
        .map(|c| CredentialLine {
            kind: c.kind.label().to_owned(),
            label: if c.label.trim().is_empty() {
                c.id.clone()
            } else {
                clean(&c.label, true)
            },
            last4: c.last4.clone(),
            created: utc_text(c.created_at),
            expires: c
                .expires_at
                .map_or_else(|| "no expiry set".to_owned(), utc_text),
            status: c.expires_at.map_or_else(
                || "expiry unknown".to_owned(),
                |at| expiry::badge_text(at, now),
            ),
        })
        .collect()
}

fn report_blocks(profile: &Profile) -> Vec<ReportBlock> {
    [&profile.last_oidc_report, &profile.last_scim_report]
        .into_iter()
        .flatten()
        .map(|stored: &StoredReport| {
            let report = &stored.report;
            let s = report.summary;
            ReportBlock {
                heading: match report.kind {
                    ReportKind::Oidc => "SSO (OIDC) checks".to_owned(),
                    ReportKind::Scim => "SCIM checks".to_owned(),
                    ReportKind::Saml => "SSO (SAML) checks".to_owned(),
                },
                checked_at: utc_text(stored.checked_at),
                target: report.target.clone(),
                summary: s.line(),
                findings: report
                    .by_severity()
                    .into_iter()
                    .map(|f| {
                        (
                            f.status,
                            f.title.clone(),
                            f.id.clone(),
                            clean(&f.detail, true),
                        )
                    })
                    .collect(),
            }
        })
        .collect()
}

/// Free text from the profile with anything that looks like a secret replaced: findings
/// never hold one by design, this catches a paste in the wrong place.
fn clean(text: &str, random_runs: bool) -> String {
    super::redact::scrub_text(text, random_runs).unwrap_or_else(|| text.to_owned())
}

fn status_class(status: Status) -> &'static str {
    match status {
        Status::Pass => "pass",
        Status::Warn => "warn",
        Status::Fail => "fail",
        Status::Skip => "skip",
    }
}

/// The page's only style: readable on screen, no colour needed on paper, nothing loaded
/// from elsewhere (the file is opened offline and attached to tickets).
const HTML_STYLE: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;line-height:1.45;color:#1b1b1b}\
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ccc}h3{font-size:1.05rem}\
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}\
td.num{text-align:right}.meta{color:#444}ul.checklist,ul.findings{list-style:none;padding-left:0}\
li{margin:.35rem 0;break-inside:avoid}.box{font-size:1.1em}.why,.note{color:#444;font-size:.92em;margin-left:1.6em}\
.note{font-style:italic}.fail{color:#a00}.warn{color:#7a5200}code{overflow-wrap:anywhere}\
@media print{body{margin:0;max-width:none}h2{break-after:avoid}a{color:inherit}}";

/// Escapes text for HTML element content and attribute values.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for Markdown inline content: characters that start emphasis, links,
/// HTML or table cells are backslash-escaped, line breaks become spaces.
pub fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    use super::*;
    use crate::diagnostics::{Finding, Report};
    use crate::model::{CredentialKind, CredentialMeta, CredentialOrigin, CredentialState};

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, day, 9, 30, 0).unwrap()
    }

    fn profile() -> Profile {
        let mut profile = Profile::new(
            "contoso-1a2b".into(),
            "Contoso <prod> & co".into(),
            PlatformId::Airia,
            IdpId::Entra,
            at(1),
        );
        profile.sso.issuer = "https://login.microsoftonline.com/tid/v2.0".into();
        profile.sso.client_id = "c1d2".into();
        profile.last_oidc_report = Some(StoredReport {
            checked_at: at(2),
            report: Report::new(
                ReportKind::Oidc,
                "https://login.microsoftonline.com/tid/v2.0",
                vec![
                    Finding::pass("oidc.issuer_match", "same"),
                    Finding::fail("oidc.scopes", "email missing", "grant email"),
                ],
            ),
        });
        profile.credentials.push(CredentialMeta {
            id: "cred-1".into(),
            kind: CredentialKind::ClientSecret,
            label: "Entra secret".into(),
            origin: CredentialOrigin::Imported,
            created_at: at(1),
            expires_at: Some(at(20)),
            last4: "wxyz".into(),
            last_verified_at: None,
            state: CredentialState::Active,
            session_only: false,
        });
        profile
    }

    #[test]
    fn a_passed_check_verifies_its_item_and_a_failed_one_does_not() {
        let catalog = crate::catalog::catalog();
        let profile = profile();
        let review = ChecklistReview::for_profile(catalog, &profile);
        let issuer = review
            .items
            .iter()
            .find(|e| e.item.check_id.as_deref() == Some("oidc.issuer_match"))
            .unwrap();
        assert!(issuer.is_verified() && issuer.is_done() && !issuer.ticked);
        let scopes = review
            .items
            .iter()
            .find(|e| e.item.check_id.as_deref() == Some("oidc.scopes"))
            .unwrap();
        assert!(!scopes.is_done());
        assert_eq!(
            scopes.evidence.as_ref().map(|e| e.status),
            Some(Status::Fail)
        );
        assert!(review.open_items().any(|e| e.item.id == scopes.item.id));
    }

    #[test]
    fn ticks_count_per_group_and_unknown_ticks_are_ignored() {
        let catalog = crate::catalog::catalog();
        let mut profile = profile();
        profile.last_oidc_report = None;
        // A recorded expiry date proves an item by itself (see `known_fact`).
        profile.credentials.clear();
        let blank = ChecklistReview::for_profile(catalog, &profile);
        assert_eq!(blank.done_count(), 0);
        let first = blank.items[0].item;
        profile.checklist_ticks = vec![first.id.clone(), "no-such-item".into()];
        let review = ChecklistReview::for_profile(catalog, &profile);
        assert_eq!(review.done_count(), 1);
        let group = review
            .progress()
            .into_iter()
            .find(|p| p.group == first.group)
            .unwrap();
        assert_eq!(group.done, 1);
        let total: usize = review.progress().iter().map(|p| p.total).sum();
        assert_eq!(total, review.items.len());
    }

    #[test]
    fn exports_and_bundles_drop_url_credentials() {
        // Issue #16 item 7: userinfo and sig/key/code/pwd/… query values survived.
        let catalog = crate::catalog::catalog();
        let mut profile = profile();
        profile.sso.issuer = "https://AdmUser8:Hunter2pw@idp.example.com/t?sig=SigValue9".into();
        profile.scim.base_url =
            "https://app.example.com/scim/v2?key=KeyValue7&pwd=PwdValue5".into();
        profile.sso.registered_redirect_uri = "http://127.0.0.1:8400/cb?code=CodeValue3".into();
        let review = ChecklistReview::for_profile(catalog, &profile);
        let bundle = crate::export::bundle::to_json(&crate::export::bundle::BundleInput {
            profile: &profile,
            catalog,
            now: at(3),
            keyring: None,
            note: "see https://u:NotePass1@example.com/x?token=NoteTok2",
        });
        let exports = [Format::Text, Format::Markdown, Format::Html]
            .map(|format| render(&review, Some(&profile), at(3), format));
        for text in exports.iter().chain([&bundle]) {
            for secret in [
                "AdmUser8",
                "Hunter2pw",
                "SigValue9",
                "KeyValue7",
                "PwdValue5",
                "CodeValue3",
                "NotePass1",
                "NoteTok2",
            ] {
                assert!(!text.contains(secret), "{secret} left in:\n{text}");
            }
            assert!(text.contains("idp.example.com/t"), "{text}");
        }
    }

    #[test]
    fn exports_escape_profile_text() {
        let catalog = crate::catalog::catalog();
        let profile = profile();
        let review = ChecklistReview::for_profile(catalog, &profile);
        let page = render(&review, Some(&profile), at(3), Format::Html);
        assert!(page.contains("Contoso &lt;prod&gt; &amp; co"));
        assert!(!page.contains("<prod>"));
        let markdown = render(&review, Some(&profile), at(3), Format::Markdown);
        assert!(markdown.contains("Contoso \\<prod\\> & co"));
    }

    #[test]
    fn exports_carry_checks_credentials_and_verified_notes() {
        let catalog = crate::catalog::catalog();
        let profile = profile();
        let review = ChecklistReview::for_profile(catalog, &profile);
        for format in [Format::Text, Format::Markdown, Format::Html] {
            // Markdown escapes `_`; read it the way a renderer shows it.
            let text = render(&review, Some(&profile), at(3), format).replace('\\', "");
            assert!(
                text.contains("Verified by check oidc.issuer_match at 2026-03-02 09:30 UTC"),
                "{format:?}"
            );
            assert!(
                text.contains("Check oidc.scopes failed at 2026-03-02 09:30 UTC"),
                "{format:?}"
            );
            assert!(text.contains("•••• wxyz"), "{format:?}");
            assert!(text.contains("17 d left"), "{format:?}");
            assert!(text.contains("email missing"), "{format:?}");
        }
    }

    #[test]
    fn file_name_names_the_profile_or_the_pair() {
        let catalog = crate::catalog::catalog();
        let profile = profile();
        let review = ChecklistReview::for_profile(catalog, &profile);
        assert_eq!(
            file_name(&review, Some(&profile), at(3), Format::Markdown),
            "checklist-contoso-1a2b-2026-03-03.md"
        );
        let blank = ChecklistReview::blank(catalog, PlatformId::Claresia, IdpId::Okta);
        assert_eq!(
            file_name(&blank, None, at(3), Format::Html),
            "checklist-claresia-okta-2026-03-03.html"
        );
    }
}

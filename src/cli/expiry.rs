//! `expiry [--at DATE] [--json]`: every credential of every profile, most urgent first, for
//! people and for cron or a monitoring check.
//!
//! Exit codes (DESIGN.md): 1 when any credential in use is critical (under 7 days) or
//! expired (with `--include-unused`, any credential at all), 0 otherwise, 2 when a profile
//! file could not be read (the list may then be incomplete). A credential that is not in
//! use (an older one kept for reference) is listed and labelled "not in use", as in the
//! dashboard. `--json` prints `{"at", "credentials": [{"profile", "tenant", "credential",
//! "kind", "label", "in_use", "expires_at", "days_left", "severity"}]}`; a credential
//! without an expiry has `null` for the last three.

use std::io::Write as _;
use std::process::ExitCode;

use chrono::{DateTime, SecondsFormat, Utc};
use clap::Args;

use crate::expiry::{self, Due, Severity};

/// Options of `expiry`.
#[derive(Debug, Args)]
pub struct ExpiryArgs {
    /// Judge expiry as of this date (YYYY-MM-DD or RFC 3339) instead of now.
    #[arg(long, value_name = "DATE", value_parser = super::token::parse_instant_arg)]
    pub at: Option<DateTime<Utc>>,
    /// Print one JSON document instead of text.
    #[arg(long)]
    pub json: bool,
    /// Exit 1 for critical or expired credentials that are not in use as well (older ones
    /// kept for reference); without it only the credentials the apps use count.
    #[arg(long)]
    pub include_unused: bool,
}

/// Runs `expiry`.
pub fn run(args: &ExpiryArgs) -> anyhow::Result<ExitCode> {
    let store = super::store()?;
    let at = args.at.unwrap_or_else(Utc::now);
    let listing = store.list(Utc::now())?;
    let due = expiry::due_list(&listing.profiles);
    if args.json {
        super::out(&serde_json::to_string_pretty(&to_json(&due, at))?);
    } else {
        super::out(&to_text(
            &due,
            at,
            &store.dir().display().to_string(),
            args.include_unused,
        ));
    }
    if !listing.problems.is_empty() {
        let mut stderr = std::io::stderr().lock();
        for problem in &listing.problems {
            let _ = writeln!(stderr, "error: {problem}");
        }
        return Ok(ExitCode::from(2));
    }
    let urgent = due
        .iter()
        .any(|d| expiry::needs_action_now(d, at, args.include_unused));
    Ok(if urgent {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The `--json` document.
pub fn to_json(due: &[Due], at: DateTime<Utc>) -> serde_json::Value {
    let credentials: Vec<serde_json::Value> = due
        .iter()
        .map(|d| {
            let expires_at = d.credential.expires_at;
            serde_json::json!({
                "profile": d.profile_id,
                "tenant": d.tenant,
                "credential": d.credential.id,
                "kind": d.credential.kind.as_str(),
                "label": d.credential.label,
                "in_use": d.in_use,
                "expires_at": expires_at.map(|e| e.to_rfc3339_opts(SecondsFormat::Secs, true)),
                "days_left": expires_at.map(|e| expiry::days_left(e, at)),
                "severity": expiry::severity_of(expires_at, at),
            })
        })
        .collect();
    serde_json::json!({ "at": at.to_rfc3339_opts(SecondsFormat::Secs, true), "credentials": credentials })
}

/// The text table, most urgent first, with a summary line.
fn to_text(due: &[Due], at: DateTime<Utc>, dir: &str, include_unused: bool) -> String {
    if due.is_empty() {
        return format!("No credentials in any profile in {dir}");
    }
    let mut lines = vec![format!(
        "Credential expiry as of {}",
        at.format("%Y-%m-%d %H:%M UTC")
    )];
    let mut urgent = 0;
    let mut unused_urgent = 0;
    for d in due {
        let severity = expiry::severity_of(d.credential.expires_at, at);
        let now_due = severity.is_some_and(Severity::needs_action_now);
        if expiry::needs_action_now(d, at, include_unused) {
            urgent += 1;
        } else if now_due {
            unused_urgent += 1;
        }
        let (word, days, date) = match d.credential.expires_at {
            Some(expires_at) => (
                severity.map_or("", |s| s.label()),
                format!("{} d", expiry::days_left(expires_at, at)),
                expires_at
                    .with_timezone(&chrono::Local)
                    .format("%Y-%m-%d")
                    .to_string(),
            ),
            None => ("No expiry set", String::new(), "—".to_owned()),
        };
        lines.push(format!(
            "{word:<18} {days:>7}  {date:<10}  {} ({})  {} “{}” ({}){}",
            d.tenant,
            d.profile_id,
            d.credential.kind.label(),
            d.credential.label,
            crate::secrets::masked(&d.credential.last4),
            if d.in_use { "" } else { "  · not in use" },
        ));
    }
    lines.push(match urgent {
        0 => "Nothing needs action this week.".to_owned(),
        1 => "1 credential needs action now (expired or under 7 days left).".to_owned(),
        n => format!("{n} credentials need action now (expired or under 7 days left)."),
    });
    if unused_urgent > 0 {
        lines.push(format!(
            "{} not in use {} expired or under 7 days left; not counted (--include-unused counts {}).",
            crate::diagnostics::words::count(unused_urgent, "credential", "credentials"),
            if unused_urgent == 1 { "is" } else { "are" },
            if unused_urgent == 1 { "it" } else { "them" },
        ));
    }
    lines.join("\n")
}

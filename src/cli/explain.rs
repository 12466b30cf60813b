//! `explain TEXT`: looks a pasted error message or log line up in the troubleshooting
//! catalog and prints the best entries, with the matched codes marked `«like this»`.
//! Offline: the catalog is built in.

use std::io::{IsTerminal as _, Read as _};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;

use super::out;
use crate::export::explain::{self, context_label};
use crate::model::PlatformId;

/// Options of `explain`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    sso-scim-wizard explain AADSTS50105\n  \
    sso-scim-wizard explain 'SCIM request failed: 409 {\"scimType\":\"uniqueness\"}'\n  \
    journalctl -u my-sync | tail -n 20 | sso-scim-wizard explain -\n\n\
    Exit codes: 0 at least one entry matched, 1 nothing matched, 2 bad usage (no text).")]
pub struct ExplainArgs {
    /// Only entries for this platform (and general ones), platform-specific ones first.
    #[arg(long, value_name = "P")]
    pub platform: Option<PlatformId>,
    /// Show at most this many entries.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub limit: usize,
    /// Print one JSON document instead of text.
    #[arg(long)]
    pub json: bool,
    /// The error message or log line (quote it, or give several words); `-` or nothing
    /// reads it from standard input. Everything after the first word is part of the text.
    #[arg(
        value_name = "TEXT",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub text: Vec<String>,
}

/// Prints the matching entries: exit 0 when something matched, 1 when nothing did;
/// `Err` (exit 2) when there is no text.
pub fn run(args: &ExplainArgs) -> anyhow::Result<ExitCode> {
    let text = input_text(&args.text)?;
    if text.trim().is_empty() {
        anyhow::bail!(
            "no text to explain; paste the error message as an argument or on standard input"
        );
    }
    let catalog = crate::catalog::catalog();
    let matches = match args.platform {
        Some(platform) => catalog.explain_for(&text, platform),
        None => catalog.explain(&text),
    };
    let limit = args.limit.max(1);
    if args.json {
        let shown = matches.get(..limit).unwrap_or(&matches);
        let highlights: Vec<serde_json::Value> = explain::match_spans(&text, shown)
            .into_iter()
            .map(|span| {
                serde_json::json!({
                    "start": span.start,
                    "end": span.end,
                    "text": text.get(span).unwrap_or_default(),
                })
            })
            .collect();
        let entries: Vec<serde_json::Value> = shown
            .iter()
            .map(|found| {
                let entry = found.entry;
                serde_json::json!({
                    "id": entry.id,
                    "title": entry.title,
                    "context": context_label(entry.context),
                    "score": found.score,
                    "matched": found.matched,
                    "meaning": entry.meaning.trim(),
                    "causes": entry.causes,
                    "fix_idp": entry.fix_idp.trim(),
                    "fix_platform": entry.fix_platform.trim(),
                    "check_ids": entry.check_ids,
                })
            })
            .collect();
        out(&serde_json::to_string_pretty(&serde_json::json!({
            "matches": entries,
            "total_matches": matches.len(),
            "highlights": highlights,
        }))?);
    } else {
        out(explain::render_text(&text, &matches, limit).trim_end());
    }
    Ok(if matches.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn input_text(words: &[String]) -> anyhow::Result<String> {
    if !(words.is_empty() || words == ["-"]) {
        return Ok(words.join(" "));
    }
    let mut stdin = std::io::stdin();
    if words.is_empty() && stdin.is_terminal() {
        anyhow::bail!("give the error message as TEXT, or pipe it in and pass -");
    }
    let mut text = String::new();
    stdin
        .read_to_string(&mut text)
        .context("could not read standard input")?;
    Ok(text)
}

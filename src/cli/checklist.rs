//! `checklist (--profile ID | --platform P --idp I) [--format text|md|html] [--out FILE]`:
//! the offline checklist, with a profile's ticks, last check results, settings and
//! credential expiries. Reads only the profile file: no network, no keyring.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use chrono::Utc;
use clap::{Args, ValueEnum};

use super::{out, store};
use crate::export::checklist::{self, ChecklistReview, Format};
use crate::model::{IdpId, PlatformId};

/// Options of `checklist`.
#[derive(Debug, Args)]
#[command(
    group = clap::ArgGroup::new("subject").required(true).args(["profile", "platform"]),
    after_help = "Works offline: it reads the profile file and nothing else.\n\
                  Exit codes: 0 written, 2 bad usage or an unreadable profile."
)]
pub struct ChecklistArgs {
    /// Tenant profile: its platform, IdP, ticks, last check results and credential expiries.
    #[arg(long, value_name = "ID", conflicts_with_all = ["platform", "idp"])]
    pub profile: Option<String>,
    /// Platform for a blank checklist: airia, axonflow, workspace365, claresia, aws-iam-identity-center, generic.
    #[arg(long, value_name = "P", requires = "idp")]
    pub platform: Option<PlatformId>,
    /// Identity provider for a blank checklist: entra, okta, onelogin, generic.
    #[arg(long, value_name = "I", requires = "platform")]
    pub idp: Option<IdpId>,
    /// Output format [default: from the --out extension, else text].
    #[arg(long, value_enum)]
    pub format: Option<ChecklistFormat>,
    /// Write to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Output formats of `checklist`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ChecklistFormat {
    /// Plain text.
    Text,
    /// Markdown, for a change ticket.
    Md,
    /// A print-ready HTML page.
    Html,
}

impl From<ChecklistFormat> for Format {
    fn from(format: ChecklistFormat) -> Self {
        match format {
            ChecklistFormat::Text => Self::Text,
            ChecklistFormat::Md => Self::Markdown,
            ChecklistFormat::Html => Self::Html,
        }
    }
}

/// Renders the checklist; `Err` is bad usage or an unreadable profile (exit 2).
pub fn run(args: &ChecklistArgs) -> anyhow::Result<ExitCode> {
    let catalog = crate::catalog::catalog();
    let now = Utc::now();
    let format = args
        .format
        .map(Format::from)
        .or_else(|| args.out.as_deref().and_then(format_of_path))
        .unwrap_or(Format::Text);
    let text = if let Some(id) = &args.profile {
        let profile = store()?.load(id, now)?;
        let review = ChecklistReview::for_profile(catalog, &profile);
        checklist::render(&review, Some(&profile), now, format)
    } else {
        let (Some(platform), Some(idp)) = (args.platform, args.idp) else {
            anyhow::bail!("give --profile ID, or --platform P with --idp I");
        };
        let review = ChecklistReview::blank(catalog, platform, idp);
        checklist::render(&review, None, now, format)
    };
    // Stored findings carry server text: no control character reaches a terminal or a
    // file that is later shown in one.
    let text = crate::diagnostics::text::printable_lines(&text);
    match &args.out {
        Some(path) => {
            std::fs::write(path, text.as_bytes())
                .with_context(|| format!("could not write {}", path.display()))?;
            out(&format!("Wrote the checklist to {}", path.display()));
        }
        None => out(&text),
    }
    Ok(ExitCode::SUCCESS)
}

fn format_of_path(path: &Path) -> Option<Format> {
    let extension = path.extension()?.to_str()?.to_ascii_lowercase();
    match extension.as_str() {
        "md" | "markdown" => Some(Format::Markdown),
        "html" | "htm" => Some(Format::Html),
        "txt" => Some(Format::Text),
        _ => None,
    }
}

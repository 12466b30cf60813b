//! `bundle --profile ID --out FILE`: the redacted support bundle
//! ([`crate::export::bundle`]) as JSON. Built from the profile's metadata only; it does not
//! open the keyring, so `in_keyring` reads null.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use chrono::Utc;
use clap::Args;

use super::{out, store};
use crate::export::bundle::{self, BundleInput};

/// Options of `bundle`.
#[derive(Debug, Args)]
#[command(
    after_help = "The bundle holds settings, check results and credential metadata \
    (kind, dates, last four characters), never a secret value; strings that look like \
    tokens are redacted too, and the \"redactions\" list says where. Read it before sending.\n\n\
    Exit codes: 0 written, 2 bad usage or an unreadable profile."
)]
pub struct BundleArgs {
    /// Tenant profile to describe.
    #[arg(long, value_name = "ID")]
    pub profile: String,
    /// Where to write the JSON; `-` prints it.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// What failed and when, in your words (kept in the bundle as "note").
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub note: String,
}

/// Writes the bundle; `Err` is bad usage or an unreadable profile (exit 2).
pub fn run(args: &BundleArgs) -> anyhow::Result<ExitCode> {
    let now = Utc::now();
    let profile = store()?.load(&args.profile, now)?;
    let json = bundle::to_json(&BundleInput {
        profile: &profile,
        catalog: crate::catalog::catalog(),
        now,
        keyring: None,
        note: &args.note,
    });
    if args.out.as_os_str() == "-" {
        out(&json);
    } else {
        std::fs::write(&args.out, format!("{json}\n"))
            .with_context(|| format!("could not write {}", args.out.display()))?;
        out(&format!(
            "Wrote the support bundle to {}; read it before sending",
            args.out.display()
        ));
    }
    Ok(ExitCode::SUCCESS)
}

//! `check profile`: runs both halves of stored tenants from their profiles and keyring
//! secrets, exactly as the window's test steps do ([`crate::checks`]), for cron and
//! monitoring beside `expiry`.
//!
//! `check profile ID` checks one tenant; `check profile --all` every tenant, at most
//! `--jobs` at a time. Exit codes: 0 nothing failed, 1 a check of any tenant failed, 2 bad
//! usage or configuration (unknown profile, no keyring).

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context as _, bail};
use chrono::Utc;
use clap::Args;
use serde::Serialize;

use crate::checks::{self, TenantReport};
use crate::model::Profile;
use crate::probes::http::{DEFAULT_TIMEOUT_SECS, Policy};
use crate::secrets::SecretStore;

/// Options of `check profile`.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("which").required(true).args(["id", "all"]))]
pub struct CheckProfileArgs {
    /// The tenant profile to check (`profile list` shows the ids).
    #[arg(value_name = "ID")]
    pub id: Option<String>,
    /// Check every stored tenant.
    #[arg(long)]
    pub all: bool,
    /// With --all: how many tenants are checked at the same time.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: u16,
    /// Seconds allowed per request.
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_TIMEOUT_SECS)]
    pub timeout: u64,
    /// Print one JSON document instead of text.
    #[arg(long)]
    pub json: bool,
}

/// The JSON document of `check profile --all`.
#[derive(Serialize)]
struct AllReport<'a> {
    tool: &'static str,
    version: &'static str,
    tenants: &'a [TenantReport],
    summary: AllSummary,
}

#[derive(Serialize)]
struct AllSummary {
    tenants: usize,
    failed: usize,
}

/// Runs the checks and prints the reports.
pub fn run(args: &CheckProfileArgs) -> anyhow::Result<ExitCode> {
    let store = super::store()?;
    let now = Utc::now();
    let profiles: Vec<Profile> = if args.all {
        let listing = store.list(now)?;
        for problem in &listing.problems {
            log::warn!("skipped an unreadable profile: {problem}");
        }
        listing.profiles
    } else if let Some(id) = &args.id {
        vec![store.load(id, now)?]
    } else {
        bail!("give a profile id or --all")
    };
    let secrets: Arc<dyn SecretStore> = Arc::new(
        crate::secrets::KeyringStore::open()
            .context("the OS keyring is needed for the stored secrets")?,
    );
    let policy = Policy::with_timeout_secs(args.timeout);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("could not start the network runtime")?;
    #[expect(
        clippy::disallowed_methods,
        reason = "the command line has no frame to block; it waits for the reports"
    )]
    let reports = runtime.block_on(check_all(profiles, secrets, policy, usize::from(args.jobs)));

    store_saml_outcomes(&store, &reports);

    let failed = reports.iter().filter(|r| r.failed).count();
    if args.json {
        let text = if args.all {
            serde_json::to_string_pretty(&AllReport {
                tool: "sso-scim-wizard",
                version: env!("CARGO_PKG_VERSION"),
                tenants: &reports,
                summary: AllSummary {
                    tenants: reports.len(),
                    failed,
                },
            })
        } else {
            serde_json::to_string_pretty(&reports[0])
        }
        .context("could not encode the report")?;
        super::out(&text);
    } else {
        for report in &reports {
            super::out(&report.to_text());
        }
        if args.all {
            super::out(&format!(
                "{} checked, {failed} with a failing check",
                if reports.len() == 1 {
                    "1 tenant".to_owned()
                } else {
                    format!("{} tenants", reports.len())
                }
            ));
        }
    }
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Stores each SAML tenant's metadata test (report and signing certificates) in its
/// profile, as the window's Test SSO step does; a profile that cannot be saved is logged,
/// its report is still printed.
fn store_saml_outcomes(store: &crate::storage::ProfileStore, reports: &[TenantReport]) {
    for report in reports {
        let Some(outcome) = &report.saml else {
            continue;
        };
        let now = Utc::now();
        let saved = store.load(&report.profile, now).and_then(|mut profile| {
            checks::record_saml(&mut profile, outcome, now);
            store.save(&profile)
        });
        if let Err(err) = saved {
            log::warn!(
                "the SAML result of tenant {} was not stored: {err}",
                report.profile
            );
        }
    }
}

/// Checks `profiles`, at most `jobs` at a time, in the order given.
async fn check_all(
    profiles: Vec<Profile>,
    secrets: Arc<dyn SecretStore>,
    policy: Policy,
    jobs: usize,
) -> Vec<TenantReport> {
    let limit = Arc::new(tokio::sync::Semaphore::new(jobs.max(1)));
    let mut set = tokio::task::JoinSet::new();
    for (index, profile) in profiles.into_iter().enumerate() {
        let limit = Arc::clone(&limit);
        let secrets = Arc::clone(&secrets);
        set.spawn(async move {
            let _permit = limit.acquire_owned().await;
            (index, checks::check_tenant(&profile, secrets, policy).await)
        });
    }
    let mut reports = Vec::new();
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok(done) => reports.push(done),
            Err(err) => log::error!("a tenant's check stopped: {err}"),
        }
    }
    reports.sort_by_key(|(index, _)| *index);
    reports.into_iter().map(|(_, report)| report).collect()
}

//! `profile list | show ID | create NAME --platform P --idp I [--json]`.

use std::process::ExitCode;

use chrono::Utc;
use clap::Subcommand;

use super::{out, store};
use crate::model::{IdpId, PlatformId};

/// Profile subcommands.
#[derive(Debug, Subcommand)]
pub enum ProfileCommand {
    /// List tenant profiles.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show one profile (metadata only; never a secret).
    Show {
        /// Profile id.
        id: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Create a profile and print its id.
    Create {
        /// Tenant name.
        name: String,
        /// Platform: airia, axonflow, workspace365, claresia, aws-iam-identity-center, generic.
        #[arg(long)]
        platform: PlatformId,
        /// Identity provider: entra, okta, onelogin, generic.
        #[arg(long)]
        idp: IdpId,
        /// Print the profile as JSON instead of its id.
        #[arg(long)]
        json: bool,
    },
}

pub(super) fn run(command: ProfileCommand) -> anyhow::Result<ExitCode> {
    let store = store()?;
    let now = Utc::now();
    match command {
        ProfileCommand::List { json } => list(&store.list(now)?, &store, json),
        ProfileCommand::Show { id, json } => {
            let profile = store.load(&id, now)?;
            if json {
                out(&serde_json::to_string_pretty(&profile)?);
            } else {
                out(&format!("{} ({})", profile.name, profile.id));
                out(&format!("  platform:  {}", profile.platform.label()));
                out(&format!("  IdP:       {}", profile.idp.label()));
                out(&format!("  issuer:    {}", empty_dash(&profile.sso.issuer)));
                out(&format!(
                    "  client id: {}",
                    empty_dash(&profile.sso.client_id)
                ));
                out(&format!(
                    "  SCIM URL:  {}",
                    empty_dash(&profile.scim.base_url)
                ));
                for c in &profile.credentials {
                    let expires = c.expires_at.map_or_else(
                        || "no expiry set".to_owned(),
                        |at| format!("expires {}", at.format("%Y-%m-%d")),
                    );
                    out(&format!(
                        "  {}: {} •••• {} ({expires})",
                        c.kind.label(),
                        c.label,
                        c.last4
                    ));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        ProfileCommand::Create {
            name,
            platform,
            idp,
            json,
        } => {
            if name.trim().is_empty() {
                anyhow::bail!("the tenant name is empty");
            }
            let profile = store.create(&name, platform, idp, now)?;
            if json {
                out(&serde_json::to_string_pretty(&profile)?);
            } else {
                out(&profile.id);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn empty_dash(text: &str) -> &str {
    if text.is_empty() { "—" } else { text }
}

fn list(
    listing: &crate::storage::Listing,
    store: &crate::storage::ProfileStore,
    json: bool,
) -> anyhow::Result<ExitCode> {
    if json {
        let problems: Vec<serde_json::Value> = listing
            .problems
            .iter()
            .map(|p| {
                serde_json::json!({
                    "path": p.path.display().to_string(),
                    "kept_at": p.kept_at.as_ref().map(|k| k.display().to_string()),
                    "reason": p.reason,
                })
            })
            .collect();
        let profiles: Vec<serde_json::Value> = listing
            .profiles
            .iter()
            .map(|p| {
                serde_json::json!({
                    "id": p.id, "name": p.name, "platform": p.platform, "idp": p.idp,
                    "updated_at": p.updated_at, "credentials": p.credentials.len(),
                })
            })
            .collect();
        out(&serde_json::to_string_pretty(
            &serde_json::json!({ "profiles": profiles, "problems": problems }),
        )?);
    } else {
        if listing.profiles.is_empty() {
            out(&format!("No profiles in {}", store.dir().display()));
        }
        for p in &listing.profiles {
            out(&format!(
                "{:<32} {:<28} {:<24} {:<20} {}",
                p.id,
                p.name,
                p.platform.label(),
                p.idp.label(),
                p.updated_at.format("%Y-%m-%d %H:%M UTC")
            ));
        }
    }
    for problem in &listing.problems {
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            format!("warning: {problem}\n").as_bytes(),
        );
    }
    Ok(ExitCode::SUCCESS)
}

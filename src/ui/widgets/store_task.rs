//! Storing a new secret from a step: the keyring call runs in the background (it may wait
//! on D-Bus or an unlock prompt), and when it is done the credential's metadata is
//! attached to the profile. Shared by the SSO and SCIM steps.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::model::{CredentialKind, CredentialMeta, CredentialOrigin};
use crate::secrets::credential::{self, NewCredential};
use crate::secrets::{Secret, StoreError, account};
use crate::ui::steps::StepEnv;
use crate::ui::task::Task;

/// A secret on its way into the secret store.
#[derive(Default)]
pub struct StoreTask {
    task: Task<Result<(), StoreError>>,
    pending: Option<Pending>,
}

struct Pending {
    meta: CredentialMeta,
    secret: Secret,
    /// Show it once when stored (it was generated here, so the admin has no copy yet).
    reveal: bool,
}

impl StoreTask {
    /// True while the store call runs.
    pub fn is_running(&self) -> bool {
        self.task.is_running()
    }

    /// Starts storing `secret` as a new credential of `kind` of the open profile.
    #[expect(
        clippy::too_many_arguments,
        reason = "each is one fact of the new credential"
    )]
    pub fn start(
        &mut self,
        ctx: &egui::Context,
        env: &StepEnv<'_>,
        kind: CredentialKind,
        secret: Secret,
        origin: CredentialOrigin,
        expires_at: Option<DateTime<Utc>>,
        reveal: bool,
    ) {
        let new = NewCredential {
            kind,
            label: String::new(),
            origin,
            expires_at,
        };
        let meta = match credential::credential_meta(
            env.profile,
            new,
            &secret,
            env.now,
            credential::os_random,
        ) {
            Ok(meta) => meta,
            Err(err) => {
                // Reported by `poll` like a failed store call.
                self.pending = None;
                self.task = Task::Done(Err(StoreError::Other {
                    reason: err.to_string(),
                }));
                return;
            }
        };
        let account = account(&env.profile.id, &meta.id);
        let secrets = Arc::clone(env.secrets);
        let value = secret.clone();
        self.task = Task::spawn(env.runtime, ctx, async move {
            tokio::task::spawn_blocking(move || secrets.put(&account, &value))
                .await
                .unwrap_or_else(|err| {
                    Err(StoreError::Other {
                        reason: err.to_string(),
                    })
                })
        });
        self.pending = Some(Pending {
            meta,
            secret,
            reveal,
        });
    }

    /// Drops a finished or failed attempt (the admin left the step).
    pub fn forget(&mut self) {
        if !self.task.is_running() {
            self.pending = None;
        }
    }

    /// Checks once per frame. When the store call is done: on success the metadata is
    /// attached to the profile, a toast names `noun` ("SCIM token"), and the secret comes
    /// back when it must be revealed once; on failure the error's message comes back.
    pub fn poll(
        &mut self,
        ctx: &egui::Context,
        env: &mut StepEnv<'_>,
        noun: &str,
    ) -> Option<Result<Option<Secret>, String>> {
        self.task.poll();
        let result = self.task.take()?;
        let pending = self.pending.take();
        Some(match result {
            Ok(()) => {
                let Pending {
                    mut meta,
                    secret,
                    reveal,
                } = pending?;
                meta.session_only = meta.session_only || !env.secrets.is_persistent();
                let note = if meta.session_only {
                    "kept for this session only"
                } else {
                    "stored in the keyring"
                };
                env.toasts
                    .show(format!("{noun} {note}"), ctx.input(|i| i.time));
                credential::attach(env.profile, meta, env.now);
                Ok(reveal.then_some(secret))
            }
            Err(err) => Err(err.to_string()),
        })
    }
}

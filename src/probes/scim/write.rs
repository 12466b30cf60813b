//! The write probe: one uniquely named probe user is created, read back, patched and
//! deleted again whatever happens, with the plan shown for consent first.

use std::fmt::Write as _;
use std::time::Instant;

use reqwest::Method;
use serde_json::{Value, json};

use super::Run;
use super::protocol::{PATCH_OP_SCHEMA, ScimError, USER_SCHEMA, status_meaning};
use super::transport::{Body, body_of, error_suffix, millis, transport_fix};
use crate::diagnostics::text::hex;
use crate::diagnostics::{Finding, Status};
use crate::probes::http::Response;
use crate::secrets::{RandomError, Secret};

/// Domain of the probe user's userName and email (RFC 2606: reserved, never delivered).
pub const PROBE_EMAIL_DOMAIN: &str = "example.com";
/// Prefix of every probe user's userName, so a leftover is easy to recognise.
pub const PROBE_USER_PREFIX: &str = "ssw-probe-";

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

impl Run<'_> {
    pub(super) async fn write_probe(&mut self, token: &Secret, plan: &WriteProbePlan) {
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

    pub(super) async fn write_create(
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

    pub(super) async fn read_back(
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

    pub(super) async fn write_duplicate(
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

    pub(super) async fn write_patch(&mut self, token: &Secret, id: &str) {
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

    pub(super) async fn confirm_inactive(
        &mut self,
        token: &Secret,
        id: &str,
        patched: &Response,
    ) -> Finding {
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

    pub(super) async fn write_delete_and_clean_up(
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

    pub(super) async fn delete_and_confirm(&mut self, token: &Secret, id: &str) -> Finding {
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

    pub(super) async fn delete_quietly(&mut self, token: &Secret, id: &str) -> bool {
        match self
            .call(Method::DELETE, &["Users", id], &[], Some(token), None)
            .await
        {
            Ok(response) => response.status.is_success() || response.status.as_u16() == 404,
            Err(_) => false,
        }
    }

    pub(super) async fn find_by_user_name(
        &mut self,
        token: &Secret,
        user_name: &str,
    ) -> Vec<String> {
        let Ok(response) = self.users_named(token, user_name).await else {
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
pub(super) struct WriteState {
    created: Vec<String>,
    /// A create answer was lost or had no id: look the name up before finishing.
    maybe_created: bool,
}

pub(super) fn random_bytes<const N: usize>() -> Result<[u8; N], RandomError> {
    let mut bytes = [0u8; N];
    crate::secrets::random(&mut bytes)?;
    Ok(bytes)
}

/// A check that could not run because no random value could be made.
pub(super) fn random_failed(id: &str, err: &RandomError) -> Finding {
    Finding::fail(
        id,
        format!("The check did not run: {err}"),
        "Run the checks again; if this keeps happening, the computer's random number generator is broken",
    )
}

/// A random id shaped like a UUID (8-4-4-4-12), which servers that validate ids accept.
pub(crate) fn uuid_like() -> Result<String, RandomError> {
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
}

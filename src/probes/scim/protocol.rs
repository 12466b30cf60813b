//! SCIM protocol shapes (RFC 7643, RFC 7644): schema URNs, the media type, the error
//! schema and what its `scimType` and HTTP status values mean.

use std::fmt::Write as _;

use serde_json::Value;

use super::transport::clip;

/// RFC 7644 §3.4.2 list response schema.
pub const LIST_RESPONSE_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
/// RFC 7644 §3.12 error schema.
pub const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
/// RFC 7644 §3.5.2 PATCH request schema.
pub const PATCH_OP_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
/// RFC 7643 §4.1 core user schema.
pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// RFC 7643 §5 service provider configuration schema.
pub const SERVICE_PROVIDER_CONFIG_SCHEMA: &str =
    "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
/// The SCIM media type (RFC 7644 §3.1).
pub const SCIM_MEDIA_TYPE: &str = "application/scim+json";

/// A SCIM error body (RFC 7644 §3.12), decoded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScimError {
    /// `status` as sent (a string per the RFC; some servers send a number).
    pub status: Option<String>,
    /// `scimType`, when present.
    pub scim_type: Option<String>,
    /// `detail`, when present.
    pub detail: Option<String>,
}

impl ScimError {
    /// The error in `body`, when it is a SCIM error (by schema, or by `status` + `detail`).
    pub fn parse(body: &Value) -> Option<Self> {
        let has_schema = body
            .get("schemas")
            .and_then(Value::as_array)
            .is_some_and(|schemas| schemas.iter().any(|s| s.as_str() == Some(ERROR_SCHEMA)));
        let text = |key: &str| match body.get(key) {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        let error = Self {
            status: text("status"),
            scim_type: text("scimType"),
            detail: text("detail"),
        };
        (has_schema || (error.status.is_some() && error.detail.is_some())).then_some(error)
    }

    /// One sentence: the server's own words and, for a known `scimType`, what it means.
    pub fn describe(&self) -> String {
        let mut out = String::new();
        if let Some(scim_type) = &self.scim_type {
            let _ = write!(out, "scimType {scim_type:?}");
            if let Some(meaning) = scim_type_meaning(scim_type) {
                let _ = write!(out, ": {meaning}");
            }
        }
        if let Some(detail) = &self.detail {
            if !out.is_empty() {
                out.push_str("; ");
            }
            let _ = write!(out, "the server says {:?}", clip(detail, 200));
        }
        out
    }
}

/// What a `scimType` error keyword means (RFC 7644 §3.12), in our words.
pub fn scim_type_meaning(scim_type: &str) -> Option<&'static str> {
    Some(match scim_type {
        "invalidFilter" => "the filter is malformed or not supported",
        "tooMany" => "the query would return more results than the server allows",
        "uniqueness" => "the userName or externalId is already taken by another resource",
        "mutability" => "the request tried to change an attribute that cannot be changed",
        "invalidSyntax" => {
            "the request body could not be parsed or does not follow the SCIM schema"
        }
        "invalidPath" => "a PATCH path is malformed or names no attribute",
        "noTarget" => "the PATCH path matched nothing to change",
        "invalidValue" => "a value is missing, of the wrong type, or not allowed",
        "invalidVers" => "the server does not support the SCIM version requested",
        "sensitive" => "the request put sensitive data in the URL",
        _ => return None,
    })
}

/// What an HTTP status means when an identity provider gets it from a SCIM endpoint, with the causes
/// the vendors' troubleshooting guides give, in our words.
pub fn status_meaning(status: u16) -> Option<&'static str> {
    Some(match status {
        400 => {
            "the request was refused as malformed: invalid JSON, a required user attribute missing, an unsupported filter, or a body the server does not expect from this IdP"
        }
        401 => {
            "the token is missing, wrong, revoked or expired, or not sent in the form the server expects (Authorization: Bearer <token>)"
        }
        403 => "the token was recognised but is not allowed to do this",
        404 => {
            "nothing is there: a wrong base URL or environment (for example test instead of production), or a user or group that no longer exists"
        }
        409 => {
            "a conflict: the userName or email already exists, perhaps created by hand or by another provisioning app"
        }
        500..=599 => {
            "the server failed while handling the request; it is a problem on the platform's side"
        }
        _ => return None,
    })
}

pub(super) fn has_schema(doc: &Value, schema: &str) -> bool {
    doc.get("schemas")
        .and_then(Value::as_array)
        .is_some_and(|s| s.iter().any(|v| v.as_str() == Some(schema)))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn scim_errors_are_decoded_with_their_meaning() {
        let body = json!({"schemas": [ERROR_SCHEMA], "status": "409", "scimType": "uniqueness", "detail": "taken"});
        let error = ScimError::parse(&body).unwrap();
        assert_eq!(error.scim_type.as_deref(), Some("uniqueness"));
        let text = error.describe();
        assert!(
            text.contains("already taken") && text.contains("the server says \"taken\""),
            "{text}"
        );
        let numeric = json!({"status": 400, "detail": "bad filter"});
        assert_eq!(
            ScimError::parse(&numeric).unwrap().status.as_deref(),
            Some("400")
        );
        assert!(ScimError::parse(&json!({"Resources": []})).is_none());
    }

    #[test]
    fn every_rfc_scim_type_has_a_meaning() {
        for t in [
            "invalidFilter",
            "tooMany",
            "uniqueness",
            "mutability",
            "invalidSyntax",
            "invalidPath",
            "noTarget",
            "invalidValue",
            "invalidVers",
            "sensitive",
        ] {
            assert!(scim_type_meaning(t).is_some(), "{t}");
        }
        assert!(scim_type_meaning("madeUp").is_none());
    }

    #[test]
    fn status_meanings_follow_the_guides() {
        assert!(status_meaning(401).unwrap().contains("expired"));
        assert!(status_meaning(404).unwrap().contains("base URL"));
        assert!(status_meaning(409).unwrap().contains("already exists"));
        assert!(status_meaning(200).is_none());
    }
}

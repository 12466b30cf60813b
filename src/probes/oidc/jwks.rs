//! Fetching the signing keys (`jwks_uri`) and judging them: shape, private members,
//! key sizes, duplicate key ids, keys for the advertised algorithms.

use std::collections::BTreeSet;
use std::time::Instant;

use serde_json::{Map, Value};
use url::Url;

use super::discovery::{json_kind, snippet};
use super::{Discovery, JWKS, NO_DOCUMENT};
use crate::diagnostics::Finding;
use crate::probes::http::{self, Client, Request};

// ---------------------------------------------------------------------------------------
// JWKS

/// [`fetch_jwks`], or a skip without a document; also how long it took.
pub(super) async fn fetch_jwks_if(
    client: Option<&Client>,
    discovery: Option<&Discovery>,
) -> (Finding, Vec<Url>, std::time::Duration) {
    let started = Instant::now();
    let (finding, chain) = match (discovery, client) {
        (Some(discovery), Some(client)) => fetch_jwks(client, discovery).await,
        _ => (Finding::skip(JWKS, NO_DOCUMENT), Vec::new()),
    };
    (finding, chain, started.elapsed())
}

/// Fetches and judges the key set; also returns every URL requested for it (the first
/// and each redirect), for `oidc.https`.
pub(super) async fn fetch_jwks(client: &Client, discovery: &Discovery) -> (Finding, Vec<Url>) {
    let Some(text) = discovery.str("jwks_uri") else {
        return (
            Finding::fail(
                JWKS,
                "The document has no jwks_uri",
                "Without it no one can verify ID tokens: check the issuer URL",
            ),
            Vec::new(),
        );
    };
    let url = match http::parse_url(text) {
        Ok(url) => url,
        Err(err) => {
            return (
                Finding::fail(
                    JWKS,
                    format!("jwks_uri is not usable: {err}"),
                    "The IdP publishes a broken jwks_uri",
                ),
                Vec::new(),
            );
        }
    };
    let response = match client
        .send(Request::get(url.clone()).accept("application/json"))
        .await
    {
        Ok(response) => response,
        Err(err) => {
            return (
                Finding::fail(
                    JWKS,
                    format!("Could not fetch the signing keys: {err}"),
                    "The platform must fetch these keys to verify sign-ins: check that jwks_uri is reachable from here",
                ),
                vec![url],
            );
        }
    };
    let chain: Vec<Url> = std::iter::once(url)
        .chain(response.redirects.iter().cloned())
        .collect();
    let at = response.final_url.as_str();
    if !response.status.is_success() {
        return (
            Finding::fail(
                JWKS,
                format!("HTTP {} from {at}", response.status.as_u16()),
                "The IdP's jwks_uri does not serve the keys",
            ),
            chain,
        );
    }
    let algs: Vec<&str> = discovery
        .strings("id_token_signing_alg_values_supported")
        .unwrap_or_default();
    (jwks_body_finding(&response.body, &algs, at), chain)
}

/// `oidc.jwks` for the body of a successful `jwks_uri` answer: not JSON is a failure that
/// quotes its start, JSON is judged by [`jwks_finding`]. `at` is the URL that served it.
pub fn jwks_body_finding(body: &[u8], advertised_algs: &[&str], at: &str) -> Finding {
    match serde_json::from_slice::<Value>(body) {
        Ok(value) => jwks_finding(&value, advertised_algs),
        Err(err) => Finding::fail(
            JWKS,
            format!(
                "The signing keys are not valid JSON ({err}); the answer starts with {:?}: {at}",
                snippet(body)
            ),
            "The IdP's jwks_uri does not serve a JWK Set",
        ),
    }
}

/// Members that only a private or symmetric key has (RFC 7518 §6.2.2, §6.3.2, §6.4).
pub(super) const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// `oidc.jwks`: a JWK Set with at least one usable public signing key, unique `kid`s, no
/// private-key members and no symmetric (`oct`) keys; a key for each advertised
/// asymmetric algorithm family.
pub fn jwks_finding(jwks: &Value, advertised_algs: &[&str]) -> Finding {
    let Some(keys) = jwks.get("keys").and_then(Value::as_array) else {
        return Finding::fail(
            JWKS,
            format!(
                "Not a JWK Set: the answer is {} without a \"keys\" array",
                json_kind(jwks)
            ),
            "The IdP's jwks_uri must serve {\"keys\": [...]}",
        );
    };
    if keys.is_empty() {
        return Finding::fail(
            JWKS,
            "The JWK Set has no keys",
            "The IdP publishes no keys, so no ID token can be verified: check the IdP's signing key configuration",
        );
    }

    let scan = scan_keys(keys);
    if !scan.exposed.is_empty() {
        return Finding::fail(
            JWKS,
            format!(
                "The public key set contains private key material: {}",
                scan.exposed.join("; ")
            ),
            "Anyone can read this set and forge sign-ins with these keys: treat them as compromised, rotate the IdP's signing keys now, and publish only the public members",
        );
    }
    if !scan.symmetric.is_empty() {
        return Finding::fail(
            JWKS,
            format!(
                "The key set publishes symmetric (oct) keys: {}",
                scan.symmetric.join(", ")
            ),
            "A symmetric key is a shared secret; published, it lets anyone forge tokens. Remove it and rotate it",
        );
    }
    let duplicates = scan.duplicate_kids();
    if !duplicates.is_empty() {
        return Finding::fail(
            JWKS,
            format!("Several keys share a kid: {}", duplicates.join(", ")),
            "Clients pick the key by kid, so duplicates make token checks fail at random: give each key its own kid",
        );
    }
    if scan.signing == 0 {
        let why = if scan.malformed.is_empty() {
            String::new()
        } else {
            format!(" ({})", scan.malformed.join("; "))
        };
        return Finding::fail(
            JWKS,
            format!(
                "No usable public signing key among {}{why}",
                crate::diagnostics::words::count(keys.len(), "key", "keys")
            ),
            "The IdP publishes no key that can verify ID tokens: check its signing key configuration",
        );
    }
    let signing = scan.signing;
    let notes = scan.notes(advertised_algs);
    if notes.is_empty() {
        Finding::pass(
            JWKS,
            format!(
                "{}, kids unique",
                crate::diagnostics::words::count(
                    signing,
                    "public signing key",
                    "public signing keys"
                )
            ),
        )
    } else {
        Finding::warn(
            JWKS,
            format!(
                "{}, but: {}",
                crate::diagnostics::words::count(
                    signing,
                    "public signing key",
                    "public signing keys"
                ),
                notes.join("; ")
            ),
            "Review the IdP's signing keys",
        )
    }
}

/// What a pass over the keys of a JWK Set found.
#[derive(Default)]
pub(super) struct KeyScan<'a> {
    exposed: Vec<String>,
    symmetric: Vec<String>,
    malformed: Vec<String>,
    weak: Vec<String>,
    kids: Vec<&'a str>,
    signing_kty: BTreeSet<&'a str>,
    signing: usize,
    signing_without_kid: usize,
}

impl KeyScan<'_> {
    pub(super) fn duplicate_kids(&self) -> Vec<&str> {
        let mut duplicates: Vec<&str> = self
            .kids
            .iter()
            .copied()
            .filter(|kid| self.kids.iter().filter(|k| *k == kid).count() > 1)
            .collect();
        duplicates.sort_unstable();
        duplicates.dedup();
        duplicates
    }

    /// Things worth a warning in an otherwise usable set.
    pub(super) fn notes(self, advertised_algs: &[&str]) -> Vec<String> {
        let mut notes: Vec<String> = Vec::new();
        notes.extend(self.weak);
        notes.extend(self.malformed);
        if self.signing > 1 && self.signing_without_kid > 0 {
            notes.push(format!(
                "{} without a kid, which clients cannot pick reliably",
                crate::diagnostics::words::count(
                    self.signing_without_kid,
                    "signing key",
                    "signing keys"
                )
            ));
        }
        let asymmetric: Vec<&str> = advertised_algs
            .iter()
            .copied()
            .filter(|alg| alg_kty(alg).is_some())
            .collect();
        let uncovered: Vec<&str> = asymmetric
            .iter()
            .copied()
            .filter(|alg| alg_kty(alg).is_some_and(|kty| !self.signing_kty.contains(kty)))
            .collect();
        if !uncovered.is_empty() && uncovered.len() == asymmetric.len() {
            notes.push(format!(
                "no key for the advertised algorithm(s) {}",
                uncovered.join(", ")
            ));
        }
        notes
    }
}

pub(super) fn scan_keys(keys: &[Value]) -> KeyScan<'_> {
    let mut scan = KeyScan::default();

    for (index, key) in keys.iter().enumerate() {
        let Some(key) = key.as_object() else {
            scan.malformed
                .push(format!("key #{} is not an object", index + 1));
            continue;
        };
        let kid = key.get("kid").and_then(Value::as_str);
        let name = kid.map_or_else(
            || format!("key #{}", index + 1),
            |kid| format!("kid {kid:?}"),
        );
        if let Some(kid) = kid {
            scan.kids.push(kid);
        }
        let private: Vec<&str> = PRIVATE_MEMBERS
            .iter()
            .copied()
            .filter(|m| key.contains_key(*m))
            .collect();
        let kty = key.get("kty").and_then(Value::as_str);
        if kty == Some("oct") {
            scan.symmetric.push(name.clone());
            continue;
        }
        if !private.is_empty() {
            scan.exposed
                .push(format!("{name} ({})", private.join(", ")));
        }
        let for_encryption = key.get("use").and_then(Value::as_str) == Some("enc")
            || key.get("alg").and_then(Value::as_str).is_some_and(|alg| {
                alg.starts_with("RSA-OAEP") || alg.starts_with("ECDH") || alg == "RSA1_5"
            });
        let well_formed = match kty {
            Some("RSA") => {
                let members = has_all(key, &["n", "e"]);
                if members
                    && let Some(bits) = rsa_bits(key)
                    && bits < 2048
                {
                    scan.weak.push(format!("{name} is a {bits}-bit RSA key"));
                }
                members
            }
            Some("EC") => has_all(key, &["crv", "x", "y"]),
            Some("OKP") => has_all(key, &["crv", "x"]),
            Some(_) => true,
            None => false,
        };
        if !well_formed {
            scan.malformed
                .push(format!("{name} lacks members its type needs"));
            continue;
        }
        if let Some(kty @ ("RSA" | "EC" | "OKP")) = kty
            && !for_encryption
        {
            scan.signing += 1;
            scan.signing_kty.insert(kty);
            if kid.is_none() {
                scan.signing_without_kid += 1;
            }
        }
    }
    scan
}

pub(super) fn has_all(key: &Map<String, Value>, members: &[&str]) -> bool {
    members.iter().all(|m| {
        key.get(*m)
            .and_then(Value::as_str)
            .is_some_and(|v| !v.is_empty())
    })
}

pub(super) fn rsa_bits(key: &Map<String, Value>) -> Option<usize> {
    use base64::Engine as _;
    let n = key.get("n")?.as_str()?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(n.trim_end_matches('='))
        .ok()?;
    let leading = bytes.iter().take_while(|b| **b == 0).count();
    Some((bytes.len() - leading) * 8)
}

pub(super) fn alg_kty(alg: &str) -> Option<&'static str> {
    match alg {
        a if a.starts_with("RS") || a.starts_with("PS") => Some("RSA"),
        a if a.starts_with("ES") => Some("EC"),
        "EdDSA" | "Ed25519" | "Ed448" => Some("OKP"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Status;
    use serde_json::json;

    /// A base64url RSA modulus of `bits` bits (all ones).
    fn modulus(bits: usize) -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(vec![0xff_u8; bits / 8])
    }

    fn rsa_key(kid: &str) -> Value {
        json!({"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256", "e": "AQAB", "n": modulus(2048)})
    }

    #[test]
    fn jwks_with_a_public_key_passes() {
        let f = jwks_finding(&json!({"keys": [rsa_key("a"), rsa_key("b")]}), &["RS256"]);
        assert_eq!(f.status, Status::Pass, "{}", f.detail);
        let f = jwks_finding(&json!({"keys": [rsa_key("a")]}), &["ES256"]);
        assert_eq!(f.status, Status::Warn, "{}", f.detail);
        assert!(
            f.detail
                .contains("no key for the advertised algorithm(s) ES256"),
            "{}",
            f.detail
        );
    }

    #[test]
    fn jwks_private_members_fail_and_are_named() {
        let mut key = rsa_key("leaky");
        key["d"] = json!("secret");
        key["qi"] = json!("secret");
        let f = jwks_finding(&json!({"keys": [key]}), &[]);
        assert_eq!(f.status, Status::Fail);
        assert!(
            f.detail.contains("leaky") && f.detail.contains("d, qi"),
            "{}",
            f.detail
        );
        assert!(f.fix.contains("rotate"), "{}", f.fix);
    }

    #[test]
    fn jwks_oct_key_fails() {
        let f = jwks_finding(
            &json!({"keys": [rsa_key("a"), {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"}]}),
            &[],
        );
        assert_eq!(f.status, Status::Fail);
        assert!(
            f.detail.contains("symmetric") && f.detail.contains("hmac"),
            "{}",
            f.detail
        );
    }

    #[test]
    fn jwks_duplicate_kids_and_no_signing_key_fail() {
        let f = jwks_finding(&json!({"keys": [rsa_key("same"), rsa_key("same")]}), &[]);
        assert_eq!(f.status, Status::Fail);
        assert!(f.detail.contains("same"));
        let f = jwks_finding(
            &json!({"keys": [{"kty": "RSA", "kid": "e", "use": "enc", "n": "abc", "e": "AQAB"}]}),
            &[],
        );
        assert_eq!(f.status, Status::Fail);
        let f = jwks_finding(&json!({"keys": []}), &[]);
        assert_eq!(f.status, Status::Fail);
        let f = jwks_finding(&json!([1, 2]), &[]);
        assert_eq!(f.status, Status::Fail);
        assert!(f.detail.contains("an array"), "{}", f.detail);
    }

    #[test]
    fn jwks_weak_rsa_key_warns() {
        let key = json!({"kty": "RSA", "kid": "small", "e": "AQAB", "n": modulus(1024)});
        let f = jwks_finding(&json!({"keys": [key]}), &[]);
        assert_eq!(f.status, Status::Warn);
        assert!(f.detail.contains("1024-bit"), "{}", f.detail);
    }
}

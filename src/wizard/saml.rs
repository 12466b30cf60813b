//! Rules of the SAML sign-in steps: which ACS URL and SP entity id the platform expects
//! for a tenant, and how the values pasted from the IdP compare with them.

use crate::catalog::Platform;
use crate::model::Profile;
use crate::wizard::sso::{RedirectDifference, compare_redirect_uris};

/// One of the two values the IdP's SAML app must hold, exactly as the platform gives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpValue {
    /// The ACS (reply) URL: Entra's Reply URL, Okta's Single sign-on URL.
    AcsUrl,
    /// The SP entity id: Entra's Identifier (Entity ID), Okta's Audience URI.
    SpEntityId,
}

impl SpValue {
    /// How the window names it.
    pub fn label(self) -> &'static str {
        match self {
            Self::AcsUrl => "ACS URL",
            Self::SpEntityId => "SP entity id",
        }
    }
}

/// The value the platform expects for this tenant: the preset's fixed value, else the
/// one the admin copied from the platform; `None` while neither is known. A preset
/// pattern with placeholders counts as not known until the admin copies the real value.
pub fn expected(profile: &Profile, platform: &Platform, which: SpValue) -> Option<String> {
    let (preset, shown) = match which {
        SpValue::AcsUrl => (&platform.sso.acs_url, &profile.saml.platform_acs_url),
        SpValue::SpEntityId => (
            &platform.sso.sp_entity_id,
            &profile.saml.platform_sp_entity_id,
        ),
    };
    let preset = preset.trim();
    if !preset.is_empty() && !preset.contains('{') {
        return Some(preset.to_owned());
    }
    let shown = shown.trim();
    (!shown.is_empty()).then(|| shown.to_owned())
}

/// What the admin pasted from the IdP for `which`.
pub fn registered(profile: &Profile, which: SpValue) -> &str {
    match which {
        SpValue::AcsUrl => &profile.saml.registered_acs_url,
        SpValue::SpEntityId => &profile.saml.registered_sp_entity_id,
    }
}

/// Every difference between the expected value and the one registered in the IdP, with
/// the redirect URI helper's comparison (scheme, host, port, path, case, trailing slash);
/// empty when identical. An entity id that is not a URL (`urn:…`) must match exactly.
pub fn compare(expected: &str, registered: &str) -> Vec<RedirectDifference> {
    if expected.contains("://") {
        compare_redirect_uris(expected, registered)
    } else if expected.trim() == registered.trim() && registered.trim() == registered {
        Vec::new()
    } else {
        compare_redirect_uris(expected, registered)
    }
}

/// True when the SAML SSO app step holds what the metadata test needs and the values
/// the IdP was given match the platform's (or are not known yet).
pub fn sso_app_filled(profile: &Profile, platform: &Platform) -> bool {
    if profile.saml.metadata.trim().is_empty() {
        return false;
    }
    [SpValue::AcsUrl, SpValue::SpEntityId]
        .into_iter()
        .all(|which| {
            let registered = registered(profile, which);
            match expected(profile, platform, which) {
                Some(expected) if !registered.is_empty() => {
                    compare(&expected, registered).is_empty()
                }
                _ => true,
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::catalog;
    use crate::model::{IdpId, PlatformId};

    fn aws() -> Profile {
        Profile::new(
            "aws".to_owned(),
            "AWS".to_owned(),
            PlatformId::AwsIamIdentityCenter,
            IdpId::Entra,
            chrono::Utc::now(),
        )
    }

    #[test]
    fn per_tenant_values_come_from_what_the_admin_copied() {
        let platform = catalog().platform(PlatformId::AwsIamIdentityCenter);
        let mut profile = aws();
        assert_eq!(expected(&profile, platform, SpValue::AcsUrl), None);
        profile.saml.platform_acs_url =
            " https://eu-west-1.signin.aws.amazon.com/platform/saml/acs/abc ".into();
        assert_eq!(
            expected(&profile, platform, SpValue::AcsUrl).as_deref(),
            Some("https://eu-west-1.signin.aws.amazon.com/platform/saml/acs/abc")
        );
    }

    #[test]
    fn differences_are_named() {
        let want = "https://sp.example/saml/acs";
        assert!(compare(want, want).is_empty());
        let messages: Vec<String> = compare(want, "https://sp.example/saml/acs/")
            .iter()
            .map(RedirectDifference::message)
            .collect();
        assert!(messages.iter().any(|m| m.contains("slash")), "{messages:?}");
        assert!(!compare("urn:amazon:webservices", "urn:amazon:webservices ").is_empty());
        assert!(compare("urn:amazon:webservices", "urn:amazon:webservices").is_empty());
    }

    #[test]
    fn filled_needs_metadata_and_no_mismatch() {
        let platform = catalog().platform(PlatformId::AwsIamIdentityCenter);
        let mut profile = aws();
        assert!(!sso_app_filled(&profile, platform));
        profile.saml.metadata = "/tmp/metadata.xml".into();
        assert!(sso_app_filled(&profile, platform));
        profile.saml.platform_acs_url = "https://sp.example/acs".into();
        profile.saml.registered_acs_url = "http://sp.example/acs".into();
        assert!(!sso_app_filled(&profile, platform));
    }
}

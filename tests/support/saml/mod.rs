//! SAML IdP metadata made at test time, shared by the SAML test binaries: self-signed
//! signing certificates with chosen dates, and the metadata document that carries them.

use base64::Engine as _;
use chrono::{DateTime, Datelike as _, Utc};

/// The IdP entity id the fixtures' metadata declares (Entra's form).
pub const ENTITY: &str = "https://sts.windows.net/0f4e3d2c-1b0a-4987-8654-3210fedcba98/";

/// A self-signed certificate valid from `from` to `until`, as metadata carries it (base64
/// DER, no PEM armour).
pub fn cert(subject: &str, from: DateTime<Utc>, until: DateTime<Utc>) -> String {
    let day = |at: DateTime<Utc>| {
        rcgen::date_time_ymd(
            at.year(),
            u8::try_from(at.month()).unwrap_or(1),
            u8::try_from(at.day()).unwrap_or(1),
        )
    };
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new())
        .unwrap_or_else(|err| panic!("params: {err}"));
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, subject);
    params.not_before = day(from);
    params.not_after = day(until);
    let key = rcgen::KeyPair::generate().unwrap_or_else(|err| panic!("key: {err}"));
    let cert = params
        .self_signed(&key)
        .unwrap_or_else(|err| panic!("cert: {err}"));
    base64::engine::general_purpose::STANDARD.encode(cert.der())
}

pub fn days(n: i64) -> DateTime<Utc> {
    Utc::now() + chrono::Duration::days(n)
}

/// IdP metadata with these signing certificates (base64 DER) and sign-in location.
#[expect(
    clippy::format_collect,
    reason = "a test fixture; clarity over one allocation per certificate"
)]
pub fn metadata(certs: &[String], location: &str, signed: bool) -> String {
    let keys: String = certs
        .iter()
        .map(|c| {
            format!(
                r#"<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>
{c}
</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"#
            )
        })
        .collect();
    let signature = if signed {
        "<ds:Signature><ds:SignedInfo/><ds:SignatureValue>AAAA</ds:SignatureValue></ds:Signature>"
    } else {
        ""
    };
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{ENTITY}">{signature}
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    {keys}
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="{location}"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"#
    )
}

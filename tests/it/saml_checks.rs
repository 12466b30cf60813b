//! The SAML metadata test (`check saml`, `probes::saml`) on metadata made at test time:
//! signing certificates that expire in 5, 20 and 730 days or already expired, a rollover,
//! no certificate, the wrong entity id, an HTML page, XXE and entity-expansion bombs, a
//! 1 GiB body, a silent server — each a clear finding, quickly, never a hang or a read of
//! a local file.

#![expect(
    clippy::disallowed_methods,
    reason = "tests wait for their reports (tokio::test blocks on its runtime)"
)]

use crate::hostile;
use crate::samldata;

use std::fmt::Write as _;
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::Utc;
use hostile::{Framing, Reply};
use samldata::{ENTITY, cert, days, metadata};
use sso_scim_wizard::diagnostics::{Report, Status};
use sso_scim_wizard::probes::http::Policy;
use sso_scim_wizard::probes::saml::{self, MetadataSource, SamlInput};

fn run(input: &SamlInput) -> Report {
    let runtime = tokio::runtime::Runtime::new().unwrap_or_else(|err| panic!("runtime: {err}"));
    runtime.block_on(saml::check(
        input,
        Policy::with_timeout_secs(3),
        Utc::now(),
        &|_| {},
    ))
}

fn from_text(text: &str, expected: Option<&str>) -> Report {
    let dir = tempfile::tempdir().unwrap_or_else(|err| panic!("{err}"));
    let path = dir.path().join("metadata.xml");
    std::fs::write(&path, text).unwrap_or_else(|err| panic!("{err}"));
    run(&SamlInput {
        metadata: MetadataSource::File(path),
        expected_entity_id: expected.map(str::to_owned),
    })
}

fn status(report: &Report, id: &str) -> Status {
    report
        .finding(id)
        .unwrap_or_else(|| panic!("{id} missing: {}", report.to_text()))
        .status
}

fn detail(report: &Report, id: &str) -> String {
    let finding = report.finding(id).unwrap_or_else(|| panic!("{id} missing"));
    format!("{} {}", finding.detail, finding.fix)
}

const LOGIN: &str = "https://login.microsoftonline.com/x/saml2";

#[test]
fn certificate_severity_follows_the_product_rule() {
    for (until, expected) in [
        (730, Status::Pass),
        (20, Status::Warn),
        (5, Status::Fail),
        (-3, Status::Fail),
    ] {
        let text = metadata(
            &[cert(
                "CN=Microsoft Azure Federated SSO Certificate",
                days(-30),
                days(until),
            )],
            LOGIN,
            true,
        );
        let report = from_text(&text, Some(ENTITY));
        assert_eq!(
            status(&report, saml::SIGNING_CERT),
            expected,
            "a certificate ending in {until} days: {}",
            report.to_text()
        );
        if until < 0 {
            assert!(detail(&report, saml::SIGNING_CERT).contains("expired"));
        }
    }
}

#[test]
fn a_rollover_warns_with_the_date_the_new_certificate_must_be_trusted_by() {
    let old_until = days(12);
    let text = metadata(
        &[
            cert("CN=old", days(-1000), old_until),
            cert("CN=new", days(-1), days(1095)),
        ],
        LOGIN,
        true,
    );
    let report = from_text(&text, None);
    assert_eq!(status(&report, saml::SIGNING_CERT), Status::Warn);
    let words = detail(&report, saml::SIGNING_CERT);
    assert!(words.contains("rollover"), "{words}");
    assert!(
        words.contains(&old_until.format("%Y-%m-%d").to_string()),
        "names the date: {words}"
    );
}

#[test]
fn a_healthy_document_passes_and_names_what_the_platform_needs() {
    let text = metadata(&[cert("CN=idp", days(-1), days(730))], LOGIN, true);
    let report = from_text(&text, Some(ENTITY));
    assert!(!report.has_failures(), "{}", report.to_text());
    assert_eq!(status(&report, saml::ENTITY_ID), Status::Pass);
    assert_eq!(status(&report, saml::SSO_SERVICE), Status::Pass);
    assert!(detail(&report, saml::NAMEID_FORMAT).contains("emailAddress"));
    assert_eq!(status(&report, saml::METADATA_SIGNATURE), Status::Pass);
}

#[test]
fn wrong_entity_id_missing_certificate_and_http_endpoint_fail() {
    let text = metadata(&[], "http://idp.example/sso", false);
    let report = from_text(&text, Some(&ENTITY.to_uppercase()));
    assert_eq!(status(&report, saml::ENTITY_ID), Status::Fail);
    assert!(detail(&report, saml::ENTITY_ID).contains("letter case"));
    assert_eq!(status(&report, saml::SIGNING_CERT), Status::Fail);
    assert_eq!(status(&report, saml::SSO_SERVICE), Status::Fail);
    assert_eq!(status(&report, saml::METADATA_SIGNATURE), Status::Warn);
}

#[test]
fn xxe_and_entity_bombs_are_refused_quickly_without_reading_files() {
    let xxe = r#"<?xml version="1.0"?>
<!DOCTYPE md [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="&x;"/>"#;
    let mut bomb =
        String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n");
    for level in 1..10 {
        let previous = if level == 1 {
            "lol".to_owned()
        } else {
            format!("lol{}", level - 1)
        };
        let _ = writeln!(
            bomb,
            "<!ENTITY lol{level} \"{}\">",
            format!("&{previous};").repeat(10)
        );
    }
    bomb.push_str("]>\n<lolz>&lol9;</lolz>");
    for (name, text) in [("XXE", xxe.to_owned()), ("billion laughs", bomb)] {
        let started = Instant::now();
        let report = from_text(&text, None);
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{name} took {:?}",
            started.elapsed()
        );
        assert_eq!(
            status(&report, saml::METADATA_FETCH),
            Status::Fail,
            "{name}"
        );
        let words = detail(&report, saml::METADATA_FETCH);
        assert!(words.contains("DTD"), "{name}: {words}");
        assert!(
            !report.to_json().contains("root:"),
            "{name}: a local file leaked into the report"
        );
        assert_eq!(status(&report, saml::SIGNING_CERT), Status::Skip, "{name}");
    }
}

#[tokio::test]
async fn html_a_huge_body_and_a_silent_server_are_findings_not_hangs() {
    let html =
        hostile::serve(|_| Reply::new(200, "text/html", "<html><body>Sign in</body></html>")).await;
    let huge = hostile::serve(|_| Reply::Huge {
        content_type: "application/xml",
        bytes: 1 << 30,
        framing: Framing::Length,
    })
    .await;
    let silent = hostile::silent_socket().await;
    for (name, base, words) in [
        ("HTML", html.base.clone(), "HTML"),
        ("1 GiB", huge.base.clone(), "larger"),
        ("silent", silent.base.clone(), "no answer"),
    ] {
        let input = SamlInput {
            metadata: MetadataSource::Url(format!("{base}/federationmetadata.xml")),
            expected_entity_id: None,
        };
        let started = Instant::now();
        let report = saml::check(&input, Policy::with_timeout_secs(3), Utc::now(), &|_| {}).await;
        assert!(
            started.elapsed() < Duration::from_secs(8),
            "{name}: {:?}",
            started.elapsed()
        );
        assert_eq!(
            status(&report, saml::METADATA_FETCH),
            Status::Fail,
            "{name}"
        );
        let detail = detail(&report, saml::METADATA_FETCH);
        assert!(detail.contains(words), "{name}: {detail}");
    }
    assert!(
        huge.streamed_bytes() < 64 << 20,
        "the 1 GiB body was read far past the cap"
    );
}

#[tokio::test]
async fn metadata_over_loopback_http_is_read_and_judged() {
    let text = metadata(&[cert("CN=idp", days(-1), days(400))], LOGIN, false);
    let server =
        hostile::serve(move |_| Reply::new(200, "application/samlmetadata+xml", text.clone()))
            .await;
    let input = SamlInput {
        metadata: MetadataSource::Url(format!("{}/metadata", server.base)),
        expected_entity_id: Some(ENTITY.to_owned()),
    };
    let report = saml::check(&input, Policy::default(), Utc::now(), &|_| {}).await;
    assert_eq!(
        status(&report, saml::METADATA_FETCH),
        Status::Pass,
        "{}",
        report.to_text()
    );
    assert_eq!(
        status(&report, saml::HTTPS),
        Status::Warn,
        "loopback http is a warning"
    );
    assert_eq!(status(&report, saml::SIGNING_CERT), Status::Pass);
}

#[test]
fn the_command_line_prints_one_json_document_and_exits_1_on_failure() {
    let dir = tempfile::tempdir().unwrap_or_else(|err| panic!("{err}"));
    let path = dir.path().join("idp.xml");
    std::fs::write(
        &path,
        metadata(&[cert("CN=idp", days(-400), days(3))], LOGIN, true),
    )
    .unwrap_or_else(|err| panic!("{err}"));
    let output = Command::new(env!("CARGO_BIN_EXE_sso-scim-wizard"))
        .args(["check", "saml", "--metadata"])
        .arg(&path)
        .args(["--entity-id", ENTITY, "--json"])
        .env("SSO_SCIM_WIZARD_CONFIG_DIR", dir.path())
        .output()
        .unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|err| panic!("{err}: {}", String::from_utf8_lossy(&output.stdout)));
    assert_eq!(report["kind"], "saml");
    assert_eq!(report["checks"].as_array().map(Vec::len), Some(7));

    // A platform that signs in with OIDC is a usage error.
    let output = Command::new(env!("CARGO_BIN_EXE_sso-scim-wizard"))
        .args(["check", "saml", "--metadata"])
        .arg(&path)
        .args(["--platform", "airia"])
        .env("SSO_SCIM_WIZARD_CONFIG_DIR", dir.path())
        .output()
        .unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(output.status.code(), Some(2));
}

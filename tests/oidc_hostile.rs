//! The OIDC checks against bad and hostile servers, each a tiny server written here on
//! 127.0.0.1:0 (no test peer is involved). Every case must end in its own clear finding,
//! within the timeout, with every OIDC check id in the report and no panic.

#![expect(
    clippy::disallowed_methods,
    reason = "#[tokio::test] blocks on the test's own runtime, not on a frame"
)]
#![expect(
    clippy::unwrap_used,
    reason = "test set-up on 127.0.0.1 that cannot fail in a working sandbox"
)]

use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sso_scim_wizard::diagnostics::{Finding, Report, Status, check_ids};
use sso_scim_wizard::probes::http::Policy;
use sso_scim_wizard::probes::oidc::{self, OidcInput};
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _};
use tokio::net::TcpListener;

/// What the tiny server answers to one request.
#[derive(Clone)]
enum Reply {
    /// A complete answer.
    Http {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: Vec<u8>,
    },
    /// A 200 JSON answer of `bytes` bytes without a length, streamed until the client
    /// hangs up.
    Stream { bytes: usize },
    /// Reads the request and never answers.
    Silent,
}

fn json_reply(value: &Value) -> Reply {
    Reply::Http {
        status: 200,
        headers: vec![("Content-Type", "application/json".to_owned())],
        body: value.to_string().into_bytes(),
    }
}

type Route = dyn Fn(&str, &str) -> Reply + Send + Sync;

struct Server {
    base: String,
    /// Body bytes written by `Reply::Stream` before the client hung up.
    streamed: Arc<AtomicUsize>,
}

/// A server on 127.0.0.1:0 answering `route(base, path)`, one request per connection.
async fn serve(route: impl Fn(&str, &str) -> Reply + Send + Sync + 'static) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let streamed = Arc::new(AtomicUsize::new(0));
    let route: Arc<Route> = Arc::new(route);
    let (task_base, task_streamed) = (base.clone(), streamed.clone());
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (route, base, streamed) = (route.clone(), task_base.clone(), task_streamed.clone());
            tokio::spawn(async move { answer(stream, &*route, &base, &streamed).await });
        }
    });
    Server { base, streamed }
}

async fn answer<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    route: &Route,
    base: &str,
    streamed: &AtomicUsize,
) {
    let Some(path) = read_path(&mut stream).await else {
        return;
    };
    match route(base, &path) {
        Reply::Http {
            status,
            headers,
            body,
        } => {
            let mut head = format!(
                "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
                body.len()
            );
            for (name, value) in headers {
                let _ = write!(head, "{name}: {value}\r\n");
            }
            head.push_str("\r\n");
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(&body).await;
            let _ = stream.shutdown().await;
        }
        Reply::Stream { bytes } => {
            let head =
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n";
            if stream.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let chunk = vec![b' '; 64 * 1024];
            let mut sent = 0;
            while sent < bytes {
                if stream.write_all(&chunk).await.is_err() {
                    break;
                }
                sent += chunk.len();
                streamed.store(sent, Ordering::SeqCst);
            }
        }
        Reply::Silent => {
            tokio::time::sleep(Duration::from_mins(2)).await;
        }
    }
}

/// The request path; `None` (after a 400, as real HTTP servers do) for anything that is
/// not an HTTP request, such as a TLS `ClientHello`.
async fn read_path<S: AsyncRead + AsyncWrite + Unpin>(stream: &mut S) -> Option<String> {
    let mut head = Vec::new();
    let mut buf = [0_u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let read = stream.read(&mut buf).await.ok()?;
        if read == 0 || head.len() > 64 * 1024 {
            return None;
        }
        head.extend_from_slice(&buf[..read]);
        if !head[0].is_ascii_uppercase() {
            let _ = stream
                .write_all(
                    b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
                )
                .await;
            return None;
        }
    }
    let text = String::from_utf8_lossy(&head);
    text.lines()
        .next()?
        .split_whitespace()
        .nth(1)
        .map(str::to_owned)
}

/// A complete, valid discovery document for an issuer served at `base`.
fn document(base: &str) -> Value {
    json!({
        "issuer": base,
        "authorization_endpoint": format!("{base}/auth"),
        "token_endpoint": format!("{base}/token"),
        "jwks_uri": format!("{base}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "profile", "email"],
    })
}

fn public_rsa_key(kid: &str) -> Value {
    // A 2048-bit modulus of 0xff bytes in base64url: the checks look at shape, not math.
    let modulus = format!("{}w", "_".repeat(341));
    json!({"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256", "e": "AQAB", "n": modulus})
}

async fn run(issuer: &str, timeout_secs: u64) -> Report {
    let input = OidcInput {
        issuer: issuer.to_owned(),
        ..OidcInput::default()
    };
    oidc::check(&input, Policy::with_timeout_secs(timeout_secs), &|_| {}).await
}

fn finding<'a>(report: &'a Report, id: &str) -> &'a Finding {
    report
        .finding(id)
        .unwrap_or_else(|| panic!("{id} missing:\n{}", report.to_text()))
}

/// Discovery failed with `words` in the detail; every other check that needs the
/// document is skipped with a reason, and every check id is there.
fn assert_discovery_failed(report: &Report, words: &[&str]) {
    let ids: Vec<&str> = report.checks.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(
        ids,
        check_ids::OIDC
            .iter()
            .map(|(id, _)| *id)
            .collect::<Vec<_>>()
    );
    let fetch = finding(report, "oidc.discovery_fetch");
    assert_eq!(fetch.status, Status::Fail, "{}", fetch.detail);
    for word in words {
        assert!(
            fetch.detail.contains(word),
            "{word:?} not in {:?}",
            fetch.detail
        );
    }
    assert!(!fetch.fix.is_empty(), "a failure says how to fix it");
    for id in [
        "oidc.issuer_match",
        "oidc.required_metadata",
        "oidc.signing_algs",
        "oidc.jwks",
        "oidc.scopes",
        "oidc.client_auth",
    ] {
        let skipped = finding(report, id);
        assert_eq!(skipped.status, Status::Skip, "{id}");
        assert!(!skipped.detail.is_empty(), "{id} says why it was skipped");
    }
}

#[tokio::test]
async fn nothing_listening_is_a_refused_connection() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let report = run(&format!("http://{address}"), 5).await;
    assert_discovery_failed(&report, &["Connection failed", "nothing is listening"]);
}

#[tokio::test]
async fn unresolvable_host_is_a_dns_failure() {
    // `.invalid` never resolves (RFC 6761 §6.4), with or without a network.
    let report = run("https://login.ssw-test.invalid/tenant/v2.0", 5).await;
    assert_discovery_failed(&report, &["DNS lookup failed", "login.ssw-test.invalid"]);
    assert!(
        finding(&report, "oidc.discovery_fetch")
            .fix
            .contains("spelling")
    );
    assert_eq!(finding(&report, "oidc.https").status, Status::Pass);
}

#[tokio::test]
async fn plain_http_server_on_an_https_url_is_a_tls_failure() {
    let server = serve(|base, _| json_reply(&document(base))).await;
    let https = server.base.replace("http://", "https://");
    let report = run(&https, 5).await;
    assert_discovery_failed(&report, &["TLS handshake failed", "does not speak TLS"]);
}

/// A throw-away self-signed certificate for 127.0.0.1 and its key, made for this test
/// only (`openssl req -x509 -newkey ec … -days 36500`); nothing trusts it.
const SELF_SIGNED_CERT: &str = "-----BEGIN CERTIFICATE-----
MIIBrjCCAVWgAwIBAgIUP2f56alKGBanw67868d8dt7zWK4wCgYIKoZIzj0EAwIw
HjEcMBoGA1UEAwwTc3N3LXNlbGZzaWduZWQtdGVzdDAgFw0yNjExMjMxMjExMjFa
GA8yMTI2MTAzMDEyMTEyMVowHjEcMBoGA1UEAwwTc3N3LXNlbGZzaWduZWQtdGVz
dDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABJDRwcaW3nIA7CQzn4akv7xY79Iu
F1mEvUIuF7AmWYoUNTyMTmPEv7/oG8Lxsd9z12JgiZwZSdniC2nEx79Pm6ejbzBt
MB0GA1UdDgQWBBQk8wFwLX+D8uauTHNBIVJKDulvZzAfBgNVHSMEGDAWgBQk8wFw
LX+D8uauTHNBIVJKDulvZzAPBgNVHRMBAf8EBTADAQH/MBoGA1UdEQQTMBGHBH8A
AAGCCWxvY2FsaG9zdDAKBggqhkjOPQQDAgNHADBEAiBPJ/dOnW1qwWaRmkfY86iF
ce5MSuOyC1K8L2mJ9Afh8QIgPZ17BSLUSpF7ToXyWSqWVOLDy1kFwnX3gqb4q7UP
/tw=
-----END CERTIFICATE-----
";
const SELF_SIGNED_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg50VsUtkom10AcYgP
4snT/tn4VH7963pdI6mse6ZcGJqhRANCAASQ0cHGlt5yAOwkM5+GpL+8WO/SLhdZ
hL1CLhewJlmKFDU8jE5jxL+/6BvC8bHfc9diYImcGUnZ4gtpxMe/T5un
-----END PRIVATE KEY-----
";

#[tokio::test]
async fn self_signed_certificate_is_a_tls_failure() {
    use tokio_rustls::rustls::pki_types::pem::PemObject as _;
    use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

    let cert = CertificateDer::from_pem_slice(SELF_SIGNED_CERT.as_bytes()).unwrap();
    let key = PrivateKeyDer::from_pem_slice(SELF_SIGNED_KEY.as_bytes()).unwrap();
    let config = tokio_rustls::rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("https://{}", listener.local_addr().unwrap());
    let served = Arc::new(AtomicUsize::new(0));
    let task_base = base.clone();
    let task_served = served.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (acceptor, base, served) =
                (acceptor.clone(), task_base.clone(), task_served.clone());
            tokio::spawn(async move {
                if let Ok(tls) = acceptor.accept(stream).await {
                    served.fetch_add(1, Ordering::SeqCst);
                    answer(
                        tls,
                        &|b: &str, _: &str| json_reply(&document(b)),
                        &base,
                        &AtomicUsize::new(0),
                    )
                    .await;
                }
            });
        }
    });
    let report = run(&base, 5).await;
    assert_discovery_failed(&report, &["TLS handshake failed", "self-signed"]);
    assert_eq!(
        served.load(Ordering::SeqCst),
        0,
        "no request got through the handshake"
    );
}

#[tokio::test]
async fn html_page_is_not_a_discovery_document() {
    let server = serve(|_, _| Reply::Http {
        status: 200,
        headers: vec![("Content-Type", "text/html; charset=utf-8".to_owned())],
        body: b"<!DOCTYPE html><html><body>Admin portal</body></html>".to_vec(),
    })
    .await;
    let report = run(&server.base, 5).await;
    assert_discovery_failed(
        &report,
        &[
            "An HTML page came back",
            "instead of the JSON discovery document",
        ],
    );
    assert!(
        finding(&report, "oidc.discovery_fetch")
            .fix
            .contains("portal")
    );
}

#[tokio::test]
async fn redirect_to_a_login_page_is_named() {
    let server = serve(|base, path| {
        if path.starts_with("/login") {
            Reply::Http {
                status: 200,
                headers: vec![("Content-Type", "text/html".to_owned())],
                body: b"<html><form>Sign in</form></html>".to_vec(),
            }
        } else {
            Reply::Http {
                status: 302,
                headers: vec![("Location", format!("{base}/login?return_to=%2Fportal"))],
                body: Vec::new(),
            }
        }
    })
    .await;
    let report = run(&format!("{}/portal", server.base), 5).await;
    assert_discovery_failed(
        &report,
        &["redirected to what looks like a sign-in page", "/login"],
    );
}

#[tokio::test]
async fn malformed_json_is_named() {
    let server = serve(|_, _| Reply::Http {
        status: 200,
        headers: vec![("Content-Type", "application/json".to_owned())],
        body: br#"{"issuer": "http://x", "jwks_uri": "#.to_vec(),
    })
    .await;
    let report = run(&server.base, 5).await;
    assert_discovery_failed(&report, &["not valid JSON", "EOF"]);
}

#[tokio::test]
async fn missing_document_is_a_404_with_path_advice() {
    let server = serve(|_, _| Reply::Http {
        status: 404,
        headers: Vec::new(),
        body: b"not found".to_vec(),
    })
    .await;
    let report = run(&format!("{}/tenant", server.base), 5).await;
    assert_discovery_failed(&report, &["HTTP 404"]);
    assert!(
        finding(&report, "oidc.discovery_fetch")
            .fix
            .contains("/v2.0")
    );
}

#[tokio::test]
async fn body_of_100_mb_is_capped_not_buffered() {
    const HUNDRED_MB: usize = 100 * 1024 * 1024;
    let server = serve(|_, _| Reply::Stream { bytes: HUNDRED_MB }).await;
    let started = Instant::now();
    let report = run(&server.base, 30).await;
    assert_discovery_failed(&report, &["Answer too large", "larger than 1048576 bytes"]);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
    // The client hung up soon after the cap: the server could not push the 100 MB.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let streamed = server.streamed.load(Ordering::SeqCst);
    assert!(streamed < HUNDRED_MB / 4, "{streamed} bytes were accepted");
}

#[tokio::test]
async fn announced_100_mb_body_is_refused_unread() {
    // Announces 100 MB and sends one byte: the cap must act on the header alone.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let _ = read_path(&mut stream).await;
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 104857600\r\n\r\n{";
            let _ = stream.write_all(head.as_bytes()).await;
            tokio::time::sleep(Duration::from_mins(1)).await;
        }
    });
    let started = Instant::now();
    let report = run(&base, 10).await;
    assert_discovery_failed(&report, &["Answer too large"]);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "refused at once, took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn silent_server_gives_a_finding_after_the_timeout() {
    let server = serve(|_, _| Reply::Silent).await;
    let started = Instant::now();
    let report = run(&server.base, 2).await;
    let elapsed = started.elapsed();
    assert_discovery_failed(&report, &["No answer in time", "2 s"]);
    assert!(
        elapsed >= Duration::from_secs(2) && elapsed < Duration::from_secs(6),
        "took {elapsed:?}"
    );
}

#[tokio::test]
async fn jwks_with_private_key_members_fails() {
    let server = serve(|base, path| match path {
        "/jwks" => {
            let mut key = public_rsa_key("leaked");
            key["d"] = json!("c2VjcmV0");
            key["p"] = json!("c2VjcmV0");
            json_reply(&json!({"keys": [key]}))
        }
        _ => json_reply(&document(base)),
    })
    .await;
    let report = run(&server.base, 5).await;
    let jwks = finding(&report, "oidc.jwks");
    assert_eq!(jwks.status, Status::Fail, "{}", jwks.detail);
    assert!(
        jwks.detail.contains("private key material") && jwks.detail.contains("\"leaked\" (d, p)"),
        "{}",
        jwks.detail
    );
    // Only the key set is wrong.
    assert_eq!(
        finding(&report, "oidc.discovery_fetch").status,
        Status::Pass
    );
    assert_eq!(finding(&report, "oidc.issuer_match").status, Status::Pass);
    assert_eq!(report.summary.fail, 1, "{}", report.to_text());
}

#[tokio::test]
async fn jwks_with_a_symmetric_oct_key_fails() {
    let server = serve(|base, path| match path {
        "/jwks" => json_reply(&json!({"keys": [public_rsa_key("rsa"), {"kty": "oct", "kid": "shared", "k": "c2VjcmV0"}]})),
        _ => json_reply(&document(base)),
    })
    .await;
    let report = run(&server.base, 5).await;
    let jwks = finding(&report, "oidc.jwks");
    assert_eq!(jwks.status, Status::Fail, "{}", jwks.detail);
    assert!(
        jwks.detail.contains("symmetric (oct)") && jwks.detail.contains("shared"),
        "{}",
        jwks.detail
    );
}

#[tokio::test]
async fn jwks_that_is_html_fails() {
    let server = serve(|base, path| match path {
        "/jwks" => Reply::Http {
            status: 200,
            headers: vec![("Content-Type", "text/html".to_owned())],
            body: b"<html></html>".to_vec(),
        },
        _ => json_reply(&document(base)),
    })
    .await;
    let report = run(&server.base, 5).await;
    let jwks = finding(&report, "oidc.jwks");
    assert_eq!(jwks.status, Status::Fail);
    assert!(jwks.detail.contains("not valid JSON"), "{}", jwks.detail);
}

#[tokio::test]
async fn alg_none_is_a_failure() {
    let server = serve(|base, path| {
        if path == "/jwks" {
            return json_reply(&json!({"keys": [public_rsa_key("rsa")]}));
        }
        let mut doc = document(base);
        doc["id_token_signing_alg_values_supported"] = json!(["RS256", "none"]);
        json_reply(&doc)
    })
    .await;
    let report = run(&server.base, 5).await;
    let algs = finding(&report, "oidc.signing_algs");
    assert_eq!(algs.status, Status::Fail);
    assert!(algs.detail.contains("\"none\""), "{}", algs.detail);
    assert_eq!(report.summary.fail, 1, "{}", report.to_text());
}

#[tokio::test]
async fn a_secret_echoed_by_the_server_never_reaches_the_report() {
    const SECRET: &str = "echoed-secret-value-0042";
    let server = serve(|base, path| match path {
        "/token" => Reply::Http {
            status: 401,
            headers: vec![("Content-Type", "application/json".to_owned())],
            body: json!({"error": "invalid_client", "error_description": format!("bad secret {SECRET}")}).to_string().into_bytes(),
        },
        "/jwks" => json_reply(&json!({"keys": [public_rsa_key("rsa")]})),
        _ => json_reply(&document(base)),
    })
    .await;
    let input = OidcInput {
        issuer: server.base.clone(),
        client_id: Some("app".to_owned()),
        client_secret: Some(sso_scim_wizard::secrets::Secret::new(SECRET)),
        ..OidcInput::default()
    };
    let report = oidc::check(&input, Policy::with_timeout_secs(5), &|_| {}).await;
    assert_eq!(finding(&report, "oidc.client_auth").status, Status::Fail);
    assert!(!report.to_json().contains(SECRET), "{}", report.to_json());
    assert!(
        finding(&report, "oidc.client_auth")
            .detail
            .contains("bad secret …")
    );
}

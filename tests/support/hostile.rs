//! One hostile HTTP server on loopback for the network tests (included with `#[path]` by
//! `hostile_network.rs`, `oidc_hostile.rs` and `scim_hostile.rs`).
//!
//! It answers one request per connection with whatever the test's route returns: a
//! complete answer, raw bytes, silence, a 1 byte/s drip, or a huge body generated on the
//! fly from one 64 KiB buffer (never held whole). It keeps everything it received, head
//! and body, so a test can show what a second host was (not) sent. It listens on
//! 127.0.0.1 or `[::1]`, plain or with TLS under a self-signed certificate nothing trusts,
//! or accepts connections and never reads them. It only ever binds loopback addresses.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _};
use tokio::net::TcpListener;

/// Bytes a test server writes per body chunk.
const CHUNK_BYTES: usize = 64 * 1024;
/// A request head longer than this is not HTTP from our client.
const MAX_HEAD_BYTES: usize = 64 * 1024;
/// How long a silent server holds a connection: longer than any test waits.
const HOLD: Duration = Duration::from_mins(2);

/// One request as the server read it.
#[derive(Clone, Debug)]
pub struct Seen {
    /// The base URL of the server that read it (`http://127.0.0.1:PORT`), for routes
    /// that need to name themselves.
    pub base: String,
    /// `GET`, `POST`…
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    /// Header names (lower-cased) and values, in order.
    pub headers: Vec<(String, String)>,
    /// Everything received on the connection before answering, head and body.
    pub raw: Vec<u8>,
}

impl Seen {
    /// The path without the query.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }

    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The `Authorization` header, if any.
    pub fn authorization(&self) -> Option<&str> {
        self.header("authorization")
    }

    /// True when the request carried `Authorization: Bearer <token>`.
    pub fn has_bearer(&self, token: &str) -> bool {
        self.authorization() == Some(&format!("Bearer {token}"))
    }

    /// True when `needle` occurs anywhere in what was received (head or body).
    pub fn received(&self, needle: &str) -> bool {
        let haystack = String::from_utf8_lossy(&self.raw).to_ascii_lowercase();
        haystack.contains(&needle.to_ascii_lowercase())
    }
}

/// How a huge body is framed.
#[derive(Clone, Copy, Debug)]
pub enum Framing {
    /// `Content-Length` announces the whole size.
    Length,
    /// `Transfer-Encoding: chunked`, no length.
    Chunked,
    /// No length: the body ends when the connection closes (it never does).
    Close,
}

/// What the server answers to one request.
#[derive(Clone, Debug)]
pub enum Reply {
    /// A complete answer with `Content-Length` and `Connection: close`.
    Http {
        /// Status code.
        status: u16,
        /// Extra headers.
        headers: Vec<(&'static str, String)>,
        /// The body.
        body: Vec<u8>,
    },
    /// These bytes exactly, then close.
    Raw(Vec<u8>),
    /// Nothing: the connection stays open and silent.
    Silent,
    /// `at_once`, then `dripped` one byte per `every`.
    Drip {
        /// Written at once (a complete head, or nothing).
        at_once: Vec<u8>,
        /// Written one byte at a time.
        dripped: Vec<u8>,
        /// The pause after each dripped byte.
        every: Duration,
    },
    /// A status line, then 1 KiB header lines made on the fly until the client hangs up
    /// (or 1 GiB).
    EndlessHead,
    /// A 200 with a body of `bytes` spaces made on the fly.
    Huge {
        /// The `Content-Type`.
        content_type: &'static str,
        /// Body size.
        bytes: u64,
        /// How the body is delimited.
        framing: Framing,
    },
}

impl Reply {
    /// A complete answer of this type.
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Self::Http {
            status,
            headers: vec![("Content-Type", content_type.to_owned())],
            body: body.into(),
        }
    }

    /// A JSON answer (`application/json`).
    pub fn json(status: u16, value: &serde_json::Value) -> Self {
        Self::new(status, "application/json", value.to_string())
    }

    /// A redirect to `location` with an empty body.
    pub fn redirect(status: u16, location: impl Into<String>) -> Self {
        Self::Http {
            status,
            headers: vec![("Location", location.into())],
            body: Vec::new(),
        }
    }
}

/// The routes a test writes: what to answer to each request.
pub type Route = dyn Fn(&Seen) -> Reply + Send + Sync;

/// A running test server; it stops with the test's runtime.
pub struct Server {
    /// `http://127.0.0.1:PORT`, `http://[::1]:PORT` or `https://127.0.0.1:PORT`.
    pub base: String,
    log: Arc<Mutex<Vec<Seen>>>,
    connections: Arc<AtomicUsize>,
    streamed: Arc<AtomicU64>,
}

impl Server {
    /// Every request read so far, in order.
    pub fn requests(&self) -> Vec<Seen> {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Connections accepted (for TLS: handshakes completed).
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// Body bytes the huge answers got written before the client hung up.
    pub fn streamed_bytes(&self) -> u64 {
        self.streamed.load(Ordering::SeqCst)
    }
}

/// A plain HTTP server on 127.0.0.1 answering with `route`.
pub async fn serve(route: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Server {
    start("127.0.0.1:0", "http", Mode::Plain, Arc::new(route)).await
}

/// A plain HTTP server on `[::1]`: another host than 127.0.0.1 for the client's
/// same-origin rule.
pub async fn serve_ipv6(route: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Server {
    start("[::1]:0", "http", Mode::Plain, Arc::new(route)).await
}

/// An HTTPS server on 127.0.0.1 whose certificate is self-signed, so no client trusts it.
pub async fn serve_tls(route: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Server {
    start(
        "127.0.0.1:0",
        "https",
        Mode::Tls(self_signed_acceptor()),
        Arc::new(route),
    )
    .await
}

/// A socket on 127.0.0.1 that accepts connections and never reads or writes a byte.
pub async fn silent_socket() -> Server {
    start(
        "127.0.0.1:0",
        "http",
        Mode::Mute,
        Arc::new(|_: &Seen| Reply::Silent),
    )
    .await
}

/// A loopback URL where nothing listens (the port was just released).
pub async fn closed_port() -> String {
    let listener = bind("127.0.0.1:0").await;
    let address = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    drop(listener);
    format!("http://{address}")
}

enum Mode {
    Plain,
    Tls(tokio_rustls::TlsAcceptor),
    Mute,
}

async fn bind(address: &str) -> TcpListener {
    TcpListener::bind(address)
        .await
        .unwrap_or_else(|err| panic!("cannot listen on {address}: {err}"))
}

async fn start(address: &str, scheme: &str, mode: Mode, route: Arc<Route>) -> Server {
    let listener = bind(address).await;
    let local = listener
        .local_addr()
        .unwrap_or_else(|err| panic!("no local address for {address}: {err}"));
    let server = Server {
        base: format!("{scheme}://{local}"),
        log: Arc::default(),
        connections: Arc::default(),
        streamed: Arc::default(),
    };
    let shared = Shared {
        base: server.base.clone(),
        route,
        log: server.log.clone(),
        streamed: server.streamed.clone(),
    };
    let connections = server.connections.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let shared = shared.clone();
            match &mode {
                Mode::Plain => {
                    connections.fetch_add(1, Ordering::SeqCst);
                    tokio::spawn(async move { answer(stream, &shared).await });
                }
                Mode::Tls(acceptor) => {
                    let (acceptor, connections) = (acceptor.clone(), connections.clone());
                    tokio::spawn(async move {
                        if let Ok(tls) = acceptor.accept(stream).await {
                            connections.fetch_add(1, Ordering::SeqCst);
                            answer(tls, &shared).await;
                        }
                    });
                }
                Mode::Mute => {
                    connections.fetch_add(1, Ordering::SeqCst);
                    tokio::spawn(async move {
                        tokio::time::sleep(HOLD).await;
                        drop(stream);
                    });
                }
            }
        }
    });
    server
}

#[derive(Clone)]
struct Shared {
    base: String,
    route: Arc<Route>,
    log: Arc<Mutex<Vec<Seen>>>,
    streamed: Arc<AtomicU64>,
}

async fn answer<S: AsyncRead + AsyncWrite + Unpin>(mut stream: S, shared: &Shared) {
    let Some(seen) = read_request(&mut stream, &shared.base).await else {
        return;
    };
    shared
        .log
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(seen.clone());
    match (shared.route)(&seen) {
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
        }
        Reply::Raw(bytes) => {
            let _ = stream.write_all(&bytes).await;
        }
        Reply::Silent => {
            tokio::time::sleep(HOLD).await;
        }
        Reply::Drip {
            at_once,
            dripped,
            every,
        } => {
            if stream.write_all(&at_once).await.is_err() {
                return;
            }
            for byte in dripped {
                if stream.write_all(&[byte]).await.is_err() || stream.flush().await.is_err() {
                    return; // the client gave up: that is the point
                }
                tokio::time::sleep(every).await;
            }
        }
        Reply::Huge {
            content_type,
            bytes,
            framing,
        } => stream_huge(&mut stream, content_type, bytes, framing, &shared.streamed).await,
        Reply::EndlessHead => stream_head(&mut stream, &shared.streamed).await,
    }
    let _ = stream.shutdown().await;
}

/// Writes a 200 with `bytes` of spaces (valid JSON whitespace that never ends in a value)
/// from one reused buffer, until done or until the client hangs up.
async fn stream_huge<S: AsyncWrite + Unpin>(
    stream: &mut S,
    content_type: &str,
    bytes: u64,
    framing: Framing,
    streamed: &AtomicU64,
) {
    let framing_header = match framing {
        Framing::Length => format!("Content-Length: {bytes}\r\n"),
        Framing::Chunked => "Transfer-Encoding: chunked\r\n".to_owned(),
        Framing::Close => String::new(),
    };
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n{framing_header}Connection: close\r\n\r\n"
    );
    if stream.write_all(head.as_bytes()).await.is_err() {
        return;
    }
    let chunk = vec![b' '; CHUNK_BYTES];
    let mut sent: u64 = 0;
    while sent < bytes {
        let len = usize::try_from(bytes - sent).map_or(CHUNK_BYTES, |left| left.min(CHUNK_BYTES));
        let written = match framing {
            Framing::Chunked => {
                let size = format!("{len:x}\r\n");
                stream.write_all(size.as_bytes()).await.is_ok()
                    && stream.write_all(&chunk[..len]).await.is_ok()
                    && stream.write_all(b"\r\n").await.is_ok()
            }
            Framing::Length | Framing::Close => stream.write_all(&chunk[..len]).await.is_ok(),
        };
        if !written {
            return; // the client stopped reading: that is the point
        }
        sent += len as u64;
        streamed.fetch_add(len as u64, Ordering::SeqCst);
    }
    if matches!(framing, Framing::Chunked) {
        let _ = stream.write_all(b"0\r\n\r\n").await;
    }
}

/// Writes a status line and then header lines, 1 KiB each, until 1 GiB or the client
/// hangs up.
async fn stream_head<S: AsyncWrite + Unpin>(stream: &mut S, streamed: &AtomicU64) {
    if stream.write_all(b"HTTP/1.1 200 OK\r\n").await.is_err() {
        return;
    }
    let line = format!("X-Filler: {}\r\n", "a".repeat(1024 - 12));
    for _ in 0..1024 * 1024 {
        if stream.write_all(line.as_bytes()).await.is_err() {
            return; // the client stopped reading: that is the point
        }
        streamed.fetch_add(line.len() as u64, Ordering::SeqCst);
    }
}

/// Reads one request (head, then a body by `Content-Length`, kept in `raw`); `None` (after a 400, as real
/// HTTP servers do) for anything that is not HTTP, such as a TLS `ClientHello`.
async fn read_request<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    base: &str,
) -> Option<Seen> {
    let mut raw = Vec::new();
    let mut buf = [0_u8; 4096];
    let head_end = loop {
        let read = stream.read(&mut buf).await.ok()?;
        if read == 0 || raw.len() > MAX_HEAD_BYTES {
            return None;
        }
        raw.extend_from_slice(&buf[..read]);
        if !raw[0].is_ascii_uppercase() {
            let _ = stream
                .write_all(
                    b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
                )
                .await;
            return None;
        }
        if let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
    };
    let head = String::from_utf8_lossy(&raw[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_owned();
    let target = first.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(0)
        .min(MAX_HEAD_BYTES * 16);
    while raw.len() < head_end + length {
        let read = stream.read(&mut buf).await.ok()?;
        if read == 0 {
            break;
        }
        raw.extend_from_slice(&buf[..read]);
    }
    Some(Seen {
        base: base.to_owned(),
        method,
        target,
        headers,
        raw,
    })
}

/// A throw-away self-signed certificate for 127.0.0.1 and `localhost` and its key, made
/// for these tests only (`openssl req -x509 -newkey ec … -days 36500`); nothing trusts it.
/// It is marked as a CA, as `openssl req -x509` makes them, so rustls calls it a CA used
/// as an end entity.
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

fn self_signed_acceptor() -> tokio_rustls::TlsAcceptor {
    use tokio_rustls::rustls::ServerConfig;
    use tokio_rustls::rustls::pki_types::pem::PemObject as _;
    use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

    let cert = CertificateDer::from_pem_slice(SELF_SIGNED_CERT.as_bytes())
        .unwrap_or_else(|err| panic!("test certificate: {err}"));
    let key = PrivateKeyDer::from_pem_slice(SELF_SIGNED_KEY.as_bytes())
        .unwrap_or_else(|err| panic!("test key: {err}"));
    let config = ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .unwrap_or_else(|err| panic!("test TLS config: {err}"));
    tokio_rustls::TlsAcceptor::from(Arc::new(config))
}

// ---------------------------------------------------------------------------------------
// OIDC fixtures the hostile routes serve.

/// A complete, valid discovery document for an issuer served at `base`.
pub fn document(base: &str) -> serde_json::Value {
    serde_json::json!({
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

/// A public RSA signing key named `kid`, as a JWKS lists it.
pub fn public_rsa_key(kid: &str) -> serde_json::Value {
    // A 2048-bit modulus of 0xff bytes in base64url: the checks look at shape, not math.
    let modulus = format!("{}w", "_".repeat(341));
    serde_json::json!({"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256", "e": "AQAB", "n": modulus})
}

/// Discovery failed, so every OIDC check that needs the document says why it was skipped.
pub fn assert_dependents_skipped(report: &sso_scim_wizard::diagnostics::Report) {
    for id in [
        "oidc.issuer_match",
        "oidc.required_metadata",
        "oidc.signing_algs",
        "oidc.jwks",
        "oidc.scopes",
        "oidc.client_auth",
    ] {
        let skipped = report.finding(id).unwrap_or_else(|| panic!("{id} missing"));
        assert_eq!(
            skipped.status,
            sso_scim_wizard::diagnostics::Status::Skip,
            "{id}"
        );
        assert!(!skipped.detail.is_empty(), "{id} says why it was skipped");
    }
}

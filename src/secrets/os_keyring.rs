//! The OS keyring store: Secret Service on Linux (over D-Bus, pure Rust), Keychain on
//! macOS, Credential Manager on Windows, through the `keyring` crate.
//!
//! This file owns turning the platform's failures into [`StoreError`]s that say what to
//! install or unlock. Every call here may block (D-Bus round trips, an unlock prompt):
//! the window runs them in background tasks, never inside a frame.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, OnceLock};

use super::{MemoryStore, SERVICE, Secret, SecretStore, SharedStore, StoreError};

/// Secrets in the OS keyring under service [`SERVICE`], account `<profile-id>/<credential-id>`.
///
/// Values the admin chose to keep for this session only (keyring locked or refused) live
/// in an in-memory overlay that is read first and never written to the keyring.
pub struct KeyringStore {
    session: MemoryStore,
}

impl fmt::Debug for KeyringStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyringStore")
            .field("session_only", &self.session.accounts().len())
            .finish()
    }
}

impl KeyringStore {
    /// Opens the platform's keyring. On Linux this connects to the Secret Service on the
    /// session bus (which may start gnome-keyring on demand); the result is decided once
    /// per process, so after installing or starting a keyring the app must be restarted.
    pub fn open() -> Result<Self, StoreError> {
        match keyring::Entry::store_status() {
            Ok(()) => Ok(Self {
                session: MemoryStore::new(),
            }),
            Err(err) => Err(unavailable(err.to_string())),
        }
    }

    fn entry(account: &str) -> Result<keyring::Entry, StoreError> {
        keyring::Entry::new(SERVICE, account).map_err(|err| map_error(&err))
    }

    /// The entry a new value is written through. On Linux it carries a label a person
    /// understands in the desktop's password manager (Seahorse, `KeePassXC`) instead of the
    /// store's default `keyring:<account>@sso-scim-wizard`; the label is only set when an
    /// item is created, and the look-ups go by service and account as before.
    fn entry_for_writing(account: &str) -> Result<keyring::Entry, StoreError> {
        #[cfg(target_os = "linux")]
        {
            let label = item_label(account);
            let modifiers = HashMap::from([("label", label.as_str())]);
            // Through keyring-core (the default store is set up by `open`); keyring's v1
            // wrapper has no constructor with modifiers.
            keyring_core::Entry::new_with_modifiers(SERVICE, account, &modifiers)
                .map(|inner| keyring::Entry { inner })
                .map_err(|err| map_error(&err))
        }
        #[cfg(not(target_os = "linux"))]
        {
            Self::entry(account)
        }
    }
}

/// `sso-scim-wizard: SCIM token of tenant contoso-4f2a1c (scim-token-00ab12)` for the
/// account `contoso-4f2a1c/scim-token-00ab12`: what it is and whose, without the value.
pub fn item_label(account: &str) -> String {
    let (tenant, credential) = account.split_once('/').unwrap_or(("", account));
    let kind = if credential.starts_with("scim-token") {
        "SCIM token"
    } else if credential.starts_with("client-secret") {
        "OIDC client secret"
    } else {
        "secret"
    };
    if tenant.is_empty() {
        format!("{SERVICE}: {kind} ({credential})")
    } else {
        format!("{SERVICE}: {kind} of tenant {tenant} ({credential})")
    }
}

impl SecretStore for KeyringStore {
    fn put(&self, account: &str, secret: &Secret) -> Result<(), StoreError> {
        Self::entry_for_writing(account)?
            .set_password(secret.expose())
            .map_err(|err| map_error(&err))?;
        // A value stored for good replaces any session-only one.
        self.session.delete(account)
    }

    fn get(&self, account: &str) -> Result<Option<Secret>, StoreError> {
        if let Some(secret) = self.session.get(account)? {
            return Ok(Some(secret));
        }
        match Self::entry(account)?.get_password() {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(err) => Err(map_error(&err)),
        }
    }

    fn delete(&self, account: &str) -> Result<(), StoreError> {
        self.session.delete(account)?;
        match Self::entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(err) => Err(map_error(&err)),
        }
    }

    fn is_persistent(&self) -> bool {
        true
    }

    fn put_session_only(&self, account: &str, secret: &Secret) -> Result<(), StoreError> {
        self.session.put(account, secret)
    }

    fn accounts(&self) -> Result<Vec<String>, StoreError> {
        let spec = HashMap::from([("service", SERVICE)]);
        let entries = match keyring_core::Entry::search(&spec) {
            Ok(entries) => entries,
            Err(
                keyring::Error::NotSupportedByStore(reason) | keyring::Error::Invalid(_, reason),
            ) => {
                return Err(StoreError::CannotList { reason });
            }
            Err(err) => return Err(map_error(&err)),
        };
        let mut accounts: Vec<String> = entries
            .iter()
            .filter_map(keyring_core::Entry::get_specifiers)
            .filter(|(service, _)| service == SERVICE)
            .map(|(_, account)| account)
            .chain(self.session.accounts())
            .collect();
        accounts.sort();
        accounts.dedup();
        Ok(accounts)
    }
}

/// The note for the status bar when there is no keyring.
pub const NO_KEYRING_NOTE: &str =
    "No keyring: secrets are kept for this session only (see Credentials)";

/// The OS keyring when it can be opened, else an in-memory store for this session (see
/// [`SecretStore::session_only_reason`]). Never a file. Returns at once.
///
/// The probe runs on its own thread: measured on the build machine (debug build, Debian 12)
/// at 80–160 ms with gnome-keyring running, about 120 ms when D-Bus has to start
/// gnome-keyring first, and a Secret Service that does not answer makes zbus wait 25 s per
/// call. The window must not wait for any of that (`scripts/bench` measures start-up), so
/// unless the probe has already finished this hands out a [`DeferredStore`] that finishes
/// opening in the background; the second value is the status bar's note when the keyring
/// is already known to be missing.
pub fn open_default_store() -> (SharedStore, Option<String>) {
    let (sender, receiver) = std::sync::mpsc::channel();
    let status = Arc::new(OnceLock::new());
    let background = Arc::clone(&status);
    let spawned = std::thread::Builder::new()
        .name("ssw-keyring-open".to_owned())
        .spawn(move || {
            let result = KeyringStore::open();
            let _ = background.set(result.as_ref().err().cloned());
            let _ = sender.send(result);
        });
    if let Err(err) = spawned {
        let reason = StoreError::Other {
            reason: format!("could not start the keyring thread: {err}"),
        };
        return (
            Arc::new(MemoryStore::fallback(reason.to_string())),
            Some(NO_KEYRING_NOTE.to_owned()),
        );
    }
    match receiver.try_recv() {
        Ok(Ok(store)) => (Arc::new(store), None),
        Ok(Err(err)) => (
            Arc::new(MemoryStore::fallback(err.to_string())),
            Some(NO_KEYRING_NOTE.to_owned()),
        ),
        Err(_) => (Arc::new(DeferredStore::new(status)), None),
    }
}

/// The OS keyring while it is still being opened in the background. Every operation waits
/// for the probe (operations run off the UI thread); the non-blocking questions
/// ([`SecretStore::is_persistent`], [`SecretStore::session_only_reason`]) answer "keyring"
/// until the probe says otherwise. Without a keyring, `put` fails like the keyring would,
/// so the window asks before keeping a value for the session only.
pub struct DeferredStore {
    status: Arc<OnceLock<Option<StoreError>>>,
    keyring: KeyringStore,
    reason: OnceLock<String>,
}

impl fmt::Debug for DeferredStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeferredStore")
            .field("status", &self.status.get())
            .finish_non_exhaustive()
    }
}

impl DeferredStore {
    fn new(status: Arc<OnceLock<Option<StoreError>>>) -> Self {
        Self {
            status,
            keyring: KeyringStore {
                session: MemoryStore::new(),
            },
            reason: OnceLock::new(),
        }
    }

    /// Waits for the probe: `Ok` when the keyring is open.
    fn opened() -> Result<(), StoreError> {
        // The probe holds the keyring crate's one-time initialisation; asking for its
        // status blocks until the probe is done.
        match keyring::Entry::store_status() {
            Ok(()) => Ok(()),
            Err(err) => Err(unavailable(err.to_string())),
        }
    }
}

impl SecretStore for DeferredStore {
    fn put(&self, account: &str, secret: &Secret) -> Result<(), StoreError> {
        Self::opened()?;
        self.keyring.put(account, secret)
    }

    fn get(&self, account: &str) -> Result<Option<Secret>, StoreError> {
        match Self::opened() {
            Ok(()) => self.keyring.get(account),
            Err(_) => self.keyring.session.get(account),
        }
    }

    fn delete(&self, account: &str) -> Result<(), StoreError> {
        match Self::opened() {
            Ok(()) => self.keyring.delete(account),
            Err(_) => self.keyring.session.delete(account),
        }
    }

    fn is_persistent(&self) -> bool {
        !matches!(self.status.get(), Some(Some(_)))
    }

    fn put_session_only(&self, account: &str, secret: &Secret) -> Result<(), StoreError> {
        self.keyring.put_session_only(account, secret)
    }

    fn accounts(&self) -> Result<Vec<String>, StoreError> {
        match Self::opened() {
            Ok(()) => self.keyring.accounts(),
            Err(_) => Ok(self.keyring.session.accounts()),
        }
    }

    fn session_only_reason(&self) -> Option<&str> {
        let Some(Some(err)) = self.status.get() else {
            return None;
        };
        Some(self.reason.get_or_init(|| err.to_string()).as_str())
    }
}

/// Turns a keyring failure into a [`StoreError`] that says what to do.
fn map_error(err: &keyring::Error) -> StoreError {
    match err {
        keyring::Error::NoDefaultStore => {
            unavailable("no keyring service could be reached".to_owned())
        }
        keyring::Error::NoStorageAccess(inner) => StoreError::Refused {
            reason: inner.to_string(),
            hint: unlock_hint(),
        },
        keyring::Error::PlatformFailure(inner) => {
            let reason = inner.to_string();
            if means_no_service(&reason) {
                unavailable(reason)
            } else {
                StoreError::Other { reason }
            }
        }
        // Display of the remaining variants names attributes and limits, never the value.
        other => StoreError::Other {
            reason: other.to_string(),
        },
    }
}

/// True when the platform says nobody answers for the keyring (no bus, no Secret Service).
fn means_no_service(reason: &str) -> bool {
    const SIGNS: [&str; 5] = [
        "no secret service provider",
        "ServiceUnknown",
        "org.freedesktop.secrets",
        "dbus session",
        "Connection refused",
    ];
    SIGNS.iter().any(|sign| reason.contains(sign))
}

fn unavailable(reason: String) -> StoreError {
    StoreError::Unavailable {
        reason,
        hint: install_hint(),
    }
}

/// What to install or start so a keyring is there.
fn install_hint() -> String {
    if cfg!(target_os = "macos") {
        "open Keychain Access and check that your login keychain exists and is unlocked, then restart sso-scim-wizard".to_owned()
    } else if cfg!(windows) {
        "Windows Credential Manager could not be used; sign in with a regular user account and restart sso-scim-wizard".to_owned()
    } else if !has_session_bus() {
        "no D-Bus session bus was found: start sso-scim-wizard inside your desktop session, and install and start \
         gnome-keyring or KeePassXC's Secret Service integration"
            .to_owned()
    } else {
        "install and start gnome-keyring or KeePassXC's Secret Service integration (KeePassXC: Settings → Secret Service \
         Integration), then restart sso-scim-wizard"
            .to_owned()
    }
}

/// What to unlock when the keyring refused.
fn unlock_hint() -> String {
    if cfg!(target_os = "macos") {
        "unlock your login keychain in Keychain Access and allow sso-scim-wizard when asked, then try again".to_owned()
    } else if cfg!(windows) {
        "check that you are signed in to your own Windows account, then try again".to_owned()
    } else {
        "unlock your keyring (log in to the desktop session, or unlock the Login keyring in Passwords and Keys or the \
         database in KeePassXC) and accept the unlock prompt, then try again"
            .to_owned()
    }
}

/// Whether a D-Bus session bus is advertised (the Secret Service lives on it).
fn has_session_bus() -> bool {
    std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some_and(|address| !address.is_empty())
        || std::env::var_os("XDG_RUNTIME_DIR")
            .is_some_and(|dir| std::path::Path::new(&dir).join("bus").exists())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyring_items_are_labelled_for_people() {
        assert_eq!(
            item_label("contoso-4f2a1c/scim-token-00ab12"),
            "sso-scim-wizard: SCIM token of tenant contoso-4f2a1c (scim-token-00ab12)"
        );
        assert_eq!(
            item_label("acme/client-secret-000002"),
            "sso-scim-wizard: OIDC client secret of tenant acme (client-secret-000002)"
        );
        assert_eq!(item_label("odd"), "sso-scim-wizard: secret (odd)");
    }

    #[test]
    fn locked_keyring_says_to_unlock() {
        let err = map_error(&keyring::Error::NoStorageAccess(
            "SS error: prompt dismissed".into(),
        ));
        assert!(matches!(err, StoreError::Refused { .. }));
        let text = err.to_string();
        assert!(text.contains("prompt dismissed"), "{text}");
        assert!(text.contains("unlock"), "{text}");
    }

    #[test]
    fn missing_secret_service_says_what_to_install() {
        let err = map_error(&keyring::Error::PlatformFailure(
            "zbus error: org.freedesktop.DBus.Error.ServiceUnknown: The name org.freedesktop.secrets was not provided"
                .into(),
        ));
        assert!(matches!(err, StoreError::Unavailable { .. }));
        let text = err.to_string();
        if cfg!(target_os = "linux") {
            assert!(
                text.contains("gnome-keyring") && text.contains("KeePassXC"),
                "{text}"
            );
        }
        assert!(matches!(
            map_error(&keyring::Error::NoDefaultStore),
            StoreError::Unavailable { .. }
        ));
    }

    #[test]
    fn a_deferred_store_answers_keyring_until_the_probe_says_otherwise() {
        let status = Arc::new(OnceLock::new());
        let store = DeferredStore::new(Arc::clone(&status));
        assert!(store.is_persistent());
        assert_eq!(store.session_only_reason(), None);
        status
            .set(Some(unavailable(
                "no secret service provider or dbus session found".to_owned(),
            )))
            .unwrap();
        assert!(!store.is_persistent());
        assert!(
            store
                .session_only_reason()
                .unwrap()
                .starts_with("no keyring is available")
        );
    }

    #[test]
    fn other_failures_keep_the_platform_words() {
        let err = map_error(&keyring::Error::TooLong("username".into(), 255));
        assert!(matches!(err, StoreError::Other { .. }));
        assert!(err.to_string().contains("255"));
    }
}

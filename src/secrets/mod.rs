//! Secret values: the redacting, zeroizing [`Secret`] type, the [`SecretStore`] trait with
//! the OS keyring ([`KeyringStore`]) and an in-memory store ([`MemoryStore`]), token
//! generation and import cleaning ([`generate`]), and the rules for adding a credential to
//! a profile ([`credential`]).
//!
//! Only this module talks to the keyring. Nothing here writes a secret to a file, a log, an
//! error message or a `Debug` string; profiles get metadata only ([`crate::model::CredentialMeta`]).

pub mod credential;
pub mod generate;
pub mod os_keyring;

use std::fmt;
use std::sync::Arc;

use zeroize::Zeroizing;

pub use credential::{ExpiryChoice, Issuance, Orphan, OrphanReason};
pub use generate::{ImportWarning, Imported, clean_import, generate_token};
pub use os_keyring::{DeferredStore, KeyringStore, open_default_store};

/// A secret value (SCIM token, client secret). `Debug` prints `…`; there is no `Display`
/// and no `Serialize`; the memory is zeroized on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(Zeroizing::new(value.into()))
    }

    /// The raw value, for the one place that must send or store it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The last four characters, the only part ever shown after the one-time reveal.
    pub fn last4(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        let start = chars.len().saturating_sub(4);
        chars[start..].iter().collect()
    }

    /// True when the value is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// The operating system's random number generator failed. Nothing falls back to weaker
/// bytes (time, zeros): the caller stops and reports this (issue #16 item 11).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the operating system's random number generator failed ({reason}); try again")]
pub struct RandomError {
    reason: String,
}

impl RandomError {
    /// The generator kept giving values that were already taken.
    pub fn repeating() -> Self {
        Self {
            reason: "it kept returning values already in use".to_owned(),
        }
    }
}

/// Fills `buf` from the OS random number generator: the one source of random values in
/// the app (tokens, PKCE verifier, state, nonce, ids, probe names). Never fails open.
pub fn random(buf: &mut [u8]) -> Result<(), RandomError> {
    #[cfg(test)]
    if test_rng::failing() {
        return Err(RandomError {
            reason: "simulated failure".to_owned(),
        });
    }
    getrandom::fill(buf).map_err(|err| RandomError {
        reason: err.to_string(),
    })
}

/// Unit tests make [`random`] fail on their own thread, to see each caller report it.
#[cfg(test)]
pub(crate) mod test_rng {
    use std::cell::Cell;

    thread_local! {
        static FAILING: Cell<bool> = const { Cell::new(false) };
    }

    pub(crate) fn failing() -> bool {
        FAILING.with(Cell::get)
    }

    /// Runs `f` with the generator failing on this thread.
    pub(crate) fn with_failing_rng<T>(f: impl FnOnce() -> T) -> T {
        FAILING.with(|c| c.set(true));
        let out = f();
        FAILING.with(|c| c.set(false));
        out
    }
}

/// Turns core dumps off for this process (soft and hard limit 0), so a crash never
/// writes typed, fetched or stored secrets to disk (issue #16 item 9). Called first
/// thing by the binary. A no-op where there is no such limit.
pub fn disable_core_dumps() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use rustix::process::{Resource, Rlimit, setrlimit};
        setrlimit(
            Resource::Core,
            Rlimit {
                current: Some(0),
                maximum: Some(0),
            },
        )?;
    }
    Ok(())
}

/// Service name under which every secret is stored in the OS keyring.
pub const SERVICE: &str = "sso-scim-wizard";

/// The keyring account of a credential: `<profile-id>/<credential-id>`.
pub fn account(profile_id: &str, credential_id: &str) -> String {
    format!("{profile_id}/{credential_id}")
}

/// Why a secret could not be stored, read, deleted or listed. Messages say what to install
/// or unlock; they never contain a secret. The window and the command line show the same text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// No usable keyring on this computer.
    #[error("no keyring is available ({reason}); {hint}")]
    Unavailable {
        /// What the platform reported.
        reason: String,
        /// What to install or start.
        hint: String,
    },
    /// The keyring refused (locked, prompt dismissed, access denied).
    #[error("the keyring refused access ({reason}); {hint}")]
    Refused {
        /// What the platform reported.
        reason: String,
        /// What to unlock.
        hint: String,
    },
    /// This store cannot list its entries on this platform.
    #[error(
        "this keyring cannot list its entries here ({reason}), so secrets left behind by deleted tenants cannot be found automatically"
    )]
    CannotList {
        /// Why not.
        reason: String,
    },
    /// Any other failure.
    #[error("the keyring failed: {reason}")]
    Other {
        /// What the platform reported.
        reason: String,
    },
}

/// Where secret values live. Implementations: the OS keyring and an in-memory store.
///
/// Every method may block (the keyring talks D-Bus on Linux and may show an unlock
/// prompt): the window calls them from a background task, never inside a frame.
pub trait SecretStore: Send + Sync {
    /// Stores (or replaces) a value under `account`.
    fn put(&self, account: &str, secret: &Secret) -> Result<(), StoreError>;
    /// Reads a value; `Ok(None)` when there is none.
    fn get(&self, account: &str) -> Result<Option<Secret>, StoreError>;
    /// Deletes a value; deleting a missing one is not an error.
    fn delete(&self, account: &str) -> Result<(), StoreError>;
    /// True for the OS keyring, false for a session-only store.
    fn is_persistent(&self) -> bool;

    /// Keeps a value in memory for this session only, after the admin chose to go on
    /// without the keyring (locked, refused). The default is [`Self::put`] (already memory).
    fn put_session_only(&self, account: &str, secret: &Secret) -> Result<(), StoreError> {
        self.put(account, secret)
    }

    /// Every account stored under [`SERVICE`], for finding secrets whose profile is gone.
    /// [`StoreError::CannotList`] where the platform store cannot enumerate.
    fn accounts(&self) -> Result<Vec<String>, StoreError>;

    /// Why secrets are kept for this session only, when this store stands in for a
    /// keyring that could not be opened (the same text as [`StoreError`]'s message).
    fn session_only_reason(&self) -> Option<&str> {
        None
    }
}

/// A shared store, as the window and its tasks hold it.
pub type SharedStore = Arc<dyn SecretStore>;

/// Secrets kept in memory only: for tests, and for a session without a keyring.
#[derive(Default)]
pub struct MemoryStore {
    values: std::sync::Mutex<std::collections::BTreeMap<String, Secret>>,
    fallback_reason: Option<String>,
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryStore")
            .field("accounts", &self.lock().len())
            .field("fallback_reason", &self.fallback_reason)
            .finish_non_exhaustive()
    }
}

impl MemoryStore {
    /// An empty store (tests, or a deliberate session without keyring).
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty store standing in for a keyring that could not be opened; `reason` is
    /// the [`StoreError`] message the window shows with "continue without storing".
    pub fn fallback(reason: impl Into<String>) -> Self {
        Self {
            fallback_reason: Some(reason.into()),
            ..Self::default()
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, std::collections::BTreeMap<String, Secret>> {
        // A poisoned lock only means another thread panicked mid-insert; the map is still usable.
        self.values
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Accounts currently held.
    pub fn accounts(&self) -> Vec<String> {
        self.lock().keys().cloned().collect()
    }
}

impl SecretStore for MemoryStore {
    fn put(&self, account: &str, secret: &Secret) -> Result<(), StoreError> {
        self.lock().insert(account.to_owned(), secret.clone());
        Ok(())
    }
    fn get(&self, account: &str) -> Result<Option<Secret>, StoreError> {
        Ok(self.lock().get(account).cloned())
    }
    fn delete(&self, account: &str) -> Result<(), StoreError> {
        self.lock().remove(account);
        Ok(())
    }
    fn is_persistent(&self) -> bool {
        false
    }
    fn accounts(&self) -> Result<Vec<String>, StoreError> {
        Ok(MemoryStore::accounts(self))
    }
    fn session_only_reason(&self) -> Option<&str> {
        self.fallback_reason.as_deref()
    }
}

/// The profile and credential ids of a keyring account written by [`account`].
pub fn parse_account(account: &str) -> Option<(&str, &str)> {
    account
        .split_once('/')
        .filter(|(profile, credential)| !profile.is_empty() && !credential.is_empty())
}

/// The masked form shown after the one-time reveal: `•••• abcd`.
pub fn masked(last4: &str) -> String {
    format!("•••• {last4}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn core_dumps_are_off_after_start() {
        // nextest runs each test in its own process, so this limits only this test.
        disable_core_dumps().unwrap();
        let limit = rustix::process::getrlimit(rustix::process::Resource::Core);
        assert_eq!((limit.current, limit.maximum), (Some(0), Some(0)));
    }

    #[test]
    fn debug_never_shows_the_value() {
        let raw = "scim_very-secret-value-1234";
        let secret = Secret::new(raw);
        assert!(!format!("{secret:?}").contains(raw));
        assert!(!format!("{:?}", Some(secret.clone())).contains("secret-value"));
        assert_eq!(secret.last4(), "1234");
    }

    #[test]
    fn memory_store_round_trips_and_lists() {
        let store = MemoryStore::new();
        let secret = Secret::new("abc-1234");
        store.put(&account("p-1", "c-1"), &secret).unwrap();
        assert_eq!(store.get("p-1/c-1").unwrap(), Some(secret));
        assert_eq!(SecretStore::accounts(&store).unwrap(), ["p-1/c-1"]);
        store.delete("p-1/c-1").unwrap();
        store.delete("p-1/c-1").unwrap();
        assert_eq!(store.get("p-1/c-1").unwrap(), None);
        assert!(store.session_only_reason().is_none());
        assert!(
            MemoryStore::fallback("no keyring")
                .session_only_reason()
                .is_some()
        );
        assert!(!format!("{:?}", MemoryStore::new()).contains("abc"));
    }

    #[test]
    fn last4_of_short_and_multibyte_values() {
        assert_eq!(Secret::new("ab").last4(), "ab");
        assert_eq!(Secret::new("xyzäöüß").last4(), "äöüß");
    }
}

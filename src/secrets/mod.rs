//! Secret values: the redacting, zeroizing [`Secret`] type, the [`SecretStore`] trait with
//! the OS keyring and an in-memory store, and token generation.
//!
//! Only this module talks to the keyring. Nothing here writes a secret to a file, a log or
//! an error message.

use std::fmt;

use zeroize::Zeroizing;

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

/// Service name under which every secret is stored in the OS keyring.
pub const SERVICE: &str = "sso-scim-wizard";

/// The keyring account of a credential: `<profile-id>/<credential-id>`.
pub fn account(profile_id: &str, credential_id: &str) -> String {
    format!("{profile_id}/{credential_id}")
}

/// Why a secret could not be stored, read or deleted. Messages say what to install or
/// unlock; they never contain a secret.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No usable keyring on this computer.
    #[error("no keyring is available ({reason}); {hint}")]
    Unavailable {
        /// What the platform reported.
        reason: String,
        /// What to install or unlock.
        hint: String,
    },
    /// The keyring refused (locked, prompt dismissed, access denied).
    #[error("the keyring refused access ({reason}); unlock it (for example by logging in to the desktop session) and try again")]
    Refused {
        /// What the platform reported.
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
pub trait SecretStore: Send + Sync {
    /// Stores (or replaces) a value under `account`.
    fn put(&self, account: &str, secret: &Secret) -> Result<(), StoreError>;
    /// Reads a value; `Ok(None)` when there is none.
    fn get(&self, account: &str) -> Result<Option<Secret>, StoreError>;
    /// Deletes a value; deleting a missing one is not an error.
    fn delete(&self, account: &str) -> Result<(), StoreError>;
    /// True for the OS keyring, false for a session-only store.
    fn is_persistent(&self) -> bool;
}

/// Secrets kept in memory only: for tests, and for a session without a keyring.
#[derive(Default)]
pub struct MemoryStore {
    values: std::sync::Mutex<std::collections::BTreeMap<String, Secret>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, std::collections::BTreeMap<String, Secret>> {
        // A poisoned lock only means another thread panicked mid-insert; the map is still usable.
        self.values.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
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
}

/// The masked form shown after the one-time reveal: `•••• abcd`.
pub fn masked(last4: &str) -> String {
    format!("•••• {last4}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let raw = "scim_very-secret-value-1234";
        let secret = Secret::new(raw);
        assert!(!format!("{secret:?}").contains(raw));
        assert!(!format!("{:?}", Some(secret.clone())).contains("secret-value"));
        assert_eq!(secret.last4(), "1234");
    }

    #[test]
    fn last4_of_short_and_multibyte_values() {
        assert_eq!(Secret::new("ab").last4(), "ab");
        assert_eq!(Secret::new("xyzäöüß").last4(), "äöüß");
    }
}

//! Tenant profiles on disk: the config dir, one JSON file per profile, atomic writes,
//! schema version, and corrupt files kept aside (DESIGN.md, "Tenant profiles on disk").
//!
//! This module never holds a secret: profiles are metadata only. It never overwrites a
//! file it could not read: such a file is renamed to `<name>.corrupt-<timestamp>` with
//! its bytes untouched, and reported.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};

use crate::model::{IdpId, PlatformId, Profile, SCHEMA_VERSION};
use crate::secrets::RandomError;

/// Environment variable that overrides the config dir.
pub const CONFIG_DIR_ENV: &str = "SSO_SCIM_WIZARD_CONFIG_DIR";

/// What names a save in progress: `.<id>.json.tmp-<pid>-<n>` in the profiles folder.
const TEMP_MARKER: &str = ".json.tmp-";

/// A temp file this old was left by a save that never finished (the process was killed or
/// the power went between writing and renaming) and nothing will ever rename it, so
/// [`ProfileStore::list`] deletes it. A save holds its temp file for milliseconds; a
/// younger one may belong to a save running right now in another window or a command.
pub const STALE_TEMP_AGE: Duration = Duration::from_hours(1);

/// Numbers the saves of this process, so that two threads saving the same profile at once
/// never write into the same temp file.
static SAVES: AtomicU64 = AtomicU64::new(0);

/// What went wrong reading or writing profiles. Paths come last in the message.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// No config dir could be determined.
    #[error(
        "no configuration directory could be found for this user; set {CONFIG_DIR_ENV} to a writable folder"
    )]
    NoConfigDir,
    /// Reading or writing failed.
    #[error("could not {action}: {source}; check permissions and free space: {}", path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// No profile has this id.
    #[error("no profile with id {id:?}; `sso-scim-wizard profile list` shows the ids")]
    NotFound {
        /// The id asked for.
        id: String,
    },
    /// The file exists but could not be parsed; it was moved aside.
    #[error("{}", .0)]
    Unreadable(UnreadableProfile),
    /// No random id could be made.
    #[error("could not make a new profile id: {0}")]
    Random(#[from] RandomError),
    /// An id that cannot name a file.
    #[error("{id:?} is not a valid profile id (letters, digits and '-' only)")]
    BadId {
        /// The id given.
        id: String,
    },
}

/// A profile file that could not be used, and what was done about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnreadableProfile {
    /// The file as found.
    pub path: PathBuf,
    /// Where its bytes are now (moved aside), or `None` when it was left in place.
    pub kept_at: Option<PathBuf>,
    /// Why it could not be used.
    pub reason: String,
}

impl std::fmt::Display for UnreadableProfile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.kept_at {
            Some(kept) => write!(
                f,
                "profile file could not be read ({}); it was kept unchanged as {} — fix or delete it by hand",
                self.reason,
                kept.display()
            ),
            None => write!(
                f,
                "profile file could not be used ({}): {}",
                self.reason,
                self.path.display()
            ),
        }
    }
}

/// The profiles found in the config dir, and the files that could not be read.
#[derive(Debug, Default)]
pub struct Listing {
    /// Profiles that loaded, most recently changed first.
    pub profiles: Vec<Profile>,
    /// Files that could not be read (moved aside or left in place), for the UI to report.
    pub problems: Vec<UnreadableProfile>,
}

/// Profiles stored as `profiles/<id>.json` under a config dir.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileStore {
    dir: PathBuf,
}

impl ProfileStore {
    /// The store under `$SSO_SCIM_WIZARD_CONFIG_DIR`, else the platform config dir.
    pub fn from_env() -> Result<Self, StorageError> {
        Ok(Self::at(config_dir()?))
    }

    /// The store under an explicit config dir (tests, benchmarks).
    pub fn at(config_dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: config_dir.into().join("profiles"),
        }
    }

    /// The `profiles/` folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file of a profile id.
    pub fn path_of(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.json"))
    }

    /// Loads every profile. Unreadable files are moved aside and listed in `problems`;
    /// this never fails because of one bad file. Temp files of saves are never listed;
    /// those older than [`STALE_TEMP_AGE`] are deleted.
    pub fn list(&self, now: DateTime<Utc>) -> Result<Listing, StorageError> {
        let mut listing = Listing::default();
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(listing),
            Err(source) => {
                return Err(StorageError::Io {
                    action: "list profiles",
                    path: self.dir.clone(),
                    source,
                });
            }
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') && name.contains(TEMP_MARKER) {
                remove_if_stale(&path);
                continue;
            }
            if name.contains(".json.corrupt-") {
                // Set aside earlier (perhaps by the CLI): keep telling the admin until they deal with it.
                listing.problems.push(UnreadableProfile {
                    path: path.clone(),
                    kept_at: Some(path.clone()),
                    reason: "it could not be read earlier".to_owned(),
                });
                continue;
            }
            if path.extension().is_none_or(|ext| ext != "json") {
                continue;
            }
            match self.load_path(&path, now) {
                Ok(profile) => listing.profiles.push(profile),
                Err(StorageError::Unreadable(problem)) => listing.problems.push(problem),
                Err(StorageError::Io { source, .. }) => listing.problems.push(UnreadableProfile {
                    path: path.clone(),
                    kept_at: None,
                    reason: source.to_string(),
                }),
                Err(_) => {}
            }
        }
        listing.profiles.sort_by(|a, b| {
            b.updated_at
                .cmp(&a.updated_at)
                .then_with(|| a.name.cmp(&b.name))
        });
        Ok(listing)
    }

    /// Loads one profile by id.
    pub fn load(&self, id: &str, now: DateTime<Utc>) -> Result<Profile, StorageError> {
        check_id(id)?;
        let path = self.path_of(id);
        if !path.exists() {
            return Err(StorageError::NotFound { id: id.to_owned() });
        }
        self.load_path(&path, now)
    }

    fn load_path(&self, path: &Path, now: DateTime<Utc>) -> Result<Profile, StorageError> {
        let bytes = fs::read(path).map_err(|source| StorageError::Io {
            action: "read profile",
            path: path.to_owned(),
            source,
        })?;
        match parse_profile(&bytes) {
            Ok(profile) => Ok(profile),
            Err(ProfileParseError::Newer { reason }) => {
                Err(StorageError::Unreadable(UnreadableProfile {
                    path: path.to_owned(),
                    kept_at: None,
                    reason,
                }))
            }
            Err(ProfileParseError::Unusable { reason }) => Err(self.set_aside(path, reason, now)),
        }
    }

    /// Renames an unreadable file out of the way, bytes untouched, so that no later save
    /// can overwrite it.
    fn set_aside(&self, path: &Path, reason: String, now: DateTime<Utc>) -> StorageError {
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let stem = format!("{file_name}.corrupt-{}", now.format("%Y%m%dT%H%M%SZ"));
        let kept_at = keep_aside(path, &self.dir, &stem);
        StorageError::Unreadable(UnreadableProfile {
            path: path.to_owned(),
            kept_at,
            reason,
        })
    }

    /// The config dir holding `profiles/`.
    fn config_dir(&self) -> Option<&Path> {
        self.dir.parent().filter(|p| !p.as_os_str().is_empty())
    }

    /// Creates the config dir and `profiles/` readable by this user only (0700 on Unix,
    /// whatever the umask).
    fn create_dirs(&self) -> Result<(), StorageError> {
        let io = |source| StorageError::Io {
            action: "create the profiles folder",
            path: self.dir.clone(),
            source,
        };
        if let Some(config) = self.config_dir() {
            private_dir(config).map_err(io)?;
        }
        private_dir(&self.dir).map_err(io)
    }

    /// Makes the config dir, `profiles/` and the files in it private to this user (0700
    /// folders, 0600 files) where they are looser, for example after an older version or a
    /// copy made them readable by others. Returns a note for the admin when something was
    /// changed, `None` when all was already private (or there is nothing yet). Only the
    /// mode bits of what this app owns are changed; symlinks are left alone. Unix only.
    pub fn repair_permissions(&self) -> Option<String> {
        let mut fixed = 0_usize;
        let mut failed: Vec<String> = Vec::new();
        let mut fix = |path: &Path, mode: u32| match tighten(path, mode) {
            Ok(true) => fixed += 1,
            Ok(false) => {}
            Err(err) => failed.push(format!("{} ({err})", path.display())),
        };
        if let Some(config) = self.config_dir() {
            fix(config, 0o700);
        }
        fix(&self.dir, 0o700);
        if let Ok(entries) = fs::read_dir(&self.dir) {
            for entry in entries.flatten() {
                if entry.file_type().is_ok_and(|t| t.is_file()) {
                    fix(&entry.path(), 0o600);
                }
            }
        }
        let folder = self.config_dir().unwrap_or(&self.dir).display().to_string();
        let mut note = String::new();
        if fixed > 0 {
            note = format!(
                "Other users on this computer could read your saved tenants; {fixed} {} now readable by you only: {folder}",
                if fixed == 1 { "item is" } else { "items are" }
            );
        }
        if !failed.is_empty() {
            if !note.is_empty() {
                note.push_str(". ");
            }
            note.push_str("Could not make these private; change their permissions by hand: ");
            note.push_str(&failed.join(", "));
        }
        (!note.is_empty()).then_some(note)
    }

    /// Writes a profile atomically: temp file in the same folder, fsync, rename, fsync dir.
    /// The file is created 0600 (Unix).
    pub fn save(&self, profile: &Profile) -> Result<(), StorageError> {
        check_id(&profile.id)?;
        self.create_dirs()?;
        let json = serde_json::to_vec_pretty(profile).map_err(|err| StorageError::Io {
            action: "encode profile",
            path: self.path_of(&profile.id),
            source: std::io::Error::other(err),
        })?;
        let target = self.path_of(&profile.id);
        // One temp file per save, created exclusively: a second save of the same profile
        // (the window's writer task and a flush on the UI thread) must never truncate the
        // file this one is about to rename into place.
        let temp = self.dir.join(format!(
            ".{}{TEMP_MARKER}{}-{}",
            profile.id,
            std::process::id(),
            SAVES.fetch_add(1, Ordering::Relaxed)
        ));
        let io = |action, source| StorageError::Io {
            action,
            path: target.clone(),
            source,
        };
        let write = || -> std::io::Result<()> {
            let mut options = fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(&temp)?;
            // The umask can only take bits away; set the mode outright all the same.
            #[cfg(unix)]
            file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
            file.write_all(&json)?;
            file.sync_all()?;
            Ok(())
        };
        let written = write()
            .map_err(|source| io("write profile", source))
            .and_then(|()| {
                fs::rename(&temp, &target).map_err(|source| io("replace profile", source))
            });
        if let Err(err) = written {
            let _ = fs::remove_file(&temp);
            return Err(err);
        }
        // Make the rename itself durable.
        if let Ok(dir) = fs::File::open(&self.dir) {
            let _ = dir.sync_all();
        }
        Ok(())
    }

    /// Deletes a profile file (secrets are the caller's business: ask, then delete them).
    pub fn delete(&self, id: &str) -> Result<(), StorageError> {
        check_id(id)?;
        let path = self.path_of(id);
        fs::remove_file(&path).map_err(|source| {
            if source.kind() == std::io::ErrorKind::NotFound {
                StorageError::NotFound { id: id.to_owned() }
            } else {
                StorageError::Io {
                    action: "delete profile",
                    path,
                    source,
                }
            }
        })
    }

    /// Creates and saves a new profile with a fresh id.
    pub fn create(
        &self,
        name: &str,
        platform: PlatformId,
        idp: IdpId,
        now: DateTime<Utc>,
    ) -> Result<Profile, StorageError> {
        let profile = Profile::new(
            self.fresh_id(name)?,
            name.trim().to_owned(),
            platform,
            idp,
            now,
        );
        self.save(&profile)?;
        Ok(profile)
    }

    /// A copy of `source` under a new id and name "<name> (copy)", without credentials
    /// (secrets belong to one tenant), reports or rotation state.
    pub fn duplicate(&self, source: &Profile, now: DateTime<Utc>) -> Result<Profile, StorageError> {
        let name = format!("{} (copy)", source.name);
        let mut copy = source.clone();
        copy.id = self.fresh_id(&name)?;
        copy.name = name;
        copy.created_at = now;
        copy.updated_at = now;
        copy.credentials.clear();
        copy.sso.client_secret_credential = None;
        copy.scim.token_credential = None;
        copy.last_oidc_report = None;
        copy.last_scim_report = None;
        copy.rotation = None;
        copy.history.clear();
        self.save(&copy)?;
        Ok(copy)
    }

    /// A file-name-safe id from the name plus random hex, unused in this store. A failing
    /// generator is an error (never zeros, never an endless loop over a taken id).
    pub fn fresh_id(&self, name: &str) -> Result<String, StorageError> {
        self.fresh_id_with(name, crate::secrets::random)
    }

    fn fresh_id_with(
        &self,
        name: &str,
        mut random: impl FnMut(&mut [u8]) -> Result<(), RandomError>,
    ) -> Result<String, StorageError> {
        let slug = slug(name);
        for _ in 0..64 {
            let mut bytes = [0_u8; 3];
            random(&mut bytes)?;
            let suffix = crate::diagnostics::text::hex(&bytes);
            let id = if slug.is_empty() {
                format!("tenant-{suffix}")
            } else {
                format!("{slug}-{suffix}")
            };
            if !self.path_of(&id).exists() {
                return Ok(id);
            }
        }
        Err(RandomError::repeating().into())
    }
}

/// Why the bytes of a profile file are not a profile this build can use.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProfileParseError {
    /// Written by a newer build (a higher `schema_version`): leave the file in place.
    #[error("{reason}")]
    Newer {
        /// Why, in words for the admin.
        reason: String,
    },
    /// Not JSON, no `schema_version`, not a profile, or no valid id: set the file aside.
    #[error("{reason}")]
    Unusable {
        /// Why, in words for the admin.
        reason: String,
    },
}

/// Decodes the bytes of a profile file: JSON with a `schema_version` this build can read
/// and a valid id. Pure, so what [`ProfileStore`] does with a bad file is decided by the
/// variant, and the decoding can be fuzzed on its own.
pub fn parse_profile(bytes: &[u8]) -> Result<Profile, ProfileParseError> {
    let unusable = |reason: String| ProfileParseError::Unusable { reason };
    let value = serde_json::from_slice::<serde_json::Value>(bytes)
        .map_err(|err| unusable(err.to_string()))?;
    match value
        .get("schema_version")
        .and_then(serde_json::Value::as_u64)
    {
        Some(v) if v > u64::from(SCHEMA_VERSION) => Err(ProfileParseError::Newer {
            reason: format!(
                "it was written by a newer version of sso-scim-wizard (schema {v}); update the app"
            ),
        }),
        Some(_) => {
            let profile: Profile =
                serde_json::from_value(value).map_err(|err| unusable(err.to_string()))?;
            if profile.id.is_empty() || check_id(&profile.id).is_err() {
                Err(unusable("it has no valid id".to_owned()))
            } else {
                Ok(profile)
            }
        }
        None => Err(unusable("it has no schema_version".to_owned())),
    }
}

/// Creates `dir` (and missing parents) and makes `dir` itself 0700 (Unix).
fn private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    tighten(dir, 0o700).map(|_| ())
}

/// Clears the mode bits of `path` beyond `mode`; true when something changed. A path
/// that does not exist, or a symlink, is left alone.
#[cfg(unix)]
fn tighten(path: &Path, mode: u32) -> std::io::Result<bool> {
    use std::os::unix::fs::PermissionsExt as _;
    let meta = match fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(err) => return Err(err),
    };
    if meta.file_type().is_symlink() {
        return Ok(false);
    }
    let current = meta.permissions().mode() & 0o7777;
    let wanted = current & mode;
    if current == wanted {
        return Ok(false);
    }
    fs::set_permissions(path, fs::Permissions::from_mode(wanted))?;
    Ok(true)
}

#[cfg(not(unix))]
fn tighten(_path: &Path, _mode: u32) -> std::io::Result<bool> {
    Ok(false)
}

/// Moves `path` to `dir/<stem>`, or `<stem>-2`, `<stem>-3`… when that name is taken (two
/// corrupt versions of one file within the same second, issue #16 item 10). Never
/// replaces an existing file: the new name is claimed with a hard link, which fails
/// instead of overwriting, and the original name is removed only after that. Where the
/// file system has no hard links, a rename to a name checked to be free is the fallback.
fn keep_aside(path: &Path, dir: &Path, stem: &str) -> Option<PathBuf> {
    for n in 1..=1000_u32 {
        let kept = if n == 1 {
            dir.join(stem)
        } else {
            dir.join(format!("{stem}-{n}"))
        };
        match fs::hard_link(path, &kept) {
            Ok(()) => {
                return if fs::remove_file(path).is_ok() {
                    Some(kept)
                } else {
                    // The bad file is still in place: undo the extra name, report it as left.
                    let _ = fs::remove_file(&kept);
                    None
                };
            }
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(_) => {
                if fs::symlink_metadata(&kept).is_ok() {
                    continue;
                }
                return fs::rename(path, &kept).ok().map(|()| kept);
            }
        }
    }
    None
}

/// Deletes a temp file older than [`STALE_TEMP_AGE`]. Its age is its modification time
/// against the system clock, not the `now` given to `list`: the file system stamps files
/// with the system clock, and `now` may be a fixed date in tests.
fn remove_if_stale(path: &Path) {
    let age = fs::metadata(path)
        .and_then(|meta| meta.modified())
        .ok()
        .and_then(|modified| SystemTime::now().duration_since(modified).ok());
    if age.is_some_and(|age| age >= STALE_TEMP_AGE) {
        let _ = fs::remove_file(path);
    }
}

/// The config dir: `$SSO_SCIM_WIZARD_CONFIG_DIR`, else the platform's.
pub fn config_dir() -> Result<PathBuf, StorageError> {
    if let Some(dir) = std::env::var_os(CONFIG_DIR_ENV).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "sso-scim-wizard")
        .map(|dirs| dirs.config_dir().to_path_buf())
        .ok_or(StorageError::NoConfigDir)
}

fn check_id(id: &str) -> Result<(), StorageError> {
    let valid = !id.is_empty()
        && id.len() <= 80
        && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if valid {
        Ok(())
    } else {
        Err(StorageError::BadId { id: id.to_owned() })
    }
}

fn slug(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
        if slug.len() >= 40 {
            break;
        }
    }
    slug.trim_end_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::expiry::test_now as now;

    #[test]
    fn save_then_list_round_trips() {
        let tmp = tempfile::tempdir().unwrap();
        let store = ProfileStore::at(tmp.path());
        let created = store
            .create("Contoso Prod", PlatformId::Airia, IdpId::Entra, now())
            .unwrap();
        assert!(created.id.starts_with("contoso-prod-"), "{}", created.id);
        let listing = store.list(now()).unwrap();
        assert_eq!(listing.profiles, vec![created.clone()]);
        assert!(listing.problems.is_empty());
        assert_eq!(store.load(&created.id, now()).unwrap(), created);
        // No temp file left behind.
        let names: Vec<_> = fs::read_dir(store.dir())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt as _;
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[cfg(unix)]
    #[test]
    fn profiles_are_private_whatever_the_umask() {
        // Issue #16 item 8: folders were 0755 and files 0644 under the usual umask.
        use std::os::unix::fs::PermissionsExt as _;
        let tmp = tempfile::tempdir().unwrap();
        let config = tmp.path().join("config");
        let store = ProfileStore::at(&config);
        let profile = store
            .create("Acme", PlatformId::Generic, IdpId::Okta, now())
            .unwrap();
        assert_eq!(mode(&config), 0o700);
        assert_eq!(mode(store.dir()), 0o700);
        assert_eq!(mode(&store.path_of(&profile.id)), 0o600);

        // Looser modes left by an older version are repaired, with a note saying so.
        fs::set_permissions(&config, fs::Permissions::from_mode(0o755)).unwrap();
        fs::set_permissions(store.dir(), fs::Permissions::from_mode(0o775)).unwrap();
        fs::set_permissions(
            store.path_of(&profile.id),
            fs::Permissions::from_mode(0o644),
        )
        .unwrap();
        let note = store.repair_permissions().unwrap();
        assert!(
            note.contains("3 items are now readable by you only"),
            "{note}"
        );
        assert_eq!(mode(&config), 0o700);
        assert_eq!(mode(store.dir()), 0o700);
        assert_eq!(mode(&store.path_of(&profile.id)), 0o600);
        assert_eq!(store.repair_permissions(), None);
        // Stricter modes are kept as they are.
        fs::set_permissions(
            store.path_of(&profile.id),
            fs::Permissions::from_mode(0o400),
        )
        .unwrap();
        assert_eq!(store.repair_permissions(), None);
        assert_eq!(mode(&store.path_of(&profile.id)), 0o400);
    }

    #[test]
    fn fresh_id_reports_a_failing_generator_instead_of_looping() {
        // Issue #16 item 11: a failing RNG used to leave zeros, and once `x-000000`
        // existed the loop never ended.
        let tmp = tempfile::tempdir().unwrap();
        let store = ProfileStore::at(tmp.path());
        let zeros = |buf: &mut [u8]| {
            buf.fill(0);
            Ok(())
        };
        assert_eq!(store.fresh_id_with("X", zeros).unwrap(), "x-000000");
        let mut profile = Profile::new(
            "x-000000".into(),
            "X".into(),
            PlatformId::Generic,
            IdpId::Okta,
            now(),
        );
        profile.name = "X".into();
        store.save(&profile).unwrap();
        let stuck = store.fresh_id_with("X", zeros);
        assert!(matches!(stuck, Err(StorageError::Random(_))), "{stuck:?}");
        let failed = crate::secrets::test_rng::with_failing_rng(|| {
            store.create("Y", PlatformId::Generic, IdpId::Okta, now())
        });
        assert!(matches!(failed, Err(StorageError::Random(_))), "{failed:?}");
    }

    #[test]
    fn two_corrupt_versions_in_one_second_are_both_kept() {
        // Issue #16 item 10: the second set-aside used to rename over the first.
        let tmp = tempfile::tempdir().unwrap();
        let store = ProfileStore::at(tmp.path());
        fs::create_dir_all(store.dir()).unwrap();
        let bad = store.path_of("broken-1");
        let mut kept = Vec::new();
        for version in [&b"first {"[..], b"second {", b"third {"] {
            fs::write(&bad, version).unwrap();
            let err = store.load("broken-1", now()).unwrap_err();
            let StorageError::Unreadable(problem) = err else {
                panic!("not set aside: {err}");
            };
            kept.push((problem.kept_at.clone().unwrap(), version.to_vec()));
            assert!(!bad.exists());
        }
        for (path, bytes) in &kept {
            assert_eq!(&fs::read(path).unwrap(), bytes, "{}", path.display());
        }
        let names: std::collections::BTreeSet<_> = kept.iter().map(|(p, _)| p.clone()).collect();
        assert_eq!(names.len(), 3, "{names:?}");
        assert_eq!(store.list(now()).unwrap().problems.len(), 3);
    }

    #[test]
    fn corrupt_file_is_kept_aside_byte_for_byte_and_reported() {
        let tmp = tempfile::tempdir().unwrap();
        let store = ProfileStore::at(tmp.path());
        fs::create_dir_all(store.dir()).unwrap();
        let bad = store.path_of("broken-1");
        fs::write(&bad, b"{\"schema_version\": 1, \"id\": ").unwrap();
        let good = store
            .create("Good", PlatformId::Generic, IdpId::Okta, now())
            .unwrap();
        let listing = store.list(now()).unwrap();
        assert_eq!(listing.profiles.len(), 1);
        assert_eq!(listing.profiles[0].id, good.id);
        assert_eq!(listing.problems.len(), 1);
        let problem = &listing.problems[0];
        let kept = problem.kept_at.clone().unwrap();
        assert_eq!(
            fs::read(&kept).unwrap(),
            b"{\"schema_version\": 1, \"id\": "
        );
        assert!(!bad.exists());
        assert!(problem.to_string().contains("kept unchanged"), "{problem}");
        // Listed again later, the kept-aside file is still reported and still untouched.
        let again = store.list(now()).unwrap();
        assert_eq!(again.problems.len(), 1);
        assert_eq!(again.problems[0].kept_at.as_ref(), Some(&kept));
        assert_eq!(
            fs::read(&kept).unwrap(),
            b"{\"schema_version\": 1, \"id\": "
        );
    }

    #[test]
    fn newer_schema_is_left_in_place_and_reported() {
        let tmp = tempfile::tempdir().unwrap();
        let store = ProfileStore::at(tmp.path());
        fs::create_dir_all(store.dir()).unwrap();
        let path = store.path_of("future-1");
        fs::write(&path, br#"{"schema_version": 99, "id": "future-1"}"#).unwrap();
        let listing = store.list(now()).unwrap();
        assert!(listing.profiles.is_empty());
        assert!(listing.problems[0].reason.contains("newer version"));
        assert!(path.exists());
    }

    #[test]
    fn duplicate_drops_credentials_and_gets_a_new_id() {
        let tmp = tempfile::tempdir().unwrap();
        let store = ProfileStore::at(tmp.path());
        let mut original = store
            .create("Acme", PlatformId::Axonflow, IdpId::Onelogin, now())
            .unwrap();
        original.sso.client_id = "abc".into();
        original.scim.token_credential = Some("tok-1".into());
        let copy = store.duplicate(&original, now()).unwrap();
        assert_ne!(copy.id, original.id);
        assert_eq!(copy.name, "Acme (copy)");
        assert_eq!(copy.sso.client_id, "abc");
        assert_eq!(copy.scim.token_credential, None);
    }

    #[test]
    fn leftover_temp_files_are_never_listed_and_stale_ones_are_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let store = ProfileStore::at(tmp.path());
        let good = store
            .create("Good", PlatformId::Generic, IdpId::Okta, now())
            .unwrap();
        // What a save killed mid-write leaves: half a profile under a temp name.
        let torn = br#"{"schema_version": 1, "id": "#;
        let fresh = store.dir().join(format!(".{}{TEMP_MARKER}4242-0", good.id));
        let stale = store.dir().join(format!(".{}{TEMP_MARKER}4343-7", good.id));
        fs::write(&fresh, torn).unwrap();
        fs::write(&stale, torn).unwrap();
        let long_ago = SystemTime::now() - STALE_TEMP_AGE - Duration::from_mins(1);
        fs::File::options()
            .write(true)
            .open(&stale)
            .unwrap()
            .set_modified(long_ago)
            .unwrap();

        let listing = store.list(now()).unwrap();
        assert_eq!(listing.profiles, vec![good]);
        assert!(listing.problems.is_empty(), "{:?}", listing.problems);
        assert!(
            fresh.exists(),
            "a save that may still be running is left alone"
        );
        assert!(!stale.exists(), "a dead save's leftover is deleted");
    }

    #[test]
    fn two_threads_saving_one_profile_leave_one_whole_version() {
        let tmp = tempfile::tempdir().unwrap();
        let store = ProfileStore::at(tmp.path());
        let version = |tag: &str| {
            let mut profile = Profile::new(
                "race-1".into(),
                tag.into(),
                PlatformId::Generic,
                IdpId::Generic,
                now(),
            );
            profile.checklist_ticks = (0..4000).map(|i| format!("{tag}-{i}")).collect();
            profile
        };
        let versions = [version("a"), version("b")];
        let whole = versions
            .each_ref()
            .map(|profile| serde_json::to_vec_pretty(profile).unwrap());
        for round in 0..50 {
            let barrier = std::sync::Barrier::new(versions.len());
            let results: Vec<Result<(), StorageError>> = std::thread::scope(|scope| {
                let saves: Vec<_> = versions
                    .iter()
                    .map(|profile| {
                        let (store, barrier) = (&store, &barrier);
                        scope.spawn(move || {
                            barrier.wait();
                            store.save(profile)
                        })
                    })
                    .collect();
                saves.into_iter().map(|save| save.join().unwrap()).collect()
            });
            for result in results {
                result.unwrap();
            }
            let bytes = fs::read(store.path_of("race-1")).unwrap();
            assert!(
                whole.contains(&bytes),
                "round {round}: the file is neither version ({} bytes)",
                bytes.len()
            );
        }
        let names: Vec<_> = fs::read_dir(store.dir())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "no temp file left behind: {names:?}");
    }

    #[test]
    fn ids_that_could_escape_the_folder_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let store = ProfileStore::at(tmp.path());
        assert!(matches!(
            store.load("../etc/passwd", now()),
            Err(StorageError::BadId { .. })
        ));
        assert!(matches!(
            store.load("nope-1", now()),
            Err(StorageError::NotFound { .. })
        ));
    }
}

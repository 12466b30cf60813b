//! Where an export goes when the desktop has no save dialog (no XDG desktop portal, no
//! zenity): the admin's Documents folder, else Downloads, else the home folder, as the
//! XDG user-dirs file names them (`~/.config/user-dirs.dirs`, written by
//! `xdg-user-dirs-update`). Files are never overwritten: a taken name gets " (2)", " (3)"….

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Where to look: the home folder and the XDG config folder (`$XDG_CONFIG_HOME`, else
/// `~/.config`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Places {
    /// `$HOME`.
    pub home: PathBuf,
    /// `$XDG_CONFIG_HOME`, else `$HOME/.config`.
    pub config_home: PathBuf,
}

impl Places {
    /// From this process's environment; `None` without a home folder.
    pub fn from_env() -> Option<Self> {
        let home = std::env::var_os("HOME")
            .map(PathBuf::from)
            .filter(|h| h.is_absolute())
            .or_else(|| directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf()))?;
        let config_home = std::env::var_os("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .filter(|c| c.is_absolute())
            .unwrap_or_else(|| home.join(".config"));
        Some(Self { home, config_home })
    }

    /// The folder to save into: Documents, else Downloads, else home; only folders that
    /// exist count.
    pub fn save_folder(&self) -> PathBuf {
        let dirs =
            std::fs::read_to_string(self.config_home.join("user-dirs.dirs")).unwrap_or_default();
        let defaults = [
            ("XDG_DOCUMENTS_DIR", "Documents"),
            ("XDG_DOWNLOAD_DIR", "Downloads"),
        ];
        defaults
            .into_iter()
            .map(|(key, fallback)| {
                user_dir(&dirs, key, &self.home).unwrap_or_else(|| self.home.join(fallback))
            })
            .find(|dir| dir.is_dir() && *dir != self.home)
            .unwrap_or_else(|| self.home.clone())
    }
}

/// The folder `key` names in the text of a `user-dirs.dirs` file
/// (`XDG_DOCUMENTS_DIR="$HOME/Documents"`), with `$HOME` filled in. A line that sets the
/// folder to `$HOME` itself means "none" (that is how xdg-user-dirs disables one).
pub fn user_dir(dirs_file: &str, key: &str, home: &Path) -> Option<PathBuf> {
    let value = dirs_file.lines().find_map(|line| {
        let (name, value) = line.trim().split_once('=')?;
        (name.trim() == key).then(|| value.trim().trim_matches('"').to_owned())
    })?;
    let path = match value.strip_prefix("$HOME") {
        Some(rest) => home.join(rest.trim_start_matches('/')),
        None if value.starts_with('/') => PathBuf::from(&value),
        None => return None,
    };
    (path != home).then_some(path)
}

/// Writes `text` as `file_name` in `folder`, never over an existing file: "name (2).ext"
/// and so on when the name is taken. Returns the path written.
pub fn save_into(folder: &Path, file_name: &str, text: &str) -> std::io::Result<PathBuf> {
    let (stem, extension) = match file_name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem, format!(".{ext}")),
        _ => (file_name, String::new()),
    };
    for number in 1..1000 {
        let name = if number == 1 {
            file_name.to_owned()
        } else {
            format!("{stem} ({number}){extension}")
        };
        let path = folder.join(name);
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut file) => {
                file.write_all(text.as_bytes())?;
                file.sync_all()?;
                return Ok(path);
            }
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(err) => return Err(err),
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::AlreadyExists,
        format!("999 files named like {file_name} already exist"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_dirs_lines_are_read_with_home_filled_in() {
        let file = "# written by xdg-user-dirs-update\nXDG_DESKTOP_DIR=\"$HOME/Desktop\"\n\
                    XDG_DOCUMENTS_DIR=\"$HOME/Dokumente\"\nXDG_DOWNLOAD_DIR=\"$HOME/\"\n";
        let home = Path::new("/home/ada");
        assert_eq!(
            user_dir(file, "XDG_DOCUMENTS_DIR", home),
            Some(PathBuf::from("/home/ada/Dokumente"))
        );
        assert_eq!(user_dir(file, "XDG_DOWNLOAD_DIR", home), None);
        assert_eq!(user_dir(file, "XDG_MUSIC_DIR", home), None);
    }
}

//! Opening a web page: the one way the window starts a browser, for Test login, the
//! walkthroughs' "Open in browser" buttons and hyperlinks (issue #14). `$BROWSER` first
//! (the usual convention: commands separated by `:`, `%s` standing for the URL), else the
//! desktop's default browser. A failure reads as a sentence that ends with the URL, never
//! as a launcher's raw exit status.

use std::io;

/// Why no browser was opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BrowserError {
    /// `$BROWSER` is set but names no command.
    #[error("$BROWSER is set but names no program; fix it or open this page yourself: {url}")]
    EmptyBrowserVariable {
        /// The page.
        url: String,
    },
    /// The program `$BROWSER` names could not be started.
    #[error(
        "The browser set in $BROWSER ({program}) could not be started: {reason}. Fix $BROWSER or open this page yourself: {url}"
    )]
    BrowserVariable {
        /// The program named.
        program: String,
        /// Why, in words.
        reason: String,
        /// The page.
        url: String,
    },
    /// No program to open web pages (xdg-open, gio, …) was found.
    #[error(
        "No program to open web pages was found on this computer (such as xdg-open); set $BROWSER or open this page yourself: {url}"
    )]
    NoLauncher {
        /// The page.
        url: String,
    },
    /// The desktop's launcher ran but said it could not open the page.
    #[error(
        "The desktop could not open a browser (its launcher reported an error); set $BROWSER or open this page yourself: {url}"
    )]
    LauncherFailed {
        /// The page.
        url: String,
    },
}

/// Opens `url` in `$BROWSER` or the desktop's default browser, without waiting for it.
pub fn open_url(url: &str) -> Result<(), BrowserError> {
    match std::env::var("BROWSER") {
        Ok(list) if !list.trim().is_empty() => open_with(&list, url),
        _ => open::that_detached(url).map_err(|err| launcher_error(&err, url)),
    }
}

/// Starts the first command of a `$BROWSER` list on `url`.
fn open_with(list: &str, url: &str) -> Result<(), BrowserError> {
    let parts = browser_command(list, url).ok_or_else(|| BrowserError::EmptyBrowserVariable {
        url: url.to_owned(),
    })?;
    let (program, args) =
        parts
            .split_first()
            .ok_or_else(|| BrowserError::EmptyBrowserVariable {
                url: url.to_owned(),
            })?;
    let mut child = std::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .spawn()
        .map_err(|err| BrowserError::BrowserVariable {
            program: program.clone(),
            reason: io_reason(&err),
            url: url.to_owned(),
        })?;
    // Reap it in the background so no zombie is left; nothing waits for the browser.
    std::thread::spawn(move || child.wait());
    Ok(())
}

/// The program and arguments for `url` from a `$BROWSER` list (`None`: no command in it).
fn browser_command(list: &str, url: &str) -> Option<Vec<String>> {
    let command = list.split(':').map(str::trim).find(|c| !c.is_empty())?;
    let mut parts: Vec<String> = command.split_whitespace().map(str::to_owned).collect();
    if parts.iter().any(|p| p.contains("%s")) {
        parts = parts.into_iter().map(|p| p.replace("%s", url)).collect();
    } else {
        parts.push(url.to_owned());
    }
    Some(parts)
}

fn launcher_error(err: &io::Error, url: &str) -> BrowserError {
    match err.kind() {
        io::ErrorKind::NotFound => BrowserError::NoLauncher {
            url: url.to_owned(),
        },
        _ => BrowserError::LauncherFailed {
            url: url.to_owned(),
        },
    }
}

/// An I/O error in plain words, without the `(os error N)` tail.
fn io_reason(err: &io::Error) -> String {
    match err.kind() {
        io::ErrorKind::NotFound => "no such program".to_owned(),
        io::ErrorKind::PermissionDenied => "it may not be run (permission denied)".to_owned(),
        _ => {
            let text = err.to_string();
            match text.find(" (os error") {
                Some(at) => text[..at].to_owned(),
                None => text,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browser_list_takes_the_first_command_and_places_the_url() {
        assert_eq!(
            browser_command(" : firefox --new-window:chromium", "https://a.example/"),
            Some(vec![
                "firefox".to_owned(),
                "--new-window".to_owned(),
                "https://a.example/".to_owned()
            ])
        );
        assert_eq!(
            browser_command("open -u %s", "https://a.example/"),
            Some(vec![
                "open".to_owned(),
                "-u".to_owned(),
                "https://a.example/".to_owned()
            ])
        );
        assert_eq!(browser_command(" : ", "https://a.example/"), None);
    }

    #[test]
    fn a_missing_browser_program_reads_as_a_sentence() {
        let err = open_with("/nonexistent/ssw-browser", "https://a.example/")
            .expect_err("no such program");
        let text = err.to_string();
        assert!(text.contains("no such program"), "{text}");
        assert!(text.ends_with("https://a.example/"), "{text}");
        assert!(!text.contains("os error"), "{text}");
    }

    #[test]
    fn a_failing_launcher_reads_as_a_sentence_not_an_exit_status() {
        // What `open` 5 returns when xdg-open exits with 2.
        let raw = io::Error::other(
            "Launcher \"xdg-open\" \"https://a.example/\" failed with ExitStatus(unix_wait_status(512))",
        );
        let text = launcher_error(&raw, "https://a.example/").to_string();
        assert!(!text.contains("ExitStatus"), "{text}");
        assert!(
            text.starts_with("The desktop could not open a browser"),
            "{text}"
        );
        let missing = io::Error::from(io::ErrorKind::NotFound);
        assert!(
            launcher_error(&missing, "https://a.example/")
                .to_string()
                .contains("No program to open web pages")
        );
    }
}

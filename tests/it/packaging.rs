//! Packaging files agree with each other and with the crate: icon sizes and containers,
//! the desktop entry, the `AppStream` metainfo, the Debian assets, the macOS `Info.plist`
//! and the `WiX` source. Pure file checks, no tool needed; `scripts/test-package` runs the
//! validators, installs the .deb and starts the installed app.

use std::path::{Path, PathBuf};

const VERSION: &str = env!("CARGO_PKG_VERSION");
const ICON_SIZES: [u32; 7] = [16, 32, 48, 64, 128, 256, 512];
const METAINFO: &str = "packaging/linux/io.github.sso_scim_wizard.SsoScimWizard.metainfo.xml";
const DESKTOP: &str = "packaging/linux/sso-scim-wizard.desktop";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> Vec<u8> {
    std::fs::read(root().join(path)).unwrap_or_else(|err| panic!("{path}: {err}"))
}

fn read_text(path: &str) -> String {
    String::from_utf8(read(path)).unwrap_or_else(|err| panic!("{path}: {err}"))
}

fn be_u32(bytes: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

/// Width and height from a PNG's IHDR chunk.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    assert_eq!(&bytes[12..16], b"IHDR");
    (be_u32(bytes, 16), be_u32(bytes, 20))
}

/// The value of `key=` in the desktop entry's main group.
fn desktop_value<'a>(entry: &'a str, key: &str) -> Option<&'a str> {
    entry
        .lines()
        .find_map(|line| line.strip_prefix(key)?.strip_prefix('='))
}

#[cfg(feature = "gui")]
#[test]
fn window_icon_decodes_to_256_square_rgba() {
    let icon = sso_scim_wizard::ui::app_icon();
    assert_eq!((icon.width, icon.height), (256, 256));
    assert_eq!(icon.rgba.len(), 256 * 256 * 4);
    let opaque = icon.rgba.chunks_exact(4).filter(|px| px[3] == 255).count();
    assert!(
        opaque > 256 * 256 / 2,
        "the icon is mostly transparent: {opaque} opaque pixels"
    );
}

#[test]
fn png_icons_have_the_size_in_their_name() {
    for size in ICON_SIZES {
        let path = format!("assets/icons/sso-scim-wizard-{size}.png");
        assert_eq!(png_size(&read(&path)), (size, size), "{path}");
    }
    let svg = read_text("assets/icons/sso-scim-wizard.svg");
    assert!(svg.contains("<svg") && svg.contains("viewBox=\"0 0 256 256\""));
}

#[test]
fn windows_ico_holds_the_small_and_large_sizes() {
    let ico = read("assets/icons/sso-scim-wizard.ico");
    assert_eq!(
        &ico[..4],
        &[0, 0, 1, 0],
        "ICONDIR header: reserved 0, type 1 (icon)"
    );
    let count = usize::from(u16::from_le_bytes([ico[4], ico[5]]));
    // Each 16-byte directory entry starts with width and height; 0 stands for 256.
    let sizes: Vec<u32> = (0..count)
        .map(|i| match ico[6 + 16 * i] {
            0 => 256,
            width => u32::from(width),
        })
        .collect();
    for size in [16, 32, 48, 256] {
        assert!(
            sizes.contains(&size),
            "no {size}px image in the .ico: {sizes:?}"
        );
    }
}

#[test]
fn macos_icns_is_a_well_formed_container_of_pngs() {
    let icns = read("assets/icons/sso-scim-wizard.icns");
    assert_eq!(&icns[..4], b"icns");
    assert_eq!(be_u32(&icns, 4) as usize, icns.len(), "declared length");
    let mut types = Vec::new();
    let mut at = 8;
    while at < icns.len() {
        let kind = String::from_utf8_lossy(&icns[at..at + 4]).into_owned();
        let len = be_u32(&icns, at + 4) as usize;
        assert!(
            len > 8 && at + len <= icns.len(),
            "entry {kind} overruns the file"
        );
        png_size(&icns[at + 8..at + len]);
        types.push(kind);
        at += len;
    }
    for kind in [
        "ic07", "ic08", "ic09", "ic10", "ic11", "ic12", "ic13", "ic14",
    ] {
        assert!(
            types.iter().any(|t| t == kind),
            "no {kind} entry: {types:?}"
        );
    }
}

#[test]
fn desktop_entry_starts_the_binary_with_the_installed_icon() {
    let entry = read_text(DESKTOP);
    assert!(entry.starts_with("[Desktop Entry]\n"));
    let bin = Path::new(env!("CARGO_BIN_EXE_sso-scim-wizard"));
    let bin_name = bin
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("binary name");
    assert_eq!(desktop_value(&entry, "Exec"), Some(bin_name));
    assert_eq!(desktop_value(&entry, "TryExec"), Some(bin_name));
    // The icon name is the file name installed under hicolor (Cargo.toml's deb assets).
    assert_eq!(desktop_value(&entry, "Icon"), Some("sso-scim-wizard"));
    assert_eq!(desktop_value(&entry, "Terminal"), Some("false"));
    // The X11 WM_CLASS / Wayland app_id set in ui::run, so docks group the window with it.
    assert_eq!(
        desktop_value(&entry, "StartupWMClass"),
        Some("sso-scim-wizard")
    );
}

#[test]
fn metainfo_names_the_desktop_entry_and_has_notes_for_this_version() {
    let metainfo = read_text(METAINFO);
    let desktop_id = Path::new(DESKTOP)
        .file_name()
        .and_then(|s| s.to_str())
        .expect("name");
    assert!(metainfo.contains(&format!(
        "<launchable type=\"desktop-id\">{desktop_id}</launchable>"
    )));
    assert!(metainfo.contains("<id>io.github.sso_scim_wizard.SsoScimWizard</id>"));
    assert!(
        metainfo.contains(&format!("<release version=\"{VERSION}\"")),
        "add release notes for {VERSION} to {METAINFO}"
    );
    assert!(metainfo.contains("<content_rating type=\"oars-1.1\""));
    // Screenshots are the README's, produced by scripts/screenshots.
    let readme = read_text("README.md");
    let mut shots = 0;
    for piece in metainfo.split("<image>").skip(1) {
        let url = piece.split("</image>").next().expect("closing tag");
        let file = url.rsplit("/docs/screenshots/").next().expect("path");
        assert!(url.starts_with("https://"), "{url}");
        assert!(
            readme.contains(&format!("docs/screenshots/{file}")),
            "{file} is not one of the README's screenshots"
        );
        shots += 1;
    }
    assert!(shots >= 1);
}

#[test]
fn debian_assets_exist_and_land_in_the_standard_paths() {
    let manifest: toml::Table = read_text("Cargo.toml").parse().expect("Cargo.toml");
    let deb = &manifest["package"]["metadata"]["deb"];
    let depends = deb["depends"].as_str().expect("depends");
    for lib in [
        "$auto",
        "libx11-6",
        "libxkbcommon-x11-0",
        "libgl1",
        "libegl1",
    ] {
        assert!(depends.contains(lib), "depends lacks {lib}");
    }
    assert!(
        deb["recommends"]
            .as_str()
            .expect("recommends")
            .contains("gnome-keyring")
    );
    let assets = deb["assets"].as_array().expect("assets");
    let mut destinations = Vec::new();
    for asset in assets {
        let asset = asset.as_array().expect("[source, dest, mode]");
        let source = asset[0].as_str().expect("source");
        let dest = asset[1].as_str().expect("dest");
        if !source.starts_with("target/") {
            assert!(root().join(source).is_file(), "missing deb asset {source}");
        }
        let name = Path::new(source)
            .file_name()
            .and_then(|s| s.to_str())
            .expect("name");
        destinations.push(if dest.ends_with('/') {
            format!("{dest}{name}")
        } else {
            dest.to_owned()
        });
    }
    let mut expected = vec![
        "usr/bin/sso-scim-wizard".to_owned(),
        "usr/share/applications/sso-scim-wizard.desktop".to_owned(),
        format!(
            "usr/share/metainfo/{}",
            METAINFO.trim_start_matches("packaging/linux/")
        ),
        "usr/share/icons/hicolor/scalable/apps/sso-scim-wizard.svg".to_owned(),
    ];
    for size in ICON_SIZES {
        expected.push(format!(
            "usr/share/icons/hicolor/{size}x{size}/apps/sso-scim-wizard.png"
        ));
    }
    for path in expected {
        assert!(
            destinations.contains(&path),
            "the .deb does not install {path}"
        );
    }
}

#[test]
fn macos_plist_and_wix_source_carry_this_version_and_the_icons() {
    let plist = read_text("packaging/macos/Info.plist");
    let value = |key: &str| {
        let after = plist.split(&format!("<key>{key}</key>")).nth(1)?;
        let start = after.find("<string>")? + "<string>".len();
        let end = after.find("</string>")?;
        Some(after[start..end].to_owned())
    };
    assert_eq!(
        value("CFBundleShortVersionString").as_deref(),
        Some(VERSION)
    );
    assert_eq!(value("CFBundleVersion").as_deref(), Some(VERSION));
    assert_eq!(
        value("CFBundleExecutable").as_deref(),
        Some("sso-scim-wizard")
    );
    assert_eq!(
        value("CFBundleIconFile").as_deref(),
        Some("sso-scim-wizard.icns")
    );
    assert_eq!(value("LSMinimumSystemVersion").as_deref(), Some("11.0"));

    let wxs = read_text("packaging/windows/main.wxs");
    assert!(wxs.contains(r#"SourceFile="assets\icons\sso-scim-wizard.ico""#));
    assert!(root().join("assets/icons/sso-scim-wizard.ico").is_file());
    // The upgrade code never changes: a new one would install side by side.
    assert!(wxs.contains(r#"UpgradeCode="298590F9-CCC5-4E34-91D2-E4CBC2D45C27""#));
}

#!/usr/bin/python3
"""Real-window clipboard checks (issue #14): paste from and copy to another program.

    /usr/bin/python3 tests/desktop/test_clipboard.py [--bin PATH] [--use-session] [--shots DIR]

1. Text another program (xclip) put on the clipboard is pasted with Ctrl+V into the
   Directory (tenant) ID field; the field, read back through AT-SPI, holds it.
2. "Copy issuer" puts the issuer, as the Issuer URL field shows it, on the clipboard, as
   another program (xclip -o) reads it.
3. A generated SCIM token's one-time reveal: Copy puts exactly the revealed value on the
   clipboard, and it is gone from there after the clear timeout (shortened for the test
   with SSO_SCIM_WIZARD_CLIPBOARD_CLEAR_SECS; the app's default stays 60 s).

Without --use-session it runs in a private D-Bus session with its own Xvfb and unlocked
gnome-keyring; scripts/test passes --use-session inside its own private session.
Exit status 0 when every check passed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ssw_desktop  # noqa: E402
from ssw_desktop import Desktop, DesktopError  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
TENANT_ID = "0f4e3d2c-1b0a-4987-8654-3210fedcba98"
CLEAR_SECS = 4


def check_paste_and_copy(desk: Desktop, shots: Path | None) -> None:
    profile = desk.create_profile("Clipboard (desktop test)", platform="generic", idp="entra")
    app = desk.start_app("gui", "--profile", profile, "--step", "sso-app")
    field = app.find("entry", "Directory (tenant) ID")

    desk.clipboard_set(TENANT_ID)
    app.paste_into(field)
    ssw_desktop._wait(
        "the pasted tenant id in the field",
        lambda: app.text(app.find("entry", "Directory (tenant) ID")) == TENANT_ID,
        10,
    )
    print(f"ok: Ctrl+V pasted another program's clipboard into the field ({TENANT_ID})")

    issuer_field = app.find("entry", "Issuer URL")
    issuer = ssw_desktop._wait(
        "the issuer built from the tenant id",
        lambda: (text := app.text(app.find("entry", "Issuer URL"))) and TENANT_ID in text and text,
        10,
    )
    del issuer_field
    app.click(app.find("push button", "Copy issuer"))
    seen = ssw_desktop._wait(
        "the issuer on the clipboard",
        lambda: desk.clipboard_get() == issuer and issuer,
        10,
    )
    print(f"ok: Copy issuer put {seen!r} on the system clipboard")
    if shots:
        app.screenshot(shots / "desktop-sso-app-pasted.png")
    app.close()


def check_reveal_copy_and_clear(desk: Desktop, shots: Path | None) -> None:
    profile = desk.create_profile("Reveal (desktop test)", platform="generic", idp="entra")
    app = desk.start_app(
        "gui", "--profile", profile, "--step", "credentials",
        env={"SSO_SCIM_WIZARD_CLIPBOARD_CLEAR_SECS": str(CLEAR_SECS)},
    )
    app.click(app.find("push button", "Generate SCIM token"))
    copy = app.find("push button", "Copy")
    # The value is the monospace label right before its Copy button.
    labels = [
        n for n in app.nodes("label")
        if n.name and len(n.name) >= 40 and " " not in n.name
    ]
    if len(labels) != 1:
        raise DesktopError(f"expected one revealed token label, found {len(labels)}")
    token = labels[0].name
    if shots:
        app.screenshot(shots / "desktop-credentials-reveal.png")
    desk.clipboard_set("something the admin copied before")
    app.click(copy)
    ssw_desktop._wait("the token on the clipboard", lambda: desk.clipboard_get() == token, 10)
    copied_at = time.monotonic()
    print("ok: the one-time reveal's Copy put exactly the revealed token on the clipboard")
    app.find("label", "Copied. The clipboard is cleared", exact=False)
    if app.find_all("label", token):
        raise DesktopError("the token is still shown in full after Copy")

    ssw_desktop._wait(
        f"the token to leave the clipboard after {CLEAR_SECS} s",
        lambda: desk.clipboard_get() != token,
        CLEAR_SECS + 15,
    )
    elapsed = time.monotonic() - copied_at
    if elapsed < CLEAR_SECS - 1:
        raise DesktopError(f"the clipboard was cleared after {elapsed:.1f} s, before its time")
    print(f"ok: the token was gone from the clipboard {elapsed:.1f} s after Copy")
    if shots:
        app.screenshot(shots / "desktop-credentials-copied.png")
    app.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    target = Path(os.environ.get("CARGO_TARGET_DIR") or ROOT / "target")
    parser.add_argument("--bin", default=str(target / "debug" / "sso-scim-wizard"))
    parser.add_argument("--use-session", action="store_true",
                        help="use this D-Bus session, its keyring and DISPLAY (scripts/test)")
    parser.add_argument("--shots", help="save screenshots of the window in this directory")
    args = parser.parse_args()
    if not args.use_session:
        ssw_desktop.in_private_session(sys.argv)
    shots = Path(args.shots) if args.shots else None
    if shots:
        shots.mkdir(parents=True, exist_ok=True)

    failed = 0
    with Desktop(args.bin, use_session=args.use_session) as desk:
        checks = (check_paste_and_copy, check_reveal_copy_and_clear)
        for check in checks:
            try:
                check(desk, shots)
            except Exception as err:  # noqa: BLE001 - report every check, then fail
                failed += 1
                print(f"FAILED: {check.__name__}: {err}", file=sys.stderr)
                if not isinstance(err, DesktopError):
                    traceback.print_exc()
                for app in desk.apps:
                    log = app.output().strip()
                    if log:
                        print("--- app output:\n" + log, file=sys.stderr)
            finally:
                for app in desk.apps:
                    app.close()
                desk.apps.clear()
    print(f"desktop: {len(checks) - failed} of {len(checks)} checks passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""The README's screenshots, of the product at work: seeded tenants, the local test peers,
the real window driven through its accessibility tree (scripts/screenshots runs this).

    /usr/bin/python3 tests/desktop/readme_shots.py --bin PATH --out DIR

Needs the peers' environment (scripts/peers start; source DIR/env): SSW_OIDC_ISSUER,
SSW_OIDC_CLIENT_ID, SSW_OIDC_CLIENT_SECRET, SSW_SCIM_BASE_URL, SSW_SCIM_TOKEN.

Shots (DIR/NAME.png, the window only, 1280x800):
  tenant, sso-app, scim-app      the steps of a tenant being set up
  test-sso-failing               Test SSO against an issuer with a wrong path: the failure
                                 and its fix
  test-sso                       the same tenant with the issuer fixed and its client secret
  test-scim                      Test SCIM against the SCIM server, with its findings
  reveal                         a generated SCIM token's one-time reveal
  credentials                    credentials with red, yellow and green expiry badges
  dashboard                      the expiry dashboard across tenants
  rotation                       the rotation walkthrough, started from Credentials
  review                         Review with some of the checklist done
Each shot is checked not to be one flat colour (a window that did not render).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ssw_desktop  # noqa: E402
from ssw_desktop import App, Desktop, DesktopError  # noqa: E402

SETTLE_SECS = 1.0


def peer(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise DesktopError(f"{name} is not set: start the peers (scripts/peers start) first")
    return value


def edit_profile(desk: Desktop, profile: str, change) -> None:
    """Changes the saved profile as the window would have saved it (the app is closed)."""
    path = Path(desk.env["SSO_SCIM_WIZARD_CONFIG_DIR"]) / "profiles" / f"{profile}.json"
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data, indent=2))


def import_credential(desk: Desktop, profile: str, kind: str, value: str, days: int,
                      *extra: str) -> None:
    desk.env["SSW_SHOT_SECRET"] = value
    try:
        desk.run([desk.binary, "token", "import", "--profile", profile, "--kind", kind,
                  "--from-env", "SSW_SHOT_SECRET", "--lifetime-days", str(days), *extra])
    finally:
        del desk.env["SSW_SHOT_SECRET"]


def shoot(app: App, out: Path, name: str) -> None:
    time.sleep(SETTLE_SECS)
    path = out / f"{name}.png"
    app.desk.run(["/usr/bin/import", "-window", app.window, str(path)])
    spread = app.desk.run([
        "/usr/bin/convert", str(path), "-format", "%[fx:standard_deviation]", "info:",
    ]).stdout.strip()
    if spread in ("0", ""):
        raise DesktopError(f"{path} is one flat colour: the window did not render")
    print(f"screenshot: {path}")


def run_checks(app: App, button: str) -> None:
    """Presses the step's run button (its first name, or "… again" / "Run again") and waits until the run is over:
    the button enabled again (the local peers answer within a second or two)."""

    names = (button, f"{button} again", "Run again")

    def run_button():
        found = [n for n in app.nodes("push button") if n.name in names]
        return found[0] if found and App.is_enabled(found[0]) else None

    app.click(ssw_desktop._wait(f"an enabled {button!r} button", run_button, 20))
    time.sleep(3)
    ssw_desktop._wait(f"the checks started by {button!r} to finish", run_button, 60)


def step(desk: Desktop, profile: str, name: str) -> App:
    app = desk.start_app("gui", "--profile", profile, "--step", name)
    ssw_desktop._wait("the step's controls", lambda: app.nodes("push button"), 20)
    return app


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    ssw_desktop.in_private_session(sys.argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    issuer = peer("SSW_OIDC_ISSUER").rstrip("/")
    client_id = peer("SSW_OIDC_CLIENT_ID")
    client_secret = peer("SSW_OIDC_CLIENT_SECRET")
    scim_base = peer("SSW_SCIM_BASE_URL")
    scim_token = peer("SSW_SCIM_TOKEN")

    with Desktop(args.bin) as desk:
        # Two tenants, so the dashboard compares them; the one in the shots is Contoso.
        other = desk.create_profile("Fabrikam (demo)", platform="generic", idp="okta")
        import_credential(desk, other, "scim-token", "fab-" + "4c9e1a7b" * 6, 200)
        profile = desk.create_profile("Contoso (demo)", platform="generic", idp="generic")

        def wrong_issuer(data):
            data["sso"]["issuer"] = issuer + "/oauth2/default"
            data["sso"]["issuer_edited"] = True
            data["sso"]["client_id"] = client_id
            data["scim"]["base_url"] = scim_base
            data["scim"]["base_url_edited"] = True

        edit_profile(desk, profile, wrong_issuer)
        for name in ("tenant", "sso-app", "scim-app"):
            app = step(desk, profile, name)
            shoot(app, out, name)
            app.close()
            desk.apps.clear()

        app = step(desk, profile, "test-sso")
        run_checks(app, "Run the checks")
        shoot(app, out, "test-sso-failing")
        app.close()
        desk.apps.clear()

        def right_issuer(data):
            data["sso"]["issuer"] = issuer

        edit_profile(desk, profile, right_issuer)
        import_credential(desk, profile, "client-secret", client_secret, 5)
        app = step(desk, profile, "test-sso")
        run_checks(app, "Run the checks")
        shoot(app, out, "test-sso")
        app.close()
        desk.apps.clear()

        import_credential(desk, profile, "scim-token", scim_token, 20)
        app = step(desk, profile, "test-scim")
        run_checks(app, "Run checks")
        shoot(app, out, "test-scim")
        app.close()
        desk.apps.clear()

        app = step(desk, profile, "credentials")
        shoot(app, out, "credentials")
        app.click(app.find("push button", "Expiry dashboard"))
        app.find(None, "Fabrikam (demo)", exact=False)
        shoot(app, out, "dashboard")
        app.close()
        desk.apps.clear()

        app = step(desk, profile, "review")
        boxes = [n for n in app.nodes("check box") if n.name and n.name != "Still open only"]
        for box in boxes[:6]:
            if App.is_enabled(box):
                app.click(box)
                time.sleep(0.1)
        shoot(app, out, "review")
        app.close()
        desk.apps.clear()

        app = step(desk, profile, "credentials")
        rotate = [n for n in app.nodes("push button") if (n.name or "").startswith("Rotate")]
        if not rotate:
            raise DesktopError("no Rotate… button in Credentials")
        app.click(rotate[0])
        time.sleep(0.5)
        shoot(app, out, "rotation")
        app.close()
        desk.apps.clear()

        fresh = desk.create_profile("Northwind (demo)", platform="generic", idp="okta")
        app = step(desk, fresh, "credentials")
        app.click(app.find("push button", "Generate SCIM token"))
        app.find("push button", "Copy")
        shoot(app, out, "reveal")
        app.close()
        desk.apps.clear()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (DesktopError, subprocess.CalledProcessError) as err:
        print(f"screenshots: error: {err}", file=sys.stderr)
        sys.exit(1)

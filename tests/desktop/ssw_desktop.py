"""Drive the real sso-scim-wizard window: Xvfb, D-Bus, AT-SPI, xdotool and xclip.

The headless kittest suite never touches a real clipboard, window or desktop; this module
is what the real-window checks under tests/desktop/ share (issue #14). It needs Debian's
xvfb, xdotool, xclip, at-spi2-core and python3-pyatspi: run it with /usr/bin/python3 (a
pyenv python cannot import pyatspi).

    with Desktop(binary) as desk:
        profile = desk.create_profile("Demo", platform="generic", idp="entra")
        app = desk.start_app("gui", "--profile", profile, "--step", "sso-app")
        field = app.find("entry", "Directory (tenant) ID")
        desk.clipboard_set("5a1c2b3d-...")
        app.paste_into(field)
        assert app.text(field) == "5a1c2b3d-..."

Everything the app writes goes to a throw-away directory: its config dir
(SSO_SCIM_WIZARD_CONFIG_DIR), XDG dirs and, unless the caller already runs in a private
session (`use_session=True`, as scripts/test does), its own D-Bus session, unlocked
gnome-keyring and Xvfb.

Accessibility, as found on Debian 12 with AccessKit 0.x in eframe 0.37:
- AccessKit serves AT-SPI only once `org.a11y.Status.IsEnabled` is true on the session
  bus; the at-spi bus launcher (org.a11y.Bus, /usr/libexec/at-spi-bus-launcher) is
  D-Bus activated by that call, nothing has to be started by hand. NO_AT_BRIDGE and
  ACCESSKIT_* variables are not needed (NO_AT_BRIDGE only concerns GTK apps).
- Enable it *before* the app starts: AccessKit reads the property at start-up and then
  follows changes, but the first tree is only published once it is enabled.
- Names come from `labelled_by`, roles as `getRoleName()` ("entry", "push button",
  "password text", "label"); `queryText()`, `queryAction().doAction(0)` (egui treats it
  as a click) and `queryComponent().getExtents(DESKTOP_COORDS)` work; GetPosition does not.
- Without a window manager nothing gets the input focus: `xdotool windowfocus --sync`
  before keys.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

APP_NAME = "sso-scim-wizard"
DEFAULT_TIMEOUT_SECS = 30.0


class DesktopError(AssertionError):
    """A check or a set-up step failed; the message says which and what was seen."""


class AppExited(DesktopError):
    """The app's process ended: waiting longer cannot help."""


def _which(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise DesktopError(
            f"{tool} is missing: apt-get install -y --no-install-recommends "
            "xvfb xdotool xclip at-spi2-core python3-pyatspi gnome-keyring dbus-daemon"
        )
    return path


def _wait(what: str, probe, timeout_secs: float = DEFAULT_TIMEOUT_SECS, every_secs=0.2):
    """Calls `probe()` until it returns something truthy; fails naming `what`."""
    deadline = time.monotonic() + timeout_secs
    last_error = None
    while True:
        try:
            value = probe()
            if value:
                return value
        except AppExited:
            raise
        except Exception as err:  # noqa: BLE001 - AT-SPI raises many kinds while a tree settles
            last_error = err
        if time.monotonic() >= deadline:
            extra = f" (last error: {last_error})" if last_error else ""
            raise DesktopError(f"timed out after {timeout_secs:.0f} s waiting for {what}{extra}")
        time.sleep(every_secs)


def in_private_session(argv: list[str]) -> None:
    """Re-runs this program under `dbus-run-session` unless it already is in one of ours,
    so the app's keyring and accessibility bus never are the desktop's own."""
    if os.environ.get("SSW_DESKTOP_PRIVATE_SESSION") == "1":
        return
    env = dict(os.environ, SSW_DESKTOP_PRIVATE_SESSION="1")
    # Our own display too: a desktop's real clipboard must not be read or overwritten.
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    os.execvpe(
        _which("dbus-run-session"),
        ["dbus-run-session", "--", sys.executable, *argv],
        env,
    )


class Desktop:
    """A display, a session bus with accessibility on, a keyring and a scratch config dir."""

    def __init__(self, binary: str | os.PathLike, *, use_session: bool = False,
                 size: str = "1280x800x24"):
        self.binary = str(Path(binary).resolve())
        if not os.access(self.binary, os.X_OK):
            raise DesktopError(f"no app binary at {self.binary}: build it with cargo build")
        self.use_session = use_session
        self.size = size
        self.scratch = Path(tempfile.mkdtemp(prefix="ssw-desktop."))
        self.env = dict(os.environ)
        self._xvfb = None
        self._keyring = None
        self._clipboard_owner = None
        self.apps: list[App] = []

    # --- set-up -------------------------------------------------------------------------

    def __enter__(self) -> "Desktop":
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _start(self) -> None:
        if not self.env.get("DBUS_SESSION_BUS_ADDRESS"):
            raise DesktopError("no D-Bus session: call in_private_session() first or run in one")
        for name in ("config", "xdg-config", "xdg-data", "xdg-cache", "xdg-state"):
            (self.scratch / name).mkdir(mode=0o700)
        self.env.update(
            SSO_SCIM_WIZARD_CONFIG_DIR=str(self.scratch / "config"),
            XDG_CONFIG_HOME=str(self.scratch / "xdg-config"),
            XDG_CACHE_HOME=str(self.scratch / "xdg-cache"),
            XDG_STATE_HOME=str(self.scratch / "xdg-state"),
            # A browser that cannot open anything: no check may leave the machine.
            BROWSER="/bin/false",
        )
        self.env.pop("WAYLAND_DISPLAY", None)
        if not self.env.get("XDG_RUNTIME_DIR"):
            runtime = self.scratch / "runtime"
            runtime.mkdir(mode=0o700)
            self.env["XDG_RUNTIME_DIR"] = str(runtime)
        if not self.use_session:
            self._start_keyring()
        if not self.use_session or not self.env.get("DISPLAY"):
            self._start_xvfb()
        self.enable_accessibility()

    def _start_keyring(self) -> None:
        daemon = _which("gnome-keyring-daemon")
        # A fresh login keyring in the scratch dir, unlocked with a password on stdin.
        env = dict(self.env, XDG_DATA_HOME=str(self.scratch / "keyring-data"))
        out = subprocess.run(
            [daemon, "--unlock", "--components=secrets"],
            input=b"pw", env=env, capture_output=True, timeout=30, check=False,
        )
        if out.returncode != 0:
            raise DesktopError(f"gnome-keyring-daemon --unlock failed: {out.stderr.decode()}")
        for line in out.stdout.decode().splitlines():
            name, _, value = line.partition("=")
            if name.isupper() and value:
                self.env[name] = value

    def _start_xvfb(self) -> None:
        xvfb = _which("Xvfb")
        read_fd, write_fd = os.pipe()
        self._xvfb = subprocess.Popen(
            [xvfb, "-displayfd", str(write_fd), "-screen", "0", self.size, "-nolisten", "tcp"],
            pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        os.close(write_fd)
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()
        if not number:
            raise DesktopError("Xvfb did not start")
        self.env["DISPLAY"] = f":{number}"

    def enable_accessibility(self) -> None:
        """Turns AT-SPI on for the session (activates the at-spi bus launcher)."""
        _which("busctl")
        self.run([
            "busctl", "--user", "set-property", "org.a11y.Bus", "/org/a11y/bus",
            "org.a11y.Status", "IsEnabled", "b", "true",
        ])
        # pyatspi connects at import time, to the bus of this process' environment.
        for name in ("DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR"):
            os.environ[name] = self.env[name]

    # --- programs -----------------------------------------------------------------------

    def run(self, argv: list[str], *, check: bool = True, timeout: float = 60,
            input_text: str | None = None) -> subprocess.CompletedProcess:
        out = subprocess.run(
            argv, env=self.env, capture_output=True, text=True, timeout=timeout,
            check=False, input=input_text,
        )
        if check and out.returncode != 0:
            raise DesktopError(
                f"{' '.join(argv)} exited with {out.returncode}: {out.stderr.strip()}"
            )
        return out

    def cli(self, *args: str) -> str:
        """Runs the app's command line with the scratch config; returns stdout."""
        return self.run([self.binary, *args]).stdout

    def create_profile(self, name: str, *, platform: str, idp: str) -> str:
        """A new tenant profile; returns its id."""
        import json

        return json.loads(
            self.cli("profile", "create", name, "--platform", platform, "--idp", idp, "--json")
        )["id"]

    def start_app(self, *args: str, env: dict[str, str] | None = None) -> "App":
        """Starts the window (`args` after the binary, e.g. "gui", "--step", "tenant").

        On a loaded machine Xvfb now and then refuses a new client for a moment ("Failed
        to open connection to X server"); such a start is tried again, twice at most."""
        for attempt in range(3):
            log = open(self.scratch / f"app-{len(self.apps)}-{attempt}.log", "w+b")  # noqa: SIM115
            proc = subprocess.Popen(
                [self.binary, *args], env=dict(self.env, **(env or {})),
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            )
            app = App(self, proc, log)
            try:
                app.wait_ready()
            except DesktopError:
                refused = "open connection to X server" in app.output()
                app.close()
                if refused and attempt < 2:
                    time.sleep(1)
                    continue
                raise
            self.apps.append(app)
            return app
        raise DesktopError("unreachable")

    # --- clipboard (another program's, as a browser would be) ---------------------------

    def clipboard_set(self, text: str) -> None:
        """Puts `text` on the CLIPBOARD selection from xclip, which keeps serving it."""
        self._stop_clipboard_owner()
        owner = subprocess.Popen(
            [_which("xclip"), "-quiet", "-selection", "clipboard", "-i"],
            env=self.env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert owner.stdin is not None
        owner.stdin.write(text.encode())
        owner.stdin.close()
        self._clipboard_owner = owner
        _wait("xclip to own the clipboard", lambda: self.clipboard_get() == text, 10)

    def clipboard_get(self) -> str | None:
        """What the CLIPBOARD selection holds, as another program reads it (None: empty)."""
        out = self.run(
            [_which("xclip"), "-o", "-selection", "clipboard"], check=False, timeout=10
        )
        return out.stdout if out.returncode == 0 else None

    def _stop_clipboard_owner(self) -> None:
        if self._clipboard_owner is not None:
            self._clipboard_owner.kill()
            self._clipboard_owner.wait()
            self._clipboard_owner = None

    # --- tear-down ----------------------------------------------------------------------

    def close(self) -> None:
        for app in self.apps:
            app.close()
        self._stop_clipboard_owner()
        if self._xvfb is not None:
            self._xvfb.terminate()
            try:
                self._xvfb.wait(10)
            except subprocess.TimeoutExpired:
                self._xvfb.kill()
            self._xvfb = None
        if not self.use_session and self.env.get("GNOME_KEYRING_CONTROL"):
            # The daemon leaves with the private D-Bus session; nothing else to stop.
            pass
        shutil.rmtree(self.scratch, ignore_errors=True)


class App:
    """One running window of the app, found through X11 (xdotool) and AT-SPI."""

    def __init__(self, desk: Desktop, proc: subprocess.Popen, log):
        self.desk = desk
        self.proc = proc
        self.log = log
        self.window: str | None = None
        self.accessible = None

    @property
    def pid(self) -> int:
        return self.proc.pid

    def output(self) -> str:
        """What the app printed so far (stdout and stderr)."""
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def _alive(self) -> None:
        if self.proc.poll() is not None:
            raise AppExited(
                f"the app exited with {self.proc.returncode}:\n{self.output()}"
            )

    def wait_ready(self, timeout_secs: float = 60) -> None:
        """Waits for the mapped window and for its accessibility tree."""

        def window():
            self._alive()
            out = self.desk.run(
                ["xdotool", "search", "--onlyvisible", "--pid", str(self.pid)], check=False
            )
            ids = out.stdout.split()
            return ids[0] if ids else None

        self.window = _wait("the app's window", window, timeout_secs)
        import pyatspi

        def application():
            self._alive()
            desktop = pyatspi.Registry.getDesktop(0)
            for index in range(desktop.childCount):
                try:
                    child = desktop.getChildAtIndex(index)
                    if child is not None and child.get_process_id() == self.pid:
                        return child
                except Exception:  # noqa: BLE001 - an app that has just exited
                    continue
            return None

        self.accessible = _wait("the app on the accessibility bus", application, timeout_secs)

    # --- the accessibility tree ---------------------------------------------------------

    def _walk(self, node, depth=0):
        if node is None or depth > 60:
            return
        yield node
        for index in range(node.childCount):
            yield from self._walk(node.getChildAtIndex(index), depth + 1)

    def nodes(self, role: str | None = None):
        """Every node now in the tree (optionally of `role`, e.g. "push button")."""
        self._alive()
        return [
            n for n in self._walk(self.accessible)
            if role is None or n.getRoleName() == role
        ]

    def find_all(self, role: str | None, name: str, *, exact: bool = True) -> list:
        return [
            n for n in self.nodes(role)
            if (n.name == name if exact else name in (n.name or ""))
        ]

    def find(self, role: str | None, name: str, *, exact: bool = True,
             timeout_secs: float = DEFAULT_TIMEOUT_SECS):
        """The one node with this role and name; waits for it to appear."""

        def probe():
            found = self.find_all(role, name, exact=exact)
            if len(found) > 1:
                raise DesktopError(f"{len(found)} nodes {role!r} named {name!r}")
            return found[0] if found else None

        try:
            return _wait(f"{role or 'a node'} named {name!r}", probe, timeout_secs)
        except DesktopError as err:
            seen = sorted({f"{n.getRoleName()}: {n.name}" for n in self.nodes() if n.name})
            raise DesktopError(f"{err}; the window has:\n  " + "\n  ".join(seen)) from None

    def wait_gone(self, role: str | None, name: str,
                  timeout_secs: float = DEFAULT_TIMEOUT_SECS) -> None:
        _wait(f"{role} {name!r} to go away",
              lambda: not self.find_all(role, name), timeout_secs)

    @staticmethod
    def text(node) -> str:
        """The text of a field or label, as AT-SPI serves it."""
        text = node.queryText()
        return text.getText(0, -1)

    @staticmethod
    def is_enabled(node) -> bool:
        import pyatspi

        return node.getState().contains(pyatspi.STATE_ENABLED)

    @staticmethod
    def extents(node) -> tuple[int, int, int, int]:
        """(x, y, width, height) on the screen."""
        import pyatspi

        box = node.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
        return (box.x, box.y, box.width, box.height)

    # --- input --------------------------------------------------------------------------

    def click(self, node) -> None:
        """Presses a button through its accessibility action (egui treats it as a click)."""
        if not self.is_enabled(node):
            raise DesktopError(f"{node.getRoleName()} {node.name!r} is disabled")
        node.queryAction().doAction(0)

    def focus_window(self) -> None:
        self.desk.run(["xdotool", "windowfocus", "--sync", self.window])

    def mouse_click(self, node) -> None:
        """A real pointer click in the middle of `node`."""
        x, y, width, height = self.extents(node)
        self.focus_window()
        self.desk.run([
            "xdotool", "mousemove", "--sync", str(x + width // 2), str(y + height // 2),
            "click", "1",
        ])

    def key(self, *keys: str) -> None:
        """Sends keys ("ctrl+v", "Tab") to the window."""
        self.focus_window()
        self.desk.run(["xdotool", "key", "--clearmodifiers", *keys])

    def paste_into(self, field) -> None:
        """Clicks into `field` and presses Ctrl+V, as an admin pastes from a browser."""
        self.mouse_click(field)
        time.sleep(0.3)
        self.key("ctrl+v")

    def screenshot(self, path: str | os.PathLike) -> None:
        """The whole screen, as PNG (ImageMagick's import)."""
        self.desk.run(["/usr/bin/import", "-window", "root", str(path)])

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

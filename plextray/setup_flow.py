"""The first-run steps, shared by `plextray setup` (terminal) and the first-run window (Tk).

Server: found on its own (the Plex on this computer, else GDM discovery on the LAN), signed in
through plex.tv's PIN flow or with the server's own token when this user can read it. Logs:
found on their own; debug logging switched on in one step. People: a child, the devices and
accounts seen recently ("watching now" first), a starting rule set. Alerts: optional, tested.
Each step is a function with no user interface, so both front ends do exactly the same thing.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from plextray.paths import AppPaths

LOCAL_URL = "http://127.0.0.1:32400"
PRESET_WORDS = "bedtime 20:30 on school nights, nothing above PG, 2 h a day"
ACTIONS = ["notify", "alert", "stop"]


def preset(bedtime: str | None = "20:30", max_rating: str | None = "PG", minutes: int | None = 120) -> list[dict[str, Any]]:
    """The starting rule set: editable later in Settings or profiles.json. None leaves a rule out."""
    rules: list[dict[str, Any]] = []
    if bedtime:
        rules.append({"type": "time", "days": "weeknights", "from": bedtime, "to": "07:00", "name": "bedtime",
                      "actions": list(ACTIONS)})
    if max_rating:
        rules.append({"type": "rating", "max": max_rating, "actions": list(ACTIONS)})
    if minutes:
        rules.append({"type": "quota", "minutes": int(minutes), "per": "day", "actions": list(ACTIONS)})
    return rules


# ---- server ----------------------------------------------------------------------------------


def probe(url: str, timeout: float = 2.0) -> str | None:
    """The server's name-less identity (its machine id) when a Plex answers at `url`, else None.
    `/identity` needs no token, so this works before signing in."""
    from plextray.plex.client import load_requests

    requests = load_requests()

    try:
        response = requests.get(url.rstrip("/") + "/identity", timeout=timeout, headers={"Accept": "application/xml"})
    except requests.RequestException:
        return None
    if response.status_code != 200 or "machineIdentifier" not in response.text:
        return None
    match = re.search(r'machineIdentifier="([^"]*)"', response.text)
    return match.group(1) if match else ""


GDM_ADDRESS = ("239.0.0.250", 32414)  # Plex servers answer "M-SEARCH * HTTP/1.0" sent here (GDM)


def gdm_servers(timeout: float = 1.5, *, address: tuple[str, int] = GDM_ADDRESS) -> list[str]:
    """Plex servers on the LAN by GDM: each answers with its Port (and Name) in HTTP-like headers."""
    import socket
    import struct
    import time

    found: list[str] = []
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, struct.pack("B", 1))  # this network only
        # (plexapi's GDM waits a fixed second and splits headers on every ':'; this is the same search)
        sock.sendto(b"M-SEARCH * HTTP/1.0", address)
        end = time.monotonic() + timeout
        while (left := end - time.monotonic()) > 0:
            sock.settimeout(left)
            try:
                data, (host, _port) = sock.recvfrom(4096)
            except (socket.timeout, OSError):
                break
            lines = data.decode("utf-8", "replace").splitlines()
            if not lines or "200 OK" not in lines[0]:
                continue
            headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:]) if v}
            port = headers.get("port", "32400")
            if "plex/media-server" in headers.get("content-type", "plex/media-server") and port.isdigit():
                url = f"http://{host}:{port}"
                if url not in found:
                    found.append(url)
    except OSError:  # no network, or broadcasting not allowed: discovery is a convenience only
        pass
    finally:
        sock.close()
    return found


def discover(timeout: float = 2.0, *, local: str = LOCAL_URL, gdm: tuple[str, int] = GDM_ADDRESS) -> list[str]:
    """Server URLs to offer: the Plex on this computer first, then what GDM finds on the LAN."""
    found: list[str] = []
    if probe(local, timeout) is not None:
        found.append(local)
    found += [url for url in gdm_servers(min(timeout, 1.5), address=gdm) if url not in found]
    return found


def preferences_paths() -> list[Path]:
    """Where Plex keeps Preferences.xml (with its own PlexOnlineToken) on Linux and in Docker."""
    tails = [Path(os.environ["PLEX_MEDIA_SERVER_APPLICATION_SUPPORT_DIR"]) / "Plex Media Server"] \
        if os.environ.get("PLEX_MEDIA_SERVER_APPLICATION_SUPPORT_DIR") else []
    tails += [Path("/var/lib/plexmediaserver/Library/Application Support/Plex Media Server"),
              Path("/var/snap/plexmediaserver/common/Library/Application Support/Plex Media Server"),
              Path("/config/Library/Application Support/Plex Media Server")]
    return [tail / "Preferences.xml" for tail in tails]


def server_own_token() -> str | None:
    """The server's own token when this user can read it: Preferences.xml (Linux), the registry
    (Windows), the preferences plist (macOS). None when not found or not readable."""
    from plextray.secrets import register_secret

    token: str | None = None
    if sys.platform.startswith("win"):  # pragma: no cover - Windows only
        try:
            import winreg

            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, r"Software\Plex, Inc.\Plex Media Server") as key:
                token = str(winreg.QueryValueEx(key, "PlexOnlineToken")[0])
        except OSError:
            token = None
    elif sys.platform == "darwin":  # pragma: no cover - macOS only
        import plistlib

        try:
            with open(Path.home() / "Library/Preferences/com.plexapp.plexmediaserver.plist", "rb") as handle:
                token = plistlib.load(handle).get("PlexOnlineToken")
        except (OSError, plistlib.InvalidFileException):
            token = None
    else:
        for path in preferences_paths():
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            match = re.search(r'\bPlexOnlineToken="([^"]+)"', text)
            if match:
                token = match.group(1)
                break
    if token:
        register_secret(token)
    return token or None


@dataclass(frozen=True, slots=True)
class Connected:
    url: str
    name: str
    version: str
    plex_pass: bool
    debug_logging: bool


def connect(url: str, token: str, *, timeout: float = 10.0) -> Connected:
    """Test the server with this token (PlexError when it does not answer or refuses it)."""
    from plextray.plex.client import PlexClient

    with PlexClient(url, token, timeout=timeout) as client:
        info = client.server_info()
        debug = client.debug_logging_enabled()
    return Connected(url.rstrip("/"), info.name or "Plex Media Server", info.version or "?", bool(info.plex_pass), debug)


def keyring_available() -> bool:
    from plextray.plex.credentials import TokenStore

    return TokenStore().available


def save_server(paths: AppPaths, url: str, token: str, *, store: str) -> str:
    """URL into config.json, token to the keyring or (asked for) the 0600 file. Returns where."""
    import dataclasses

    from plextray.config import load_config
    from plextray.config_save import save_config
    from plextray.plex.credentials import TokenStore, save_file_token

    if store == "file":
        where = f"in {save_file_token(token)} (readable by you only)"
    elif store == "keyring":
        tokens = TokenStore()
        tokens.set(token)
        where = f"in the system keyring ({tokens.backend_name})"
    else:
        where = "nowhere (it comes from PLEX_TOKEN or the systemd credential)"
    config = load_config(paths.config)
    save_config(paths.config, dataclasses.replace(config, server_url=url.rstrip("/")))
    return where


def set_debug_logging(url: str, token: str, on: bool = True) -> None:
    from plextray.plex.client import PlexClient

    with PlexClient(url, token, timeout=10) as client:
        client.set_debug_logging(on)


# ---- logs --------------------------------------------------------------------------------------


def find_logs(paths: AppPaths) -> tuple[Path | None, str]:
    """Plex's log folder (as configured, else found) and a sentence about it."""
    from plextray.app import resolve_log_dir
    from plextray.config import load_config
    from plextray.errors import PlexTrayError

    try:
        folder = resolve_log_dir(load_config(paths.config), None)
    except PlexTrayError as exc:
        return None, str(exc)
    return folder, f"Plex's logs are in {folder}"


def save_log_dir(paths: AppPaths, folder: Path) -> Path:
    """Keep a folder chosen by hand (it must hold Plex Media Server.log: LogDirError otherwise)."""
    import dataclasses

    from plextray.config import load_config
    from plextray.config_save import save_config
    from plextray.logs.locate import require_plex_log

    folder = require_plex_log(folder)
    save_config(paths.config, dataclasses.replace(load_config(paths.config), log_dir=str(folder)))
    return folder


# ---- people ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Candidate:
    """A device or an account a parent may tick as a child's."""

    kind: str  # "device" | "account"
    value: str  # client id, or account name
    label: str
    watching: bool = False
    owner: str | None = None  # the person it is linked to already


@dataclass
class Seen:
    candidates: list[Candidate] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def seen_recently(paths: AppPaths, url: str | None, token: str | None) -> Seen:
    """Devices and accounts to choose from: watching now first, then the server's players and
    the history's devices, then the server's accounts. Labels are cleaned: names come from clients."""
    from plextray.errors import PlexTrayError
    from plextray.profiles.store import ProfileStore
    from plextray.safe_text import clean

    seen = Seen()
    devices: dict[str, tuple[str, bool]] = {}
    accounts: dict[str, bool] = {}
    if url and token:
        from plextray.plex.client import PlexClient

        with PlexClient(url, token, timeout=10) as client:
            try:
                for live in client.sessions():
                    if live.machine_id:
                        label = f"{clean(live.device or live.product or live.machine_id, 60)} — {clean(live.product or '?', 40)}"
                        if live.account:
                            label += f", account {clean(live.account, 40)}"
                            accounts[live.account] = True
                        devices[live.machine_id] = (label + " (watching now)", True)
                for device in client.clients():
                    devices.setdefault(device.client_id, (
                        f"{clean(device.device or device.client_id, 60)} — {clean(device.product or '?', 40)}", False))
                for name in client.accounts().values():
                    accounts.setdefault(name, False)
            except PlexTrayError as exc:
                seen.problems.append(f"the server's devices could not be listed: {exc}")
    folder, _sentence = find_logs(paths)
    if folder is not None:  # a new install has no history yet: Plex's own log names who played lately
        for client_id, (label, when) in devices_in_log(folder).items():
            devices.setdefault(client_id, (f"{label}, last seen {when}", False))
    if paths.database.exists():
        try:
            from plextray.store.db import connect
            from plextray.store.history import HistoryStore

            conn = connect(paths.database)
            try:
                for device in HistoryStore(conn).devices():
                    label = f"{clean(device.device or device.client_id, 60)} — {clean(device.product or '?', 40)}"
                    if device.account:
                        label += f", account {clean(device.account, 40)}"
                    if device.last_seen:
                        label += f", last seen {device.last_seen[:16].replace('T', ' ')}"
                    devices.setdefault(device.client_id, (label, False))
            finally:
                conn.close()
        except Exception as exc:  # the history is a help, never a blocker
            seen.problems.append(f"the history's devices could not be read: {type(exc).__name__}")
    try:
        profiles = ProfileStore(paths.profiles).load()
    except Exception:
        profiles = None
    owner_of_device = {d: p.name for p in profiles.people for d in p.devices} if profiles else {}
    owner_of_account = {a.casefold(): p.name for p in profiles.people for a in p.accounts} if profiles else {}
    ordered = sorted(devices.items(), key=lambda item: (not item[1][1], item[1][0].casefold()))
    for client_id, (label, watching) in ordered:
        seen.candidates.append(Candidate("device", client_id, label, watching, owner_of_device.get(client_id)))
    for name, watching in sorted(accounts.items(), key=lambda item: (not item[1], item[0].casefold())):
        seen.candidates.append(Candidate("account", name, f"account {clean(name, 60)}" + (" (watching now)" if watching else ""),
                                         watching, owner_of_account.get(name.casefold())))
    return seen


LOG_TAIL_BYTES = 8 << 20  # the newest 8 MB of Plex's log: a few days on a quiet server, hours on a busy one


def devices_in_log(folder: Path) -> dict[str, tuple[str, str]]:
    """client id -> (label, last seen "YYYY-MM-DD HH:MM") from the newest part of Plex's log."""
    from plextray import const
    from plextray.core.parsing import PlaybackParser
    from plextray.safe_text import clean

    path = folder / const.PLEX_LOG_NAME
    try:
        with open(path, "rb") as handle:
            size = handle.seek(0, 2)
            handle.seek(max(0, size - LOG_TAIL_BYTES))
            data = handle.read(LOG_TAIL_BYTES)
    except OSError:
        return {}
    if size > LOG_TAIL_BYTES:
        data = data.split(b"\n", 1)[-1]  # the first line is cut
    parser = PlaybackParser()
    found: dict[str, tuple[str, str]] = {}
    for line in data.splitlines():
        for event in parser.feed(line):
            if not event.client_id or not (event.device or event.product):
                continue
            label = clean(event.device or event.client_id, 60) + (f" — {clean(event.product, 40)}" if event.product else "")
            if event.account:
                label += f", account {clean(event.account, 40)}"
            found[event.client_id] = (label, event.time[:16].replace("T", " "))
    return found


def add_child(paths: AppPaths, name: str, *, devices: list[str], accounts: list[str],
              rules: list[dict[str, Any]]) -> Any:
    """Add (or extend) a person in profiles.json with these devices, accounts and rules. A device
    or account linked to someone else moves to this child. Validated before anything is written."""
    from plextray.errors import ConfigError
    from plextray.profiles.store import ProfileStore

    name = name.strip()
    if not name:
        raise ConfigError("the child needs a name")
    store = ProfileStore(paths.profiles)
    doc = store.load_raw()
    people = doc.setdefault("people", [])
    taken_devices, taken_accounts = set(devices), {a.casefold() for a in accounts}
    for other in people:
        if other.get("name", "").casefold() == name.casefold():
            continue
        other["devices"] = [d for d in other.get("devices", []) if d not in taken_devices]
        other["accounts"] = [a for a in other.get("accounts", []) if a.casefold() not in taken_accounts]
    person = next((p for p in people if p.get("name", "").casefold() == name.casefold()), None)
    if person is None:
        person = {"name": name, "devices": [], "accounts": [], "restrictions": []}
        people.append(person)
    person["devices"] = list(dict.fromkeys([*person.get("devices", []), *devices]))
    known = {a.casefold() for a in person.get("accounts", [])}
    person["accounts"] = [*person.get("accounts", []), *[a for a in accounts if a.casefold() not in known]]
    existing = person.setdefault("restrictions", [])
    person["restrictions"] = existing + [rule for rule in rules if rule not in existing]
    return store.save_raw(doc)


# ---- alerts ------------------------------------------------------------------------------------


def save_alert_url(paths: AppPaths, url: str) -> None:

    from plextray.config import load_config
    from plextray.config_keys import check_value, find_key

    from plextray.plex.credentials import load_alert_urls, save_alert_urls

    url = url.strip()
    check_value(find_key("alerts.urls"), [url])
    config = load_config(paths.config)
    urls = load_alert_urls(config)
    if url in urls:
        return
    # apprise URLs carry secrets: the keyring only (SecretStoreError says why not); any an older
    # config.json still held move with them
    save_alert_urls([*urls, url], config_path=paths.config)


def send_test_alert(url: str, timeout: float = 20.0) -> str:
    """Send one test alert now; a sentence saying how it went (never raises)."""
    try:
        from plextray.alerts.apprise_loader import load_apprise

        apprise = load_apprise()
    except ImportError:
        return "apprise is not installed: alerts cannot be sent"
    from plextray.secrets import redact

    sender = apprise.Apprise()
    if not sender.add(url):
        return "that URL is not one apprise understands"
    ok = sender.notify(title="plextray test", body="plextray can reach you here.")
    return "test alert sent" if ok else redact("the test alert could not be delivered (see the app log)")

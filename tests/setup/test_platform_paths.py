"""Windows and macOS code paths, run here with fakes: the registry (Plex's data folder and token,
the HKCU Run value), the notification backends each platform gets, and reading Plex's log
without holding it open (Windows will not let Plex rename a file someone has open). What only
the real systems can prove is listed in README ("Windows and macOS")."""

from __future__ import annotations

from pathlib import Path, PureWindowsPath

import pytest

from plextray.autostart import RUN_KEY, RUN_VALUE_NAME, Autostart
from plextray.core.offers import more_time
from plextray.logs import checkpoint as checkpoint_module
from plextray.logs import source as source_module
from plextray.logs.locate import candidate_log_dirs
from plextray.logs.safe_open import open_log_file
from plextray.notify import DesktopNotifier
from plextray.notify_actions import OfferRunner
from plextray.plex.windows_registry import PLEX_KEY, registry_log_dir, token_hint


class FakeWinreg:
    """The part of `winreg` plextray uses, over a dict {(root, key path): {name: (value, type)}}."""

    HKEY_CURRENT_USER = "HKCU"
    REG_SZ, REG_EXPAND_SZ, REG_DWORD = 1, 2, 4
    KEY_SET_VALUE = 2

    def __init__(self) -> None:
        self.keys: dict[tuple[str, str], dict[str, tuple[object, int]]] = {}

    class _Key:
        def __init__(self, values):
            self.values = values

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    def OpenKey(self, root, path, reserved=0, access=0):
        if (root, path) not in self.keys:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        return self._Key(self.keys[(root, path)])

    def CreateKey(self, root, path):
        return self._Key(self.keys.setdefault((root, path), {}))

    def QueryValueEx(self, key, name):
        if name not in key.values:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        return key.values[name]

    def SetValueEx(self, key, name, reserved, kind, value):
        key.values[name] = (value, kind)

    def DeleteValue(self, key, name):
        if name not in key.values:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        del key.values[name]


@pytest.fixture
def winreg(monkeypatch):
    fake = FakeWinreg()
    monkeypatch.setattr("plextray.autostart._winreg", lambda: fake)
    return fake


def test_start_at_login_on_windows_is_the_hkcu_run_value_the_installer_writes(winreg):
    exe = r"C:\Users\Kim Lee\AppData\Local\Programs\PlexTray\plextray.exe"
    autostart = Autostart(platform="win32", command=[exe])
    assert not autostart.is_enabled()
    autostart.enable()
    value, kind = winreg.keys[("HKCU", RUN_KEY)][RUN_VALUE_NAME]
    assert (value, kind) == (f'"{exe}"', winreg.REG_SZ)  # quoted: the path has a space
    iss = (Path(__file__).resolve().parents[2] / "installer" / "plextray.iss").read_text()
    assert f'ValueName: "{RUN_VALUE_NAME}"; ValueData: """{{app}}\\{{#AppExe}}"""' in iss  # same name, same quoting
    assert autostart.is_enabled()
    location = autostart.status().location
    assert location.startswith("HKEY_CURRENT_USER") and location.endswith(RUN_VALUE_NAME)
    assert autostart.disable() is True
    assert not autostart.is_enabled() and autostart.disable() is False


def _plex_key(winreg: FakeWinreg, **values) -> None:
    winreg.keys[("HKCU", PLEX_KEY)] = values


def test_a_moved_plex_data_folder_is_found_through_the_registry_first():
    winreg = FakeWinreg()
    _plex_key(winreg, LocalAppDataPath=(r"D:\PlexData", winreg.REG_SZ))
    found = candidate_log_dirs(environ={"LOCALAPPDATA": r"C:\Users\kid\AppData\Local"}, platform="win32",
                               home=Path("/home/x"), winreg=winreg)
    assert [PureWindowsPath(str(p)) for p in found] == [
        PureWindowsPath(r"D:\PlexData\Plex Media Server\Logs"),
        PureWindowsPath(r"C:\Users\kid\AppData\Local\Plex Media Server\Logs"),
    ]


def test_registry_values_that_are_missing_or_not_text_change_nothing():
    winreg = FakeWinreg()
    assert registry_log_dir(winreg=winreg) is None  # no Plex key at all
    _plex_key(winreg, LocalAppDataPath=(1, winreg.REG_DWORD))
    assert registry_log_dir(winreg=winreg) is None
    _plex_key(winreg, LocalAppDataPath=("   ", winreg.REG_SZ))
    assert registry_log_dir(winreg=winreg) is None


def test_the_missing_token_message_points_at_plexs_registry_value_without_reading_it_out():
    winreg = FakeWinreg()
    assert token_hint(winreg=winreg) == ""
    _plex_key(winreg, PlexOnlineToken=("s3cr3t-owner-token", winreg.REG_SZ))
    hint = token_hint(winreg=winreg)
    assert "PlexOnlineToken" in hint and PLEX_KEY in hint
    assert "s3cr3t" not in hint


class RecordingEngine:
    def __init__(self) -> None:
        self.grants: list = []

    def grant(self, person, *, minutes=0, lift_window_until=None):
        self.grants.append((person, minutes, lift_window_until))


def _without_desktop_notifier(monkeypatch) -> None:
    def missing():
        raise ImportError("No module named 'desktop_notifier'")

    monkeypatch.setattr("plextray.notify_toasts.load_library", missing)


@pytest.mark.parametrize("platform", ["win32", "darwin"])
def test_windows_and_macos_notify_through_the_tray_icon_first_and_say_the_offer_in_words(platform, monkeypatch):
    _without_desktop_notifier(monkeypatch)  # with it, the offers are buttons (tests/notify/test_toast_fallbacks.py)
    shown: list[tuple[str, str]] = []
    notifier = DesktopNotifier(platform=platform, tray_notify=lambda title, message: shown.append((title, message)))
    assert [name for name, _ in notifier._backends()] == ["tray", "plyer"]
    notifier.attach_offers(OfferRunner(RecordingEngine()))
    assert notifier.notify_offers("", "Emma has 12 minutes left today", more_time("Emma"))
    ((title, message),) = shown
    assert title == "plextray"  # pystray's darwin backend crashes on an empty title
    assert message.startswith("Emma has 12 minutes left today\n") and "plextray grant Emma +15m" in message
    assert notifier.last_backend == "tray"


def test_windows_balloon_limits_hold_with_the_offer_text_added(monkeypatch):
    _without_desktop_notifier(monkeypatch)
    shown: list[tuple[str, str]] = []
    notifier = DesktopNotifier(platform="win32", tray_notify=lambda t, m: shown.append((t, m)))
    notifier.notify_offers("plextray", "x" * 250, more_time("Emma"))
    ((_, message),) = shown
    assert len(message) <= 255 and message.endswith("…")  # szInfo is 256 WCHARs: longer raises in pystray


class OpenFiles:
    """Tracks the handles plextray's log reader holds on Plex's files, and renames as Windows does:
    a file someone has open cannot be renamed (Python opens without FILE_SHARE_DELETE)."""

    def __init__(self) -> None:
        self.open: dict[int, Path] = {}

    def opener(self, path, *args, **kwargs):
        """Stands in for plextray.logs.safe_open.open_log_file, the one way the reader opens a file."""
        handle = open_log_file(path, *args, **kwargs)
        self.open[id(handle)] = Path(path)
        real_close = handle.close

        def close():
            self.open.pop(id(handle), None)
            real_close()

        handle.close = close
        return handle

    def held(self) -> set[str]:
        return {path.name for path in self.open.values()}

    def rename(self, src: Path, dst: Path) -> None:
        if src.name in self.held():
            raise PermissionError(32, "The process cannot access the file because it is being used by another process")
        src.rename(dst)


def test_reading_like_windows_lets_plex_rotate_its_log_between_reads(tmp_path, monkeypatch):
    files = OpenFiles()
    monkeypatch.setattr(source_module, "open_log_file", files.opener)
    monkeypatch.setattr(checkpoint_module, "open", files.opener, raising=False)
    monkeypatch.setattr(source_module, "_HOLD_HANDLES", False)  # what os.name == "nt" chooses
    live = tmp_path / "Plex Media Server.log"
    live.write_bytes(b"Dec 06, 2026 04:00:00.000 [1] DEBUG - one\n")
    reader = source_module.PlexLogSource(tmp_path)
    assert reader.read(1 << 20)[0].count(b"\n") == 1
    assert files.held() == set()  # nothing held between reads
    with live.open("ab") as plex:  # Plex writes on, then rotates (as PMS does at a restart)
        plex.write(b"Dec 06, 2026 04:00:01.000 [1] DEBUG - two\n")
    files.rename(live, tmp_path / "Plex Media Server.1.log")
    live.write_bytes(b"Dec 06, 2026 04:00:02.000 [1] DEBUG - three\n")
    data, gaps = reader.read(1 << 20)
    assert data.splitlines() == [b"Dec 06, 2026 04:00:01.000 [1] DEBUG - two",
                                 b"Dec 06, 2026 04:00:02.000 [1] DEBUG - three"]
    assert gaps == [] and files.held() == set()


def test_on_posix_the_reader_holds_its_file_which_windows_would_refuse_to_rename(tmp_path, monkeypatch):
    """Why the Windows path exists: holding the handle (right on POSIX, where a rename does not
    care) would stop Plex's rotation on Windows."""
    files = OpenFiles()
    monkeypatch.setattr(source_module, "open_log_file", files.opener)
    monkeypatch.setattr(source_module, "_HOLD_HANDLES", True)
    live = tmp_path / "Plex Media Server.log"
    live.write_bytes(b"Dec 06, 2026 04:00:00.000 [1] DEBUG - one\n")
    reader = source_module.PlexLogSource(tmp_path)
    reader.read(1 << 20)
    assert files.held() == {live.name}
    with pytest.raises(PermissionError):
        files.rename(live, tmp_path / "Plex Media Server.1.log")
    reader.close()

"""PlexClient against the emulated server over real HTTP: mapping, stopping, every fault, recovery."""

from __future__ import annotations

import time

import pytest

from plextray.core.model import MediaInfo
from plextray.emulator.server import FAULTS, PlexEmulator
from plextray.errors import (
    PlexAuthError,
    PlexError,
    PlexNotFound,
    PlexPassRequired,
    PlexResponseError,
    PlexTimeout,
    PlexUnreachable,
)
from plextray.plex.client import PlexClient
from support.emulator_fixtures import emulator, plex_client  # noqa: F401


def test_server_info(plex_client, emulator):
    info = plex_client.server_info()
    assert info.name == "Plex Emulator"
    assert info.machine_id == emulator.household.machine_id
    assert info.version.startswith("1.43.")
    assert info.plex_pass is True
    assert info.platform == "Linux"


def test_server_without_plex_pass(tmp_path):
    with PlexEmulator(plex_pass=False) as emu, PlexClient(emu.url, emu.token, timeout=2) as client:
        assert client.server_info().plex_pass is False


def test_identity_needs_no_token(emulator):
    with PlexClient(emulator.url, "not-the-token", timeout=2) as client:
        assert client.identity() == (emulator.household.machine_id, emulator.household.version)


def test_live_session_maps_to_the_core_model(plex_client, emulator):
    tablet = emulator.devices["kid_tablet"]
    session_id = emulator.play(tablet, "2201", position_ms=61_000)
    [live] = plex_client.sessions()
    assert live.session_id == session_id
    assert live.session_key == "1"
    assert live.rating_key == "2201"
    assert (live.account, live.account_id) == ("Emma", "2")
    assert live.machine_id == tablet
    assert (live.product, live.platform, live.device) == ("Plex for iOS", "iOS", "Emma's iPad")
    assert live.address == "192.168.1.52"
    assert live.state == "playing"
    assert live.view_offset_ms == 61_000
    assert (live.title, live.media_type) == ("The Lost Kite", "episode")


def test_session_state_follows_reports_and_ends_on_stop(plex_client, emulator):
    phone, tv = emulator.devices["teen_phone"], emulator.devices["parent_tv"]
    emulator.play(phone, "3001")
    emulator.play(tv, "1002", position_ms=5000)
    emulator.report(phone, state="paused", position_ms=42_000)
    by_device = {s.machine_id: s for s in plex_client.sessions()}
    assert by_device[phone].state == "paused" and by_device[phone].view_offset_ms == 42_000
    assert by_device[phone].media_type == "track"
    assert by_device[tv].state == "playing" and by_device[tv].account == "Alex"
    emulator.stop_play(phone)
    assert [s.machine_id for s in plex_client.sessions()] == [tv]


def test_many_sessions_are_paged(plex_client, emulator):
    for n in range(130):
        machine = f"device-{n:03d}"
        emulator.add_device(machine, product="Plex Web", platform="Chrome", device_name=f"Browser {n}",
                            address="192.168.1.9", account="Noah")
        emulator.play(machine, "1001")
    emulator.requests.clear()
    sessions = plex_client.sessions()
    assert len(sessions) == 130
    assert len({s.session_id for s in sessions}) == 130
    assert emulator.requests.count(("GET", "/status/sessions")) == 2  # two pages of 100


@pytest.mark.parametrize(
    "rating_key, expected",
    [
        ("1001", MediaInfo("1001", "The Incredible Journey", "movie", library="Movies", library_id="1",
                           labels=("Kids",), content_rating="G", duration_ms=5_400_000, year=1993)),
        ("2301", MediaInfo("2301", "Die Prüfung", "episode", grandparent_title="Schulhof", parent_title="Staffel 1",
                           index=2, parent_index=1, library="TV Shows", library_id="2", content_rating="de/12",
                           duration_ms=2_700_000, year=2022)),
        ("3001", MediaInfo("3001", "Morning Song", "track", grandparent_title="The Lanterns",
                           parent_title="First Light", index=1, parent_index=1, library="Music", library_id="3",
                           duration_ms=215_000, year=2015)),
    ],
)
def test_metadata(plex_client, rating_key, expected):
    assert plex_client.metadata(rating_key) == expected


def test_metadata_unknown_item(plex_client):
    with pytest.raises(PlexNotFound, match="424242"):
        plex_client.metadata("424242")


def test_stop_sends_the_reason_and_ends_the_session(plex_client, emulator):
    tablet = emulator.devices["kid_tablet"]
    session_id = emulator.play(tablet, "1002")
    before = time.monotonic()
    plex_client.stop(session_id, "Bedtime, Emma — ask a parent for more time.")
    [call] = emulator.terminate_calls
    assert call.session_id == session_id
    assert call.reason == "Bedtime, Emma — ask a parent for more time."
    assert call.status == 200 and call.received >= before
    assert plex_client.sessions() == []
    assert emulator.live_session(tablet) is None


def test_stop_unknown_session(plex_client):
    with pytest.raises(PlexNotFound, match="no live session"):
        plex_client.stop("no-such-session", "bye")


def test_stop_without_session_id_asks_nothing(plex_client, emulator):
    with pytest.raises(PlexNotFound):
        plex_client.stop("", "bye")
    assert emulator.terminate_calls == []


def test_stop_without_plex_pass():
    with PlexEmulator(plex_pass=False) as emu, PlexClient(emu.url, emu.token, timeout=2) as client:
        emu.add_item(MediaInfo("1", "Movie", "movie"))
        emu.add_device("d", product="Plex Web", platform="Chrome", device_name="Chrome", address="10.0.0.2",
                       account="Alex")
        session_id = emu.play("d", "1")
        with pytest.raises(PlexPassRequired, match="Plex Pass"):
            client.stop(session_id, "bye")
        assert [c.status for c in emu.terminate_calls] == [401]
        assert emu.live_session("d") is not None  # nothing was stopped


def test_accounts(plex_client):
    assert plex_client.accounts() == {"1": "Alex", "2": "Emma", "3": "Noah"}


def test_clients_lists_only_advertising_players(plex_client, emulator):
    emulator.add_device("shield-1", product="Plex for Android (TV)", platform="Android", device_name="SHIELD",
                        address="192.168.1.77", account="Alex", advertise=True)
    [player] = plex_client.clients()
    assert (player.client_id, player.product, player.device, player.ip) == (
        "shield-1", "Plex for Android (TV)", "SHIELD", "192.168.1.77")


def test_debug_logging_pref_round_trip(plex_client, emulator):
    assert plex_client.debug_logging_enabled() is True
    plex_client.set_debug_logging(False)
    assert emulator.prefs()["logDebug"] is False
    assert plex_client.debug_logging_enabled() is False
    plex_client.set_debug_logging(True)
    assert emulator.prefs()["logDebug"] is True


def test_wrong_token_is_an_auth_error_without_the_token(emulator):
    with PlexClient(emulator.url, "wrong-token-123", timeout=2) as client:
        with pytest.raises(PlexAuthError, match="token refused or expired") as info:
            client.sessions()
    assert "wrong-token-123" not in str(info.value)


# -- faults ------------------------------------------------------------------------------------
EXPECTED = {
    "down": (PlexUnreachable, "connection refused"),
    "restarting": (PlexResponseError, "restarting"),
    "unauthorized": (PlexAuthError, "token refused or expired"),
    "server_error": (PlexResponseError, "HTTP 500"),
    "slow": (PlexTimeout, "did not answer within 0.5 s"),
    "malformed": (PlexResponseError, "malformed XML"),
}
CALLS = {
    "server_info": lambda c: c.server_info(),
    "sessions": lambda c: c.sessions(),
    "metadata": lambda c: c.metadata("1001"),
    "accounts": lambda c: c.accounts(),
    "debug_logging_enabled": lambda c: c.debug_logging_enabled(),
}


def test_every_fault_has_a_test():
    assert set(EXPECTED) | {"no_plex_pass"} == set(FAULTS)


@pytest.mark.parametrize("fault", sorted(EXPECTED))
def test_fault_gives_a_clear_error_then_recovers(fault, emulator):
    error_type, text = EXPECTED[fault]
    with PlexClient(emulator.url, emulator.token, timeout=0.5) as client:
        assert client.server_info().plex_pass  # connected before the fault
        emulator.set_fault(fault, seconds=1.5)
        for name, call in CALLS.items():
            with pytest.raises(error_type, match=text) as info:
                call(client)
            assert isinstance(info.value, PlexError), name
            assert emulator.token not in str(info.value)
        emulator.set_fault(None)
        # the same client object works again: no restart, no reconnect by hand
        assert client.server_info().name == "Plex Emulator"
        assert client.metadata("1001").title == "The Incredible Journey"
        assert client.accounts()["2"] == "Emma"


@pytest.mark.parametrize("fault", ["down", "restarting", "server_error", "slow"])  # terminate sends no XML to break
def test_stop_during_a_fault_fails_cleanly_and_works_after(fault, emulator):
    tablet = emulator.devices["kid_tablet"]
    session_id = emulator.play(tablet, "1002")
    with PlexClient(emulator.url, emulator.token, timeout=0.5) as client:
        client.server_info()
        emulator.set_fault(fault, seconds=1.5)
        with pytest.raises(EXPECTED[fault][0]):
            client.stop(session_id, "bye")
        emulator.set_fault(None)
        if fault == "slow":  # the server still acts on a request the client gave up waiting for
            deadline = time.monotonic() + 5
            while not emulator.terminate_calls and time.monotonic() < deadline:
                time.sleep(0.05)
            assert [c.status for c in emulator.terminate_calls] == [200]
            assert emulator.live_session(tablet) is None
            return
        client.stop(session_id, "bye")
        assert emulator.live_session(tablet) is None


def test_no_plex_pass_fault_on_terminate_then_recovery(plex_client, emulator):
    tablet = emulator.devices["kid_tablet"]
    session_id = emulator.play(tablet, "1002")
    emulator.set_fault("no_plex_pass")
    assert plex_client.server_info().plex_pass is False
    with pytest.raises(PlexPassRequired, match="does not have the feature enabled"):
        plex_client.stop(session_id, "bye")
    assert plex_client.sessions()[0].session_id == session_id  # other calls still work
    emulator.set_fault(None)
    plex_client.stop(session_id, "bye")
    assert [c.status for c in emulator.terminate_calls] == [401, 200]


def test_unauthorized_on_terminate_with_plex_pass_is_an_auth_error(plex_client, emulator):
    session_id = emulator.play(emulator.devices["kid_tablet"], "1002")
    emulator.set_fault("unauthorized")
    with pytest.raises(PlexAuthError):
        plex_client.stop(session_id, "bye")


def test_down_refuses_new_connections_then_comes_back_on_the_same_port(emulator):
    import socket

    port = emulator.port
    emulator.set_fault("down")
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=1)
    emulator.set_fault(None)
    socket.create_connection(("127.0.0.1", port), timeout=1).close()
    assert emulator.port == port


def test_unreachable_host_name():
    with PlexClient("http://no-such-host.invalid:32400", "t0ken-value", timeout=2) as client:
        with pytest.raises(PlexUnreachable, match="cannot reach"):
            client.server_info()


def test_nothing_listening():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with PlexClient(f"http://127.0.0.1:{port}", "t0ken-value", timeout=2) as client:
        with pytest.raises(PlexUnreachable, match="connection refused"):
            client.sessions()


def test_untrusted_tls_certificate_says_what_to_do(tmp_path):
    """PMS answers https://IP:32400 with a certificate for *.plex.direct: requests refuses it."""
    import ssl
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    key, cert = self_signed_plex_direct_cert(tmp_path)
    httpd = HTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        with PlexClient(f"https://127.0.0.1:{httpd.server_address[1]}", "t0ken-value", timeout=3) as client:
            with pytest.raises(PlexUnreachable, match="TLS certificate is not trusted"):
                client.server_info()
    finally:
        httpd.shutdown()
        httpd.server_close()


def self_signed_plex_direct_cert(folder):
    """A self-signed *.plex.direct certificate (cryptography comes with keyring's SecretStorage)."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "*.0123456789abcdef.plex.direct")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(private.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now)
                   .not_valid_after(now + datetime.timedelta(days=1)).sign(private, hashes.SHA256()))
    key, cert = folder / "key.pem", folder / "cert.pem"
    key.write_bytes(private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key, cert


def test_plain_401_on_terminate_is_judged_by_the_servers_features():
    """A PMS without Plex Pass may answer terminate with a bare 401: its root (no session_kick) decides."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from plextray.emulator import responses

    root_body = responses.document(responses.root(name="Free", machine_id="m1", owner="o", plex_pass=False,
                                                  active_video=0))

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            status, body = (200, root_body) if self.path == "/" else (401, b"<html><body>Unauthorized</body></html>")
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        with PlexClient(f"http://127.0.0.1:{httpd.server_address[1]}", "t0ken-value", timeout=3) as client:
            with pytest.raises(PlexPassRequired):
                client.stop("some-session", "bye")
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_one_client_shared_by_threads(plex_client, emulator):
    """The engine polls sessions and fetches metadata from different threads with one client."""
    import threading

    emulator.play(emulator.devices["kid_tablet"], "2201")
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for _ in range(15):
                assert plex_client.sessions()[0].rating_key == "2201"
                assert plex_client.metadata("1001" if n % 2 else "3001").title
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []

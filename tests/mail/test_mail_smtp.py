"""Digest and logs by e-mail against a real SMTP server on 127.0.0.1 (aiosmtpd): plain, STARTTLS, SSL."""

from __future__ import annotations

import gzip
import json
import logging
from datetime import date, datetime

import keyring
import pytest
from support.mail_server import USER, MailServer, client_context, free_port, make_cert
from support import memkeyring
from support.report_history import DAY, NASTY_TITLE, build_household

from plextray.cli import main
from plextray.config import AppConfig, EmailSettings, load_config
from plextray.errors import ArchiveError, ConfigError, DeliveryError, SecretStoreError
from plextray.mail import schedule
from plextray.mail.service import run_due, send_digest, send_logs, send_test
from plextray.mail.smtp import Mailer, SmtpSender, keyring_user, set_password
from plextray.paths import AppPaths

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")

GOOD = "right-horse-battery"
NOW = datetime(2026, 3, 10, 21, 5)


@pytest.fixture(scope="module")
def cert(tmp_path_factory):
    return make_cert(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def servers():
    started = []

    def start(mode, cert=None, port=None):
        started.append(MailServer(mode, cert, port).start())
        return started[-1]

    yield start
    for s in started:
        s.stop()


def settings_for(port, security="none", **extra):
    return EmailSettings(host="127.0.0.1", port=port, security=security, username=USER, sender="plextray@example.org",
                         recipients=("mum@example.org", "dad@example.org"), **extra)


def mailer_for(settings, cert=None, sleeps=None, attempts=3):
    sender = SmtpSender(settings, ssl_context=client_context(cert[0]) if cert else None, timeout=10)
    paths = AppPaths.default()
    return Mailer(sender, paths.home / "outbox", max_attempts=attempts, base_delay=0.05,
                  sleep=(sleeps.append if sleeps is not None else (lambda s: None)))


def write_archive(day: str, lines: int = 2000) -> bytes:
    paths = AppPaths.default().ensure()
    text = "".join(f"Nov 25, 2026 10:{i % 60:02d}:00.{i % 1000:03d} [0x7f] DEBUG - line {i} of {day}\n" for i in range(lines))
    data = gzip.compress(text.encode())
    (paths.archives / f"{day}.log.gz").write_bytes(data)
    return data


@pytest.mark.parametrize("mode", ["none", "starttls", "ssl"])
def test_digest_arrives_with_text_and_html(mode, plextray_home, memory_keyring, cert, servers):
    build_household(plextray_home)
    server = servers(mode, cert)
    settings = settings_for(server.port, mode)
    set_password(settings, GOOD)
    assert memory_keyring.store[("plextray", f"smtp:{USER}@127.0.0.1")] == GOOD
    mailer = mailer_for(settings, cert)
    send_digest(AppPaths.default(), mailer, date.fromisoformat(DAY), now=NOW)
    (mail_from, rcpts, message), = server.inbox.received
    assert mail_from == "plextray@example.org" and rcpts == ["mum@example.org", "dad@example.org"]
    # what matters first, short; Leo and the parents have no rules: grown-ups, left out by default
    assert message["Subject"] == "Emma stopped · Tue 10 Mar"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Emma: 1 h 04 min so far" in text
    assert "Emma watched 2 min after bedtime on 1 school night — stopped 1×, 1 action failed" in text
    assert "<svg" not in html and "Frozen" in html and NASTY_TITLE not in html and "Parents" not in html
    chart = next(part for part in message.walk() if part.get_content_type() == "image/png")
    assert f'src="cid:{chart["Content-ID"][1:-1]}"' in html
    assert server.logins[-1][1] is True
    assert mailer.pending() == []


def test_logs_mail_attaches_the_archive_byte_for_byte(memory_keyring, servers):
    data = write_archive(DAY)
    write_archive("2026-03-09", 10)
    server = servers("none")
    settings = settings_for(server.port)
    set_password(settings, GOOD)
    send_logs(AppPaths.default(), mailer_for(settings), date.fromisoformat(DAY), now=NOW)
    (message,) = server.messages
    assert message["Subject"] == f"plextray · Plex logs of {DAY}"
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == f"{DAY}.log.gz"
    assert attachment.get_content_type() == "application/gzip"
    assert attachment.get_content() == data
    assert gzip.decompress(attachment.get_content()).decode().count("\n") == 2000
    assert f"{DAY}.log.gz" in message.get_body(("plain",)).get_content()


def test_logs_mail_without_archive_is_a_clear_error(memory_keyring, servers):
    server = servers("none")
    settings = settings_for(server.port)
    with pytest.raises(ArchiveError, match=f"no log archive for {DAY}"):
        send_logs(AppPaths.default(), mailer_for(settings), date.fromisoformat(DAY), now=NOW)
    assert server.messages == []


def test_wrong_password_is_clear_retried_kept_and_delivered_later(memory_keyring, servers, caplog):
    caplog.set_level(logging.DEBUG)
    data = write_archive(DAY)
    server = servers("none")
    settings = settings_for(server.port)
    set_password(settings, "wrong-password-123")
    sleeps: list[float] = []
    mailer = mailer_for(settings, sleeps=sleeps)
    with pytest.raises(DeliveryError, match=f"SMTP login refused for {USER}@127.0.0.1") as info:
        send_logs(AppPaths.default(), mailer, date.fromisoformat(DAY), now=NOW)
    assert "kept in" in str(info.value) and "outbox" in str(info.value)
    tried = [ok for _, ok in server.logins]  # smtplib tries each AUTH mechanism the server offers
    assert tried and not any(tried) and len(tried) % 3 == 0  # three attempts
    assert sleeps == [0.05, 0.1]  # exponential backoff
    assert server.messages == [] and len(mailer.pending()) == 1
    assert "wrong-password-123" not in caplog.text
    assert mailer.flush_outbox().kept == 1  # still refused: still kept
    set_password(settings, GOOD)  # the parent fixes the password in the settings
    report = mailer.flush_outbox()
    assert (report.sent, report.kept) == (1, 0) and mailer.pending() == []
    (message,) = server.messages
    assert list(message.iter_attachments())[0].get_content() == data


def test_server_down_is_clear_kept_and_delivered_when_it_comes_back(memory_keyring, servers):
    port = free_port()
    settings = settings_for(port)
    set_password(settings, GOOD)
    sleeps: list[float] = []
    mailer = mailer_for(settings, sleeps=sleeps)
    with pytest.raises(DeliveryError, match=rf"cannot reach SMTP server 127.0.0.1:{port}: connection refused"):
        send_test(mailer, now=NOW)  # a test goes straight to the server
    with pytest.raises(DeliveryError, match="connection refused"):
        mailer.deliver(__import__("plextray.mail.messages", fromlist=["x"]).probe_message(settings, now=NOW))
    assert len(sleeps) == 2 and len(mailer.pending()) == 1
    server = servers("none", port=port)
    assert mailer.flush_outbox().sent == 1
    assert server.messages[0]["Subject"] == "plextray test e-mail"


def test_missing_password_and_untrusted_certificate(memory_keyring, cert, servers):
    server = servers("starttls", cert)
    settings = settings_for(server.port, "starttls")
    with pytest.raises(DeliveryError, match=f"no SMTP password for {USER}@127.0.0.1 in the OS keyring"):
        SmtpSender(settings).send(__import__("plextray.mail.messages", fromlist=["x"]).probe_message(settings, now=NOW))
    set_password(settings, GOOD)
    with pytest.raises(DeliveryError, match=rf"TLS with SMTP server 127.0.0.1:{server.port} failed"):
        SmtpSender(settings, timeout=5).send(
            __import__("plextray.mail.messages", fromlist=["x"]).probe_message(settings, now=NOW))
    assert keyring_user(settings) == f"smtp:{USER}@127.0.0.1"


def test_run_due_sends_digest_and_yesterdays_logs_once_across_restarts(plextray_home, memory_keyring, servers):
    build_household(plextray_home)
    data = write_archive("2026-03-09")
    server = servers("none")
    email = settings_for(server.port, digest_time="21:00", send_logs_daily=True)
    set_password(email, GOOD)
    config = AppConfig(email=email)
    paths = AppPaths.default()
    assert run_due(paths, config, datetime(2026, 3, 10, 20, 59), mailer=mailer_for(email)) == []
    done = run_due(paths, config, NOW, mailer=mailer_for(email))
    assert done == [f"sent the digest of {DAY}", "sent the logs of 2026-03-09"]
    assert [m["Subject"] for m in server.messages] == ["Emma stopped · Tue 10 Mar", "plextray · Plex logs of 2026-03-09"]
    assert list(server.messages[1].iter_attachments())[0].get_content() == data
    state = schedule.load_state(plextray_home)
    assert state.digest_last_sent == date(2026, 3, 10) and state.logs_last_sent == date(2026, 3, 9)
    # a restart a minute later: the state file says it is done
    assert run_due(paths, config, datetime(2026, 3, 10, 21, 6), mailer=mailer_for(email)) == []
    assert len(server.messages) == 2


def test_scheduler_thread_sends_the_due_digest_once_and_stops(plextray_home, memory_keyring, servers):
    import time
    from datetime import timedelta

    from plextray.mail.service import MailScheduler

    build_household(plextray_home)
    server = servers("none")
    now = datetime.now()
    if now.hour == 0 and now.minute == 0:
        pytest.skip("the slot one minute ago would be yesterday's")
    slot = now - timedelta(minutes=1)
    email = settings_for(server.port, digest_time=slot.strftime("%H:%M"))
    set_password(email, GOOD)
    config = AppConfig(email=email)
    scheduler = MailScheduler(AppPaths.default(), lambda: config, interval=0.05,
                              make=lambda paths, settings: mailer_for(settings)).start()
    try:
        deadline = time.monotonic() + 10
        while not server.messages and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.3)  # several more scheduler rounds: still one mail
    finally:
        scheduler.stop()
    expected = now.date() if slot.hour >= 12 else now.date() - timedelta(days=1)
    assert len(server.messages) == 1
    assert server.messages[0]["Subject"].endswith(f" · {expected.strftime('%a')} {expected.day} {expected.strftime('%b')}")
    assert schedule.load_state(plextray_home).digest_last_sent == expected


def test_email_now_for_the_tray(memory_keyring, servers):
    from plextray.config_save import save_config
    from plextray.mail.service import email_now

    data = write_archive(DAY)
    server = servers("none")
    email = settings_for(server.port)
    set_password(email, GOOD)
    save_config(AppPaths.default().config, AppConfig(email=email))
    said = email_now(AppPaths.default(), "logs", date.fromisoformat(DAY))
    assert said == f"The logs of {DAY} were e-mailed to mum@example.org, dad@example.org."
    assert list(server.messages[0].iter_attachments())[0].get_content() == data


def test_logs_mail_cuts_a_growing_archive_at_the_committed_size(memory_keyring, servers):
    from plextray.logs.checkpoint import Checkpoint, save_checkpoint

    data = write_archive(DAY)
    archives = AppPaths.default().archives
    save_checkpoint(archives, Checkpoint(archives={f"{DAY}.log.gz": len(data)}))
    with open(archives / f"{DAY}.log.gz", "ab") as handle:
        handle.write(gzip.compress(b"a member being written\n")[:15])  # the saver is mid-append
    server = servers("none")
    settings = settings_for(server.port)
    set_password(settings, GOOD)
    send_logs(AppPaths.default(), mailer_for(settings), date.fromisoformat(DAY), now=NOW)
    attachment = list(server.messages[0].iter_attachments())[0].get_content()
    assert attachment == data and gzip.decompress(attachment).count(b"\n") == 2000


def test_smtp_password_is_refused_by_a_plaintext_keyring(use_keyring):
    # Stands in for keyrings.alt.file.PlaintextKeyring (same module path; not installed here).
    plaintext = use_keyring(type("PlaintextKeyring", (memkeyring.MemoryKeyring,), {"__module__": "keyrings.alt.file"})())
    settings = EmailSettings(host="smtp.example.org", username="dad", recipients=("dad@example.org",))
    with pytest.raises(SecretStoreError) as caught:
        set_password(settings, "hunter2-secret")
    assert plaintext.store == {}
    assert "hunter2-secret" not in str(caught.value)


def test_smtp_password_goes_to_a_secure_keyring(use_keyring):
    memory = use_keyring(memkeyring.MemoryKeyring())
    settings = EmailSettings(host="smtp.example.org", username="dad", recipients=("dad@example.org",))
    set_password(settings, "hunter2-secret")
    assert memory.store == {("plextray", "smtp:dad@smtp.example.org"): "hunter2-secret"}


# ---- config.json as a person edits it: a string where a list belongs is an error, not letters


@pytest.mark.parametrize(
    "data, where",
    [
        ({"email": {"host": "smtp.example.org", "recipients": "dad@example.org"}}, "recipients"),
        ({"email": {"host": "smtp.example.org", "recipients": ["dad@example.org"], "port": "abc"}}, "port"),
        ({"alert_urls": "ntfy://family-topic"}, "alert_urls"),
    ],
)
def test_config_with_a_wrongly_typed_mail_setting_is_a_clear_error(tmp_path, data, where):
    path = tmp_path / "config.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert where in str(caught.value) and str(path) in str(caught.value)


def test_email_test_with_recipients_as_one_string_is_a_plextray_error_not_a_traceback(plextray_home, capsys):
    plextray_home.mkdir(parents=True, exist_ok=True)
    (plextray_home / "config.json").write_text(
        json.dumps({"email": {"host": "127.0.0.1", "port": 9, "security": "none", "recipients": "dad@example.org"}})
    )
    status = main(["email", "test"])
    err = capsys.readouterr().err
    assert status != 0 and err.startswith("plextray: ") and "recipients" in err


# ---- the daily logs mail does not depend on the report being buildable


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_broken_profiles_json_does_not_stop_the_daily_logs_mail(plextray_home):
    """profiles.json with a typo (the engine runs on its backup): the digest cannot be built, but
    yesterday's logs still go out, and the digest is retried later rather than marked sent."""
    import gzip
    from datetime import date, datetime

    from support.mail_server import USER, MailServer
    from support.mail_server import MemoryKeyring as MailKeyring

    from plextray.config import AppConfig
    from plextray.mail import schedule
    from plextray.mail.service import run_due
    from plextray.mail.smtp import Mailer, SmtpSender
    from plextray.paths import AppPaths

    paths = AppPaths.default().ensure()
    paths.profiles.write_text('{"version": 1, "people": [', encoding="utf-8")
    data = gzip.compress(b"Mar 09, 2026 20:00:00.000 [0x7f] DEBUG - a line\n")
    (paths.archives / "2026-03-09.log.gz").write_bytes(data)
    previous = keyring.get_keyring()
    keyring.set_keyring(MailKeyring())
    server = MailServer("none").start()
    try:
        email = EmailSettings(host="127.0.0.1", port=server.port, security="none", username=USER,
                              sender="plextray@example.org", recipients=("dad@example.org",),
                              digest_time="21:00", send_logs_daily=True)
        set_password(email, "right-horse-battery")
        mailer = Mailer(SmtpSender(email, timeout=10), paths.home / "outbox", max_attempts=1, base_delay=0.0,
                        sleep=lambda s: None)
        done = run_due(paths, AppConfig(email=email), datetime(2026, 3, 10, 21, 5), mailer=mailer)
        assert "sent the logs of 2026-03-09" in done
        assert any("digest" in line and "profiles.json" in line for line in done)
        assert [m["Subject"] for m in server.messages] == ["plextray · Plex logs of 2026-03-09"]
        state = schedule.load_state(paths.home)
        assert state.logs_last_sent == date(2026, 3, 9) and state.digest_last_sent is None
    finally:
        server.stop()
        keyring.set_keyring(previous)


# ---- one process, two threads (the tray's "E-mail today's logs" and the mail scheduler) share the outbox


def test_outbox_flush_during_a_delivery_retry_does_not_send_the_mail_twice(tmp_path):
    """deliver() keeps the message in the outbox while it backs off between attempts; the scheduler's
    flush_outbox must not send that same file meanwhile (the parent got every such mail twice)."""
    import threading
    from email.message import EmailMessage

    from plextray.errors import DeliveryError
    from plextray.mail.smtp import Mailer

    outbox = tmp_path / "outbox"
    sent: list[str] = []

    class FlakySender:
        settings = EmailSettings(host="smtp.example.org", recipients=("dad@example.org",))

        def __init__(self, fail_first: bool) -> None:
            self.fail_first = fail_first

        def send(self, message):
            if self.fail_first:
                self.fail_first = False
                raise DeliveryError("server down")
            sent.append(str(message["Subject"]))

    flusher = Mailer(FlakySender(False), outbox)
    flushed: list = []

    def backoff(_seconds: float) -> None:  # the scheduler's minute comes round while deliver() waits
        worker = threading.Thread(target=lambda: flushed.append(flusher.flush_outbox()))
        worker.start()
        worker.join(0.5)
        backoff.worker = worker

    message = EmailMessage()
    message["Subject"] = "plextray · Plex logs of 2026-03-09"
    message["To"] = "dad@example.org"
    message.set_content("logs attached")
    Mailer(FlakySender(True), outbox, max_attempts=3, base_delay=0.0, sleep=backoff).deliver(message)
    backoff.worker.join(5)
    assert sent == ["plextray · Plex logs of 2026-03-09"]
    assert list(outbox.glob("*.eml")) == []

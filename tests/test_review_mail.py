"""Review findings in plextray.mail: the SMTP password never goes to a plaintext keyring."""

from __future__ import annotations

import keyring
import pytest

from plextray.config import EmailSettings
from plextray.errors import SecretStoreError
from plextray.mail.smtp import set_password
from support.memkeyring import MemoryKeyring


def test_smtp_password_is_refused_by_a_plaintext_keyring(use_keyring):
    # Stands in for keyrings.alt.file.PlaintextKeyring (same module path; not installed here).
    plaintext = use_keyring(type("PlaintextKeyring", (MemoryKeyring,), {"__module__": "keyrings.alt.file"})())
    settings = EmailSettings(host="smtp.example.org", username="dad", recipients=("dad@example.org",))
    with pytest.raises(SecretStoreError) as caught:
        set_password(settings, "hunter2-secret")
    assert plaintext.store == {}
    assert "hunter2-secret" not in str(caught.value)


def test_smtp_password_goes_to_a_secure_keyring(use_keyring):
    memory = use_keyring(MemoryKeyring())
    settings = EmailSettings(host="smtp.example.org", username="dad", recipients=("dad@example.org",))
    set_password(settings, "hunter2-secret")
    assert memory.store == {("plextray", "smtp:dad@smtp.example.org"): "hunter2-secret"}


# ---- config.json as a person edits it: a string where a list belongs is an error, not letters

import json  # noqa: E402

from plextray.cli import main  # noqa: E402
from plextray.config import load_config  # noqa: E402
from plextray.errors import ConfigError  # noqa: E402


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

"""A mail the SMTP server refuses for good (5xx) is set aside in outbox/failed/; the mails behind it still go.

Against a real aiosmtpd server on 127.0.0.1 that answers 550 to one message and accepts the others;
temporary refusals (4xx, server down) keep the old behaviour: retried, kept, sent later.
"""

from __future__ import annotations

import logging
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import pytest
from support.mail_server import USER, Inbox, MailServer, free_port

from plextray.config import AppConfig, EmailSettings
from plextray.errors import DeliveryError
from plextray.mail.service import run_due
from plextray.mail.smtp import Mailer, PermanentRefusal, SmtpSender, set_password
from plextray.paths import AppPaths

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")

PASSWORD = "right-horse-battery"
NOW = datetime(2026, 3, 10, 21, 5)


class RefusingInbox(Inbox):
    """Accepts every message except those whose Subject contains `refuse`, answered with `answer`."""

    def __init__(self, refuse: str, answer: str = "550 5.7.1 Message rejected as spam",
                 refuse_rcpt: str | None = None):
        super().__init__()
        self.refuse = refuse
        self.answer = answer
        self.refuse_rcpt = refuse_rcpt
        self.refused: list[str] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.refuse_rcpt and address == self.refuse_rcpt:
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message = BytesParser(policy=policy.default).parsebytes(envelope.content)
        if self.refuse in str(message["Subject"]):
            self.refused.append(str(message["Subject"]))
            return self.answer
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def refusing_server():
    started: list[MailServer] = []

    def start(inbox: RefusingInbox, port: int | None = None) -> MailServer:
        server = MailServer("none", port=port)
        server.inbox = inbox
        server.controller.handler = inbox
        started.append(server.start())
        return server

    yield start
    for server in started:
        server.stop()


def settings_for(port: int, recipients=("mum@example.org",), **extra) -> EmailSettings:
    return EmailSettings(host="127.0.0.1", port=port, security="none", username=USER,
                         sender="plextray@example.org", recipients=recipients, **extra)


def mailer_for(settings: EmailSettings, sleeps: list[float]) -> Mailer:
    return Mailer(SmtpSender(settings, timeout=10), AppPaths.default().home / "outbox",
                  max_attempts=3, base_delay=0.05, sleep=sleeps.append)


def mail(subject: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = "plextray@example.org"
    message["To"] = "mum@example.org"
    message.set_content(f"body of {subject}")
    return message


def queue_while_down(settings: EmailSettings, subjects: list[str]) -> Mailer:
    """Mails kept in the outbox the real way: delivered while the server was down."""
    mailer = mailer_for(settings, [])
    for subject in subjects:
        with pytest.raises(DeliveryError, match="connection refused"):
            mailer.deliver(mail(subject))
    assert len(mailer.pending()) == len(subjects)
    return mailer


def test_a_mail_refused_for_good_is_set_aside_and_the_next_ones_are_sent(memory_keyring, refusing_server, caplog):
    caplog.set_level(logging.DEBUG)
    port = free_port()
    settings = settings_for(port)
    set_password(settings, PASSWORD)
    mailer = queue_while_down(settings, ["first: poison", "second: logs", "third: digest"])
    inbox = RefusingInbox(refuse="poison")
    server = refusing_server(inbox, port=port)

    report = mailer.flush_outbox()

    assert inbox.refused == ["first: poison"]
    assert [m["Subject"] for m in server.messages] == ["second: logs", "third: digest"]
    assert (report.sent, report.failed, report.kept) == (2, 1, 0)
    assert mailer.pending() == []
    (failed,) = list(mailer.failed_dir.glob("*.eml"))
    assert BytesParser(policy=policy.default).parsebytes(failed.read_bytes())["Subject"] == "first: poison"
    reason = (mailer.failed_dir / f"{failed.stem}.reason.txt").read_text()
    assert "550" in reason and "Message rejected as spam" in reason
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "refused for good" in r.getMessage()]
    assert len(warnings) == 1 and str(mailer.failed_dir) in warnings[0].getMessage()
    assert PASSWORD not in caplog.text
    # the next flush has nothing left to retry: the refused mail is not sent again
    assert mailer.flush_outbox() == type(report)(sent=0, kept=0)
    assert inbox.refused == ["first: poison"]


def test_deliver_does_not_retry_a_permanent_refusal_and_the_next_deliver_goes(memory_keyring, refusing_server, caplog):
    caplog.set_level(logging.DEBUG)
    inbox = RefusingInbox(refuse="poison")
    server = refusing_server(inbox)
    settings = settings_for(server.port)
    set_password(settings, PASSWORD)
    sleeps: list[float] = []
    mailer = mailer_for(settings, sleeps)

    with pytest.raises(PermanentRefusal, match="refused the message: 550") as caught:
        mailer.deliver(mail("poison digest"))
    assert "failed" in str(caught.value) and "will be sent later" not in str(caught.value)
    assert inbox.refused == ["poison digest"] and sleeps == []  # one attempt, no backoff
    assert mailer.pending() == [] and len(list(mailer.failed_dir.glob("*.eml"))) == 1

    mailer.deliver(mail("the logs"))
    assert [m["Subject"] for m in server.messages] == ["the logs"]
    assert PASSWORD not in caplog.text


def test_a_rejected_recipient_is_permanent_a_4xx_refusal_is_retried_and_kept(memory_keyring, refusing_server):
    inbox = RefusingInbox(refuse="greylisted", answer="451 4.7.1 Greylisted, try again later",
                          refuse_rcpt="gone@example.org")
    server = refusing_server(inbox)
    settings = settings_for(server.port)
    set_password(settings, PASSWORD)

    bad = settings_for(server.port, recipients=("gone@example.org",))
    with pytest.raises(PermanentRefusal, match="refused the recipient.*gone@example.org.*550"):
        mailer_for(bad, []).deliver(mail("to nobody"))

    sleeps: list[float] = []
    mailer = mailer_for(settings, sleeps)
    with pytest.raises(DeliveryError, match="451") as caught:
        mailer.deliver(mail("greylisted digest"))
    assert not isinstance(caught.value, PermanentRefusal)
    assert "will be sent later" in str(caught.value)
    assert inbox.refused == ["greylisted digest"] * 3 and sleeps == [0.05, 0.1]
    assert len(mailer.pending()) == 1
    report = mailer.flush_outbox()  # still 451: still kept, nothing set aside
    assert (report.sent, report.failed, report.kept) == (0, 0, 1)
    assert len(list(mailer.failed_dir.glob("*.eml"))) == 1  # only the mail to the unknown recipient
    inbox.refuse = "nothing matches this"
    assert mailer.flush_outbox().sent == 1
    assert [m["Subject"] for m in server.messages] == ["greylisted digest"]


def test_run_due_reports_the_set_aside_mail_and_sends_the_due_logs(memory_keyring, refusing_server):
    import gzip

    paths = AppPaths.default().ensure()
    (paths.archives / "2026-03-09.log.gz").write_bytes(gzip.compress(b"Mar 09, 2026 20:00:00.000 [0x7f] DEBUG - a\n"))
    port = free_port()
    email = settings_for(port, digest_time="21:00", send_logs_daily=True)
    set_password(email, PASSWORD)
    mailer = queue_while_down(email, ["poison from yesterday"])
    paths.profiles.write_text('{"version": 1, "people": [', encoding="utf-8")  # no digest today: logs only
    server = refusing_server(RefusingInbox(refuse="poison"), port=port)

    done = run_due(paths, AppConfig(email=email), NOW, mailer=mailer)

    assert any("refused for good" in line and "550" in line for line in done)
    assert "sent the logs of 2026-03-09" in done
    assert [m["Subject"] for m in server.messages] == ["plextray · Plex logs of 2026-03-09"]

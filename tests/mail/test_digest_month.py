"""The digest of the realistic month, received by a real SMTP server (aiosmtpd on 127.0.0.1).

What arrives must render in real mail clients: no SVG (webmail and desktop clients drop it), a
PNG chart attached inline and referenced by its Content-ID, the same figures as table bars, one
600 px column with inline styles, a short subject led by what matters, a text part with no
column alignment; and the weekly digest goes out on its own schedule, once.
"""

from __future__ import annotations

import re
from datetime import date, datetime

import keyring
import pytest
from support.mail_server import USER, MailServer, MemoryKeyring
from support.report_month import CHILDREN, build_month

from plextray.config import AppConfig, EmailSettings
from plextray.mail import schedule
from plextray.mail.service import run_due
from plextray.mail.smtp import Mailer, SmtpSender, set_password
from plextray.paths import AppPaths

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
GOOD = "right-horse-battery"


@pytest.fixture
def server(plextray_home):
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    build_month(plextray_home)
    started = MailServer("none").start()
    yield started
    started.stop()
    keyring.set_keyring(previous)


def _config(server, **extra) -> AppConfig:
    email = EmailSettings(host="127.0.0.1", port=server.port, security="none", username=USER,
                          sender="plextray@example.org", recipients=("mum@example.org",), **extra)
    set_password(email, GOOD)
    return AppConfig(email=email)


def _mailer(config: AppConfig) -> Mailer:
    return Mailer(SmtpSender(config.email, timeout=10), AppPaths.default().home / "outbox", base_delay=0.01)


def _parts(message):
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    images = [p for p in message.walk() if p.get_content_type() == "image/png"]
    return html, text, images


def _renders_everywhere(message) -> tuple[str, str]:
    html, text, images = _parts(message)
    assert "<svg" not in html.lower() and "<style" not in html.lower() and "<script" not in html.lower()
    assert len(images) == 1 and images[0].get_content()[:8] == b"\x89PNG\r\n\x1a\n"
    cid = images[0]["Content-ID"].strip("<>")
    assert f'src="cid:{cid}"' in html and 'alt="Chart: ' in html  # shown inline, described for screen readers
    assert "max-width:600px" in html and "bgcolor=" in html  # one column; table bars carry the figures
    assert not re.search(r"display:\s*(flex|grid)|position:", html)  # layout mail clients ignore
    assert not re.search(r"\S {2,}\S", text)  # no column alignment: reads the same in any font
    assert len(message["Subject"]) <= 78
    return html, text


def test_the_daily_digest_leads_with_what_matters_and_leaves_the_parents_out(server):
    config = _config(server, digest_time="21:00")
    done = run_due(AppPaths.default(), config, datetime(2026, 11, 17, 21, 5), mailer=_mailer(config))
    assert done == ["sent the digest of 2026-11-17"]
    (message,) = server.messages
    html, text = _renders_everywhere(message)
    subject = message["Subject"]
    assert subject == "Emma, Leo, Maya stopped · Tue 17 Nov"  # what matters first, grouped, short
    for child in CHILDREN:
        assert child.name in html and f"{child.name}: " in text
    assert "Parents" not in html and "Parents" not in text  # grown-ups' own viewing: left out by default
    assert "Reached the daily limit" in text and "after bedtime" in text


def test_the_parents_are_in_when_the_setting_says_so(server):
    config = _config(server, digest_time="21:00", digest_include_parents=True)
    run_due(AppPaths.default(), config, datetime(2026, 11, 17, 21, 5), mailer=_mailer(config))
    html, text = _renders_everywhere(server.messages[0])
    assert "Parents" in html and "Parents: " in text


def test_the_weekly_digest_is_sent_on_its_schedule_once(server, plextray_home):
    config = _config(server, weekly_digest="Sun 18:00")
    paths = AppPaths.default()

    def at(moment: datetime) -> list[str]:
        return run_due(paths, config, moment, mailer=_mailer(config))

    assert at(datetime(2026, 11, 22, 17, 59)) == []  # before its first slot
    assert at(datetime(2026, 11, 22, 18, 1)) == ["sent the weekly digest of 2026-11-16"]
    assert at(datetime(2026, 11, 22, 18, 30)) == [] and at(datetime(2026, 11, 23, 8, 0)) == []  # once
    assert schedule.load_state(plextray_home).weekly_last_sent == date(2026, 11, 16)
    assert at(datetime(2026, 11, 29, 18, 0)) == ["sent the weekly digest of 2026-11-23"]
    first, second = server.messages
    html, text = _renders_everywhere(first)
    assert first["Subject"].endswith("Week of 16 Nov") and second["Subject"].endswith("Week of 23 Nov")
    assert "Week of 16 November 2026 (so far)" in html and "a day" in text
    for child in CHILDREN:
        assert f"{child.name}: " in text


@pytest.mark.parametrize("now, week", [
    (datetime(2026, 11, 22, 18, 0), date(2026, 11, 16)),  # Sunday evening: the week ending today
    (datetime(2026, 11, 23, 8, 0), date(2026, 11, 16)),  # Monday morning: the week just ended
    (datetime(2026, 11, 25, 12, 0), date(2026, 11, 16)),  # any other day: the last complete week
])
def test_which_week_a_weekly_slot_sends(now, week):
    weekday = now.weekday()
    spec = f"{schedule.DAY_WORDS[weekday]} {now:%H:%M}"
    assert schedule.weekly_due(spec, None, now) == week
    assert schedule.weekly_due(spec, week, now) is None


def test_a_bad_weekly_schedule_is_a_clear_error():
    from plextray.errors import ConfigError

    with pytest.raises(ConfigError, match='weekday and a time, e.g. "Sun 18:00"'):
        schedule.parse_weekly("Sunday")
    with pytest.raises(ConfigError, match="HH:MM"):
        schedule.parse_weekly("Sun 25:99")


def test_the_weekly_digest_on_demand_from_the_command_line(server, plextray_home, capsys):
    from plextray.cli import main
    from plextray.config_save import save_config

    save_config(AppPaths.default().config, _config(server))
    assert main(["email", "digest", "--week", "--date", "2026-11-18"]) == 0
    assert "weekly digest of 2026-11-16 sent to mum@example.org" in capsys.readouterr().out
    (message,) = server.messages
    _renders_everywhere(message)
    assert message["Subject"].endswith("Week of 16 Nov")

"""`plextray email …` against a real SMTP server on 127.0.0.1, settings from config.json, password from the keyring."""

from __future__ import annotations

import pytest
from support.mail_fixtures import restore_log_handlers, setup  # noqa: F401  (fixtures)
from support.mail_server import MailServer
from support.report_history import DAY

from plextray.cli import main
from plextray.paths import AppPaths

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")


def test_email_test_digest_logs(setup, capsys):
    port, servers = setup
    servers.append(MailServer("none", port=port).start())
    import gzip

    (AppPaths.default().archives).mkdir(parents=True, exist_ok=True)
    (AppPaths.default().archives / f"{DAY}.log.gz").write_bytes(gzip.compress(b"a line\n"))
    assert main(["email", "test"]) == 0
    assert main(["email", "digest", "--date", DAY]) == 0
    assert main(["email", "logs", "--date", DAY]) == 0
    out = capsys.readouterr().out
    assert "test e-mail sent to mum@example.org" in out and f"digest of {DAY} sent" in out
    subjects = [m["Subject"] for m in servers[0].messages]
    assert subjects[0] == "plextray test e-mail" and subjects[1].endswith("· Tue 10 Mar")
    assert subjects[2] == f"plextray · Plex logs of {DAY}"


def test_email_with_server_down_keeps_the_message_and_outbox_sends_it(setup, capsys, monkeypatch):
    port, servers = setup
    monkeypatch.setattr("time.sleep", lambda s: None)  # the CLI's retry backoff, not the test's time
    assert main(["email", "digest", "--date", DAY]) == 1
    err = capsys.readouterr().err
    assert f"plextray: cannot reach SMTP server 127.0.0.1:{port}: connection refused" in err
    assert "kept in" in err and "Traceback" not in err
    servers.append(MailServer("none", port=port).start())
    assert main(["email", "outbox"]) == 0
    assert "1 sent, 0 kept" in capsys.readouterr().out
    assert servers[0].messages[0]["Subject"].endswith("· Tue 10 Mar")


def test_email_not_configured_and_bad_date(plextray_home, capsys):
    assert main(["email", "test"]) == 1
    assert "e-mail is not set up" in capsys.readouterr().err
    assert main(["email", "digest", "--date", "yesterday"]) == 2

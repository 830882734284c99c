"""The alerts/e-mail settings tab in a real Tk window under Xvfb, tests against real servers on 127.0.0.1."""

from __future__ import annotations


import keyring
import pytest
from conftest import pump
from support.mail_server import USER, MailServer, MemoryKeyring
from support.alert_endpoint import Endpoint

from plextray.config import AppConfig, EmailSettings, load_config
from plextray.config_save import save_config
from plextray.paths import AppPaths
from plextray.plex.credentials import load_alert_urls
from plextray.ui.delivery_frame import validate_delivery

pytestmark = [pytest.mark.gui, pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")]


def test_validate_delivery_pure():
    errors, urls, email = validate_delivery({
        "alert_urls": "ntfy://kids-topic\n\nnosuch://x\nhello", "host": "smtp example", "port": "99999",
        "security": "starttls", "username": "", "password": "pw", "sender": "me@", "recipients": "mum@example.org, dad",
        "digest_time": "25:00", "send_logs_daily": True,
    })
    assert email is None and urls == ("ntfy://kids-topic", "nosuch://x", "hello")
    assert errors["alert_urls"].startswith("line 2: apprise does not understand") and "line 3: not a URL" in errors["alert_urls"]
    assert set(errors) == {"alert_urls", "host", "port", "username", "sender", "recipients", "digest_time"}
    errors, urls, email = validate_delivery({
        "alert_urls": "", "host": "smtp.example.org", "port": "", "security": "ssl", "username": "me",
        "password": "", "sender": "", "recipients": "a@b.c;d@e.f", "digest_time": "7:05", "send_logs_daily": True,
    })
    assert errors == {} and email == EmailSettings("smtp.example.org", 465, "ssl", "me", "", ("a@b.c", "d@e.f"), "07:05", True)
    errors, _, email = validate_delivery({"alert_urls": "", "send_logs_daily": True, "security": "starttls"})
    assert "digest_time" in errors and "host" in errors


@pytest.fixture
def frame(xdisplay, plextray_home):
    import tkinter as tk

    from plextray.ui.delivery_frame import DeliveryFrame

    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    save_config(AppPaths.default().config, AppConfig(server_url="http://127.0.0.1:32400", alert_urls=("ntfy://old",)))
    root = tk.Tk()
    widget = DeliveryFrame(root, AppPaths.default())
    widget.pack(fill="both", expand=True)
    root.update()
    yield widget
    root.destroy()
    del widget, root
    import gc

    gc.collect()  # Tk variables must die on this (the Tk) thread, not in a later worker thread's GC
    keyring.set_keyring(previous)


def _fill(frame, **values):
    for name, value in values.items():
        if name == "alert_urls":
            frame.urls_text.delete("1.0", "end")
            frame.urls_text.insert("1.0", value)
        elif name == "security":
            frame.fields["security"].set(value)
            frame._security_changed()
        elif name == "send_logs_daily":
            frame.send_logs_var.set(value)
        else:
            frame.fields[name].delete(0, "end")
            frame.fields[name].insert(0, value)


def test_bad_values_show_errors_next_to_fields_and_save_nothing(frame):
    assert frame.urls_text.get("1.0", "end").strip() == "ntfy://old"
    _fill(frame, alert_urls="not a url", host="smtp.example.org", recipients="nobody", digest_time="9pm")
    before = AppPaths.default().config.read_text()
    assert frame.save() is False
    assert "line 1: not a URL" in frame.error_text("alert_urls")
    assert frame.error_text("recipients") == "not an e-mail address: nobody"
    assert frame.error_text("digest_time").startswith("HH:MM")
    assert frame.error_text("host") == ""
    assert AppPaths.default().config.read_text() == before
    assert "Not saved" in str(frame.status.cget("text"))


def test_save_writes_config_and_keyring_keeps_other_settings(frame):
    _fill(frame, alert_urls="ntfy://kids-topic\njson://127.0.0.1:8080/hook", host="smtp.example.org",
          security="ssl", username=USER, password="pa55-w0rd-x", sender="plextray@example.org",
          recipients="mum@example.org, dad@example.org", digest_time="20:30", send_logs_daily=True)
    assert frame.fields["port"].get() == "465"  # followed the security choice
    assert frame.save() is True
    config = load_config(AppPaths.default().config)
    assert config.server_url == "http://127.0.0.1:32400"  # not ours: kept
    assert config.alert_urls == () and "kids-topic" not in AppPaths.default().config.read_text()  # they hold tokens:
    assert load_alert_urls(config) == ("ntfy://kids-topic", "json://127.0.0.1:8080/hook")  # the keyring has them
    assert config.email == EmailSettings("smtp.example.org", 465, "ssl", USER, "plextray@example.org",
                                         ("mum@example.org", "dad@example.org"), "20:30", True)
    assert keyring.get_password("plextray", f"smtp:{USER}@smtp.example.org") == "pa55-w0rd-x"
    assert "pa55-w0rd-x" not in AppPaths.default().config.read_text()
    assert frame.fields["password"].get() == ""


def test_send_test_email_and_alert_against_real_servers(frame):
    server = MailServer("none").start()
    endpoint = Endpoint()
    try:
        _fill(frame, host="127.0.0.1", port=str(server.port), security="none", username=USER, password="wrong",
              recipients="mum@example.org")
        frame.send_test_email()
        assert pump(frame, lambda: "Failed" in str(frame.mail_result.cget("text")), timeout=15)
        assert f"SMTP login refused for {USER}@127.0.0.1" in str(frame.mail_result.cget("text"))
        _fill(frame, password=server.password)
        frame.send_test_email()
        assert pump(frame, lambda: str(frame.mail_result.cget("text")).startswith("Sent"), timeout=15)
        assert server.messages[0]["Subject"] == "plextray test e-mail"
        _fill(frame, alert_urls=endpoint.url())
        frame.send_test_alert()
        assert pump(frame, lambda: str(frame.alert_result.cget("text")).startswith("Sent"), timeout=15)
        assert endpoint.delivered[0]["title"] == "plextray test alert"
    finally:
        server.stop()
        endpoint.close()

"""Send e-mail over SMTP (STARTTLS, SSL or plain) with the password from the OS keyring; lose nothing.

Every message is written to the outbox folder BEFORE the first attempt and removed only once the
server accepted it, so a wrong password, a server that is down or a crash mid-send leaves it there
to be retried later (`Mailer.flush_outbox`). A mail the server refuses for good (a 5xx answer to
the recipients or the message) is the exception: retrying it can never work and would hold back every
mail queued behind it, so it is moved to `outbox/failed/` with the reason next to it. Errors are
translated into DeliveryError with a sentence a parent can act on; the password is never logged.
"""

from __future__ import annotations

import logging
import os
import smtplib
import socket
import ssl
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from plextray import const
from plextray.config import EmailSettings
from plextray.errors import DeliveryError, SecretStoreError
from plextray.secrets import redact, register_secret

log = logging.getLogger(__name__)

SECURITY_MODES = ("starttls", "ssl", "none")


def keyring_user(settings: EmailSettings) -> str:
    return f"smtp:{settings.username}@{settings.host}"


def get_password(settings: EmailSettings) -> str | None:
    """The SMTP password from the OS keyring (service "plextray", user "smtp:<username>@<host>")."""
    if not settings.username:
        return None
    from keyring.errors import KeyringError
    from plextray.keyring_loader import load_keyring

    keyring = load_keyring()

    try:
        password = keyring.get_password(const.KEYRING_SERVICE, keyring_user(settings))
    except KeyringError as exc:
        raise SecretStoreError(f"cannot read the SMTP password from the OS keyring: {exc}") from exc
    register_secret(password)
    return password


def set_password(settings: EmailSettings, password: str) -> None:
    from keyring.errors import KeyringError
    from plextray.keyring_loader import load_keyring

    keyring = load_keyring()

    from plextray.plex.credentials import backend_name, is_secure_backend

    register_secret(password)
    try:
        backend = keyring.get_keyring()
        secure = is_secure_backend(backend)
    except Exception as exc:  # a broken backend configuration
        raise SecretStoreError(f"no usable OS keyring for the SMTP password ({type(exc).__name__})") from None
    if not secure:  # keyrings.alt would keep it in a plain file: never by surprise
        raise SecretStoreError(
            f"no secure system keyring to keep the SMTP password in (found {backend_name(backend)}); "
            "unlock or install one (GNOME Keyring, KWallet, macOS Keychain, Windows Credential Manager)"
        )
    try:
        keyring.set_password(const.KEYRING_SERVICE, keyring_user(settings), password)
    except KeyringError as exc:
        raise SecretStoreError(f"cannot store the SMTP password in the OS keyring: {exc}") from exc


class PermanentRefusal(DeliveryError):
    """The server refused this mail for good (5xx to its recipients or its content): retrying cannot help."""


def _is_permanent(code: object) -> bool:
    return isinstance(code, int) and 500 <= code <= 599


@dataclass(frozen=True, slots=True)
class SendReport:
    sent: int
    kept: int
    errors: tuple[str, ...] = ()
    failed: int = 0  # refused for good: moved to outbox/failed/


class SmtpSender:
    """One attempt to hand a message to the SMTP server; every failure becomes a clear DeliveryError."""

    def __init__(
        self,
        settings: EmailSettings,
        *,
        password: Callable[[EmailSettings], str | None] = get_password,
        ssl_context: ssl.SSLContext | None = None,
        timeout: float = 30.0,
    ) -> None:
        if settings.security not in SECURITY_MODES:
            raise DeliveryError(f"unknown SMTP security {settings.security!r} (use starttls, ssl or none)")
        self.settings = settings
        self._password = password
        self._context = ssl_context
        self.timeout = timeout

    @property
    def where(self) -> str:
        return f"{self.settings.host}:{self.settings.port}"

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        context = self._context or ssl.create_default_context()
        if s.security == "ssl":
            return smtplib.SMTP_SSL(s.host, s.port, timeout=self.timeout, context=context)
        client = smtplib.SMTP(s.host, s.port, timeout=self.timeout)
        if s.security == "starttls":
            client.ehlo()
            if not client.has_extn("starttls"):
                client.close()
                raise DeliveryError(f"SMTP server {self.where} does not offer STARTTLS (choose SSL or none)")
            client.starttls(context=context)
            client.ehlo()
        return client

    def send(self, message: EmailMessage) -> None:
        s = self.settings
        if not s.host:
            raise DeliveryError("no SMTP server is set (settings → E-mail)")
        recipients = list(s.recipients) or [a.strip() for a in str(message.get("To", "")).split(",") if a.strip()]
        if not recipients:
            raise DeliveryError("no e-mail recipients are set (settings → E-mail)")
        password = self._password(s) if s.username else None
        if s.username and not password:
            raise DeliveryError(
                f"no SMTP password for {s.username}@{s.host} in the OS keyring: set it in the settings "
                "or with `plextray email password`"
            )
        try:
            client = self._connect()
            try:
                if s.username:
                    client.login(s.username, password or "")
                client.send_message(message, from_addr=s.sender or s.username or None, to_addrs=recipients)
            finally:
                try:
                    client.quit()
                except (smtplib.SMTPException, OSError):
                    client.close()
        except DeliveryError:
            raise
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(f"SMTP login refused for {s.username}@{s.host} (wrong user name or password?)") from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise DeliveryError(f"SMTP server {self.where} does not support this: {exc}") from exc
        except smtplib.SMTPRecipientsRefused as exc:
            refused = ", ".join(sorted(exc.recipients))
            answers = "; ".join(f"{code} {_text(reply)}" for code, reply in exc.recipients.values())
            # every recipient refused with 5xx: for good; any 4xx among them: try again later
            error = PermanentRefusal if all(_is_permanent(code) for code, _ in exc.recipients.values()) else DeliveryError
            raise error(f"SMTP server {self.where} refused the recipient(s) {refused} ({answers})") from exc
        except smtplib.SMTPSenderRefused as exc:
            error = PermanentRefusal if _is_permanent(exc.smtp_code) else DeliveryError  # e.g. 552 too big
            raise error(f"SMTP server {self.where} refused the sender {exc.sender} "
                        f"({exc.smtp_code} {_text(exc.smtp_error)})") from exc
        except smtplib.SMTPDataError as exc:  # the message itself: 5xx rejected (spam, size), 4xx try later
            error = PermanentRefusal if _is_permanent(exc.smtp_code) else DeliveryError
            raise error(f"SMTP server {self.where} refused the message: {exc.smtp_code} {_text(exc.smtp_error)}") from exc
        except ssl.SSLError as exc:
            raise DeliveryError(f"TLS with SMTP server {self.where} failed: {exc.reason or exc}") from exc
        except smtplib.SMTPServerDisconnected as exc:
            raise DeliveryError(f"SMTP server {self.where} closed the connection: {redact(str(exc))}") from exc
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(f"SMTP server {self.where} said {exc.smtp_code} {_text(exc.smtp_error)}") from exc
        except (socket.timeout, TimeoutError) as exc:
            raise DeliveryError(f"SMTP server {self.where} did not answer in time") from exc
        except ConnectionRefusedError as exc:
            raise DeliveryError(f"cannot reach SMTP server {self.where}: connection refused (server down?)") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"cannot reach SMTP server {self.where}: {redact(str(exc))}") from exc


def _text(reply: object) -> str:
    """A server's reply as text, redacted (a server may echo what it was sent)."""
    return redact(reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply))


_OUTBOX_LOCKS: dict[Path, threading.RLock] = {}
_OUTBOX_LOCKS_GUARD = threading.Lock()


def _outbox_lock(outbox: Path) -> threading.RLock:
    """One lock per outbox folder in this process: a message being delivered (kept there while it
    backs off) is not also sent by a flush from another thread (tray menu vs. mail scheduler)."""
    key = Path(os.path.abspath(outbox))
    with _OUTBOX_LOCKS_GUARD:
        return _OUTBOX_LOCKS.setdefault(key, threading.RLock())


class Mailer:
    """Deliver with retries and exponential backoff; anything undelivered stays in the outbox."""

    def __init__(
        self,
        sender: SmtpSender,
        outbox: Path,
        *,
        max_attempts: int = 3,
        base_delay: float = 2.0,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.sender = sender
        self.outbox = outbox
        self.max_attempts = max(1, max_attempts)
        self.base_delay = base_delay
        self._sleep = sleep or time.sleep

    def _keep(self, message: EmailMessage) -> Path:
        self.outbox.mkdir(parents=True, exist_ok=True)
        try:
            self.outbox.chmod(0o700)
        except OSError:
            pass
        name = f"{datetime.now().strftime('%Y%m%dT%H%M%S.%f')}-{uuid.uuid4().hex[:8]}.eml"
        tmp = self.outbox / f".{name}.tmp"
        with open(tmp, "wb") as handle:
            handle.write(message.as_bytes(policy=policy.SMTP))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.outbox / name)
        return self.outbox / name

    def _attempts(self, message: EmailMessage) -> None:
        last: DeliveryError | None = None
        for attempt in range(1, self.max_attempts + 1):
            try:
                self.sender.send(message)
                return
            except PermanentRefusal:
                raise  # the same answer every time: no backoff, no retry
            except DeliveryError as exc:
                last = exc
                if attempt < self.max_attempts:
                    delay = self.base_delay * 2 ** (attempt - 1)
                    log.warning("e-mail not sent (attempt %d of %d): %s; retrying in %.1f s",
                                attempt, self.max_attempts, exc, delay)
                    self._sleep(delay)
        assert last is not None
        raise last

    def deliver(self, message: EmailMessage) -> None:
        """Send now (with retries) or raise DeliveryError saying the message is kept in the outbox."""
        with _outbox_lock(self.outbox):
            kept = self._keep(message)
            try:
                self._attempts(message)
            except PermanentRefusal as exc:
                moved = self._set_aside(kept, exc)
                raise PermanentRefusal(f"{exc}; the message was not sent and is kept in {moved.parent}") from exc
            except DeliveryError as exc:
                log.error("e-mail %r kept in the outbox (%s): %s", str(message.get("Subject", "")), kept.name, exc)
                raise DeliveryError(f"{exc}; the message is kept in {self.outbox} and will be sent later") from exc
            kept.unlink(missing_ok=True)

    @property
    def failed_dir(self) -> Path:
        return self.outbox / "failed"

    def _set_aside(self, path: Path, reason: PermanentRefusal) -> Path:
        """Move a mail the server refused for good out of the queue, with the reason beside it for the user."""
        self.failed_dir.mkdir(parents=True, exist_ok=True)
        target = self.failed_dir / path.name
        (self.failed_dir / f"{path.stem}.reason.txt").write_text(f"{redact(str(reason))}\n", encoding="utf-8")
        os.replace(path, target)
        log.warning("e-mail %s refused for good by the SMTP server, moved to %s: %s",
                    path.name, self.failed_dir, redact(str(reason)))
        return target

    def pending(self) -> list[Path]:
        if not self.outbox.is_dir():
            return []
        return sorted(p for p in self.outbox.glob("*.eml") if not p.name.startswith("."))

    def flush_outbox(self) -> SendReport:
        """Try every kept message once (oldest first); stop at the first temporary failure (the server is
        still refusing); a message refused for good is set aside and the next one is tried."""
        with _outbox_lock(self.outbox):
            sent, failed, errors = 0, 0, []
            files = self.pending()
            for path in files:
                message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
                try:
                    self.sender.send(message)  # type: ignore[arg-type]
                except PermanentRefusal as exc:
                    self._set_aside(path, exc)
                    errors.append(f"{exc}; the message was not sent and is kept in {self.failed_dir}")
                    failed += 1
                    continue
                except DeliveryError as exc:
                    errors.append(str(exc))
                    break
                path.unlink(missing_ok=True)
                sent += 1
            return SendReport(sent=sent, kept=len(files) - sent - failed, errors=tuple(errors), failed=failed)


def outbox_dir(home: Path) -> Path:
    return home / "outbox"

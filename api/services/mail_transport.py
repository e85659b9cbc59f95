"""How a mail leaves: SMTP (CADENCE_SMTP_URL) or, with none set, .eml files in a private
directory so `make run` works without a mail server.

Standard library only: api/config.py parses the URL here to fail at start-up.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import unquote, urlsplit

from api import files

log = logging.getLogger("cadence.mail")

DEFAULT_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
LOOPBACK = {"127.0.0.1", "::1", "localhost"}


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    security: str  # "plain", "starttls" or "tls"
    user: str = ""
    password: str = ""

    def __repr__(self) -> str:  # the password never reaches a log or a traceback
        return f"SmtpTarget({self.security}://{self.host}:{self.port}, user={bool(self.user)})"


def parse_smtp_url(url: str) -> SmtpTarget:
    """`smtp://`, `smtp+starttls://` or `smtps://[user:password@]host[:port]`, URL-decoded.

    Errors name the problem but never repeat the URL, which may hold a password."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise ValueError("CADENCE_SMTP_URL is not a valid URL (check the port)") from None
    if parts.scheme not in DEFAULT_PORTS:
        raise ValueError(
            "CADENCE_SMTP_URL must start with smtp://, smtp+starttls:// or smtps://, "
            f"got scheme {parts.scheme!r}"
        )
    if not parts.hostname:
        raise ValueError("CADENCE_SMTP_URL has no host name")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError("CADENCE_SMTP_URL must be scheme://[user:password@]host[:port] only")
    if port == 0:
        raise ValueError("CADENCE_SMTP_URL port must be 1-65535")
    user, password = unquote(parts.username or ""), unquote(parts.password or "")
    if bool(user) != bool(password):
        raise ValueError("CADENCE_SMTP_URL needs both a user and a password, or neither")
    security = {"smtp": "plain", "smtp+starttls": "starttls", "smtps": "tls"}[parts.scheme]
    if user and security == "plain" and parts.hostname not in LOOPBACK:
        # A password over an unencrypted connection to another machine can be read en route.
        raise ValueError(
            "CADENCE_SMTP_URL sends a password in clear text: use smtps:// or "
            "smtp+starttls:// (plain smtp:// with a password is allowed on loopback only)"
        )
    return SmtpTarget(
        host=parts.hostname,
        port=port or DEFAULT_PORTS[parts.scheme],
        security=security,
        user=user,
        password=password,
    )


def check_sender(mail_from: str) -> None:
    _name, address = parseaddr(mail_from)
    if "@" not in address or any(c in mail_from for c in "\r\n"):
        raise ValueError(
            f"CADENCE_MAIL_FROM must be an address such as 'Cadence <no-reply@example.org>', "
            f"got {mail_from!r}"
        )


def sender_domain(mail_from: str) -> str:
    return parseaddr(mail_from)[1].rpartition("@")[2] or "localhost"


class SmtpTransport:
    """One connection for a batch, opened on first use and reopened after a failure."""

    def __init__(self, target: SmtpTarget, timeout: float, ca_file: str = ""):
        self.target, self.timeout, self.ca_file = target, timeout, ca_file
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        # Certificates and host names are always checked; ca_file only changes whom we trust.
        target, context = self.target, ssl.create_default_context(cafile=self.ca_file or None)
        if target.security == "tls":
            smtp = smtplib.SMTP_SSL(target.host, target.port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(target.host, target.port, timeout=self.timeout)
        try:
            if target.security == "starttls":
                smtp.starttls(context=context)
            if target.user:
                smtp.login(target.user, target.password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, message: EmailMessage) -> None:
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            self._smtp.send_message(message)
        except BaseException:
            self.close()  # the connection's state is unknown; the next message reconnects
            raise

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()


class FileTransport:
    """Each message as an owner-only .eml file; the log gets its path, never its content or
    recipients (an address on this service is itself health information)."""

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)

    def send(self, message: EmailMessage) -> None:
        files.make_private_dir(self.directory)
        os.chmod(self.directory, files.PRIVATE_DIR)  # also when it existed with a wider mode
        token = message["Message-ID"].strip("<>").partition("@")[0]
        path = self.directory / f"{token}.eml"
        fd = files.create_private(path, force=True)  # a retry rewrites its own file
        with os.fdopen(fd, "wb") as stream:
            stream.write(bytes(message))
        log.info("mail %s written to %s", message["Message-ID"], path)

    def close(self) -> None:
        pass

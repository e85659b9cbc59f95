"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for the mail tests."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def free_port() -> int:
    """A loopback port nothing listens on (until someone starts a server there)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    login: str | None


@dataclass
class Collector:
    """aiosmtpd handler: keeps each accepted message, refuses any address nobody@... (550);
    `delay` slows each DATA down, so that concurrent senders overlap."""

    delay: float = 0.0
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        auth = getattr(session, "auth_data", None)
        login = auth.decode() if isinstance(auth, bytes) else None
        with self.lock:
            self.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), message, login)
            )
        return "250 Message accepted for delivery"


class SmtpServer:
    """Start/stop an SMTP server on 127.0.0.1:`port`; with `credentials`, AUTH is required
    (over plain text, loopback only) and the logins tried are recorded; with `ssl_context`,
    it speaks TLS from the start; with `starttls_context`, only after STARTTLS."""

    def __init__(
        self,
        port: int | None = None,
        credentials=None,
        delay: float = 0.0,
        ssl_context=None,
        starttls_context=None,
    ):
        self.port = port or free_port()
        self.collector = Collector(delay=delay)
        self.logins: list[tuple[str, str]] = []
        options = {}
        if credentials is not None:
            options = {
                "authenticator": self._authenticator(credentials),
                "auth_required": True,
                "auth_require_tls": False,
            }
        if ssl_context is not None:  # implicit TLS from the first byte, as smtps://
            options["ssl_context"] = ssl_context
        if starttls_context is not None:  # offers STARTTLS and refuses mail before it
            options.update(tls_context=starttls_context, require_starttls=True)
        self.controller = Controller(
            self.collector, hostname="127.0.0.1", port=self.port, **options
        )

    def _authenticator(self, credentials: tuple[str, str]):
        def authenticate(server, session, envelope, mechanism, auth_data):
            user, password = auth_data.login.decode(), auth_data.password.decode()
            self.logins.append((user, password))
            if (user, password) == credentials:
                return AuthResult(success=True, auth_data=auth_data.login)
            return AuthResult(success=False, handled=False)  # the server answers 535

        return authenticate

    @property
    def received(self) -> list[Received]:
        with self.collector.lock:
            return list(self.collector.received)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()


def self_signed_context(tmp_path) -> ssl.SSLContext:
    """A server TLS context with a fresh self-signed certificate for 127.0.0.1, written to
    tmp_path/smtp-cert.pem (a client trusting that file accepts it)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    # OpenSSL checks validity against the machine's real clock, which a test may have moved
    # (pytest --clock): a window wide enough for any of those dates.
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(datetime(2000, 1, 1, tzinfo=UTC))
        .not_valid_after(datetime(2100, 1, 1, tzinfo=UTC))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "smtp-cert.pem", tmp_path / "smtp-key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context

"""A push service on 127.0.0.1 for tests: it speaks the real protocol.

Each request must carry `Authorization: vapid t=<JWT>, k=<key>` (RFC 8292) whose ES256
signature verifies with the expected VAPID public key, with aud = this origin, an exp in the
future and a mailto: sub; `Content-Encoding: aes128gcm` and a TTL header. The body is then
decrypted (RFC 8291/8188, http_ece) with the subscription's private key and auth secret, as a
browser would. A request that fails a check is answered 400 and listed in `problems`.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Received:
    name: str
    payload: dict
    headers: dict
    at: float  # time.time() when it arrived (travelled time under time-machine)


@dataclass
class _Subscriber:
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes


@dataclass
class PushReceiver:
    vapid_public_key: str
    received: list[Received] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    answers: dict[str, int] = field(default_factory=dict)
    _subscribers: dict[str, _Subscriber] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> PushReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = receiver._handle(self.path, dict(self.headers.items()), body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def subscription(self, name: str, answer: int = 201) -> dict:
        """A browser-like subscription whose endpoint is this receiver; `answer` is the status
        the receiver gives after checking and decrypting a message for it."""
        private_key = ec.generate_private_key(ec.SECP256R1())
        auth = os.urandom(16)
        self._subscribers[name] = _Subscriber(private_key, auth)
        self.answers[name] = answer
        point = private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": self.subscription_endpoint(name),
            "keys": {"p256dh": b64url(point), "auth": b64url(auth)},
        }

    def subscription_endpoint(self, name: str) -> str:
        return f"{self.origin}/push/{name}"

    def for_name(self, name: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.name == name]

    # --- the checks ---------------------------------------------------------------------

    def _handle(self, path: str, headers: dict, body: bytes) -> int:
        headers = {k.lower(): v for k, v in headers.items()}
        name = path.removeprefix("/push/")
        try:
            subscriber = self._subscribers[name]
            self._check_vapid(headers.get("authorization", ""))
            assert headers.get("content-encoding") == "aes128gcm", "Content-Encoding"
            assert int(headers.get("ttl", "-1")) >= 0, "TTL header"
            plain = http_ece.decrypt(
                body,
                private_key=subscriber.private_key,
                auth_secret=subscriber.auth,
                version="aes128gcm",
            )
            payload = json.loads(plain)
        except Exception as error:  # noqa: BLE001 - every failure is a finding
            with self._lock:
                self.problems.append(f"{name}: {type(error).__name__}: {error}")
            return 400
        with self._lock:
            self.received.append(Received(name, payload, headers, time.time()))
        return self.answers[name]

    def _check_vapid(self, authorization: str) -> None:
        scheme, _, rest = authorization.partition(" ")
        assert scheme.lower() == "vapid", f"scheme {scheme!r}"
        parts = dict(p.strip().split("=", 1) for p in rest.split(","))
        assert parts["k"] == self.vapid_public_key, "k is not the server's VAPID key"
        header_b64, claims_b64, signature_b64 = parts["t"].split(".")
        header = json.loads(unb64url(header_b64))
        assert header["alg"] == "ES256", header
        signature = unb64url(signature_b64)
        assert len(signature) == 64, "ES256 signatures are r||s, 64 bytes"
        der = encode_dss_signature(
            int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        )
        public = ec.EllipticCurvePublicKey.from_encoded_point(
            ec.SECP256R1(), unb64url(self.vapid_public_key)
        )
        try:
            public.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            raise AssertionError("JWT signature does not verify") from None
        claims = json.loads(unb64url(claims_b64))
        assert claims["aud"] == self.origin, f"aud {claims['aud']!r}"
        assert time.time() < claims["exp"] <= time.time() + 24 * 3600, "exp"
        assert claims["sub"].startswith("mailto:"), "sub"

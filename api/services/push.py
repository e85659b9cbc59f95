"""Web Push: VAPID keys, subscriptions, and delivery through pywebpush (RFC 8291 aes128gcm).

The server signs each request with its VAPID key (RFC 8292) and encrypts the payload to the
subscription's p256dh key and auth secret, so the push service relays bytes it cannot read.
A 404 or 410 from the push service means the subscription is gone: it is deleted. Any other
failure is returned as a short reason (never the payload) for the delivery record.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import requests
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush
from sqlalchemy import orm as so
from sqlalchemy.exc import IntegrityError

from api import files
from api.config import Config
from api.models import PushSubscription, User
from api.services import access, push_targets
from api.services.errors import Conflict, Invalid

log = logging.getLogger("cadence.push")

# Each subscription is one device; more than this is a script, and every send walks them all.
MAX_SUBSCRIPTIONS_PER_USER = 10


# --- keys -------------------------------------------------------------------------------


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    text = text.strip()
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def public_point(key: ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey) -> bytes:
    public = key.public_key() if isinstance(key, ec.EllipticCurvePrivateKey) else key
    return public.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


@dataclass(frozen=True)
class VapidKeys:
    private_key: ec.EllipticCurvePrivateKey
    # The application server key a browser passes to PushManager.subscribe().
    public_key: str = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "public_key", b64url(public_point(self.private_key)))

    def signer(self) -> Vapid02:
        return Vapid02(self.private_key)


def generate_pair() -> tuple[str, str]:
    """A new (private, public) pair as base64url text: the raw 32-byte scalar and the point."""
    key = ec.generate_private_key(ec.SECP256R1())
    scalar = key.private_numbers().private_value.to_bytes(32, "big")
    return b64url(scalar), b64url(public_point(key))


def _private_from_text(text: str) -> ec.EllipticCurvePrivateKey:
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode(), password=None)
    else:
        try:
            raw = unb64url(text)
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != 32:
            raise ValueError("CADENCE_VAPID_PRIVATE_KEY must be a PEM key or 32 base64url bytes")
        key = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise ValueError("the VAPID key must be a P-256 (prime256v1) key")
    return key


def _key_from_file(path: Path) -> ec.EllipticCurvePrivateKey:
    """Read the key file, creating it first if absent. Creation is atomic (write a temporary
    file, then link it into place), so processes starting together all end up with one key."""
    if not path.exists():
        files.make_private_dir(path.parent)
        pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".vapid-")
        try:
            os.write(fd, pem)
            os.close(fd)
            os.chmod(temporary, 0o600)
            try:
                os.link(temporary, path)
                log.info("created a VAPID key pair in %s", path)
            except FileExistsError:
                pass
        finally:
            os.unlink(temporary)
    # Never through a symlink: the key must be the file this deployment made or was given.
    return _private_from_text(files.read_regular(path).decode())


def load_keys(config: Config) -> VapidKeys:
    if config.vapid_private_key:
        private = _private_from_text(config.vapid_private_key)
    elif config.vapid_key_file:
        private = _key_from_file(Path(config.vapid_key_file))
    else:
        private = ec.generate_private_key(ec.SECP256R1())
    keys = VapidKeys(private)
    if config.vapid_public_key and config.vapid_public_key.strip().rstrip("=") != keys.public_key:
        raise ValueError("CADENCE_VAPID_PUBLIC_KEY does not belong to the VAPID private key")
    return keys


def keys() -> VapidKeys:
    """This app's VAPID keys, loaded once per process."""
    extensions = current_app.extensions
    if "cadence.vapid" not in extensions:
        extensions["cadence.vapid"] = load_keys(current_app.config["CADENCE"])
    return extensions["cadence.vapid"]


# --- subscriptions ----------------------------------------------------------------------


def check_endpoint(endpoint: str, test_receiver: str = "") -> None:
    """A push service URL the server may post to (see push_targets); 422 otherwise."""
    push_targets.check_endpoint(endpoint, test_receiver)


def check_keys(p256dh: str, auth: str) -> None:
    errors = {}
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(p256dh))
        if len(unb64url(p256dh)) != 65:
            raise ValueError
    except (ValueError, binascii.Error):
        errors["keys.p256dh"] = ["Not an uncompressed P-256 public key in base64url."]
    try:
        if len(unb64url(auth)) != 16:
            raise ValueError
    except (ValueError, binascii.Error):
        errors["keys.auth"] = ["Not a 16-byte auth secret in base64url."]
    if errors:
        raise Invalid(f"Invalid input: {', '.join(errors)}", errors)


def subscribe(
    session: so.Session, user: User, endpoint: str, p256dh: str, auth: str
) -> tuple[PushSubscription, bool]:
    """Store a subscription for `user`; (subscription, created). The same endpoint again
    updates its keys. An endpoint stored for another account answers 409 and stays theirs:
    moving it would let anyone who learns an endpoint take over that device's pushes (its
    owner's sign-out removes it, and the app then subscribes afresh)."""
    config = current_app.config["CADENCE"]
    check_endpoint(endpoint, config.push_test_receiver)
    check_keys(p256dh, auth)
    values = {"p256dh": p256dh.strip(), "auth": auth.strip()}
    for _attempt in range(2):
        existing = session.scalar(
            sa.select(PushSubscription).where(PushSubscription.endpoint == endpoint)
        )
        if existing is not None:
            if existing.user_id != user.id:
                session.rollback()
                raise Conflict(
                    "This push endpoint is registered to another account; "
                    "turn notifications off and on again on this device.",
                    {"endpoint": ["Registered to another account."]},
                )
            for key, value in values.items():
                setattr(existing, key, value)
            session.commit()
            return existing, False
        # The account's row lock (PostgreSQL) lets only one new device in at a time, so two
        # subscribes at once cannot both be the tenth.
        session.execute(sa.select(User.id).where(User.id == user.id).with_for_update())
        count = session.scalar(
            sa.select(sa.func.count())
            .select_from(PushSubscription)
            .where(PushSubscription.user_id == user.id)
        )
        if count >= MAX_SUBSCRIPTIONS_PER_USER:
            session.rollback()
            problem = (
                f"At most {MAX_SUBSCRIPTIONS_PER_USER} devices per account receive "
                "notifications; turn them off on a device you no longer use."
            )
            raise Conflict(problem, {"endpoint": [problem]})
        subscription = PushSubscription(endpoint=endpoint, user_id=user.id, **values)
        session.add(subscription)
        try:
            session.commit()
            return subscription, True
        except IntegrityError:
            # Another request stored the same endpoint between our read and write.
            session.rollback()
    raise RuntimeError("could not store the push subscription")  # pragma: no cover


def unsubscribe(session: so.Session, user: User, endpoint: str) -> None:
    session.delete(access.own_subscription(session, user, endpoint))
    session.commit()


# --- delivery ---------------------------------------------------------------------------


@dataclass
class Delivery:
    """What happened to one message across the recipient's subscriptions."""

    sent: int = 0
    gone: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.sent:
            return "sent"
        if self.errors or self.gone:
            return "failed"
        return "skipped"

    @property
    def reason(self) -> str | None:
        if self.sent:
            return None
        if not self.errors and not self.gone:
            return "no push subscription"
        reasons = list(dict.fromkeys(self.errors))
        if self.gone:
            reasons.append("subscription expired at the push service (removed)")
        return "; ".join(reasons)[:200]


def _http_session(test_receiver: str) -> requests.Session:
    session = requests.Session()
    # A push service answers directly; following a redirect would let an endpoint send the
    # server's request somewhere else.
    session.max_redirects = 0
    # Every request goes through the adapter that checks and pins the address; environment
    # proxies are ignored, as a proxy would resolve the name again on its own.
    session.trust_env = False
    adapter = push_targets.PinnedAdapter(test_receiver)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def send(session: so.Session, user_id: int, payload: dict, ttl: int | None = None) -> Delivery:
    """Encrypt `payload` (JSON) to every subscription of `user_id` and post it."""
    config = current_app.config["CADENCE"]
    subscriptions = [
        (s.id, s.endpoint, s.p256dh, s.auth)
        for s in session.scalars(
            sa.select(PushSubscription).where(PushSubscription.user_id == user_id)
        )
    ]
    session.commit()  # hold no transaction (nor, on SQLite, a lock) during network I/O
    delivery = Delivery()
    if not subscriptions:
        return delivery
    signer = keys().signer()
    data = json.dumps(payload, separators=(",", ":"))
    gone_ids = []
    with _http_session(config.push_test_receiver) as http:
        for subscription_id, endpoint, p256dh, auth in subscriptions:
            outcome = _post(http, signer, config, endpoint, p256dh, auth, data, ttl)
            if outcome == "ok":
                delivery.sent += 1
            elif outcome == "gone":
                delivery.gone += 1
                gone_ids.append(subscription_id)
            else:
                delivery.errors.append(outcome)
    if gone_ids:
        session.execute(sa.delete(PushSubscription).where(PushSubscription.id.in_(gone_ids)))
        session.commit()
    return delivery


def _post(http, signer, config, endpoint, p256dh, auth, data, ttl) -> str:
    """ "ok", "gone", or a short reason."""
    try:
        webpush(
            subscription_info={"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}},
            data=data,
            vapid_private_key=signer,
            # A fresh dict each time: webpush fills in aud (the endpoint's origin) and exp.
            vapid_claims={"sub": config.vapid_subject},
            content_encoding="aes128gcm",
            ttl=config.push_ttl_seconds if ttl is None else ttl,
            timeout=config.push_timeout_seconds,
            headers={"Urgency": "normal"},
            requests_session=http,
        )
    except push_targets.Refused as refused:
        return f"push endpoint refused: {refused}"
    except WebPushException as error:
        response = error.response
        status = getattr(response, "status_code", None)
        if status in (404, 410):
            return "gone"
        if status is not None:
            return f"push service answered {status} {getattr(response, 'reason', '')}".strip()
        return "push request failed"
    except requests.Timeout:
        return "push service timed out"
    except requests.TooManyRedirects:
        return "push service redirected"
    except requests.RequestException as error:
        return f"push service unreachable ({type(error).__name__})"
    except Exception as error:  # a bad key or subscription must not stop the other sends
        log.warning("push to a subscription failed: %s", type(error).__name__)
        return f"push failed ({type(error).__name__})"
    return "ok"

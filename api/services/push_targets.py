"""Where the server may send a push: public push services only (no SSRF).

A push endpoint is a URL a client hands us, and the scheduler later posts to it from inside our
network. So an endpoint must be https to a host name (no IP literal in any spelling: `127.1`,
`2130706433`, `0x7f.1` are all 127.0.0.1 to the resolver) whose every address is global.

The address is checked when the subscription is stored (a clear 422 early) and again at each
send, where it matters: the name is resolved once, every address it resolves to must be global,
and the connection is then made to that checked address, with the original name as Host header,
TLS SNI and certificate name (`PinnedAdapter`). Resolving once and connecting to what was
checked closes DNS rebinding (a name that answers a public address to the check and a private
one to the connect); refusing when any address is not global keeps a name with one public and
one private record from being a coin toss.

Tests send to a push receiver on the loopback. That needs `CADENCE_PUSH_TEST_RECEIVER` set to
that receiver's exact origin (`http://127.0.0.1:<port>`): off by default, one origin only, and
a value that cannot be set by a stray `=1`.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from requests.adapters import HTTPAdapter

from api.services.errors import Invalid

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]

# 64:ff9b::/96 (NAT64) carries an IPv4 address in its low 32 bits, reached through a gateway.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class Refused(Exception):
    """An endpoint the server will not connect to; the message is safe to store and show."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # lower case, without a trailing dot
    port: int

    @property
    def origin(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def is_public(address: Address | str) -> bool:
    """True only for a global unicast address; an IPv4 address carried inside an IPv6 one
    (mapped, 6to4, NAT64) is judged as that IPv4 address."""
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public(embedded)
    return ip.is_global and not (
        ip.is_multicast
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_unspecified
    )


def parse(endpoint: str) -> Target:
    try:
        parts = urlsplit(endpoint)
        host = (parts.hostname or "").rstrip(".").lower()
        port = parts.port
    except ValueError:
        raise Refused("Not a URL with a host.") from None
    if not host or parts.username or parts.password:
        raise Refused("Not a URL with a host.")
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"}:
        raise Refused("A push endpoint must be an https URL.")
    return Target(scheme, host, port or (443 if scheme == "https" else 80))


def _is_ip_literal(host: str) -> bool:
    """Any spelling the resolver would take as an address, not only the dotted quad."""
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    try:
        socket.inet_aton(host)  # accepts 127.1, 2130706433, 0x7f.1, 0177.0.0.1
        return True
    except OSError:
        return False


def is_test_receiver(target: Target, test_receiver: str) -> bool:
    return bool(test_receiver) and target.origin == test_receiver.rstrip("/").lower()


def check_name(target: Target, test_receiver: str = "") -> None:
    """What can be told from the URL alone."""
    if is_test_receiver(target, test_receiver):
        return
    if target.scheme != "https":
        raise Refused("A push endpoint must be an https URL.")
    host = target.host
    if host == "localhost" or host.endswith(".localhost") or _is_ip_literal(host):
        raise Refused("A push endpoint must name a push service host.")


def resolve_checked(
    target: Target, test_receiver: str = "", resolver: Resolver = system_resolver
) -> str:
    """The one address to connect to, after checking every address the name resolves to."""
    check_name(target, test_receiver)
    if is_test_receiver(target, test_receiver):
        return target.host
    try:
        addresses = resolver(target.host, target.port)
    except (OSError, UnicodeError):
        raise Refused("The push service host does not resolve.") from None
    if not addresses:
        raise Refused("The push service host does not resolve.")
    for address in addresses:
        if not is_public(address.split("%", 1)[0]):
            raise Refused("The push service host resolves to a non-public address.")
    return addresses[0]


def check_endpoint(
    endpoint: str, test_receiver: str = "", resolver: Resolver = system_resolver
) -> None:
    """At subscribe time: refuse with a 422 what can already be seen to be unsafe. A name that
    does not resolve from here is kept (the push service may be reachable later); every send
    resolves and checks again."""
    try:
        target = parse(endpoint)
        check_name(target, test_receiver)
        if not is_test_receiver(target, test_receiver):
            try:
                addresses = resolver(target.host, target.port)
            except (OSError, UnicodeError):
                addresses = []
            if any(not is_public(a.split("%", 1)[0]) for a in addresses):
                raise Refused("The push service host resolves to a non-public address.")
    except Refused as refused:
        problem = str(refused)
        raise Invalid(f"Invalid endpoint: {problem}", {"endpoint": [problem]}) from None


class PinnedAdapter(HTTPAdapter):
    """Sends each request to the address `resolve_checked` approved, never to a second lookup.

    urllib3 connects to the pool's host, so the pool is made for the checked address while the
    name stays on the wire: the Host header, and for https the SNI and the certificate check.
    """

    def __init__(self, test_receiver: str = "", resolver: Resolver = system_resolver):
        self.test_receiver = test_receiver
        self.resolver = resolver
        super().__init__(max_retries=0)

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        request.headers["Host"] = urlsplit(request.url).netloc.rpartition("@")[2]
        # No proxy: a proxy would make its own lookup of the name.
        return super().send(request, stream, timeout, verify, cert, proxies=None)

    def get_connection_with_tls_context(self, request, verify, proxies=None, cert=None):
        target = parse(request.url)
        address = resolve_checked(target, self.test_receiver, self.resolver)
        host_params, pool_kwargs = self.build_connection_pool_key_attributes(request, verify, cert)
        host_params = {**host_params, "host": address}
        if target.scheme == "https":
            pool_kwargs = {
                **pool_kwargs,
                "server_hostname": target.host,
                "assert_hostname": target.host,
            }
        return self.poolmanager.connection_from_host(**host_params, pool_kwargs=pool_kwargs)

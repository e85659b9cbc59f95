"""Response headers: a strict CSP for the PWA, no caching of API answers, no framing; and
which reverse proxies are believed about the client's address and scheme."""

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

API_PREFIX = "/api/"

# No inline scripts or styles anywhere; everything comes from this origin.
PWA_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def init_app(app: Flask) -> None:
    @app.after_request
    def _headers(response):
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "no-referrer")
        headers.setdefault("Content-Security-Policy", PWA_CSP)
        headers.setdefault("X-Frame-Options", "DENY")
        if request.path.startswith(API_PREFIX):
            # Health data must not linger in browser or proxy caches.
            headers["Cache-Control"] = "no-store"
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
        return response


def trust_proxies(app: Flask, hops: int) -> None:
    """Believe the last `hops` X-Forwarded-For/-Proto/-Host values (Werkzeug ProxyFix): the
    client address then feeds the rate limits and the scheme feeds HSTS. With 0 the headers
    are ignored, as anyone can send them."""
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

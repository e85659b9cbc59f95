"""Response headers: a strict CSP for the PWA, no caching of API answers, no framing."""

from flask import Flask, request

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

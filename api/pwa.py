"""Serves the static PWA from pwa/ at the site root, on the API's own origin."""

from pathlib import Path

from flask import Blueprint, send_from_directory

PWA_DIR = Path(__file__).resolve().parent.parent / "pwa"

bp = Blueprint("pwa", __name__)


@bp.route("/")
def index():
    return send_from_directory(PWA_DIR, "index.html")


@bp.route("/<path:filename>")
def asset(filename: str):
    response = send_from_directory(PWA_DIR, filename)
    if filename == "sw.js":
        # The browser must see a new service worker as soon as it is deployed.
        response.headers["Cache-Control"] = "no-cache"
    return response

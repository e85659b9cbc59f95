"""Human-readable API docs at /api/v1/docs, served with no outside assets."""

from pathlib import Path

import swagger_ui_bundle
from flask import Blueprint, send_from_directory

DOCS_DIR = Path(__file__).resolve().parent / "static" / "docs"

bp = Blueprint("docs", __name__)


@bp.route("/api/v1/docs")
def index():
    return send_from_directory(DOCS_DIR, "index.html")


@bp.route("/api/v1/docs/<path:filename>")
def asset(filename: str):
    if filename == "docs.js":
        return send_from_directory(DOCS_DIR, filename)
    return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename)

"""Cadence: social rhythm tracking for Interpersonal and Social Rhythm Therapy."""

from __future__ import annotations

import logging

from flask import Flask

from api import auth, db, ratelimits, security
from api.config import Config
from api.services import audit

API_PREFIX = "/api/v1"


def create_app(config: Config | None = None) -> Flask:
    config = config or Config.from_env()
    config.srm_settings()  # fail at start-up, not at the first score, on a bad CADENCE_SRM_*
    app = Flask(__name__, static_folder=None)
    app.json.sort_keys = False  # activities read in SRM item order
    app.config.update(config.as_flask())
    app.config.update(
        API_TITLE="Cadence",
        API_VERSION="1",
        OPENAPI_VERSION="3.0.3",  # the bundled Swagger UI renders 3.0
        OPENAPI_URL_PREFIX=API_PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
    )
    logging.basicConfig(level=config.log_level)

    db.init_app(app)
    auth.init_app(app)
    audit.init_app(app)
    security.init_app(app)
    security.trust_proxies(app, config.trusted_proxies)
    ratelimits.init_app(app)
    _init_api(app)

    from api import cli, docs, pwa

    app.register_blueprint(docs.bp)
    app.register_blueprint(pwa.bp)
    cli.init_app(app)
    return app


def _init_api(app: Flask) -> None:
    from api.extensions import Api, IdConverter, id_parameter_schema
    from api.resources import BLUEPRINTS

    app.url_map.converters["id"] = IdConverter
    api = Api(app)
    api.register_converter(IdConverter, id_parameter_schema)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "Opaque token"}
    )
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint, url_prefix=API_PREFIX + (blueprint.url_prefix or ""))

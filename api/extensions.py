"""The project's Api, Blueprint and Schema, and the one error shape."""

from __future__ import annotations

import logging

import flask_smorest
import marshmallow as ma
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.routing import IntegerConverter

from api.services.errors import ServiceError

log = logging.getLogger("cadence")


class Schema(ma.Schema):
    """Unknown fields are an error (marshmallow's RAISE), stated here so nobody relaxes it."""

    class Meta:
        unknown = ma.RAISE


class Blueprint(flask_smorest.Blueprint):
    pass


class IdConverter(IntegerConverter):
    """`<id:name>`: a row id, positive and within 32-bit integer keys, so that a larger number
    is simply not found (404) rather than an error from the database."""

    MAX = 2**31 - 1

    def __init__(self, url_map, *args, **kwargs):
        super().__init__(url_map, min=1, max=self.MAX)


def id_parameter_schema(_converter) -> dict:
    return {"type": "integer", "minimum": 1, "maximum": IdConverter.MAX}


def _field_paths(errors, prefix="") -> list[str]:
    """Flatten marshmallow's nested error dict into dotted field names."""
    if not isinstance(errors, dict):
        return [prefix] if prefix else []
    paths = []
    for key, value in errors.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            paths.extend(_field_paths(value, name))
        else:
            paths.append(name)
    return paths


def _strip_location(errors: dict) -> dict:
    """webargs nests errors under the location ("json", "query"); one location reads better flat."""
    if len(errors) == 1:
        ((location, inner),) = errors.items()
        if location in {"json", "query", "path", "headers"} and isinstance(inner, dict):
            return inner
    return errors


class Api(flask_smorest.Api):
    def _register_error_handlers(self):
        super()._register_error_handlers()
        self._app.register_error_handler(ServiceError, self.handle_service_error)
        self._app.register_error_handler(Exception, self.handle_unexpected)

    def handle_service_error(self, error: ServiceError):
        return error.payload(), error.status

    def handle_http_exception(self, error: HTTPException):
        payload, code, headers = super().handle_http_exception(error)
        data = getattr(error, "data", None) or {}
        if "errors" in payload:
            payload["errors"] = _strip_location(payload["errors"])
        if "message" not in payload:
            if code == 422 and payload.get("errors"):
                fields = ", ".join(_field_paths(payload["errors"]))
                payload["message"] = f"Invalid input: {fields}"
            else:
                payload["message"] = error.description
        for key, value in data.items():
            if key not in {"message", "errors", "messages", "headers", "exc", "schema"}:
                payload[key] = value
        if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
            headers = {**headers, "Allow": ", ".join(error.valid_methods)}
        return payload, code, headers

    def handle_unexpected(self, error: Exception):
        if isinstance(error, HTTPException):
            return self.handle_http_exception(error)
        # The traceback names code, never request bodies, so no health data reaches the log.
        log.exception("unhandled %s", type(error).__name__)
        return self.handle_http_exception(InternalServerError())

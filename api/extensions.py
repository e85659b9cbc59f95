"""The project's Api, Blueprint and Schema, and the one error shape."""

from __future__ import annotations

import logging
import traceback

import flask_smorest
import marshmallow as ma
from flask.json.provider import DefaultJSONProvider
from webargs import core as webargs_core
from webargs.flaskparser import FlaskParser, abort, is_json_request
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.routing import BaseConverter, IntegerConverter

from api.request_json import UnsafeJSON, load_json, unstorable_text
from api.services.errors import ServiceError

log = logging.getLogger("cadence")


class Schema(ma.Schema):
    """Unknown fields are an error (marshmallow's RAISE), stated here so nobody relaxes it."""

    class Meta:
        unknown = ma.RAISE


class ArgumentsParser(FlaskParser):
    """webargs' parser with the project's JSON reader: a body too deep, with an absurdly long
    number or a NaN is a 400 that says so, not an error from inside the decoder.

    Every text in the input (body, query string, headers), at any depth and in keys too, must
    be storable: PostgreSQL refuses NUL characters and no database encodes an unpaired
    surrogate, so such text is refused here for every route, before any schema sees it, rather
    than failing at the database. Once per request, not once per nested schema."""

    def _raw_load_json(self, req):
        if not is_json_request(req):
            return webargs_core.missing
        return load_json(req.get_data(cache=True))

    def _load_location_data(self, *, schema, req, location):
        data = super()._load_location_data(schema=schema, req=req, location=location)
        errors = unstorable_text(data)
        if errors:
            raise ma.ValidationError(errors)
        return data

    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        reason = error.reason if isinstance(error, UnsafeJSON) else "Invalid JSON body."
        abort(400, message=reason, messages={"json": [reason]})


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = ArgumentsParser()

    def arguments(self, schema, *args, **kwargs):
        # webargs makes a new instance of a schema class on every request, which costs more than
        # validating a diary day; one instance per route does the same work (loading keeps no
        # state on the schema).
        if isinstance(schema, type):
            schema = schema()
        return super().arguments(schema, *args, **kwargs)


class JSONProvider(DefaultJSONProvider):
    """request.get_json() reads bodies with the same rules as the arguments parser."""

    def loads(self, s, **kwargs):
        return load_json(s)


class DayConverter(BaseConverter):
    """`<day:name>`: at most 10 characters without a slash. A longer segment cannot be a
    YYYY-MM-DD date, so it is not found (404) before any access check or audit record is
    written; a 10-character non-date reaches the view, which names the problem."""

    regex = r"[^/]{1,10}"


def day_parameter_schema(_converter) -> dict:
    return {"type": "string", "format": "date", "maxLength": 10}


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
    def init_app(self, app, *args, **kwargs):
        provider = JSONProvider(app)
        vars(provider).update(vars(app.json))  # keep the app's settings (sort_keys=False)
        app.json = provider
        app.url_map.converters["day"] = DayConverter
        super().init_app(app, *args, **kwargs)
        self.register_converter(DayConverter, day_parameter_schema)

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
        # Where it failed, never the exception's text: a database error quotes the statement's
        # parameters and a ValueError its input, and either may be a client's health data.
        log.error("unhandled %s\n%s", type(error).__name__, _frames(error))
        return self.handle_http_exception(InternalServerError())


def _frames(error: BaseException) -> str:
    """The traceback's file, line and function names, without any message or local value."""
    lines = [
        f"  {f.filename}:{f.lineno} in {f.name}" for f in traceback.extract_tb(error.__traceback__)
    ]
    cause = error.__cause__ or error.__context__
    if cause is not None:
        lines.append(f"  caused by {type(cause).__name__}")
    return "\n".join(lines)

"""Errors raised by use cases; the Api turns each into the one JSON error shape."""

from __future__ import annotations

from http import HTTPStatus


class ServiceError(Exception):
    status = 400

    def __init__(self, message: str, errors: dict | None = None, **extra):
        super().__init__(message)
        self.message = message
        self.errors = errors
        self.extra = extra

    def payload(self) -> dict:
        body = {
            "code": self.status,
            "status": HTTPStatus(self.status).phrase,
            "message": self.message,
        }
        if self.errors:
            body["errors"] = self.errors
        body.update(self.extra)
        return body


class Invalid(ServiceError):
    status = 422


class NotFound(ServiceError):
    status = 404


class Conflict(ServiceError):
    status = 409


class PreconditionFailed(ServiceError):
    status = 412

import sqlalchemy as sa
from marshmallow import fields

from api import db
from api.extensions import Blueprint, Schema

blp = Blueprint("system", __name__, description="Service health and documentation")


class HealthSchema(Schema):
    status = fields.String()
    database = fields.String()


@blp.route("/health")
@blp.response(200, HealthSchema)
@blp.alt_response(503, schema=HealthSchema, description="The database is unreachable")
def health():
    """Report whether the service and its database answer"""
    try:
        with db.engine().connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        return {"status": "unavailable", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}


class LiveSchema(Schema):
    status = fields.String()


@blp.route("/health/live")
@blp.response(200, LiveSchema)
def live():
    """Report that the process answers (no database; for liveness probes)"""
    return {"status": "ok"}

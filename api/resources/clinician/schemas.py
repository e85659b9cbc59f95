from marshmallow import fields, validate

from api.extensions import Schema
from api.fields import Integer
from api.resources.care.schemas import DeletedAccountSchema, PersonSchema


class PageQuerySchema(Schema):
    page = Integer(text=True, minimum=1, load_default=1)
    page_size = Integer(text=True, minimum=1, load_default=50, validate=validate.Range(1, 200))


class WeekSummarySchema(Schema):
    start = fields.Date()
    srm = fields.Float(allow_none=True)
    srm5 = fields.Float(allow_none=True)
    completeness = fields.Float()


class FlagCountsSchema(Schema):
    high = fields.Integer()
    medium = fields.Integer()
    low = fields.Integer()


class CaseloadRowSchema(Schema):
    client = fields.Nested(PersonSchema)
    link_id = fields.Function(lambda row: row["link"].id)
    latest_week = fields.Nested(WeekSummarySchema, metadata={"description": "Last complete week"})
    srm_trend = fields.List(fields.Nested(WeekSummarySchema), metadata={"description": "4 weeks"})
    srm_change = fields.Float(
        allow_none=True, metadata={"description": "Latest SRM minus the earlier weeks' median"}
    )
    open_flags = fields.Nested(FlagCountsSchema)
    last_entry = fields.Date(allow_none=True)
    days_since_last_entry = fields.Integer(allow_none=True)
    phase = fields.String(allow_none=True)


class CaseloadSchema(Schema):
    clients = fields.List(fields.Nested(CaseloadRowSchema))
    deleted_accounts = fields.List(
        fields.Nested(DeletedAccountSchema),
        metadata={"description": "Linked clients who deleted their account, newest first"},
    )
    page = fields.Integer()
    page_size = fields.Integer()
    total = fields.Integer()
    pages = fields.Integer()

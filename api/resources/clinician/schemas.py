from marshmallow import fields, validate

from api.extensions import Schema
from api.fields import Integer
from api.resources.care.schemas import DeletedAccountSchema, PersonSchema


class Rounded(fields.Float):
    """A score rounded for display; ranking and thresholds use the unrounded value."""

    def __init__(self, places: int = 1, **kwargs):
        super().__init__(**kwargs)
        self.places = places

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else round(float(value), self.places)


class PageQuerySchema(Schema):
    page = Integer(text=True, minimum=1, load_default=1)
    page_size = Integer(text=True, minimum=1, load_default=50, validate=validate.Range(1, 200))


class WeekSummarySchema(Schema):
    start = fields.Date()
    srm = Rounded(allow_none=True)
    srm5 = Rounded(allow_none=True)
    days_logged = fields.Integer()
    completeness = Rounded(places=2, metadata={"description": "Days logged / 7"})


class FlagCountsSchema(Schema):
    high = fields.Integer()
    medium = fields.Integer()
    low = fields.Integer()


class AcknowledgerSchema(Schema):
    id = fields.Integer()
    name = fields.String(metadata={"description": "Display name, else email address"})


class AcknowledgementSchema(Schema):
    flag_id = fields.Integer()
    rule = fields.String()
    severity = fields.String()
    at = fields.DateTime()
    by = fields.Nested(AcknowledgerSchema, allow_none=True)
    note = fields.String(allow_none=True)


class AcknowledgedSchema(Schema):
    count = fields.Integer(
        metadata={"description": "Acknowledged flags whose window ends in the trend or later"}
    )
    latest = fields.Nested(AcknowledgementSchema, allow_none=True)


class LatestMoodSchema(Schema):
    day = fields.Date()
    mood = fields.Integer()


class LatestSleepSchema(Schema):
    day = fields.Date(metadata={"description": "The wake day the night is filed under"})
    duration_minutes = fields.Integer()


class RecentCompletenessSchema(Schema):
    logged_days = fields.Integer()
    days = fields.Integer()
    from_ = fields.Date(data_key="from", attribute="from")
    to = fields.Date()


class LatestScaleSchema(Schema):
    instrument = fields.String()
    total = fields.Integer()
    band = fields.String()
    answered_on = fields.Date()


class CaseloadRowSchema(Schema):
    client = fields.Nested(PersonSchema)
    link_id = fields.Function(lambda row: row["link"].id)
    risk = fields.String(
        metadata={
            "description": "Why the row ranks where it does: high_flags, medium_flags, stale, "
            "srm_drop, low_srm or steady"
        }
    )
    latest_week = fields.Nested(WeekSummarySchema, metadata={"description": "Last complete week"})
    srm_trend = fields.List(fields.Nested(WeekSummarySchema), metadata={"description": "4 weeks"})
    srm_baseline = Rounded(
        allow_none=True,
        metadata={"description": "Median SRM of the scored weeks before the latest"},
    )
    srm_change = Rounded(
        allow_none=True,
        metadata={"description": "Latest SRM minus the baseline; null without a baseline"},
    )
    new_client = fields.Boolean(
        metadata={"description": "No baseline yet (fewer than srm_baseline_min_weeks weeks)"}
    )
    srm_threshold = Rounded(metadata={"description": "The client's own srm_drop setting"})
    change_beyond_threshold = fields.Boolean(
        metadata={"description": "|srm_change| ≥ srm_threshold: colour only these"}
    )
    open_flags = fields.Nested(FlagCountsSchema)
    acknowledged = fields.Nested(AcknowledgedSchema)
    last_entry = fields.Date(allow_none=True)
    days_since_last_entry = fields.Integer(allow_none=True)
    stale = fields.Boolean(metadata={"description": "No entry for more than stale_after_days"})
    latest_mood = fields.Nested(LatestMoodSchema, allow_none=True)
    latest_sleep = fields.Nested(LatestSleepSchema, allow_none=True)
    completeness = fields.Nested(
        RecentCompletenessSchema, metadata={"description": "Days logged of the 7 to yesterday"}
    )
    phase = fields.String(allow_none=True)
    scales = fields.List(
        fields.Nested(LatestScaleSchema),
        metadata={"description": "The latest response per instrument, with its severity band"},
    )


class CaseloadSchema(Schema):
    clients = fields.List(fields.Nested(CaseloadRowSchema))
    ranking = fields.List(fields.String(), metadata={"description": "The order, in words"})
    stale_after_days = fields.Integer()
    deleted_accounts = fields.List(
        fields.Nested(DeletedAccountSchema),
        metadata={"description": "Linked clients who deleted their account, newest first"},
    )
    page = fields.Integer()
    page_size = fields.Integer()
    total = fields.Integer()
    pages = fields.Integer()

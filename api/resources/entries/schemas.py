import marshmallow as ma
from marshmallow import fields, validate

from api.extensions import Schema
from api.fields import ActivityCode, ClockTime, Day, Integer, TimeZone
from api.rhythm.activities import MOOD_MAX, MOOD_MIN


class JsonBoolean(fields.Boolean):
    """Only JSON true or false: marshmallow's Boolean would also take 1, "yes" or "off"."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class ActivityInSchema(Schema):
    time = ClockTime(required=True)
    day_offset = Integer(
        validate=validate.OneOf([0, 1]),
        metadata={
            "description": "1 when the clock time is after the next midnight. Absent on "
            "to_bed: a time before 12:00 counts as after midnight."
        },
    )
    people = Integer(
        validate=validate.Range(0, 3),
        metadata={"description": "0 alone, 1 present, 2 actively involved, 3 very stimulating"},
    )


class EntryInSchema(Schema):
    timezone = TimeZone(metadata={"description": "IANA zone of the day; defaults to the profile's"})
    mood = Integer(
        required=True,
        allow_none=True,
        validate=validate.Range(MOOD_MIN, MOOD_MAX),
        metadata={
            "description": "-5 very depressed .. 0 normal .. +5 very elated; null if unrated"
        },
    )
    activities = fields.Dict(
        keys=ActivityCode(),
        values=fields.Nested(ActivityInSchema, allow_none=True),
        load_default=dict,
        metadata={"description": "Activity code → occurrence; null or absent: did not do it"},
    )
    note = fields.String(allow_none=True, validate=validate.Length(max=2000))
    work_day = JsonBoolean(
        allow_none=True,
        metadata={
            "description": "true: a work day (job, housework, family care, study); false: a "
            "free day, even with start_work logged; null: not marked, so the weekday pattern "
            "(/work-days) or start_work decides. Left out: the stored mark stays as it is."
        },
    )

    def handle_error(self, error: ma.ValidationError, data, **kwargs):
        """Name activity errors by code ("activities.to_bed.time"), not marshmallow's key/value."""
        messages = error.messages
        if isinstance(messages, dict) and isinstance(messages.get("activities"), dict):
            reshaped = {}
            for code, problem in messages["activities"].items():
                if isinstance(problem, dict) and ("key" in problem or "value" in problem):
                    if "key" in problem:
                        reshaped[code] = [f"Unknown activity {code!r}."]
                    else:
                        reshaped[code] = problem["value"]
                else:
                    reshaped[code] = problem
            raise ma.ValidationError({**messages, "activities": reshaped}) from error
        raise error

    @ma.validates_schema
    def _out_of_bed_starts_the_day(self, data, **kwargs):
        wake = (data.get("activities") or {}).get("out_of_bed")
        if wake and wake.get("day_offset") == 1:
            raise ma.ValidationError(
                "out_of_bed starts the diary day, so its day_offset must be 0.",
                "activities",
            )


class ActivityOutSchema(Schema):
    time = fields.String(metadata={"description": "Clock time HH:MM"})
    day_offset = fields.Integer(metadata={"description": "Days after the diary date"})
    minutes = fields.Integer(metadata={"description": "Minutes after the diary day's midnight"})
    people = fields.Integer(allow_none=True)


class EntrySchema(Schema):
    date = fields.Date()
    timezone = fields.String()
    mood = fields.Integer(allow_none=True)
    activities = fields.Dict(keys=fields.String(), values=fields.Nested(ActivityOutSchema))
    note = fields.String(allow_none=True)
    work_day = fields.Boolean(
        allow_none=True, metadata={"description": "The day's own mark; null when not marked"}
    )
    updated_at = fields.DateTime()
    etag = fields.String(metadata={"description": "The ETag header's value, for lists"})


class EntryListSchema(Schema):
    entries = fields.List(fields.Nested(EntrySchema))


class RangeQuerySchema(Schema):
    from_ = Day(data_key="from", metadata={"description": "First day (default: to − 27)"})
    to = Day(metadata={"description": "Last day, inclusive (default: today)"})

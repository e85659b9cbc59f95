import marshmallow as ma
from marshmallow import fields, validate

from api.extensions import Schema
from api.fields import Integer
from api.rhythm.diary import WEEKDAYS

WEEKDAY = Integer(
    validate=validate.Range(
        WEEKDAYS.start,
        WEEKDAYS.stop - 1,
        error="{input} is not an ISO weekday: 1 is Monday .. 7 is Sunday.",
    )
)


class WorkDaysSchema(Schema):
    work_weekdays = fields.List(
        WEEKDAY,
        required=True,
        allow_none=True,
        validate=validate.Length(max=len(WEEKDAYS)),
        metadata={
            "description": "ISO weekdays (1 Monday .. 7 Sunday) that are work days, each once; "
            "[]: every day is free unless marked; null: no pattern, start_work decides. A "
            "day's own `work_day` mark comes first."
        },
    )

    @ma.validates("work_weekdays")
    def _each_once(self, value, **kwargs):
        repeated = sorted({day for day in value or () if value.count(day) > 1})
        if repeated:
            raise ma.ValidationError(
                f"Each weekday at most once; repeated: {', '.join(map(str, repeated))}."
            )

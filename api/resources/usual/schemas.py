from marshmallow import fields

from api.extensions import Schema


class UsualTimeSchema(Schema):
    minutes = fields.Float(metadata={"description": "Minutes after the diary day's midnight"})
    time = fields.String(metadata={"description": "Clock time HH:MM"})
    basis = fields.String(
        metadata={
            "description": "target (agreed in therapy), habitual_work or habitual_free (the "
            "habitual time of that kind of day over the baseline days before it)"
        }
    )
    deviation_minutes = fields.Float(
        allow_none=True,
        metadata={"description": "The day's time minus the usual time (+ later); null if not done"},
    )


class UsualDaySchema(Schema):
    date = fields.Date()
    usual = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(UsualTimeSchema),
        metadata={"description": "Activity code → its usual time; none without enough history"},
    )


class UsualSettingsSchema(Schema):
    shift_minutes = fields.Integer(
        metadata={"description": "The flags' threshold for a shifted getting-up or bedtime"}
    )
    baseline_days = fields.Integer(metadata={"description": "Days of history in a habitual time"})
    baseline_min_values = fields.Integer(
        metadata={"description": "Values of the same day type a habitual time needs"}
    )


class UsualListSchema(Schema):
    settings = fields.Nested(
        UsualSettingsSchema, metadata={"description": "The client's flag settings used"}
    )
    days = fields.List(fields.Nested(UsualDaySchema), metadata={"description": "Logged days"})

from marshmallow import fields

from api.extensions import Schema
from api.rhythm.clock import format_hhmm


class ClockSchema(Schema):
    minutes = fields.Float(metadata={"description": "Minutes after the diary day's midnight"})
    time = fields.String(metadata={"description": "Clock time HH:MM"})


class ClockMinutes(fields.Nested):
    """Diary minutes, dumped with their clock time beside them."""

    def __init__(self, **kwargs):
        super().__init__(ClockSchema, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        clock = {"minutes": round(value, 1), "time": format_hhmm(value)}
        return super()._serialize(clock, attr, obj, **kwargs)


class ActivityScoreSchema(Schema):
    n = fields.Integer(metadata={"description": "Days the activity was done"})
    scored = fields.Boolean(metadata={"description": "Done often enough to count"})
    habitual = ClockMinutes(allow_none=True, metadata={"description": "Habitual time H"})
    hits = fields.Integer(allow_none=True, metadata={"description": "Times within the window of H"})
    kept = fields.Integer(allow_none=True, metadata={"description": "Times left after trimming"})
    mean = ClockMinutes(allow_none=True)
    sd = fields.Float(allow_none=True, metadata={"description": "Minutes"})
    target = ClockMinutes(allow_none=True, metadata={"description": "Agreed target time"})
    target_hits = fields.Integer(allow_none=True, metadata={"description": "Times near the target"})


class SleepSchema(Schema):
    """Diary-derived sleep measures (docs/science.md §2); each null without the data."""

    nights = fields.Integer(metadata={"description": "Nights with a bedtime and a wake time"})
    mean_duration = fields.Float(allow_none=True, metadata={"description": "Minutes"})
    min_duration = fields.Float(allow_none=True, metadata={"description": "Minutes"})
    mean_midpoint = fields.Float(
        allow_none=True,
        metadata={
            "description": "Circular mean of mid-sleep, minutes from the wake day's midnight"
        },
    )
    midpoint_sd = fields.Float(allow_none=True, metadata={"description": "Minutes"})
    sri = fields.Float(allow_none=True, metadata={"description": "Sleep Regularity Index"})
    social_jetlag = fields.Float(
        allow_none=True,
        metadata={"description": "SJL: |free-day mid-sleep − work-day mid-sleep|, minutes"},
    )
    social_jetlag_relative = fields.Float(
        allow_none=True,
        metadata={
            "description": "SJLrel: free-day mid-sleep − work-day mid-sleep, minutes; "
            "positive when sleep is later on free days"
        },
    )
    social_jetlag_sc = fields.Float(
        allow_none=True,
        metadata={"description": "SJLsc: sleep-corrected social jetlag (Jankowski 2017), minutes"},
    )


class ReportSchema(Schema):
    start = fields.Date(metadata={"description": "First day (a Monday for weekly scores)"})
    end = fields.Date(metadata={"description": "Last day, inclusive"})
    srm = fields.Float(allow_none=True, metadata={"description": "SRM over tracked anchors, 0..7"})
    srm5 = fields.Float(allow_none=True, metadata={"description": "SRM over the SRM-5 items"})
    ali = fields.Integer(metadata={"description": "Activity Level Index"})
    days_logged = fields.Integer()
    completeness = fields.Float(metadata={"description": "Days logged / days in the period"})
    activities = fields.Dict(keys=fields.String(), values=fields.Nested(ActivityScoreSchema))
    sleep = fields.Nested(
        SleepSchema, metadata={"description": "Sleep duration, midpoint, SRI, social jetlag"}
    )
    mood = fields.Dict()
    zone_changed = fields.Boolean(
        metadata={"description": "Zone or UTC offset changed (travel, DST)"}
    )
    zones = fields.List(fields.String())
    algorithm_version = fields.String()
    settings = fields.Dict(metadata={"description": "Scoring settings used"})


class ReportListSchema(Schema):
    scores = fields.List(fields.Nested(ReportSchema))

from marshmallow import fields, validate

from api.extensions import Schema
from api.fields import Integer
from api.resources.clinician.schemas import AcknowledgerSchema, Rounded
from api.resources.usual.schemas import UsualTimeSchema
from api.services.session_report import PAPER, WEEK_CHOICES


class ReportQuerySchema(Schema):
    weeks = Integer(
        text=True,
        minimum=1,
        load_default=4,
        validate=validate.OneOf(WEEK_CHOICES),
        metadata={"description": "Complete ISO weeks before the current one: 4 or 12"},
    )
    format = fields.String(
        load_default="pdf",
        validate=validate.OneOf(("pdf", "json")),
        metadata={"description": "pdf (application/pdf, one page for 4 weeks) or json"},
    )
    paper = fields.String(
        load_default="a4",
        validate=validate.OneOf(tuple(PAPER)),
        metadata={"description": "PDF page size: a4 or letter"},
    )


class ReportClientSchema(Schema):
    id = fields.Integer()
    display_name = fields.String(allow_none=True)
    timezone = fields.String()


class PeriodSchema(Schema):
    start = fields.Date(metadata={"description": "Monday of the first week"})
    end = fields.Date(metadata={"description": "Sunday of the last complete week"})


class ReportSleepSchema(Schema):
    nights = fields.Integer()
    mean_duration = Rounded(allow_none=True, metadata={"description": "Minutes"})
    min_duration = Rounded(allow_none=True, metadata={"description": "Minutes"})
    mean_midpoint = Rounded(
        allow_none=True, metadata={"description": "Minutes from the wake day's midnight"}
    )
    mean_midpoint_time = fields.String(allow_none=True, metadata={"description": "HH:MM"})
    midpoint_sd = Rounded(allow_none=True, metadata={"description": "Minutes"})
    sri = Rounded(allow_none=True, metadata={"description": "Sleep Regularity Index, -100..100"})
    social_jetlag = Rounded(allow_none=True, metadata={"description": "Minutes"})


class ReportMoodSchema(Schema):
    days = fields.Integer()
    mean = Rounded(allow_none=True)
    min = fields.Integer(allow_none=True)
    max = fields.Integer(allow_none=True)
    elevated_days = fields.Integer()
    depressed_days = fields.Integer()


class ReportWeekSchema(Schema):
    start = fields.Date()
    end = fields.Date()
    srm = Rounded(allow_none=True)
    srm5 = Rounded(allow_none=True)
    days_logged = fields.Integer()
    completeness = Rounded(places=2)
    sleep = fields.Nested(ReportSleepSchema)
    mood = fields.Nested(ReportMoodSchema)
    zone_changed = fields.Boolean()


class GridAnchorSchema(Schema):
    activity = fields.String()
    times = fields.List(fields.String(allow_none=True), metadata={"description": "7 days"})
    after_midnight = fields.List(fields.Boolean())
    usual = fields.List(
        fields.Nested(UsualTimeSchema, allow_none=True),
        metadata={"description": "7 days: the usual time the flags compare with (GET /usual)"},
    )
    target = fields.String(allow_none=True, metadata={"description": "Agreed time HH:MM"})
    habitual = fields.String(
        allow_none=True, metadata={"description": "The week's SRM habitual time HH:MM"}
    )
    hits = fields.Integer(allow_none=True)
    scored = fields.Boolean()


class GridSchema(Schema):
    start = fields.Date()
    end = fields.Date()
    srm = Rounded(allow_none=True)
    srm5 = Rounded(allow_none=True)
    days = fields.List(fields.Date())
    moods = fields.List(fields.Integer(allow_none=True))
    sleep_minutes = fields.List(
        fields.Integer(allow_none=True), metadata={"description": "Night ending that morning"}
    )
    anchors = fields.List(fields.Nested(GridAnchorSchema))


class ReportFlagSchema(Schema):
    id = fields.Integer()
    rule = fields.String()
    severity = fields.String()
    status = fields.String()
    window_start = fields.Date()
    window_end = fields.Date(metadata={"description": "Inclusive"})
    evidence = fields.Dict(metadata={"description": "As the flag stores it"})
    summary = fields.String(metadata={"description": "The evidence in one line"})
    explained_by = fields.List(fields.String())
    acknowledged_at = fields.DateTime(allow_none=True)
    acknowledged_by = fields.Nested(AcknowledgerSchema, allow_none=True)
    ack_note = fields.String(allow_none=True, metadata={"description": "The clinician's note"})
    context = fields.List(fields.String(), metadata={"description": "The client's notes on it"})


class ReportFlagsSchema(Schema):
    open = fields.List(fields.Nested(ReportFlagSchema), metadata={"description": "Any date"})
    recent = fields.List(
        fields.Nested(ReportFlagSchema),
        metadata={"description": "Acknowledged, overlapping the period or after it"},
    )


class ReportEventSchema(Schema):
    id = fields.Integer()
    start = fields.Date()
    end = fields.Date()
    kind = fields.String()
    disruption = fields.Integer()
    note = fields.String(allow_none=True)


class ReportCourseSchema(Schema):
    start = fields.Date(allow_none=True)
    planned_weeks = fields.Integer(allow_none=True)
    phase = fields.String(allow_none=True)
    problem_areas = fields.List(fields.String())
    session_number = fields.Integer(
        allow_none=True, metadata={"description": "Weekly sessions from start, 1 in its week"}
    )


class ReportScaleResponseSchema(Schema):
    id = fields.Integer()
    answered_on = fields.Date()
    total = fields.Integer()
    band = fields.String()


class ReportScaleSchema(Schema):
    instrument = fields.String()
    name = fields.String(metadata={"description": "e.g. PHQ-9"})
    max = fields.Integer(metadata={"description": "The highest total"})
    responses = fields.List(
        fields.Nested(ReportScaleResponseSchema), metadata={"description": "Oldest first"}
    )


class ReportTaskSchema(Schema):
    id = fields.Integer()
    text = fields.String()
    due = fields.Date()
    status = fields.String(metadata={"description": "open, done or not_done"})
    note = fields.String(allow_none=True, metadata={"description": "The client's note"})
    problem_area = fields.String(allow_none=True)
    anchor = fields.String(allow_none=True)


class SessionReportSchema(Schema):
    client = fields.Nested(ReportClientSchema)
    weeks = fields.Integer()
    period = fields.Nested(PeriodSchema)
    today = fields.Date(metadata={"description": "The client's local date"})
    generated_at = fields.DateTime()
    weekly = fields.List(fields.Nested(ReportWeekSchema), metadata={"description": "Oldest first"})
    last_week = fields.Nested(GridSchema)
    flags = fields.Nested(ReportFlagsSchema)
    life_events = fields.List(fields.Nested(ReportEventSchema))
    course = fields.Nested(ReportCourseSchema, allow_none=True)
    scales = fields.List(
        fields.Nested(ReportScaleSchema),
        metadata={"description": "Questionnaires answered from the period's start to today"},
    )
    tasks = fields.List(
        fields.Nested(ReportTaskSchema),
        metadata={
            "description": "Between-session tasks: all open ones, and those due since "
            "the period began; soonest due first"
        },
    )

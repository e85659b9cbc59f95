from marshmallow import fields, validate

from api.extensions import Schema
from api.fields import Integer


class CoverageQuerySchema(Schema):
    page = Integer(text=True, minimum=1, load_default=1)
    page_size = Integer(text=True, minimum=1, load_default=100, validate=validate.Range(1, 500))


class ParticipantCoverageSchema(Schema):
    label = fields.String(
        metadata={
            "description": "Coverage label: random, only on this page, not the export's pseudonym"
        }
    )
    consent_version = fields.String()
    consent_current = fields.Boolean(metadata={"description": "On the study's newest text"})
    days_in_study = fields.Integer(metadata={"description": "Days the consent covers to today"})
    logged_7 = fields.Integer(metadata={"description": "Days logged of the last 7"})
    possible_7 = fields.Integer(metadata={"description": "Of those 7, days in the study"})
    logged_28 = fields.Integer()
    possible_28 = fields.Integer()
    last_entry_days_ago = fields.Integer(
        allow_none=True, metadata={"description": "0 today; null: nothing logged yet"}
    )
    missing_streak = fields.Integer(
        metadata={"description": "Days without an entry just before today"}
    )
    longest_missing_streak_28 = fields.Integer(
        metadata={"description": "Longest run of missing days within the last 28"}
    )


class CoverageTotalsSchema(Schema):
    logged_7_share = fields.Float(allow_none=True, metadata={"description": "0..1"})
    logged_28_share = fields.Float(allow_none=True)
    active_7 = fields.Integer(metadata={"description": "Participants with an entry in 7 days"})
    quiet_7 = fields.Integer(metadata={"description": "No entry for 7 days or more"})
    never_logged = fields.Integer()


class CoverageSchema(Schema):
    consenting = fields.Integer()
    on_current_consent = fields.Integer()
    minimum = fields.Integer(metadata={"description": "Participants needed for the details"})
    shown = fields.Boolean(
        metadata={"description": "false: too few participants, so counts only (small cells)"}
    )
    totals = fields.Nested(CoverageTotalsSchema, allow_none=True)
    participants = fields.List(fields.Nested(ParticipantCoverageSchema))
    page = fields.Integer()
    page_size = fields.Integer()


class ConsentVersionInSchema(Schema):
    version = fields.String(
        required=True,
        validate=validate.Length(min=1, max=40),
        metadata={"description": "A name not used before in this study, e.g. 2.0"},
    )
    text = fields.String(required=True, validate=validate.Length(min=1, max=20000))


class ConsentVersionSchema(Schema):
    version = fields.String()
    text = fields.String()
    published_at = fields.DateTime()
    current = fields.Boolean()
    consenting = fields.Integer(metadata={"description": "Consenting participants on it"})


class ConsentVersionListSchema(Schema):
    versions = fields.List(fields.Nested(ConsentVersionSchema))


class ReconsentSchema(Schema):
    consent_version = fields.String(
        required=True,
        validate=validate.Length(min=1, max=40),
        metadata={"description": "The study's current version, which the client read"},
    )


class MyConsentSchema(Schema):
    id = fields.Integer(attribute="study.id")
    name = fields.String(attribute="study.name")
    consent_version = fields.String(
        attribute="study.consent_version", metadata={"description": "The study's current version"}
    )
    consent_text = fields.String(attribute="study.consent_text")
    my_consent_version = fields.String(
        attribute="consent_version", metadata={"description": "The version I consented to"}
    )
    review_needed = fields.Method(
        "_review_needed", metadata={"description": "A newer consent text awaits my consent"}
    )

    def _review_needed(self, participant) -> bool:
        return participant.consent_version != participant.study.consent_version

from datetime import date

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from api.extensions import Schema
from api.services.export import FORMATS


class StudyInSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    description = fields.String(allow_none=True, validate=validate.Length(max=5000))
    consent_version = fields.String(
        required=True,
        validate=validate.Length(min=1, max=40),
        metadata={"description": "Version of the consent text; clients consent to exactly this"},
    )
    consent_text = fields.String(required=True, validate=validate.Length(min=1, max=20000))
    data_from = fields.Date(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "First diary day the consent covers, if earlier than each "
            "participant's day of joining (the default); needs consent_covers_earlier_data"
        },
    )
    consent_covers_earlier_data = fields.Boolean(
        load_default=False,
        metadata={
            "description": "true: the consent text tells participants that their diary from "
            "data_from on is used, including days before they join; required with data_from"
        },
    )

    @validates_schema
    def _earlier_data_is_consented(self, data: dict, **kwargs) -> None:
        start = data.get("data_from")
        if start is None:
            return
        if not date(2000, 1, 1) <= start <= date(2100, 12, 31):
            raise ValidationError("Must be a date from 2000 to 2100.", "data_from")
        if not data.get("consent_covers_earlier_data"):
            raise ValidationError(
                "A study that uses diary days from before participants join must say so in "
                "its consent text; confirm that it does with true.",
                "consent_covers_earlier_data",
            )

    @post_load
    def _acknowledged(self, data: dict, **kwargs) -> dict:
        # The acknowledgement is checked, not stored: the consent text itself is the record.
        data.pop("consent_covers_earlier_data", None)
        return data


class ParticipantsSchema(Schema):
    consenting = fields.Integer()
    withdrawn = fields.Integer()


class StudySchema(Schema):
    id = fields.Integer(attribute="study.id")
    name = fields.String(attribute="study.name")
    description = fields.String(attribute="study.description", allow_none=True)
    code = fields.String(
        attribute="study.code",
        metadata={"description": "Join code to give to clients", "example": "K7QMX-2HP9A"},
    )
    consent_version = fields.String(attribute="study.consent_version")
    consent_text = fields.String(attribute="study.consent_text")
    data_from = fields.Date(
        attribute="study.data_from",
        allow_none=True,
        metadata={"description": "First diary day the consent covers; null: day of joining"},
    )
    created_at = fields.DateTime(attribute="study.created_at")
    participants = fields.Nested(ParticipantsSchema)


class StudyListSchema(Schema):
    studies = fields.List(fields.Nested(StudySchema))


class JoinSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    consent_version = fields.String(
        required=True,
        validate=validate.Length(min=1, max=40),
        metadata={"description": "The consent version the client read and agreed to"},
    )


class ConsentTextSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    consent_version = fields.String()
    consent_text = fields.String()


class JoinedSchema(Schema):
    study = fields.Nested(ConsentTextSchema)
    joined_at = fields.DateTime()


class JoinedStudySchema(Schema):
    id = fields.Integer(attribute="study.id")
    name = fields.String(attribute="study.name")
    consent_version = fields.String()
    joined_at = fields.DateTime()


class JoinedListSchema(Schema):
    studies = fields.List(fields.Nested(JoinedStudySchema))


class ExportQuerySchema(Schema):
    format = fields.String(
        load_default="csv",
        validate=validate.OneOf(FORMATS),
        metadata={"description": "Which table files the zip holds (datapackage.json always)"},
    )
    allow_small = fields.Boolean(
        load_default=False,
        metadata={
            "description": "Export a study with fewer consenting participants than the "
            "configured minimum anyway (recorded on the audit trail)"
        },
    )


class CodeQuerySchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=32))


class ConsentPreviewSchema(Schema):
    study = fields.Nested(ConsentTextSchema)

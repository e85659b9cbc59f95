from marshmallow import fields, validate

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


class CodeQuerySchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=32))


class ConsentPreviewSchema(Schema):
    study = fields.Nested(ConsentTextSchema)

from marshmallow import fields, validate

from api.extensions import Schema
from api.fields import Integer
from api.models.ipt import CONTACT_FREQUENCIES, NAME_MAX, REFLECTION_MAX, RELATIONSHIP_ROLES
from api.resources.flags.schemas import PersonNameSchema
from api.resources.ipt.fields import OptionalText, Text


class InventoryPersonInSchema(Schema):
    name = Text(NAME_MAX, required=True, metadata={"description": "A first name or a label"})
    role = fields.String(required=True, validate=validate.OneOf(RELATIONSHIP_ROLES))
    contact = fields.String(
        required=True,
        validate=validate.OneOf(CONTACT_FREQUENCIES),
        metadata={"description": "How often they are in touch"},
    )
    closeness = Integer(
        required=True,
        validate=validate.Range(1, 5),
        metadata={"description": "1 distant .. 5 very close"},
    )
    satisfying = OptionalText(REFLECTION_MAX)
    unsatisfying = OptionalText(REFLECTION_MAX)
    would_change = OptionalText(REFLECTION_MAX)


class InventoryPersonSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    role = fields.String()
    contact = fields.String()
    closeness = fields.Integer()
    satisfying = fields.String(allow_none=True)
    unsatisfying = fields.String(allow_none=True)
    would_change = fields.String(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    updated_by = fields.Nested(PersonNameSchema, allow_none=True)


class InventorySchema(Schema):
    people = fields.List(fields.Nested(InventoryPersonSchema))

from marshmallow import fields

from api.extensions import Schema


class OptionSchema(Schema):
    value = fields.Integer()
    label = fields.String()
    loinc = fields.String(metadata={"description": "LOINC answer code, where confirmed"})


class ItemSchema(Schema):
    number = fields.Integer(metadata={"description": "1-based, as printed on the form"})
    text = fields.String()
    options = fields.List(fields.Nested(OptionSchema))
    loinc = fields.String(metadata={"description": "LOINC item code, where confirmed"})
    domain = fields.String(metadata={"description": "QIDS-SR16: the symptom domain"})
    note = fields.String(metadata={"description": "An instruction printed with the item"})


class BandSchema(Schema):
    min = fields.Integer()
    max = fields.Integer()
    label = fields.String()


class LoincSchema(Schema):
    panel = fields.String()
    total = fields.String()


class InstrumentSchema(Schema):
    code = fields.String(metadata={"description": "phq9, gad7, asrm or qids_sr16"})
    name = fields.String()
    short_name = fields.String(metadata={"description": "e.g. PHQ-9"})
    version = fields.String(metadata={"description": "Stored with every response"})
    loinc = fields.Nested(LoincSchema, metadata={"description": "Empty when none is confirmed"})
    instructions = fields.String()
    items = fields.List(fields.Nested(ItemSchema))
    min = fields.Integer()
    max = fields.Integer()
    bands = fields.List(fields.Nested(BandSchema))
    source = fields.String()
    terms = fields.String(metadata={"description": "Terms of use, as we found them"})
    missing_items = fields.String(metadata={"description": "The rule for unanswered items"})
    safety_items = fields.List(
        fields.Integer(), metadata={"description": "Items whose answer ≥ 1 raises the safeguard"}
    )


class CatalogueSchema(Schema):
    instruments = fields.List(fields.Nested(InstrumentSchema))
    crisis_text = fields.String()


class CrisisSchema(Schema):
    text = fields.String(metadata={"description": "The deployment's crisis resources, verbatim"})

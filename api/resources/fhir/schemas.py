from marshmallow import fields

from api.extensions import Schema
from api.fields import Day


class FhirQuerySchema(Schema):
    from_ = Day(data_key="from", metadata={"description": "First diary day (default: to − 83)"})
    to = Day(metadata={"description": "Last diary day, inclusive (default: today)"})


class FhirBundleSchema(Schema):
    """The top of the Bundle, for the documentation; docs/fhir.md describes the entries."""

    resourceType = fields.String(metadata={"example": "Bundle"})
    meta = fields.Dict(metadata={"description": "lastUpdated: when it was assembled"})
    type = fields.String(metadata={"example": "collection"})
    timestamp = fields.String(metadata={"description": "When it was assembled (UTC)"})
    entry = fields.List(
        fields.Dict(),
        metadata={"description": "fullUrl (urn:uuid) and resource, for each resource"},
    )

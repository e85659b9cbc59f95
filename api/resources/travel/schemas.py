from marshmallow import fields

from api.extensions import Schema


class TravelSuggestionSchema(Schema):
    kind = fields.String(metadata={"description": "Always travel"})
    start = fields.Date(metadata={"description": "The day before the first change of zone"})
    end = fields.Date(
        metadata={"description": "The day back in the zone left (inclusive), or the last day"}
    )
    disruption = fields.Integer(metadata={"description": "A suggested 1; the client may change it"})
    zones = fields.List(
        fields.String(), metadata={"description": "The zone left, then each zone visited"}
    )
    ongoing = fields.Boolean(metadata={"description": "Not back in the zone left yet"})


class TravelSuggestionListSchema(Schema):
    suggestions = fields.List(fields.Nested(TravelSuggestionSchema))

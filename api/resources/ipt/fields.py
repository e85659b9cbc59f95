"""Field types the IPT schemas share."""

from marshmallow import ValidationError, fields, validate


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("May not be blank.")


def Text(maximum: int, **kwargs) -> fields.String:  # noqa: N802 - reads like a field class
    """Text of 1..maximum characters that is not only spaces."""
    return fields.String(validate=[validate.Length(1, maximum), _not_blank], **kwargs)


def OptionalText(maximum: int, **kwargs) -> fields.String:  # noqa: N802
    """Optional text up to `maximum` characters; empty or null is stored as null."""
    return fields.String(
        allow_none=True, load_default=None, validate=validate.Length(max=maximum), **kwargs
    )


class JsonBoolean(fields.Boolean):
    """A JSON true or false only: "no" or 0 is not an answer to a task."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value

from marshmallow import fields, validate

from api.extensions import Schema


class PublicKeySchema(Schema):
    public_key = fields.String(
        metadata={
            "description": "VAPID application server key: base64url, uncompressed P-256 point. "
            "Pass it to PushManager.subscribe() as applicationServerKey."
        }
    )


class SubscriptionKeysSchema(Schema):
    p256dh = fields.String(required=True, validate=validate.Length(min=1, max=128))
    auth = fields.String(required=True, validate=validate.Length(min=1, max=64))


class SubscriptionInSchema(Schema):
    """PushSubscription.toJSON() as the browser gives it."""

    endpoint = fields.String(required=True, validate=validate.Length(min=1, max=1024))
    keys = fields.Nested(SubscriptionKeysSchema, required=True)
    # Part of toJSON(); accepted so the object can be sent as it is, and ignored.
    expiration_time = fields.Float(allow_none=True, load_only=True, data_key="expirationTime")


class SubscriptionSchema(Schema):
    id = fields.Integer()
    endpoint = fields.String()
    created_at = fields.DateTime()


class UnsubscribeSchema(Schema):
    endpoint = fields.String(required=True, validate=validate.Length(min=1, max=1024))

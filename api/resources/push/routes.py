from flask.views import MethodView

from api import db
from api.auth import current_user, login_required
from api.extensions import Blueprint
from api.resources.push.schemas import (
    PublicKeySchema,
    SubscriptionInSchema,
    SubscriptionSchema,
    UnsubscribeSchema,
)
from api.services import access, push, reminders

blp = Blueprint(
    "push", __name__, url_prefix="/push", description="Web Push for reminders and digests"
)


@blp.route("/public-key", methods=["GET"])
@login_required()
@blp.response(200, PublicKeySchema)
def public_key():
    """The server's VAPID public key, for PushManager.subscribe()"""
    return {"public_key": push.keys().public_key}


@blp.route("/subscriptions")
class Subscriptions(MethodView):
    @login_required()
    @blp.arguments(SubscriptionInSchema)
    @blp.response(201, SubscriptionSchema)
    @blp.alt_response(200, schema=SubscriptionSchema, description="Known endpoint: keys updated")
    def post(self, data):
        """Store this browser's push subscription (the same endpoint again moves it to me)"""
        subscription, created = push.subscribe(
            db.session(),
            current_user(),
            data["endpoint"],
            data["keys"]["p256dh"],
            data["keys"]["auth"],
        )
        return subscription, 201 if created else 200

    @login_required()
    @blp.arguments(UnsubscribeSchema)
    @blp.response(204)
    def delete(self, data):
        """Remove one of my push subscriptions by its endpoint"""
        push.unsubscribe(db.session(), current_user(), data["endpoint"])


@blp.route("/reminders/<id:reminder_id>/opened", methods=["POST"])
@login_required()
@blp.response(204)
def opened(reminder_id: int):
    """Record that I opened this reminder's notification"""
    session = db.session()
    reminders.mark_opened(session, access.own_reminder(session, current_user(), reminder_id))

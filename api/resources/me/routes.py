from flask.views import MethodView

from api import db
from api.auth import current_user, login_required
from api.extensions import Blueprint
from api.ratelimits import writes_per_client
from api.resources.me.schemas import ProfilePatchSchema, UserSchema
from api.services import accounts

blp = Blueprint("me", __name__, url_prefix="/me", description="The signed-in account")


@blp.route("")
class Me(MethodView):
    @login_required()
    @blp.response(200, UserSchema)
    def get(self):
        """Read my profile"""
        return current_user()

    @writes_per_client
    @login_required()
    @blp.arguments(ProfilePatchSchema)
    @blp.response(200, UserSchema)
    def patch(self, changes):
        """Change my display name, time zone, tracked anchors or reminder times"""
        return accounts.update_profile(db.session(), current_user(), changes)

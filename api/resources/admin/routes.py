from flask.views import MethodView

from api import db
from api.auth import current_user, login_required
from api.extensions import Blueprint
from api.resources.admin.schemas import (
    AccountChangeSchema,
    AccountPageSchema,
    AccountQuerySchema,
    AccountSchema,
)
from api.services import admin

blp = Blueprint("admin", __name__, url_prefix="/admin", description="Accounts, managed by admins")


@blp.route("/users")
@login_required("admin")
@blp.arguments(AccountQuerySchema, location="query", as_kwargs=True)
@blp.response(200, AccountPageSchema)
def list_users(page: int, page_size: int, **filters):
    """List accounts by id, optionally by role and active or not (admins)"""
    users, total = admin.list_users(
        db.session(), current_user(), page=page, page_size=page_size, **filters
    )
    return {"users": users, "page": page, "page_size": page_size, "total": total}


@blp.route("/users/<id:user_id>")
class Account(MethodView):
    @login_required("admin")
    @blp.response(200, AccountSchema)
    def get(self, user_id: int):
        """Read one account (admins)"""
        return admin.account(db.session(), user_id)

    @login_required("admin")
    @blp.arguments(AccountChangeSchema)
    @blp.response(200, AccountSchema)
    def patch(self, change: dict, user_id: int):
        """Deactivate or reactivate an account, or change a staff role (admins, audited)"""
        session, actor = db.session(), current_user()
        target = admin.account(session, user_id)
        if "role" in change:
            admin.set_role(session, actor, target, change["role"])
        if change.get("active") is False:
            admin.deactivate(session, actor, target)
        elif change.get("active") is True:
            admin.reactivate(session, actor, target)
        return target

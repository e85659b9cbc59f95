from flask.views import MethodView

from api import db
from api.auth import current_user, login_required
from api.extensions import Blueprint
from api.models import User
from api.ratelimits import writes_per_client
from api.resources.ipt.inventory_schemas import (
    InventoryPersonInSchema,
    InventoryPersonSchema,
    InventorySchema,
)
from api.resources.subject import client_route, requires
from api.services.ipt import inventory

blp = Blueprint(
    "inventory",
    __name__,
    description="The interpersonal inventory: the client's important relationships",
)


@client_route(blp, "/inventory")
class People(MethodView):
    @login_required()
    @requires("inventory:read")
    @blp.response(200, InventorySchema)
    def get(self, client: User):
        """List the people in the inventory, closest first"""
        return {"people": inventory.listed(db.session(), client)}

    @writes_per_client
    @login_required()
    @requires("inventory:write")
    @blp.arguments(InventoryPersonInSchema)
    @blp.response(201, InventoryPersonSchema)
    def post(self, data: dict, client: User):
        """Add a person to the inventory (the client or a linked clinician)"""
        return inventory.create(db.session(), client, current_user(), data)


@client_route(blp, "/inventory/<id:person_id>")
class Person(MethodView):
    @writes_per_client
    @login_required()
    @requires("inventory:write")
    @blp.arguments(InventoryPersonInSchema)
    @blp.response(200, InventoryPersonSchema)
    def put(self, data: dict, person_id: int, client: User):
        """Replace what the inventory says about a person"""
        return inventory.replace(db.session(), client, person_id, current_user(), data)

    @writes_per_client
    @login_required()
    @requires("inventory:write")
    @blp.response(204)
    def delete(self, person_id: int, client: User):
        """Remove a person from the inventory"""
        inventory.delete(db.session(), client, person_id)

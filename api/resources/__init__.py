"""Every API resource, registered in this order under /api/v1."""

from api.resources.auth.routes import blp as auth
from api.resources.entries.routes import blp as entries
from api.resources.me.routes import blp as me
from api.resources.system.routes import blp as system

BLUEPRINTS = [system, auth, me, entries]

"""Every API resource, registered in this order under /api/v1."""

from api.resources.admin.routes import blp as admin
from api.resources.audit.routes import blp as audit
from api.resources.auth.routes import blp as auth
from api.resources.care.routes import blp as care
from api.resources.clinician.routes import blp as clinician
from api.resources.entries.routes import blp as entries
from api.resources.events.routes import blp as events
from api.resources.flags.routes import blp as flags
from api.resources.me.routes import blp as me
from api.resources.push.routes import blp as push
from api.resources.scores.routes import blp as scores
from api.resources.sessions.routes import blp as sessions
from api.resources.studies.routes import blp as studies
from api.resources.system.routes import blp as system
from api.resources.targets.routes import blp as targets
from api.resources.two_factor.routes import blp as two_factor

BLUEPRINTS = [
    system,
    auth,
    me,
    sessions,
    two_factor,
    entries,
    scores,
    targets,
    events,
    flags,
    care,
    clinician,
    push,
    studies,
    audit,
    admin,
]

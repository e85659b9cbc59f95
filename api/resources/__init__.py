"""Every API resource, registered in this order under /api/v1."""

from api.resources.admin.routes import blp as admin
from api.resources.audit.routes import blp as audit
from api.resources.auth.routes import blp as auth
from api.resources.care.routes import blp as care
from api.resources.clinician.routes import blp as clinician
from api.resources.entries.routes import blp as entries
from api.resources.events.routes import blp as events
from api.resources.fhir.routes import blp as fhir
from api.resources.flags.routes import blp as flags
from api.resources.instruments.routes import blp as instruments
from api.resources.ipt.goals import blp as goals
from api.resources.ipt.inventory import blp as inventory
from api.resources.ipt.plan import blp as plan
from api.resources.ipt.tasks import blp as tasks
from api.resources.me.routes import blp as me
from api.resources.push.routes import blp as push
from api.resources.reports.routes import blp as reports
from api.resources.responses.routes import blp as responses
from api.resources.scores.routes import blp as scores
from api.resources.sessions.routes import blp as sessions
from api.resources.studies import exports, participation  # noqa: F401 (routes on `studies`)
from api.resources.studies.routes import blp as studies
from api.resources.system.routes import blp as system
from api.resources.targets.routes import blp as targets
from api.resources.travel.routes import blp as travel
from api.resources.two_factor.routes import blp as two_factor
from api.resources.usual.routes import blp as usual
from api.resources.work_days.routes import blp as work_days

BLUEPRINTS = [
    system,
    auth,
    me,
    sessions,
    two_factor,
    entries,
    scores,
    usual,
    targets,
    work_days,
    events,
    travel,
    flags,
    instruments,
    responses,
    inventory,
    goals,
    tasks,
    plan,
    care,
    clinician,
    reports,
    fhir,
    push,
    studies,
    audit,
    admin,
]

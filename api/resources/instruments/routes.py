from api.auth import login_required
from api.extensions import Blueprint
from api.resources.instruments.schemas import CatalogueSchema, CrisisSchema
from api.services import questionnaires, safeguard

blp = Blueprint(
    "instruments",
    __name__,
    description="Validated scales: the instruments, and the crisis text (docs/api-scales.md)",
)


@blp.route("/instruments")
@login_required()
@blp.response(200, CatalogueSchema)
def list_instruments():
    """List the instruments with their items, scoring bands, LOINC codes and sources"""
    return questionnaires.catalogue()


@blp.route("/crisis")
@blp.response(200, CrisisSchema)
def crisis():
    """The crisis resources the deployment configures (no sign-in: the app keeps them offline)"""
    return {"text": safeguard.crisis_text()}

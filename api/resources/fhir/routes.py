from datetime import date

from flask import Response, current_app

from api import db
from api.auth import current_user, login_required
from api.db import utcnow
from api.extensions import Blueprint
from api.models import User
from api.resources.fhir.schemas import FhirBundleSchema, FhirQuerySchema
from api.resources.subject import client_route, date_range, requires, today_for
from api.services.fhir import bundle
from api.services.scoring import srm_settings

blp = Blueprint("fhir", __name__, description="FHIR R4 export of a client's record")


@client_route(blp, "/fhir")
@login_required()
@requires("fhir:read")
@blp.arguments(FhirQuerySchema, location="query", as_kwargs=True)
@blp.response(
    200,
    FhirBundleSchema,
    content_type=bundle.MEDIA_TYPE,
    description="A FHIR R4 Bundle of type collection",
)
def fhir_bundle(client: User, from_: date | None = None, to: date | None = None):
    """A client's record as a FHIR R4 Bundle (the client, or their linked clinician)

    Observations of the diary days in the range (each anchor time, mood, sleep duration, and
    the weekly SRM and SRM-5 of the ISO weeks wholly inside it), with the client's current
    targets as Goals, open flags as Flags and care links as Consents; default range: the
    last 12 weeks. docs/fhir.md describes the mapping.
    """
    start, end = date_range(client, from_, to, default_days=bundle.DEFAULT_DAYS)
    export = bundle.build(
        db.session(),
        client,
        current_user(),
        start,
        end,
        today=today_for(client),
        now=utcnow(),
        base_url=current_app.config["CADENCE"].public_url,
        settings=srm_settings(),
    )
    name = f"cadence-fhir-{client.id}-{start:%Y%m%d}-{end:%Y%m%d}.json"
    return Response(
        export.json,
        mimetype=bundle.MEDIA_TYPE,
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )

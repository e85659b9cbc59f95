"""A client linked to a clinician whose course records problem areas, for the IPT tests."""

from dataclasses import dataclass

import sqlalchemy as sa

from tests.api.care import link
from tests.conftest import Account

API = "/api/v1"


@dataclass
class Pair:
    client: Account
    clinician: Account
    link_id: int

    def own(self, path: str) -> str:
        return f"{API}{path}"

    def twin(self, path: str) -> str:
        return f"{API}/clients/{self.client.id}{path}"


def linked_pair(client, accounts, problem_areas=("role_transition",), **course) -> Pair:
    patient = accounts.client_account()
    clinician = accounts.staff("clinician")
    link_id = link(client, clinician, patient)
    body = {"phase": "initial", "problem_areas": list(problem_areas), **course}
    response = client.put(
        f"{API}/clients/{patient.id}/course", json=body, headers=clinician.headers
    )
    assert response.status_code == 200, response.json
    return Pair(patient, clinician, link_id)


IPT_TABLES = (
    "ipt_inventory",
    "ipt_goals",
    "ipt_goal_reviews",
    "ipt_tasks",
    "relapse_plan_versions",
)


def ipt_rows(app) -> dict[str, list[tuple]]:
    """Every row of the IPT tables: compared before and after a refused request."""
    engine = app.extensions["cadence.engine"]
    with engine.connect() as connection:
        return {
            name: sorted(connection.execute(sa.text(f"SELECT * FROM {name}")).all(), key=repr)
            for name in IPT_TABLES
        }

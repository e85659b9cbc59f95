"""Linking a client to a clinician through the real consent flow."""


def link(client, clinician, patient) -> int:
    code = client.post("/api/v1/care/invitations", headers=clinician.headers).json["code"]
    response = client.post("/api/v1/care/links", json={"code": code}, headers=patient.headers)
    assert response.status_code == 201, response.json
    return response.json["id"]

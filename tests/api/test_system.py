import re

import sqlalchemy as sa

from api import create_app
from api.config import config_for_tests


def test_health_reports_the_database(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_liveness_needs_no_database(client):
    assert client.get("/api/v1/health/live").json == {"status": "ok"}


def test_health_is_503_when_the_database_is_unreachable(tmp_path):
    app = create_app(config_for_tests(f"sqlite:///{tmp_path}/missing/dir/../../nowhere/x.sqlite3"))
    app.extensions["cadence.engine"] = sa.create_engine(
        "postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 1}
    )
    response = app.test_client().get("/api/v1/health")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"


def test_openapi_documents_every_api_route(app, client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["info"]["title"] == "Cadence"
    documented = set(spec["paths"])
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        if path.startswith("/api/v1/") and not path.startswith(("/api/v1/docs", "/api/v1/openapi")):
            assert path in documented, path
    put = spec["paths"]["/api/v1/entries/{day}"]["put"]
    assert put["security"] == [{"bearerAuth": []}]
    assert {p["name"] for p in put["parameters"]} >= {"If-Match", "If-None-Match"}


def test_docs_page_uses_only_local_assets(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(not s.startswith(("http:", "https:", "//")) for s in sources)
    for source in sources:
        asset = client.get(f"/api/v1/{source}")
        assert asset.status_code == 200, source
        assert len(asset.data) > 100


def test_pwa_is_served_from_the_root(client):
    page = client.get("/")
    assert page.status_code == 200
    assert b"<title>Cadence</title>" in page.data
    assert client.get("/no-such-file.js").status_code == 404


def test_unknown_api_path_and_wrong_method_use_the_error_shape(client):
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404
    assert set(missing.json) >= {"code", "status", "message"}
    wrong = client.post("/api/v1/health")
    assert wrong.status_code == 405 and wrong.json["code"] == 405


def test_security_headers_on_api_and_pwa(client, accounts):
    account = accounts.client_account()
    api = client.get("/api/v1/me", headers=account.headers)
    assert api.headers["Cache-Control"] == "no-store"
    page = client.get("/")
    for response in (api, page):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "Strict-Transport-Security" not in page.headers
    secure = client.get("/", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_ids_beyond_the_database_range_are_not_found(client, accounts):
    account = accounts.client_account()
    for path in ("/api/v1/flags/99999999999/ack", "/api/v1/clients/0/flags"):
        response = (
            client.post(path, headers=account.headers)
            if "ack" in path
            else client.get(path, headers=account.headers)
        )
        assert response.status_code == 404
    spec = client.get("/api/v1/openapi.json").json
    parameter = spec["paths"]["/api/v1/flags/{flag_id}/ack"]["parameters"][0]
    assert parameter["schema"] == {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}


def test_cors_is_closed(client, accounts):
    account = accounts.client_account()
    preflight = client.options(
        "/api/v1/entries/2026-10-05",
        headers={"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "PUT"},
    )
    read = client.get(
        "/api/v1/me", headers={**account.headers, "Origin": "https://elsewhere.example"}
    )
    for response in (preflight, read):
        assert "Access-Control-Allow-Origin" not in response.headers
        assert "Access-Control-Allow-Credentials" not in response.headers

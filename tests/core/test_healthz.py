"""/healthz/: 200 when the database and the broker answer, 503 when one does not."""

import pytest
from django.db import connection


@pytest.mark.redis(reason="pings the broker at REDIS_URL")
def test_healthy_when_database_and_broker_answer(client, db):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}
    assert "no-cache" in response["Cache-Control"]


def test_without_a_broker_only_the_database_is_checked(client, db, settings):
    settings.REDIS_URL = ""
    assert client.get("/healthz/").json() == {"status": "ok", "checks": {"database": "ok"}}


def test_unhealthy_when_the_broker_is_down(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "broker": "error"}


@pytest.mark.postgres(reason="points the connection at a TCP port where nothing listens; SQLite has no port")
@pytest.mark.django_db(transaction=True)
def test_unhealthy_when_the_database_is_down(client):
    """Point the live connection at a port where no database listens, then restore it."""
    original_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = "1"
    try:
        response = client.get("/healthz/")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = original_port
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "error"
    assert client.get("/healthz/").status_code == 200


def test_health_check_needs_no_sign_in_and_only_reads(client, db):
    assert client.post("/healthz/").status_code == 405

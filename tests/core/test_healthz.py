"""/healthz/: says which part answers; 503 only when the database does not (Redis is an accelerator)."""

import pytest
from django.db import connection

from pmm_portal.celery import app


@pytest.mark.redis(reason="pings the broker at REDIS_URL")
def test_healthy_when_database_and_broker_answer(client, db):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}
    assert "no-cache" in response["Cache-Control"]


def test_without_a_broker_only_the_database_is_checked(client, db, settings):
    settings.REDIS_URL = ""
    assert client.get("/healthz/").json() == {"status": "ok", "checks": {"database": "ok"}}


def test_a_broker_down_is_degraded_and_keeps_the_instance_in_the_load_balancer(client, db, settings):
    """Pages and the API still answer without Redis, so the load balancer must keep sending traffic."""
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = client.get("/healthz/")
    finally:
        app.conf.broker_url = original
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "checks": {"database": "ok", "broker": "error"}}


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

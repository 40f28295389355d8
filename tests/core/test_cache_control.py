"""What a signed-in user receives is never kept by a shared cache: ``Cache-Control: private, no-store``.

Pages, exports and API answers alike (``pmm_portal.core.middleware.PrivateCacheControlMiddleware``);
a response that chose its own caching keeps it, and static files are WhiteNoise's business.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory
from rest_framework.authtoken.models import Token

from pmm_portal.core.middleware import PrivateCacheControlMiddleware

NO_STORE = "private, no-store"


def test_a_page_for_a_signed_in_user(client, pmm, team):
    client.force_login(pmm)
    response = client.get("/requests/")
    assert response.status_code == 200
    assert response["Cache-Control"] == NO_STORE


def test_an_export_for_a_signed_in_user(client, cmo, team):
    client.force_login(cmo)
    response = client.get("/reporting/export/people.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Cache-Control"] == NO_STORE


def test_an_api_answer_signed_in_with_a_session(client, sales_rep):
    client.force_login(sales_rep)
    response = client.get("/api/v1/requests/")
    assert response.status_code == 200
    assert response["Cache-Control"] == NO_STORE


def test_an_api_answer_signed_in_with_a_token(client, sales_rep):
    token = Token.objects.create(user=sales_rep)
    response = client.get("/api/v1/requests/", headers={"Authorization": f"Token {token.key}"})
    assert response.status_code == 200
    assert response["Cache-Control"] == NO_STORE


def test_a_refusal_to_a_signed_in_user_is_not_stored_either(client, sales_rep):
    client.force_login(sales_rep)
    response = client.get("/reporting/")
    assert response.status_code == 403
    assert response["Cache-Control"] == NO_STORE


@pytest.mark.django_db
def test_anonymous_visitors_get_what_the_view_chose(client):
    """The sign-in page says ``never_cache`` itself; nothing is added on top."""
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
    assert response["Cache-Control"] != NO_STORE


@pytest.mark.django_db
def test_static_files_keep_whitenoise_headers(client, pmm):
    client.force_login(pmm)
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "public" in response["Cache-Control"]  # WhiteNoise's own, for everyone


def test_a_view_that_set_its_own_cache_control_keeps_it(pmm):
    def view(request):
        response = HttpResponse("cached on purpose")
        response["Cache-Control"] = "private, max-age=60"
        return response

    request = RequestFactory().get("/somewhere/")
    request.user = pmm
    assert PrivateCacheControlMiddleware(view)(request)["Cache-Control"] == "private, max-age=60"
    request.user = AnonymousUser()
    assert not PrivateCacheControlMiddleware(lambda r: HttpResponse("hi"))(request).has_header(
        "Cache-Control"
    )

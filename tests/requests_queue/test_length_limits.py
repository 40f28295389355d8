"""Free text typed into the requests queue has a length limit in every form and API body.

The database columns of this app get theirs from the lead's migration (``requests_queue.limits``
says which); until then the forms and the API are what stop a pasted novel.
"""

import pytest
from django.core.exceptions import ValidationError

from requests_queue import limits
from requests_queue.forms import AssetForm, DeliverForm, MeTooForm, TriageForm
from requests_queue.models import Asset, Request, RequestStatus
from tests.factories import UserFactory

S = RequestStatus
TOO_LONG = {"note": limits.NOTE + 1, "details": limits.DETAILS + 1, "account": limits.ACCOUNT + 1}


def field_errors(response) -> set[tuple[str, str]]:
    assert response.status_code == 400, response.content
    return {(error["attr"], error["code"]) for error in response.json()["errors"]}


@pytest.mark.parametrize(
    ("status", "move", "body", "field"),
    [
        (
            S.NEW,
            "triage",
            {"decision": "decline", "decline_alternative": "x" * TOO_LONG["note"]},
            "decline_alternative",
        ),
        (S.NEW, "triage", {"decision": "ask_info", "question": "x" * TOO_LONG["note"]}, "question"),
        (S.NEW, "triage", {"message": "x" * TOO_LONG["note"]}, "message"),
        (S.NEW, "decline", {"alternative": "x" * TOO_LONG["note"]}, "alternative"),
        (S.NEW, "snooze", {"until": "2099-01-01", "message": "x" * TOO_LONG["note"]}, "message"),
        (S.IN_PROGRESS, "deliver", {"link": "https://example.com/a", "note": "x" * TOO_LONG["note"]}, "note"),
    ],
)
def test_a_note_over_the_limit_is_a_field_error_in_the_api(
    api_client, pmm, make_request, status, move, body, field
):
    request = make_request(status)
    api_client.force_login(pmm)

    response = api_client.post(f"/api/v1/requests/{request.pk}/{move}/", body, format="json")

    assert field_errors(response) == {(field, "max_length")}
    request.refresh_from_db()
    assert request.status == status


def test_request_details_over_the_limit_are_a_field_error(api_client, sales_rep, product):
    api_client.force_login(sales_rep)
    body = {"product": product.pk, "title": "Pricing help", "needed_by": "2099-01-01"}

    response = api_client.post(
        "/api/v1/requests/", {**body, "details": "x" * TOO_LONG["details"]}, format="json"
    )

    assert field_errors(response) == {("details", "max_length")}
    assert not Request.objects.exists()


def test_a_me_too_account_over_the_limit_is_a_field_error(api_client, make_request):
    request = make_request(S.NEW)
    api_client.force_login(UserFactory(role="sales"))  # another rep says "me too"

    response = api_client.post(
        f"/api/v1/requests/{request.pk}/me-too/", {"account": "x" * TOO_LONG["account"]}, format="json"
    )

    assert field_errors(response) == {("account", "max_length")}


def test_an_asset_description_over_the_limit_is_a_field_error(api_client, pmm, team, product):
    api_client.force_login(pmm)

    response = api_client.post(
        "/api/v1/assets/",
        {
            "title": "Battlecard",
            "link": "https://example.com/b",
            "review_by": "2099-01-01",
            "description": "x" * TOO_LONG["details"],
        },
        format="json",
    )

    assert field_errors(response) == {("description", "max_length")}
    assert not Asset.objects.exists()


@pytest.mark.parametrize(
    ("form", "field", "limit"),
    [
        (MeTooForm, "account", limits.ACCOUNT),
        (TriageForm, "decline_alternative", limits.NOTE),
        (DeliverForm, "note", limits.NOTE),
        (AssetForm, "description", limits.DETAILS),
    ],
)
def test_the_forms_say_how_long_a_text_may_be(form, field, limit):
    with pytest.raises(ValidationError, match=f"at most {limit} characters"):
        form.base_fields[field].clean("x" * (limit + 1))
    assert form.base_fields[field].clean("x" * limit) == "x" * limit


@pytest.mark.parametrize(
    ("model", "field", "limit"),
    [
        ("request", "details", limits.DETAILS),
        ("request", "decline_alternative", limits.NOTE),
        ("request", "delivery_note", limits.NOTE),
        ("request", "rating_comment", limits.NOTE),
        ("comment", "body", limits.DETAILS),
        ("event", "message", limits.DETAILS),
        ("asset", "description", limits.DETAILS),
        ("product", "description", 2000),
    ],
)
def test_the_database_refuses_text_over_the_limit_that_skips_the_forms(
    model, field, limit, sales_rep, pmm, product
):
    from django.db import IntegrityError, transaction

    from pmm_portal.core.models import Product
    from requests_queue.models import RequestComment, RequestEvent
    from tests.factories import AssetFactory, RequestFactory

    request = RequestFactory(requester=sales_rep, product=product)
    rows = {
        "request": (Request, request.pk),
        "comment": (RequestComment, RequestComment.objects.create(request=request, author=pmm, body="Hi").pk),
        "event": (RequestEvent, RequestEvent.objects.create(request=request, kind="commented").pk),
        "asset": (Asset, AssetFactory(team=product.team, link="https://example.com/a").pk),
        "product": (Product, product.pk),
    }
    cls, pk = rows[model]
    assert cls._meta.get_field(field).max_length == limit  # the model and the constraint agree
    cls.objects.filter(pk=pk).update(**{field: "x" * limit})  # at the limit: kept
    with pytest.raises(IntegrityError), transaction.atomic():
        cls.objects.filter(pk=pk).update(**{field: "x" * (limit + 1)})


def test_an_event_line_over_the_limit_is_cut_not_refused(sales_rep, pmm, product):
    from requests_queue.services.notifications import record
    from tests.factories import RequestFactory

    request = RequestFactory(requester=sales_rep, product=product)
    event = record(
        request=request, kind="commented", actor=pmm, message="y" * (limits.DETAILS + 50), notify=False
    )
    event.refresh_from_db()
    assert len(event.message) == limits.DETAILS
    assert event.message.endswith("…")

"""The pages as people use them: asking, suggestions, bad input, the rate limit, triage and delivery."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from requests_queue.models import Asset, Request, RequestAttachment, RequestStatus
from tests.factories import AssetFactory

S = RequestStatus
FUTURE = (timezone.localdate() + timedelta(days=5)).isoformat()


def form_data(product_obj, **overrides):
    data = {
        "title": "Battlecard against Northwind for the Acme deal",
        "type": "competitive_intel",
        "product": product_obj.pk,
        "details": "Acme's CIO asked how we compare on integrations.",
        "needed_by": FUTURE,
        "account": "Acme Corp",
        "opportunity_value": "250000",
    }
    data.update(overrides)
    return data


def test_sales_asks_and_follows_the_request(client, sales_rep, product, django_capture_on_commit_callbacks):
    client.force_login(sales_rep)
    page = client.get("/requests/new/").content.decode()
    assert 'hx-trigger="input changed delay:250ms, change"' in page
    assert "autofocus" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/requests/new/", form_data(product), follow=True)
    html = response.content.decode()
    assert "sent to the Core Platform team" in html
    request = Request.objects.get()
    assert (request.status, request.requester, request.account) == (S.NEW, sales_rep, "Acme Corp")
    assert "Battlecard against Northwind" in html  # listed in /requests/mine/


def test_attachments_are_saved(client, sales_rep, product):
    client.force_login(sales_rep)
    upload = SimpleUploadedFile("rfp.pdf", b"%PDF-1.4 tiny", content_type="application/pdf")
    client.post("/requests/new/", {**form_data(product), "attachments": [upload]})
    assert RequestAttachment.objects.get().original_name == "rfp.pdf"


@pytest.mark.parametrize(
    ("overrides", "field_error"),
    [
        (
            {"needed_by": (timezone.localdate() - timedelta(days=1)).isoformat()},
            "The needed-by date is in the past",
        ),
        ({"product": "999999"}, "Pick a product from the list: that one does not exist."),
        ({"title": ""}, "This field is required."),
        ({"opportunity_value": "-5"}, "greater than or equal to 0"),
        ({"type": "gossip"}, "Select a valid choice"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_saved(client, sales_rep, product, overrides, field_error):
    client.force_login(sales_rep)
    response = client.post("/requests/new/", form_data(product, **overrides))
    assert response.status_code == 200
    assert field_error in response.content.decode()
    assert not Request.objects.exists()


def test_an_oversized_attachment_is_refused(client, sales_rep, product, monkeypatch):
    from requests_queue import services

    monkeypatch.setattr(services.assets, "MAX_ATTACHMENT_BYTES", 1024)
    client.force_login(sales_rep)
    big = SimpleUploadedFile("deck.pdf", b"x" * 2048, content_type="application/pdf")
    response = client.post("/requests/new/", {**form_data(product), "attachments": [big]})
    assert "files can be at most" in response.content.decode()
    assert not Request.objects.exists()
    assert not RequestAttachment.objects.exists()


def test_a_wrong_type_attachment_is_refused(client, sales_rep, product):
    client.force_login(sales_rep)
    exe = SimpleUploadedFile("tool.exe", b"MZ", content_type="application/octet-stream")
    response = client.post("/requests/new/", {**form_data(product), "attachments": [exe]})
    assert "is not a file type we accept" in response.content.decode()
    assert not Request.objects.exists()


def test_the_form_is_rate_limited_with_a_clear_page(client, sales_rep, product, monkeypatch):
    from requests_queue import views

    monkeypatch.setattr(views, "REQUEST_FORM_RATE", "2/h")
    client.force_login(sales_rep)
    for _ in range(2):
        assert client.post("/requests/new/", form_data(product)).status_code == 302
    response = client.post("/requests/new/", form_data(product))
    assert response.status_code == 429
    assert "Too many requests in a short time" in response.content.decode()
    assert Request.objects.count() == 2


def test_the_form_needs_a_csrf_token(sales_rep, product):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(sales_rep)
    assert client.post("/requests/new/", form_data(product)).status_code == 403


def test_suggestions_offer_a_matching_asset_and_not_an_unrelated_one(client, sales_rep, asset):
    client.force_login(sales_rep)
    matching = client.get(
        "/requests/new/suggestions/", {"title": "Need a battlecard vs Northwind"}
    ).content.decode()
    assert "<mark>Northwind</mark> <mark>battlecard</mark>" in matching  # why it matches, highlighted
    assert "This answers my question" in matching
    unrelated = client.get(
        "/requests/new/suggestions/", {"title": "Email template for a webinar invitation"}
    ).content.decode()
    assert "Northwind battlecard" not in unrelated
    assert "Nothing in the library or past answers matches yet" in unrelated


def test_on_a_phone_the_title_says_how_many_answers_wait_below(client, sales_rep, asset):
    """The suggestions sit below the form on a phone: a link under the title jumps to them."""
    client.force_login(sales_rep)
    matching = client.get("/requests/new/suggestions/", {"title": "Northwind battlecard"}).content.decode()
    jump = re.search(r'<div id="suggest-jump".*?</div>', matching, re.S).group(0)
    assert 'hx-swap-oob="true"' in jump
    assert "1 possible answer already exists" in jump
    assert 'href="#already-answered"' in jump
    unrelated = client.get("/requests/new/suggestions/", {"title": "Webinar invitation"}).content.decode()
    assert "possible answer" not in unrelated  # the link goes away when nothing matches
    assert 'id="suggest-jump"' in client.get("/requests/new/").content.decode()


def test_suggestions_include_past_delivered_requests(client, sales_rep, make_request):
    make_request(S.DELIVERED, title="Security questionnaire answers for a bank")
    make_request(S.NEW, title="Security questionnaire for an insurer")
    client.force_login(sales_rep)
    html = client.get("/requests/new/suggestions/", {"title": "security questionnaire"}).content.decode()
    items = {m[0]: m[1] for m in re.findall(r'data-kind="(\w+)">(.*?)</li>', html, re.S)}
    answered, own = items["answer"], items["own"]
    assert "answers for a bank" in answered
    assert "This answers my question" in answered
    # The rep's own open request is pointed to, not offered as an answer.
    assert "for an insurer" in own
    assert "no need to ask again" in own
    assert "This answers my question" not in own


def test_this_answers_my_question_closes_as_reused(client, sales_rep, product, asset):
    client.force_login(sales_rep)
    response = client.post(
        "/requests/new/answered/",
        {
            "title": "Northwind comparison",
            "product": product.pk,
            "type": "competitive_intel",
            "asset": asset.pk,
        },
        follow=True,
    )
    assert "answers it" in response.content.decode()
    request = Request.objects.get()
    assert request.status == S.REUSED
    asset.refresh_from_db()
    assert asset.reuse_count == 1


def test_this_answers_my_question_needs_a_product(client, sales_rep, asset):
    client.force_login(sales_rep)
    response = client.post("/requests/new/answered/", {"title": "Northwind", "asset": asset.pk})
    assert "Pick the product first" in response.content.decode()
    assert not Request.objects.exists()


def test_queue_filters_and_search(client, pmm, make_request):
    make_request(S.NEW, title="Northwind objection handling", type="call_script")
    make_request(S.TRIAGED, title="Pricing for Globex", type="pricing_proposal")
    client.force_login(pmm)
    html = client.get("/requests/", {"type": "call_script"}).content.decode()
    assert "Northwind objection" in html
    assert "Pricing for Globex" not in html
    html = client.get("/requests/", {"q": "globex"}).content.decode()
    assert "Pricing for Globex" in html
    assert "Northwind objection" not in html
    html = client.get("/requests/", {"assignee": "me"}).content.decode()
    assert "Pricing for Globex" in html
    assert "Northwind objection" not in html


def test_queue_marks_overdue_and_shows_the_sla_clock(client, pmm, make_request):
    late = make_request(S.NEW, title="Late one", needed_by=timezone.localdate() - timedelta(days=2))
    Request.objects.filter(pk=late.pk).update(created_at=timezone.now() - timedelta(days=10))
    make_request(S.NEW, title="Fresh one")
    client.force_login(pmm)
    html = client.get("/requests/", {"overdue": "on"}).content.decode()
    assert "Late one" in html
    assert "Fresh one" not in html
    assert "Overdue" in html
    assert "business days late" in html


def test_sla_targets_per_team_and_type(make_request, team):
    from requests_queue.models import SlaTarget
    from requests_queue.selectors import attach_sla

    SlaTarget.objects.create(team=team, type="competitive_intel", acknowledge_days=2, deliver_days=8)
    request = make_request(S.NEW)
    (request,) = attach_sla([request])
    assert (request.sla.acknowledge_days, request.sla.deliver_days) == (2, 8)
    other = make_request(S.NEW, type="slides")
    (other,) = attach_sla([other])
    assert (other.sla.acknowledge_days, other.sla.deliver_days) == (1, 5)  # the default for slides


def test_triage_scores_out_of_range_on_the_page(client, pmm, make_request):
    request = make_request(S.NEW, reusability=None, educational_value=None)
    client.force_login(pmm)
    response = client.post(
        f"/requests/{request.pk}/triage/", {"reusability": "7", "educational_value": "2", "effort_hours": "3"}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    request.refresh_from_db()
    assert request.reusability is None


def test_decline_without_alternative_on_the_page(client, pmm, make_request):
    request = make_request(S.NEW)
    client.force_login(pmm)
    response = client.post(f"/requests/{request.pk}/decide/", {"decision": "decline"})
    assert response.status_code == 400
    assert "no hard no" in response.content.decode()
    assert Request.objects.get(pk=request.pk).status == S.NEW


def test_the_triage_panel_shows_the_quadrant_advice(client, pmm, make_request):
    request = make_request(S.TRIAGED, reusability=5, educational_value=2)
    client.force_login(pmm)
    assert "Build an asset." in client.get(f"/requests/{request.pk}/").content.decode()


def test_a_claim_lost_says_who_won(client, pmm, make_request, team):
    from tests.factories import UserFactory

    noor = UserFactory(username="noor", first_name="Noor", last_name="Haddad", role="pmm")
    team.members.add(noor)
    request = make_request(S.NEW, assignee=noor)
    client.force_login(pmm)
    response = client.post(f"/requests/{request.pk}/claim/", follow=True)
    assert "Noor Haddad claimed this request first" in response.content.decode()


def test_deliver_a_file_of_the_wrong_type_is_refused(client, pmm, make_request):
    request = make_request(S.IN_PROGRESS)
    client.force_login(pmm)
    bad = SimpleUploadedFile("payload.sh", b"#!/bin/sh", content_type="text/x-sh")
    response = client.post(f"/requests/{request.pk}/deliver/", {"file": bad})
    assert response.status_code == 400
    assert "is not a file type we accept" in response.content.decode()
    assert Request.objects.get(pk=request.pk).status == S.IN_PROGRESS


def test_deliver_and_publish_from_the_page(client, pmm, make_request):
    request = make_request(S.IN_PROGRESS, title="Globex ROI model")
    client.force_login(pmm)
    response = client.post(
        f"/requests/{request.pk}/deliver/",
        {
            "link": "https://drive.example.com/roi",
            "publish": "on",
            "asset_title": "ROI model template",
            "asset_kind": "pricing",
            "review_by": FUTURE,
        },
        follow=True,
    )
    assert "published to the asset library" in response.content.decode()
    assert Asset.objects.get(source_request=request).title == "ROI model template"


def test_asset_library_search_filters_and_review_flags(client, sales_rep, team, pmm):
    AssetFactory(title="Northwind battlecard", team=team, owner=pmm, kind="battlecard")
    AssetFactory(
        title="Old pricing deck",
        team=team,
        owner=pmm,
        kind="deck",
        review_by=timezone.localdate() - timedelta(days=1),
    )
    client.force_login(sales_rep)
    html = client.get("/requests/assets/").content.decode()
    assert "Review due" in html
    html = client.get("/requests/assets/", {"q": "northwind"}).content.decode()
    assert "Northwind battlecard" in html
    assert "Old pricing deck" not in html
    html = client.get("/requests/assets/", {"review": "due"}).content.decode()
    assert "Old pricing deck" in html
    assert "Northwind battlecard" not in html
    html = client.get("/requests/assets/", {"kind": "battlecard"}).content.decode()
    assert "Northwind battlecard" in html
    assert "Old pricing deck" not in html


def test_publish_an_asset_from_the_library(client, pmm, product):
    client.force_login(pmm)
    response = client.post(
        "/requests/assets/new/",
        {
            "title": "Objection handling script",
            "kind": "call_script",
            "link": "https://x.example.com/s",
            "review_by": FUTURE,
            "products": [product.pk],
        },
        follow=True,
    )
    assert "is in the library" in response.content.decode()
    response = client.post("/requests/assets/new/", {"title": "No link", "kind": "deck", "review_by": FUTURE})
    assert "Paste a link or attach the file." in response.content.decode()


def test_mine_shows_status_assignee_and_rating_prompt(client, sales_rep, make_request):
    make_request(S.DELIVERED, title="Delivered deck")
    client.force_login(sales_rep)
    html = client.get("/requests/mine/").content.decode()
    assert "Delivered deck" in html
    assert "Priya Mehta" in html
    assert "Rate it" in html


@pytest.mark.parametrize("role", ["sales", "pmm", "cmo"])
def test_home_sections_render(client, cast, role, make_request):
    make_request(S.NEW, title="Home page request")
    client.force_login(cast[role])
    html = client.get("/").content.decode()
    marker = {"sales": "My open requests", "pmm": "New to triage", "cmo": "Request queue health"}[role]
    assert marker in html


def test_the_cmo_sets_service_levels_and_the_clock_follows(client, cmo, team, make_request):
    from requests_queue.models import SlaTarget

    client.force_login(cmo)
    html = client.get("/requests/sla/").content.decode()
    assert "Core Platform" in html
    assert "Competitive intel" in html
    data = {"team": team.pk}
    for value in (
        "competitive_intel",
        "email_template",
        "call_script",
        "slides",
        "customer_call",
        "datasheet",
        "pricing_proposal",
        "other",
    ):
        data[f"{value}-acknowledge"] = "2"
        data[f"{value}-deliver"] = "6"
    response = client.post("/requests/sla/", data, follow=True)
    assert "Service levels of Core Platform saved" in response.content.decode()
    assert SlaTarget.objects.get(team=team, type="slides").deliver_days == 6


def test_service_levels_refuse_deliver_before_acknowledge(client, cmo, team):
    from requests_queue.models import SlaTarget

    client.force_login(cmo)
    data = {"team": team.pk}
    for value in (
        "competitive_intel",
        "email_template",
        "call_script",
        "slides",
        "customer_call",
        "datasheet",
        "pricing_proposal",
        "other",
    ):
        data[f"{value}-acknowledge"] = "3"
        data[f"{value}-deliver"] = "5"
    data["slides-deliver"] = "1"
    response = client.post("/requests/sla/", data)
    assert response.status_code == 400
    assert "Delivering cannot be due before acknowledging" in response.content.decode()
    assert not SlaTarget.objects.exists()  # nothing half-saved


def test_service_levels_of_another_team_are_404(client, cmo, other_team):
    client.force_login(cmo)
    assert client.post("/requests/sla/", {"team": other_team.pk}).status_code == 404


def test_accepting_warns_when_it_pushes_the_assignee_over_the_band(client, pmm, make_request):
    request = make_request(S.NEW, effort_hours=20)
    client.force_login(pmm)
    response = client.post(
        f"/requests/{request.pk}/decide/",
        {"decision": "accept", "assignee": pmm.pk, "due_date": FUTURE},
        follow=True,
    )
    html = response.content.decode()
    assert "Accepted and assigned to Priya Mehta" in html
    assert "over the team&#x27;s 15 % band" in html  # 20 h over at least 40 h = 50 %


def test_persona_tags_on_the_request_flow_into_the_published_asset(client, sales_rep, pmm, product, team):
    from tests.factories import PersonaFactory

    persona = PersonaFactory(team=team, owner=pmm, name="Security-minded CIO")
    client.force_login(sales_rep)
    client.post(
        "/requests/new/",
        {
            **form_data(product),
            "personas": [persona.pk],
            "competitor": "Northwind",
            "deal_stage": "evaluation",
        },
    )
    request = Request.objects.get()
    assert list(request.personas.all()) == [persona]
    assert (request.competitor, request.deal_stage) == ("Northwind", "evaluation")
    Request.objects.filter(pk=request.pk).update(status=S.IN_PROGRESS, assignee=pmm)
    client.force_login(pmm)
    page = client.get(f"/requests/{request.pk}/").content.decode()
    assert "Security-minded CIO" in page
    client.post(
        f"/requests/{request.pk}/deliver/",
        {
            "link": "https://drive.example.com/cio",
            "publish": "on",
            "asset_title": "CIO security brief",
            "asset_kind": "one_pager",
            "asset_products": [product.pk],
            "asset_personas": [persona.pk],
            "review_by": FUTURE,
        },
    )
    asset = Asset.objects.get(source_request=request)
    assert list(asset.personas.all()) == [persona]
    assert list(asset.products.all()) == [product]


def test_an_invalid_filter_is_flagged_and_the_others_still_apply(client, pmm, make_request):
    make_request(S.NEW, title="Northwind objection handling", type="call_script")
    make_request(S.NEW, title="Pricing for Globex", type="pricing_proposal")
    client.force_login(pmm)
    response = client.get("/requests/", {"product": "999999", "type": "call_script"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "is-invalid" in html
    assert "Northwind objection" in html
    assert "Pricing for Globex" not in html


def test_my_requests_sort_by_needed_by(client, sales_rep, make_request):
    make_request(S.NEW, title="Later need", needed_by=timezone.localdate() + timedelta(days=20))
    make_request(S.NEW, title="Sooner need", needed_by=timezone.localdate() + timedelta(days=2))
    client.force_login(sales_rep)
    html = client.get("/requests/mine/", {"sort": "needed_by"}).content.decode()
    assert html.index("Sooner need") < html.index("Later need")


def test_a_comment_appears_once_in_the_history_with_its_author(client, sales_rep, pmm, product):
    from tests.factories import RequestFactory

    request = RequestFactory(requester=sales_rep, product=product)
    client.force_login(sales_rep)
    response = client.post(f"/requests/{request.pk}/comment/", {"body": "Any news on this one?"}, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("Any news on this one?") == 1
    assert ": Any news on this one?" not in html  # no authorless copy from the event stream
    assert sales_rep.display_name in html

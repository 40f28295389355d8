"""The governed library: edit, versions, retirement, sales-facing description vs internal notes,
review reminders and view/download counts (issue 14).

Who may do what to an asset of ``team`` (``requests_queue.permissions``):

| action | sales | team's PMM | CMO | admin | other team's PMM | PM |
|---|---|---|---|---|---|---|
| read the page, download any version | yes | yes | yes | yes | yes | yes |
| see internal notes | no | yes | yes | yes | no | no |
| edit, upload a version, retire, un-retire | 403 | yes | yes | yes | 403 | 403 |
"""

import datetime as dt
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from requests_queue import selectors, services
from requests_queue.models import (
    Asset,
    AssetReviewReminder,
    AssetVersion,
    NotificationPreference,
    RequestStatus,
)
from requests_queue.services import RequestError
from tests.factories import AssetFactory

S = RequestStatus
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
FUTURE = timezone.localdate() + timedelta(days=60)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def pdf(name: str = "card.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


# --- Editing ---------------------------------------------------------------------------------------


def test_a_pmm_of_the_team_edits_the_details(asset, pmm, other_product):
    services.asset_update(
        asset=asset,
        actor=pmm,
        changes=services.AssetChanges(
            title="Northwind battlecard (2027)",
            description="For reps: when Northwind comes up.",
            internal_notes="Source: lost-deal reviews Q3.",
            products=[other_product],
        ),
    )
    asset.refresh_from_db()
    assert asset.title == "Northwind battlecard (2027)"
    assert asset.internal_notes == "Source: lost-deal reviews Q3."
    assert list(asset.products.all()) == [other_product]
    assert asset.kind == "battlecard"  # left as it was


def test_an_edit_checks_its_fields(asset, pmm):
    with pytest.raises(RequestError) as error:
        services.asset_update(
            asset=asset,
            actor=pmm,
            changes=services.AssetChanges(title=" ", kind="poem", review_by=timezone.localdate()),
        )
    assert set(error.value.message_dict) == {"title", "kind", "review_by"}


def test_an_overdue_asset_can_be_edited_without_moving_its_review_date(asset, pmm):
    Asset.objects.filter(pk=asset.pk).update(review_by=timezone.localdate() - timedelta(days=3))
    asset.refresh_from_db()
    services.asset_update(
        asset=asset, actor=pmm, changes=services.AssetChanges(title="Renamed", review_by=asset.review_by)
    )
    asset.refresh_from_db()
    assert asset.title == "Renamed"


@pytest.mark.parametrize("who", ["sales_rep", "other_pmm", "pm"])
def test_only_the_owning_team_changes_an_asset(request, asset, who):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.asset_update(asset=asset, actor=user, changes=services.AssetChanges(title="Mine now"))
    with pytest.raises(PermissionDenied):
        services.asset_retire(asset=asset, actor=user, reason="Old")
    with pytest.raises(PermissionDenied):
        services.asset_upload_version(asset=asset, actor=user, link="https://drive.example.com/x")


def test_edit_page_for_the_team_403_for_others(client, asset, pmm, cmo, other_pmm, sales_rep):
    url = f"/requests/assets/{asset.pk}/edit/"
    for user, code in [(pmm, 200), (cmo, 200), (other_pmm, 403), (sales_rep, 403)]:
        client.force_login(user)
        assert client.get(url).status_code == code, user
    client.force_login(pmm)
    response = client.post(
        url, {"title": "Northwind card", "kind": "battlecard", "review_by": FUTURE.isoformat()}
    )
    assert response.status_code == 302
    asset.refresh_from_db()
    assert asset.title == "Northwind card"
    response = client.post(url, {"title": "", "kind": "battlecard", "review_by": FUTURE.isoformat()})
    assert response.status_code == 400


def test_the_edit_page_never_lists_every_product(client, asset, pmm, product, other_product):
    """The products and personas pickers search as you type: only the chosen options are in the page."""
    client.force_login(pmm)
    page = client.get(f"/requests/assets/{asset.pk}/edit/").content.decode()
    assert 'data-typeahead="/requests/assets/product-options/"' in page
    assert f'<option value="{product.pk}" selected>' in page
    assert f'value="{other_product.pk}"' not in page
    found = client.get("/requests/assets/product-options/?q=insi").json()["results"]
    assert [r["value"] for r in found] == [other_product.pk]


# --- Versions ---------------------------------------------------------------------------------------


def test_a_new_version_becomes_current_and_the_old_one_is_kept(asset, pmm):
    first_link = asset.link
    version = services.asset_upload_version(
        asset=asset, actor=pmm, file=pdf("card-v2.pdf"), note="Q1 pricing"
    )
    asset.refresh_from_db()
    assert version.number == 2
    assert asset.version == 2
    assert asset.file.name == version.file.name
    assert asset.link == ""
    numbers = {v.number: v for v in AssetVersion.objects.filter(asset=asset)}
    assert set(numbers) == {1, 2}
    assert numbers[1].link == first_link  # the deliverable before versions, recorded as version 1
    third = services.asset_upload_version(asset=asset, actor=pmm, link="https://drive.example.com/v3")
    assert third.number == 3


def test_a_version_needs_a_file_or_a_link(asset, pmm):
    with pytest.raises(RequestError) as error:
        services.asset_upload_version(asset=asset, actor=pmm)
    assert "file" in error.value.message_dict


def test_version_numbers_are_unique_per_asset(asset, pmm):
    AssetVersion.objects.create(asset=asset, number=1, link="https://a.example.com/1")
    with pytest.raises(IntegrityError), transaction.atomic():
        AssetVersion.objects.create(asset=asset, number=1, link="https://a.example.com/2")


def test_published_assets_start_at_version_one(pmm, team):
    asset = services.asset_create(
        actor=pmm, title="Pricing FAQ", kind="pricing", link="https://drive.example.com/faq", review_by=FUTURE
    )
    assert list(asset.versions.values_list("number", "link")) == [(1, "https://drive.example.com/faq")]


def test_older_versions_download_through_the_door_and_count(client, asset, pmm, sales_rep):
    services.asset_upload_version(asset=asset, actor=pmm, file=pdf("v2.pdf"))
    services.asset_upload_version(asset=asset, actor=pmm, file=pdf("v3.pdf"))
    client.force_login(sales_rep)
    page = client.get(f"/requests/assets/{asset.pk}/").content.decode()
    assert f"/requests/assets/{asset.pk}/versions/2/download/" in page
    assert "/media/" not in page
    old = client.get(f"/requests/assets/{asset.pk}/versions/2/download/")
    assert old.status_code == 200
    assert b"".join(old.streaming_content) == PDF
    current = client.get(f"/requests/assets/{asset.pk}/download/")  # the current version's file
    assert current.status_code == 200
    assert client.get(f"/requests/assets/{asset.pk}/versions/9/download/").status_code == 404
    assert client.get(f"/requests/assets/{asset.pk}/versions/1/download/").status_code == 404  # a link only
    asset.refresh_from_db()
    assert asset.download_count == 2


def test_upload_page_errors_and_permissions(client, asset, pmm, sales_rep, other_pmm):
    url = f"/requests/assets/{asset.pk}/versions/"
    for user in (sales_rep, other_pmm):
        client.force_login(user)
        assert client.post(url, {"link": "https://drive.example.com/v2"}).status_code == 403
    client.force_login(pmm)
    assert client.post(url, {}).status_code == 400
    assert client.post(url, {"file": pdf(), "note": "New logo"}).status_code == 302
    assert AssetVersion.objects.filter(asset=asset, number=2, note="New logo").exists()


# --- Retirement -------------------------------------------------------------------------------------


@pytest.fixture
def replacement(team, pmm, product):
    return AssetFactory(title="Northwind battlecard 2027", team=team, owner=pmm, products=[product])


def test_retire_points_to_the_replacement_and_unretire_brings_it_back(asset, replacement, pmm):
    services.asset_retire(asset=asset, actor=pmm, replaced_by=replacement)
    asset.refresh_from_db()
    assert asset.retired_at is not None
    assert asset.retired_by == pmm
    assert asset.replaced_by == replacement
    with pytest.raises(RequestError):
        services.asset_retire(asset=asset, actor=pmm, reason="Twice")
    services.asset_unretire(asset=asset, actor=pmm)
    asset.refresh_from_db()
    assert asset.retired_at is None
    assert asset.replaced_by is None


def test_the_replacement_is_another_live_asset_of_the_users_teams(
    asset, replacement, pmm, other_pmm, other_team
):
    with pytest.raises(RequestError) as error:
        services.asset_retire(asset=asset, actor=pmm, replaced_by=asset)
    assert "replaced_by" in error.value.message_dict
    foreign = AssetFactory(team=other_team, owner=other_pmm)
    with pytest.raises(RequestError):
        services.asset_retire(asset=asset, actor=pmm, replaced_by=foreign)
    services.asset_retire(asset=replacement, actor=pmm, reason="Gone")
    with pytest.raises(RequestError):
        services.asset_retire(asset=asset, actor=pmm, replaced_by=replacement)  # retired itself
    with pytest.raises(RequestError) as error:
        services.asset_retire(asset=asset, actor=pmm)  # neither a replacement nor a reason
    assert "reason" in error.value.message_dict


def test_the_database_refuses_a_self_replacement(asset):
    with pytest.raises(IntegrityError), transaction.atomic():
        Asset.objects.filter(pk=asset.pk).update(retired_at=timezone.now(), replaced_by=asset.pk)


def test_retiring_a_replacement_forwards_its_pointers(asset, replacement, pmm, team):
    newest = AssetFactory(title="Newest card", team=team, owner=pmm)
    services.asset_retire(asset=asset, actor=pmm, replaced_by=replacement)
    services.asset_retire(asset=replacement, actor=pmm, replaced_by=newest)
    asset.refresh_from_db()
    assert asset.replaced_by == newest


def test_a_retired_asset_is_never_suggested_even_by_its_exact_title(asset, replacement, pmm, sales_rep):
    assert asset in selectors.suggestions(user=sales_rep, text=asset.title).assets
    services.asset_retire(asset=asset, actor=pmm, replaced_by=replacement)
    for text in (asset.title, "Northwind battlecard", "northwind"):
        assert asset not in selectors.suggestions(user=sales_rep, text=text).assets, text
    assert replacement in selectors.suggestions(user=sales_rep, text=asset.title).assets
    services.asset_unretire(asset=asset, actor=pmm)
    assert asset in selectors.suggestions(user=sales_rep, text=asset.title).assets


def test_a_retired_asset_is_not_in_the_suggestions_page_nor_the_api(
    client, api_client, asset, pmm, sales_rep
):
    services.asset_retire(asset=asset, actor=pmm, reason="Outdated pricing")
    client.force_login(sales_rep)
    page = client.get("/requests/new/suggestions/", {"title": asset.title}).content.decode()
    assert asset.title not in page
    api_client.force_login(sales_rep)
    found = api_client.get("/api/v1/requests/suggestions/", {"title": asset.title}).json()
    assert all(hit["id"] != asset.pk for hit in found if hit["kind"] == "asset")


def test_a_retired_asset_is_not_offered_for_reuse(asset, replacement, pmm, make_request):
    request = make_request(S.NEW)
    services.asset_retire(asset=asset, actor=pmm, replaced_by=replacement)
    choices = selectors.reuse_choices(user=pmm, request=request)
    assert asset not in choices
    assert replacement in choices
    options = selectors.asset_options(user=pmm, queryset=choices, text=asset.title)
    assert asset not in options
    with pytest.raises(RequestError):
        services.request_mark_reused(request=request, actor=pmm, asset=asset)


def test_self_serve_refuses_a_retired_asset(asset, pmm, sales_rep, product):
    services.asset_retire(asset=asset, actor=pmm, reason="Old")
    with pytest.raises(RequestError):
        services.request_self_serve(requester=sales_rep, product=product, title="Card", asset=asset)


def test_the_library_hides_retired_assets_unless_asked(client, asset, replacement, pmm, sales_rep):
    services.asset_retire(asset=asset, actor=pmm, replaced_by=replacement)
    client.force_login(sales_rep)
    default = client.get("/requests/assets/").content.decode()
    assert f"/requests/assets/{asset.pk}/" not in default
    assert f"/requests/assets/{replacement.pk}/" in default
    retired = client.get("/requests/assets/?state=retired").content.decode()
    assert f"/requests/assets/{asset.pk}/" in retired
    assert retired.count(f"{replacement.title}</a>") == 1  # named as the replacement, not listed
    page = client.get(f"/requests/assets/{asset.pk}/").content.decode()
    assert "Retired: use" in page
    assert f'href="/requests/assets/{replacement.pk}/"' in page


def test_retire_and_unretire_pages(client, asset, replacement, pmm, sales_rep, other_pmm):
    url = f"/requests/assets/{asset.pk}/retire/"
    for user in (sales_rep, other_pmm):
        client.force_login(user)
        assert client.post(url, {"reason": "Old"}).status_code == 403
    client.force_login(pmm)
    assert client.post(url, {}).status_code == 400  # neither replacement nor reason
    assert client.post(url, {"replaced_by": asset.pk}).status_code == 400  # itself: not a choice
    assert client.post(url, {"replaced_by": replacement.pk}).status_code == 302
    asset.refresh_from_db()
    assert asset.replaced_by == replacement
    found = client.get(f"/requests/assets/{replacement.pk}/replacement-options/?q=north").json()["results"]
    assert replacement.pk not in [r["value"] for r in found]
    assert client.post(f"/requests/assets/{asset.pk}/unretire/").status_code == 302
    asset.refresh_from_db()
    assert asset.retired_at is None


# --- Description and internal notes -------------------------------------------------------------------


def test_publishing_from_a_request_never_copies_its_details(make_request, pmm):
    request = make_request(
        S.IN_PROGRESS, details="Acme's CFO wants 40% off; deal at risk. Call me on 555-0100."
    )
    services.request_deliver(
        request=request,
        actor=pmm,
        link="https://drive.example.com/answer",
        publish=services.AssetDraft(
            title="Discount objection script", kind="call_script", description="", review_by=FUTURE
        ),
    )
    asset = Asset.objects.get(source_request=request)
    assert asset.description == ""
    assert "Acme" not in asset.description


def test_delivering_from_the_page_publishes_the_description_the_pmm_wrote(client, make_request, pmm):
    request = make_request(S.IN_PROGRESS, details="Globex, 200k, CFO hates us")
    client.force_login(pmm)
    client.post(
        f"/requests/{request.pk}/deliver/",
        {
            "link": "https://drive.example.com/roi",
            "publish": "on",
            "asset_title": "ROI model",
            "asset_kind": "pricing",
            "asset_description": "ROI model for CFO conversations.",
            "review_by": FUTURE.isoformat(),
        },
    )
    asset = Asset.objects.get(source_request=request)
    assert asset.description == "ROI model for CFO conversations."


def test_delivering_through_the_api_never_copies_the_details(api_client, make_request, pmm):
    request = make_request(S.IN_PROGRESS, details="Initech account plan: confidential")
    api_client.force_login(pmm)
    response = api_client.post(
        f"/api/v1/requests/{request.pk}/deliver/",
        {"link": "https://drive.example.com/a", "publish": True, "review_by": FUTURE.isoformat()},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert Asset.objects.get(source_request=request).description == ""


def test_internal_notes_are_for_the_owning_team_only(
    client, api_client, asset, pmm, cmo, sales_rep, other_pmm
):
    Asset.objects.filter(pk=asset.pk).update(internal_notes="Secret: numbers from the Q3 loss review")
    for user, sees in [(pmm, True), (cmo, True), (sales_rep, False), (other_pmm, False)]:
        client.force_login(user)
        page = client.get(f"/requests/assets/{asset.pk}/").content.decode()
        assert ("Q3 loss review" in page) is sees, user
        api_client.force_login(user)
        data = api_client.get(f"/api/v1/assets/{asset.pk}/").json()
        assert (data["internal_notes"] == "Secret: numbers from the Q3 loss review") is sees, user
        if not sees:
            assert data["internal_notes"] is None
    api_client.force_login(sales_rep)
    listing = api_client.get("/api/v1/assets/").json()["results"]
    assert all(row["internal_notes"] is None for row in listing)


def test_internal_notes_are_never_in_the_search_index(asset, pmm, sales_rep):
    services.asset_update(
        asset=asset, actor=pmm, changes=services.AssetChanges(internal_notes="zanzibarquux")
    )
    assert not selectors.suggestions(user=sales_rep, text="zanzibarquux")


# --- The API ----------------------------------------------------------------------------------------


def test_api_patch_edits_with_field_errors(api_client, asset, pmm, product):
    api_client.force_login(pmm)
    url = f"/api/v1/assets/{asset.pk}/"
    response = api_client.patch(
        url, {"title": "Card 2027", "internal_notes": "From the field"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Card 2027"
    assert response.json()["internal_notes"] == "From the field"
    asset.refresh_from_db()
    assert asset.kind == "battlecard"
    assert list(asset.products.all()) == [product]
    for body, field in [({"title": ""}, "title"), ({"review_by": "2001-01-01"}, "review_by")]:
        response = api_client.patch(url, body, format="json")
        assert response.status_code == 400
        assert [e["attr"] for e in response.json()["errors"]] == [field]
    response = api_client.patch(url, {"kind": "poem"}, format="json")
    assert response.status_code == 400
    assert [e["attr"] for e in response.json()["errors"]] == ["kind"]


@pytest.mark.parametrize(("who", "code"), [("sales_rep", 403), ("other_pmm", 403), ("pm", 403), ("cmo", 200)])
def test_api_patch_permissions(api_client, asset, request, who, code):
    api_client.force_login(request.getfixturevalue(who))
    response = api_client.patch(f"/api/v1/assets/{asset.pk}/", {"title": "Mine"}, format="json")
    assert response.status_code == code
    asset.refresh_from_db()
    assert (asset.title == "Mine") is (code == 200)


def test_api_patch_of_a_missing_asset_is_404(api_client, pmm):
    api_client.force_login(pmm)
    assert api_client.patch("/api/v1/assets/999999/", {"title": "x"}, format="json").status_code == 404


def test_api_shows_counts_versions_and_retirement(api_client, asset, replacement, pmm, sales_rep):
    services.asset_retire(asset=asset, actor=pmm, replaced_by=replacement)
    Asset.objects.filter(pk=asset.pk).update(view_count=7, download_count=3)
    api_client.force_login(sales_rep)
    data = api_client.get(f"/api/v1/assets/{asset.pk}/").json()
    assert data["view_count"] == 7
    assert data["download_count"] == 3
    assert data["version"] == 1
    assert data["replaced_by"]["id"] == replacement.pk
    assert data["retired_at"]
    ids = [row["id"] for row in api_client.get("/api/v1/assets/").json()["results"]]
    assert asset.pk not in ids
    assert replacement.pk in ids
    ids = [row["id"] for row in api_client.get("/api/v1/assets/?state=all").json()["results"]]
    assert asset.pk in ids


def test_the_schema_documents_the_patch(api_client, pmm):
    api_client.force_login(pmm)
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    patch = schema["paths"]["/api/v1/assets/{id}/"]["patch"]
    assert {"200", "400", "403", "404"} <= set(patch["responses"])
    assert "put" not in schema["paths"]["/api/v1/assets/{id}/"]


# --- Counts -----------------------------------------------------------------------------------------


def test_views_and_downloads_are_counted_but_not_the_owners_own(client, asset, pmm, sales_rep):
    Asset.objects.filter(pk=asset.pk).update(file=ContentFile(PDF, name="x.pdf").name)
    asset.file.save("card.pdf", ContentFile(PDF), save=True)
    client.force_login(sales_rep)
    page = client.get(f"/requests/assets/{asset.pk}/").content.decode()
    assert "1 view" in page
    client.get(f"/requests/assets/{asset.pk}/")
    client.get(f"/requests/assets/{asset.pk}/download/")
    client.force_login(pmm)  # the owner
    client.get(f"/requests/assets/{asset.pk}/")
    client.get(f"/requests/assets/{asset.pk}/download/")
    asset.refresh_from_db()
    assert (asset.view_count, asset.download_count) == (2, 1)


def test_counts_show_next_to_reuse_in_the_library(client, asset, sales_rep):
    Asset.objects.filter(pk=asset.pk).update(view_count=41, download_count=17, reuse_count=5)
    client.force_login(sales_rep)
    page = client.get("/requests/assets/").content.decode()
    assert ">41<" in page
    assert ">17<" in page


# --- Review reminders -------------------------------------------------------------------------------


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


def test_owners_are_reminded_a_week_before_once(asset, pmm):
    review_by = dt.date(2026, 12, 20)
    Asset.objects.filter(pk=asset.pk).update(review_by=review_by)
    assert services.asset_review_reminders_send(now=at(dt.date(2026, 12, 12))) == 0  # 8 days before
    assert services.asset_review_reminders_send(now=at(dt.date(2026, 12, 13))) == 1
    assert services.asset_review_reminders_send(now=at(dt.date(2026, 12, 13))) == 0  # same run again
    assert services.asset_review_reminders_send(now=at(dt.date(2026, 12, 16))) == 0  # same week
    assert [m.to for m in mail.outbox] == [[pmm.email]]
    message = mail.outbox[0]
    assert asset.title in message.body
    assert "List-Unsubscribe" in message.extra_headers
    assert AssetReviewReminder.objects.get().period == review_by


def test_overdue_assets_remind_once_a_week(asset, pmm):
    Asset.objects.filter(pk=asset.pk).update(review_by=dt.date(2026, 11, 30))
    sent = [
        services.asset_review_reminders_send(now=at(dt.date(2026, 12, 1) + timedelta(days=n)))
        for n in range(14)
    ]
    # Tue 1 Dec (overdue week of 30 Nov), Mon 7 Dec, Mon 14 Dec: one each.
    assert sum(sent) == 3
    assert sorted(AssetReviewReminder.objects.values_list("period", flat=True)) == [
        dt.date(2026, 11, 30),
        dt.date(2026, 12, 7),
        dt.date(2026, 12, 14),
    ]


def test_one_mail_per_owner_lists_all_their_assets(asset, pmm, team):
    other = AssetFactory(title="Contoso card", team=team, owner=pmm)
    Asset.objects.filter(pk__in=[asset.pk, other.pk]).update(review_by=dt.date(2026, 12, 10))
    assert services.asset_review_reminders_send(now=at(dt.date(2026, 12, 8))) == 1
    assert len(mail.outbox) == 1
    assert "Contoso card" in mail.outbox[0].body
    assert asset.title in mail.outbox[0].body


def test_retired_assets_and_app_only_owners_get_no_mail(asset, replacement, pmm):
    services.asset_retire(asset=asset, actor=pmm, replaced_by=replacement)
    Asset.objects.filter(pk=asset.pk).update(review_by=dt.date(2026, 12, 1))
    assert services.asset_review_reminders_send(now=at(dt.date(2026, 12, 8))) == 0
    Asset.objects.filter(pk=replacement.pk).update(review_by=dt.date(2026, 12, 1))
    NotificationPreference.objects.create(user=pmm, topic="asset_reviews", channel="app")
    services.asset_review_reminders_send(now=at(dt.date(2026, 12, 8)))
    assert mail.outbox == []


def test_a_failed_mail_is_tried_again_next_run(asset, pmm, monkeypatch):
    from requests_queue.services import asset_reviews

    Asset.objects.filter(pk=asset.pk).update(review_by=dt.date(2026, 12, 1))

    def broken(*args, **kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr(asset_reviews, "send_unsubscribable", broken)
    with pytest.raises(OSError, match="SMTP down"):
        services.asset_review_reminders_send(now=at(dt.date(2026, 12, 8)))
    assert not AssetReviewReminder.objects.exists()
    monkeypatch.undo()
    assert services.asset_review_reminders_send(now=at(dt.date(2026, 12, 8))) == 1


def test_the_reminder_is_a_beat_job_of_the_one_schedule():
    from pmm_portal.celery import app
    from requests_queue import tasks

    entries = [
        e
        for e in app.conf.beat_schedule.values()
        if e["task"] == "requests_queue.send_asset_review_reminders"
    ]
    assert len(entries) == 1
    assert tasks.send_asset_review_reminders.name == "requests_queue.send_asset_review_reminders"


def test_the_unsubscribe_link_stops_the_reminders(client, asset, pmm):
    Asset.objects.filter(pk=asset.pk).update(review_by=dt.date(2026, 12, 1))
    services.asset_review_reminders_send(now=at(dt.date(2026, 12, 8)))
    link = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    client.post(link.replace("http://testserver", "").split("127.0.0.1:8000")[-1])
    assert services.preferences_of(pmm)["asset_reviews"] == "app"


# --- Query counts -----------------------------------------------------------------------------------


def grow_library(n, *, team, pmm, product):
    """``n`` assets with two versions each, one in three retired (pointing to the one before)."""
    from django.db.models import Max

    previous = None
    for i in range(n):
        asset = AssetFactory(team=team, owner=pmm, products=[product], title=f"Northwind asset {i}")
        services.asset_upload_version(asset=asset, actor=pmm, link=f"https://drive.example.com/{i}/v2")
        if i % 3 == 2 and previous is not None:
            services.asset_retire(asset=asset, actor=pmm, replaced_by=previous)
        previous = asset
    return Asset.objects.aggregate(last=Max("pk"))["last"]


def queries(client, user, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("who", "url", "pinned"),
    [
        # session, user, count, page rows (owner, team, replacement), products, personas, product choices
        ("sales_rep", "/requests/assets/?state=all", 7),
        ("sales_rep", "/requests/assets/?state=retired", 7),
        # session, user, count, rows (owner, team, replacement), products, personas
        ("sales_rep", "/api/v1/assets/?state=all", 6),
        # the same, and the teams whose internal notes a PMM reads (once, not per row)
        ("pmm", "/api/v1/assets/?state=all", 7),
    ],
)
def test_library_lists_stay_flat(client, request, team, pmm, product, who, url, pinned):
    user = request.getfixturevalue(who)
    grow_library(3, team=team, pmm=pmm, product=product)
    small = queries(client, user, url)
    grow_library(30, team=team, pmm=pmm, product=product)
    assert small == queries(client, user, url) == pinned


@pytest.mark.parametrize(("who", "pinned"), [("sales_rep", 7), ("pmm", 7)])
def test_the_asset_page_costs_the_same_with_2_or_20_versions(client, request, asset, pmm, who, pinned):
    """session, user, the asset (owner, team, request, replacement, retired by), products, personas,
    the view counted, its versions (with uploader); for a PMM the view is theirs (not counted) and
    whether they may edit is asked instead."""
    user = request.getfixturevalue(who)
    url = f"/requests/assets/{asset.pk}/"
    services.asset_upload_version(asset=asset, actor=pmm, link="https://drive.example.com/v2")
    small = queries(client, user, url)
    for n in range(18):
        services.asset_upload_version(asset=asset, actor=pmm, file=pdf(f"v{n}.pdf"))
    assert small == queries(client, user, url) == pinned


# --- Demo data --------------------------------------------------------------------------------------


def test_the_demo_library_is_governed(db, settings, client):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo", "--force", verbosity=0)
    assert AssetVersion.objects.filter(number=2).exists()
    assert AssetVersion.objects.count() > Asset.objects.count()  # every asset's first version, and more
    retired = Asset.objects.filter(retired_at__isnull=False)
    assert retired.exists()
    assert all(a.replaced_by is not None and a.replaced_by.retired_at is None for a in retired)
    assert not Asset.objects.filter(view_count=0).exists()
    assert Asset.objects.filter(download_count__gt=0).exists()
    sales = type(retired.first().owner).objects.get(username="sales")
    gone = retired.first()
    assert gone not in selectors.suggestions(user=sales, text=gone.title).assets


def test_the_review_day_itself_is_not_overdue_yet(asset):
    review_by = dt.date(2026, 12, 9)
    Asset.objects.filter(pk=asset.pk).update(review_by=review_by)
    asset.refresh_from_db()
    assert services.due_review_of(asset, now=at(review_by)).kind == "due_soon"
    assert services.due_review_of(asset, now=at(review_by + timedelta(days=1))).kind == "overdue"
    assert services.due_review_of(asset, now=at(review_by - timedelta(days=8))) is None


def test_the_api_retires_versions_and_brings_back_an_asset_with_the_pages_rules(
    asset, replacement, pmm, sales_rep
):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(sales_rep)
    assert api.post(f"/api/v1/assets/{asset.pk}/retire/", {"reason": "Old"}, format="json").status_code == 403
    api.force_authenticate(pmm)
    refused = api.post(f"/api/v1/assets/{asset.pk}/retire/", {}, format="json")
    assert refused.status_code == 400
    assert [e["attr"] for e in refused.json()["errors"]] == ["reason"]
    retired = api.post(f"/api/v1/assets/{asset.pk}/retire/", {"replaced_by": replacement.pk}, format="json")
    assert retired.status_code == 200
    assert retired.json()["replaced_by"] is not None
    assert api.post(f"/api/v1/assets/{asset.pk}/unretire/").status_code == 200
    uploaded = api.post(
        f"/api/v1/assets/{asset.pk}/versions/upload/",
        {"link": "https://drive.example.com/v2", "note": "New prices"},
    )
    assert uploaded.status_code == 201
    versions = api.get(f"/api/v1/assets/{asset.pk}/versions/").json()
    assert [v["note"] for v in versions][:1] == ["New prices"]
    assert versions[0]["number"] == uploaded.json()["number"]

"""Importing files through ``imports.services``: preview in words, all or nothing, undo as one batch."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from competitive.models import Competitor
from imports import services
from imports.models import ImportBatch, ImportedRow, ImportStatus
from personas.models import CustomerInteraction, Persona, Quote
from pmm_portal.core.models import PasswordResetMail, User
from requests_queue.models import Asset, Request
from tests.factories import AssetFactory
from tests.imports.conftest import csv_file, xlsx_file

FUTURE = (timezone.localdate() + dt.timedelta(days=30)).isoformat()


def _import(actor, kind, team, upload):
    batch = services.batch_upload(actor=actor, kind=kind, team=team, upload=upload)
    return batch, services.batch_import(batch=batch, actor=actor, domain="portal.example.com", use_https=True)


def _competitors(*names):
    return [["name", "tier", "website"], *[[name, "primary", "https://example.com"] for name in names]]


# --- Preview ------------------------------------------------------------------------------------------


def test_preview_names_each_bad_row_in_words_and_writes_nothing(cmo, team, product, beacon, sales_rep):
    rows = [
        ["title", "product", "type", "needed_by", "requester"],
        ["Deck for Acme", "Atlas", "slides", FUTURE, "sales"],
        ["Card vs Globex", "Atlsa", "competitive_intel", FUTURE, "sales"],
        ["Pricing help", "Beacon", "pricing_proposal", "31/02/2026", "sales"],
        ["Old ask", "Atlas", "slides", "2020-01-01", "sales"],
        ["Someone else", "Atlas", "slides", FUTURE, "nobody@example.com"],
    ]
    batch = services.batch_upload(actor=cmo, kind="requests", team=team, upload=csv_file(rows))

    outcome = services.batch_preview(batch=batch, actor=cmo)

    texts = [error.text for error in outcome.errors]
    assert texts == [
        "row 3, “product”: ‘Atlsa’ is not one of Atlas, Beacon.",
        "row 4, “needed_by”: ‘31/02/2026’ is not a date; write it as 2026-03-31 or 31/03/2026.",
        "row 5, “needed_by”: The needed-by date is in the past: pick today or a later date.",
        "row 6, “requester”: ‘nobody@example.com’ is not the email or username of an active user.",
    ]
    assert sorted(outcome.errors_by_row()) == [3, 4, 5, 6]
    assert not Request.objects.exists()
    assert not PasswordResetMail.objects.exists()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DRAFT


def test_preview_sees_rows_of_the_same_file(pmm, team):
    batch = services.batch_upload(
        actor=pmm, kind="competitors", team=team, upload=csv_file(_competitors("Globex", "globex"))
    )

    outcome = services.batch_preview(batch=batch, actor=pmm)

    assert [error.text for error in outcome.errors] == [
        "row 3, “name”: The Core Platform team already has “globex”."
    ]
    assert not Competitor.objects.exists()


def test_mapping_is_suggested_by_name_and_required_fields_are_asked_for(pmm, team):
    headers = ["Competitor", "Web site", "Tier", "Notes"]
    mapping = services.mapping_suggest(kind="competitors", headers=headers)
    assert mapping == {"name": "Competitor", "website": "Web site", "tier": "Tier"}
    assert services.mapping_check(kind="competitors", headers=headers, mapping={"tier": "Tier"}) == {
        "name": "Choose the column that holds the name."
    }
    assert services.mapping_check(
        kind="competitors", headers=headers, mapping={"name": "Tier", "tier": "Tier"}
    ) == {"tier": "The column “Tier” is already used for name."}


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("people.txt", b"name\nGlobex", "is not a CSV file or an Excel workbook"),
        ("people.xlsx", b"name\nGlobex", "is not a real Excel workbook"),
        ("people.csv", b"\x00\x01binary", "is not a real CSV file"),
        ("people.csv", b"name,tier\n", "has a header row but no rows under it"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_in_words(pmm, team, name, content, words):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError, match=words):
        services.batch_upload(
            actor=pmm, kind="competitors", team=team, upload=SimpleUploadedFile(name, content)
        )
    assert not ImportBatch.objects.exists()


# --- All or nothing -----------------------------------------------------------------------------------


def test_a_file_with_one_bad_row_imports_nothing(pmm, team):
    rows = [*_competitors("Globex", "Initech"), ["Umbrella", "giant", ""]]

    batch, outcome = _import(pmm, "competitors", team, csv_file(rows))

    assert [error.text for error in outcome.errors] == [
        "row 4, “tier”: ‘giant’ is not one of primary, secondary, emerging, status_quo."
    ]
    assert not Competitor.objects.exists()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DRAFT
    assert not ImportedRow.objects.exists()


@pytest.mark.parametrize("build", [csv_file, xlsx_file])
def test_a_good_file_imports_every_row(pmm, team, build):
    batch, outcome = _import(pmm, "competitors", team, build(_competitors("Globex", "Initech", "Umbrella")))

    assert outcome.ok
    assert sorted(Competitor.objects.values_list("name", flat=True)) == ["Globex", "Initech", "Umbrella"]
    assert set(Competitor.objects.values_list("team", "owner")) == {(team.pk, pmm.pk)}
    batch.refresh_from_db()
    assert (batch.status, batch.object_count, batch.row_total) == (ImportStatus.IMPORTED, 3, 3)
    assert list(batch.objects_created.values_list("row_number", flat=True)) == [2, 3, 4]


def test_xlsx_dates_and_numbers_are_read(cmo, team, product, sales_rep):
    needed = timezone.localdate() + dt.timedelta(days=9)
    rows = [
        ["Title", "Product", "Type", "Needed by", "Requester", "Opportunity value"],
        ["Deck", "atlas", "Slides", dt.datetime.combine(needed, dt.time()), "SALES", 25000.0],
    ]

    _batch, outcome = _import(cmo, "requests", team, xlsx_file(rows))

    assert outcome.ok, outcome.errors
    request = Request.objects.get()
    assert (request.needed_by, request.opportunity_value, request.requester) == (needed, 25000, sales_rep)
    assert (request.type, request.team, request.status) == ("slides", team, "new")


def test_personas_import_with_their_quotes(pmm, team, product):
    rows = [
        ["name", "kind", "products", "goals", "quotes", "quotes_account"],
        ["Cautious CFO", "buyer", "Atlas", "Cut costs", "We need proof. | Show me the ROI.", "Acme"],
        ["Channel partner", "sales_channel", "", "", "", ""],
    ]

    batch, outcome = _import(pmm, "personas", team, csv_file(rows))

    assert outcome.ok, outcome.errors
    cfo = Persona.objects.get(name="Cautious CFO")
    assert (cfo.kind, cfo.owner, cfo.goals, list(cfo.products.all())) == (
        "buyer",
        pmm,
        "Cut costs",
        [product],
    )
    assert sorted(Quote.objects.filter(persona=cfo).values_list("text", flat=True)) == [
        "Show me the ROI.",
        "We need proof.",
    ]
    assert CustomerInteraction.objects.get().account == "Acme"
    assert batch.objects_created.count() == 3  # two personas and the interaction holding the quotes


def test_a_persona_kind_the_importer_may_not_create_is_a_row_error(pmm, team):
    rows = [["name", "kind", "goals"], ["Release engineer", "user", ""], ["CIO", "buyer", "Jobs"]]
    batch = services.batch_upload(actor=pmm, kind="personas", team=team, upload=csv_file(rows))

    outcome = services.batch_preview(batch=batch, actor=pmm)

    assert [error.text for error in outcome.errors] == [
        "row 2: You cannot create user personas in Core Platform."
    ]
    assert not Persona.objects.exists()


def test_users_import_with_an_invitation_and_no_password(
    admin_user, team, django_capture_on_commit_callbacks
):
    rows = [
        ["username", "email", "name", "role", "team"],
        ["nina", "nina@example.com", "Nina Okafor", "pmm", "core-platform"],
        ["omar", "omar@example.com", "Omar Haddad", "Sales", ""],
    ]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _batch, outcome = _import(admin_user, "users", None, csv_file(rows))

    assert outcome.ok, outcome.errors
    nina = User.objects.get(username="nina")
    assert (nina.first_name, nina.last_name, nina.role) == ("Nina", "Okafor", "pmm")
    assert list(nina.teams.all()) == [team]
    assert User.objects.get(username="omar").role == "sales"
    assert sorted(PasswordResetMail.objects.values_list("email", flat=True)) == [
        "nina@example.com",
        "omar@example.com",
    ]
    assert len(callbacks) == 2  # one invitation mail each, sent once the import commits


def test_a_user_whose_email_is_taken_is_refused(admin_user, pmm):
    rows = [["username", "email"], ["priya2", pmm.email.upper()]]

    _batch, outcome = _import(admin_user, "users", None, csv_file(rows))

    assert [error.text for error in outcome.errors] == [
        f"row 2, “email”: Someone already signs in with {pmm.email.upper()}."
    ]
    assert not User.objects.filter(username="priya2").exists()


def test_assets_import_through_the_library_rules(cmo, team, product):
    rows = [
        ["title", "kind", "link", "review_by", "products"],
        ["Atlas deck", "deck", "https://drive.example.com/deck", FUTURE, "Atlas"],
        ["Old card", "battlecard", "not a link", FUTURE, ""],
        ["Stale", "deck", "https://drive.example.com/x", "2020-01-01", ""],
    ]
    batch = services.batch_upload(actor=cmo, kind="assets", team=team, upload=csv_file(rows))

    outcome = services.batch_preview(batch=batch, actor=cmo)

    assert [error.text for error in outcome.errors] == [
        "row 3, “link”: ‘not a link’ is not a web address (https://…).",
        "row 4, “review_by”: Pick a review-by date in the future (e.g. in six months).",
    ]
    assert not Asset.objects.exists()


# --- Undo -----------------------------------------------------------------------------------------------


def test_undo_removes_exactly_the_batch(pmm, team):
    kept = Competitor.objects.create(team=team, owner=pmm, name="Hooli")
    first, _ = _import(pmm, "competitors", team, csv_file(_competitors("Globex", "Initech")))
    second, _ = _import(pmm, "competitors", team, csv_file(_competitors("Umbrella")))

    services.batch_undo(batch=first, actor=pmm)

    assert sorted(Competitor.objects.values_list("name", flat=True)) == ["Hooli", "Umbrella"]
    assert kept.pk in Competitor.objects.values_list("pk", flat=True)
    first.refresh_from_db()
    assert (first.status, first.undone_by) == (ImportStatus.UNDONE, pmm)
    assert first.undone_at is not None
    second.refresh_from_db()
    assert second.status == ImportStatus.IMPORTED
    with pytest.raises(ValidationError, match="nothing to undo"):
        services.batch_undo(batch=first, actor=pmm)


def test_undo_of_personas_takes_their_quotes(pmm, team):
    rows = [["name", "kind", "quotes"], ["Cautious CFO", "buyer", "We need proof."]]
    batch, _ = _import(pmm, "personas", team, csv_file(rows))

    services.batch_undo(batch=batch, actor=pmm)

    assert not Persona.objects.exists()
    assert not Quote.objects.exists()
    assert not CustomerInteraction.objects.exists()


def test_undo_of_requests_after_their_notifications(cmo, team, product, sales_rep):
    rows = [
        ["title", "product", "type", "needed_by", "requester"],
        ["Deck", "Atlas", "slides", FUTURE, "sales"],
    ]
    batch, _ = _import(cmo, "requests", team, csv_file(rows))
    from requests_queue.models import Notification, RequestEvent

    event = RequestEvent.objects.get()
    Notification.objects.create(recipient=cmo, event=event, request=event.request, text="New request")

    services.batch_undo(batch=batch, actor=cmo)

    assert not Request.objects.exists()


def test_undo_is_refused_after_an_imported_object_was_edited(pmm, team):
    batch, _ = _import(pmm, "competitors", team, csv_file(_competitors("Globex", "Initech")))
    Competitor.objects.filter(name="Initech").update(summary="Cheap and slow.")

    with pytest.raises(ValidationError) as refused:
        services.batch_undo(batch=batch, actor=pmm)

    assert refused.value.messages == ["row 3 (competitor “Initech”) was changed since the import."]
    assert Competitor.objects.count() == 2
    batch.refresh_from_db()
    assert batch.status == ImportStatus.IMPORTED


def test_undo_is_refused_when_something_else_points_to_an_imported_object(pmm, team, product):
    rows = [["name", "kind"], ["Cautious CFO", "buyer"]]
    batch, _ = _import(pmm, "personas", team, csv_file(rows))
    asset = AssetFactory(team=team, owner=pmm)
    asset.personas.add(Persona.objects.get())

    with pytest.raises(ValidationError) as refused:
        services.batch_undo(batch=batch, actor=pmm)

    assert "other records point to what it created" in refused.value.messages[0]
    assert Persona.objects.exists()


def test_undo_is_refused_after_an_imported_user_set_their_password(admin_user):
    batch, _ = _import(
        admin_user, "users", None, csv_file([["username", "email"], ["nina", "nina@example.com"]])
    )
    nina = User.objects.get(username="nina")
    nina.set_password("a new secret 123")
    nina.save()

    with pytest.raises(ValidationError, match="was changed since the import"):
        services.batch_undo(batch=batch, actor=admin_user)


def test_a_batch_imports_once(pmm, team):
    batch, _ = _import(pmm, "competitors", team, csv_file(_competitors("Globex")))

    with pytest.raises(ValidationError, match="already imported"):
        services.batch_import(batch=batch, actor=pmm, domain="x", use_https=True)
    assert Competitor.objects.count() == 1


def test_template_lists_the_kind_columns():
    assert (
        services.template_csv("requests").splitlines()[0].startswith("title,product,type,needed_by,requester")
    )

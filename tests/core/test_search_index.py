"""The search index follows every write the apps make (``search.keep_in_step``).

Each test changes something the way a page or service does (a save, a delete, a link
added from either side) and checks what the index holds afterwards.
"""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pmm_portal.core.models import SearchDocument
from requests_queue.models import Request
from tests.factories import (
    AssetFactory,
    InitiativeFactory,
    InteractionFactory,
    PersonaFactory,
    ProductFactory,
    QuoteFactory,
    RequestFactory,
)


def doc(kind, obj):
    return SearchDocument.objects.get(kind=kind, object_id=obj.pk)


def product_ids(kind, obj):
    return {int(pk) for pk in doc(kind, obj).product_ids.split(",") if pk}


def test_a_renamed_persona_is_found_by_its_new_name(db, team, pmm):
    persona = PersonaFactory(team=team, owner=pmm, name="Budget owner")
    persona.name = "Platform buyer"
    persona.save(update_fields=["name"])
    assert doc("persona", persona).title == "Platform buyer"


def test_a_save_of_fields_the_document_ignores_leaves_it_alone(db, team, pmm):
    persona = PersonaFactory(team=team, owner=pmm, name="Budget owner")
    with CaptureQueriesContext(connection) as queries:
        persona.save(update_fields=["owner"])
    assert not [q for q in queries.captured_queries if "searchdocument" in q["sql"]]
    with CaptureQueriesContext(connection) as queries:
        persona.save(update_fields=["summary"])
    assert [q for q in queries.captured_queries if "searchdocument" in q["sql"]]


def test_a_deleted_asset_leaves_the_index(db, team, pmm):
    asset = AssetFactory(team=team, owner=pmm, title="Northwind battlecard")
    assert SearchDocument.objects.filter(kind="asset", object_id=asset.pk).exists()
    pk = asset.pk
    asset.delete()
    assert not SearchDocument.objects.filter(kind="asset", object_id=pk).exists()


def test_links_added_from_either_side_reach_the_document(db, team, pmm, product):
    asset = AssetFactory(team=team, owner=pmm, title="Atlas datasheet")
    other = ProductFactory(name="Beacon", slug="beacon", team=team)
    asset.products.add(product)
    assert product.pk in product_ids("asset", asset)
    other.assets.add(asset)  # from the product's side
    assert {product.pk, other.pk} <= product_ids("asset", asset)
    asset.products.remove(product)
    assert product.pk not in product_ids("asset", asset)


def test_a_persona_linked_to_a_request_shows_in_its_tags(db, sales_rep, product, team, pmm):
    request = RequestFactory(requester=sales_rep, product=product, title="Deck for the CFO")
    persona = PersonaFactory(team=team, owner=pmm, name="Finance approver")
    request.personas.add(persona)
    assert "Finance approver" in doc("request", request).tags


def test_an_interactions_new_account_reaches_its_quotes(db, team, pmm):
    interaction = InteractionFactory(team=team, owner=pmm, account="Initech")
    quote = QuoteFactory(interaction=interaction, text="We switch if the rollout takes a day")
    interaction.account = "Globex"
    interaction.save()
    assert "Globex" in doc("quote", quote).tags
    assert "Globex" in doc("interaction", interaction).title


def test_an_initiatives_personas_are_its_tags(db, team, pmm):
    initiative = InitiativeFactory(team=team, owner=pmm, title="Launch Atlas Edge")
    initiative.personas.add(PersonaFactory(team=team, owner=pmm, name="Ops lead"))
    assert "Ops lead" in doc("initiative", initiative).tags


def test_a_new_row_is_indexed_from_what_was_written_without_reading_it_back(
    db, sales_rep, product, team, pmm
):
    request = Request(
        requester=sales_rep,
        team=team,
        product=product,
        type="competitive_intel",
        title="Northwind battlecard",
        needed_by=timezone.localdate(),
    )
    with CaptureQueriesContext(connection) as queries:
        request.save()
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert reads == []  # neither the request nor its (absent) personas are read back
    assert doc("request", request).title == "Northwind battlecard"
    assert "Competitive intel" in doc("request", request).tags
    # Links added afterwards, by any path, are read again and reach the document.
    persona = PersonaFactory(team=team, owner=pmm, name="Finance approver")
    request.personas.add(persona)
    assert "Finance approver" in doc("request", request).tags
    assert list(request.personas.all()) == [persona]

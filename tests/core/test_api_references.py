"""One way to refer to a team or a product everywhere in the API: its id.

Answers name them by id; bodies and filters take the id, which the schema documents; a slug is
still understood where one was before (bodies, ``?team=``, ``/teams/<slug>/``), for older clients.
"""

import pytest

from personas.models import Persona

REFERENCES = {"team", "teams", "product", "products", "shared_with"}


def _integer(schema: dict) -> bool:
    if schema.get("type") == "array":
        return _integer(schema["items"])
    return schema.get("type") == "integer"


def test_the_schema_names_every_team_and_product_by_id(api_client, db):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    in_bodies = [
        f"{name}.{field}"
        for name, component in schema["components"]["schemas"].items()
        for field, prop in component.get("properties", {}).items()
        if field in REFERENCES and "$ref" not in prop and not _integer(prop)
    ]
    in_filters = [
        f"{path} {method} ?{parameter['name']}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query"
        and parameter["name"] in ("team", "product")
        # The dashboard's and the audit log's `team` also take `all` / are the audit app's own.
        and path not in ("/api/v1/dashboard/", "/api/v1/audit/")
        and not _integer(parameter["schema"])
    ]
    assert not in_bodies, in_bodies
    assert not in_filters, in_filters
    for path in ("/api/v1/teams/{id}/", "/api/v1/products/{id}/"):
        (parameter,) = schema["paths"][path]["get"]["parameters"]
        assert parameter["schema"]["type"] == "integer"


@pytest.mark.parametrize("ref", ["id", "slug"])
def test_a_team_and_a_product_are_found_by_id_and_by_slug(api_client, pmm, team, product, ref):
    api_client.force_login(pmm)

    team_body = api_client.get(f"/api/v1/teams/{getattr(team, ref)}/").json()
    product_body = api_client.get(f"/api/v1/products/{getattr(product, ref)}/").json()

    assert (team_body["id"], team_body["slug"]) == (team.pk, "core-platform")
    assert (product_body["id"], product_body["team"]) == (product.pk, team.pk)


def test_the_product_filter_takes_the_id_and_still_the_slug(api_client, pmm, product, other_product):
    api_client.force_login(pmm)

    def ids(query: str) -> list[int]:
        return [row["id"] for row in api_client.get(f"/api/v1/products/?{query}").json()["results"]]

    assert ids(f"team={product.team_id}") == [product.pk]
    assert ids(f"team={product.team.slug}") == [product.pk]
    assert ids(f"team__slug={other_product.team.slug}") == [other_product.pk]
    assert ids("team=999999") == []


@pytest.mark.parametrize("ref", ["id", "slug"])
def test_a_body_names_the_team_and_products_by_id_or_slug_and_hears_ids(api_client, pmm, team, product, ref):
    api_client.force_login(pmm)

    response = api_client.post(
        "/api/v1/personas/",
        {
            "name": "Security-minded CIO",
            "kind": "buyer",
            "team": getattr(team, ref),
            "products": [getattr(product, ref)],
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    assert (response.json()["team"], response.json()["products"]) == (team.pk, [product.pk])
    assert Persona.objects.get().team == team


def test_another_teams_id_is_refused_like_its_slug(api_client, pmm, team, other_team):
    api_client.force_login(pmm)

    for ref in (other_team.pk, other_team.slug, 999999):
        response = api_client.post(
            "/api/v1/personas/", {"name": "CFO", "kind": "buyer", "team": ref}, format="json"
        )
        assert response.status_code == 403, (ref, response.content)
    assert not Persona.objects.exists()


def test_the_initiative_filter_takes_the_teams_id_and_still_its_slug(api_client, pmm, team):
    from tests.factories import InitiativeFactory

    initiative = InitiativeFactory(owner=pmm, team=team)
    api_client.force_login(pmm)

    for ref in (team.pk, team.slug):
        body = api_client.get(f"/api/v1/initiatives/?team={ref}").json()
        assert [row["id"] for row in body["results"]] == [initiative.pk]
        assert body["results"][0]["team"] == team.pk

"""An administrator manages users, roles, teams and products in /admin/."""

import pytest

from pmm_portal.core.models import Team


@pytest.mark.parametrize(
    "path",
    ["/admin/", "/admin/core/user/", "/admin/core/team/", "/admin/core/product/", "/admin/core/user/add/"],
)
def test_admin_pages_open(client, admin_user, team, product, path):
    client.force_login(admin_user)
    assert client.get(path).status_code == 200


def test_admin_sets_a_role_and_team_membership(client, admin_user, team, sales_rep):
    client.force_login(admin_user)
    page = client.get(f"/admin/core/user/{sales_rep.pk}/change/")
    assert 'name="role"' in page.content.decode()
    response = client.post(
        f"/admin/core/team/{team.pk}/change/",
        {
            "name": team.name,
            "slug": team.slug,
            "lead": team.lead_id,
            "members": [*team.members.values_list("pk", flat=True), sales_rep.pk],
            "one_off_budget_min_pct": 8,
            "one_off_budget_max_pct": 12,
            "persona_stale_days": 90,
            "time_zone": "America/New_York",
            "products-TOTAL_FORMS": 0,
            "products-INITIAL_FORMS": 0,
            "products-MIN_NUM_FORMS": 0,
            "products-MAX_NUM_FORMS": 1000,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    team.refresh_from_db()
    assert (team.one_off_budget_min_pct, team.one_off_budget_max_pct, team.persona_stale_days) == (8, 12, 90)
    assert team.members.filter(pk=sales_rep.pk).exists()


@pytest.mark.parametrize("who", ["pmm", "cmo", "sales", "pm"])
def test_non_admins_cannot_open_the_admin(client, cast, who):
    client.force_login(cast[who])
    response = client.get("/admin/core/team/")
    assert response.status_code == 302
    assert Team.objects.exists()

"""Saved views of the queue: filters and sort under a name, private or shared with the team, in the sidebar."""

import pytest
from django.urls import reverse

from requests_queue import services
from requests_queue.models import RequestStatus, SavedView
from requests_queue.selectors import saved_views_for
from requests_queue.workflow import RequestError
from tests.factories import TeamFactory, UserFactory

S = RequestStatus


def test_a_view_keeps_only_the_queues_filters_and_sort(pmm):
    view, new = services.saved_view_save(
        owner=pmm,
        name="  New   competitive intel ",
        query="type=competitive_intel&status=new&page=3&evil=1&sort=-priority",
    )
    assert new
    assert view.name == "New competitive intel"
    assert view.query == "status=new&type=competitive_intel&sort=-priority"
    assert (
        view.get_absolute_url()
        == f"/requests/?status=new&type=competitive_intel&sort=-priority&view={view.pk}"
    )


def test_saving_a_name_again_updates_that_view(pmm):
    first, _ = services.saved_view_save(owner=pmm, name="Mine", query="assignee=me")
    again, new = services.saved_view_save(owner=pmm, name="Mine", query="assignee=me&status=all")
    assert (again.pk, new, again.query) == (first.pk, False, "status=all&assignee=me")
    assert SavedView.objects.count() == 1


def test_a_shared_view_is_seen_by_the_team_and_a_private_one_by_its_owner_only(pmm, other_pmm, team):
    team.members.add(other_pmm)
    outsider = UserFactory(username="out", role="pmm")
    TeamFactory(name="Data", slug="data").members.add(outsider)
    shared, _ = services.saved_view_save(owner=pmm, name="Team triage", query="status=new", team=team)
    private, _ = services.saved_view_save(owner=pmm, name="Mine", query="assignee=me")
    assert set(saved_views_for(user=pmm)) == {shared, private}
    assert list(saved_views_for(user=other_pmm)) == [shared]
    assert list(saved_views_for(user=outsider)) == []
    with pytest.raises(RequestError, match="one of your own teams"):
        services.saved_view_save(owner=outsider, name="Theirs", query="", team=team)
    with pytest.raises(RequestError, match="Only who saved a view"):
        services.saved_view_delete(owner=other_pmm, view_id=shared.pk)


def test_a_view_needs_a_name(pmm):
    with pytest.raises(RequestError, match="Name the view"):
        services.saved_view_save(owner=pmm, name="   ", query="status=new")


def test_save_open_and_delete_a_view_from_the_queue(client, pmm, team):
    client.force_login(pmm)
    page = client.get(reverse("requests_queue:index") + "?status=new&sort=-priority").content.decode()
    assert "Save this view" in page
    response = client.post(
        reverse("requests_queue:saved_view_new"),
        {"name": "New first", "team": team.pk, "query": "status=new&sort=-priority"},
        follow=True,
    )
    view = SavedView.objects.get()
    assert response.redirect_chain[-1][0] == view.get_absolute_url()
    text = response.content.decode()
    assert "Saved the view “New first”, shared with the Core Platform team." in text
    assert "View: <strong>New first</strong>" in text
    nav = client.get(reverse("requests_queue:saved_views_nav"), HTTP_HX_REQUEST="true").content.decode()
    assert view.get_absolute_url().replace("&", "&amp;") in nav
    client.post(reverse("requests_queue:saved_view_delete", args=[view.pk]))
    assert not SavedView.objects.exists()


def test_sales_get_no_saved_views_in_their_sidebar(client, sales_rep):
    client.force_login(sales_rep)
    response = client.get(reverse("requests_queue:saved_views_nav"))
    assert response.status_code == 200
    assert "Saved views" not in response.content.decode()

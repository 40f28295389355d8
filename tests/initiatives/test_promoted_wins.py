"""Promoting wins: shared with sales and chosen teams, read in the wins feed, sent by email once per
person, and counted in the monthly report's "promoted" figure as the month stood at its end."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from initiatives import selectors, services
from initiatives.models import Win, WinPromotion, WinPromotionMail
from initiatives.permissions import feed_visible_to
from pmm_portal.core.models import Role
from reporting import selectors as report_selectors
from reporting import services as report_services
from tests.factories import TeamFactory, UserFactory, WinFactory

UTC = ZoneInfo("UTC")
OCTOBER = dt.date(2026, 10, 1)


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=UTC)


@pytest.fixture
def win(pmm, team):
    return WinFactory(owner=pmm, team=team, title="Won Globex", date=dt.date(2026, 10, 3))


# --- Services ----------------------------------------------------------------------------------------


def test_promoting_shares_the_win_and_records_the_promotion(pmm, win, other_team):
    services.win_promote(
        user=pmm, win=win, teams=[other_team], sales=True, headline="Lead with it", now=at(10, 5)
    )

    win.refresh_from_db()
    assert win.promoted_at == at(10, 5)
    assert win.promoted_by == pmm
    assert win.shared_with_sales
    assert list(win.shared_with.all()) == [other_team]
    assert win.headline == "Lead with it"
    assert WinPromotion.objects.filter(win=win, withdrawn_at__isnull=True).count() == 1


def test_promoting_again_changes_the_audience_not_the_promotion(pmm, win, other_team):
    services.win_promote(user=pmm, win=win, sales=True, now=at(10, 5))
    services.win_promote(user=pmm, win=win, teams=[other_team], sales=False, now=at(10, 9))

    win.refresh_from_db()
    assert win.promoted_at == at(10, 5)  # still promoted since the 5th
    assert not win.shared_with_sales
    assert list(win.shared_with.all()) == [other_team]
    assert WinPromotion.objects.filter(win=win).count() == 1


def test_withdrawing_and_promoting_again_makes_a_new_promotion(pmm, win):
    services.win_promote(user=pmm, win=win, sales=True, now=at(10, 5))
    services.win_unpromote(user=pmm, win=win, now=at(10, 6))
    win.refresh_from_db()
    assert win.promoted_at is None
    assert not win.shared_with_sales
    services.win_promote(user=pmm, win=win, sales=True, now=at(11, 2))

    assert list(
        WinPromotion.objects.filter(win=win).order_by("promoted_at").values_list("withdrawn_at", flat=True)
    ) == [
        at(10, 6),
        None,
    ]


def test_a_promotion_needs_an_audience_and_its_owner(pmm, pm, cmo, other_pmm, win):
    with pytest.raises(ValidationError):
        services.win_promote(user=pmm, win=win)
    for someone in (pm, cmo, other_pmm):
        with pytest.raises(PermissionDenied):
            services.win_promote(user=someone, win=win, sales=True)
    with pytest.raises(ValidationError):
        services.win_unpromote(user=pmm, win=win)  # not promoted


def test_the_feed_shows_each_reader_what_was_shared_with_them(cast, pmm, win, team, other_team, sales_rep):
    third = TeamFactory(name="Third", slug="third")
    third_pmm = UserFactory(role=Role.PMM)
    third.members.add(third_pmm)
    services.win_promote(user=pmm, win=win, teams=[other_team], now=at(10, 5))

    def readers():
        return {name for name, user in {**cast, "third": third_pmm}.items() if win in feed_visible_to(user)}

    # Its own team and leader, the team it was shared with, the administrator; not sales yet.
    assert readers() == {"pmm", "pm", "cmo", "other_pmm", "admin"}
    services.win_promote(user=pmm, win=win, teams=[], sales=True)
    assert readers() == {"pmm", "pm", "cmo", "sales", "admin"}
    services.win_unpromote(user=pmm, win=win)
    assert readers() == set()


# --- Sending by email ----------------------------------------------------------------------------------


def test_send_mails_each_person_once(
    pmm, win, team, other_team, other_pmm, sales_rep, django_capture_on_commit_callbacks
):
    services.win_promote(user=pmm, win=win, teams=[other_team], sales=True)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert services.win_promotion_send(user=pmm, win=win) == 2  # other_pmm and the sales rep
    assert len(callbacks) == 1  # the task, enqueued once the promotion committed
    assert sorted(m.to[0] for m in mail.outbox) == sorted([other_pmm.email, sales_rep.email])
    assert "Won Globex" in mail.outbox[0].subject

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.win_promotion_send(user=pmm, win=win) == 0  # everyone has it
    promotion = WinPromotion.objects.get(win=win)
    assert services.win_promotion_mail(promotion_id=promotion.pk) == 0  # a duplicate task: nothing
    assert mail.outbox == []

    newcomer = UserFactory(role=Role.PMM)
    other_team.members.add(newcomer)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.win_promotion_send(user=pmm, win=win) == 1
    assert [m.to for m in mail.outbox] == [[newcomer.email]]
    assert WinPromotionMail.objects.filter(promotion=promotion).count() == 3


def test_a_withdrawn_promotion_is_not_mailed(pmm, win, sales_rep):
    services.win_promote(user=pmm, win=win, sales=True)
    promotion = WinPromotion.objects.get(win=win)
    services.win_unpromote(user=pmm, win=win)
    assert services.win_promotion_mail(promotion_id=promotion.pk) == 0
    assert mail.outbox == []
    with pytest.raises(ValidationError):
        services.win_promotion_send(user=pmm, win=win)


def test_a_send_the_broker_never_got_is_sent_again_by_the_hourly_sweep(pmm, win, sales_rep, monkeypatch):
    services.win_promote(user=pmm, win=win, sales=True)
    sent: list[tuple] = []
    monkeypatch.setattr(services, "enqueue_on_commit", lambda *args: sent.append(args))
    services.win_promotion_send(user=pmm, win=win, now=at(10, 5, 9))
    promotion = WinPromotion.objects.get(win=win)

    assert services.promotion_mails_recover(now=at(10, 5, 9) + dt.timedelta(minutes=2)) == 0  # give it time
    assert services.promotion_mails_recover(now=at(10, 5, 10)) == 1
    assert sent[-1] == (services.PROMOTION_MAIL_TASK, promotion.pk)
    services.win_promotion_mail(promotion_id=promotion.pk, now=at(10, 5, 11))
    assert services.promotion_mails_recover(now=at(10, 5, 12)) == 0  # done


# --- The report's figure --------------------------------------------------------------------------------


@pytest.fixture
def promotions(pmm, team, other_team, other_pmm):
    """October 2026 (UTC team): what the "promoted" figure must count, worked out by hand.

    - A: promoted 5 Oct, still promoted: counts.
    - B: dated September, promoted 20 Oct: counts (the promotion's month, not the win's).
    - C: promoted 30 Sep: September's, not October's.
    - D: promoted 10 Oct, withdrawn 12 Oct: not standing when October ended.
    - E: promoted 28 Oct, withdrawn 3 Nov (after October): counts for October.
    - F: another team's win promoted in October: not this team's.
    - G: never promoted.
    """
    wins = {
        name: WinFactory(owner=pmm, team=team, title=name, date=day)
        for name, day in {
            "A": dt.date(2026, 10, 2),
            "B": dt.date(2026, 9, 15),
            "C": dt.date(2026, 9, 29),
            "D": dt.date(2026, 10, 9),
            "E": dt.date(2026, 10, 27),
            "G": dt.date(2026, 10, 1),
        }.items()
    }
    services.win_promote(user=pmm, win=wins["A"], sales=True, now=at(10, 5))
    services.win_promote(user=pmm, win=wins["B"], sales=True, now=at(10, 20))
    services.win_promote(user=pmm, win=wins["C"], sales=True, now=at(9, 30))
    services.win_promote(user=pmm, win=wins["D"], sales=True, now=at(10, 10))
    services.win_unpromote(user=pmm, win=wins["D"], now=at(10, 12))
    services.win_promote(user=pmm, win=wins["E"], sales=True, now=at(10, 28))
    theirs = WinFactory(owner=other_pmm, team=other_team, title="F", date=dt.date(2026, 10, 4))
    services.win_promote(user=other_pmm, win=theirs, sales=True, now=at(10, 6))
    return wins


def test_the_report_counts_the_wins_promoted_in_the_month(promotions, team, pmm, client):
    board = report_selectors.dashboard(teams=[team], month=OCTOBER)
    assert board["figures"]["promoted"] == 3  # A, B, E
    assert board["figures"]["wins"] == 4  # A, D, E, G are dated October
    assert [p["promoted"] for p in board["people"] if p["id"] == pmm.pk] == [3]

    # Before E is withdrawn, the feed of October says the same as the report.
    client.force_login(pmm)
    feed = client.get("/api/v1/wins/feed/?month=2026-10").json()
    assert feed["count"] == 3
    assert {row["title"] for row in feed["results"]} == {"A", "B", "E"}


def test_a_past_month_keeps_its_promoted_figure(promotions, team, pmm):
    report = report_services.report_produce_now(team=team, month=OCTOBER, mail=False)
    assert report.data["figures"]["promoted"] == 3

    services.win_unpromote(user=pmm, win=promotions["E"], now=at(11, 3))  # after October ended
    services.win_promote(user=pmm, win=promotions["D"], sales=True, now=at(11, 4))

    again = report_services.report_produce_now(team=team, month=OCTOBER, mail=False)
    assert again.version == 1  # nothing of October changed: no new version
    assert again.data["figures"]["promoted"] == 3
    november = report_selectors.dashboard(teams=[team], month=dt.date(2026, 11, 1))
    assert november["figures"]["promoted"] == 1  # D, promoted again in November


def test_the_figure_is_on_the_report_page_and_in_the_pdf_context(promotions, team, cmo, client):
    report = report_services.report_produce_now(team=team, month=OCTOBER, mail=False)
    client.force_login(cmo)
    html = client.get(f"/reporting/reports/{report.pk}/").content.decode()
    assert "wins (3 promoted)" in html
    dashboard = client.get("/reporting/?team=core-platform&month=2026-10").content.decode()
    assert "wins (3 promoted)" in dashboard
    api = client.get(f"/api/v1/reports/{report.pk}/").json()
    assert api["data"]["figures"]["promoted"] == 3
    assert client.get(f"/reporting/reports/{report.pk}/report.pdf").status_code == 200


def test_an_older_snapshot_without_the_figure_shows_a_dash(promotions, team, cmo, client):
    report = report_services.report_produce_now(team=team, month=OCTOBER, mail=False)
    data = dict(report.data)
    data["figures"] = {k: v for k, v in data["figures"].items() if k != "promoted"}
    data.pop("learning_log")
    type(report).objects.filter(pk=report.pk).update(data=data)
    client.force_login(cmo)
    html = client.get(f"/reporting/reports/{report.pk}/").content.decode()
    assert "wins (— promoted)" in html
    assert client.get(f"/reporting/reports/{report.pk}/report.pdf").status_code == 200


# --- Pages and API ---------------------------------------------------------------------------------------


def test_sales_reads_the_feed_page_and_api(client, api_client, pmm, win, sales_rep):
    services.win_promote(
        user=pmm, win=win, sales=True, headline="Lead with the objection", quote="They got us."
    )
    client.force_login(sales_rep)
    html = client.get("/initiatives/wins/feed/").content.decode()
    assert "Won Globex" in html
    assert "Lead with the objection" in html
    assert "They got us." in html
    assert client.get("/initiatives/wins/").status_code == 403  # the team's own list stays the team's
    api_client.force_login(sales_rep)
    assert api_client.get("/api/v1/wins/feed/").json()["count"] == 1
    assert api_client.get("/api/v1/wins/").status_code == 403
    assert api_client.get(f"/api/v1/wins/{win.pk}/").status_code == 403


def test_the_feed_filters_searches_and_says_when_empty(client, pmm, team, sales_rep):
    for title, when in (("Won Acme", at(10, 5)), ("Won Globex", at(11, 5))):
        services.win_promote(
            user=pmm, win=WinFactory(owner=pmm, team=team, title=title), sales=True, now=when
        )
    client.force_login(sales_rep)
    assert "Won Acme" not in client.get("/initiatives/wins/feed/?month=2026-11").content.decode()
    assert "Won Acme" in client.get("/initiatives/wins/feed/?q=acme").content.decode()
    assert "No promoted win matches" in client.get("/initiatives/wins/feed/?q=zzz").content.decode()
    client.force_login(UserFactory(role=Role.PM))  # on no team: nothing is shared with them
    assert "No win shared with you yet" in client.get("/initiatives/wins/feed/").content.decode()


def test_a_pmm_promotes_sends_and_withdraws_from_the_pages(
    client, pmm, win, other_team, other_pmm, django_capture_on_commit_callbacks
):
    client.force_login(pmm)
    assert client.get(f"/initiatives/wins/{win.pk}/promote/").status_code == 200
    response = client.post(
        f"/initiatives/wins/{win.pk}/promote/", {"teams": [other_team.pk], "headline": "Share it"}
    )
    assert response.status_code == 302
    win.refresh_from_db()
    assert win.is_promoted
    assert list(win.shared_with.all()) == [other_team]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/initiatives/wins/{win.pk}/send/")
    assert [m.to for m in mail.outbox] == [[other_pmm.email]]
    assert "Send by email" in client.get("/initiatives/wins/").content.decode()
    client.post(f"/initiatives/wins/{win.pk}/unpromote/")
    win.refresh_from_db()
    assert not win.is_promoted


def test_promoting_without_an_audience_is_a_form_error(client, pmm, win):
    client.force_login(pmm)
    response = client.post(f"/initiatives/wins/{win.pk}/promote/", {"headline": "x"})
    assert response.status_code == 400
    assert "Pick who hears of it" in response.content.decode()


def test_only_the_owner_promotes(client, pm, cmo, other_pmm, sales_rep, win):
    for someone, code in ((pm, 403), (cmo, 403), (other_pmm, 404), (sales_rep, 403)):
        client.force_login(someone)
        assert client.post(f"/initiatives/wins/{win.pk}/promote/", {"sales": "on"}).status_code == code
    assert not Win.objects.get(pk=win.pk).is_promoted


def test_the_api_promotes_withdraws_and_sends(
    api_client, pmm, win, other_team, sales_rep, django_capture_on_commit_callbacks
):
    api_client.force_login(pmm)
    response = api_client.post(
        f"/api/v1/wins/{win.pk}/promote/", {"teams": [other_team.pk], "sales": True}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["shared_with"] == [other_team.pk]
    assert body["shared_with_sales"]
    assert body["promoted_at"]
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(f"/api/v1/wins/{win.pk}/send/")
    assert response.status_code == 202
    assert response.json() == {"recipients": 2}
    assert api_client.post(f"/api/v1/wins/{win.pk}/unpromote/").json()["promoted_at"] is None
    assert api_client.post(f"/api/v1/wins/{win.pk}/unpromote/").status_code == 400
    bad = api_client.post(f"/api/v1/wins/{win.pk}/promote/", {"teams": ["nope"]}, format="json")
    assert bad.status_code == 400


def test_the_schema_documents_promotion_and_the_feed(api_client, pmm):
    api_client.force_login(pmm)
    schema = api_client.get("/api/schema/?format=json").json()
    for path in (
        "/api/v1/wins/{id}/promote/",
        "/api/v1/wins/{id}/unpromote/",
        "/api/v1/wins/{id}/send/",
        "/api/v1/wins/feed/",
        "/api/v1/learnings/",
        "/api/v1/learnings/{id}/",
    ):
        assert path in schema["paths"], path


# --- Queries ---------------------------------------------------------------------------------------------


def _promoted(size, pmm, team, other_team):
    for n in range(size):
        win = WinFactory(owner=pmm, team=team, title=f"Win {size}-{n}")
        services.win_promote(user=pmm, win=win, teams=[team, other_team], sales=True, now=at(10, 5))


# Session, user, then: the count, the page of wins with owner, team and who promoted them, the
# teams they are shared with; the page's team filter lists the teams and its switch reads whether the
# reader gets wins by email (two more queries).
FEED_QUERIES = {"/initiatives/wins/feed/": 7, "/api/v1/wins/feed/": 5}


@pytest.mark.parametrize("path", list(FEED_QUERIES))
def test_the_feed_reads_the_same_for_3_or_30_wins(client, pmm, team, other_team, sales_rep, path):
    _promoted(3, pmm, team, other_team)
    client.force_login(sales_rep)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    small = count()
    _promoted(30, pmm, team, other_team)
    assert (small, count()) == (FEED_QUERIES[path], FEED_QUERIES[path])
    assert selectors.wins_feed(user=sales_rep).count() == 33


def test_the_teams_wins_list_filters_by_promotion(client, cmo, pmm, team):
    services.win_promote(user=pmm, win=WinFactory(owner=pmm, team=team, title="Shouted"), sales=True)
    WinFactory(owner=pmm, team=team, title="Quiet")
    client.force_login(cmo)
    promoted = client.get("/initiatives/wins/?promoted=yes").content.decode()
    assert "Shouted" in promoted
    assert "Quiet" not in promoted
    assert "Shouted" not in client.get("/initiatives/wins/?promoted=no").content.decode()
    assert [w["title"] for w in client.get("/api/v1/wins/?promoted=yes").json()["results"]] == ["Shouted"]


def test_every_win_mail_has_a_one_click_unsubscribe_and_the_feed_turns_mails_back_on(
    client, pmm, win, sales_rep, django_capture_on_commit_callbacks
):
    from django.test import Client

    services.win_promote(user=pmm, win=win, sales=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.win_promotion_send(user=pmm, win=win)
    (message,) = [m for m in mail.outbox if m.to == [sales_rep.email]]
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in message.body
    path = link[link.index("/initiatives/") :]
    anonymous = Client(enforce_csrf_checks=True)  # as a mail client posts: no session, no CSRF token
    assert "Stop the emails that share <strong>promoted wins</strong>" in anonymous.get(path).content.decode()
    assert anonymous.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert not services.wants_win_mails(sales_rep)
    assert anonymous.post(path[:-3] + "xx/").status_code == 400  # a tampered link changes nothing

    # The next promotion skips them; the feed says so and turns the mails back on.
    other = WinFactory(team=win.team, owner=pmm, title="Won Initech")
    services.win_promote(user=pmm, win=other, sales=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.win_promotion_send(user=pmm, win=other)
    assert sales_rep.email not in [m.to[0] for m in mail.outbox]
    client.force_login(sales_rep)
    assert "Email me new wins" in client.get("/initiatives/wins/feed/").content.decode()
    client.post("/initiatives/wins/feed/mails/", {"wanted": "on"})
    assert services.wants_win_mails(sales_rep)
    assert "Stop wins by email" in client.get("/initiatives/wins/feed/").content.decode()

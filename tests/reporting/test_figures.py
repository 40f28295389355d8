"""Every dashboard and report figure against the hand-built October in conftest.py."""

import pytest

from reporting import selectors
from tests.reporting.conftest import OCTOBER

pytestmark = pytest.mark.usefixtures("october")


@pytest.fixture
def board(team):
    return selectors.dashboard(teams=[team], month=OCTOBER)


def person(board, username_first_name):
    return next(p for p in board["people"] if p["name"].startswith(username_first_name))


def test_time_split_of_each_pmm(board):
    priya = person(board, "Priya")
    # Priya: top 3 = 10 + 6 + 8 = 24 h; backlog initiative 5; requests 4 + 2 = 6;
    # customer 2, meetings 3, other 5 -> 45 h. The September week does not count.
    assert priya["hours"] == {
        "top3": 24.0,
        "initiative_other": 5.0,
        "request": 6.0,
        "customer": 2.0,
        "meetings": 3.0,
        "other": 5.0,
    }
    assert priya["total_hours"] == 45.0
    assert priya["top3_share"] == pytest.approx(24 / 45)
    assert priya["one_off_share"] == pytest.approx(6 / 45)  # 13.3 %: within 10–15 %
    assert priya["one_off_band_state"] == "within"
    assert priya["other_share"] == pytest.approx(15 / 45)
    zoe = person(board, "Zoe")
    assert zoe["total_hours"] == 20.0
    assert zoe["one_off_share"] == pytest.approx(0.5)
    assert zoe["one_off_band_state"] == "above"


def test_team_time_split_ignores_other_teams(board):
    figures = board["figures"]
    assert figures["total_hours"] == 65.0  # 45 + 20; the other team's 30 h do not count
    assert figures["top3_share"] == pytest.approx(34 / 65)
    assert figures["one_off_share"] == pytest.approx(16 / 65)  # 24.6 %: above the band
    assert figures["one_off_band_state"] == "above"


def test_top3_status_counts(board):
    assert board["figures"]["top3"] == {"on_track": 1, "at_risk": 1, "off_track": 1, "done": 1, "dropped": 0}
    assert person(board, "Priya")["top3"]["done"] == 1
    assert person(board, "Zoe")["top3"]["off_track"] == 1


def test_request_volume_turnaround_and_reuse(board):
    requests = board["figures"]["requests"]
    # Received in October: R1, R2, R4 (reused), R5 (declined); R3 came in September, R6 in November.
    assert requests["received"] == 4
    # Delivered in October: R1 (4 days), R2 (10 days), R3 (8 days) -> median 8.
    assert requests["delivered"] == 3
    assert requests["median_turnaround_days"] == 8.0
    # On time: R1 (due 6 Oct, delivered 5 Oct) and R3; R2 was due 15 Oct, delivered 20 Oct.
    assert requests["on_time"] == 2
    assert requests["reused"] == 1
    assert requests["declined"] == 1
    assert requests["reuse_rate"] == pytest.approx(1 / 4)
    # Triaged in October: R1 (4, 2), R2 (2, 4), R5 (1, 1).
    assert requests["avg_reusability"] == pytest.approx(2.33)
    assert requests["avg_educational_value"] == pytest.approx(2.33)


def test_request_figures_per_pmm(board):
    priya = person(board, "Priya")["requests"]
    assert (priya["received"], priya["delivered"], priya["on_time"]) == (2, 2, 1)
    assert priya["median_turnaround_days"] == 7.0  # 4 and 10 days
    assert (priya["avg_reusability"], priya["avg_educational_value"]) == (3.0, 3.0)
    zoe = person(board, "Zoe")["requests"]
    assert (zoe["received"], zoe["delivered"], zoe["declined"]) == (1, 1, 1)
    assert zoe["median_turnaround_days"] == 8.0


def test_customer_time_wins_and_stale_personas(board):
    assert board["figures"]["interactions"] == 2  # the 30 September interview does not count
    assert board["figures"]["customer_minutes"] == 90
    assert person(board, "Priya")["interactions"] == 2
    assert board["figures"]["wins"] == 2  # the 1 November win does not count
    assert person(board, "Zoe")["wins"] == 1
    assert board["stale_personas"] == 1  # "Old CFO"; the retired one is never stale


def test_trends(board):
    split = {row["month"]: row for row in board["trends"]["time_split"]}
    assert len(split) == 12
    assert split["2026-10-01"]["top3"] == 34.0
    # The week of Monday 21 September counts in September, where A was not in the top 3.
    assert split["2026-09-01"]["initiative_other"] == 20.0
    assert split["2026-09-01"]["top3"] == 0.0
    weekly = {row["week"]: row for row in board["trends"]["weekly_requests"]}
    assert weekly["2026-09-28"] == {"week": "2026-09-28", "in": 1, "delivered": 1}  # R1 in, R3 out
    assert sum(row["in"] for row in weekly.values()) == 5  # R3 (Sep 25) + the four October ones
    by_type = {row["type"]: row["count"] for row in board["trends"]["requests_by_type"]}
    assert by_type["Slides"] == 3
    assert by_type["Datasheet"] == 1


def test_all_my_teams_adds_the_teams_up(team, other_team, other_pmm):
    board = selectors.dashboard(teams=[team, other_team], month=OCTOBER)
    assert board["figures"]["total_hours"] == 95.0  # 65 + the other team's 30
    assert {p["name"].split()[0] for p in board["people"]} == {"Priya", "Zoe", "Olga"}
    assert board["figures"]["requests"]["received"] == 5


def test_month_snapshot_lists_the_month(team):
    snapshot = selectors.month_snapshot(team=team, month=OCTOBER)
    assert [w["title"] for w in snapshot["wins"]] == ["Analyst mention", "Acme renewal"]  # newest first
    # "Received this month" lists exactly the received figure: R1, R2, R4, R5 (R3 came on 25 September).
    assert len(snapshot["requests"]) == snapshot["figures"]["requests"]["received"] == 4
    # R3, received in September and delivered on 3 October, is in the second table.
    assert [r["delivered"] for r in snapshot["requests_closed_earlier"]] == ["2026-10-03"]
    assert {i["account"] for i in snapshot["interactions"]} == {"Acme", "Globex"}
    stale = [p["name"] for p in snapshot["personas"] if p["stale"]]
    assert stale == ["Old CFO"]
    assert {r["pmm"] for r in snapshot["reviews"]} == {"Priya Mehta", "Zoe Zhang"}

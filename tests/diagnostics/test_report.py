"""The monthly review report's diagnostic section: the latest round closed by the month's end."""

import datetime as dt

from django.urls import reverse

from diagnostics import services
from diagnostics.models import DiagnosticRound
from reporting.selectors import month_snapshot
from tests.diagnostics.conftest import answer_all


def _close_at(round, cmo, when):
    services.round_close(actor=cmo, round=round)
    DiagnosticRound.objects.filter(pk=round.pk).update(closed_at=when)


def test_the_report_shows_the_round_closed_by_the_months_end_and_ignores_later_ones(team, cmo, pmm, pm):
    team.time_zone = "UTC"
    team.save(update_fields=["time_zone"])
    october = services.round_open(actor=cmo, team=team, title="October round", participants=[pmm, pm])
    answer_all(october, pm, "pm", 2)
    answer_all(october, pmm, "pmm", 2)
    _close_at(october, cmo, dt.datetime(2026, 10, 20, 12, tzinfo=dt.UTC))
    november = services.round_open(actor=cmo, team=team, title="November round", participants=[pmm, pm])
    answer_all(november, pm, "pmm", 4)
    answer_all(november, pmm, "pmm", 4)
    _close_at(november, cmo, dt.datetime(2026, 11, 3, 9, tzinfo=dt.UTC))

    section = month_snapshot(team=team, month=dt.date(2026, 10, 1))["diagnostic"]
    assert section["title"] == "October round"
    assert section["closed_on"] == "2026-10-20"
    assert sorted(section["participants"]) == sorted([pmm.display_name, pm.display_name])
    counts = {flag["kind"]: flag["count"] for flag in section["flags"]}
    assert counts["weak"] == section["responsibilities"]
    assert counts["blurred"] == section["responsibilities"]
    assert section["top"]
    assert "Weak" in section["top"][0]["flags"]
    assert month_snapshot(team=team, month=dt.date(2026, 11, 1))["diagnostic"]["title"] == "November round"
    assert month_snapshot(team=team, month=dt.date(2026, 9, 1))["diagnostic"] is None
    assert month_snapshot(team=team, month=dt.date(2026, 10, 1))["schema"] >= 5


def test_the_report_page_shows_the_section(client, team, cmo, pmm, pm):
    from reporting.services import report_produce_now

    round = services.round_open(
        actor=cmo, team=team, title="Diagnostic for the report", participants=[pmm, pm]
    )
    answer_all(round, pm, "nobody", 1)
    answer_all(round, pmm, "nobody", 2)
    _close_at(round, cmo, dt.datetime(2026, 10, 20, 12, tzinfo=dt.UTC))
    report = report_produce_now(team=team, month=dt.date(2026, 10, 1), mail=False)
    client.force_login(cmo)
    page = client.get(reverse("reporting:report", args=[report.pk])).content.decode()
    assert "Functional diagnostic" in page
    assert "Diagnostic for the report" in page
    assert "Unowned" in page

"""The leader's summary and a sending's note have length limits that the database keeps too."""

import pytest
from django.db import IntegrityError, transaction

from reporting.forms import SummaryForm
from reporting.models import (
    MESSAGE_TEXT,
    SUMMARY_TEXT,
    MonthlyReport,
    ReportSending,
    ReportStatus,
    ReportVersion,
)
from tests.reporting.conftest import OCTOBER


@pytest.fixture
def report(team):
    return MonthlyReport.objects.create(
        team=team, month=OCTOBER, status=ReportStatus.READY, version=1, data={}
    )


def test_a_summary_over_the_limit_is_refused_with_a_message():
    form = SummaryForm({"summary": "x" * (SUMMARY_TEXT + 1)})

    assert not form.is_valid()
    assert form.errors["summary"] == [
        f"Ensure this value has at most {SUMMARY_TEXT} characters (it has {SUMMARY_TEXT + 1})."
    ]


@pytest.mark.parametrize(
    ("make", "field", "limit"),
    [
        (lambda report: report, "summary", SUMMARY_TEXT),
        (
            lambda report: ReportVersion.objects.create(report=report, number=1, kind="generated"),
            "summary",
            SUMMARY_TEXT,
        ),
        (
            lambda report: ReportSending.objects.create(
                report=report, version=1, recipients=["a@example.com"]
            ),
            "message",
            MESSAGE_TEXT,
        ),
    ],
    ids=["report summary", "version summary", "sending message"],
)
def test_the_database_refuses_text_over_the_limit(report, make, field, limit):
    obj = make(report)
    model = type(obj)
    model.objects.filter(pk=obj.pk).update(**{field: "x" * limit})  # at the limit: fine
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=obj.pk).update(**{field: "x" * (limit + 1)})

"""Participants are told: invited to answer when a round opens, sent the results when it closes,
each once, whatever the task's deliveries."""

import pytest
from django.core import mail
from django.urls import reverse

from diagnostics import services
from diagnostics.models import Participant

from .conftest import answer_all

pytestmark = pytest.mark.django_db


def test_opening_a_round_invites_each_participant_once(
    cmo, pmm, pm, sales_rep, team, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        round = services.round_open(
            actor=cmo, team=team, title="Q3 diagnostic", participants=[pmm, pm, sales_rep]
        )
    assert sorted(m.to[0] for m in mail.outbox) == sorted([pmm.email, pm.email, sales_rep.email])
    invite = next(m for m in mail.outbox if m.to == [sales_rep.email])
    assert "Q3 diagnostic" in invite.subject
    assert reverse("diagnostics:answer", args=[round.pk]) in invite.body
    # The task delivered again, and the hourly sweep: nobody is mailed twice.
    assert services.participants_mail(round_id=round.pk) == 0
    assert services.participants_mail_sweep() == 0
    assert len(mail.outbox) == 3


def test_closing_a_round_sends_the_results_once(cmo, pmm, pm, team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        round = services.round_open(actor=cmo, team=team, title="Q3 diagnostic", participants=[pmm, pm])
    answer_all(round, pmm, "pmm", 4)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.round_close(actor=cmo, round=round)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([pmm.email, pm.email])
    assert all("Results of" in m.subject for m in mail.outbox)
    assert reverse("diagnostics:round", args=[round.pk]) in mail.outbox[0].body
    assert services.participants_mail(round_id=round.pk) == 0
    assert len(mail.outbox) == 2


def test_mails_a_broker_outage_held_back_go_out_with_the_sweep(cmo, pmm, pm, team):
    # No on-commit execution: the enqueue never happened (as with the broker down).
    round = services.round_open(actor=cmo, team=team, title="Q3 diagnostic", participants=[pmm, pm])
    assert not mail.outbox
    assert Participant.objects.filter(round=round, invited_at__isnull=True).count() == 2
    assert services.participants_mail(round_id=round.pk) == 2
    assert Participant.objects.filter(round=round, invited_at__isnull=True).count() == 0
    assert services.participants_mail_sweep() == 0

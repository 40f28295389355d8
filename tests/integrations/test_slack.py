"""Slack and Teams: channel posts in each one's format, Slack's signature checked before anything of
the call is read (good, bad, stale), and ``/pmm-request`` filing a request for the rep Slack's
directory names (the directory is the test's own HTTP receiver)."""

import json
import time
from urllib.parse import urlencode

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from initiatives import services as initiative_services
from integrations import services, slack
from integrations.models import Delivery, EndpointKind, Event
from requests_queue.models import Request, RequestType

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


@pytest.fixture
def slack_app(settings, receiver, sales_rep):
    settings.SLACK_SIGNING_SECRET = SECRET
    settings.SLACK_BOT_TOKEN = "xoxb-test"
    settings.SLACK_API_URL = f"{receiver.url}/api"
    settings.SLACK_RESPONSE_HOSTS = ["127.0.0.1"]
    receiver.slack_users["U_SALES"] = sales_rep.email.upper()  # matched case-insensitively
    return settings


def _post(client, path, body: str, *, timestamp=None, secret=SECRET, signature=None):
    timestamp = str(int(time.time())) if timestamp is None else str(timestamp)
    signature = signature or slack.signature(secret=secret, timestamp=timestamp, body=body.encode())
    return client.generic(
        "POST",
        path,
        body.encode(),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_SLACK_REQUEST_TIMESTAMP=timestamp,
        HTTP_X_SLACK_SIGNATURE=signature,
    )


def _command(text, user="U_SALES"):
    return urlencode({"command": "/pmm-request", "text": text, "user_id": user, "user_name": "sam"})


def test_a_signed_slash_command_files_a_request_for_the_matched_rep(slack_app, client, sales_rep, product):
    response = _post(
        client, "/integrations/slack/commands/", _command("Battlecard against Northwind for Acme on Atlas")
    )
    assert response.status_code == 200
    request = Request.objects.get()
    assert (request.requester, request.product, request.type) == (
        sales_rep,
        product,
        RequestType.COMPETITIVE_INTEL,
    )
    assert request.title == "Battlecard against Northwind for Acme on Atlas"
    assert request.needed_by > timezone.localdate()
    answer = response.json()
    assert answer["response_type"] == "ephemeral"
    assert request.get_absolute_url() in answer["text"]


def test_without_a_product_the_command_answers_with_the_prefilled_form(slack_app, client, product, sales_rep):
    response = _post(client, "/integrations/slack/commands/", _command("Pricing help for Initech"))
    assert not Request.objects.exists()
    text = response.json()["text"]
    assert "/requests/new/?title=Pricing+help+for+Initech" in text
    client.force_login(sales_rep)
    form = client.get("/requests/new/?title=Pricing+help+for+Initech")
    assert 'value="Pricing help for Initech"' in form.content.decode()


def test_an_unknown_slack_user_gets_the_form_link_and_nothing_is_created(slack_app, client, product):
    response = _post(client, "/integrations/slack/commands/", _command("Deck for Atlas", user="U_NOBODY"))
    assert response.status_code == 200
    assert "could not match" in response.json()["text"]
    assert not Request.objects.exists()


@pytest.mark.parametrize(
    ("case", "kwargs"),
    [
        ("bad signature", {"signature": "v0=" + "0" * 64}),
        ("other secret", {"secret": "not-the-secret"}),
        ("stale timestamp", {"timestamp": -6 * 60}),  # seconds from now, read when the test runs
        ("future timestamp", {"timestamp": 6 * 60}),
        ("words for a timestamp", {"timestamp": "yesterday"}),
    ],
)
def test_an_unsigned_or_replayed_call_is_refused_with_401(slack_app, client, product, case, kwargs):
    if isinstance(kwargs.get("timestamp"), int):  # not at collection: a slow run would bring it back in range
        kwargs = {**kwargs, "timestamp": int(time.time()) + kwargs["timestamp"]}
    response = _post(client, "/integrations/slack/commands/", _command("Deck for Atlas"), **kwargs)
    assert response.status_code == 401, case
    assert not Request.objects.exists()


def test_without_a_signing_secret_every_call_is_refused(settings, client):
    settings.SLACK_SIGNING_SECRET = ""
    assert _post(client, "/integrations/slack/commands/", _command("x"), secret="").status_code == 401
    assert client.get("/integrations/slack/commands/").status_code == 405


def test_the_signature_is_checked_on_the_raw_body(slack_app):
    body = b"token=x&text=hello+world"
    now = int(time.time())
    good = slack.signature(secret=SECRET, timestamp=str(now), body=body)
    assert slack.signature_valid(secret=SECRET, timestamp=str(now), given=good, body=body)
    assert not slack.signature_valid(secret=SECRET, timestamp=str(now), given=good, body=body + b"&x=1")
    assert not slack.signature_valid(secret=SECRET, timestamp=str(now), given=good, body=body, now=now + 301)
    assert slack.signature_valid(secret=SECRET, timestamp=str(now), given=good, body=body, now=now + 299)


def test_send_to_pmm_files_the_message_and_answers_in_slack(
    slack_app, client, receiver, sales_rep, product, django_capture_on_commit_callbacks
):
    payload = {
        "type": "message_action",
        "callback_id": "send_to_pmm",
        "user": {"id": "U_SALES"},
        "message": {
            "text": "Can someone send a datasheet for Atlas?\nThe CIO asked twice.",
            "permalink": "https://x.slack.com/p1",
        },
        "response_url": f"{receiver.url}/actions/T1/123/abc",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, "/integrations/slack/actions/", urlencode({"payload": json.dumps(payload)}))
    assert response.status_code == 200
    request = Request.objects.get()
    assert request.title == "Can someone send a datasheet for Atlas?"
    assert request.type == RequestType.DATASHEET
    assert "The CIO asked twice." in request.details
    assert "https://x.slack.com/p1" in request.details
    [answer] = [r for r in receiver.posts() if r.path.startswith("/actions/")]
    assert answer.json["response_type"] == "ephemeral"
    assert request.get_absolute_url() in answer.json["text"]


def test_a_malformed_action_is_a_400(slack_app, client):
    assert _post(client, "/integrations/slack/actions/", urlencode({"payload": "{nope"})).status_code == 400
    assert _post(client, "/integrations/slack/actions/", urlencode({"payload": "[]"})).status_code == 400


def test_a_promoted_win_is_posted_to_slack_with_blocks(slack_channel, receiver, pmm, team):
    win = initiative_services.win_create(
        user=pmm, title="Acme <signed>", impact="Big", date=timezone.localdate()
    )
    initiative_services.win_promote(user=pmm, win=win, sales=True, headline="Acme chose us over Northwind")
    delivery = Delivery.objects.get(endpoint=slack_channel)
    assert delivery.event == Event.WIN_PROMOTED  # the channel does not hear "win recorded"
    assert services.delivery_attempt(delivery_uuid=str(delivery.uuid)) == services.SENT
    [post] = receiver.posts()
    assert post.path == "/services/T000/B000/XXXX"
    assert "x-pmm-signature" not in post.headers
    assert post.json["text"].startswith("Win: Acme chose us over Northwind")
    section = post.json["blocks"][0]
    assert section["type"] == "section"
    assert section["text"]["type"] == "mrkdwn"
    assert "/initiatives/wins/feed/" in section["text"]["text"]


def test_a_teams_channel_gets_a_message_card(cmo, team, receiver, sales_rep, product):
    channel = services.endpoint_create(
        actor=cmo,
        kind=EndpointKind.TEAMS,
        name="PMM",
        url=f"{receiver.url}/webhookb2/x",
        events=["request.created"],
        team=team,
    )
    from integrations import events
    from requests_queue.models import EventKind, RequestEvent
    from tests.factories import RequestFactory

    request = RequestFactory(requester=sales_rep, product=product, team=team, title="Slides for Acme")
    event = RequestEvent.objects.create(
        request=request, kind=EventKind.SUBMITTED, actor=sales_rep, to_status="new"
    )
    events.request_event_publish(event_id=event.pk)
    delivery = Delivery.objects.get(endpoint=channel)
    assert services.delivery_attempt(delivery_uuid=str(delivery.uuid)) == services.SENT
    card = receiver.posts()[0].json
    assert card["@type"] == "MessageCard"
    assert card["title"] == "New request: Slides for Acme"
    assert card["potentialAction"][0]["targets"][0]["uri"].endswith(request.get_absolute_url())


def test_a_channel_hears_only_channel_events(cmo, team, receiver):
    with pytest.raises(ValidationError) as error:
        services.endpoint_create(
            actor=cmo, kind=EndpointKind.SLACK, name="x", url=receiver.url, events=["report.ready"], team=team
        )
    assert "events" in error.value.message_dict

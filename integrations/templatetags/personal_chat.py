"""``{% personal_chat_card %}``: a person's own Slack or Teams address on their notification preferences.

The preferences page belongs to the requests queue, below this app: it shows the card through this
tag, so no Python of the queue reaches up into integrations.
"""

from typing import Any

from django import template

from pmm_portal.core.models import User

from .. import selectors
from ..forms import PersonalChannelForm

register = template.Library()


def personal_chat_context(user: User, form: PersonalChannelForm | None = None) -> dict[str, Any]:
    """What the card shows: ``user``'s address (if any), the form to set it, and their latest posts."""
    endpoint = selectors.personal_channel(user=user)
    if form is None:
        initial = {"kind": endpoint.kind, "url": endpoint.url} if endpoint else {}
        form = PersonalChannelForm(initial=initial)
    return {
        "chat_endpoint": endpoint,
        "chat_form": form,
        "chat_deliveries": selectors.personal_deliveries(user=user) if endpoint else [],
    }


@register.inclusion_tag("integrations/_personal_chat.html", takes_context=True)
def personal_chat_card(context: template.Context) -> dict[str, Any]:
    return {**personal_chat_context(context["request"].user), "csrf_token": context.get("csrf_token")}

"""What a request arriving by email or chat is about, guessed from its words and left for triage.

One place for the guesses every channel makes (the email intake, Slack's ``/pmm-request``):
the type from the words that name it, the product from its name or slug written as a word.
"""

import re

from django.db.models import QuerySet

from pmm_portal.core.models import Product

from ..models import RequestType

TYPE_WORDS = (
    (r"battle ?card|competit|versus|\bvs\.?\b", RequestType.COMPETITIVE_INTEL),
    (r"pric|proposal|quote|discount", RequestType.PRICING),
    (r"slide|deck|presentation", RequestType.SLIDES),
    (r"e-?mail template|email copy|sequence", RequestType.EMAIL_TEMPLATE),
    (r"script|talk track", RequestType.CALL_SCRIPT),
    (r"data ?sheet|one-?pager", RequestType.DATASHEET),
    (r"\bcall\b|meeting|demo", RequestType.CUSTOMER_CALL),
)


def guess_type(text: str) -> str:
    """The request type the words suggest, else ``other``."""
    lowered = text.lower()
    return next((kind for pattern, kind in TYPE_WORDS if re.search(pattern, lowered)), RequestType.OTHER)


def products_named(text: str, products: QuerySet[Product]) -> list[Product]:
    """The products of ``products`` that ``text`` names by name or slug, as a word."""
    lowered = f" {text.lower()} "
    return [
        product
        for product in products.select_related("team").order_by("pk")
        if re.search(
            rf"(?<![\w-])({re.escape(product.name.lower())}|{re.escape(product.slug.lower())})(?![\w-])",
            lowered,
        )
    ]


def guess_product(text: str, products: QuerySet[Product] | None = None) -> Product | None:
    """The one product the text names (None when it names none or several)."""
    found = products_named(text, products if products is not None else Product.objects.all())
    return found[0] if len(found) == 1 else None

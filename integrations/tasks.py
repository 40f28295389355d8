"""Celery tasks of integrations: they take ids, call a service and are safe to run twice.

The schedules (the sweep, SLA breaches) are in ``pmm_portal/celery.py``.
"""

from celery import shared_task

from . import services


@shared_task(name="integrations.deliver", acks_late=True)
def deliver(delivery_uuid: str) -> str:
    """One attempt of one delivery; a failure schedules the next one itself (backoff in the row)."""
    return services.delivery_attempt(delivery_uuid=delivery_uuid)


@shared_task(name="integrations.sweep_deliveries", acks_late=True)
def sweep_deliveries() -> int:
    """Every minute: deliveries whose publish failed or whose worker died go out again."""
    return services.deliveries_sweep()


@shared_task(name="integrations.publish_sla_breaches", acks_late=True)
def publish_sla_breaches() -> int:
    """Hourly: requests newly past their service level, to the channels that hear it."""
    return services.sla_breaches_publish()


@shared_task(name="integrations.slack_respond", acks_late=True)
def slack_respond(response_url: str, text: str) -> bool:
    """The answer to a Slack message action, posted to its ``response_url``."""
    return services.slack_respond(response_url=response_url, text=text)

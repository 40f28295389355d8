"""Background work of the requests queue: notifications (through the outbox), snoozes, priorities,
asset review reminders.

Tasks take ids, call a service and are idempotent; the schedules are in ``pmm_portal/celery.py``.
"""

from celery import shared_task

from integrations import events as integration_events

from . import services


@shared_task(
    name="requests_queue.notify_event",
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
)
def notify_event(event_id: int) -> int:
    """In-app notifications and one mail per recipient for a request event (safe to run twice); the
    event published to the webhooks, Slack and Teams channels that hear it (once per endpoint); and
    the notices of those who chose Slack or Teams posted to their own address (once per notice)."""
    integration_events.request_event_publish(event_id=event_id)
    sent = services.event_notify(event_id=event_id)
    integration_events.request_notifications_publish(event_id=event_id)
    return sent


@shared_task(name="requests_queue.dispatch_outbox", acks_late=True)
def dispatch_outbox() -> int:
    """Re-enqueue notifications whose first enqueue failed (the broker was down)."""
    return services.outbox_dispatch()


@shared_task(name="requests_queue.wake_snoozed", acks_late=True)
def wake_snoozed() -> int:
    """Bring snoozed requests whose date has come back to the queue."""
    return services.request_wake_snoozed()


@shared_task(name="requests_queue.refresh_priorities", acks_late=True)
def refresh_priorities() -> int:
    """Recompute open requests' priority: urgency grows as needed-by dates approach."""
    return services.request_refresh_priorities()


@shared_task(name="requests_queue.send_digests", acks_late=True)
def send_digests() -> int:
    """Every hour: the daily digests of the people whose digest hour it is where they are."""
    return services.digests_send()


@shared_task(name="requests_queue.send_asset_review_reminders", acks_late=True)
def send_asset_review_reminders() -> int:
    """Daily: owners of assets due for review within a week, or overdue (each once per period)."""
    return services.asset_review_reminders_send()

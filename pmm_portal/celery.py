"""The Celery app. Every periodic schedule of the portal is declared here, in one place."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmm_portal.settings.local")

app = Celery("pmm_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# All periodic work, in one place. Tasks that must happen in a team's own time
# zone run hourly and decide per team whether their moment has come.
app.conf.beat_schedule = {
    # Last month's report for each team, on the 1st at 06:00 in the team's time zone.
    "generate-due-monthly-reports": {
        "task": "reporting.generate_due_reports",
        "schedule": crontab(minute=5),
    },
    # Reports whose worker died: queued again within a minute or two (or failed after a few tries).
    "reporting-recover-stuck-reports": {
        "task": "reporting.recover_stuck_reports",
        "schedule": 60.0,
    },
    "clear-expired-sessions": {
        "task": "core.clear_expired_sessions",
        "schedule": crontab(minute=17, hour=3),
    },
    # Time by Monday noon and the review by the third working day, each in the team's zone.
    "initiatives-send-due-reminders": {
        "task": "initiatives.send_due_reminders",
        "schedule": crontab(minute=5),
    },
    # Requests: notifications whose enqueue failed (broker down) go out within a minute of its return.
    "requests-dispatch-outbox": {
        "task": "requests_queue.dispatch_outbox",
        "schedule": 60.0,
    },
    # Password-reset mails asked for while the broker was down, likewise.
    "core-dispatch-reset-mail-outbox": {
        "task": "core.dispatch_reset_mail_outbox",
        "schedule": 60.0,
    },
    # Each person's daily digest, at the hour they chose in their time zone (once a day).
    "requests-send-digests": {
        "task": "requests_queue.send_digests",
        "schedule": crontab(minute=2),
    },
    "requests-wake-snoozed": {
        "task": "requests_queue.wake_snoozed",
        "schedule": crontab(minute=5),
    },
    # Asset owners: a week before an asset's review-by date, then weekly while overdue (once per period).
    "requests-asset-review-reminders": {
        "task": "requests_queue.send_asset_review_reminders",
        "schedule": crontab(minute=40, hour=6),
    },
    # Launch items' owners: due soon, the day an item becomes late, then weekly while late (once per period).
    "launches-item-reminders": {
        "task": "launches.send_item_reminders",
        "schedule": crontab(minute=50, hour=6),
    },
    # Diagnostic participants: invitations and results a broker outage kept from going out.
    "diagnostics-sweep-participant-mails": {
        "task": "diagnostics.sweep_participant_mails",
        "schedule": crontab(minute=5),
    },
    "requests-refresh-priorities": {
        "task": "requests_queue.refresh_priorities",
        "schedule": crontab(minute=10, hour=0),
    },
    # Webhook, Slack and Teams deliveries whose publish failed or whose worker died: sent again.
    "integrations-sweep-deliveries": {
        "task": "integrations.sweep_deliveries",
        "schedule": 60.0,
    },
    # Requests newly past their service level, posted once to the channels that hear it.
    "integrations-publish-sla-breaches": {
        "task": "integrations.publish_sla_breaches",
        "schedule": crontab(minute=25),
    },
}

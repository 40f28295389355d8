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
    "clear-expired-sessions": {
        "task": "core.clear_expired_sessions",
        "schedule": crontab(minute=17, hour=3),
    },
}

"""Settings of the real Celery workers that ``test_stuck_reports`` starts and kills.

The test settings, except that a worker publishes through the broker (the report's
follow-up tasks and its re-queueing go to the queue, not in-process), and looks for
messages whose worker died every second, so a short ``CELERY_VISIBILITY_TIMEOUT``
(from the environment) brings them back within the test.
"""

from pmm_portal.settings.test import *  # noqa: F403
from pmm_portal.settings.test import CELERY_BROKER_TRANSPORT_OPTIONS

CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}

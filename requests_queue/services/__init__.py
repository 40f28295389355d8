"""Every write of the requests queue, by concern; import them from here (``services.request_submit``).

- ``lifecycle``: submission and every move of the state machine (the table is ``requests_queue.workflow``);
- ``scoring``: triage scores, the priority formula, the quadrant advice and the one-off budget gauge;
- ``notifications``: request events (the transactional outbox), in-app and email notifications;
- ``assets``: the asset library, and the file rules assets and requests share;
- ``sla``: each team's service levels and each request's clock.

Nothing here imports ``requests_queue.tasks``: the tasks import the services, and
the services enqueue tasks by name through ``pmm_portal.core.background``.
"""

from ..workflow import RequestError
from .assets import (
    ALLOWED_ATTACHMENT_EXTENSIONS,
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS,
    AssetDraft,
    asset_create,
    asset_kind_for,
    asset_mark_reviewed,
    asset_publish,
    asset_team_for,
    validate_attachment,
)
from .lifecycle import (
    DECIDABLE,
    TRIAGEABLE,
    ClaimConflictError,
    open_requests_filter,
    request_accept,
    request_assign,
    request_cancel,
    request_claim,
    request_comment,
    request_decline,
    request_deliver,
    request_log_time,
    request_mark_duplicate,
    request_mark_reused,
    request_rate,
    request_self_serve,
    request_snooze,
    request_start,
    request_submit,
    request_triage,
    request_wake_snoozed,
)
from .notifications import (
    NOTIFY_TASK,
    event_notify,
    event_text,
    notifications_mark_read,
    outbox_dispatch,
    record,
)
from .scoring import (
    MIN_PROJECTION_HOURS,
    PRIORITY_HELP,
    Advice,
    BudgetGauge,
    compute_priority,
    deal_value_points,
    quadrant_advice,
    refresh_priority,
    request_refresh_priorities,
    suggest_assignee,
    urgency_points,
)
from .sla import SlaClock, sla_clock, sla_targets, sla_targets_set

__all__ = [
    "ALLOWED_ATTACHMENT_EXTENSIONS",
    "DECIDABLE",
    "MAX_ATTACHMENTS",
    "MAX_ATTACHMENT_BYTES",
    "MIN_PROJECTION_HOURS",
    "NOTIFY_TASK",
    "PRIORITY_HELP",
    "TRIAGEABLE",
    "Advice",
    "AssetDraft",
    "BudgetGauge",
    "ClaimConflictError",
    "RequestError",
    "SlaClock",
    "asset_create",
    "asset_kind_for",
    "asset_mark_reviewed",
    "asset_publish",
    "asset_team_for",
    "compute_priority",
    "deal_value_points",
    "event_notify",
    "event_text",
    "notifications_mark_read",
    "open_requests_filter",
    "outbox_dispatch",
    "quadrant_advice",
    "record",
    "refresh_priority",
    "request_accept",
    "request_assign",
    "request_cancel",
    "request_claim",
    "request_comment",
    "request_decline",
    "request_deliver",
    "request_log_time",
    "request_mark_duplicate",
    "request_mark_reused",
    "request_rate",
    "request_refresh_priorities",
    "request_self_serve",
    "request_snooze",
    "request_start",
    "request_submit",
    "request_triage",
    "request_wake_snoozed",
    "sla_clock",
    "sla_targets",
    "sla_targets_set",
    "suggest_assignee",
    "urgency_points",
    "validate_attachment",
]

"""The plan's dates are the timesheet's: the same fixtures (today in the team's zone, its week and month)."""

from tests.timesheets.conftest import last_week, month, this_week, today

__all__ = ["last_week", "month", "this_week", "today"]

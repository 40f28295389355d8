"""Demo data of the requests_queue app for ``seed_demo``."""

from pmm_portal.core.demo import DemoOrg


def seed(org: DemoOrg) -> None:
    """Add this app's demo data to ``org``; idempotent."""

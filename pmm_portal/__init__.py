"""PMM Portal: the system of record for a product marketing team."""

from .celery import app as celery_app

__all__ = ("celery_app",)

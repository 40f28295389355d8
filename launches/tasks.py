"""Celery tasks of launches: reminders of late and due items (they call services)."""

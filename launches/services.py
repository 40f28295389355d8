"""Business rules of launches (launches, items, templates, reminders)."""

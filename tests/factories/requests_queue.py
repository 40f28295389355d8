"""Factories of the requests_queue app."""

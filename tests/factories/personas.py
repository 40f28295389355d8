"""Factories of the personas app."""

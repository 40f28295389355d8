"""Factories of the initiatives app."""

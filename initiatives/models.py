"""Models of the Initiatives app."""

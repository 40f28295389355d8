"""Models of the Requests app."""

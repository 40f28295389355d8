"""Models of the Reporting app."""

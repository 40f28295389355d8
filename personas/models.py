"""Models of the Personas app."""

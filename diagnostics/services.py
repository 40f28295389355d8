"""Business rules of the functional diagnostic (responsibilities, rounds, answers)."""

"""The checks: rules and profiles, the vectorized checker, its readers and writers, live checks, exceptions and
reports (engine.py lists which module does what)."""

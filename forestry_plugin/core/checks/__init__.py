"""Check engine: rule definitions, profiles, the vectorized engine, live checks, exceptions and reports."""

"""Sync with the provincial platform: client adapter, change tracking, sync engine (no GUI imports)."""

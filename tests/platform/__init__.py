"""Tests of reference_platform/ over real HTTP, and of the contract it shares with the plugin's client."""

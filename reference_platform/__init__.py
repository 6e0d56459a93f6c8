"""Reference implementation of the provincial platform contract (docs/platform-api.yaml), for tests and the demo."""

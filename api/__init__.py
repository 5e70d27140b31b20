"""Service layer: settings, services, the JSON API (FastAPI) and the ``tom`` CLI."""

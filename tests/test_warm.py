"""An app process loads the search indexes and the model before it accepts its first request."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from api.main import create_app
from api.services.hub import Hub
from api.settings import Settings


def test_the_app_is_warm_before_the_first_request(tmp_path: Path) -> None:
    settings = Settings(TOM_HOME=tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'tom.sqlite'}",  # type: ignore[call-arg]
                        TOM_EMBEDDING_MODEL="none")
    hub = Hub(settings)
    app = create_app(hub=hub)
    assert hub.taxonomy._indexes == {}  # nothing is loaded by building the app
    with TestClient(app):  # runs the start-up, as uvicorn does before it listens
        assert set(hub.taxonomy._indexes) == {"skill", "occupation"}
    hub.engine.dispose()

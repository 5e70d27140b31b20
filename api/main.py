"""The app factory: JSON API under /api/v1 and the web pages on one FastAPI app."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from api.routes import taxonomy
from api.services.taxonomy import TaxonomyService
from api.settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(title="Talent op Maat", version="0.1.0", openapi_url="/openapi.json")
    app.state.settings = settings
    app.state.taxonomy = TaxonomyService(settings)
    app.include_router(taxonomy.router, prefix="/api/v1")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home() -> str:
        # Placeholder until the web front end lands (see docs/architecture.md).
        return (
            "<!doctype html><html lang=nl><head><meta charset=utf-8><title>Talent op Maat</title></head>"
            "<body><main><h1>Talent op Maat</h1><p>Werk dat past bij wat je kunt.</p>"
            '<p><a href="/docs">API</a></p></main></body></html>'
        )

    return app

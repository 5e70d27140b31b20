"""The app factory: JSON API under /api/v1 and the web pages on one FastAPI app."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError, OperationalError

from api.routes import auth, coach, me, taxonomy, vacancies
from api.services.errors import ServiceError, TooManyRequests
from api.services.hub import Hub
from api.settings import Settings, get_settings

log = logging.getLogger("tom")


def create_app(settings: Settings | None = None, hub: Hub | None = None) -> FastAPI:
    settings = settings or (hub.settings if hub else get_settings())
    app = FastAPI(title="Talent op Maat", version="0.1.0", openapi_url="/openapi.json",
                  description="Skills-based matching of people and vacancies in techniek, horeca and zorg.")
    app.state.settings = settings
    app.state.hub = hub or Hub(settings)
    app.state.taxonomy = app.state.hub.taxonomy
    for r in (taxonomy.router, auth.router, me.router, vacancies.router, coach.router):
        app.include_router(r, prefix="/api/v1")

    @app.exception_handler(ServiceError)
    def _service_error(_: Request, exc: ServiceError) -> JSONResponse:
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyRequests) else None
        if exc.status == 401:
            headers = {**(headers or {}), "WWW-Authenticate": "Bearer"}
        return JSONResponse({"detail": exc.message}, status_code=exc.status, headers=headers)

    @app.exception_handler(IntegrityError)
    def _integrity(_: Request, exc: IntegrityError) -> JSONResponse:
        return JSONResponse({"detail": "this conflicts with data stored meanwhile; reload and try again"},
                            status_code=409)

    @app.exception_handler(OperationalError)
    def _db_down(_: Request, exc: OperationalError) -> JSONResponse:
        log.error("database error: %s", exc.orig)
        return JSONResponse({"detail": "the database is not available right now; try again in a minute"},
                            status_code=503, headers={"Retry-After": "30"})

    return app

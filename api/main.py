"""The JSON API app factory (/api/v1). web.app.create_app adds the web pages to it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from anyio import to_thread
from fastapi import FastAPI, Request, Response
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError, OperationalError

from api.deps import SESSION_COOKIE
from api.proxy import ProxyHeaders
from api.routes import auth, coach, interests, me, taxonomy, vacancies
from api.services.errors import ServiceError, TooManyRequests
from api.services.hub import Hub
from api.settings import Settings, get_settings

log = logging.getLogger("tom")
# Pages load only our own scripts and styles; nobody may frame them (clickjacking); forms post only here.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
LOGOUT_PATHS = ("/uitloggen", "/api/v1/auth/logout")
HSTS = "max-age=31536000"  # a year; no includeSubDomains: other hosts of the domain may not have TLS


def is_personal(request: Request, response: Response) -> bool:
    """Whether a response may hold personal data: it answers a logged-in request (session cookie or token),
    or it sets a cookie (a login). Such responses must not be kept by the browser or any cache in between,
    so that Back after logging out shows nothing."""
    if request.url.path.startswith("/static/"):
        return False
    return (SESSION_COOKIE in request.cookies or "authorization" in request.headers
            or "set-cookie" in response.headers)


def create_app(settings: Settings | None = None, hub: Hub | None = None) -> FastAPI:
    settings = settings or (hub.settings if hub else get_settings())
    the_hub = hub or Hub(settings)

    @asynccontextmanager
    async def _lifespan(_: FastAPI) -> AsyncIterator[None]:
        # A server accepts connections only after this: the first person typing in the skill box
        # gets an answer at once instead of waiting for the model to load.
        try:
            await to_thread.run_sync(the_hub.warm)
        except Exception as exc:  # a broken taxonomy is reported per request, as before; start anyway
            log.warning("could not load the taxonomy at start: %s", exc)
        yield

    app = FastAPI(title="Talent op Maat", version="0.1.0", openapi_url="/openapi.json", lifespan=_lifespan,
                  description="Skills-based matching of people and vacancies in techniek, horeca and zorg.")
    app.state.settings = settings
    app.state.hub = the_hub
    app.state.taxonomy = app.state.hub.taxonomy
    for r in (taxonomy.router, auth.router, me.router, interests.router, vacancies.router, coach.router):
        app.include_router(r, prefix="/api/v1")

    @app.middleware("http")
    async def _security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        h = response.headers
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("Referrer-Policy", "same-origin")
        h.setdefault("X-Frame-Options", "DENY")
        if not request.url.path.startswith(("/docs", "/redoc")):  # the API browser loads its own assets
            h.setdefault("Content-Security-Policy", CSP)
        if request.url.scheme == "https":  # the real scheme, also behind a trusted proxy
            h.setdefault("Strict-Transport-Security", HSTS)
        if is_personal(request, response):
            h["Cache-Control"] = "no-store"
        if request.method == "POST" and request.url.path in LOGOUT_PATHS:
            h["Clear-Site-Data"] = '"cache"'  # pages this browser kept from before (Back shows nothing)
        return response

    if settings.trusted_networks:  # added last: the outermost layer, so every other one sees the real client
        app.add_middleware(ProxyHeaders, trusted=settings.trusted_networks)

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

    @app.exception_handler(DataError)
    @app.exception_handler(OverflowError)
    def _out_of_range(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": "a value is out of range (too large or too long)"}, status_code=422)

    @app.exception_handler(OperationalError)
    def _db_down(_: Request, exc: OperationalError) -> JSONResponse:
        log.error("database error: %s", exc.orig)
        return JSONResponse({"detail": "the database is not available right now; try again in a minute"},
                            status_code=503, headers={"Retry-After": "30"})

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description,
                                 routes=app.routes)
            # Our own 422s (bad values the models cannot check) carry one sentence, not a list.
            hve = schema.get("components", {}).get("schemas", {}).get("HTTPValidationError")
            if hve:
                listed = hve["properties"]["detail"]
                hve["properties"]["detail"] = {"anyOf": [listed, {"type": "string"}], "title": "Detail"}
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app

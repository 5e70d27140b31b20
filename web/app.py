"""The whole application: the JSON API (api.main) plus the web pages, on one FastAPI app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from api.main import create_app as create_api
from api.services.hub import Hub
from api.settings import Settings
from web.deps import LoginRequired, WrongRole, language
from web.render import render

STATIC = Path(__file__).resolve().parent / "static"


def create_app(settings: Settings | None = None, hub: Hub | None = None) -> FastAPI:
    app = create_api(settings, hub)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    from web.routes import answers, coach, coach_board, coach_vacancy, employer, jobseeker, public

    for module in (public, jobseeker, answers, employer, coach, coach_vacancy, coach_board):
        app.include_router(module.router)

    @app.exception_handler(LoginRequired)
    def _login(_: Request, exc: LoginRequired) -> RedirectResponse:
        return RedirectResponse(f"/inloggen?next={exc.next_url}", status_code=303)

    @app.exception_handler(WrongRole)
    def _role(request: Request, _: WrongRole) -> HTMLResponse:
        return render(request, "error.html", None, language(request, None), status=403,
                      title_key="forbidden")

    @app.exception_handler(RequestValidationError)
    async def _bad_input(request: Request, exc: RequestValidationError) -> Response:
        """Pages answer a malformed address (a search that is too long, a word where a number goes) with a page
        in the reader's language; the JSON API keeps FastAPI's detailed 422."""
        if request.url.path.startswith("/api/"):
            return await request_validation_exception_handler(request, exc)
        return render(request, "error.html", None, language(request, None), status=422, title_key="bad_input")

    @app.exception_handler(404)
    def _not_found(request: Request, exc: Exception) -> HTMLResponse:
        if request.url.path.startswith("/api/"):
            from fastapi.responses import JSONResponse

            detail = getattr(exc, "detail", "not found")
            return JSONResponse({"detail": detail}, status_code=404)  # type: ignore[return-value]
        return render(request, "error.html", None, language(request, None), status=404, title_key="not_found")

    return app

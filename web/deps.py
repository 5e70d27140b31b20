"""Who is looking at a page, which language they read, and CSRF tokens for HTML forms."""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from sqlmodel import Session

from api.deps import SESSION_COOKIE, get_hub, get_session
from api.models import Role
from api.services.accounts import Principal
from web.i18n import LANGUAGES

CSRF_COOKIE = "tom_csrf"  # double-submit token for forms shown before login


class LoginRequired(Exception):
    def __init__(self, next_url: str) -> None:
        self.next_url = next_url


class WrongRole(Exception):
    pass


def page_user(request: Request, db: Annotated[Session, Depends(get_session)]) -> Principal | None:
    token = request.cookies.get(SESSION_COOKIE)
    return get_hub(request).accounts.from_session(db, token) if token else None


PageUser = Annotated[Principal | None, Depends(page_user)]


def require_page(*roles: Role):
    def check(request: Request, who: PageUser) -> Principal:
        if who is None:
            raise LoginRequired(quote(str(request.url.path) + (f"?{request.url.query}" if request.url.query else "")))
        if roles and who.role not in roles:
            raise WrongRole()
        return who

    return Depends(check)


def language(request: Request, who: PageUser) -> str:
    """?lang= wins, then the language cookie, then the account's language, then Dutch."""
    for lang in (request.query_params.get("lang"), request.cookies.get("lang"), who.user.language if who else None):
        if lang in LANGUAGES:
            return lang
    return "nl"


Lang = Annotated[str, Depends(language)]


def csrf_token(request: Request, who: Principal | None) -> str:
    """Logged in: the session's token. Anonymous: the double-submit cookie's (set by ``render``)."""
    if who is not None and who.csrf_token:
        return who.csrf_token
    tok = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf", None)
    if not tok:
        tok = secrets.token_urlsafe(24)
        request.state.new_csrf = tok
    return tok


def csrf_ok(request: Request, who: Principal | None, sent: str | None) -> bool:
    want = who.csrf_token if who is not None and who.csrf_token else request.cookies.get(CSRF_COOKIE)
    return bool(want and sent and secrets.compare_digest(want, sent))

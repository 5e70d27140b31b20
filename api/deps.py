"""FastAPI dependencies: the services hub, a database session per request, and who is asking."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Path, Query, Request, Response
from sqlmodel import Session

from api.models import Role
from api.services.accounts import Principal
from api.services.errors import Forbidden, NotAuthenticated, TooManyRequests
from api.services.hub import Hub
from api.services.taxonomy import TaxonomyService
from api.settings import Settings

SESSION_COOKIE = "tom_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def cookie_secure(request: Request, settings: Settings) -> bool:
    """Secure cookies over https, or as TOM_COOKIE_SECURE says (behind a proxy that ends TLS)."""
    return settings.cookie_secure if settings.cookie_secure is not None else request.url.scheme == "https"


def set_session_cookie(response: Response, request: Request, settings: Settings, token: str) -> None:
    """The login cookie: HttpOnly, SameSite=Lax, Secure as :func:`cookie_secure` says."""
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=cookie_secure(request, settings),
                        path="/", max_age=settings.session_hours * 3600)


def get_hub(request: Request) -> Hub:
    hub: Hub = request.app.state.hub
    return hub


def get_settings_dep(request: Request) -> Settings:
    return get_hub(request).settings


def get_taxonomy(request: Request) -> TaxonomyService:
    return get_hub(request).taxonomy


def get_session(request: Request) -> Iterator[Session]:
    hub = get_hub(request)
    # The hub rides along so that services can send mail after they commit (api.services.notifications).
    with Session(hub.engine, info={"hub": hub}) as session:
        yield session


HubDep = Annotated[Hub, Depends(get_hub)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
TaxonomyDep = Annotated[TaxonomyService, Depends(get_taxonomy)]
SessionDep = Annotated[Session, Depends(get_session)]


def get_principal(request: Request, hub: HubDep, db: SessionDep) -> Principal | None:
    """Bearer token (API clients) or session cookie (browsers; unsafe methods must echo the CSRF token)."""
    auth = request.headers.get("authorization", "")
    if auth:
        scheme, _, raw = auth.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise NotAuthenticated("use 'Authorization: Bearer <token>'")
        who = hub.accounts.from_token(db, raw.strip())
        if who is None:
            raise NotAuthenticated("this API token is not valid (any more)")
        return who
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    who = hub.accounts.from_session(db, cookie)
    if who is None:
        return None
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER) or request.state.__dict__.get("csrf_form_token") or ""
        if not who.csrf_token or not secrets.compare_digest(sent, who.csrf_token):
            raise Forbidden(f"missing or wrong CSRF token (send the {CSRF_HEADER} header you got at login)")
    return who


def suggest_limit(request: Request) -> None:
    """429 with Retry-After when one client asks for suggestions faster than TOM_SUGGEST_RATE allows."""
    wait = get_hub(request).suggest_limiter.allow(request.client.host if request.client else "?")
    if wait > 0:
        raise TooManyRequests("too many requests; slow down a little", max(1, int(wait + 0.999)))


SuggestLimit = Depends(suggest_limit)
MaybeUser = Annotated[Principal | None, Depends(get_principal)]


def require_user(who: MaybeUser) -> Principal:
    if who is None:
        raise NotAuthenticated("log in first")
    return who


CurrentUser = Annotated[Principal, Depends(require_user)]


def require(*roles: Role) -> Callable[[Principal], Principal]:
    names = " or ".join(r.value for r in roles)

    def check(who: CurrentUser) -> Principal:
        if who.role not in roles:
            raise Forbidden(f"only for {names}")
        return who

    return check


JobSeeker = Annotated[Principal, Depends(require(Role.jobseeker))]
Coach = Annotated[Principal, Depends(require(Role.coach))]
CoachOrAdmin = Annotated[Principal, Depends(require(Role.coach, Role.admin))]
Admin = Annotated[Principal, Depends(require(Role.admin))]
MAX_ID = 2_147_483_647  # ids are 32-bit in PostgreSQL; larger numbers cannot name anything
Id = Annotated[int, Path(ge=1, le=MAX_ID, description="Id of the item.")]
Offset = Annotated[int, Query(ge=0, le=100_000, description="Items to skip.")]
Limit = Annotated[int, Query(ge=1, le=100, description="Items per page.")]
Lang = Annotated[str | None, Query(pattern="^(nl|en)$", description="Label language; default the user's.")]


def lang_of(who: Principal | None, lang: str | None) -> str:
    return lang or (who.user.language if who else "nl")

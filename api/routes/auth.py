"""Registration, login (cookie session or API token), logout, password reset."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status
from sqlmodel import col, delete, select

from api.deps import SESSION_COOKIE, CurrentUser, HubDep, Id, MaybeUser, SessionDep, set_session_cookie
from api.models import (
    ApiToken,
    Login,
    LoginResult,
    ResetConfirm,
    ResetRequest,
    TokenCreate,
    TokenPublic,
    User,
    UserCreate,
    UserPublic,
)
from api.services.audit import audit
from api.services.errors import NotFound

router = APIRouter(prefix="/auth", tags=["accounts"])


def user_public(u: User) -> UserPublic:
    return UserPublic.model_validate(u, from_attributes=True)


def client_of(request: Request) -> str | None:
    return request.client.host if request.client else None


@router.post("/register", response_model=UserPublic, status_code=status.HTTP_201_CREATED)
def register(hub: HubDep, db: SessionDep, body: UserCreate) -> UserPublic:
    """A job seeker or employer account (coaches and admins are made by an admin)."""
    user = hub.accounts.register(db, body)
    db.commit()
    db.refresh(user)
    return user_public(user)


@router.post("/login", response_model=LoginResult)
def login(hub: HubDep, db: SessionDep, body: Login, request: Request, response: Response) -> LoginResult:
    """Start a browser session: sets an HttpOnly cookie; send the returned csrf_token as X-CSRF-Token."""
    user = hub.accounts.authenticate(db, body.email, body.password, client_of(request))
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        hub.accounts.end_session(db, old)  # a login always gets a new session id
    token, csrf = hub.accounts.start_session(db, user)
    audit(db, user, "login", "user", user.id)
    db.commit()
    db.refresh(user)
    set_session_cookie(response, request, hub.settings, token)
    return LoginResult(user=user_public(user), csrf_token=csrf)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(hub: HubDep, db: SessionDep, who: MaybeUser, request: Request, response: Response) -> None:
    token = request.cookies.get(SESSION_COOKIE)
    if token and who is not None:
        hub.accounts.end_session(db, token)
        db.commit()
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/me", response_model=UserPublic)
def me(who: CurrentUser) -> UserPublic:
    return user_public(who.user)


@router.post("/tokens", response_model=TokenPublic, status_code=status.HTTP_201_CREATED)
def create_token(hub: HubDep, db: SessionDep, body: TokenCreate, request: Request) -> TokenPublic:
    """An API token for scripts: send it as ``Authorization: Bearer <token>``. Shown once."""
    user = hub.accounts.authenticate(db, body.email, body.password, client_of(request))
    tok, raw = hub.accounts.create_token(db, user, body.name, body.days)
    db.commit()
    return TokenPublic(id=tok.id or 0, name=tok.name, token=raw, created_at=tok.created_at, expires_at=tok.expires_at)


@router.get("/tokens", response_model=list[TokenPublic])
def list_tokens(db: SessionDep, who: CurrentUser) -> list[TokenPublic]:
    rows = db.exec(select(ApiToken).where(ApiToken.user_id == who.id).order_by(col(ApiToken.id))).all()
    return [TokenPublic(id=r.id or 0, name=r.name, created_at=r.created_at, expires_at=r.expires_at) for r in rows]


@router.delete("/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_token(db: SessionDep, who: CurrentUser, token_id: Id) -> None:
    res = db.exec(delete(ApiToken).where(col(ApiToken.id) == token_id,
                                         col(ApiToken.user_id) == who.id))
    if res.rowcount != 1:
        raise NotFound("no such token of yours")
    db.commit()


@router.post("/password-reset", status_code=status.HTTP_202_ACCEPTED)
def password_reset(hub: HubDep, db: SessionDep, body: ResetRequest) -> dict[str, str]:
    """Mails a reset link when the address has an account; the answer is the same either way."""
    hub.accounts.request_reset(db, body.email)
    return {"detail": "if this address has an account, we sent an e-mail with a link"}


@router.post("/password-reset/confirm", response_model=UserPublic)
def password_reset_confirm(hub: HubDep, db: SessionDep, body: ResetConfirm) -> UserPublic:
    user = hub.accounts.confirm_reset(db, body.token, body.password)
    db.commit()
    db.refresh(user)
    return user_public(user)

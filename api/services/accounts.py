"""Accounts: registration, argon2 passwords, login sessions, API tokens, rate limits, password reset."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, delete, func, select

from api.mail import Mailer
from api.models import (
    ApiToken,
    Consent,
    LoginAttempt,
    LoginSession,
    Organisation,
    PasswordReset,
    Profile,
    Role,
    User,
    UserCreate,
    utcnow,
)
from api.services.audit import audit
from api.services.errors import BadInput, Conflict, NotAuthenticated, TooManyRequests
from api.settings import Settings

TERMS_VERSION = "2026-11"  # version of the wording of the terms and consents a user was shown
RATE_WINDOW = timedelta(minutes=15)
RESET_VALID = timedelta(hours=1)

_hasher = PasswordHasher()
# Verifying against a dummy hash for unknown e-mails keeps the timing the same as for known ones.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(user: User | None, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash if user else _DUMMY_HASH, password) and user is not None
    except (VerificationError, InvalidHashError):
        return False


def normalise_email(email: str) -> str:
    return email.strip().lower()


def new_ref() -> str:
    return secrets.token_urlsafe(9)


@dataclass
class Principal:
    """Who is asking: the user and how they authenticated."""

    user: User
    via: str  # "session" or "token"
    csrf_token: str | None = None

    @property
    def role(self) -> Role:
        return Role(self.user.role)

    @property
    def id(self) -> int:
        assert self.user.id is not None
        return self.user.id


class Accounts:
    def __init__(self, settings: Settings, mailer: Mailer) -> None:
        self.settings = settings
        self.mailer = mailer

    # ------------------------------------------------------------------ registration
    def register(self, db: Session, data: UserCreate, allow_roles: tuple[Role, ...] = (Role.jobseeker, Role.employer),
                 actor: Any = None) -> User:
        if data.role not in allow_roles:
            raise BadInput(f"you cannot register with role {data.role.value!r}")
        if data.role in (Role.jobseeker, Role.employer) and not data.accept_terms:
            raise BadInput("accept_terms must be true: you have to accept the terms to register")
        email = normalise_email(str(data.email))
        if db.exec(select(User).where(User.email == email)).first():
            raise Conflict("an account with this e-mail address already exists")
        org_id = None
        if data.role == Role.employer:
            if not data.organisation_name:
                raise BadInput("organisation_name is required for an employer account")
            org = Organisation(name=data.organisation_name.strip(), email=email)
            db.add(org)
            db.flush()
            org_id = org.id
        user = User(email=email, password_hash=hash_password(data.password), role=data.role.value,
                    name=data.name.strip(), language=data.language, organisation_id=org_id)
        db.add(user)
        db.flush()
        assert user.id is not None
        if data.accept_terms:
            db.add(Consent(user_id=user.id, kind="terms", granted=True, wording_version=TERMS_VERSION))
        if data.role == Role.jobseeker:
            db.add(Profile(user_id=user.id, ref=new_ref()))
        audit(db, actor or user, "create", "user", user.id)
        return user

    # ------------------------------------------------------------------ login
    def _check_rate(self, db: Session, email: str, client: str | None) -> None:
        since = utcnow() - RATE_WINDOW
        keys = [(f"email:{email}", self.settings.login_max_failures)]
        if client:
            keys.append((f"ip:{client}", 4 * self.settings.login_max_failures))
        for key, limit in keys:
            n, first = db.exec(select(func.count(), func.min(LoginAttempt.at))
                               .where(LoginAttempt.key == key, LoginAttempt.at >= since)).one()
            if n >= limit:
                wait = int((first + RATE_WINDOW - utcnow()).total_seconds()) + 1
                raise TooManyRequests("too many failed logins; try again later", max(wait, 1))

    def authenticate(self, db: Session, email: str, password: str, client: str | None = None) -> User:
        email = normalise_email(email)
        self._check_rate(db, email, client)
        user = db.exec(select(User).where(User.email == email)).first()
        if not check_password(user, password) or user is None or not user.is_active:
            db.add(LoginAttempt(key=f"email:{email}"))
            if client:
                db.add(LoginAttempt(key=f"ip:{client}"))
            db.commit()
            raise NotAuthenticated("wrong e-mail address or password")
        db.exec(delete(LoginAttempt).where(col(LoginAttempt.key) == f"email:{email}"))
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        user.last_active_at = utcnow()
        user.inactive_notice_at = None
        return user

    def start_session(self, db: Session, user: User) -> tuple[str, str]:
        """A new session (a fresh token on every login: no session fixation). Returns (token, csrf)."""
        assert user.id is not None
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        now = utcnow()
        db.exec(delete(LoginSession).where(col(LoginSession.expires_at) < now))
        db.add(LoginSession(token_hash=digest(token), user_id=user.id, csrf_token=csrf,
                            expires_at=now + timedelta(hours=self.settings.session_hours)))
        return token, csrf

    def end_session(self, db: Session, token: str) -> None:
        db.exec(delete(LoginSession).where(col(LoginSession.token_hash) == digest(token)))

    def from_session(self, db: Session, token: str) -> Principal | None:
        row = db.get(LoginSession, digest(token))
        if row is None or row.expires_at <= utcnow():
            return None
        user = db.get(User, row.user_id)
        if user is None or not user.is_active:
            return None
        return Principal(user, "session", row.csrf_token)

    def create_token(self, db: Session, user: User, name: str, days: int) -> tuple[ApiToken, str]:
        assert user.id is not None
        raw = "tom_" + secrets.token_urlsafe(32)
        tok = ApiToken(user_id=user.id, name=name, token_hash=digest(raw), expires_at=utcnow() + timedelta(days=days))
        db.add(tok)
        db.flush()
        return tok, raw

    def from_token(self, db: Session, raw: str) -> Principal | None:
        tok = db.exec(select(ApiToken).where(ApiToken.token_hash == digest(raw))).first()
        now = utcnow()
        if tok is None or (tok.expires_at is not None and tok.expires_at <= now):
            return None
        user = db.get(User, tok.user_id)
        if user is None or not user.is_active:
            return None
        # Touch at most once a minute: a read should not be a write each time.
        if tok.last_used_at is None or now - tok.last_used_at > timedelta(minutes=1):
            tok.last_used_at = now
            if now - user.last_active_at > timedelta(minutes=1):
                user.last_active_at = now
                user.inactive_notice_at = None
            db.commit()
        return Principal(user, "token")

    # ------------------------------------------------------------------ password reset
    def request_reset(self, db: Session, email: str) -> None:
        """Mail a one-hour reset link. Says nothing about whether the address has an account."""
        user = db.exec(select(User).where(User.email == normalise_email(email))).first()
        if user is None or user.id is None:
            return
        raw = secrets.token_urlsafe(32)
        db.add(PasswordReset(token_hash=digest(raw), user_id=user.id, expires_at=utcnow() + RESET_VALID))
        db.commit()
        link = f"{self.settings.public_url.rstrip('/')}/wachtwoord/nieuw?token={raw}"
        self.mailer.send(user.email, "Nieuw wachtwoord voor Talent op Maat",
                         "Hallo,\n\nJe hebt gevraagd om een nieuw wachtwoord. Kies een nieuw wachtwoord via deze link "
                         f"(1 uur geldig):\n\n{link}\n\nHeb je dit niet gevraagd? Dan hoef je niets te doen.\n\n"
                         f"Reset code for the API: {raw}\n")

    def confirm_reset(self, db: Session, raw: str, password: str) -> User:
        row = db.get(PasswordReset, digest(raw))
        if row is None or row.used_at is not None or row.expires_at <= utcnow():
            raise BadInput("this reset link is not valid (any more); ask for a new one")
        user = db.get(User, row.user_id)
        if user is None:
            raise BadInput("this reset link is not valid (any more); ask for a new one")
        row.used_at = utcnow()
        user.password_hash = hash_password(password)
        # A new password ends every session and token that existed before.
        db.exec(delete(LoginSession).where(col(LoginSession.user_id) == user.id))
        db.exec(delete(ApiToken).where(col(ApiToken.user_id) == user.id))
        audit(db, user, "reset_password", "user", user.id)
        return user


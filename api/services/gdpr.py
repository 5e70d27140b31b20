"""AVG/GDPR: export of everything we hold on a person, erasure, and removal of long-inactive accounts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, delete, or_, select, update

from api import models as t
from api.models import Role, utcnow
from api.services.accounts import Principal, check_password
from api.services.audit import audit
from api.services.errors import Forbidden, NotAuthenticated
from api.services.hub import Hub
from api.services.indexes import record_change


def _rows(items: Any, drop: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    return [{k: v for k, v in i.model_dump(mode="json").items() if k not in drop} for i in items]


def export(hub: Hub, db: Session, who: Principal) -> dict[str, Any]:
    """All personal data of ``who`` as JSON-ready dicts (no password hash, no token hashes)."""
    u = who.user
    out: dict[str, Any] = {
        "exported_at": utcnow().isoformat(),
        "account": u.model_dump(mode="json", exclude={"password_hash"}),
        "consents": _rows(db.exec(select(t.Consent).where(t.Consent.user_id == u.id)).all()),
        "api_tokens": _rows(db.exec(select(t.ApiToken).where(t.ApiToken.user_id == u.id)).all(), ("token_hash",)),
        "sessions": len(db.exec(select(t.LoginSession.created_at).where(t.LoginSession.user_id == u.id)).all()),
    }
    p = db.exec(select(t.Profile).where(t.Profile.user_id == u.id)).first()
    if p is not None:
        from api.services.profiles import history, to_public

        out["profile"] = to_public(hub, db, p).model_dump(mode="json")
        out["skill_history"] = _rows(history(db, p))
        intros = db.exec(select(t.Introduction).where(t.Introduction.profile_id == p.id)).all()
        out["introductions"] = _rows(intros)
        out["coach_notes"] = _rows(db.exec(select(t.Note).where(t.Note.profile_id == p.id)).all(), ("author_id",))
        out["shortlists"] = _rows(db.exec(select(t.ShortlistEntry).where(t.ShortlistEntry.profile_id == p.id)).all(),
                                  ("added_by",))  # vacancies a coach saved me for
        subjects = or_(  # who looked at or changed my data
            (col(t.AuditEntry.subject_type) == "profile") & (col(t.AuditEntry.subject_id) == p.id),
            (col(t.AuditEntry.subject_type) == "profile_notes") & (col(t.AuditEntry.subject_id) == p.id),
            (col(t.AuditEntry.subject_type) == "user") & (col(t.AuditEntry.subject_id) == u.id))
        out["access_log"] = _rows(db.exec(select(t.AuditEntry).where(subjects).order_by(col(t.AuditEntry.id))).all(),
                                  ("actor_id",))
    if u.role == Role.coach.value:
        out["notes_written"] = _rows(db.exec(select(t.Note).where(t.Note.author_id == u.id)).all())
    audit(db, who, "export", "user", u.id)
    db.commit()
    return out


def erase_user(db: Session, user: t.User, actor: Any) -> None:
    """Delete the account and every piece of personal data; introductions stay as anonymous counts."""
    uid = user.id
    p = db.exec(select(t.Profile).where(t.Profile.user_id == uid)).first()
    if p is not None:
        pid = p.id
        db.exec(update(t.Introduction).where(col(t.Introduction.profile_id) == pid)
                .values(profile_id=None))
        db.exec(delete(t.ProfileSkill).where(col(t.ProfileSkill.profile_id) == pid))
        db.exec(delete(t.SkillEvent).where(col(t.SkillEvent.profile_id) == pid))
        db.exec(delete(t.Note).where(col(t.Note.profile_id) == pid))
        db.exec(delete(t.Profile).where(col(t.Profile.id) == pid))
        record_change(db, "profile", pid)
    db.exec(update(t.Introduction).where(col(t.Introduction.requested_by) == uid)
            .values(requested_by=None))
    db.exec(update(t.IntroductionEvent).where(col(t.IntroductionEvent.actor_id) == uid)
            .values(actor_id=None))
    db.exec(update(t.Note).where(col(t.Note.author_id) == uid).values(author_id=None))
    db.exec(delete(t.Consent).where(col(t.Consent.user_id) == uid))
    db.exec(delete(t.LoginSession).where(col(t.LoginSession.user_id) == uid))
    db.exec(delete(t.ApiToken).where(col(t.ApiToken.user_id) == uid))
    db.exec(delete(t.PasswordReset).where(col(t.PasswordReset.user_id) == uid))
    db.exec(delete(t.LoginAttempt).where(col(t.LoginAttempt.key) == f"email:{user.email}"))
    db.exec(delete(t.User).where(col(t.User.id) == uid))
    counter = db.get(t.Counter, "erased_accounts") or t.Counter(name="erased_accounts", value=0)
    counter.value += 1
    db.add(counter)
    audit(db, actor, "erase", "user", uid)


def erase(db: Session, who: Principal, password: str) -> None:
    if who.role == Role.admin:
        raise Forbidden("an admin account is removed by another admin, not by itself")
    if not check_password(who.user, password):
        raise NotAuthenticated("wrong password: your account was not erased")
    erase_user(db, who.user, who)
    db.commit()


def retention(hub: Hub, db: Session, now: datetime | None = None) -> tuple[int, int]:
    """Send a notice to job seekers inactive for ``inactive_days``; erase those still inactive
    ``notice_days`` after it. Returns (notices sent, accounts erased)."""
    now = now or utcnow()
    s = hub.settings
    stale = now - timedelta(days=s.inactive_days)
    notices = erased = 0
    for u in db.exec(select(t.User).where(t.User.role == Role.jobseeker.value, col(t.User.last_active_at) < stale,
                                          col(t.User.inactive_notice_at).is_(None))).all():
        u.inactive_notice_at = now
        db.add(u)
        db.commit()
        hub.mailer.send(u.email, "Je profiel op Talent op Maat wordt verwijderd",
                        f"Hallo {u.name or ''},\n\nJe hebt al lang niet ingelogd op Talent op Maat. Log binnen "
                        f"{s.notice_days} dagen in als je je profiel wilt houden. Anders verwijderen we je account "
                        f"en al je gegevens.\n\n{s.public_url}\n")
        notices += 1
    limit = now - timedelta(days=s.notice_days)
    for u in db.exec(select(t.User).where(t.User.role == Role.jobseeker.value, col(t.User.last_active_at) < stale,
                                          col(t.User.inactive_notice_at) < limit)).all():
        erase_user(db, u, None)
        db.commit()
        erased += 1
    return notices, erased

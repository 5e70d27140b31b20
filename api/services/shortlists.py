"""A coach's shortlist per vacancy: talent-pool members saved to propose later, shared between all coaches.

Every read and change is written to the audit log (who looked at or changed which vacancy's list).
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from api import models as t
from api.models import Role
from api.services.accounts import Principal
from api.services.audit import audit
from api.services.errors import Conflict, Forbidden, NotFound
from api.services.vacancies import profile_by_ref, visible_to

MAX_ENTRIES = 200  # a shortlist is for a handful of people; this only stops a runaway script


def _check(db: Session, who: Principal, vacancy_id: int) -> t.Vacancy:
    if who.role != Role.coach:
        raise Forbidden("shortlists are for coaches")
    v = db.get(t.Vacancy, vacancy_id)
    if v is None:
        raise NotFound("no such vacancy")
    return v


def _member(db: Session, who: Principal, ref: str) -> t.Profile:
    p = profile_by_ref(db, ref)
    if p is None or not visible_to(who, p):
        raise NotFound("no such candidate in the talent pool")
    return p


def entries(db: Session, who: Principal, vacancy_id: int) -> list[t.ShortlistEntry]:
    """The vacancy's shortlist, oldest first; people who left the talent pool meanwhile are not shown."""
    _check(db, who, vacancy_id)
    rows = db.exec(select(t.ShortlistEntry, t.Profile).join(t.Profile, col(t.Profile.id) == t.ShortlistEntry.profile_id)
                   .where(t.ShortlistEntry.vacancy_id == vacancy_id).order_by(col(t.ShortlistEntry.id))).all()
    audit(db, who, "view", "shortlist", vacancy_id)
    db.commit()
    return [e for e, p in rows if visible_to(who, p)]


def add(db: Session, who: Principal, vacancy_id: int, ref: str) -> t.ShortlistEntry:
    _check(db, who, vacancy_id)
    p = _member(db, who, ref)
    if db.exec(select(t.ShortlistEntry).where(t.ShortlistEntry.vacancy_id == vacancy_id,
                                              t.ShortlistEntry.profile_id == p.id)).first() is not None:
        raise Conflict("this candidate is already on the shortlist")
    count = len(db.exec(select(t.ShortlistEntry.id).where(t.ShortlistEntry.vacancy_id == vacancy_id)).all())
    if count >= MAX_ENTRIES:
        raise Conflict(f"a shortlist holds at most {MAX_ENTRIES} people")
    assert p.id is not None
    entry = t.ShortlistEntry(vacancy_id=vacancy_id, profile_id=p.id, added_by=who.id)
    db.add(entry)
    db.flush()
    audit(db, who, "create", "shortlist_entry", entry.id)
    db.commit()
    db.refresh(entry)
    return entry


def remove(db: Session, who: Principal, vacancy_id: int, ref: str) -> None:
    _check(db, who, vacancy_id)
    p = profile_by_ref(db, ref)
    entry = None if p is None else db.exec(select(t.ShortlistEntry).where(
        t.ShortlistEntry.vacancy_id == vacancy_id, t.ShortlistEntry.profile_id == p.id)).first()
    if entry is None:
        raise NotFound("this candidate is not on the shortlist")
    audit(db, who, "delete", "shortlist_entry", entry.id)
    db.delete(entry)
    db.commit()


def to_public(db: Session, entry: t.ShortlistEntry) -> t.ShortlistEntryPublic:
    p = db.get(t.Profile, entry.profile_id)
    u = db.get(t.User, p.user_id) if p else None
    by = db.get(t.User, entry.added_by) if entry.added_by else None
    return t.ShortlistEntryPublic(candidate_ref=p.ref if p else "", profile_id=entry.profile_id,
                                  name=u.name if u else None, place=p.place if p else None,
                                  added_by=by.name if by else None, created_at=entry.created_at)

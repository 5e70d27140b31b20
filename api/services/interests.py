"""A job seeker's "Ik heb interesse" in a vacancy: it tells the coaches, and can be taken back."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from api import models as t
from api.models import Role
from api.services import notifications
from api.services.accounts import Principal
from api.services.audit import audit
from api.services.errors import Conflict, Forbidden, NotFound
from api.services.profiles import own_profile
from api.services.vacancies import get_vacancy


class NoInterest(NotFound):
    """Taking back an interest that is not there."""


def _jobseeker(who: Principal) -> None:
    if who.role != Role.jobseeker:
        raise Forbidden("only job seekers show interest in a vacancy")


def mine(db: Session, who: Principal, vacancy_id: int) -> t.Interest | None:
    _jobseeker(who)
    p = own_profile(db, who)
    return db.exec(select(t.Interest).where(t.Interest.profile_id == p.id, t.Interest.vacancy_id == vacancy_id)).first()


def show(db: Session, who: Principal, vacancy_id: int) -> tuple[t.Interest, bool]:
    """Record interest in an open vacancy; (the interest, whether it is new). Showing it twice changes nothing.

    Coaches can act on it only for talent-pool members, so joining the pool comes first."""
    _jobseeker(who)
    get_vacancy(db, vacancy_id, who)  # open vacancies only: 404 otherwise
    p = own_profile(db, who)
    if not p.in_talent_pool:
        raise Conflict("join the talent pool first: coaches can only propose talent-pool members")
    have = mine(db, who, vacancy_id)
    if have is not None:
        return have, False
    assert p.id is not None
    interest = t.Interest(profile_id=p.id, vacancy_id=vacancy_id)
    db.add(interest)
    try:
        db.flush()
    except IntegrityError:  # the same person pressed twice at once: the other request stored it
        db.rollback()
        again = mine(db, who, vacancy_id)
        if again is None:
            raise
        return again, False
    audit(db, who, "create", "interest", interest.id)
    db.commit()
    db.refresh(interest)
    notifications.after_interest(db, interest)
    return interest, True


def take_back(db: Session, who: Principal, vacancy_id: int) -> None:
    have = mine(db, who, vacancy_id)
    if have is None:
        raise NoInterest("you have not shown interest in this vacancy")
    audit(db, who, "delete", "interest", have.id)
    db.delete(have)
    db.commit()


def of_profile(db: Session, who: Principal) -> list[t.Interest]:
    """The job seeker's own interests, newest first."""
    _jobseeker(who)
    p = own_profile(db, who)
    return list(db.exec(select(t.Interest).where(t.Interest.profile_id == p.id)
                        .order_by(col(t.Interest.created_at).desc())).all())


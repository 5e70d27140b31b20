"""The opt-in vacancy alert: `tom notify` mails each job seeker who asked for it the open vacancies that fit
them well and that it has not mailed them before (``alerts_sent``), with an unsubscribe link that works
without logging in."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from api import models as t
from api.models import Role
from api.services.accounts import Principal
from api.services.audit import audit
from api.services.hub import Hub
from api.services.indexes import match_profile
from api.services.notifications import lang_of, vacancy_lines
from api.services.pipeline import GOOD_MATCH
from api.services.profiles import skills_of

MAX_PER_MAIL = 10  # the best ones; the rest come in the next mail if they still fit

TEXTS = {
    "nl": ("Nieuwe vacatures die bij je passen",
           "Hallo {name},\n\nDeze vacatures zijn nieuw voor jou en passen goed bij wat je kunt:\n\n{items}\n\n"
           "Bekijk al je matches op {url}/mijn.\n\nJe krijgt deze mail omdat je dat zelf hebt aangezet. "
           "Wil je deze mails niet meer? Ga naar {url}/afmelden/{token}\n\nGroeten,\nTalent op Maat\n"),
    "en": ("New vacancies that fit you",
           "Hello {name},\n\nThese vacancies are new to you and fit what you can do well:\n\n{items}\n\n"
           "See all your matches at {url}/mijn.\n\nYou get this e-mail because you switched it on yourself. "
           "No longer want these e-mails? Go to {url}/afmelden/{token}\n\nKind regards,\nTalent op Maat\n"),
}


@dataclass
class AlertRun:
    people: int = 0  # job seekers with the alert on
    mailed: int = 0
    vacancies: int = 0  # vacancy lines mailed in all
    failed: int = 0

    def summary(self) -> str:
        return (f"notify: {self.people} job seekers with the vacancy alert on, {self.mailed} mailed "
                f"({self.vacancies} vacancies), {self.failed} failed")


def set_alerts(db: Session, who: Principal, p: t.Profile, enabled: bool) -> t.Profile:
    """Switch the alert on or off; switching on makes the secret that the unsubscribe link carries."""
    p.alerts_enabled = enabled
    if enabled and not p.alert_token:
        p.alert_token = secrets.token_urlsafe(24)
    db.add(p)
    audit(db, who, "update", "alerts", p.id)
    db.commit()
    db.refresh(p)
    return p


def by_token(db: Session, token: str) -> t.Profile | None:
    if not token or len(token) > 64:
        return None
    return db.exec(select(t.Profile).where(t.Profile.alert_token == token)).first()


def unsubscribe(db: Session, token: str) -> bool:
    """Switch the alert off for the profile with this token; False when the token is unknown."""
    p = by_token(db, token)
    if p is None:
        return False
    p.alerts_enabled = False
    db.add(p)
    audit(db, None, "update", "alerts", p.id)
    db.commit()
    return True


def run(hub: Hub, db: Session, limit: int = MAX_PER_MAIL) -> AlertRun:
    """One pass over everyone with the alert on. Safe to run again (or twice at once): a vacancy is recorded
    in ``alerts_sent`` before its mail goes out, and a mail that fails is not recorded."""
    report = AlertRun()
    idx = hub.indexes.ensure(db)
    rows = db.exec(select(t.Profile, t.User).join(t.User, col(t.User.id) == t.Profile.user_id).where(
        col(t.Profile.alerts_enabled).is_(True), col(t.User.is_active).is_(True),
        t.User.role == Role.jobseeker.value).order_by(col(t.Profile.id))).all()
    url = hub.settings.public_url.rstrip("/")
    for p, user in rows:
        report.people += 1
        skills = skills_of(db, p.id)
        if not skills or not p.alert_token:
            continue
        sent = set(db.exec(select(t.AlertSent.vacancy_id).where(t.AlertSent.profile_id == p.id)).all())
        ranked = idx.vacancies.rank(match_profile(p, skills), k=len(sent) + 5 * limit).results
        fresh = [int(r.vacancy_id) for r in ranked if r.score >= GOOD_MATCH and int(r.vacancy_id) not in sent][:limit]
        vacancies = [v for v in (db.get(t.Vacancy, vid) for vid in fresh) if v is not None and v.status == "open"]
        if not vacancies:
            continue
        lang = lang_of(user)
        assert p.id is not None
        try:
            for v in vacancies:
                assert v.id is not None
                db.add(t.AlertSent(profile_id=p.id, vacancy_id=v.id))
            db.flush()
        except IntegrityError:  # another run is mailing this person right now
            db.rollback()
            continue
        subject, body = TEXTS[lang]
        items = "\n\n".join(vacancy_lines(db, v, lang, url) for v in vacancies)
        try:
            hub.mailer.send(user.email, subject, body.format(name=user.name or user.email, items=items, url=url,
                                                             token=p.alert_token), lang)
        except Exception:  # one unreachable address must not stop the others; retried next run
            db.rollback()
            report.failed += 1
            continue
        db.commit()
        report.mailed += 1
        report.vacancies += len(vacancies)
    return report

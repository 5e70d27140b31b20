"""The opt-in vacancy alert: `tom notify` mails each job seeker who asked for it the new open vacancies (posted in
the last ``NEW_DAYS`` days) that fit them well and that it has not mailed them before (``alerts_sent``), with an
unsubscribe link that works without logging in.

"Fit well" is what the report calls a good match: the person misses at most ``pipeline.GOOD_MATCH_MISSING``
must-haves and holds more than they miss (a vacancy without must-haves: half its requirements met), within the
person's own distance, hours and sector wishes. New vacancies are few per day, so each is scored exactly for
each person (no index needed).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from api import models as t
from api.models import Role, utcnow
from api.services.accounts import Principal
from api.services.audit import audit
from api.services.hub import Hub
from api.services.indexes import is_listed, match_profile, match_vacancy
from api.services.notifications import lang_of, vacancy_lines
from api.services.pipeline import GOOD_MATCH_MISSING
from api.services.profiles import skills_of
from api.services.vacancies import requirements
from matching.scoring import exclusions, prepare, score


def fits_well(held: int, total: int, requirements: float) -> bool:
    """A good match: at most GOOD_MATCH_MISSING must-haves missing and more held than missing; without
    must-haves, at least half of the (weighted) requirements met."""
    if total == 0:
        return requirements >= 0.5
    missing = total - held
    return missing <= GOOD_MATCH_MISSING and held > missing


MAX_PER_MAIL = 10  # the best ones; the rest come in the next mail if they still fit
NEW_DAYS = 14  # "new": posted this recently; older vacancies are on the person's /mijn already

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
    today = date.today()
    new = [v for v in db.exec(select(t.Vacancy).where(
        t.Vacancy.status == "open", col(t.Vacancy.created_at) >= utcnow() - timedelta(days=NEW_DAYS))).all()
        if is_listed(v, today)]
    if not new:
        return report
    shapes = {v.id: match_vacancy(v, requirements(db, v.id)) for v in new}
    space = hub.matching.space
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
        prof = match_profile(p, skills)
        prep = prepare(space, prof, today.year)
        fits = []
        for v in new:
            shape = shapes[v.id]
            if v.id in sent or exclusions(prof, shape, today):
                continue
            r = score(space, prep, shape, today.year)
            if fits_well(r.essential_held, r.essential_total, r.requirements):
                fits.append((-r.score, v.id or 0, v))
        vacancies = [v for _, _, v in sorted(fits, key=lambda f: f[:2])[:limit]]
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

"""The job seeker's side of introductions: what was proposed to me, why it fits, my answer, its history,
and the notes coaches chose to share with me."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_
from sqlmodel import Session, col, func, select

from api import models as t
from api.models import IntroStatus, Role
from api.services import pipeline
from api.services.accounts import Principal
from api.services.errors import Conflict, Forbidden
from api.services.explain import explanation
from api.services.hub import Hub
from api.services.indexes import match_profile, match_vacancy
from api.services.profiles import own_profile, skills_of
from api.services.vacancies import requirements
from matching.scoring import score

FINAL = {IntroStatus.declined, IntroStatus.withdrawn, IntroStatus.hired}
UNDO = "undo"  # introduction_events.reason of a coach's step back


class AlreadyAnswered(Conflict):
    pass


class WithdrawnProposal(Conflict):
    pass


class StaleProposal(Conflict):
    pass


@dataclass
class HistoryItem:
    status: str
    at: datetime
    actor_role: str
    reason: str | None  # only the job seeker's own words
    undo: bool = False  # a coach took the step before back (it was pressed by mistake)


@dataclass
class SharedNote:
    id: int
    text: str
    author: str | None
    created_at: datetime
    introduction_id: int | None


@dataclass
class Proposal:
    intro: t.Introduction
    vacancy: t.Vacancy | None
    organisation: str
    proposer: str | None  # the coach's name
    explanation: t.Explanation | None
    history: list[HistoryItem] = field(default_factory=list)
    notes: list[SharedNote] = field(default_factory=list)


def _jobseeker(who: Principal) -> None:
    if who.role != Role.jobseeker:
        raise Forbidden("proposals are answered by the job seeker")


def open_count(db: Session, who: Principal) -> int:
    """Proposals waiting for my answer (the number next to "Voorstellen" in the menu)."""
    p = db.exec(select(t.Profile.id).where(t.Profile.user_id == who.id)).first()
    if p is None:
        return 0
    return int(db.exec(select(func.count()).select_from(t.Introduction).where(
        t.Introduction.profile_id == p, t.Introduction.status == IntroStatus.proposed.value)).one())


def shared_notes(db: Session, who: Principal, intro_ids: list[int] | None = None) -> list[SharedNote]:
    """Notes a coach shared with me: about me, or about one of my introductions; oldest first."""
    _jobseeker(who)
    p = own_profile(db, who)
    if intro_ids is None:
        intro_ids = [i for i in db.exec(select(t.Introduction.id).where(t.Introduction.profile_id == p.id)).all()
                     if i is not None]
    rows = db.exec(select(t.Note).where(col(t.Note.shared).is_(True)).where(
        or_(col(t.Note.profile_id) == p.id, col(t.Note.introduction_id).in_(intro_ids or [-1])))
        .order_by(col(t.Note.created_at), col(t.Note.id))).all()
    authors = {u.id: u.name for u in db.exec(select(t.User).where(
        col(t.User.id).in_({n.author_id for n in rows if n.author_id}))).all()}
    return [SharedNote(id=n.id or 0, text=n.text, author=authors.get(n.author_id or 0) or None,
                       created_at=n.created_at, introduction_id=n.introduction_id) for n in rows]


def for_me(hub: Hub, db: Session, who: Principal, lang: str) -> list[Proposal]:
    """Every introduction proposed for me, waiting ones first, then newest first."""
    _jobseeker(who)
    p = own_profile(db, who)
    intros = list(db.exec(select(t.Introduction).where(t.Introduction.profile_id == p.id)
                          .order_by(col(t.Introduction.updated_at).desc())).all())
    intros.sort(key=lambda i: i.status != IntroStatus.proposed.value)  # stable: waiting ones first
    prof = match_profile(p, skills_of(db, p.id))
    notes = shared_notes(db, who, [i.id for i in intros if i.id is not None])
    out = []
    for intro in intros:
        v = db.get(t.Vacancy, intro.vacancy_id) if intro.vacancy_id else None
        org = db.get(t.Organisation, v.organisation_id) if v else None
        asker = db.get(t.User, intro.requested_by) if intro.requested_by else None
        why = None
        if v is not None:
            why = explanation(hub, score(hub.matching.space, prof, match_vacancy(v, requirements(db, v.id))), lang)
        events = db.exec(select(t.IntroductionEvent).where(t.IntroductionEvent.introduction_id == intro.id)
                         .order_by(col(t.IntroductionEvent.id))).all()
        out.append(Proposal(
            intro=intro, vacancy=v, organisation=org.name if org else "",
            proposer=asker.name if asker is not None and asker.role == Role.coach.value else None, explanation=why,
            history=[HistoryItem(e.status, e.at, e.actor_role, e.reason if e.actor_id == who.id else None,
                                 e.reason == UNDO) for e in events],
            notes=[n for n in notes if n.introduction_id == intro.id]))
    return out


def answer(db: Session, who: Principal, introduction_id: int, agree: bool, version: int | None,
           reason: str | None = None) -> t.Introduction:
    """"Ja, stel me voor" (agree) or "Nee, bedankt". A second answer, an answer to a withdrawn proposal or to a
    version that changed meanwhile is refused (409) and changes nothing."""
    _jobseeker(who)
    intro = pipeline.get(db, who, introduction_id)  # someone else's: 404
    cur = IntroStatus(intro.status)
    if cur == IntroStatus.withdrawn:
        raise WithdrawnProposal("this proposal was withdrawn")
    if (agree and cur != IntroStatus.proposed) or (not agree and cur in FINAL):
        raise AlreadyAnswered(f"this proposal was already answered (it is {cur.value!r})")
    if version is not None and version != intro.version:
        raise StaleProposal("this proposal changed since you read it; reload it and try again")
    new = IntroStatus.candidate_agreed if agree else IntroStatus.declined
    text = " ".join((reason or "").split())[:498] or None
    if text is not None and text.casefold() == UNDO:  # the history's mark of a step back: keep the words, quoted
        text = f"“{text}”"
    try:
        return pipeline.move(db, who, intro, t.IntroductionMove(status=new, version=version or intro.version,
                                                                 reason=None if agree else text))
    except Conflict as exc:
        if isinstance(exc, AlreadyAnswered | WithdrawnProposal | StaleProposal):
            raise
        raise StaleProposal(exc.message) from None

"""The job seeker's loop in the JSON API: interest in a vacancy, shared notes, phone and the vacancy alert."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, ConfigDict
from pydantic import Field as PField

from api.deps import HubDep, Id, JobSeeker, Lang, SessionDep, lang_of
from api.models import Explanation
from api.services import alerts, interests, profiles, proposals
from api.services.errors import NotFound

router = APIRouter(tags=["job seeker"])


class InterestPublic(BaseModel):
    vacancy_id: int
    created_at: datetime


class SharedNotePublic(BaseModel):
    id: int
    text: str
    author: str | None
    created_at: datetime
    introduction_id: int | None


class ContactIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    phone: str = PField(default="", max_length=100, description="'' removes it.")


class AlertsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    enabled: bool


class HistoryItemPublic(BaseModel):
    status: str
    at: datetime
    actor_role: str
    reason: str | None  # only my own words
    undo: bool


class ProposalPublic(BaseModel):
    id: int
    status: str
    version: int
    vacancy_id: int | None
    vacancy_title: str | None
    organisation: str
    message: str  # the coach's word to me
    proposer: str | None  # the coach's name
    explanation: Explanation | None  # why the vacancy fits me
    history: list[HistoryItemPublic]
    notes: list[SharedNotePublic]


class SettingsPublic(BaseModel):
    phone: str | None
    alerts_enabled: bool


@router.get("/vacancies/{vacancy_id}/interest", response_model=InterestPublic)
def get_interest(db: SessionDep, who: JobSeeker, vacancy_id: Id) -> InterestPublic:
    i = interests.mine(db, who, vacancy_id)
    if i is None:
        raise NotFound("you have not shown interest in this vacancy")
    return InterestPublic(vacancy_id=i.vacancy_id, created_at=i.created_at)


@router.post("/vacancies/{vacancy_id}/interest", response_model=InterestPublic,
             responses={201: {"description": "Interest recorded; the coaches are told."},
                        409: {"description": "Not in the talent pool."}})
def show_interest(db: SessionDep, who: JobSeeker, vacancy_id: Id, response: Response) -> InterestPublic:
    """"Ik heb interesse": 201 the first time (coaches get an e-mail), 200 when it was already there."""
    i, new = interests.show(db, who, vacancy_id)
    response.status_code = status.HTTP_201_CREATED if new else status.HTTP_200_OK
    return InterestPublic(vacancy_id=i.vacancy_id, created_at=i.created_at)


@router.delete("/vacancies/{vacancy_id}/interest", status_code=status.HTTP_204_NO_CONTENT)
def take_back_interest(db: SessionDep, who: JobSeeker, vacancy_id: Id) -> None:
    interests.take_back(db, who, vacancy_id)


@router.get("/me/interests", response_model=list[InterestPublic])
def my_interests(db: SessionDep, who: JobSeeker) -> list[InterestPublic]:
    return [InterestPublic(vacancy_id=i.vacancy_id, created_at=i.created_at) for i in interests.of_profile(db, who)]


@router.get("/me/notes", response_model=list[SharedNotePublic])
def my_notes(db: SessionDep, who: JobSeeker) -> list[SharedNotePublic]:
    """Notes a coach chose to share with me (about me or one of my introductions), with author and date."""
    return [SharedNotePublic(**vars(n)) for n in proposals.shared_notes(db, who)]


@router.get("/me/proposals", response_model=list[ProposalPublic])
def my_proposals(hub: HubDep, db: SessionDep, who: JobSeeker, lang: Lang = None) -> list[ProposalPublic]:
    """What /mijn/voorstellen shows: every introduction proposed for me (waiting ones first) with the coach's
    message, why it fits, its history and the notes shared with me. Answer with POST /introductions/{id}/status."""
    mine = proposals.for_me(hub, db, who, lang_of(who, lang))
    return [ProposalPublic(
        id=p.intro.id or 0, status=p.intro.status, version=p.intro.version, vacancy_id=p.intro.vacancy_id,
        vacancy_title=p.vacancy.title if p.vacancy else None, organisation=p.organisation, message=p.intro.message,
        proposer=p.proposer, explanation=p.explanation, history=[HistoryItemPublic(**vars(h)) for h in p.history],
        notes=[SharedNotePublic(**vars(n)) for n in p.notes]) for p in mine]


@router.get("/me/settings", response_model=SettingsPublic)
def my_settings(db: SessionDep, who: JobSeeker) -> SettingsPublic:
    return SettingsPublic(phone=who.user.phone, alerts_enabled=profiles.own_profile(db, who).alerts_enabled)


@router.put("/me/phone", response_model=SettingsPublic)
def put_phone(db: SessionDep, who: JobSeeker, body: ContactIn) -> SettingsPublic:
    """My phone number (optional): an employer sees it only after I agreed to an introduction."""
    user = profiles.set_phone(db, who, body.phone)
    return SettingsPublic(phone=user.phone, alerts_enabled=profiles.own_profile(db, who).alerts_enabled)


@router.put("/me/alerts", response_model=SettingsPublic)
def put_alerts(db: SessionDep, who: JobSeeker, body: AlertsIn) -> SettingsPublic:
    """Switch the daily e-mail about new vacancies that fit me on or off."""
    p = alerts.set_alerts(db, who, profiles.own_profile(db, who), body.enabled)
    return SettingsPublic(phone=who.user.phone, alerts_enabled=p.alerts_enabled)

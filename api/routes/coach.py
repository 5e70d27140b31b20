"""Talent pool, candidate profiles, introductions, notes, reports and user administration."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from fastapi import Path as PathParam
from sqlmodel import col, select

from api.deps import (
    MAX_ID,
    Admin,
    Coach,
    CoachOrAdmin,
    CurrentUser,
    HubDep,
    Id,
    Lang,
    Limit,
    Offset,
    SessionDep,
    lang_of,
)
from api.models import (
    AuditEntry,
    CandidatePublic,
    IntroductionCreate,
    IntroductionMove,
    IntroductionPublic,
    MatchList,
    NoteCreate,
    NotePublic,
    Page,
    ProfilePublic,
    Role,
    ShortlistAdd,
    ShortlistEntryPublic,
    StepBack,
    User,
    UserCreate,
    UserPublic,
)
from api.routes.auth import user_public
from api.services import pipeline, profiles, shortlists, vacancies
from api.services.errors import NotFound

router = APIRouter(tags=["coach"])
OptId = Annotated[int | None, Query(ge=1, le=MAX_ID)]


@router.get("/talent-pool", response_model=Page[CandidatePublic])
def talent_pool(hub: HubDep, db: SessionDep, who: CurrentUser, offset: Offset = 0, limit: Limit = 20,
                lang: Lang = None, sector: Annotated[str | None, Query()] = None,
                place: Annotated[str | None, Query(max_length=100, description="Place name or postcode.")] = None,
                max_km: Annotated[float | None, Query(gt=0, le=300)] = None,
                skill: Annotated[list[str] | None, Query(description="Concept ids; all must be present.")] = None,
                available_before: date | None = None) -> Page[CandidatePublic]:
    """Coaches see the whole pool with names; employers only members who allow it, anonymised."""
    items, total = vacancies.talent_pool(hub, db, who, sector=sector, place=place, max_km=max_km, skill=skill or [],
                                         available_before=available_before, offset=offset, limit=limit,
                                         lang=lang_of(who, lang))
    return Page[CandidatePublic](items=items, total=total, offset=offset, limit=limit)


@router.get("/talent-pool/{candidate_ref}", response_model=CandidatePublic)
def candidate(hub: HubDep, db: SessionDep, who: CurrentUser, candidate_ref: str, lang: Lang = None) -> CandidatePublic:
    p = vacancies.profile_by_ref(db, candidate_ref)
    if p is None or not vacancies.visible_to(who, p):
        raise NotFound("no such candidate in the talent pool")
    return vacancies.candidate(hub, db, p, who, lang_of(who, lang))


@router.get("/profiles/{profile_id}", response_model=ProfilePublic)
def coach_profile(hub: HubDep, db: SessionDep, who: Coach, profile_id: Id, lang: Lang = None) -> ProfilePublic:
    """A talent-pool member's full profile (logged in the audit log)."""
    p = vacancies.profile_for_coach(hub, db, who, profile_id)
    return profiles.to_public(hub, db, p, lang_of(who, lang))


@router.get("/profiles/{profile_id}/matches", response_model=MatchList)
def coach_profile_matches(hub: HubDep, db: SessionDep, who: Coach, profile_id: Id, offset: Offset = 0,
                          limit: Limit = 20, lang: Lang = None) -> MatchList:
    p = vacancies.profile_for_coach(hub, db, who, profile_id)
    return profiles.vacancy_matches(hub, db, p, limit, offset, lang_of(who, lang))


@router.post("/introductions", response_model=IntroductionPublic, status_code=status.HTTP_201_CREATED)
def propose(db: SessionDep, who: CurrentUser, body: IntroductionCreate) -> IntroductionPublic:
    """Propose a candidate (by ``candidate_ref``) for a vacancy; the candidate is asked to agree first."""
    return pipeline.to_public(db, who, pipeline.propose(db, who, body))


@router.get("/introductions", response_model=Page[IntroductionPublic])
def introductions(db: SessionDep, who: CurrentUser, offset: Offset = 0, limit: Limit = 20,
                  status_: Annotated[str | None, Query(alias="status")] = None) -> Page[IntroductionPublic]:
    """Job seekers: mine. Employers: for my organisation's vacancies. Coaches: all (the pipeline board)."""
    rows, total = pipeline.listing(db, who, status_, offset, limit)
    return Page[IntroductionPublic](items=[pipeline.to_public(db, who, i) for i in rows], total=total,
                                    offset=offset, limit=limit)


@router.get("/introductions/{introduction_id}", response_model=IntroductionPublic)
def introduction(db: SessionDep, who: CurrentUser, introduction_id: Id) -> IntroductionPublic:
    return pipeline.to_public(db, who, pipeline.get(db, who, introduction_id))


@router.post("/introductions/{introduction_id}/status", response_model=IntroductionPublic)
def move(db: SessionDep, who: CurrentUser, introduction_id: Id, body: IntroductionMove) -> IntroductionPublic:
    """Next step: the candidate agrees or declines; the coach introduces, plans the interview, records the outcome."""
    intro = pipeline.get(db, who, introduction_id)
    return pipeline.to_public(db, who, pipeline.move(db, who, intro, body))


@router.post("/introductions/{introduction_id}/undo", response_model=IntroductionPublic)
def step_back(db: SessionDep, who: Coach, introduction_id: Id, body: StepBack) -> IntroductionPublic:
    """Take back the last step a coach or employer took (e.g. "hired" by mistake); history keeps both rows."""
    intro = pipeline.get(db, who, introduction_id)
    return pipeline.to_public(db, who, pipeline.step_back(db, who, intro, body.version))


@router.get("/coach/vacancies/{vacancy_id}/shortlist", response_model=list[ShortlistEntryPublic])
def shortlist(db: SessionDep, who: Coach, vacancy_id: Id) -> list[ShortlistEntryPublic]:
    """The vacancy's shortlist, shared by all coaches (oldest first)."""
    return [shortlists.to_public(db, e) for e in shortlists.entries(db, who, vacancy_id)]


@router.post("/coach/vacancies/{vacancy_id}/shortlist", response_model=ShortlistEntryPublic,
             status_code=status.HTTP_201_CREATED)
def shortlist_add(db: SessionDep, who: Coach, vacancy_id: Id, body: ShortlistAdd) -> ShortlistEntryPublic:
    """Put a talent-pool member on the shortlist; 409 if they are on it already."""
    return shortlists.to_public(db, shortlists.add(db, who, vacancy_id, body.candidate_ref))


@router.delete("/coach/vacancies/{vacancy_id}/shortlist/{candidate_ref}", status_code=status.HTTP_204_NO_CONTENT)
def shortlist_remove(db: SessionDep, who: Coach, vacancy_id: Id,
                     candidate_ref: Annotated[str, PathParam(min_length=4, max_length=32)]) -> None:
    shortlists.remove(db, who, vacancy_id, candidate_ref)


@router.post("/notes", response_model=NotePublic, status_code=status.HTTP_201_CREATED)
def add_note(db: SessionDep, who: Coach, body: NoteCreate) -> NotePublic:
    return NotePublic.model_validate(pipeline.add_note(db, who, body), from_attributes=True)


@router.get("/notes", response_model=list[NotePublic])
def notes(db: SessionDep, who: Coach, profile_id: OptId = None, vacancy_id: OptId = None,
          introduction_id: OptId = None) -> list[NotePublic]:
    return [NotePublic.model_validate(n, from_attributes=True)
            for n in pipeline.notes(db, who, profile_id, vacancy_id, introduction_id)]


@router.get("/reports/summary")
def report(hub: HubDep, db: SessionDep, who: CoachOrAdmin, lang: Lang = None) -> dict[str, Any]:
    """Counts for the project board: profiles and vacancies per sector, introductions and placements per
    month, the skills most often missing per sector."""
    return pipeline.report(hub, db, lang_of(who, lang))


@router.post("/admin/users", response_model=UserPublic, status_code=status.HTTP_201_CREATED)
def create_user(hub: HubDep, db: SessionDep, who: Admin, body: UserCreate) -> UserPublic:
    """Create a coach or admin account."""
    user = hub.accounts.register(db, body, allow_roles=(Role.coach, Role.admin), actor=who)
    db.commit()
    db.refresh(user)
    return user_public(user)


@router.get("/admin/users", response_model=Page[UserPublic])
def list_users(db: SessionDep, who: Admin, offset: Offset = 0, limit: Limit = 50,
               role: Annotated[Role | None, Query()] = None) -> Page[UserPublic]:
    stmt = select(User).order_by(col(User.id))
    if role:
        stmt = stmt.where(User.role == role.value)
    rows = db.exec(stmt).all()
    return Page[UserPublic](items=[user_public(u) for u in rows[offset:offset + limit]], total=len(rows),
                            offset=offset, limit=limit)


@router.get("/admin/audit")
def audit_log(db: SessionDep, who: Admin, offset: Offset = 0, limit: Limit = 50) -> list[dict[str, Any]]:
    rows = db.exec(select(AuditEntry).order_by(col(AuditEntry.id).desc()).offset(offset).limit(limit)).all()
    return [r.model_dump(mode="json") for r in rows]

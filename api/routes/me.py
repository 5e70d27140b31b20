"""The signed-in job seeker: profile, skills and their history, consents, matches, careers, GDPR."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status

from api.deps import CurrentUser, HubDep, JobSeeker, Lang, Limit, Offset, SessionDep, lang_of
from api.models import (
    CareerMovePublic,
    ConsentPublic,
    ConsentUpdate,
    EraseRequest,
    MatchList,
    ProfilePublic,
    ProfileUpdate,
    SkillItemIn,
)
from api.services import gdpr, profiles

router = APIRouter(prefix="/me", tags=["job seeker"])


@router.get("/profile", response_model=ProfilePublic)
def get_profile(hub: HubDep, db: SessionDep, who: JobSeeker, lang: Lang = None) -> ProfilePublic:
    return profiles.to_public(hub, db, profiles.own_profile(db, who), lang_of(who, lang))


@router.put("/profile", response_model=ProfilePublic)
def put_profile(hub: HubDep, db: SessionDep, who: JobSeeker, body: ProfileUpdate, lang: Lang = None) -> ProfilePublic:
    """Change any of the fields; ``skills`` (when given) replaces the whole list. Send ``version`` to
    be told (409) when the profile changed since you read it."""
    p = profiles.update_profile(hub, db, who, profiles.own_profile(db, who), body)
    return profiles.to_public(hub, db, p, lang_of(who, lang))


@router.put("/profile/skills", response_model=ProfilePublic)
def put_skill(hub: HubDep, db: SessionDep, who: JobSeeker, body: SkillItemIn, lang: Lang = None) -> ProfilePublic:
    """Add one skill, or change its level, source or last use."""
    p = profiles.put_skill(hub, db, who, profiles.own_profile(db, who), body)
    return profiles.to_public(hub, db, p, lang_of(who, lang))


@router.delete("/profile/skills", response_model=ProfilePublic)
def delete_skill(hub: HubDep, db: SessionDep, who: JobSeeker,
                 concept_id: Annotated[str, Query(min_length=1, max_length=255)], lang: Lang = None) -> ProfilePublic:
    p = profiles.delete_skill(hub, db, who, profiles.own_profile(db, who), concept_id)
    return profiles.to_public(hub, db, p, lang_of(who, lang))


@router.get("/profile/history")
def skill_history(db: SessionDep, who: JobSeeker) -> list[dict[str, Any]]:
    """Every skill added, changed or removed, oldest first: how the profile was kept up to date."""
    return [e.model_dump(mode="json", exclude={"profile_id", "id"})
            for e in profiles.history(db, profiles.own_profile(db, who))]


@router.get("/consents", response_model=list[ConsentPublic])
def get_consents(db: SessionDep, who: CurrentUser) -> list[ConsentPublic]:
    """The consent log: every consent given or withdrawn, with the wording version."""
    return [ConsentPublic.model_validate(c, from_attributes=True) for c in profiles.consents(db, who.id)]


@router.put("/consents", response_model=ProfilePublic)
def put_consents(hub: HubDep, db: SessionDep, who: JobSeeker, body: ConsentUpdate) -> ProfilePublic:
    """Join or leave the talent pool; let employers see the anonymised profile or not."""
    p = profiles.set_consents(db, who, profiles.own_profile(db, who), body)
    return profiles.to_public(hub, db, p, who.user.language)


@router.get("/matches", response_model=MatchList)
def my_matches(hub: HubDep, db: SessionDep, who: JobSeeker, offset: Offset = 0, limit: Limit = 20,
               lang: Lang = None,
               filters: Annotated[bool, Query(description="Apply distance, hours and sector preferences.")] = True
               ) -> MatchList:
    """Open vacancies that fit my skills, best first, each explained, with training for what is missing."""
    return profiles.vacancy_matches(hub, db, profiles.own_profile(db, who), limit, offset, lang_of(who, lang), filters)


@router.get("/careers", response_model=list[CareerMovePublic])
def my_careers(hub: HubDep, db: SessionDep, who: JobSeeker, lang: Lang = None, limit: Limit = 10,
               sector: Annotated[list[str] | None, Query()] = None) -> list[CareerMovePublic]:
    """Where else my skills fit: occupations in any sector (or the given ones), with training to get there."""
    return profiles.career_moves(hub, db, profiles.own_profile(db, who), limit, tuple(sector or ()),
                                 lang_of(who, lang))


@router.get("/export")
def export(hub: HubDep, db: SessionDep, who: CurrentUser) -> dict[str, Any]:
    """Everything we hold about me, as JSON (AVG art. 15 and 20)."""
    return gdpr.export(hub, db, who)


@router.post("/erase", status_code=status.HTTP_204_NO_CONTENT)
def erase(db: SessionDep, who: CurrentUser, body: EraseRequest, response: Response) -> None:
    """Delete my account and all my personal data for good (AVG art. 17). Asks for the password."""
    gdpr.erase(db, who, body.password)
    response.delete_cookie("tom_session", path="/")

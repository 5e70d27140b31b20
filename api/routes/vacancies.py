"""Vacancies: public listing of open ones; employers (own organisation), coaches and admins write."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import JSONResponse

from api.deps import MAX_ID, CurrentUser, HubDep, Id, Lang, Limit, MaybeUser, Offset, SessionDep, lang_of
from api.models import CandidateList, Organisation, Page, Role, VacancyIn, VacancyPatch, VacancyPublic
from api.services import vacancies
from api.services.errors import Forbidden

router = APIRouter(prefix="/vacancies", tags=["vacancies"])


@router.get("", response_model=Page[VacancyPublic])
def list_vacancies(hub: HubDep, db: SessionDep, who: MaybeUser, offset: Offset = 0, limit: Limit = 20,
                   lang: Lang = None, sector: Annotated[str | None, Query(pattern="^(techniek|horeca|zorg)$")] = None,
                   q: Annotated[str | None, Query(max_length=100, description="Words in the title.")] = None,
                   mine: Annotated[bool, Query(description="Employers: my organisation's, closed ones too.")] = False
                   ) -> Page[VacancyPublic]:
    org = None
    if mine:
        if who is None or who.role != Role.employer:
            raise Forbidden("mine=true is for employers")
        org = who.user.organisation_id
    rows, total = vacancies.listing(db, sector=sector, q=q, organisation_id=org, offset=offset, limit=limit,
                                    include_closed=mine)
    lg = lang_of(who, lang)
    return Page[VacancyPublic](items=[vacancies.to_public(hub, db, v, lg) for v in rows], total=total,
                               offset=offset, limit=limit)


@router.post("", response_model=VacancyPublic, status_code=status.HTTP_201_CREATED)
def create_vacancy(hub: HubDep, db: SessionDep, who: CurrentUser, body: VacancyIn, lang: Lang = None) -> VacancyPublic:
    """Post a vacancy. Without ``occupation_id`` the title is mapped to an occupation when we are sure."""
    v = vacancies.create(hub, db, who, body)
    return vacancies.to_public(hub, db, v, lang_of(who, lang))


@router.get("/{vacancy_id}", response_model=VacancyPublic)
def get_vacancy(hub: HubDep, db: SessionDep, who: MaybeUser, vacancy_id: Id, lang: Lang = None) -> VacancyPublic:
    return vacancies.to_public(hub, db, vacancies.get_vacancy(db, vacancy_id, who), lang_of(who, lang))


@router.put("/{vacancy_id}", response_model=VacancyPublic)
def put_vacancy(hub: HubDep, db: SessionDep, who: CurrentUser, vacancy_id: Id, body: VacancyIn,
                version: Annotated[int | None, Query(ge=1, le=MAX_ID,
                                                     description="The version you edited (409 if changed).")] = None,
                lang: Lang = None) -> VacancyPublic:
    v = vacancies.managed_vacancy(db, vacancy_id, who)
    return vacancies.to_public(hub, db, vacancies.replace(hub, db, who, v, body, version), lang_of(who, lang))


@router.patch("/{vacancy_id}", response_model=VacancyPublic)
def patch_vacancy(hub: HubDep, db: SessionDep, who: CurrentUser, vacancy_id: Id, body: VacancyPatch,
                  lang: Lang = None) -> VacancyPublic:
    """Close or reopen a vacancy."""
    v = vacancies.managed_vacancy(db, vacancy_id, who)
    if body.status is not None:
        v = vacancies.set_status(db, who, v, body.status, body.version)
    return vacancies.to_public(hub, db, v, lang_of(who, lang))


@router.get("/{vacancy_id}/jobposting", response_class=JSONResponse,
            responses={200: {"content": {"application/ld+json": {}}}})
def jobposting(hub: HubDep, db: SessionDep, who: MaybeUser, vacancy_id: Id) -> JSONResponse:
    """The vacancy as schema.org JobPosting JSON-LD."""
    from api.services.jobposting import to_jsonld

    v = vacancies.get_vacancy(db, vacancy_id, who)
    org = db.get(Organisation, v.organisation_id)
    doc = to_jsonld(hub, v, org.name if org else "", vacancies.requirements(db, v.id), hub.settings.public_url)
    return JSONResponse(doc, media_type="application/ld+json")


@router.get("/{vacancy_id}/candidates", response_model=CandidateList)
def candidates(hub: HubDep, db: SessionDep, who: CurrentUser, vacancy_id: Id, offset: Offset = 0,
               limit: Limit = 20, lang: Lang = None) -> CandidateList:
    """Talent-pool members who fit, best first. Employers see them anonymised (no name, contact, free text)."""
    v = vacancies.managed_vacancy(db, vacancy_id, who)
    return vacancies.candidates_for(hub, db, who, v, limit, offset, lang_of(who, lang))

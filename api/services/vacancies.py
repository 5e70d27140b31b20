"""Vacancies (employers post, everyone reads open ones) and the talent pool seen from a vacancy."""

from __future__ import annotations

import math
from datetime import date

from sqlmodel import Session, col, func, select, update

from api import models as t
from api.models import Role, utcnow
from api.services.accounts import Principal
from api.services.audit import audit
from api.services.errors import BadInput, Conflict, Forbidden, NotFound
from api.services.explain import explanation, refs
from api.services.geo import normalise_postcode
from api.services.hub import Hub
from api.services.indexes import is_listed, match_vacancy, record_change, sectors_of
from matching.model import Location
from matching.scoring import distance_km

# Salary and how to apply: stored as given (the form and the JobPosting import both fill VacancyIn).
OFFER_FIELDS = ("salary_min", "salary_max", "salary_currency", "salary_period", "apply_url", "apply_email",
                "apply_phone", "apply_contact", "direct_apply")


def get_vacancy(db: Session, vid: int, who: Principal | None) -> t.Vacancy:
    """Open vacancies are public; closed or expired ones only for their organisation, coaches and admins."""
    v = db.get(t.Vacancy, vid)
    if v is None or (not is_listed(v) and not can_manage(who, v)):
        raise NotFound("no such vacancy")
    return v


def can_manage(who: Principal | None, v: t.Vacancy) -> bool:
    if who is None:
        return False
    if who.role in (Role.coach, Role.admin):
        return True
    return who.role == Role.employer and who.user.organisation_id == v.organisation_id


def managed_vacancy(db: Session, vid: int, who: Principal) -> t.Vacancy:
    v = db.get(t.Vacancy, vid)
    if v is None:
        raise NotFound("no such vacancy")
    if not can_manage(who, v):
        # Existence of others' vacancies is public anyway (open ones); say plainly why.
        raise Forbidden("this vacancy belongs to another organisation")
    return v


def requirements(db: Session, vid: int | None) -> list[t.VacancySkill]:
    return list(db.exec(select(t.VacancySkill).where(t.VacancySkill.vacancy_id == vid)
                        .order_by(col(t.VacancySkill.id))).all())


def to_public(hub: Hub, db: Session, v: t.Vacancy, lang: str = "nl") -> t.VacancyPublic:
    org = db.get(t.Organisation, v.organisation_id)
    reqs = [t.RequirementPublic(concept_id=s.concept_id, essential=s.essential, min_level=s.min_level,
                                weight=s.weight, label=hub.label(s.concept_id, lang) or s.concept_id,
                                evidence=s.evidence) for s in requirements(db, v.id)]
    return t.VacancyPublic(id=v.id or 0, organisation_id=v.organisation_id, organisation=org.name if org else "",
                           identifier=v.identifier, title=v.title, description=v.description,
                           occupation_id=v.occupation_id, occupation=hub.label(v.occupation_id, lang),
                           sector=v.sector, postcode=v.postcode, place=v.place, hours_min=v.hours_min,
                           hours_max=v.hours_max, valid_through=v.valid_through,
                           **{k: getattr(v, k) for k in OFFER_FIELDS}, status=v.status,
                           requirements=reqs, created_at=v.created_at, updated_at=v.updated_at, version=v.version)


def where_of(db: Session, ids: set[int]) -> dict[int, tuple[str, str | None]]:
    """Per vacancy id: the employer's name and the place (for cards that list many vacancies)."""
    if not ids:
        return {}
    rows = db.exec(select(t.Vacancy.id, t.Organisation.name, t.Vacancy.place)
                   .join(t.Organisation, col(t.Organisation.id) == t.Vacancy.organisation_id)
                   .where(col(t.Vacancy.id).in_(ids))).all()
    return {vid: (org, place) for vid, org, place in rows if vid is not None}


def _organisation_for(db: Session, who: Principal, data: t.VacancyIn) -> int:
    if who.role == Role.employer:
        if data.organisation_id not in (None, who.user.organisation_id):
            raise Forbidden("you can only post vacancies for your own organisation")
        assert who.user.organisation_id is not None
        return who.user.organisation_id
    if who.role in (Role.coach, Role.admin):
        if data.organisation_id is None or db.get(t.Organisation, data.organisation_id) is None:
            raise BadInput("organisation_id must name an existing organisation")
        return data.organisation_id
    raise Forbidden("only employers, coaches and admins post vacancies")


def _fill(hub: Hub, db: Session, v: t.Vacancy, data: t.VacancyIn) -> list[t.VacancySkill]:
    if data.hours_min is not None and data.hours_max is not None and data.hours_min > data.hours_max:
        raise BadInput("hours_min is more than hours_max")
    occ = hub.concept(data.occupation_id, "occupation").id if data.occupation_id else \
        hub.matching.occupation_for_title(data.title)
    sector = data.sector
    if sector is None and occ:
        c = hub.taxonomy.taxonomy.concepts[occ]
        sector = next((s for s in c.sectors if s in t.SECTORS), None)
    v.title, v.description, v.occupation_id, v.sector = data.title.strip(), data.description, occ, sector
    v.postcode = normalise_postcode(data.postcode)
    place = hub.gazetteer.locate(db, data.postcode, data.place)
    if (data.postcode or data.place) and place is None:
        raise BadInput("we cannot find this postcode or place in the Netherlands")
    v.place = data.place or (place.name if place else None)
    v.lat, v.lon = (place.lat, place.lon) if place else (None, None)
    v.hours_min, v.hours_max, v.valid_through = data.hours_min, data.hours_max, data.valid_through
    for name in OFFER_FIELDS:
        setattr(v, name, getattr(data, name))
    if v.salary_min is None and v.salary_max is None:
        v.salary_currency = v.salary_period = None
    elif v.salary_currency is None:
        v.salary_currency = "EUR"
    seen: dict[str, t.RequirementIn] = {}
    for r in data.requirements:
        seen[hub.concept(r.concept_id, "skill").id] = r
    return [t.VacancySkill(vacancy_id=0, concept_id=cid, essential=r.essential, min_level=r.min_level,
                           weight=r.weight) for cid, r in seen.items()]


def create(hub: Hub, db: Session, who: Principal, data: t.VacancyIn, identifier: str | None = None,
           evidence: dict[str, str] | None = None) -> t.Vacancy:
    org_id = _organisation_for(db, who, data)
    v = t.Vacancy(organisation_id=org_id, title=data.title, created_by=who.id, identifier=identifier)
    reqs = _fill(hub, db, v, data)
    db.add(v)
    db.flush()
    return _finish(db, who, v, reqs, evidence, "create")


def replace(hub: Hub, db: Session, who: Principal, v: t.Vacancy, data: t.VacancyIn, version: int | None,
            evidence: dict[str, str] | None = None) -> t.Vacancy:
    if data.organisation_id not in (None, v.organisation_id):
        raise BadInput("a vacancy cannot move to another organisation")
    want = v.version if version is None else version
    reqs = _fill(hub, db, v, data)
    v.updated_at = utcnow()
    db.add(v)
    _claim(db, v, want)
    for old in requirements(db, v.id):
        db.delete(old)
    db.flush()
    return _finish(db, who, v, reqs, evidence, "update")


def _finish(db: Session, who: Principal, v: t.Vacancy, reqs: list[t.VacancySkill],
            evidence: dict[str, str] | None, action: str) -> t.Vacancy:
    """Store the requirements (with their evidence), feed the change to the indexes, log, commit."""
    assert v.id is not None
    for r in reqs:
        r.vacancy_id = v.id
        r.evidence = (evidence or {}).get(r.concept_id)
        db.add(r)
    record_change(db, "vacancy", v.id)
    audit(db, who, action, "vacancy", v.id)
    db.commit()
    db.refresh(v)
    return v


def _claim(db: Session, v: t.Vacancy, want: int, **values: object) -> None:
    """Optimistic lock: bump the version only if it is still ``want``; else 409 and nothing written."""
    res = db.exec(update(t.Vacancy).where(col(t.Vacancy.id) == v.id, col(t.Vacancy.version) == want)
                  .values(version=want + 1, **values))
    if res.rowcount != 1:
        db.rollback()
        raise Conflict("the vacancy was changed by someone else meanwhile; reload it and try again")


def set_status(db: Session, who: Principal, v: t.Vacancy, status: str, version: int | None) -> t.Vacancy:
    _claim(db, v, v.version if version is None else version, status=status, updated_at=utcnow())
    record_change(db, "vacancy", v.id)
    audit(db, who, "update", "vacancy", v.id)
    db.commit()
    db.refresh(v)
    return v


def listing(db: Session, *, sector: str | None, q: str | None, organisation_id: int | None, offset: int,
            limit: int, include_closed: bool) -> tuple[list[t.Vacancy], int]:
    stmt = select(t.Vacancy)
    if not include_closed:
        stmt = stmt.where(t.Vacancy.status == "open").where(
            (col(t.Vacancy.valid_through).is_(None)) | (col(t.Vacancy.valid_through) >= date.today()))
    if sector:
        stmt = stmt.where(t.Vacancy.sector == sector)
    if organisation_id is not None:
        stmt = stmt.where(t.Vacancy.organisation_id == organisation_id)
    if q:
        stmt = stmt.where(col(t.Vacancy.title).ilike(f"%{q}%"))
    total = db.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = db.exec(stmt.order_by(col(t.Vacancy.id).desc()).offset(offset).limit(limit)).all()
    return list(rows), int(total)


# --------------------------------------------------------------------------- candidates (talent pool)
def candidate(hub: Hub, db: Session, p: t.Profile, who: Principal, lang: str,
              origin: t.Vacancy | None = None) -> t.CandidatePublic:
    """A talent-pool member as ``who`` may see them: coaches get name and id, employers neither."""
    return candidates(hub, db, [p], who, lang, origin)[0]


def candidates(hub: Hub, db: Session, people: list[t.Profile], who: Principal, lang: str,
               origin: t.Vacancy | None = None) -> list[t.CandidatePublic]:
    """:func:`candidate` for a page of people, with two queries for all of them (names, skills)."""
    if not people:
        return []
    coach = who.role in (Role.coach, Role.admin)
    ids = [p.id for p in people]
    names = ({u.id: u.name for u in db.exec(select(t.User).where(
        col(t.User.id).in_({p.user_id for p in people}))).all()} if coach else {})
    skills: dict[int, list[t.ProfileSkill]] = {}
    for s in db.exec(select(t.ProfileSkill).where(col(t.ProfileSkill.profile_id).in_(ids))
                     .order_by(col(t.ProfileSkill.id))).all():
        skills.setdefault(s.profile_id, []).append(s)
    ref = refs(hub, lang)
    out = []
    for p in people:
        region = p.place
        if region:
            pl = hub.gazetteer.by_name.get(region.casefold())
            region = pl.municipality if pl and pl.municipality and not coach else region
        dist = None
        if origin is not None and origin.lat is not None and p.lat is not None:
            dist = round(distance_km(Location(p.lat, p.lon or 0.0), Location(origin.lat, origin.lon or 0.0)), 1)
        out.append(t.CandidatePublic(
            candidate_ref=p.ref, profile_id=p.id if coach else None, name=names.get(p.user_id), region=region,
            distance_km=dist, available_from=p.available_from, hours_min=p.hours_min, hours_max=p.hours_max,
            sectors=sectors_of(p.sectors),
            skills=[t.SkillLevel(skill=ref(s.concept_id), level=s.level, last_used=s.last_used)
                    for s in skills.get(p.id or 0, [])],
            updated_at=p.updated_at.date()))
    return out


def visible_to(who: Principal, p: t.Profile) -> bool:
    if who.role in (Role.coach, Role.admin):
        return p.in_talent_pool
    if who.role == Role.employer:
        return p.in_talent_pool and p.visible_to_employers
    return False


def candidates_for(hub: Hub, db: Session, who: Principal, v: t.Vacancy, k: int, offset: int, lang: str
                   ) -> t.CandidateList:
    idx = hub.indexes.ensure(db)
    mv = match_vacancy(v, requirements(db, v.id))
    res = idx.talent.rank(mv, k=4 * (offset + k) + 50)
    picked = []
    skipped = 0
    ids = [int(r.profile_id) for r in res.results]
    rows = {p.id: p for p in db.exec(select(t.Profile).where(col(t.Profile.id).in_(ids))).all()}
    for r in res.results:
        p = rows.get(int(r.profile_id))
        if p is None or not visible_to(who, p):
            continue
        if skipped < offset:
            skipped += 1
            continue
        picked.append((p, r))
        if len(picked) >= k:
            break
    ref = refs(hub, lang)
    people = candidates(hub, db, [p for p, _ in picked], who, lang, v)
    out = [t.CandidateMatch(candidate=c, explanation=explanation(hub, r, lang, ref))
           for c, (_, r) in zip(people, picked, strict=True)]
    if who.role in (Role.coach, Role.admin):
        audit(db, who, "view", "talent_pool", v.id)
        db.commit()
    return t.CandidateList(items=out, excluded=dict(res.excluded))


def talent_pool(hub: Hub, db: Session, who: Principal, *, sector: str | None, place: str | None,
                max_km: float | None, skill: list[str], available_before: date | None, offset: int, limit: int,
                lang: str) -> tuple[list[t.CandidatePublic], int]:
    """Filter the pool; with ``skill`` the people who have all of those skills, most recently updated first."""
    stmt = select(t.Profile).where(col(t.Profile.in_talent_pool).is_(True))
    if who.role == Role.employer:
        stmt = stmt.where(col(t.Profile.visible_to_employers).is_(True))
    elif who.role not in (Role.coach, Role.admin):
        raise Forbidden("only coaches and employers search the talent pool")
    if sector:
        if sector not in t.SECTORS:
            raise BadInput(f"unknown sector {sector!r}; use {', '.join(t.SECTORS)}")
        stmt = stmt.where(col(t.Profile.sectors).contains(sector))
    if available_before:
        stmt = stmt.where((col(t.Profile.available_from).is_(None))
                          | (col(t.Profile.available_from) <= available_before))
    for s in skill:
        cid = hub.concept(s, "skill").id
        stmt = stmt.where(col(t.Profile.id).in_(select(t.ProfileSkill.profile_id)
                                                .where(t.ProfileSkill.concept_id == cid)))
    stmt = stmt.order_by(col(t.Profile.updated_at).desc(), col(t.Profile.id))
    if not place:
        total = int(db.exec(select(func.count()).select_from(stmt.order_by(None).subquery())).one())
        page = list(db.exec(stmt.offset(offset).limit(limit)).all())
    else:
        is_pc = place[:4].isdigit()
        centre = hub.gazetteer.locate(db, place if is_pc else None, None if is_pc else place)
        if centre is None:
            raise BadInput(f"we cannot find the place or postcode {place!r}")
        radius = max_km or 10.0
        # A box around the circle in SQL (indexable, small), the exact distance here.
        dlat, dlon = radius / 110.0, radius / (110.0 * max(0.1, math.cos(math.radians(centre.lat))))
        stmt = stmt.where(col(t.Profile.lat).between(centre.lat - dlat, centre.lat + dlat),
                          col(t.Profile.lon).between(centre.lon - dlon, centre.lon + dlon))
        rows = [p for p in db.exec(stmt).all() if p.lat is not None and p.lon is not None
                and distance_km(Location(p.lat, p.lon), Location(centre.lat, centre.lon)) <= radius]
        total = len(rows)
        page = rows[offset:offset + limit]
    if who.role in (Role.coach, Role.admin):
        audit(db, who, "view", "talent_pool", None)
        db.commit()
    return candidates(hub, db, page, who, lang), total


def profile_by_ref(db: Session, ref: str) -> t.Profile | None:
    return db.exec(select(t.Profile).where(t.Profile.ref == ref)).first()


def profile_for_coach(hub: Hub, db: Session, who: Principal, pid: int) -> t.Profile:
    """A talent-pool member's profile for a coach; the view is written to the audit log."""
    p = db.get(t.Profile, pid)
    if p is None or not visible_to(who, p):
        raise NotFound("no such candidate in the talent pool")
    audit(db, who, "view", "profile", p.id)
    db.commit()
    return p




def export_jsonld(hub: Hub, db: Session, include_closed: bool = False) -> list[dict[str, object]]:
    from api.services.jobposting import to_jsonld

    stmt = select(t.Vacancy).order_by(col(t.Vacancy.id))
    orgs = {o.id: o.name for o in db.exec(select(t.Organisation)).all()}
    out = []
    for v in db.exec(stmt).all():
        if include_closed or is_listed(v):
            out.append(to_jsonld(hub, v, orgs.get(v.organisation_id, ""), requirements(db, v.id),
                                 hub.settings.public_url))
    return out

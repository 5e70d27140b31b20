"""Job-seeker profiles: skills with history, preferences, consents, and what matches them."""

from __future__ import annotations

import re
from typing import Literal

from sqlmodel import Session, col, select, update

from api import models as t
from api.models import utcnow
from api.services.accounts import TERMS_VERSION, Principal
from api.services.audit import audit
from api.services.errors import BadInput, Conflict, NotFound
from api.services.explain import explanation, refs, training
from api.services.hub import Hub
from api.services.indexes import match_profile, record_change, sectors_of
from matching.careers import CareerMove
from matching.model import Location
from matching.scoring import ahead_of_full, distance_km


def own_profile(db: Session, who: Principal) -> t.Profile:
    p = db.exec(select(t.Profile).where(t.Profile.user_id == who.id)).first()
    if p is None:
        raise NotFound("this account has no job-seeker profile")
    return p


def skills_of(db: Session, profile_id: int | None) -> list[t.ProfileSkill]:
    return list(db.exec(select(t.ProfileSkill).where(t.ProfileSkill.profile_id == profile_id)
                        .order_by(col(t.ProfileSkill.id))).all())


def to_public(hub: Hub, db: Session, p: t.Profile, lang: str = "nl") -> t.ProfilePublic:
    skills = [t.SkillItemPublic(concept_id=s.concept_id, level=s.level, source=s.source, last_used=s.last_used,
                                label=hub.label(s.concept_id, lang) or s.concept_id, updated_at=s.updated_at)
              for s in skills_of(db, p.id)]
    return t.ProfilePublic(id=p.id or 0, ref=p.ref, about=p.about, postcode=p.postcode, place=p.place,
                           max_km=p.max_km, hours_min=p.hours_min, hours_max=p.hours_max,
                           sectors=sectors_of(p.sectors), available_from=p.available_from,
                           in_talent_pool=p.in_talent_pool, visible_to_employers=p.visible_to_employers,
                           skills=skills, created_at=p.created_at, updated_at=p.updated_at, version=p.version)


def _bump(db: Session, p: t.Profile, expected: int | None) -> None:
    """Optimistic lock: the write only lands when nobody changed the profile since ``expected``."""
    want = p.version if expected is None else expected
    res = db.exec(update(t.Profile).where(col(t.Profile.id) == p.id, col(t.Profile.version) == want)
                  .values(version=want + 1, updated_at=utcnow()))
    if res.rowcount != 1:
        db.rollback()
        raise Conflict("the profile was changed by someone else meanwhile; reload it and try again")
    db.refresh(p)


def _apply_skills(hub: Hub, db: Session, who: Principal, p: t.Profile, items: list[t.SkillItemIn],
                  replace: bool) -> None:
    current = {s.concept_id: s for s in skills_of(db, p.id)}
    wanted: dict[str, t.SkillItemIn] = {}
    for it in items:
        cid = hub.concept(it.concept_id, "skill").id
        wanted[cid] = it
    now = utcnow()
    assert p.id is not None
    for cid, it in wanted.items():
        row = current.get(cid)
        if row is None:
            db.add(t.ProfileSkill(profile_id=p.id, concept_id=cid, level=it.level, source=it.source,
                                  last_used=it.last_used))
            db.add(t.SkillEvent(profile_id=p.id, concept_id=cid, action="added", level=it.level, actor_id=who.id))
        elif (row.level, row.source, row.last_used) != (it.level, it.source, it.last_used):
            row.level, row.source, row.last_used, row.updated_at = it.level, it.source, it.last_used, now
            db.add(row)
            db.add(t.SkillEvent(profile_id=p.id, concept_id=cid, action="changed", level=it.level, actor_id=who.id))
    if replace:
        for cid, row in current.items():
            if cid not in wanted:
                db.delete(row)
                db.add(t.SkillEvent(profile_id=p.id, concept_id=cid, action="removed", actor_id=who.id))


def update_profile(hub: Hub, db: Session, who: Principal, p: t.Profile, data: t.ProfileUpdate) -> t.Profile:
    fields = data.model_fields_set - {"skills", "version"}
    for name in fields:
        value = getattr(data, name)
        if name == "sectors":
            value = ",".join(value or [])
        elif name == "about":
            value = value or ""
        setattr(p, name, value)
    if "postcode" in fields or "place" in fields:
        place = hub.gazetteer.locate(db, p.postcode, p.place)
        if (p.postcode or p.place) and place is None:
            raise BadInput("we cannot find this postcode or place in the Netherlands")
        from api.services.geo import normalise_postcode

        p.postcode = normalise_postcode(p.postcode)
        p.lat, p.lon = (place.lat, place.lon) if place else (None, None)
        if place and not p.place:
            p.place = place.name
    if p.hours_min is not None and p.hours_max is not None and p.hours_min > p.hours_max:
        raise BadInput("hours_min is more than hours_max")
    if data.skills is not None:
        _apply_skills(hub, db, who, p, data.skills, replace=True)
    db.add(p)
    _bump(db, p, data.version)
    record_change(db, "profile", p.id)
    audit(db, who, "update", "profile", p.id)
    db.commit()
    db.refresh(p)
    return p


def put_skill(hub: Hub, db: Session, who: Principal, p: t.Profile, item: t.SkillItemIn) -> t.Profile:
    _apply_skills(hub, db, who, p, [item], replace=False)
    _bump(db, p, None)
    record_change(db, "profile", p.id)
    db.commit()
    return p


def delete_skill(hub: Hub, db: Session, who: Principal, p: t.Profile, concept_ref: str) -> t.Profile:
    cid = hub.concept(concept_ref, "skill").id
    row = db.exec(select(t.ProfileSkill).where(t.ProfileSkill.profile_id == p.id,
                                               t.ProfileSkill.concept_id == cid)).first()
    if row is None:
        raise NotFound("this skill is not in your profile")
    db.delete(row)
    assert p.id is not None
    db.add(t.SkillEvent(profile_id=p.id, concept_id=cid, action="removed", actor_id=who.id))
    _bump(db, p, None)
    record_change(db, "profile", p.id)
    db.commit()
    return p


def history(db: Session, p: t.Profile) -> list[t.SkillEvent]:
    return list(db.exec(select(t.SkillEvent).where(t.SkillEvent.profile_id == p.id)
                        .order_by(col(t.SkillEvent.id))).all())


def set_consents(db: Session, who: Principal, p: t.Profile, data: t.ConsentUpdate) -> t.Profile:
    """Store the consents and log exactly what is stored. Employers only ever see talent-pool members, so
    visibility without the pool is refused when asked for, and ends (logged as withdrawn) on leaving the pool."""
    pool = p.in_talent_pool if data.talent_pool is None else data.talent_pool
    visible = p.visible_to_employers if data.employer_visibility is None else data.employer_visibility
    if visible and not pool:
        if data.employer_visibility:
            raise BadInput("employer_visibility needs talent_pool: employers only see members of the talent pool")
        visible = False
    for kind, attr, value in (("talent_pool", "in_talent_pool", pool),
                              ("employer_visibility", "visible_to_employers", visible)):
        if getattr(data, kind) is not None or value != getattr(p, attr):
            db.add(t.Consent(user_id=who.id, kind=kind, granted=value, wording_version=TERMS_VERSION))
        setattr(p, attr, value)
    db.add(p)
    _bump(db, p, None)
    record_change(db, "profile", p.id)
    audit(db, who, "consent", "profile", p.id)
    db.commit()
    return p


def consents(db: Session, user_id: int) -> list[t.Consent]:
    return list(db.exec(select(t.Consent).where(t.Consent.user_id == user_id).order_by(col(t.Consent.id))).all())


# --------------------------------------------------------------------------- matches
def vacancy_matches(hub: Hub, db: Session, p: t.Profile, k: int, offset: int, lang: str,
                    apply_filters: bool = True) -> t.MatchList:
    idx = hub.indexes.ensure(db)
    prof = match_profile(p, skills_of(db, p.id))
    res = idx.vacancies.rank(prof, k=offset + k, apply_filters=apply_filters)
    page = res.results[offset:offset + k]
    ids = [int(r.vacancy_id) for r in page]
    rows = {v.id: v for v in db.exec(select(t.Vacancy).where(col(t.Vacancy.id).in_(ids))).all()}
    orgs = {o.id: o.name for o in db.exec(select(t.Organisation).where(
        col(t.Organisation.id).in_({v.organisation_id for v in rows.values()}))).all()}
    items = []
    prefer = tuple(sectors_of(p.sectors))
    ref = refs(hub, lang)
    for r in page:
        v = rows.get(int(r.vacancy_id))
        if v is None:
            continue
        home = prof.preferences.home
        dist = (round(distance_km(home, Location(v.lat, v.lon)), 1)
                if home is not None and v.lat is not None and v.lon is not None else None)
        plan = hub.matching.catalogue.plan(r.missing_essential, prefer, v.sector) if r.missing_essential else None
        items.append(t.VacancyMatch(
            vacancy=t.VacancySummary(id=v.id or 0, title=v.title, organisation=orgs.get(v.organisation_id, ""),
                                     place=v.place, sector=v.sector, distance_km=dist),
            explanation=explanation(hub, r, lang, ref), training=training(hub, plan, lang, ref) if plan else None))
    # say so where a vacancy with a missing must-have stands above one whose must-haves are all held
    ahead = ahead_of_full(res.results)
    for item in items:
        item.ahead_of_full = str(item.vacancy.id) in ahead
    return t.MatchList(items=items, excluded=dict(res.excluded))


def career_moves(hub: Hub, db: Session, p: t.Profile, k: int, sectors: tuple[str, ...], lang: str
                 ) -> list[t.CareerMovePublic]:
    """The person's current work (every must-have held), then the best k moves within its sectors and
    the best k into other sectors (within ``sectors`` when given), each with the gap and its training."""
    prof = match_profile(p, skills_of(db, p.id))
    plan = hub.matching.careers.plan(prof, k=k, sectors=sectors)
    out = []
    ref = refs(hub, lang)
    groups: list[tuple[Literal["current", "same_sector", "other_sector"], list[CareerMove]]] = [
        ("current", plan.current[:k]), ("same_sector", plan.same_sector), ("other_sector", plan.other_sector)]
    for kind, moves in groups:
        for mv in moves:
            out.append(t.CareerMovePublic(
                occupation=t.ConceptRef(id=mv.occupation_id, label=hub.label(mv.occupation_id, lang) or ""),
                sector=mv.sector, explanation=explanation(hub, mv.match, lang, ref),
                training=training(hub, mv.training, lang, ref) if mv.training else None, kind=kind))
    return out


# --------------------------------------------------------------------------- contact
PHONE_CHARS = re.compile(r"[+0-9 ()./-]+")


def normalise_phone(raw: str) -> str | None:
    """'' → None; '06-12 34 56 78' or '+31 6 12345678' → the same, spaces tidied; anything else → BadInput."""
    text = " ".join(raw.split())
    if not text:
        return None
    digits = sum(ch.isdigit() for ch in text)
    if not PHONE_CHARS.fullmatch(text) or not 10 <= digits <= 15 or len(text) > 40 or "+" in text[1:]:
        raise BadInput("a phone number has 10 to 15 digits, e.g. 06 12345678 or +31 6 12345678")
    return text


def set_phone(db: Session, who: Principal, raw: str) -> t.User:
    """The phone number an employer sees once the person agreed to be introduced (optional)."""
    user = db.get(t.User, who.id)
    if user is None:
        raise NotFound("no such account")
    user.phone = normalise_phone(raw)
    db.add(user)
    audit(db, who, "update", "phone", user.id)
    db.commit()
    db.refresh(user)
    return user

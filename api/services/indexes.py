"""The in-memory matching indexes, kept in step with the database through the ``changes`` feed.

Every write to a vacancy or profile appends a ``Change`` row in the same transaction. Before a
match query, a process applies the rows it has not seen yet, so several processes on one database
answer from the same data. At start-up (first use) the indexes are built in bulk from the tables.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from sqlmodel import Session, col, func, select

from api.models import Change, Profile, ProfileSkill, Vacancy, VacancySkill
from api.services.matching import MatchingService
from matching import model as m
from matching.index import VacancyArrays, VacancyIndex
from matching.talent import ProfileIndex

RELOAD_AFTER = 5000  # pending changes above which the indexes are rebuilt instead of patched


def record_change(db: Session, kind: str, entity_id: int | None) -> None:
    assert entity_id is not None
    db.add(Change(kind=kind, entity_id=entity_id))


def sectors_of(text: str) -> list[str]:
    return [s for s in text.split(",") if s]


def match_profile(p: Profile, skills: Iterable[ProfileSkill]) -> m.Profile:
    home = m.Location(p.lat, p.lon) if p.lat is not None and p.lon is not None else None
    prefs = m.Preferences(sectors=tuple(sectors_of(p.sectors)), home=home, max_km=p.max_km,
                          hours_min=p.hours_min, hours_max=p.hours_max, available_from=p.available_from)
    items = tuple(m.ProfileSkill(s.concept_id, s.level, s.source, s.last_used)  # type: ignore[arg-type]
                  for s in skills)
    return m.Profile(id=str(p.id), skills=items, preferences=prefs)


def match_vacancy(v: Vacancy, skills: Iterable[VacancySkill]) -> m.Vacancy:
    loc = m.Location(v.lat, v.lon) if v.lat is not None and v.lon is not None else None
    reqs = tuple(m.Requirement(s.concept_id, s.essential, s.min_level, s.weight) for s in skills)
    return m.Vacancy(id=str(v.id), requirements=reqs, title=v.title, occupation_id=v.occupation_id, location=loc,
                     hours_min=v.hours_min, hours_max=v.hours_max, sector=v.sector, valid_through=v.valid_through)


def is_listed(v: Vacancy, today: date | None = None) -> bool:
    """Open and not past its closing date."""
    return v.status == "open" and (v.valid_through is None or v.valid_through >= (today or date.today()))


class LiveIndexes:
    def __init__(self, matching: MatchingService) -> None:
        self.matching = matching
        self._lock = threading.RLock()
        self._loaded = False
        self.last_change = 0
        self.vacancies: VacancyIndex
        self.talent: ProfileIndex

    def ensure(self, db: Session) -> LiveIndexes:
        """Load on first use, then apply changes made since (by this or any other process)."""
        with self._lock:
            if not self._loaded:
                self._load(db)
            else:
                self._sync(db)
        return self

    def _load(self, db: Session) -> None:
        """Bulk build from plain column tuples (ORM objects for a million rows would take minutes)."""
        space = self.matching.space
        # Read the feed position first: changes made during the load are applied again, harmlessly.
        last = db.exec(select(func.max(Change.id))).one() or 0
        conn = db.connection()
        today = date.today()
        V = Vacancy
        vrows = conn.execute(select(V.id, V.title, V.occupation_id, V.lat, V.lon, V.hours_min, V.hours_max,  # type: ignore[call-overload,misc]
                                    V.sector, V.valid_through).where(V.status == "open")).all()
        reqs: dict[int, list[m.Requirement]] = defaultdict(list)
        S = VacancySkill
        for vid, cid, ess, lvl, w in conn.execute(select(S.vacancy_id, S.concept_id, S.essential, S.min_level,  # type: ignore[call-overload]
                                                         S.weight).order_by(S.id)):
            reqs[vid].append(m.Requirement(cid, bool(ess), lvl, float(w)))
        vacs = [m.Vacancy(id=str(vid), requirements=tuple(reqs.get(vid, ())), title=title, occupation_id=occ,
                          location=m.Location(lat, lon) if lat is not None and lon is not None else None,
                          hours_min=hmin, hours_max=hmax, sector=sector, valid_through=until)
                for vid, title, occ, lat, lon, hmin, hmax, sector, until in vrows if until is None or until >= today]
        self.vacancies = VacancyIndex(space)
        self.vacancies.bulk_load(VacancyArrays.from_vacancies(space, vacs))
        profs = db.exec(select(Profile).where(col(Profile.in_talent_pool).is_(True))).all()
        pskills: dict[int, list[ProfileSkill]] = defaultdict(list)
        for ps in db.exec(select(ProfileSkill).order_by(col(ProfileSkill.id))).all():
            pskills[ps.profile_id].append(ps)
        self.talent = ProfileIndex(space)
        self.talent.add_many([match_profile(p, pskills.get(p.id or 0, [])) for p in profs])
        self.last_change = int(last)
        self._loaded = True

    def _sync(self, db: Session) -> None:
        rows = db.exec(select(Change.id, Change.kind, Change.entity_id)
                       .where(col(Change.id) > self.last_change).order_by(col(Change.id))).all()
        if not rows:
            return
        if len(rows) > RELOAD_AFTER:  # a bulk import: rebuilding in bulk beats row-by-row refreshes
            self._load(db)
            return
        seen: set[tuple[str, int]] = set()
        for _, kind, entity_id in rows:
            if (kind, entity_id) in seen:
                continue
            seen.add((kind, entity_id))
            if kind == "vacancy":
                self._refresh_vacancy(db, entity_id)
            elif kind == "profile":
                self._refresh_profile(db, entity_id)
        self.last_change = int(rows[-1][0] or 0)

    def _refresh_vacancy(self, db: Session, vid: int) -> None:
        v = db.get(Vacancy, vid)
        if v is None or not is_listed(v):
            self.vacancies.remove(str(vid))
            return
        skills = db.exec(select(VacancySkill).where(VacancySkill.vacancy_id == vid)
                         .order_by(col(VacancySkill.id))).all()
        self.vacancies.add(match_vacancy(v, skills))

    def _refresh_profile(self, db: Session, pid: int) -> None:
        p = db.get(Profile, pid)
        if p is None or not p.in_talent_pool:
            self.talent.remove(str(pid))
            return
        skills = db.exec(select(ProfileSkill).where(ProfileSkill.profile_id == pid)
                         .order_by(col(ProfileSkill.id))).all()
        self.talent.add(match_profile(p, skills))

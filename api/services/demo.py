"""`tom demo load`: the demo job seekers, employers, coaches and vacancies written by us (data/demo).

Idempotent: people are found by e-mail, vacancies by identifier; a second run changes nothing.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlmodel import Session, col, func, select

from api import models as t
from api.models import IntroStatus, Role
from api.services import feeds, pipeline, profiles
from api.services.accounts import TERMS_VERSION, Principal, hash_password, new_ref
from api.services.errors import ServiceError
from api.services.hub import Hub


@dataclass
class DemoReport:
    users: int = 0
    vacancies: int = 0
    skipped: int = 0
    introductions: int = 0


def _user(db: Session, hub: Hub, email: str, name: str, role: Role, report: DemoReport, language: str = "nl",
          organisation_id: int | None = None) -> tuple[t.User, bool]:
    u = db.exec(select(t.User).where(t.User.email == email.lower())).first()
    if u is not None:
        return u, False
    u = t.User(email=email.lower(), password_hash=hash_password(hub.settings.demo_password), role=role.value,
               name=name, language=language, organisation_id=organisation_id)
    db.add(u)
    db.flush()
    assert u.id is not None
    db.add(t.Consent(user_id=u.id, kind="terms", granted=True, wording_version=TERMS_VERSION))
    report.users += 1
    return u, True


def load_people(hub: Hub, db: Session, path: Path, report: DemoReport) -> None:
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    for a in data.get("admin", []):
        _user(db, hub, a["email"], a["name"], Role.admin, report)
    for c in data.get("coach", []):
        _user(db, hub, c["email"], c["name"], Role.coach, report)
    for js in data.get("jobseeker", []):
        u, new = _user(db, hub, js["email"], js["name"], Role.jobseeker, report, js.get("language", "nl"))
        if not new:
            continue
        assert u.id is not None
        p = t.Profile(user_id=u.id, ref=new_ref())
        db.add(p)
        db.flush()
        who = Principal(u, "system")
        profiles.update_profile(hub, db, who, p, t.ProfileUpdate(
            about=js.get("about", ""), postcode=js.get("postcode"), place=js.get("place"), max_km=js.get("max_km"),
            hours_min=js.get("hours_min"), hours_max=js.get("hours_max"), sectors=js.get("sectors", []),
            available_from=js.get("available_from"),
            skills=[t.SkillItemIn(concept_id=s["skill"], level=s.get("level"), source=s.get("source", "other"),
                                  last_used=s.get("last_used")) for s in js.get("skills", [])]))
        profiles.set_consents(db, who, p, t.ConsentUpdate(talent_pool=js.get("talent_pool", False),
                                                          employer_visibility=js.get("visible_to_employers", False)))


def load_vacancies(hub: Hub, db: Session, folder: Path, report: DemoReport, today: date | None = None) -> None:
    """The demo JobPostings through the feed importer; each organisation with an e-mail gets an employer login."""
    result = feeds.import_files(hub, db, sorted(folder.glob("*.jsonld")), today=today, workers=1)
    if result.rejected:
        raise ServiceError(f"demo vacancy {result.rejections[0].where}: {result.rejections[0].reason}")
    report.vacancies += result.imported
    report.skipped += result.skipped
    for org in db.exec(select(t.Organisation).order_by(col(t.Organisation.id))).all():
        if org.email and not db.exec(select(t.User).where(t.User.organisation_id == org.id)).first():
            _user(db, hub, org.email, org.name, Role.employer, report, organisation_id=org.id)
    db.commit()


def seed_introductions(hub: Hub, db: Session, report: DemoReport) -> None:
    """A few introductions in every pipeline state, so the coach's board is not empty (first load only)."""
    if db.exec(select(func.count()).select_from(t.Introduction)).one():
        return
    coach = db.exec(select(t.User).where(t.User.role == Role.coach.value)).first()
    if coach is None:
        return
    steps = [[], [IntroStatus.candidate_agreed], [IntroStatus.candidate_agreed, IntroStatus.introduced],
             [IntroStatus.candidate_agreed, IntroStatus.introduced, IntroStatus.interview],
             [IntroStatus.candidate_agreed, IntroStatus.introduced, IntroStatus.hired],
             [IntroStatus.declined], [], [IntroStatus.candidate_agreed, IntroStatus.introduced, IntroStatus.interview,
                                          IntroStatus.hired]]
    pool = db.exec(select(t.Profile).where(t.Profile.in_talent_pool, t.Profile.visible_to_employers)
                   .order_by(col(t.Profile.id)).limit(len(steps))).all()
    cw = Principal(coach, "system")
    for p, path in zip(pool, steps, strict=False):
        best = profiles.vacancy_matches(hub, db, p, 1, 0, "nl", apply_filters=False).items
        if not best:
            continue
        try:
            intro = pipeline.propose(db, cw, t.IntroductionCreate(vacancy_id=best[0].vacancy.id, candidate_ref=p.ref))
            for st in path:
                u = db.get(t.User, p.user_id) if st in (IntroStatus.candidate_agreed, IntroStatus.declined) else coach
                assert u is not None
                intro = pipeline.move(db, Principal(u, "system"), intro, t.IntroductionMove(status=st))
        except ServiceError:
            continue
        report.introductions += 1


def load(hub: Hub, db: Session, data_dir: Path) -> DemoReport:
    report = DemoReport()
    demo = data_dir / "demo"
    load_people(hub, db, demo / "people.toml", report)
    db.commit()
    load_vacancies(hub, db, demo / "vacancies", report)
    seed_introductions(hub, db, report)
    return report

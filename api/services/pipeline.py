"""Introductions (candidate ↔ vacancy, through the coach), coach notes and the project board's reports."""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlmodel import Session, col, func, select, update

from api import models as t
from api.models import INTRO_NEXT, IntroStatus, Role, utcnow
from api.services import notifications
from api.services.accounts import Principal
from api.services.audit import audit
from api.services.errors import BadInput, Conflict, Forbidden, NotFound
from api.services.hub import Hub
from api.services.indexes import sectors_of
from api.services.vacancies import can_manage, profile_by_ref, visible_to

# Who may set which status. Only the candidate can agree: that is their consent to be introduced.
MOVES_BY_ROLE: dict[Role, set[IntroStatus]] = {
    Role.jobseeker: {IntroStatus.candidate_agreed, IntroStatus.declined, IntroStatus.withdrawn},
    Role.coach: {IntroStatus.introduced, IntroStatus.interview, IntroStatus.hired, IntroStatus.declined,
                 IntroStatus.withdrawn},
    Role.admin: set(),
    Role.employer: {IntroStatus.interview, IntroStatus.hired, IntroStatus.declined, IntroStatus.withdrawn},
}
GOOD_MATCH_MISSING = 1  # a good match misses at most this many must-haves ("heeft 12 van de 13 eisen")
NEAR_MISS = 2  # "otherwise good": the must-haves a match misses count as gaps when they are at most this many
# The employer learns who the candidate is (name, e-mail, phone) only once the candidate agreed and the coach
# introduced them; from then on the employer records the outcome (interview, hired, declined = "niet gekozen").
EMPLOYER_SEES = {IntroStatus.introduced, IntroStatus.interview, IntroStatus.hired}
EMPLOYER_MOVES_FROM = {IntroStatus.introduced, IntroStatus.interview}
UNDO = "undo"  # introduction_events.reason of a step back


def propose(db: Session, who: Principal, data: t.IntroductionCreate) -> t.Introduction:
    if who.role not in (Role.employer, Role.coach):
        raise Forbidden("only employers and coaches propose introductions")
    v = db.get(t.Vacancy, data.vacancy_id)
    if v is None or not can_manage(who, v):
        raise NotFound("no such vacancy of yours")
    p = profile_by_ref(db, data.candidate_ref)
    if p is None or not visible_to(who, p):
        raise NotFound("no such candidate in the talent pool")
    open_ = db.exec(select(t.Introduction).where(
        t.Introduction.profile_id == p.id, t.Introduction.vacancy_id == v.id,
        col(t.Introduction.status).not_in([IntroStatus.declined.value, IntroStatus.withdrawn.value]))).first()
    if open_ is not None:
        raise Conflict(f"this candidate already has introduction {open_.id} for this vacancy")
    # Only a coach writes to the candidate; an employer's request carries no free text.
    message = data.message.strip() if who.role == Role.coach else ""
    intro = t.Introduction(profile_id=p.id, vacancy_id=v.id, sector=v.sector, requested_by=who.id, message=message)
    db.add(intro)
    db.flush()
    assert intro.id is not None
    db.add(t.IntroductionEvent(introduction_id=intro.id, status=intro.status, actor_id=who.id,
                               actor_role=who.role.value))
    audit(db, who, "create", "introduction", intro.id)
    db.commit()
    db.refresh(intro)
    notifications.after_propose(db, intro)
    return intro


def _own_profile_id(db: Session, who: Principal) -> int | None:
    return db.exec(select(t.Profile.id).where(t.Profile.user_id == who.id)).first()


def may_see(db: Session, who: Principal, intro: t.Introduction) -> bool:
    if who.role == Role.coach:
        return True
    if who.role == Role.jobseeker:
        return intro.profile_id is not None and intro.profile_id == _own_profile_id(db, who)
    if who.role == Role.employer:
        v = db.get(t.Vacancy, intro.vacancy_id) if intro.vacancy_id else None
        return v is not None and v.organisation_id == who.user.organisation_id
    return False


def get(db: Session, who: Principal, iid: int) -> t.Introduction:
    intro = db.get(t.Introduction, iid)
    if intro is None or not may_see(db, who, intro):
        raise NotFound("no such introduction")
    return intro


def move(db: Session, who: Principal, intro: t.Introduction, data: t.IntroductionMove) -> t.Introduction:
    new = data.status
    if new not in MOVES_BY_ROLE.get(who.role, set()):
        raise Forbidden(f"a {who.role.value} cannot set status {new.value!r}")
    cur = IntroStatus(intro.status)
    if who.role == Role.employer and cur in (IntroStatus.proposed, IntroStatus.candidate_agreed):
        raise Forbidden("the coach has not introduced this candidate yet; the coach arranges the introduction")
    if new not in INTRO_NEXT[cur]:
        raise Conflict(f"an introduction cannot go from {cur.value!r} to {new.value!r}")
    want = intro.version if data.version is None else data.version
    # Conditional update: of two people moving the same introduction at once, one wins, the other gets 409.
    res = db.exec(update(t.Introduction).where(col(t.Introduction.id) == intro.id,
                                               col(t.Introduction.version) == want,
                                               col(t.Introduction.status) == cur.value)
                  .values(status=new.value, version=want + 1, updated_at=utcnow()))
    if res.rowcount != 1:
        db.rollback()
        raise Conflict("the introduction was changed by someone else meanwhile; reload it and try again")
    assert intro.id is not None
    db.add(t.IntroductionEvent(introduction_id=intro.id, status=new.value, actor_id=who.id, actor_role=who.role.value,
                               reason=data.reason or None))
    audit(db, who, "update", "introduction", intro.id)
    db.commit()
    db.refresh(intro)
    notifications.after_move(db, who, intro, data.reason)
    return intro


def _history(db: Session, intro: t.Introduction) -> list[t.IntroductionEvent]:
    return list(db.exec(select(t.IntroductionEvent).where(t.IntroductionEvent.introduction_id == intro.id)
                        .order_by(col(t.IntroductionEvent.id))).all())


def steps(events: list[t.IntroductionEvent]) -> list[t.IntroductionEvent]:
    """The steps still in force: an undo row takes back the step before it (and is itself no step)."""
    stack: list[t.IntroductionEvent] = []
    for e in events:
        if e.reason == UNDO:
            if len(stack) > 1:
                stack.pop()
        else:
            stack.append(e)
    return stack


def can_step_back(who: Principal, intro: t.Introduction, events: list[t.IntroductionEvent]) -> bool:
    """A coach may take back the last step if a coach or employer took it; never the candidate's own answer."""
    live = steps(events)
    return (who.role == Role.coach and len(live) > 1 and live[-1].status == intro.status
            and live[-1].actor_role in (Role.coach.value, Role.employer.value))


def step_back(db: Session, who: Principal, intro: t.Introduction, version: int | None) -> t.Introduction:
    """Undo the last step (e.g. "aangenomen" pressed by mistake): back to the status before it, with its own
    history row (reason 'undo'), under the same optimistic lock as :func:`move`."""
    if who.role != Role.coach:
        raise Forbidden("only a coach can take a step back")
    events = _history(db, intro)
    if not can_step_back(who, intro, events):
        raise Conflict("this step cannot be taken back")
    back = steps(events)[-2].status
    want = intro.version if version is None else version
    res = db.exec(update(t.Introduction).where(col(t.Introduction.id) == intro.id,
                                               col(t.Introduction.version) == want,
                                               col(t.Introduction.status) == intro.status)
                  .values(status=back, version=want + 1, updated_at=utcnow()))
    if res.rowcount != 1:
        db.rollback()
        raise Conflict("the introduction was changed by someone else meanwhile; reload it and try again")
    assert intro.id is not None
    db.add(t.IntroductionEvent(introduction_id=intro.id, status=back, actor_id=who.id, actor_role=who.role.value,
                               reason=UNDO))
    audit(db, who, "update", "introduction", intro.id)
    db.commit()
    db.refresh(intro)
    return intro


def undoable(db: Session, who: Principal, intro: t.Introduction) -> bool:
    """Whether ``who`` may take back the introduction's last step (see :func:`step_back`)."""
    return who.role == Role.coach and can_step_back(who, intro, _history(db, intro))


def to_public(db: Session, who: Principal, intro: t.Introduction) -> t.IntroductionPublic:
    v = db.get(t.Vacancy, intro.vacancy_id) if intro.vacancy_id else None
    p = db.get(t.Profile, intro.profile_id) if intro.profile_id else None
    name = email = phone = None
    status = IntroStatus(intro.status)
    if p is not None and (who.role in (Role.coach, Role.jobseeker) or
                          (who.role == Role.employer and status in EMPLOYER_SEES)):
        u = db.get(t.User, p.user_id)
        name = u.name if u else None
        if u is not None and who.role != Role.jobseeker:
            email, phone = u.email, u.phone
    events = _history(db, intro)
    return t.IntroductionPublic(id=intro.id or 0, vacancy_id=intro.vacancy_id, vacancy_title=v.title if v else None,
                                candidate_ref=p.ref if p else None, candidate_name=name, candidate_email=email,
                                candidate_phone=phone, status=intro.status,
                                created_at=intro.created_at, updated_at=intro.updated_at, version=intro.version,
                                events=[t.IntroductionEventPublic(status=e.status, at=e.at, actor_role=e.actor_role)
                                        for e in events])


def listing(db: Session, who: Principal, status: str | None, offset: int, limit: int,
            vacancy_id: int | None = None) -> tuple[list[t.Introduction], int]:
    stmt = select(t.Introduction)
    if vacancy_id is not None:
        stmt = stmt.where(t.Introduction.vacancy_id == vacancy_id)
    if who.role == Role.jobseeker:
        stmt = stmt.where(t.Introduction.profile_id == _own_profile_id(db, who))
    elif who.role == Role.employer:
        stmt = stmt.where(col(t.Introduction.vacancy_id).in_(
            select(t.Vacancy.id).where(t.Vacancy.organisation_id == who.user.organisation_id)))
    elif who.role != Role.coach:
        raise Forbidden("introductions are for job seekers, employers and coaches")
    if status:
        if status not in {s.value for s in IntroStatus}:
            raise BadInput(f"unknown status {status!r}")
        stmt = stmt.where(t.Introduction.status == status)
    total = db.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = db.exec(stmt.order_by(col(t.Introduction.updated_at).desc()).offset(offset).limit(limit)).all()
    return list(rows), int(total)


# --------------------------------------------------------------------------- notes
def add_note(db: Session, who: Principal, data: t.NoteCreate) -> t.Note:
    targets = [x for x in (data.profile_id, data.vacancy_id, data.introduction_id) if x is not None]
    if len(targets) != 1:
        raise BadInput("a note is about exactly one of profile_id, vacancy_id or introduction_id")
    if data.profile_id is not None:
        p = db.get(t.Profile, data.profile_id)
        if p is None or not visible_to(who, p):
            raise NotFound("no such candidate in the talent pool")
    if data.vacancy_id is not None and db.get(t.Vacancy, data.vacancy_id) is None:
        raise NotFound("no such vacancy")
    if data.introduction_id is not None and db.get(t.Introduction, data.introduction_id) is None:
        raise NotFound("no such introduction")
    note = t.Note(author_id=who.id, profile_id=data.profile_id, vacancy_id=data.vacancy_id,
                  introduction_id=data.introduction_id, text=data.text, shared=data.shared)
    db.add(note)
    db.flush()
    audit(db, who, "create", "note", note.id)
    db.commit()
    db.refresh(note)
    return note


def notes(db: Session, who: Principal, profile_id: int | None, vacancy_id: int | None,
          introduction_id: int | None) -> list[t.Note]:
    stmt = select(t.Note)
    if profile_id is not None:
        stmt = stmt.where(t.Note.profile_id == profile_id)
        audit(db, who, "view", "profile_notes", profile_id)
        db.commit()
    if vacancy_id is not None:
        stmt = stmt.where(t.Note.vacancy_id == vacancy_id)
    if introduction_id is not None:
        stmt = stmt.where(t.Note.introduction_id == introduction_id)
    return list(db.exec(stmt.order_by(col(t.Note.id))).all())


def authors(db: Session, rows: list[t.Note]) -> dict[int, str]:
    """Names of the notes' authors (a deleted author has no name; the page says so)."""
    ids = {n.author_id for n in rows if n.author_id is not None}
    if not ids:
        return {}
    return {u.id: u.name or u.email for u in db.exec(select(t.User).where(col(t.User.id).in_(ids))).all()
            if u.id is not None}


def open_introductions(db: Session, who: Principal, vacancy_id: int) -> dict[str, t.Introduction]:
    """Per candidate ref, the introduction for this vacancy still under way (not declined or withdrawn)."""
    if who.role != Role.coach:
        raise Forbidden("for coaches")
    rows = db.exec(select(t.Introduction, t.Profile.ref).join(t.Profile, col(t.Profile.id) == t.Introduction.profile_id)
                   .where(t.Introduction.vacancy_id == vacancy_id,
                          col(t.Introduction.status).not_in([IntroStatus.declined.value,
                                                             IntroStatus.withdrawn.value]))).all()
    return {ref: i for i, ref in rows}


def interest_shown(db: Session, who: Principal, vacancy_id: int | None = None, limit: int = 200
                   ) -> list[tuple[t.Interest, t.Profile, t.User, t.Vacancy, t.Introduction | None]]:
    """Job seekers' "Ik heb interesse" (newest first), for coaches: with the person, the vacancy and the
    introduction already under way for that pair, if any."""
    if who.role != Role.coach:
        raise Forbidden("for coaches")
    stmt = (select(t.Interest, t.Profile, t.User, t.Vacancy)
            .join(t.Profile, col(t.Profile.id) == t.Interest.profile_id)
            .join(t.User, col(t.User.id) == t.Profile.user_id)
            .join(t.Vacancy, col(t.Vacancy.id) == t.Interest.vacancy_id))
    if vacancy_id is not None:
        stmt = stmt.where(t.Interest.vacancy_id == vacancy_id)
    rows = db.exec(stmt.order_by(col(t.Interest.created_at).desc()).limit(limit)).all()
    out = []
    for interest, p, u, v in rows:
        intro = db.exec(select(t.Introduction).where(
            t.Introduction.profile_id == p.id, t.Introduction.vacancy_id == v.id,
            col(t.Introduction.status).not_in([IntroStatus.declined.value, IntroStatus.withdrawn.value]))).first()
        out.append((interest, p, u, v, intro))
    return out


# --------------------------------------------------------------------------- reports
def report(hub: Hub, db: Session, lang: str) -> dict[str, object]:
    """Aggregates for the project board: no person can be picked out of these numbers."""
    per_sector: Counter[str] = Counter()
    pool = 0
    for sectors, in_pool in db.exec(select(t.Profile.sectors, t.Profile.in_talent_pool)).all():
        pool += int(bool(in_pool))
        for s in sectors_of(sectors) or ["onbekend"]:
            per_sector[s] += 1
    vac_sector = Counter({s or "onbekend": n for s, n in db.exec(
        select(t.Vacancy.sector, func.count()).where(t.Vacancy.status == "open").group_by(t.Vacancy.sector)).all()})
    months: dict[str, Counter[str]] = defaultdict(Counter)
    for status, at, reason in db.exec(select(t.IntroductionEvent.status, t.IntroductionEvent.at,
                                             t.IntroductionEvent.reason)).all():
        if reason != UNDO:  # a step back is no new step
            months[at.strftime("%Y-%m")][status] += 1
    # A placement counts in the month of the hired step still in force: an undone "aangenomen" is no placement.
    placed: Counter[str] = Counter()
    hired = db.exec(select(t.Introduction.id).where(t.Introduction.status == IntroStatus.hired.value)).all()
    by_intro: dict[int, list[t.IntroductionEvent]] = defaultdict(list)
    for e in db.exec(select(t.IntroductionEvent).where(col(t.IntroductionEvent.introduction_id).in_(hired))
                     .order_by(col(t.IntroductionEvent.id))).all() if hired else []:
        by_intro[e.introduction_id].append(e)
    for evs in by_intro.values():
        placed[steps(evs)[-1].at.strftime("%Y-%m")] += 1
    for m in placed:
        months.setdefault(m, Counter())  # a month with a placement is listed even without another step
    # The skills that would turn near matches into full ones: for each pool member's best vacancies, the
    # must-haves missing from a match that misses at most NEAR_MISS of them, weighted by rarity (a missing
    # "lassen" says more about a course to choose than a missing "samenwerken"). Transversal skills
    # (ESCO's reuse level, our "transversaal" tag) get their own list: they are rarely a course.
    missing: dict[str, Counter[str]] = defaultdict(Counter)
    weighted: dict[str, defaultdict[str, float]] = defaultdict(lambda: defaultdict(float))
    transversal: Counter[str] = Counter()
    transversal_w: defaultdict[str, float] = defaultdict(float)
    idx = hub.indexes.ensure(db)
    space = hub.matching.space
    concepts = hub.taxonomy.taxonomy.concepts
    profs = db.exec(select(t.Profile).where(col(t.Profile.in_talent_pool).is_(True)).limit(500)).all()
    from api.services.indexes import match_profile
    from api.services.profiles import skills_of

    def is_transversal(skill: str) -> bool:
        c = concepts.get(skill)
        return c is not None and (c.reuse_level == "transversal" or "transversaal" in c.sectors)

    matched = 0
    for p in profs:
        ranked = idx.vacancies.rank(match_profile(p, skills_of(db, p.id)), k=5, apply_filters=False).results
        matched += int(any(r.essential_total - r.essential_held <= GOOD_MATCH_MISSING for r in ranked))
        for r in ranked:
            gap = r.missing_essential
            if not gap or len(gap) > NEAR_MISS:
                continue
            v = idx.vacancies.get(r.vacancy_id)
            sector = (v.sector if v else None) or "onbekend"
            for s in gap:
                j = space.column(s)
                w = (space.rarity_of(j) if j is not None else 1.0) / len(gap)
                if is_transversal(s):
                    transversal[s] += 1
                    transversal_w[s] += w
                else:
                    missing[sector][s] += 1
                    weighted[sector][s] += w

    def top(counts: Counter[str], weights: dict[str, float]) -> list[dict[str, object]]:
        order = sorted(weights, key=lambda k: (-weights[k], -counts[k], k))[:10]
        return [{"id": k, "label": hub.label(k, lang), "count": counts[k], "weight": round(weights[k], 2)}
                for k in order]

    return {
        "profiles_per_sector": dict(per_sector),
        "talent_pool": pool,
        "pool_with_a_good_match": matched,  # members with a vacancy they miss at most GOOD_MATCH_MISSING must-haves of
        "open_vacancies_per_sector": dict(vac_sector),
        "introductions_per_month": {m: dict(c) for m, c in sorted(months.items())},
        "placements_per_month": {m: placed.get(m, 0) for m in sorted(months)},
        # per sector, by rarity-weighted count: the missing must-haves of otherwise good matches
        "most_missing_skills": {s: top(c, weighted[s]) for s, c in missing.items()},
        "most_missing_transversal": top(transversal, transversal_w),
        "erased_accounts": int(db.exec(select(t.Counter.value).where(t.Counter.name == "erased_accounts")).first()
                               or 0),
    }

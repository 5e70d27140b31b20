"""Pages for the coach: the talent pool, one candidate (notes, propose) and the project board's dashboard
(coaches and admins). A vacancy's candidates and shortlist live in coach_vacancy.py, the board in coach_board.py.

Everything goes through the services in api/services; they check the role boundaries again.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from api.deps import HubDep, SessionDep
from api.models import SECTORS, IntroductionCreate, NoteCreate, Role
from api.services import pipeline, profiles, vacancies
from api.services.accounts import Principal
from api.services.errors import BadInput, NotFound, ServiceError
from api.services.hub import Hub
from web.deps import Lang, require_page
from web.forms import PostedForm
from web.i18n import gettext
from web.render import MONTHS, render
from web.routes.public import plausible

router = APIRouter(include_in_schema=False)

PER_PAGE = 20
MAX_SKILLS = 10  # filter on at most this many skills; more says nothing extra and makes long URLs
COACH_MOVES = pipeline.MOVES_BY_ROLE[Role.coach]
COACH = require_page(Role.coach)
COACH_OR_ADMIN = require_page(Role.coach, Role.admin)  # the project board's dashboard
# Chart geometry (SVG user units); the SVG scales to the screen, the table below it carries the numbers.
CHART_W, ROW_H, VALUE_ROOM = 480, 46, 56


# --------------------------------------------------------------------------- words
def sector_names(lang: str) -> dict[str, str]:
    return {"techniek": gettext(lang, "Techniek"), "horeca": gettext(lang, "Horeca"), "zorg": gettext(lang, "Zorg"),
            "onbekend": gettext(lang, "Geen sector")}


def status_names(lang: str) -> dict[str, str]:
    """The board's columns, in pipeline order."""
    return {"proposed": gettext(lang, "Voorgesteld"), "candidate_agreed": gettext(lang, "Kandidaat akkoord"),
            "introduced": gettext(lang, "Voorgesteld aan werkgever"), "interview": gettext(lang, "Gesprek"),
            "hired": gettext(lang, "Aangenomen"), "declined": gettext(lang, "Afgewezen"),
            "withdrawn": gettext(lang, "Ingetrokken")}


def action_names(lang: str) -> dict[str, str]:
    """Button text for moving a card to a status (what the coach does, not where the card lands)."""
    return {"introduced": gettext(lang, "Stel voor aan werkgever"), "interview": gettext(lang, "Gesprek gepland"),
            "hired": gettext(lang, "Aangenomen"), "declined": gettext(lang, "Afgewezen"),
            "withdrawn": gettext(lang, "Trek in")}


def level_names(lang: str) -> dict[int, str]:
    return {1: gettext(lang, "beginner"), 2: gettext(lang, "redelijk"), 3: gettext(lang, "goed"),
            4: gettext(lang, "expert")}


def month_name(key: str, lang: str) -> str:
    """'2025-03' → 'maart 2025'."""
    year, _, month = key.partition("-")
    try:
        return f"{MONTHS[lang][int(month) - 1]} {year}"
    except (ValueError, IndexError):
        return key


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except ValueError:
        return None


# --------------------------------------------------------------------------- talent pool
@router.get("/coach", response_class=HTMLResponse)
def talent_pool(request: Request, hub: HubDep, db: SessionDep, lang: Lang,
                who: Principal = COACH) -> HTMLResponse:
    qp = request.query_params
    form = {k: qp.get(k, "").strip()[:200] for k in ("sector", "plaats", "km", "beschikbaar", "q")}
    errors: dict[str, str] = {}
    sector = form["sector"]
    if sector and sector not in SECTORS:
        errors["sector"] = gettext(lang, "Kies een sector uit de lijst.")
    max_km: float | None = None
    if form["km"]:
        try:
            max_km = float(form["km"].replace(",", "."))
        except ValueError:
            max_km = None
        if max_km is None or not 1 <= max_km <= 300:
            errors["km"] = gettext(lang, "Vul een aantal kilometers in van 1 tot 300.")
        elif not form["plaats"]:
            errors["plaats"] = gettext(lang, "Vul ook een plaats of postcode in.")
    available: date | None = None
    if form["beschikbaar"]:
        try:
            available = date.fromisoformat(form["beschikbaar"])
        except ValueError:
            errors["beschikbaar"] = gettext(lang, "Vul een datum in, bijvoorbeeld 2026-09-01.")
    chosen: list[tuple[str, str]] = []
    for ref in dict.fromkeys(s.strip() for s in qp.getlist("skill") if s.strip()):
        try:
            cid = hub.concept(ref, "skill").id
        except BadInput:
            errors["skill"] = gettext(lang, "Deze vaardigheid kennen we niet. Zoek hem opnieuw op.")
            continue
        if cid not in {c for c, _ in chosen}:
            chosen.append((cid, hub.label(cid, lang) or cid))
    if len(chosen) > MAX_SKILLS:
        errors["skill"] = gettext(lang, "Kies hoogstens 10 vaardigheden.")
    hits = plausible(hub.taxonomy.suggest_skills(form["q"], 8, lang)) if form["q"] else []
    page = max(1, min(_int(qp.get("pagina", "1")) or 1, 1000))

    items: list[Any] = []
    total = 0
    if not errors:
        try:
            items, total = vacancies.talent_pool(
                hub, db, who, sector=sector or None, place=form["plaats"] or None, max_km=max_km,
                skill=[c for c, _ in chosen], available_before=available, offset=(page - 1) * PER_PAGE,
                limit=PER_PAGE, lang=lang)
        except BadInput:
            # The only input the service can still refuse here is a place it cannot find.
            errors["plaats"] = gettext(lang, "We kunnen deze plaats of postcode niet vinden. Kijk of hij goed "
                                             "gespeld is.")
    pages = max(1, -(-total // PER_PAGE))
    keep = [(k, v) for k, v in form.items() if v and k != "q"] + [("skill", c) for c, _ in chosen]

    def link(p: int) -> str:
        return "/coach?" + urlencode([*keep, ("pagina", str(p))])

    levels = level_names(lang)
    rows = [{"c": c, "top": [(s.skill.label, levels.get(s.level or 0)) for s in
                             sorted(c.skills, key=lambda s: -(s.level or 0))[:5]]} for c in items]
    return render(request, "coach/talent_pool.html", who, lang, status=422 if errors else 200, form=form,
                  errors=errors, chosen=chosen, q=form["q"], hits=hits, name="skill", rows=rows, total=total,
                  page=page, pages=pages, prev_url=link(page - 1), next_url=link(page + 1),
                  sectors=sector_names(lang), today=date.today())


# --------------------------------------------------------------------------- one candidate
@router.get("/coach/kandidaat/{profile_id:int}", response_class=HTMLResponse)
def candidate_page(request: Request, hub: HubDep, db: SessionDep, lang: Lang, profile_id: int,
                   who: Principal = COACH) -> HTMLResponse:
    done = request.query_params.get("gedaan")
    notice = {"voorstel": gettext(lang, "Je voorstel is gemaakt. De kandidaat krijgt eerst de vraag of dat goed is."),
              "notitie": gettext(lang, "Je notitie is opgeslagen.")}.get(done or "")
    return _candidate(request, hub, db, who, lang, profile_id, notice=notice)


def _candidate(request: Request, hub: Hub, db: Session, who: Principal, lang: str, profile_id: int,
               status: int = 200, errors: dict[str, str] | None = None, form: dict[str, str] | None = None,
               notice: str | None = None) -> HTMLResponse:
    try:
        p = vacancies.profile_for_coach(hub, db, who, profile_id)
    except NotFound:
        return render(request, "error.html", who, lang, status=404, title_key="not_found")
    notes = pipeline.notes(db, who, profile_id, None, None)
    return render(request, "coach/candidate.html", who, lang, status=status,
                  profile=profiles.to_public(hub, db, p, lang), person=vacancies.candidate(hub, db, p, who, lang),
                  matches=profiles.vacancy_matches(hub, db, p, 10, 0, lang).items,
                  notes=notes, authors=pipeline.authors(db, notes), errors=errors or {}, form=form or {},
                  notice=notice, sectors=sector_names(lang), levels=level_names(lang), today=date.today())


@router.post("/coach/kandidaat/{profile_id:int}/voorstel", response_class=HTMLResponse)
async def propose_for_candidate(request: Request, hub: HubDep, db: SessionDep, lang: Lang, profile_id: int,
                                who: Principal = COACH) -> Response:
    form = await PostedForm.read(request, who, lang)
    data = {"vacancy_id": form.text("vacancy_id", 20), "message": form.raw("message").strip()}
    if not form.csrf_valid:
        return _candidate(request, hub, db, who, lang, profile_id, 400, form.expired("propose"), data)
    vid = form.number("vacancy_id")
    if vid is None:
        return _candidate(request, hub, db, who, lang, profile_id, 422,
                          {"vacancy_id": gettext(lang, "Kies een vacature.")}, data)
    if len(data["message"]) > 2000:
        return _candidate(request, hub, db, who, lang, profile_id, 422,
                          {"message": gettext(lang, "Het bericht is te lang. Gebruik hoogstens 2000 tekens.")}, data)
    try:
        p = vacancies.profile_for_coach(hub, db, who, profile_id)
        pipeline.propose(db, who, IntroductionCreate(vacancy_id=vid, candidate_ref=p.ref, message=data["message"]))
    except ServiceError as exc:
        return _candidate(request, hub, db, who, lang, profile_id, exc.status,
                          form.refused(db, exc, "vacancy_id", _propose_errors(lang)), data)
    return RedirectResponse(f"/coach/kandidaat/{profile_id}?gedaan=voorstel#voorstel", status_code=303)


def _propose_errors(lang: str) -> dict[int, str]:
    return {409: gettext(lang, "Deze kandidaat is al voorgesteld bij deze vacature. Kijk bij Voorstellen."),
            404: gettext(lang, "Deze vacature of kandidaat bestaat niet (meer)."),
            422: gettext(lang, "Dit voorstel kan niet. Probeer het nog een keer.")}


@router.post("/coach/kandidaat/{profile_id:int}/notitie", response_class=HTMLResponse)
async def add_note(request: Request, hub: HubDep, db: SessionDep, lang: Lang, profile_id: int,
                   who: Principal = COACH) -> Response:
    form = await PostedForm.read(request, who, lang)
    data = {"text": form.raw("text"), "shared": form.text("shared", 5) or "nee"}  # missing: the safer choice
    if not form.csrf_valid:
        return _candidate(request, hub, db, who, lang, profile_id, 400, form.expired("note"), data)
    if data["shared"] not in ("ja", "nee"):
        return _candidate(request, hub, db, who, lang, profile_id, 422, {"shared": gettext(
            lang, "Kies wie de notitie mag lezen.")}, data)
    try:
        body = NoteCreate(text=data["text"].strip(), profile_id=profile_id, shared=data["shared"] == "ja")
    except ValidationError:
        return _candidate(request, hub, db, who, lang, profile_id, 422,
                          {"text": gettext(lang, "Schrijf een notitie van 1 tot 5000 tekens.")}, data)
    try:
        pipeline.add_note(db, who, body)
    except NotFound:
        db.rollback()
        return render(request, "error.html", who, lang, status=404, title_key="not_found")
    return RedirectResponse(f"/coach/kandidaat/{profile_id}?gedaan=notitie#notities", status_code=303)


# --------------------------------------------------------------------------- dashboard
def bar_chart(rows: list[tuple[str, int]]) -> dict[str, Any]:
    """Horizontal bars, label above each bar and the value printed after it (no colour carries meaning)."""
    top = max((v for _, v in rows), default=0) or 1
    room = CHART_W - VALUE_ROOM
    bars = [{"label": label, "value": value, "y": i * ROW_H, "w": max(round(value / top * room), 2 if value else 0)}
            for i, (label, value) in enumerate(rows)]
    return {"rows": rows, "bars": bars, "width": CHART_W, "height": max(len(rows) * ROW_H, ROW_H),
            "summary": ", ".join(f"{label}: {value}" for label, value in rows)}


@router.get("/coach/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, hub: HubDep, db: SessionDep, lang: Lang,
              who: Principal = COACH_OR_ADMIN) -> HTMLResponse:
    rep: dict[str, Any] = pipeline.report(hub, db, lang)
    names = sector_names(lang)

    def per_sector(counts: dict[str, int]) -> list[tuple[str, int]]:
        order = [*SECTORS, *sorted(k for k in counts if k not in SECTORS)]
        return [(names.get(s, s), int(counts.get(s, 0))) for s in order if s in SECTORS or counts.get(s)]

    # The last twelve months that have any step; older ones stay in the API report.
    months = list(rep["introductions_per_month"])[-12:]
    new_intros = [(month_name(m, lang), int(rep["introductions_per_month"][m].get("proposed", 0))) for m in months]
    placed = [(month_name(m, lang), int(rep["placements_per_month"].get(m, 0))) for m in months]
    gaps: dict[str, list[dict[str, Any]]] = rep["most_missing_skills"]
    missing = [{"sector": names.get(s, s), "key": s,
                "chart": bar_chart([(str(x["label"] or x["id"]), int(x["count"])) for x in gaps[s]])}
               for s in [*SECTORS, *sorted(k for k in gaps if k not in SECTORS)] if gaps.get(s)]
    soft = bar_chart([(str(x["label"] or x["id"]), int(x["count"])) for x in rep["most_missing_transversal"]])
    return render(request, "coach/dashboard.html", who, lang, talent_pool=rep["talent_pool"],
                  matched=rep["pool_with_a_good_match"],
                  erased=rep["erased_accounts"], profiles=bar_chart(per_sector(rep["profiles_per_sector"])),
                  open_vacancies=bar_chart(per_sector(rep["open_vacancies_per_sector"])),
                  new_intros=bar_chart(new_intros), placed=bar_chart(placed), missing=missing,
                  missing_transversal=soft)


# --------------------------------------------------------------------------- GET on a form's address
# A page re-rendered after a refused POST keeps the POST's address, e.g. for the language switch; a GET
# there goes back to the page the form belongs to instead of "method not allowed".
@router.get("/coach/kandidaat/{profile_id:int}/voorstel")
@router.get("/coach/kandidaat/{profile_id:int}/notitie")
def candidate_form_get(profile_id: int) -> RedirectResponse:
    return RedirectResponse(f"/coach/kandidaat/{profile_id}", status_code=303)



"""Pages for the employer: their vacancies, the vacancy form (in steps, without JavaScript) and candidates."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session
from starlette.datastructures import FormData

from api.deps import HubDep, SessionDep
from api.models import SECTORS, IntroductionCreate, RequirementIn, Role, Vacancy, VacancyIn
from api.services import pipeline, vacancies
from api.services.accounts import Principal
from api.services.errors import ServiceError
from api.services.hub import Hub
from web.deps import Lang, csrf_ok, require_page
from web.i18n import gettext
from web.render import render
from web.routes.public import plausible

router = APIRouter(include_in_schema=False)

PER_PAGE = 20
EXTRACT_SHOWN = 0.3  # extracted mentions below this confidence are noise, not worth showing
EXTRACT_TICK = 0.6  # extracted mentions at least this sure start ticked ("confident")
MAX_SKILLS = 100  # VacancyIn accepts at most this many requirements
POSTCODE = re.compile(r"^\d{4}\s?[A-Za-z]{0,2}$")
EMPLOYER = require_page(Role.employer)  # the dependency every page here uses
EXPIRED = "De pagina was verlopen. Probeer het nog een keer."


@dataclass
class Chosen:
    """A skill the vacancy asks for: must-have (essential) or nice-to-have."""

    concept_id: str
    label: str
    essential: bool = True
    evidence: str | None = None


@dataclass
class VacancyForm:
    """Everything the form holds between its intermediate submits."""

    title: str = ""
    occupation_id: str = ""
    description: str = ""
    q: str = ""
    where: str = ""
    hours_min: str = ""
    hours_max: str = ""
    valid_through: str = ""
    sector: str = ""
    version: str = ""
    chosen: list[Chosen] = field(default_factory=list)

    def has(self, concept_id: str) -> bool:
        return any(c.concept_id == concept_id for c in self.chosen)


# --------------------------------------------------------------------------- my vacancies
@router.get("/werkgever", response_class=HTMLResponse)
def my_vacancies(request: Request, db: SessionDep, lang: Lang, who: Principal = EMPLOYER,
                 pagina: Annotated[int, Query(ge=1, le=1000)] = 1,
                 melding: Annotated[str, Query(max_length=20)] = "") -> HTMLResponse:
    return _list_page(request, db, who, lang, pagina, melding, {})


def _list_page(request: Request, db: Session, who: Principal, lang: str, page: int, notice: str,
               errors: dict[str, str], status: int = 200) -> HTMLResponse:
    rows, total = vacancies.listing(db, sector=None, q=None, organisation_id=who.user.organisation_id,
                                    offset=(page - 1) * PER_PAGE, limit=PER_PAGE, include_closed=True)
    return render(request, "employer/vacancies.html", who, lang, status=status, items=rows, total=total,
                  page=page, pages=max(1, -(-total // PER_PAGE)), notice=notice, errors=errors, today=date.today())


@router.post("/werkgever/vacature/{vacancy_id}/status", response_class=HTMLResponse)
async def change_status(request: Request, db: SessionDep, lang: Lang, vacancy_id: int,
                        who: Principal = EMPLOYER) -> Response:
    form = await request.form()
    if not csrf_ok(request, who, str(form.get("csrf_token") or "")):
        return _list_page(request, db, who, lang, 1, "", {"form": gettext(lang, EXPIRED)}, status=400)
    status = str(form.get("status") or "")
    if status not in ("open", "closed"):
        return _list_page(request, db, who, lang, 1, "", {"form": gettext(lang, "Kies open of gesloten.")}, 422)
    try:
        v = vacancies.managed_vacancy(db, vacancy_id, who)
        vacancies.set_status(db, who, v, status, _int(form.get("version")))
    except ServiceError as exc:
        return _list_page(request, db, who, lang, 1, "", {"form": _service_message(exc, lang)}, exc.status)
    return RedirectResponse(f"/werkgever?melding={'gesloten' if status == 'closed' else 'heropend'}",
                            status_code=303)


# --------------------------------------------------------------------------- the vacancy form
@router.get("/werkgever/vacature/nieuw", response_class=HTMLResponse)
def new_vacancy(request: Request, hub: HubDep, lang: Lang, who: Principal = EMPLOYER,
                q: Annotated[str, Query(max_length=200)] = "") -> HTMLResponse:
    return _form_page(request, hub, who, lang, VacancyForm(q=q), None, "", {})


@router.post("/werkgever/vacature/nieuw", response_class=HTMLResponse)
async def post_new_vacancy(request: Request, hub: HubDep, db: SessionDep, lang: Lang,
                           who: Principal = EMPLOYER) -> Response:
    return await _handle_form(request, hub, db, who, lang, None)


@router.get("/werkgever/vacature/{vacancy_id}/bewerken", response_class=HTMLResponse)
def edit_vacancy(request: Request, hub: HubDep, db: SessionDep, lang: Lang, vacancy_id: int,
                 who: Principal = EMPLOYER,
                 q: Annotated[str, Query(max_length=200)] = "") -> HTMLResponse:
    v = _managed(db, vacancy_id, who)
    if isinstance(v, ServiceError):
        return _refused(request, who, lang, v)
    pub = vacancies.to_public(hub, db, v, lang)
    state = VacancyForm(
        title=pub.title, occupation_id=pub.occupation_id or "", description=pub.description, q=q,
        where=pub.postcode or pub.place or "", hours_min=_str(pub.hours_min), hours_max=_str(pub.hours_max),
        valid_through=pub.valid_through.isoformat() if pub.valid_through else "", sector=pub.sector or "",
        version=str(pub.version),
        chosen=[Chosen(r.concept_id, r.label, r.essential, r.evidence) for r in pub.requirements])
    return _form_page(request, hub, who, lang, state, v, "", {})


@router.post("/werkgever/vacature/{vacancy_id}/bewerken", response_class=HTMLResponse)
async def post_edit_vacancy(request: Request, hub: HubDep, db: SessionDep, lang: Lang, vacancy_id: int,
                            who: Principal = EMPLOYER) -> Response:
    v = _managed(db, vacancy_id, who)
    if isinstance(v, ServiceError):
        return _refused(request, who, lang, v)
    return await _handle_form(request, hub, db, who, lang, v)


async def _handle_form(request: Request, hub: Hub, db: Session, who: Principal, lang: str,
                       v: Vacancy | None) -> Response:
    form = await request.form()
    action = str(form.get("action") or "save")
    state = _read_form(hub, form, lang)
    if not csrf_ok(request, who, str(form.get("csrf_token") or "")):
        return _form_page(request, hub, who, lang, state, v, action, {"form": gettext(lang, EXPIRED)}, status=400)
    if action.startswith("remove:"):
        gone = action.removeprefix("remove:")
        state.chosen = [c for c in state.chosen if c.concept_id != gone]
    if action == "title" and state.title != str(form.get("seen_title") or ""):
        # A new title: start from the occupation it most likely is (the employer can pick another).
        # Enter in any field also "presses" this first button, so an unchanged title keeps the choice.
        hits = hub.taxonomy.suggest_occupations(state.title, 3, lang) if state.title.strip() else []
        state.occupation_id = hits[0].concept_id if hits else ""
    if action != "save":
        return _form_page(request, hub, who, lang, state, v, action, {})
    errors, data = _validate(state, lang)
    if data is None:
        return _form_page(request, hub, who, lang, state, v, action, errors, status=422)
    evidence = {c.concept_id: c.evidence[:500] for c in state.chosen if c.evidence}
    try:
        if v is None:
            vacancies.create(hub, db, who, data, evidence=evidence)
        else:
            vacancies.replace(hub, db, who, v, data, _int(state.version), evidence=evidence)
    except ServiceError as exc:
        db.rollback()
        return _form_page(request, hub, who, lang, state, v, action, _service_errors(exc, lang), status=exc.status)
    return RedirectResponse(f"/werkgever?melding={'geplaatst' if v is None else 'bewaard'}", status_code=303)


def _read_form(hub: Hub, form: FormData, lang: str) -> VacancyForm:
    """The form's state; ticked suggestions join the chosen skills, each with its must/nice choice."""
    def text(name: str) -> str:
        return str(form.get(name) or "").strip()

    state = VacancyForm(title=text("title"), occupation_id=text("occupation_id"), q=text("q"), where=text("where"),
                        hours_min=text("hours_min"), hours_max=text("hours_max"),
                        valid_through=text("valid_through"), sector=text("sector"), version=text("version"),
                        description=str(form.get("description") or ""))
    tax = hub.taxonomy.taxonomy
    if state.occupation_id and tax.concepts.get(state.occupation_id) is None:
        state.occupation_id = ""
    usual = tax.occupation_skills.get(state.occupation_id, {})
    for cid in form.getlist("skill"):
        cid = str(cid)
        c = tax.concepts.get(cid)
        if c is None or c.kind != "skill" or state.has(cid):
            continue  # an unknown id can only come from a tampered form: leave it out
        need = str(form.get(f"need:{cid}") or "")
        essential = need == "must" if need else usual.get(cid) != "optional"
        evidence = str(form.get(f"evidence:{cid}") or "") or None
        state.chosen.append(Chosen(cid, c.label(lang), essential, evidence))
    return state


def _validate(state: VacancyForm, lang: str) -> tuple[dict[str, str], VacancyIn | None]:
    errors: dict[str, str] = {}
    hours: dict[str, int | None] = {}
    for name in ("hours_min", "hours_max"):
        raw = getattr(state, name)
        hours[name] = int(raw) if raw.isdigit() and int(raw) <= 60 else None
        if raw and hours[name] is None:
            errors[name] = gettext(lang, "Vul een heel getal in van 0 tot 60.")
    hmin, hmax = hours["hours_min"], hours["hours_max"]
    if hmin is not None and hmax is not None and hmin > hmax:
        errors["hours_max"] = gettext(lang, "Het maximum is lager dan het minimum.")
    valid: date | None = None
    if state.valid_through:
        try:
            valid = date.fromisoformat(state.valid_through)
        except ValueError:
            errors["valid_through"] = gettext(lang, "Vul een datum in, bijvoorbeeld 2027-03-31.")
        else:
            if valid < date.today():
                errors["valid_through"] = gettext(lang, "Deze datum is al voorbij. Kies een datum in de toekomst.")
    if len(state.title) < 2:
        errors["title"] = gettext(lang, "Vul een titel in van minstens 2 tekens.")
    elif len(state.title) > 200:
        errors["title"] = gettext(lang, "De titel is te lang. Gebruik hoogstens 200 tekens.")
    if len(state.description) > 20000:
        errors["description"] = gettext(lang, "De tekst is te lang. Gebruik hoogstens 20.000 tekens.")
    if not state.chosen:
        errors["skills"] = gettext(lang, "Kies minstens één vaardigheid.")
    elif len(state.chosen) > MAX_SKILLS:
        errors["skills"] = gettext(lang, "Kies hoogstens 100 vaardigheden.")
    if state.sector and state.sector not in SECTORS:
        errors["sector"] = gettext(lang, "Kies een sector uit de lijst.")
    is_pc = bool(POSTCODE.match(state.where))
    if len(state.where) > 100:
        errors["where"] = gettext(lang, "Vul een plaats of postcode in.")
    if errors:
        return errors, None
    try:
        data = VacancyIn(title=state.title, description=state.description, occupation_id=state.occupation_id or None,
                         sector=state.sector or None, postcode=state.where if is_pc else None,
                         place=None if is_pc or not state.where else state.where, hours_min=hmin, hours_max=hmax,
                         valid_through=valid,
                         requirements=[RequirementIn(concept_id=c.concept_id, essential=c.essential)
                                       for c in state.chosen])
    except ValidationError as exc:
        names = {"postcode": "where", "place": "where", "requirements": "skills"}
        for err in exc.errors():
            name = str(err["loc"][0]) if err["loc"] else "form"
            errors.setdefault(names.get(name, name), gettext(lang, "Dit veld klopt niet."))
        return errors, None
    return {}, data


def _service_errors(exc: ServiceError, lang: str) -> dict[str, str]:
    """Service messages are English sentences for the API: say the same in Dutch next to the right field."""
    msg = exc.message
    if "postcode or place" in msg:
        return {"where": gettext(lang, "We kunnen deze plaats of postcode niet vinden. Kijk of je hem goed schreef.")}
    if "hours_min" in msg:
        return {"hours_max": gettext(lang, "Het maximum is lager dan het minimum.")}
    if "not a known skill" in msg:
        return {"skills": gettext(lang, "Een van de vaardigheden bestaat niet meer. Kies hem opnieuw.")}
    if "not a known occupation" in msg:
        return {"occupation_id": gettext(lang, "Dit beroep bestaat niet meer. Kies een ander beroep.")}
    return {"form": _service_message(exc, lang)}


def _service_message(exc: ServiceError, lang: str) -> str:
    if exc.status == 409:
        return gettext(lang, "Iemand anders heeft de vacature net veranderd. Laad de pagina opnieuw en probeer "
                             "het nog een keer.")
    if exc.status in (403, 404):
        return gettext(lang, "Deze vacature is niet van jouw organisatie.")
    return gettext(lang, "Dat lukte niet. Kijk je gegevens na en probeer het nog een keer.")


def _form_page(request: Request, hub: Hub, who: Principal, lang: str, state: VacancyForm, v: Vacancy | None,
               action: str, errors: dict[str, str], status: int = 200) -> HTMLResponse:
    tax = hub.taxonomy
    occupations: list[Any] = tax.suggest_occupations(state.title, 3, lang) if state.title.strip() else []
    occ_label = hub.label(state.occupation_id, lang) if state.occupation_id else None
    if state.occupation_id and all(o.concept_id != state.occupation_id for o in occupations):
        occupations.insert(0, _Occupation(state.occupation_id, occ_label or state.occupation_id))
    usual = tax.taxonomy.occupation_skills.get(state.occupation_id, {}) if state.occupation_id else {}
    # The occupation's usual skills: essential first, then alphabetically; the chosen ones are listed below.
    occ_skills = sorted(((cid, hub.label(cid, lang) or cid, rel == "essential") for cid, rel in usual.items()
                         if not state.has(cid)), key=lambda s: (not s[2], s[1].casefold()))
    found: list[Any] = []
    if action == "extract" and state.description.strip():
        found = [m for m in tax.extract_skills(state.description, 20, lang)
                 if m.score >= EXTRACT_SHOWN and not state.has(m.concept_id)]
    hits = plausible([h for h in tax.suggest_skills(state.q, 8, lang) if not state.has(h.concept_id)]) \
        if state.q else []
    return render(request, "employer/vacancy_form.html", who, lang, status=status, f=state, v=v, action=action,
                  errors=errors, occupations=occupations, occupation_label=occ_label, occ_skills=occ_skills,
                  found=found, extracted=action == "extract", extract_tick=EXTRACT_TICK, q=state.q, hits=hits,
                  name="skill",
                  sectors=SECTORS, today=date.today().isoformat())


@dataclass
class _Occupation:
    """The chosen occupation when the title's suggestions no longer include it."""

    concept_id: str
    label: str
    score: float = 1.0
    matched_label: str = ""


# --------------------------------------------------------------------------- candidates
@router.get("/werkgever/vacature/{vacancy_id}/kandidaten", response_class=HTMLResponse)
def candidates(request: Request, hub: HubDep, db: SessionDep, lang: Lang, vacancy_id: int,
               who: Principal = EMPLOYER,
               melding: Annotated[str, Query(max_length=20)] = "") -> HTMLResponse:
    return _candidates_page(request, hub, db, who, lang, vacancy_id, melding, {})


@router.post("/werkgever/vacature/{vacancy_id}/introductie", response_class=HTMLResponse)
async def ask_introduction(request: Request, hub: HubDep, db: SessionDep, lang: Lang, vacancy_id: int,
                           who: Principal = EMPLOYER) -> Response:
    form = await request.form()
    if not csrf_ok(request, who, str(form.get("csrf_token") or "")):
        return _candidates_page(request, hub, db, who, lang, vacancy_id, "", {"form": gettext(lang, EXPIRED)}, 400)
    ref = str(form.get("candidate_ref") or "")
    try:
        pipeline.propose(db, who, IntroductionCreate(vacancy_id=vacancy_id, candidate_ref=ref))
    except ValidationError:
        msg = gettext(lang, "Deze kandidaat bestaat niet (meer).")
        return _candidates_page(request, hub, db, who, lang, vacancy_id, "", {"form": msg}, 422)
    except ServiceError as exc:
        db.rollback()
        msg = {409: gettext(lang, "Je hebt voor deze kandidaat al een introductie gevraagd."),
               404: gettext(lang, "Deze kandidaat staat niet (meer) in de talentpool.")}.get(
            exc.status, _service_message(exc, lang))
        return _candidates_page(request, hub, db, who, lang, vacancy_id, "", {"form": msg}, exc.status)
    return RedirectResponse(f"/werkgever/vacature/{vacancy_id}/kandidaten?melding=gevraagd#voorstellen",
                            status_code=303)


def _candidates_page(request: Request, hub: Hub, db: Session, who: Principal, lang: str, vacancy_id: int,
                     notice: str, errors: dict[str, str], status: int = 200) -> HTMLResponse:
    v = _managed(db, vacancy_id, who)
    if isinstance(v, ServiceError):
        return _refused(request, who, lang, v)
    found = vacancies.candidates_for(hub, db, who, v, 20, 0, lang)
    fitting = [c for c in found.items if c.explanation.score > 0]  # nothing in common: no use to the employer
    intros, _ = pipeline.listing(db, who, None, 0, 100)
    mine = [pipeline.to_public(db, who, i) for i in intros if i.vacancy_id == v.id]
    asked = {i.candidate_ref: i.status for i in mine if i.status not in ("declined", "withdrawn")}
    refs = {c.candidate.candidate_ref: n for n, c in enumerate(fitting, 1)}
    return render(request, "employer/candidates.html", who, lang, status=status, v=v, items=fitting,
                  excluded=found.excluded, intros=mine, asked=asked, refs=refs, notice=notice, errors=errors,
                  today=date.today())


# --------------------------------------------------------------------------- helpers
def _managed(db: Session, vacancy_id: int, who: Principal) -> Vacancy | ServiceError:
    try:
        return vacancies.managed_vacancy(db, vacancy_id, who)
    except ServiceError as exc:
        return exc


def _refused(request: Request, who: Principal, lang: str, exc: ServiceError) -> HTMLResponse:
    forbidden = exc.status == 403
    return render(request, "error.html", who, lang, status=403 if forbidden else 404,
                  title_key="forbidden" if forbidden else "not_found")


def _int(value: Any) -> int | None:
    s = str(value or "").strip()
    return int(s) if s.isdigit() else None


def _str(value: int | None) -> str:
    return "" if value is None else str(value)

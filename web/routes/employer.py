"""Pages for the employer: their vacancies, the vacancy form (in steps, without JavaScript) and candidates."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlsplit

from babel.numbers import format_decimal
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from api.deps import HubDep, SessionDep
from api.models import (
    INTRO_NEXT,
    PHONE,
    SALARY_PERIODS,
    SECTORS,
    IntroductionCreate,
    IntroductionMove,
    IntroStatus,
    RequirementIn,
    Role,
    Vacancy,
    VacancyIn,
)
from api.services import display, pipeline, vacancies
from api.services.accounts import Principal
from api.services.errors import ServiceError
from api.services.hub import Hub
from web.deps import Lang, require_page
from web.forms import PostedForm
from web.i18n import gettext
from web.render import render
from web.routes.public import plausible

router = APIRouter(include_in_schema=False)

PER_PAGE = 20
EXTRACT_SHOWN = 0.3  # extracted mentions below this confidence are noise, not worth showing
EXTRACT_TICK = 0.6  # extracted mentions at least this sure start ticked ("confident")
MAX_SKILLS = 100  # VacancyIn accepts at most this many requirements
POSTCODE = re.compile(r"^\d{4}\s?[A-Za-z]{0,2}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")  # a first check; VacancyIn's EmailStr has the last word
EMPLOYER = require_page(Role.employer)  # the dependency every page here uses
OUTCOMES = ("interview", "hired", "declined")  # what an employer records; declined reads "niet gekozen" here


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
    salary_min: str = ""
    salary_max: str = ""
    salary_period: str = ""
    apply_url: str = ""
    apply_email: str = ""
    apply_phone: str = ""
    apply_contact: str = ""
    direct_apply: bool = False
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
    form = await PostedForm.read(request, who, lang)
    if not form.csrf_valid:
        return _list_page(request, db, who, lang, 1, "", form.expired(), status=400)
    status = form.text("status", 20)
    if status not in ("open", "closed"):
        return _list_page(request, db, who, lang, 1, "", {"form": gettext(lang, "Kies open of gesloten.")}, 422)
    try:
        v = vacancies.managed_vacancy(db, vacancy_id, who)
        vacancies.set_status(db, who, v, status, form.number("version"))
    except ServiceError as exc:
        return _list_page(request, db, who, lang, 1, "", form.refused(db, exc, "form", _service_messages(lang)),
                          exc.status)
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
        version=str(pub.version), salary_min=_amount(pub.salary_min, lang), salary_max=_amount(pub.salary_max, lang),
        salary_period=pub.salary_period or "", apply_url=pub.apply_url or "", apply_email=pub.apply_email or "",
        apply_phone=pub.apply_phone or "", apply_contact=pub.apply_contact or "", direct_apply=bool(pub.direct_apply),
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
    form = await PostedForm.read(request, who, lang)
    action = form.text("action", 300) or "save"
    state = _read_form(hub, form)
    if not form.csrf_valid:
        return _form_page(request, hub, who, lang, state, v, action, form.expired(), status=400)
    if action.startswith("remove:"):
        gone = action.removeprefix("remove:")
        state.chosen = [c for c in state.chosen if c.concept_id != gone]
    if action == "title" and state.title != form.text("seen_title"):
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


def _read_form(hub: Hub, form: PostedForm) -> VacancyForm:
    """The form's state; ticked suggestions join the chosen skills, each with its must/nice choice."""
    text, lang = form.text, form.lang
    state = VacancyForm(title=text("title"), occupation_id=text("occupation_id"), q=text("q"), where=text("where"),
                        hours_min=text("hours_min"), hours_max=text("hours_max"),
                        valid_through=text("valid_through"), sector=text("sector"), version=text("version"),
                        description=form.raw("description"), salary_min=text("salary_min", 30),
                        salary_max=text("salary_max", 30), salary_period=text("salary_period", 10),
                        apply_url=text("apply_url", 600), apply_email=text("apply_email", 300),
                        apply_phone=text("apply_phone", 60), apply_contact=text("apply_contact", 300),
                        direct_apply=bool(text("direct_apply")))
    tax = hub.taxonomy.taxonomy
    if state.occupation_id and tax.concepts.get(state.occupation_id) is None:
        state.occupation_id = ""
    usual = tax.occupation_skills.get(state.occupation_id, {})
    for cid in form.values("skill"):
        c = tax.concepts.get(cid)
        if c is None or c.kind != "skill" or state.has(cid):
            continue  # an unknown id can only come from a tampered form: leave it out
        need = text(f"need:{cid}")
        essential = need == "must" if need else usual.get(cid) != "optional"
        evidence = form.raw(f"evidence:{cid}") or None
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
    offer = _validate_offer(state, lang, errors)
    if errors:
        return errors, None
    try:
        data = VacancyIn(title=state.title, description=state.description, occupation_id=state.occupation_id or None,
                         sector=state.sector or None, postcode=state.where if is_pc else None,
                         place=None if is_pc or not state.where else state.where, hours_min=hmin, hours_max=hmax,
                         valid_through=valid, **offer,
                         requirements=[RequirementIn(concept_id=c.concept_id, essential=c.essential)
                                       for c in state.chosen])
    except ValidationError as exc:
        names = {"postcode": "where", "place": "where", "requirements": "skills", "salary_currency": "salary_min"}
        for err in exc.errors():
            name = str(err["loc"][0]) if err["loc"] else "form"
            msg = gettext(lang, "Vul een geldig e-mailadres in.") if name == "apply_email" else \
                gettext(lang, "Dit veld klopt niet.")
            errors.setdefault(names.get(name, name), msg)
        return errors, None
    return {}, data


def parse_amount(raw: str, lang: str = "nl") -> float | None:
    """An amount as people type it: '2600', '2.600', '€ 2.600,50', '13,75' or '2600.50'; None if not a number.
    A comma before exactly three digits is a thousands separator in English ('2,600'), a decimal one in Dutch."""
    s = raw.replace("€", "").replace("EUR", "").replace(" ", "").replace("\u00a0", "").rstrip(",-")
    if not s:
        return None
    if "," in s and "." in s:
        s = s.replace(".", "").replace(",", ".") if s.rindex(",") > s.rindex(".") else s.replace(",", "")
    elif "," in s:
        s = s.replace(",", "") if lang == "en" and re.fullmatch(r"\d{1,3}(,\d{3})+", s) else s.replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(\.\d{3})+", s):
        s = s.replace(".", "")  # 2.600: a thousands point, not a decimal one
    if not re.fullmatch(r"\d+(\.\d{1,2})?", s):
        return None
    return float(s)


def _amount(x: float | None, lang: str) -> str:
    if x is None:
        return ""
    return format_decimal(x, format="0.##", locale=display.LOCALES[lang])  # no grouping: read back unambiguously


def _validate_offer(state: VacancyForm, lang: str, errors: dict[str, str]) -> dict[str, Any]:
    """Salary and how to apply: every field optional, but what is filled in must make sense."""
    amounts: dict[str, float | None] = {}
    for name in ("salary_min", "salary_max"):
        raw = getattr(state, name)
        amounts[name] = parse_amount(raw, lang) if raw else None
        if raw and (amounts[name] is None or not 0 < (amounts[name] or 0) <= 10_000_000):
            errors[name] = gettext(lang, "Vul een bedrag in euro in, bijvoorbeeld 2.600 of 14,50.")
            amounts[name] = None
    lo, hi = amounts["salary_min"], amounts["salary_max"]
    if lo is not None and hi is not None and lo > hi:
        errors["salary_max"] = gettext(lang, "Het hoogste bedrag is lager dan het laagste.")
    period = state.salary_period or None
    if period is not None and period not in SALARY_PERIODS:
        errors["salary_period"] = gettext(lang, "Kies per uur, dag, week, maand of jaar.")
    elif period is None and (lo is not None or hi is not None):
        errors["salary_period"] = gettext(lang, "Kies of het bedrag per uur, week, maand of jaar is.")
    if state.apply_url:
        parts = urlsplit(state.apply_url)
        if parts.scheme not in ("http", "https") or not parts.hostname or " " in state.apply_url \
                or len(state.apply_url) > 500:
            errors["apply_url"] = gettext(lang, "Vul een webadres in dat begint met https:// of http://.")
    if state.apply_email and (len(state.apply_email) > 254 or not EMAIL.match(state.apply_email)):
        errors["apply_email"] = gettext(lang, "Vul een geldig e-mailadres in.")
    if state.apply_phone and not re.fullmatch(PHONE, state.apply_phone):
        errors["apply_phone"] = gettext(lang, "Vul een telefoonnummer in met cijfers, bijvoorbeeld 071 123 45 67.")
    if len(state.apply_contact) > 200:
        errors["apply_contact"] = gettext(lang, "Gebruik hoogstens 200 tekens.")
    if state.direct_apply and not state.apply_url:
        errors["apply_url"] = gettext(lang, "Vul het webadres in waar mensen direct kunnen solliciteren.")
    return {"salary_min": lo, "salary_max": hi, "salary_period": period if lo is not None or hi is not None else None,
            "apply_url": state.apply_url or None, "apply_email": state.apply_email or None,
            "apply_phone": state.apply_phone or None, "apply_contact": state.apply_contact or None,
            "direct_apply": True if state.direct_apply else None}


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
    return {"form": _service_messages(lang).get(
        exc.status, gettext(lang, "Dat lukte niet. Kijk je gegevens na en probeer het nog een keer."))}


def _service_messages(lang: str) -> dict[int, str]:
    mine = gettext(lang, "Deze vacature is niet van jouw organisatie.")
    return {409: gettext(lang, "Iemand anders heeft de vacature net veranderd. Laad de pagina opnieuw en probeer "
                               "het nog een keer."), 403: mine, 404: mine}


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
                  name="skill", sectors=SECTORS, today=date.today().isoformat(), periods=_period_names(lang))


def _period_names(lang: str) -> list[tuple[str, str]]:
    return [("HOUR", gettext(lang, "per uur")), ("WEEK", gettext(lang, "per week")),
            ("MONTH", gettext(lang, "per maand")), ("YEAR", gettext(lang, "per jaar")),
            ("DAY", gettext(lang, "per dag"))]


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
    form = await PostedForm.read(request, who, lang)
    if not form.csrf_valid:
        return _candidates_page(request, hub, db, who, lang, vacancy_id, "", form.expired(), 400)
    ref = form.text("candidate_ref", 40)
    try:
        pipeline.propose(db, who, IntroductionCreate(vacancy_id=vacancy_id, candidate_ref=ref))
    except ValidationError:
        msg = gettext(lang, "Deze kandidaat bestaat niet (meer).")
        return _candidates_page(request, hub, db, who, lang, vacancy_id, "", {"form": msg}, 422)
    except ServiceError as exc:
        errors = form.refused(db, exc, "form", {
            **_service_messages(lang), 409: gettext(lang, "Je hebt voor deze kandidaat al een introductie gevraagd."),
            404: gettext(lang, "Deze kandidaat staat niet (meer) in de talentpool.")})
        return _candidates_page(request, hub, db, who, lang, vacancy_id, "", errors, exc.status)
    return RedirectResponse(f"/werkgever/vacature/{vacancy_id}/kandidaten?melding=gevraagd#voorstellen",
                            status_code=303)


def _candidates_page(request: Request, hub: Hub, db: Session, who: Principal, lang: str, vacancy_id: int,
                     notice: str, errors: dict[str, str], status: int = 200) -> HTMLResponse:
    v = _managed(db, vacancy_id, who)
    if isinstance(v, ServiceError):
        return _refused(request, who, lang, v)
    found = vacancies.candidates_for(hub, db, who, v, 20, 0, lang)
    fitting = [c for c in found.items if c.explanation.score > 0]  # nothing in common: no use to the employer
    intros, _ = pipeline.listing(db, who, None, 0, 200, vacancy_id=v.id)
    mine = [pipeline.to_public(db, who, i) for i in intros]
    asked = {i.candidate_ref: i.status for i in mine if i.status not in ("declined", "withdrawn")}
    refs = {c.candidate.candidate_ref: n for n, c in enumerate(fitting, 1)}
    moves = {i.id: [s for s in OUTCOMES if IntroStatus(s) in INTRO_NEXT[IntroStatus(i.status)]]
             for i in mine if IntroStatus(i.status) in pipeline.EMPLOYER_MOVES_FROM}
    return render(request, "employer/candidates.html", who, lang, status=status, v=v, items=fitting,
                  excluded=found.excluded, intros=mine, asked=asked, refs=refs, notice=notice, errors=errors,
                  moves=moves, today=date.today())


@router.post("/werkgever/introductie/{introduction_id}", response_class=HTMLResponse)
async def record_outcome(request: Request, hub: HubDep, db: SessionDep, lang: Lang, introduction_id: int,
                         who: Principal = EMPLOYER) -> Response:
    """The employer records what came of an introduction: interview planned, hired, or not chosen."""
    form = await PostedForm.read(request, who, lang)
    try:
        intro = pipeline.get(db, who, introduction_id)
    except ServiceError:
        return render(request, "error.html", who, lang, status=404, title_key="not_found")
    vid = intro.vacancy_id or 0

    def again(status: int, errors: dict[str, str]) -> HTMLResponse:
        return _candidates_page(request, hub, db, who, lang, vid, "", errors, status)

    if not form.csrf_valid:
        return again(400, form.expired())
    step = form.text("status", 20)
    if step not in OUTCOMES:
        return again(422, {"form": gettext(lang, "Kies een van de knoppen bij de introductie.")})
    version = form.number("version")
    seen = intro.version
    possible = IntroStatus(intro.status) in pipeline.EMPLOYER_MOVES_FROM  # else move() says why not
    if step == "hired" and form.text("bevestigd", 5) != "ja" and possible:
        # "Aangenomen" counts as a placement and only a coach can take it back: ask first (a page, no JavaScript).
        pub = pipeline.to_public(db, who, intro)
        return render(request, "employer/confirm_hired.html", who, lang, i=pub, version=version or intro.version)
    try:
        pipeline.move(db, who, intro, IntroductionMove(status=IntroStatus(step), version=version))
    except ServiceError as exc:
        stale = version is not None and version != seen
        return again(exc.status, form.refused(db, exc, "form", {
            409: gettext(lang, "Iemand anders heeft deze introductie net veranderd. Kijk hieronder hoe het nu staat.")
            if stale else gettext(lang, "Deze stap kan nu niet bij deze introductie."),
            403: gettext(lang, "Dit kan pas als de coach de kandidaat aan je heeft voorgesteld.")}))
    return RedirectResponse(f"/werkgever/vacature/{vid}/kandidaten?melding=uitkomst#introductie-{introduction_id}",
                            status_code=303)


@router.get("/werkgever/introductie/{introduction_id}")
def outcome_form_get(db: SessionDep, introduction_id: int, who: Principal = EMPLOYER) -> RedirectResponse:
    """A GET on the form's address (a re-rendered page's language switch): back to the vacancy's page."""
    try:
        vid = pipeline.get(db, who, introduction_id).vacancy_id
    except ServiceError:
        return RedirectResponse("/werkgever", status_code=303)
    return RedirectResponse(f"/werkgever/vacature/{vid}/kandidaten#introductie-{introduction_id}", status_code=303)


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

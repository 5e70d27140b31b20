"""Pages for the job seeker: the four-step profile wizard, matches, the profile overview and their own data.

Every page works without JavaScript; htmx only makes the skill suggestions appear while typing.
Each step saves at once (Post/Redirect/Get), so someone who stops halfway keeps what they did.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from api.deps import SESSION_COOKIE, HubDep, SessionDep
from api.models import (
    SECTORS,
    SKILL_SOURCES,
    ConsentUpdate,
    Profile,
    ProfilePublic,
    ProfileUpdate,
    Role,
    SkillItemIn,
)
from api.services import alerts, gdpr, interests, profiles, proposals
from api.services.accounts import Principal
from api.services.errors import BadInput, Conflict, NotAuthenticated, ServiceError
from api.services.hub import Hub
from web.deps import Lang, require_page
from web.forms import PostedForm
from web.i18n import gettext
from web.render import render
from web.routes.public import plausible

router = APIRouter(include_in_schema=False)
JOBSEEKER = require_page(Role.jobseeker)  # the dependency every page here uses
STEPS = 4
MAX_CV_CHARS = 10_000
CV_TICK = 0.6  # extracted skills at least this sure start ticked
CV_SHOW = 0.1  # below this an extracted skill is noise (a single common word), not worth showing


def _profile(db: Session, who: Principal) -> Profile:
    return profiles.own_profile(db, who)


def _current(hub: Hub, db: Session, p: Profile, lang: str) -> ProfilePublic:
    return profiles.to_public(hub, db, p, lang)


def _form_list(form: PostedForm, name: str) -> list[str]:
    return [v for v in form.values(name) if v.strip()]


def _add_skills(hub: Hub, db: Session, who: Principal, p: Profile, ids: list[str], source: str) -> int:
    """Add the ticked skills one by one; skills already in the profile keep their level and source."""
    have = {s.concept_id for s in profiles.skills_of(db, p.id)}
    added = 0
    for cid in dict.fromkeys(ids):  # keep order, drop doubles
        concept = hub.concept(cid, "skill")
        if concept.id in have:
            continue
        profiles.put_skill(hub, db, who, p, SkillItemIn(concept_id=concept.id, source=source))
        have.add(concept.id)
        added += 1
    return added


def _next_step(form: PostedForm) -> int | None:
    """The step a "Terug" / "Volgende stap" button of the wizard asked for (they submit the step's form)."""
    raw = form.raw("next")
    return int(raw) if raw in {str(n) for n in range(1, STEPS + 1)} else None


def _onward(nxt: int | None, here: int, added: int) -> RedirectResponse:
    return RedirectResponse(f"/profiel/stap/{nxt or here}?opgeslagen={added}", status_code=303)


def _save_ticked(hub: Hub, db: Session, who: Principal, form: PostedForm, here: int, source: str,
                 again: Callable[[int, dict[str, str]], HTMLResponse], field: str = "skill") -> Response:
    """Steps 1–3: add the ticked skills, then go to the step the button asked for (nothing ticked: just go)."""
    ids = _form_list(form, "skill")
    nxt = _next_step(form)
    if not ids and nxt:
        return RedirectResponse(f"/profiel/stap/{nxt}", status_code=303)
    if not ids:
        return again(422, {field: gettext(form.lang, "Kies eerst een of meer vaardigheden uit de lijst.")})
    try:
        added = _add_skills(hub, db, who, _profile(db, who), ids, source)
    except ServiceError as exc:
        return again(exc.status, _refused(db, exc, form.lang))
    return _onward(nxt, here, added)


def _step(request: Request, template: str, who: Principal, lang: str, n: int, status: int = 200,
          **ctx: Any) -> HTMLResponse:
    ctx.setdefault("errors", {})
    return render(request, template, who, lang, status=status, step=n, steps=STEPS, **ctx)


# --------------------------------------------------------------------------- step 1: skills by typing
MAX_SEARCH = 200
TOO_LONG = "Dit is te lang om op te zoeken. Typ een of twee woorden."


@router.get("/profiel/stap/1", response_class=HTMLResponse)
def step1(request: Request, hub: HubDep, db: SessionDep, lang: Lang, q: str = "", opgeslagen: int | None = None,
          who: Principal = JOBSEEKER) -> HTMLResponse:
    p = _profile(db, who)
    if len(q) > MAX_SEARCH:  # a page with the reason, not the framework's JSON error
        return _step(request, "jobseeker/step1.html", who, lang, 1, status=422, profile=_current(hub, db, p, lang),
                     q=q[:MAX_SEARCH], hits=[], name="skill", saved=None, errors={"q": gettext(lang, TOO_LONG)})
    hits = plausible(hub.taxonomy.suggest_skills(q, 8, lang)) if q.strip() else []
    return _step(request, "jobseeker/step1.html", who, lang, 1, profile=_current(hub, db, p, lang), q=q,
                 hits=hits, name="skill", saved=opgeslagen)


@router.post("/profiel/stap/1", response_class=HTMLResponse)
async def step1_post(request: Request, hub: HubDep, db: SessionDep, lang: Lang,
                     who: Principal = JOBSEEKER) -> Response:
    form = await PostedForm.read(request, who, lang)
    p = _profile(db, who)
    q = form.raw("q")[:MAX_SEARCH]

    def again(status: int, errors: dict[str, str]) -> HTMLResponse:
        hits = plausible(hub.taxonomy.suggest_skills(q, 8, lang)) if q.strip() else []
        return _step(request, "jobseeker/step1.html", who, lang, 1, status=status, profile=_current(hub, db, p, lang),
                     q=q, hits=hits, name="skill", saved=None, errors=errors)

    if not form.csrf_valid:
        return again(400, form.expired())
    remove = form.raw("remove")
    if not remove:
        return _save_ticked(hub, db, who, form, 1, "other", again)
    try:
        profiles.delete_skill(hub, db, who, p, remove)
    except ServiceError as exc:
        return again(exc.status, _refused(db, exc, lang))
    return RedirectResponse("/profiel/stap/1?opgeslagen=0", status_code=303)


# --------------------------------------------------------------------------- step 2: earlier work
def _occupation_skills(hub: Hub, occupation_id: str, have: set[str], lang: str) -> dict[str, list[dict[str, Any]]]:
    rel = hub.taxonomy.taxonomy.occupation_skills.get(occupation_id, {})
    out: dict[str, list[dict[str, Any]]] = {"essential": [], "optional": [], "have": []}
    for sid, kind in rel.items():
        item = {"id": sid, "label": hub.label(sid, lang) or sid}
        out["have" if sid in have else kind if kind in out else "optional"].append(item)
    for items in out.values():
        items.sort(key=lambda i: i["label"].lower())
    return out


def _step2(request: Request, hub: Hub, db: Session, who: Principal, lang: str, q: str, beroep: str,
           status: int = 200, errors: dict[str, str] | None = None, saved: int | None = None,
           search: bool = True) -> HTMLResponse:
    p = _profile(db, who)
    errors = dict(errors or {})
    # Only what the normaliser is fairly sure of: a "did you mean" list of far-off trades helps nobody.
    occupations = [{"id": m.concept_id, "label": m.label, "matched": m.matched_label, "label_lang": m.label_lang,
                    "matched_lang": m.matched_lang}
                   for m in plausible(hub.taxonomy.suggest_occupations(q, 5, lang))] if search and q.strip() else []
    chosen = None
    groups: dict[str, list[dict[str, Any]]] = {}
    if beroep:
        try:
            concept = hub.concept(beroep, "occupation")
        except BadInput:
            errors.setdefault("form", gettext(lang, "Dit beroep kennen we niet. Zoek het nog een keer."))
        else:
            chosen = {"id": concept.id, "label": hub.label(concept.id, lang) or concept.id}
            have = {s.concept_id for s in profiles.skills_of(db, p.id)}
            groups = _occupation_skills(hub, concept.id, have, lang)
    return _step(request, "jobseeker/step2.html", who, lang, 2, status=status, q=q, occupations=occupations,
                 chosen=chosen, groups=groups, errors=errors, saved=saved, profile=_current(hub, db, p, lang))


@router.get("/profiel/stap/2", response_class=HTMLResponse)
def step2(request: Request, hub: HubDep, db: SessionDep, lang: Lang, q: str = "",
          beroep: Annotated[str, Query(max_length=255)] = "", opgeslagen: int | None = None,
          who: Principal = JOBSEEKER) -> HTMLResponse:
    if len(q) > MAX_SEARCH:
        return _step2(request, hub, db, who, lang, q[:MAX_SEARCH], "", 422, {"q": gettext(lang, TOO_LONG)},
                      search=False)
    return _step2(request, hub, db, who, lang, q, beroep, saved=opgeslagen)


@router.post("/profiel/stap/2", response_class=HTMLResponse)
async def step2_post(request: Request, hub: HubDep, db: SessionDep, lang: Lang,
                     who: Principal = JOBSEEKER) -> Response:
    form = await PostedForm.read(request, who, lang)
    beroep = form.raw("beroep")[:255]

    def again(status: int, errors: dict[str, str]) -> HTMLResponse:
        return _step2(request, hub, db, who, lang, "", beroep, status, errors)

    if not form.csrf_valid:
        return again(400, form.expired())
    return _save_ticked(hub, db, who, form, 2, "work", again)


# --------------------------------------------------------------------------- step 3: paste a CV
@router.get("/profiel/stap/3", response_class=HTMLResponse)
def step3(request: Request, hub: HubDep, db: SessionDep, lang: Lang, opgeslagen: int | None = None,
          who: Principal = JOBSEEKER) -> HTMLResponse:
    return _step(request, "jobseeker/step3.html", who, lang, 3, text="", found=None, saved=opgeslagen)


@router.post("/profiel/stap/3", response_class=HTMLResponse)
async def step3_post(request: Request, hub: HubDep, db: SessionDep, lang: Lang,
                     who: Principal = JOBSEEKER) -> Response:
    """Two posts: 'zoek' reads the text and shows what it found (nothing stored, the text neither);
    'bewaar' adds the skills the person ticked."""
    form = await PostedForm.read(request, who, lang)
    text = form.raw("cv")
    action = form.raw("action") or "zoek"

    def page(status: int, errors: dict[str, str], found: list[Any] | None = None) -> HTMLResponse:
        return _step(request, "jobseeker/step3.html", who, lang, 3, status=status, text=text[:MAX_CV_CHARS],
                     found=found, saved=None, errors=errors)

    if not form.csrf_valid:
        return page(400, form.expired())
    if action == "bewaar":
        # What a CV describes was mostly learned at work ("op het werk"); step 4 can change it.
        return _save_ticked(hub, db, who, form, 3, "work", page, field="form")
    if not text.strip():
        return page(422, {"cv": gettext(lang, "Plak of typ eerst een tekst over je werk.")})
    if len(text) > MAX_CV_CHARS:
        return page(422, {"cv": gettext(lang, "Deze tekst is te lang. Gebruik minder dan 10.000 tekens.")})
    have = {s.concept_id for s in profiles.skills_of(db, _profile(db, who).id)}
    found = [{"id": m.concept_id, "label": m.label, "evidence": m.evidence, "checked": m.score >= CV_TICK,
              "have": m.concept_id in have, "english": m.label_lang != lang}
             for m in hub.taxonomy.extract_skills(text, 20, lang) if m.score >= CV_SHOW]
    return page(200, {}, found)


# --------------------------------------------------------------------------- step 4: about you
SPACES = re.compile(r"\s+")


def _parse_int(raw: str, lo: int, hi: int) -> int | None:
    """'' → None; a whole number in [lo, hi] → it; anything else → ValueError."""
    raw = raw.strip().replace(",", ".")
    if not raw:
        return None
    value = float(raw)
    if not value.is_integer() or not lo <= value <= hi:
        raise ValueError(raw)
    return int(value)


def _parse_date(raw: str) -> date | None:
    raw = raw.strip()
    if not raw:
        return None
    m = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", raw)  # 1-3-2027, as people write it here
    return date(int(m[3]), int(m[2]), int(m[1])) if m else date.fromisoformat(raw)


def _step4_values(p: ProfilePublic) -> dict[str, Any]:
    return {"postcode": p.postcode or "", "max_km": "" if p.max_km is None else f"{p.max_km:g}",
            "hours_min": p.hours_min if p.hours_min is not None else "",
            "hours_max": p.hours_max if p.hours_max is not None else "",
            "sectors": list(p.sectors), "available_from": p.available_from.isoformat() if p.available_from else "",
            "talent_pool": p.in_talent_pool, "employer_visibility": p.visible_to_employers,
            "levels": {s.concept_id: s.level for s in p.skills}, "sources": {s.concept_id: s.source for s in p.skills},
            "version": p.version}


@router.get("/profiel/stap/4", response_class=HTMLResponse)
def step4(request: Request, hub: HubDep, db: SessionDep, lang: Lang, opgeslagen: int | None = None,
          who: Principal = JOBSEEKER) -> HTMLResponse:
    pub = _current(hub, db, _profile(db, who), lang)
    return _step(request, "jobseeker/step4.html", who, lang, 4, profile=pub, values=_step4_values(pub),
                 saved=opgeslagen)


@router.post("/profiel/stap/4", response_class=HTMLResponse)
async def step4_post(request: Request, hub: HubDep, db: SessionDep, lang: Lang,
                     who: Principal = JOBSEEKER) -> Response:
    form = await PostedForm.read(request, who, lang)
    p = _profile(db, who)
    pub = _current(hub, db, p, lang)
    known = {s.concept_id: s for s in pub.skills}
    errors: dict[str, str] = {}
    values: dict[str, Any] = {
        "postcode": SPACES.sub(" ", form.text("postcode")).upper(),
        "max_km": form.raw("max_km"), "hours_min": form.raw("hours_min"), "hours_max": form.raw("hours_max"),
        "sectors": [s for s in _form_list(form, "sectors") if s in SECTORS],
        "available_from": form.raw("available_from"),
        "talent_pool": bool(form.raw("talent_pool")), "employer_visibility": bool(form.raw("employer_visibility")),
        "levels": {}, "sources": {}, "version": form.raw("version")}
    skills: list[SkillItemIn] = []
    for cid, s in known.items():
        raw_level = form.raw(f"level:{cid}")
        level = int(raw_level) if raw_level in ("1", "2", "3", "4") else s.level
        source = form.raw(f"source:{cid}") or s.source
        source = source if source in SKILL_SOURCES else s.source
        values["levels"][cid], values["sources"][cid] = level, source
        skills.append(SkillItemIn(concept_id=cid, level=level, source=source, last_used=s.last_used))

    def again(status: int) -> HTMLResponse:
        return _step(request, "jobseeker/step4.html", who, lang, 4, status=status, profile=pub, values=values,
                     saved=None, errors=errors)

    if not form.csrf_valid:
        errors.update(form.expired())
        return again(400)
    numbers: dict[str, int | None] = {}
    for name, lo, hi, msg in (("max_km", 1, 500, "Vul een aantal kilometers in, tussen 1 en 500."),
                              ("hours_min", 0, 60, "Vul een aantal uren in, tussen 0 en 60."),
                              ("hours_max", 0, 60, "Vul een aantal uren in, tussen 0 en 60.")):
        try:
            numbers[name] = _parse_int(values[name], lo, hi)
        except ValueError:
            errors[name] = gettext(lang, msg)
    fewest, most = numbers.get("hours_min"), numbers.get("hours_max")
    if fewest is not None and most is not None and fewest > most:
        errors["hours_max"] = gettext(lang, "Het meeste aantal uren moet groter zijn dan het minste aantal.")
    try:
        available = _parse_date(values["available_from"])
    except ValueError:
        errors["available_from"] = gettext(lang, "Vul een datum in, bijvoorbeeld 1-3-2027.")
    if len(values["postcode"]) > 7:
        errors["postcode"] = gettext(lang, "Vul een postcode in zoals 2312 AB.")
    if values["employer_visibility"] and not values["talent_pool"]:  # never stored: say so, nothing saved
        errors["form"] = gettext(lang, "Werkgevers kunnen je profiel alleen zien als je meedoet met de talentpool. "
                                       "Zet ook dat vinkje aan, of haal het vinkje bij werkgevers weg.")
    if errors:
        return again(422)
    try:
        version = int(values["version"]) if values["version"] else None
        data = ProfileUpdate(postcode=values["postcode"] or None, place=None, max_km=numbers["max_km"],
                             hours_min=numbers["hours_min"], hours_max=numbers["hours_max"],
                             sectors=values["sectors"], available_from=available, skills=skills, version=version)
        p = profiles.update_profile(hub, db, who, p, data)
        profiles.set_consents(db, who, p, ConsentUpdate(talent_pool=values["talent_pool"],
                                                        employer_visibility=values["employer_visibility"]))
    except ValidationError:
        errors["form"] = gettext(lang, "Niet alles is goed ingevuld. Kijk de velden nog een keer na.")
        return again(422)
    except ServiceError as exc:
        db.rollback()
        field = ("postcode" if "postcode" in exc.message else "hours_max" if "hours" in exc.message else "form")
        errors[field] = _service_message(exc, lang)
        return again(exc.status)
    return RedirectResponse("/mijn", status_code=303)


def _refused(db: Session, exc: ServiceError, lang: str) -> dict[str, str]:
    """A service said no: undo the transaction and say why on the form."""
    db.rollback()
    return {"form": _service_message(exc, lang)}


def _service_message(exc: ServiceError, lang: str) -> str:
    """The services speak English to API clients; people on these pages get plain Dutch (or English)."""
    if isinstance(exc, Conflict):
        return gettext(lang, "Je profiel is net ergens anders veranderd. Laad de pagina opnieuw en probeer het nog "
                             "een keer.")
    if "postcode" in exc.message:
        return gettext(lang, "Deze postcode kennen we niet. Vul een postcode in zoals 2312 AB.")
    if "hours" in exc.message:
        return gettext(lang, "Het meeste aantal uren moet groter zijn dan het minste aantal.")
    if isinstance(exc, BadInput) and "skill" in exc.message:
        return gettext(lang, "Deze vaardigheid kennen we niet. Zoek hem nog een keer.")
    return gettext(lang, "Dat lukte niet. Probeer het nog een keer.")


# --------------------------------------------------------------------------- matches
@router.get("/mijn", response_class=HTMLResponse)
def my_matches(request: Request, hub: HubDep, db: SessionDep, lang: Lang,
               who: Principal = JOBSEEKER) -> Response:
    p = _profile(db, who)
    if not profiles.skills_of(db, p.id):
        return RedirectResponse("/profiel/stap/1", status_code=303)  # nothing to match on yet
    matches = profiles.vacancy_matches(hub, db, p, 20, 0, lang)
    moves = profiles.career_moves(hub, db, p, 3, (), lang)
    interested = {i.vacancy_id: i.created_at for i in interests.of_profile(db, who)}
    return render(request, "jobseeker/matches.html", who, lang, profile=_current(hub, db, p, lang),
                  matches=matches, moves=moves, interested=interested)


# --------------------------------------------------------------------------- profile overview and consents
def _overview(request: Request, hub: Hub, db: Session, who: Principal, lang: str, status: int = 200,
              saved: int | None = None, errors: dict[str, str] | None = None, phone: str | None = None) -> HTMLResponse:
    p = _profile(db, who)
    return render(request, "jobseeker/profile.html", who, lang, status=status, profile=_current(hub, db, p, lang),
                  alerts_enabled=p.alerts_enabled, notes=proposals.shared_notes(db, who), saved=saved,
                  errors=errors or {}, phone=(who.user.phone or "") if phone is None else phone)


@router.get("/profiel", response_class=HTMLResponse)
def overview(request: Request, hub: HubDep, db: SessionDep, lang: Lang, opgeslagen: int | None = None,
             who: Principal = JOBSEEKER) -> HTMLResponse:
    return _overview(request, hub, db, who, lang, saved=opgeslagen)


@router.post("/profiel/contact", response_class=HTMLResponse)
async def contact(request: Request, hub: HubDep, db: SessionDep, lang: Lang, who: Principal = JOBSEEKER) -> Response:
    """The phone number (optional): the employer sees it only after the person said yes to an introduction."""
    form = await PostedForm.read(request, who, lang)
    raw = form.raw("phone")[:100]
    if not form.csrf_valid:
        return _overview(request, hub, db, who, lang, 400, errors=form.expired(), phone=raw)
    try:
        profiles.set_phone(db, who, raw)
    except BadInput:
        db.rollback()
        return _overview(request, hub, db, who, lang, 422, phone=raw, errors={"phone": gettext(
            lang, "Vul een telefoonnummer in met 10 cijfers, bijvoorbeeld 06 12345678. Of laat het leeg.")})
    return RedirectResponse("/profiel?opgeslagen=1#contact", status_code=303)


@router.post("/profiel/meldingen", response_class=HTMLResponse)
async def alert_setting(request: Request, hub: HubDep, db: SessionDep, lang: Lang,
                        who: Principal = JOBSEEKER) -> Response:
    form = await PostedForm.read(request, who, lang)
    if not form.csrf_valid:
        return _overview(request, hub, db, who, lang, 400, errors=form.expired())
    alerts.set_alerts(db, who, _profile(db, who), bool(form.raw("alerts")))
    return RedirectResponse("/profiel?opgeslagen=1#meldingen", status_code=303)


@router.post("/profiel/talentpool", response_class=HTMLResponse)
async def talent_pool(request: Request, hub: HubDep, db: SessionDep, lang: Lang,
                      who: Principal = JOBSEEKER) -> Response:
    form = await PostedForm.read(request, who, lang)
    p = _profile(db, who)
    if not form.csrf_valid:
        return _overview(request, hub, db, who, lang, 400, errors=form.expired())
    join = form.raw("join") == "1"
    profiles.set_consents(db, who, p, ConsentUpdate(talent_pool=join,
                                                    employer_visibility=join and bool(form.raw("employer_visibility"))))
    return RedirectResponse("/profiel?opgeslagen=1", status_code=303)


# --------------------------------------------------------------------------- my data (AVG/GDPR)
@router.get("/profiel/gegevens", response_class=HTMLResponse)
def my_data(request: Request, lang: Lang, who: Principal = JOBSEEKER) -> HTMLResponse:
    return render(request, "jobseeker/data.html", who, lang, errors={})


@router.get("/profiel/gegevens/download")
def download(hub: HubDep, db: SessionDep, who: Principal = JOBSEEKER) -> JSONResponse:
    name = f"talent-op-maat-mijn-gegevens-{date.today().isoformat()}.json"
    return JSONResponse(gdpr.export(hub, db, who), headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.post("/profiel/gegevens", response_class=HTMLResponse)
async def erase(request: Request, db: SessionDep, lang: Lang,
                who: Principal = JOBSEEKER) -> Response:
    form = await PostedForm.read(request, who, lang)

    def again(status: int, errors: dict[str, str]) -> HTMLResponse:
        return render(request, "jobseeker/data.html", who, lang, status=status, errors=errors)

    if not form.csrf_valid:
        return again(400, form.expired())
    try:
        gdpr.erase(db, who, form.raw("password"))
    except NotAuthenticated:
        db.rollback()
        return again(422, {"password": gettext(lang, "Dit wachtwoord klopt niet. Je account is niet verwijderd.")})
    except ServiceError as exc:
        return again(exc.status, _refused(db, exc, lang))
    # erase() removed every session of this account: dropping the cookie is the logging out.
    resp = RedirectResponse("/?verwijderd=1", status_code=303)
    resp.delete_cookie(SESSION_COOKIE, path="/")
    return resp

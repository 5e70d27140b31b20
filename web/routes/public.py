"""Pages for everyone: home, login, registration, password reset, vacancies, language, skill suggestions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from api.deps import SESSION_COOKIE, HubDep, SessionDep, SuggestLimit, set_session_cookie
from api.models import Role, UserCreate
from api.services import interests, profiles, vacancies
from api.services.errors import ServiceError
from api.services.jobposting import to_jsonld
from web.deps import Lang, PageUser
from web.forms import PostedForm
from web.i18n import LANGUAGES, gettext
from web.render import render

router = APIRouter(include_in_schema=False)
# Calibrated confidence below which a suggestion is noise, not a "did you mean": on the dev sets,
# answers under 0.05 were right 2-3 % of the time, 0.05-0.1 about 4 % (and a list of eight of those
# still often holds the right one, as for "ik kan goed koken").
SUGGEST_MIN = 0.05
SUGGEST_SHARE = 0.25  # next to a clear answer, suggestions under a quarter of its confidence are noise


def plausible(hits: list[Any]) -> list[Any]:
    """The suggestions worth offering: at least SUGGEST_MIN and SUGGEST_SHARE of the best one
    ("serveerster" → medewerker bediening, without metselaar and stoffeerder under it)."""
    if not hits:
        return []
    floor = max(SUGGEST_MIN, SUGGEST_SHARE * max(h.score for h in hits))
    return [h for h in hits if h.score >= floor]
HOME = {"jobseeker": "/mijn", "employer": "/werkgever", "coach": "/coach", "admin": "/coach/dashboard"}


def safe_next(url: str | None, default: str) -> str:
    """Only same-site paths: '/x' but not '//evil.example' or 'https://…'."""
    return url if url and url.startswith("/") and not url.startswith("//") and "\\" not in url else default


def field_errors(exc: ValidationError, lang: str) -> dict[str, str]:
    """Pydantic errors as one plain-language message per form field."""
    msgs = {"email": "Vul een geldig e-mailadres in.", "password": "Kies een wachtwoord van minstens 10 tekens.",
            "organisation_name": "Vul de naam van je organisatie in.", "name": "Deze naam is te lang."}
    out: dict[str, str] = {}
    for err in exc.errors():
        name = str(err["loc"][0]) if err["loc"] else ""
        out.setdefault(name, gettext(lang, msgs.get(name, "Dit veld klopt niet.")))
    return out


@router.get("/", response_class=HTMLResponse)
def home(request: Request, who: PageUser, lang: Lang) -> HTMLResponse:
    return render(request, "home.html", who, lang)


@router.get("/privacy", response_class=HTMLResponse)
def privacy(request: Request, who: PageUser, lang: Lang) -> HTMLResponse:
    return render(request, "privacy.html", who, lang)


@router.get("/taal/{code}")
def switch_language(code: str, next: str | None = None) -> RedirectResponse:
    resp = RedirectResponse(safe_next(next, "/"), status_code=303)
    if code in LANGUAGES:
        resp.set_cookie("lang", code, max_age=365 * 86400, samesite="lax", httponly=True)
    return resp


@router.get("/inloggen", response_class=HTMLResponse)
def login_page(request: Request, who: PageUser, lang: Lang, next: str | None = None) -> HTMLResponse:
    return render(request, "login.html", who, lang, next=safe_next(next, ""), errors={}, form={})


@router.post("/inloggen", response_class=HTMLResponse)
async def login(request: Request, hub: HubDep, db: SessionDep, who: PageUser, lang: Lang) -> Response:
    form = await PostedForm.read(request, None, lang)
    nxt = safe_next(form.text("next"), "")
    if not form.csrf_valid:
        return render(request, "login.html", who, lang, status=400, next=nxt, form=form.fields(),
                      errors=form.expired())
    try:
        user = hub.accounts.authenticate(db, form.text("email"), form.raw("password"),
                                         request.client.host if request.client else None)
    except ServiceError as exc:
        msg = ("Je hebt te vaak een verkeerd wachtwoord gebruikt. Wacht een kwartier en probeer het dan opnieuw."
               if exc.status == 429 else "Het e-mailadres of het wachtwoord klopt niet.")
        return render(request, "login.html", who, lang, status=exc.status, next=nxt, form={"email": form.text("email")},
                      errors={"form": gettext(lang, msg)})
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        hub.accounts.end_session(db, old)
    token, _ = hub.accounts.start_session(db, user)
    db.commit()
    resp = RedirectResponse(nxt or HOME.get(user.role, "/"), status_code=303)
    set_session_cookie(resp, request, hub.settings, token)
    return resp


@router.post("/uitloggen")
async def logout(request: Request, hub: HubDep, db: SessionDep, who: PageUser) -> RedirectResponse:
    form = await PostedForm.read(request, who, "nl")
    token = request.cookies.get(SESSION_COOKIE)
    if token and who is not None and form.csrf_valid:
        hub.accounts.end_session(db, token)
        db.commit()
    resp = RedirectResponse("/", status_code=303)
    resp.delete_cookie(SESSION_COOKIE, path="/")
    return resp


@router.get("/registreren", response_class=HTMLResponse)
def register_page(request: Request, who: PageUser, lang: Lang, rol: str = "werkzoekende") -> HTMLResponse:
    return render(request, "register.html", who, lang, employer=rol == "werkgever", errors={}, form={})


@router.post("/registreren", response_class=HTMLResponse)
async def register(request: Request, hub: HubDep, db: SessionDep, who: PageUser, lang: Lang) -> Response:
    form = await PostedForm.read(request, None, lang)
    data = form.fields(secret=())
    employer = data.get("role") == "employer"
    errors = form.errors

    def again(status: int) -> HTMLResponse:
        return render(request, "register.html", who, lang, status=status, employer=employer, errors=errors,
                      form=form.fields())

    if not form.csrf_valid:
        errors.update(form.expired())
        return again(400)
    if data.get("password") != data.get("password2"):
        errors["password2"] = gettext(lang, "De twee wachtwoorden zijn niet gelijk.")
    if not data.get("accept_terms"):
        errors["accept_terms"] = gettext(lang, "Je moet akkoord gaan met de voorwaarden om verder te gaan.")
    if employer and not data.get("organisation_name", "").strip():
        errors["organisation_name"] = gettext(lang, "Vul de naam van je organisatie in.")
    try:
        body = UserCreate(email=data.get("email", ""), password=data.get("password", ""), name=data.get("name", ""),
                          role=Role.employer if employer else Role.jobseeker, language=lang,
                          organisation_name=data.get("organisation_name") or None, accept_terms=True)
    except ValidationError as exc:
        errors.update({k: v for k, v in field_errors(exc, lang).items() if k not in errors})
        return again(422)
    if errors:
        return again(422)
    try:
        user = hub.accounts.register(db, body)
        token, _ = hub.accounts.start_session(db, user)
        db.commit()
    except ServiceError as exc:
        errors.update(form.refused(db, exc, "email", {409: gettext(
            lang, "Er is al een account met dit e-mailadres. Log in of kies een ander adres.")}))
        return again(exc.status)
    resp = RedirectResponse("/werkgever" if employer else "/profiel/stap/1", status_code=303)
    set_session_cookie(resp, request, hub.settings, token)
    return resp


@router.get("/wachtwoord-vergeten", response_class=HTMLResponse)
def reset_page(request: Request, who: PageUser, lang: Lang) -> HTMLResponse:
    return render(request, "reset_request.html", who, lang, sent=False, errors={})


@router.post("/wachtwoord-vergeten", response_class=HTMLResponse)
async def reset_request(request: Request, hub: HubDep, db: SessionDep, who: PageUser, lang: Lang) -> HTMLResponse:
    form = await PostedForm.read(request, None, lang)
    if not form.csrf_valid:
        return render(request, "reset_request.html", who, lang, status=400, sent=False, errors=form.expired())
    hub.accounts.request_reset(db, form.text("email"))
    return render(request, "reset_request.html", who, lang, sent=True, errors={})


@router.get("/wachtwoord/nieuw", response_class=HTMLResponse)
def reset_confirm_page(request: Request, who: PageUser, lang: Lang, token: str = "") -> HTMLResponse:
    return render(request, "reset_confirm.html", who, lang, token=token, errors={})


@router.post("/wachtwoord/nieuw", response_class=HTMLResponse)
async def reset_confirm(request: Request, hub: HubDep, db: SessionDep, who: PageUser, lang: Lang) -> Response:
    form = await PostedForm.read(request, None, lang)
    token, pw = form.text("token"), form.raw("password")
    errors: dict[str, str] = {}
    if not form.csrf_valid:
        errors = form.expired()
    elif len(pw) < 10:
        errors["password"] = gettext(lang, "Kies een wachtwoord van minstens 10 tekens.")
    else:
        try:
            hub.accounts.confirm_reset(db, token, pw)
            db.commit()
            return RedirectResponse("/inloggen?reset=1", status_code=303)
        except ServiceError:
            errors["form"] = gettext(lang, "Deze link werkt niet meer. Vraag een nieuwe link aan.")
    return render(request, "reset_confirm.html", who, lang, status=422, token=token, errors=errors)


@router.get("/vacatures", response_class=HTMLResponse)
def vacancy_list(request: Request, hub: HubDep, db: SessionDep, who: PageUser, lang: Lang,
                 q: Annotated[str | None, Query(max_length=100)] = None,
                 sector: Annotated[str | None, Query(pattern="^(techniek|horeca|zorg)?$")] = None,
                 pagina: Annotated[int, Query(ge=1, le=1000)] = 1) -> HTMLResponse:
    per = 20
    rows, total = vacancies.listing(db, sector=sector or None, q=q or None, organisation_id=None,
                                    offset=(pagina - 1) * per, limit=per, include_closed=False)
    items = [vacancies.to_public(hub, db, v, lang) for v in rows]
    return render(request, "vacancies.html", who, lang, items=items, total=total, q=q or "", sector=sector or "",
                  page=pagina, pages=max(1, -(-total // per)))


@router.get("/vacatures/{vacancy_id}", response_class=HTMLResponse)
def vacancy_page(request: Request, hub: HubDep, db: SessionDep, who: PageUser, lang: Lang,
                 vacancy_id: int) -> HTMLResponse:
    try:
        v = vacancies.get_vacancy(db, vacancy_id, who)
    except ServiceError:
        return render(request, "error.html", who, lang, status=404, title_key="not_found")
    pub = vacancies.to_public(hub, db, v, lang)
    ld = to_jsonld(hub, v, pub.organisation, vacancies.requirements(db, v.id), hub.settings.public_url)
    interest, in_pool = None, False
    if who is not None and who.role == Role.jobseeker:
        interest = interests.mine(db, who, vacancy_id)
        in_pool = profiles.own_profile(db, who).in_talent_pool
    return render(request, "vacancy.html", who, lang, v=pub, row=v, jsonld=ld, interest=interest, in_pool=in_pool,
                  changed=request.query_params.get("interesse"))


@router.get("/fragment/vaardigheden", response_class=HTMLResponse, dependencies=[SuggestLimit])
def skill_options(request: Request, hub: HubDep, who: PageUser, lang: Lang,
                  q: Annotated[str, Query(max_length=200)] = "", name: str = "skill") -> HTMLResponse:
    """Suggestions while typing (htmx); pages without JavaScript render the same partial themselves."""
    hits: list[Any] = hub.taxonomy.suggest_skills(q, 8, lang) if q.strip() else []
    hits = plausible(hits)
    return render(request, "partials/skill_options.html", who, lang, q=q, hits=hits, name=name)

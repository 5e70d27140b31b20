"""The coach's pipeline board: who showed interest, every introduction per step, moving a card one step on,
"aangenomen" only after a confirmation, and taking a step back."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from api.deps import SessionDep
from api.models import INTRO_NEXT, Introduction, IntroductionMove, IntroStatus
from api.services import pipeline, vacancies
from api.services.accounts import Principal
from api.services.errors import NotFound, ServiceError
from web.deps import Lang
from web.forms import PostedForm
from web.i18n import gettext
from web.render import render
from web.routes.coach import COACH, COACH_MOVES, action_names, status_names

router = APIRouter(include_in_schema=False)
CONFIRMED = "ja"  # the confirmation step's hidden field: "aangenomen" is never one click away


def _notices(lang: str) -> dict[str, str]:
    return {"stap": gettext(lang, "Het voorstel is een stap verder gezet."),
            "terug": gettext(lang, "De stap is teruggezet. In de geschiedenis staan beide stappen."),
            "voorstel": gettext(lang, "Je voorstel is gemaakt. De kandidaat krijgt eerst de vraag of dat goed is.")}


@router.get("/coach/pijplijn", response_class=HTMLResponse)
def board(request: Request, db: SessionDep, lang: Lang, who: Principal = COACH) -> HTMLResponse:
    return _board(request, db, who, lang, notice=_notices(lang).get(request.query_params.get("gedaan") or ""))


def _board(request: Request, db: Session, who: Principal, lang: str, status: int = 200, error: str | None = None,
           notice: str | None = None) -> HTMLResponse:
    names, actions = status_names(lang), action_names(lang)
    rows_by_status = {st: pipeline.listing(db, who, st.value, 0, 100) for st in IntroStatus}
    where = vacancies.where_of(db, {i.vacancy_id for rows, _ in rows_by_status.values() for i in rows
                                    if i.vacancy_id is not None})
    columns = []
    for st, (rows, total) in rows_by_status.items():
        cards = []
        for intro in rows:
            pub = pipeline.to_public(db, who, intro)
            prof = vacancies.profile_by_ref(db, pub.candidate_ref) if pub.candidate_ref else None
            moves = [(s.value, actions[s.value]) for s in IntroStatus if s in INTRO_NEXT[st] and s in COACH_MOVES]
            org, place = where.get(intro.vacancy_id or 0, (None, None))
            cards.append({"i": pub, "profile_id": prof.id if prof else None, "moves": moves, "organisation": org,
                          "place": place, "undo": pipeline.undoable(db, who, intro)})
        columns.append({"status": st.value, "label": names[st.value], "total": total, "cards": cards})
    # Interest without an introduction yet (once proposed, the card is in its own column).
    shown = [x for x in pipeline.interest_shown(db, who) if x[4] is None]
    orgs = vacancies.where_of(db, {v.id for *_, v, _i in shown if v.id is not None})
    interest = [{"name": u.name, "profile_id": p.id, "ref": p.ref, "in_pool": p.in_talent_pool, "vacancy_id": v.id,
                 "vacancy": v.title, "since": i.created_at, "organisation": orgs.get(v.id or 0, ("", None))[0],
                 "place": v.place} for i, p, u, v, _intro in shown]
    return render(request, "coach/board.html", who, lang, status=status, columns=columns, interest=interest,
                  error=error, notice=notice)


@router.post("/coach/pijplijn/{introduction_id:int}", response_class=HTMLResponse)
async def move(request: Request, db: SessionDep, lang: Lang, introduction_id: int,
               who: Principal = COACH) -> Response:
    form = await PostedForm.read(request, who, lang)
    if not form.csrf_valid:
        return _board(request, db, who, lang, 400, form.expired()["form"])
    version = form.number("version")
    try:
        new = IntroStatus(form.text("status", 20))
    except ValueError:
        return _board(request, db, who, lang, 400, gettext(lang, "Kies een van de knoppen bij het voorstel."))
    seen: int | None = None
    try:
        intro = pipeline.get(db, who, introduction_id)
        seen = intro.version
        if new == IntroStatus.hired and form.text("bevestigd", 5) != CONFIRMED:
            return _confirm(request, db, who, lang, intro, version)
        pipeline.move(db, who, intro, IntroductionMove(status=new, version=version))
    except ServiceError as exc:
        return _board(request, db, who, lang, exc.status, _refused(form, db, exc, lang, version, seen))
    return RedirectResponse(f"/coach/pijplijn?gedaan=stap#voorstel-{introduction_id}", status_code=303)


def _refused(form: PostedForm, db: Session, exc: ServiceError, lang: str, version: int | None,
             seen: int | None) -> str:
    stale = version is not None and version != seen
    return form.refused(db, exc, "form", {
        404: gettext(lang, "Dit voorstel bestaat niet meer."),
        409: gettext(lang, "Iemand anders heeft dit voorstel net veranderd. Bekijk hieronder hoe het nu staat.")
        if stale else gettext(lang, "Deze stap kan nu niet bij dit voorstel."),
        403: gettext(lang, "Deze stap zet de kandidaat zelf, niet de coach.")})["form"]


@router.get("/coach/pijplijn/{introduction_id:int}/aangenomen", response_class=HTMLResponse)
def confirm_page(request: Request, db: SessionDep, lang: Lang, introduction_id: int,
                 who: Principal = COACH) -> Response:
    """The confirmation step before "aangenomen" (a page of its own: works without JavaScript)."""
    try:
        intro = pipeline.get(db, who, introduction_id)
    except NotFound:
        return render(request, "error.html", who, lang, status=404, title_key="not_found")
    return _confirm(request, db, who, lang, intro, intro.version)


def _confirm(request: Request, db: Session, who: Principal, lang: str, intro: Introduction,
             version: int | None) -> HTMLResponse:
    pub = pipeline.to_public(db, who, intro)
    org, place = vacancies.where_of(db, {intro.vacancy_id} if intro.vacancy_id else set()).get(
        intro.vacancy_id or 0, (None, None))
    possible = IntroStatus.hired in INTRO_NEXT[IntroStatus(intro.status)]
    return render(request, "coach/confirm_hired.html", who, lang, i=pub, organisation=org, place=place,
                  version=version if version is not None else intro.version, possible=possible,
                  status_label=status_names(lang).get(intro.status, intro.status))


@router.post("/coach/pijplijn/{introduction_id:int}/terug", response_class=HTMLResponse)
async def step_back(request: Request, db: SessionDep, lang: Lang, introduction_id: int,
                    who: Principal = COACH) -> Response:
    """Take back the last step (e.g. "aangenomen" by mistake); the history keeps the step and the undo."""
    form = await PostedForm.read(request, who, lang)
    if not form.csrf_valid:
        return _board(request, db, who, lang, 400, form.expired()["form"])
    version = form.number("version")
    seen: int | None = None
    try:
        intro = pipeline.get(db, who, introduction_id)
        seen = intro.version
        pipeline.step_back(db, who, intro, version)
    except ServiceError as exc:
        return _board(request, db, who, lang, exc.status, _refused(form, db, exc, lang, version, seen))
    return RedirectResponse(f"/coach/pijplijn?gedaan=terug#voorstel-{introduction_id}", status_code=303)


# A page re-rendered after a refused POST keeps the POST's address (e.g. for the language switch).
@router.get("/coach/pijplijn/{introduction_id:int}")
@router.get("/coach/pijplijn/{introduction_id:int}/terug")
def board_form_get(introduction_id: int) -> RedirectResponse:
    return RedirectResponse(f"/coach/pijplijn#voorstel-{introduction_id}", status_code=303)

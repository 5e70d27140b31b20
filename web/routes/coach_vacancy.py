"""The coach's page of one vacancy: its ranked candidates, the shared shortlist, who showed interest, and
proposing someone (with an optional message to the candidate)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from api.deps import HubDep, SessionDep
from api.models import IntroductionCreate
from api.services import pipeline, shortlists, vacancies
from api.services.accounts import Principal
from api.services.errors import NotFound, ServiceError
from api.services.hub import Hub
from web.deps import Lang
from web.forms import PostedForm
from web.i18n import gettext
from web.render import render
from web.routes.coach import COACH, sector_names, status_names

router = APIRouter(include_in_schema=False)
MESSAGE_MAX = 2000  # IntroductionCreate.message


def _notices(lang: str) -> dict[str, str]:
    return {"voorstel": gettext(lang, "Je voorstel is gemaakt. De kandidaat krijgt eerst de vraag of dat goed is."),
            "lijst": gettext(lang, "De kandidaat staat op de shortlist."),
            "weg": gettext(lang, "De kandidaat staat niet meer op de shortlist.")}


@router.get("/coach/vacature/{vacancy_id:int}", response_class=HTMLResponse)
def vacancy_page(request: Request, hub: HubDep, db: SessionDep, lang: Lang, vacancy_id: int,
                 who: Principal = COACH) -> HTMLResponse:
    notice = _notices(lang).get(request.query_params.get("gedaan") or "")
    return _vacancy(request, hub, db, who, lang, vacancy_id, notice=notice)


def _vacancy(request: Request, hub: Hub, db: Session, who: Principal, lang: str, vacancy_id: int,
             status: int = 200, error: str | None = None, failed_ref: str | None = None,
             notice: str | None = None, form: dict[str, str] | None = None) -> HTMLResponse:
    try:
        v = vacancies.get_vacancy(db, vacancy_id, who)
    except NotFound:
        return render(request, "error.html", who, lang, status=404, title_key="not_found")
    short = [shortlists.to_public(db, e) for e in shortlists.entries(db, who, vacancy_id)]
    under_way = pipeline.open_introductions(db, who, vacancy_id)
    by_ref = {ref: i.status for ref, i in under_way.items()}
    interested = [{"name": u.name, "profile_id": p.id, "ref": p.ref, "in_pool": p.in_talent_pool,
                   "since": i.created_at, "status": intro.status if intro else None}
                  for i, p, u, _v, intro in pipeline.interest_shown(db, who, vacancy_id)]
    return render(request, "coach/vacancy.html", who, lang, status=status, v=vacancies.to_public(hub, db, v, lang),
                  candidates=vacancies.candidates_for(hub, db, who, v, 20, 0, lang).items, shortlist=short,
                  on_list={e.candidate_ref for e in short}, under_way=by_ref, interested=interested,
                  statuses=status_names(lang), error=error, failed_ref=failed_ref, notice=notice, form=form or {},
                  sectors=sector_names(lang), today=date.today())


@router.post("/coach/vacature/{vacancy_id:int}/voorstel", response_class=HTMLResponse)
async def propose_for_vacancy(request: Request, hub: HubDep, db: SessionDep, lang: Lang, vacancy_id: int,
                              who: Principal = COACH) -> Response:
    form = await PostedForm.read(request, who, lang)
    ref, message = form.text("candidate_ref", 40), form.raw("message").strip()
    kept = {"message": message, "ref": ref}
    if not form.csrf_valid:
        return _vacancy(request, hub, db, who, lang, vacancy_id, 400, form.expired()["form"], ref, form=kept)
    if len(message) > MESSAGE_MAX:
        return _vacancy(request, hub, db, who, lang, vacancy_id, 422,
                        gettext(lang, "Het bericht is te lang. Gebruik hoogstens 2000 tekens."), ref, form=kept)
    try:
        pipeline.propose(db, who, IntroductionCreate(vacancy_id=vacancy_id, candidate_ref=ref, message=message))
    except ValidationError:
        return _vacancy(request, hub, db, who, lang, vacancy_id, 422,
                        gettext(lang, "Deze vacature of kandidaat bestaat niet (meer)."), ref, form=kept)
    except ServiceError as exc:
        msg = form.refused(db, exc, "form", {
            409: gettext(lang, "Deze kandidaat is al voorgesteld bij deze vacature. Kijk bij Voorstellen."),
            404: gettext(lang, "Deze vacature of kandidaat bestaat niet (meer).")})["form"]
        return _vacancy(request, hub, db, who, lang, vacancy_id, exc.status, msg, ref, form=kept)
    if form.text("terug") == "bord":
        return RedirectResponse("/coach/pijplijn?gedaan=voorstel#kolom-interesse", status_code=303)
    return RedirectResponse(f"/coach/vacature/{vacancy_id}?gedaan=voorstel#shortlist", status_code=303)


@router.post("/coach/vacature/{vacancy_id:int}/shortlist", response_class=HTMLResponse)
async def change_shortlist(request: Request, hub: HubDep, db: SessionDep, lang: Lang, vacancy_id: int,
                           who: Principal = COACH) -> Response:
    """Add someone to the vacancy's shortlist or take them off it (``action`` add / remove)."""
    form = await PostedForm.read(request, who, lang)
    ref, action = form.text("candidate_ref", 40), form.text("action", 10)
    if not form.csrf_valid:
        return _vacancy(request, hub, db, who, lang, vacancy_id, 400, form.expired()["form"], ref)
    if action not in ("add", "remove"):
        return _vacancy(request, hub, db, who, lang, vacancy_id, 422,
                        gettext(lang, "Kies een van de knoppen bij de kandidaat."), ref)
    try:
        if action == "add":
            shortlists.add(db, who, vacancy_id, ref)
        else:
            shortlists.remove(db, who, vacancy_id, ref)
    except ServiceError as exc:
        gone = gettext(lang, "Deze kandidaat staat niet (meer) op de shortlist.") if action == "remove" else \
            gettext(lang, "Deze vacature of kandidaat bestaat niet (meer).")
        msg = form.refused(db, exc, "form", {
            409: gettext(lang, "Deze kandidaat staat al op de shortlist."), 404: gone})["form"]
        return _vacancy(request, hub, db, who, lang, vacancy_id, exc.status, msg, ref)
    done = "lijst" if action == "add" else "weg"
    return RedirectResponse(f"/coach/vacature/{vacancy_id}?gedaan={done}#shortlist", status_code=303)


# A page re-rendered after a refused POST keeps the POST's address (e.g. for the language switch).
@router.get("/coach/vacature/{vacancy_id:int}/voorstel")
@router.get("/coach/vacature/{vacancy_id:int}/shortlist")
def vacancy_form_get(vacancy_id: int) -> RedirectResponse:
    return RedirectResponse(f"/coach/vacature/{vacancy_id}", status_code=303)

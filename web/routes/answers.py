"""The job seeker's side of the loop: "Ik heb interesse" on a vacancy, the proposals at /mijn/voorstellen with
their answers, and the vacancy alert's unsubscribe link (which works without logging in).

Every form posts back (Post/Redirect/Get) with its CSRF token; a refused answer shows why, in the page's
language, with the status the API would give (403, 404, 409) and nothing changed.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import HubDep, Id, SessionDep
from api.models import Role
from api.services import alerts, interests, proposals
from api.services.accounts import Principal
from api.services.errors import Conflict, NotFound, ServiceError
from web.deps import Lang, PageUser, require_page
from web.forms import PostedForm
from web.i18n import gettext
from web.render import render

router = APIRouter(include_in_schema=False)
JOBSEEKER = require_page(Role.jobseeker)


# --------------------------------------------------------------------------- interest in a vacancy
@router.post("/vacatures/{vacancy_id}/interesse", response_class=HTMLResponse)
async def interest(request: Request, db: SessionDep, lang: Lang, vacancy_id: Id,
                   who: Principal = JOBSEEKER) -> Response:
    form = await PostedForm.read(request, who, lang)
    back = f"/vacatures/{vacancy_id}"
    if not form.csrf_valid:
        return _problem(request, who, lang, 400, form.expired()["form"], back)
    try:
        if form.raw("action") == "terug":
            interests.take_back(db, who, vacancy_id)
            return RedirectResponse(f"{back}?interesse=0#interesse", status_code=303)
        interests.show(db, who, vacancy_id)
    except NotFound as exc:
        db.rollback()
        msg = (gettext(lang, "Je had geen interesse getoond in deze vacature. Er is niets veranderd.")
               if isinstance(exc, interests.NoInterest) else
               gettext(lang, "Deze vacature bestaat niet meer, of je kunt er niet meer op reageren."))
        return _problem(request, who, lang, 404, msg, back)
    except Conflict:
        db.rollback()
        return _problem(request, who, lang, 409, gettext(lang, "Doe eerst mee met de talentpool. Dan kan een coach je "
                                                               "voorstellen bij de werkgever."), "/profiel#talentpool")
    return RedirectResponse(f"{back}?interesse=1#interesse", status_code=303)


def _problem(request: Request, who: Principal | None, lang: str, status: int, message: str, back: str,
             **extra: Any) -> HTMLResponse:
    """A page that says plainly (``message``, already translated) what went wrong and where to go next."""
    return render(request, "jobseeker/problem.html", who, lang, status=status, message=message, back=back, **extra)


# --------------------------------------------------------------------------- /mijn/voorstellen
@router.get("/mijn/voorstellen", response_class=HTMLResponse)
def my_proposals(request: Request, hub: HubDep, db: SessionDep, lang: Lang, antwoord: str | None = None,
                 who: Principal = JOBSEEKER) -> HTMLResponse:
    return _proposals_page(request, hub, db, who, lang, 200, {}, antwoord)


def _proposals_page(request: Request, hub: Any, db: Any, who: Principal, lang: str, status: int,
                    errors: dict[int, str], answered: str | None = None) -> HTMLResponse:
    items = proposals.for_me(hub, db, who, lang)
    return render(request, "jobseeker/proposals.html", who, lang, status=status, items=items, errors=errors,
                  answered=answered if answered in ("ja", "nee") else None)


@router.post("/mijn/voorstellen/{introduction_id}", response_class=HTMLResponse)
async def answer(request: Request, hub: HubDep, db: SessionDep, lang: Lang, introduction_id: Id,
                 who: Principal = JOBSEEKER) -> Response:
    form = await PostedForm.read(request, who, lang)
    if not form.csrf_valid:
        return _proposals_page(request, hub, db, who, lang, 400, {introduction_id: form.expired()["form"]})
    choice = form.raw("answer")
    raw_version = form.raw("version")
    if choice not in ("ja", "nee") or not raw_version.isdigit():
        return _proposals_page(request, hub, db, who, lang, 422, {introduction_id: gettext(
            lang, "Kies \"Ja, stel me voor\" of \"Nee, bedankt\".")})
    try:
        proposals.answer(db, who, introduction_id, choice == "ja", int(raw_version),
                         form.raw("reason")[:2000])
    except ServiceError as exc:
        db.rollback()
        if isinstance(exc, NotFound):
            return _problem(request, who, lang, 404, gettext(lang, "Dit voorstel bestaat niet, of het is niet voor "
                                                                   "jou."), "/mijn/voorstellen")
        if isinstance(exc, proposals.WithdrawnProposal):
            msg = gettext(lang, "De coach heeft dit voorstel ingetrokken. Je hoeft niets te doen.")
        elif isinstance(exc, proposals.AlreadyAnswered):
            msg = gettext(lang, "Je hebt dit voorstel al beantwoord. Hieronder zie je wat je koos.")
        elif isinstance(exc, Conflict):
            msg = gettext(lang, "Dit voorstel is net veranderd. Lees het nog een keer en kies opnieuw.")
        else:
            msg = gettext(lang, "Dat lukte niet. Probeer het nog een keer.")
        return _proposals_page(request, hub, db, who, lang, exc.status, {introduction_id: msg})
    return RedirectResponse(f"/mijn/voorstellen?antwoord={choice}#voorstel-{introduction_id}", status_code=303)


# --------------------------------------------------------------------------- unsubscribe from the vacancy alert
@router.get("/afmelden/{token}", response_class=HTMLResponse)
def unsubscribe_page(request: Request, db: SessionDep, who: PageUser, lang: Lang, token: str) -> HTMLResponse:
    """Shows a button only: mail scanners follow links, so a GET must not change anything."""
    p = alerts.by_token(db, token)
    return render(request, "unsubscribe.html", who, lang, status=200 if p else 404, token=token, known=p is not None,
                  active=bool(p and p.alerts_enabled), done=False, errors={})


@router.post("/afmelden/{token}", response_class=HTMLResponse)
async def unsubscribe(request: Request, db: SessionDep, who: PageUser, lang: Lang, token: str) -> HTMLResponse:
    form = await PostedForm.read(request, who, lang)  # signed in: the session's token; else the cookie's
    if not form.csrf_valid:
        return render(request, "unsubscribe.html", who, lang, status=400, token=token, known=True, active=True,
                      done=False, errors=form.expired())
    done = alerts.unsubscribe(db, token)
    return render(request, "unsubscribe.html", who, lang, status=200 if done else 404, token=token, known=done,
                  active=False, done=done, errors={})

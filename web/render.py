"""Rendering pages: one Jinja2 environment per language, autoescaping on, shared layout and partials."""

from __future__ import annotations

import json
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from sqlmodel import Session

from api.deps import cookie_secure, get_hub
from api.models import Role
from api.services import display, proposals
from api.services.accounts import Principal
from web.deps import CSRF_COOKIE, csrf_token
from web.i18n import translations

TEMPLATES = Path(__file__).resolve().parent / "templates"
MONTHS = {"nl": ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
                 "oktober", "november", "december"],
          "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                 "October", "November", "December"]}


def _jsonld(value: Any) -> Markup:
    """JSON for a <script type="application/ld+json"> block: '<' escaped so text cannot close the tag."""
    text = json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
    return Markup(text.replace("&", "\\u0026"))


@lru_cache
def environment(lang: str) -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                      extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]

    def long_date(d: date | datetime | None) -> str:
        if d is None:
            return ""
        return f"{d.day} {MONTHS[lang][d.month - 1]} {d.year}"

    def day_month(d: date | datetime) -> str:
        """'4 december' / '4 December': a recent day, as people say it."""
        return f"{d.day} {MONTHS[lang][d.month - 1]}" if d.year == date.today().year else long_date(d)

    env.filters["long_date"] = long_date
    env.filters["day_month"] = day_month
    # One locale-aware formatter for numbers everywhere: '3,4 km' / '3.4 km', '€ 2.600 – € 3.100 per maand'.
    env.filters["km"] = lambda x: display.km(x, lang)
    env.filters["salary"] = lambda v: display.salary(v, lang)
    env.filters["sector_name"] = lambda s: display.sector_name(s, lang)
    env.filters["jsonld"] = _jsonld
    env.globals["lang"] = lang
    return env


def render(request: Request, template: str, who: Principal | None, lang: str, status: int = 200,
           **ctx: Any) -> HTMLResponse:
    token = csrf_token(request, who)
    if who is not None and who.role == Role.jobseeker and "open_proposals" not in ctx:
        with Session(get_hub(request).engine) as db:  # the number next to "Voorstellen" in the menu
            ctx["open_proposals"] = proposals.open_count(db, who)
    html = environment(lang).get_template(template).render(request=request, user=who.user if who else None,
                                                       role=who.role.value if who else None, csrf=token,
                                                       path=request.url.path, **ctx)
    resp = HTMLResponse(html, status_code=status)
    if getattr(request.state, "new_csrf", None):
        resp.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="lax", path="/",
                        secure=cookie_secure(request, get_hub(request).settings))
    return resp

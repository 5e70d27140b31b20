"""E-mails about the introductions loop, in the recipient's language (B1 Dutch or English).

Who hears what:
* the job seeker, when a coach (or employer) proposes them for a vacancy;
* the coach who asked for the introduction (else every coach), when a candidate shows interest, agrees,
  says no or withdraws;
* the employer's users, when the coach introduces an agreed candidate: with name, e-mail and phone.

Services call these after they committed, with the request's session: the hub (and so the mailer) rides on
``Session.info["hub"]`` (set by ``api.deps.get_session``). A session without it (the demo loader, a script)
sends nothing. A mail that cannot be sent is logged and never undoes or fails the change itself.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from api import models as t
from api.models import IntroStatus, Role
from api.services import display

if TYPE_CHECKING:
    from api.services.accounts import Principal
    from api.services.hub import Hub

log = logging.getLogger(__name__)
SIGN = {"nl": "\n\nGroeten,\nTalent op Maat\n", "en": "\n\nKind regards,\nTalent op Maat\n"}

# (subject, body) per event and language; {placeholders} are filled by str.format.
TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "proposed": {
        "nl": ("Er is een vacature voor je: {title}",
               "Hallo {name},\n\n{proposer} denkt dat deze vacature goed bij je past:\n\n{vacancy}\n\n{message}"
               "Wil je dat we je voorstellen aan de werkgever? Kijk op {url}/mijn/voorstellen en kies "
               "\"Ja, stel me voor\" of \"Nee, bedankt\".\n\nPas als jij ja zegt, ziet de werkgever je naam, "
               "e-mailadres en telefoonnummer."),
        "en": ("A vacancy for you: {title}",
               "Hello {name},\n\n{proposer} thinks this vacancy fits you well:\n\n{vacancy}\n\n{message}"
               "Would you like us to introduce you to the employer? Go to {url}/mijn/voorstellen and choose "
               "\"Yes, introduce me\" or \"No, thank you\".\n\nOnly when you say yes does the employer see your "
               "name, e-mail address and phone number."),
    },
    "interest": {
        "nl": ("{candidate} heeft interesse in {title}",
               "Hallo {name},\n\n{candidate} heeft interesse getoond in deze vacature:\n\n{vacancy}\n\n"
               "Je kunt {candidate} voorstellen bij de werkgever. Kijk op {url}/coach/pijplijn."),
        "en": ("{candidate} is interested in {title}",
               "Hello {name},\n\n{candidate} showed interest in this vacancy:\n\n{vacancy}\n\n"
               "You can propose {candidate} to the employer. See {url}/coach/pijplijn."),
    },
    IntroStatus.candidate_agreed.value: {
        "nl": ("{candidate} wil voorgesteld worden: {title}",
               "Hallo {name},\n\n{candidate} zegt ja op je voorstel voor deze vacature:\n\n{vacancy}\n\n"
               "Je kunt {candidate} nu voorstellen aan de werkgever. Kijk op {url}/coach/pijplijn."),
        "en": ("{candidate} agreed to be introduced: {title}",
               "Hello {name},\n\n{candidate} said yes to your proposal for this vacancy:\n\n{vacancy}\n\n"
               "You can now introduce {candidate} to the employer. See {url}/coach/pijplijn."),
    },
    IntroStatus.declined.value: {
        "nl": ("{candidate} zegt nee: {title}",
               "Hallo {name},\n\n{candidate} wil niet voorgesteld worden voor deze vacature:\n\n{vacancy}\n\n"
               "{reason}Kijk op {url}/coach/pijplijn."),
        "en": ("{candidate} said no: {title}",
               "Hello {name},\n\n{candidate} does not want to be introduced for this vacancy:\n\n{vacancy}\n\n"
               "{reason}See {url}/coach/pijplijn."),
    },
    IntroStatus.withdrawn.value: {
        "nl": ("{candidate} trekt zich terug: {title}",
               "Hallo {name},\n\n{candidate} trekt zich terug voor deze vacature:\n\n{vacancy}\n\n"
               "{reason}Kijk op {url}/coach/pijplijn."),
        "en": ("{candidate} withdrew: {title}",
               "Hello {name},\n\n{candidate} withdrew from this vacancy:\n\n{vacancy}\n\n"
               "{reason}See {url}/coach/pijplijn."),
    },
    IntroStatus.introduced.value: {
        "nl": ("Kennismaking met {candidate} voor {title}",
               "Hallo {name},\n\nOnze coach stelt je voor aan een kandidaat voor je vacature:\n\n{vacancy}\n\n"
               "Naam: {candidate}\nE-mail: {email}\nTelefoon: {phone}\n\n{candidate} weet dat je contact opneemt. "
               "Laat op {url}/werkgever weten hoe het gaat: gesprek gepland, aangenomen of niet gekozen."),
        "en": ("Meet {candidate} for {title}",
               "Hello {name},\n\nOur coach introduces a candidate for your vacancy:\n\n{vacancy}\n\n"
               "Name: {candidate}\nE-mail: {email}\nPhone: {phone}\n\n{candidate} knows you will get in touch. "
               "Let us know at {url}/werkgever how it goes: interview planned, hired or not chosen."),
    },
}
REASON = {"nl": "Reden: {reason}\n\n", "en": "Reason: {reason}\n\n"}
NO_PHONE = {"nl": "niet opgegeven", "en": "not given"}


def hub_of(db: Session) -> Hub | None:
    hub: Hub | None = db.info.get("hub")
    return hub


def lang_of(user: t.User) -> str:
    return user.language if user.language in ("nl", "en") else "nl"


def send(hub: Hub, user: t.User, event: str, **values: Any) -> bool:
    """One mail to ``user`` in their language; False (and a log line) when it could not be sent."""
    lang = lang_of(user)
    subject, body = TEXTS[event][lang]
    values = {"name": user.name or user.email, "url": hub.settings.public_url.rstrip("/"), **values}
    try:
        hub.mailer.send(user.email, subject.format(**values), body.format(**values) + SIGN[lang], lang)
    except Exception as exc:  # a mail server down must not undo or fail what the person just did
        log.warning("could not send %s mail to user %s: %s", event, user.id, exc)
        return False
    return True


def vacancy_lines(db: Session, v: t.Vacancy | None, lang: str, base_url: str) -> str:
    """'Kok bij Brasserie X, Leiden\\n€ 2.600 – € 3.100 per maand\\nhttps://…/vacatures/3' for a mail."""
    if v is None:
        return "-"
    org = db.get(t.Organisation, v.organisation_id)
    words = {"nl": " bij ", "en": " at "}[lang]
    head = v.title + (words + org.name if org else "") + (f", {v.place}" if v.place else "")
    pay = display.salary(v, lang)
    return "\n".join(x for x in (head, pay, f"{base_url.rstrip('/')}/vacatures/{v.id}") if x)


def coaches_for(db: Session, intro: t.Introduction | None) -> list[t.User]:
    """The coach who asked for the introduction when there is one still active, else every active coach."""
    if intro is not None and intro.requested_by is not None:
        u = db.get(t.User, intro.requested_by)
        if u is not None and u.is_active and u.role == Role.coach.value:
            return [u]
    return list(db.exec(select(t.User).where(t.User.role == Role.coach.value, col(t.User.is_active).is_(True))
                        .order_by(col(t.User.id))).all())


def _person(db: Session, profile_id: int | None) -> t.User | None:
    p = db.get(t.Profile, profile_id) if profile_id else None
    return db.get(t.User, p.user_id) if p else None


def after_propose(db: Session, intro: t.Introduction) -> None:
    hub = hub_of(db)
    person = _person(db, intro.profile_id)
    if hub is None or person is None or not person.is_active:
        return
    lang = lang_of(person)
    v = db.get(t.Vacancy, intro.vacancy_id) if intro.vacancy_id else None
    asker = db.get(t.User, intro.requested_by) if intro.requested_by else None
    if asker is not None and asker.role == Role.coach.value:
        proposer = {"nl": f"{asker.name or 'Je coach'} (coach bij Talent op Maat)",
                    "en": f"{asker.name or 'Your coach'} (coach at Talent op Maat)"}[lang]
    else:
        proposer = {"nl": "De werkgever", "en": "The employer"}[lang]
    message = f"\u201c{intro.message.strip()}\u201d\n\n" if intro.message.strip() else ""
    send(hub, person, "proposed", title=v.title if v else "-", proposer=proposer, message=message,
         vacancy=vacancy_lines(db, v, lang, hub.settings.public_url))


def after_move(db: Session, who: Principal, intro: t.Introduction, reason: str | None = None) -> None:
    """Mail whoever the step concerns: coaches when the candidate answers, the employer when introduced."""
    hub = hub_of(db)
    if hub is None:
        return
    status = intro.status
    v = db.get(t.Vacancy, intro.vacancy_id) if intro.vacancy_id else None
    person = _person(db, intro.profile_id)
    if who.role == Role.jobseeker and status in (IntroStatus.candidate_agreed, IntroStatus.declined,
                                                 IntroStatus.withdrawn):
        for coach in coaches_for(db, intro):
            lang = lang_of(coach)
            send(hub, coach, status, title=v.title if v else "-", candidate=person.name if person else "-",
                 vacancy=vacancy_lines(db, v, lang, hub.settings.public_url),
                 reason=REASON[lang].format(reason=reason.strip()) if reason and reason.strip() else "")
    elif status == IntroStatus.introduced and v is not None and person is not None:
        staff = db.exec(select(t.User).where(t.User.organisation_id == v.organisation_id,
                                             t.User.role == Role.employer.value,
                                             col(t.User.is_active).is_(True)).order_by(col(t.User.id))).all()
        for u in staff:
            lang = lang_of(u)
            send(hub, u, status, title=v.title, candidate=person.name or person.email, email=person.email,
                 phone=person.phone or NO_PHONE[lang], vacancy=vacancy_lines(db, v, lang, hub.settings.public_url))


def after_interest(db: Session, interest: t.Interest) -> None:
    hub = hub_of(db)
    person = _person(db, interest.profile_id)
    if hub is None or person is None:
        return
    v = db.get(t.Vacancy, interest.vacancy_id)
    open_intro = db.exec(select(t.Introduction).where(
        t.Introduction.profile_id == interest.profile_id, t.Introduction.vacancy_id == interest.vacancy_id,
        col(t.Introduction.status).not_in([IntroStatus.declined.value, IntroStatus.withdrawn.value]))).first()
    for coach in coaches_for(db, open_intro):
        send(hub, coach, "interest", title=v.title if v else "-", candidate=person.name or person.email,
             vacancy=vacancy_lines(db, v, lang_of(coach), hub.settings.public_url))

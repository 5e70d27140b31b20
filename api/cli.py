"""The ``tom`` command line.

Every command keeps its state under ``$TOM_HOME`` and, when it cannot do its job, exits
non-zero with one line on stderr.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from api.embeddings import EmbeddingModelError
from api.services.taxonomy import TaxonomyService
from api.settings import get_settings
from taxonomy.errors import TaxonomyError
from taxonomy.normaliser import Match

if TYPE_CHECKING:
    from api.services.hub import Hub
    from matching.scoring import MatchResult

app = typer.Typer(help="Talent op Maat: skills-based job matching.", no_args_is_help=True,
                  pretty_exceptions_enable=False, add_completion=False)
taxonomy_app = typer.Typer(help="Skills taxonomy: import ESCO, suggest and extract skills.", no_args_is_help=True)
occupations_app = typer.Typer(help="Occupations: map job titles to occupations.", no_args_is_help=True)
app.add_typer(taxonomy_app, name="taxonomy")
match_app = typer.Typer(help="Matching: rank vacancies for profiles, or profiles for vacancies.", no_args_is_help=True)
app.add_typer(occupations_app, name="occupations")
app.add_typer(match_app, name="match")
db_app = typer.Typer(help="Database: create or upgrade the schema.", no_args_is_help=True)
demo_app = typer.Typer(help="Demo data written by us: job seekers, employers, coaches, vacancies.",
                       no_args_is_help=True)
users_app = typer.Typer(help="User accounts (coaches, admins).", no_args_is_help=True)
gdpr_app = typer.Typer(help="AVG/GDPR housekeeping.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(users_app, name="users")
app.add_typer(gdpr_app, name="gdpr")
vacancies_app = typer.Typer(help="Vacancy feeds: import and export schema.org JobPosting.", no_args_is_help=True)
geo_app = typer.Typer(help="Geography: Dutch postcodes for distances.", no_args_is_help=True)
app.add_typer(vacancies_app, name="vacancies")
app.add_typer(geo_app, name="geo")


def fail(message: str, code: int = 1) -> NoReturn:
    """One line on stderr, then exit."""
    typer.echo(f"tom: {message}", err=True)
    raise typer.Exit(code)


def _service() -> TaxonomyService:

    return TaxonomyService(get_settings())


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    """Serve the web app and the JSON API."""
    from api.serving import run

    _ready_db()
    # uvicorn would believe X-Forwarded-* from 127.0.0.1 by default; the app decides instead (TOM_TRUSTED_PROXIES).
    # SIGHUP (systemctl reload) replaces the workers one by one; a new one loads the taxonomy first, which takes
    # longer than uvicorn's 5 s default, after which it would give up the reload half-way. A worker that stops
    # answers the requests already on their way to it first (api/serving.py).
    run("web.app:create_app", factory=True, host=host, port=port, workers=workers, proxy_headers=False,
        timeout_worker_healthcheck=120)


# ----------------------------------------------------------------------------------- database, demo, users
def _ready_db() -> None:
    """Before a command uses the database: a fresh SQLite home gets its schema; anything else not at head
    stops with one line (see api.db.ensure_schema)."""
    from api.db import SchemaError, ensure_schema

    settings = get_settings()
    try:
        if ensure_schema(settings.db_url):
            typer.echo(f"tom: created a new database in {settings.home}", err=True)
    except SchemaError as exc:
        fail(str(exc))


def _hub() -> Hub:
    """The services, for a command that uses the database (whose schema is checked first)."""
    from api.services.hub import Hub

    _ready_db()
    return Hub(get_settings())


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create the tables or bring them to the newest version (safe to run again)."""
    from api.db import head_revision, upgrade

    settings = get_settings()
    try:
        upgrade(settings.db_url)
    except Exception as exc:
        fail(f"database upgrade failed: {str(exc).splitlines()[0]}")
    typer.echo(f"database at revision {head_revision(settings.db_url)}")


@db_app.command("backup")
def db_backup(file: Annotated[Path, typer.Argument(help="Where to write the backup.")]) -> None:
    """A consistent backup while the app runs (SQLite backup API, or pg_dump for PostgreSQL)."""
    from api.backup import BackupError, backup

    try:
        backup(get_settings().db_url, file)
    except BackupError as exc:
        fail(str(exc))
    typer.echo(f"backup written to {file}")


@db_app.command("restore")
def db_restore(file: Annotated[Path, typer.Argument(help="A backup made by `tom db backup`.")]) -> None:
    """Replace the database's contents with a backup. Restart the app afterwards."""
    from api.backup import BackupError, restore

    try:
        restore(get_settings().db_url, file)
    except BackupError as exc:
        fail(str(exc))
    typer.echo(f"restored from {file}; restart the app so every process rebuilds its index")


@demo_app.command("load")
def demo_load() -> None:
    """Load the demo data (idempotent). Every demo account has the password TOM_DEMO_PASSWORD."""
    from sqlmodel import Session

    from api.services import demo
    from api.services.errors import ServiceError

    hub = _hub()
    try:
        with Session(hub.engine) as db:
            r = demo.load(hub, db, hub.settings.data_dir)
    except (ServiceError, OSError, ValueError) as exc:
        fail(f"demo load failed: {getattr(exc, 'message', exc)}")
    typer.echo(f"users={r.users} vacancies={r.vacancies} skipped={r.skipped} introductions={r.introductions}")


@users_app.command("create")
def users_create(
    email: Annotated[str, typer.Argument(help="Login e-mail address.")],
    role: Annotated[str, typer.Option(help="coach or admin")] = "coach",
    name: Annotated[str, typer.Option(help="Full name.")] = "",
    password: Annotated[str | None, typer.Option(help="Default: asked at the prompt (or TOM_NEW_PASSWORD).",
                                                 envvar="TOM_NEW_PASSWORD")] = None,
) -> None:
    """Create a coach or admin account."""
    from pydantic import ValidationError
    from sqlmodel import Session

    from api.models import Role, UserCreate
    from api.services.errors import ServiceError

    if role not in ("coach", "admin"):
        fail("--role must be coach or admin (job seekers and employers register themselves)")
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    hub = _hub()
    try:
        data = UserCreate(email=email, password=password, name=name, role=Role(role))
        with Session(hub.engine) as db:
            user = hub.accounts.register(db, data, allow_roles=(Role.coach, Role.admin))
            db.commit()
            typer.echo(f"created {role} {user.email} (id {user.id})")
    except ValidationError as exc:
        err = exc.errors()[0]
        fail(f"{'.'.join(str(x) for x in err['loc'])}: {err['msg']}")
    except ServiceError as exc:
        fail(exc.message)


@vacancies_app.command("import")
def vacancies_import(
    files: Annotated[list[Path], typer.Argument(help="JSON-LD (object, array, @graph), JSON Lines, HTML pages "
                                                     "with JSON-LD, or CSV (columns in docs/feeds.md).")],
    report: Annotated[Path | None, typer.Option(help="Write rejected postings and warnings here (JSON Lines).")] = None,
    workers: Annotated[int, typer.Option(min=1, max=32, help="Processes that parse postings.")] = 2,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Import vacancies. Ends with one line: imported=N updated=N skipped=N rejected=N."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
    from sqlmodel import Session

    from api.services import feeds

    hub = _hub()
    try:
        with Session(hub.engine) as db:
            if quiet or not sys.stderr.isatty():
                result = feeds.import_files(hub, db, files, workers=workers)
            else:
                with Progress(TextColumn("vacatures"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                              transient=True) as bar:
                    task = bar.add_task("import", total=None)

                    def tick(done: int, total: int) -> None:
                        if done % 100 == 0 or done == total:
                            bar.update(task, completed=done, total=total)

                    result = feeds.import_files(hub, db, files, workers=workers, progress=tick)
    except feeds.FeedError as exc:
        fail(exc.message)
    if report is not None:
        feeds.write_report(result, report)
    typer.echo(result.summary())


@vacancies_app.command("export")
def vacancies_export(
    out: Annotated[Path | None, typer.Option(help="File to write; default standard output.")] = None,
    jsonl: Annotated[bool, typer.Option("--jsonl", help="One JobPosting per line instead of a JSON array.")] = False,
    all_: Annotated[bool, typer.Option("--all", help="Closed and expired vacancies too.")] = False,
) -> None:
    """Write the vacancies as schema.org JobPosting JSON-LD."""
    from sqlmodel import Session

    from api.services import vacancies

    hub = _hub()
    with Session(hub.engine) as db:
        docs = vacancies.export_jsonld(hub, db, include_closed=all_)
    text = "\n".join(json.dumps(d, ensure_ascii=False) for d in docs) + "\n" if jsonl else \
        json.dumps(docs, ensure_ascii=False, indent=1) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"exported={len(docs)}", err=True)


@geo_app.command("import-postcodes")
def geo_import_postcodes(
    file: Annotated[Path, typer.Argument(help="GeoNames postal-code file for NL (NL.txt, tab-separated).")],
) -> None:
    """Load every Dutch PC4 with its place and coordinates (replaces the previous import)."""
    from sqlmodel import Session

    from api.services.geo import GeoFileError, import_postcodes

    hub = _hub()
    try:
        with Session(hub.engine) as db:
            n = import_postcodes(db, file)
    except GeoFileError as exc:
        fail(str(exc))
    typer.echo(f"postcodes={n}")


@gdpr_app.command("retention")
def gdpr_retention() -> None:
    """Send a notice to long-inactive job seekers; erase those still inactive after the notice period."""
    from sqlmodel import Session

    from api.services import gdpr

    hub = _hub()
    with Session(hub.engine) as db:
        notices, erased = gdpr.retention(hub, db)
    typer.echo(f"notices={notices} erased={erased}")


@app.command()
def notify() -> None:
    """Mail each job seeker who switched on the vacancy alert the open vacancies that fit them well and that
    they were not mailed before. Run it daily from cron; running it again sends nothing twice."""
    from sqlalchemy.exc import SQLAlchemyError
    from sqlmodel import Session

    from api.services import alerts

    hub = _hub()
    try:
        with Session(hub.engine) as db:
            run = alerts.run(hub, db)
    except SQLAlchemyError as exc:
        fail(f"notify failed: {str(getattr(exc, 'orig', exc)).splitlines()[0]} (run `tom db upgrade` first?)")
    typer.echo(run.summary())
    if run.failed:
        fail(f"{run.failed} alert mails could not be sent; the next run tries them again")


# ----------------------------------------------------------------------------------- taxonomy
@taxonomy_app.command("status")
def taxonomy_status() -> None:
    """Show what the taxonomy holds (and build the caches)."""
    svc = _service()
    try:
        tax = svc.taxonomy
        svc.index("skill")
        svc.index("occupation")
    except (TaxonomyError, EmbeddingModelError) as exc:
        fail(str(exc))
    counts = tax.counts()
    typer.echo(f"TOM_HOME: {svc.settings.home}")
    typer.echo("sources: " + ", ".join(tax.sources))
    for k in ("skill", "occupation", "skill_group", "isco_group", "occupation_skill_relations",
              "skill_skill_relations"):
        typer.echo(f"  {k}: {counts.get(k, 0)}")


def _build_indexes(svc: TaxonomyService, quiet: bool) -> None:
    """Build both search indexes and the skill links; computing label vectors with the model shows a progress bar."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

    from api.services.skill_links import similarity_pairs
    from taxonomy.model import ConceptKind

    if quiet or not sys.stderr.isatty():
        svc.index("skill")
        svc.index("occupation")
        similarity_pairs(svc)  # the skill space's links by meaning (seconds), cached like the label vectors
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  transient=True) as bar:
        kinds: tuple[tuple[ConceptKind, str], ...] = (("skill", "skills"), ("occupation", "occupations"))
        for kind, what in kinds:
            task = bar.add_task(f"label vectors of {what}", total=None)

            def tick(done: int, total: int, task: TaskID = task) -> None:
                bar.update(task, completed=done, total=total)

            svc.index(kind, tick)
        task = bar.add_task("skills close by meaning", total=None)
        similarity_pairs(svc)
        bar.update(task, completed=1, total=1)


@taxonomy_app.command("import-esco")
def import_esco(
    paths: Annotated[list[Path], typer.Argument(help="ESCO CSV packages: zips, folders or CSV files.")],
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Import the official ESCO CSV packages (any languages) into the taxonomy."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    svc = _service()
    try:
        if quiet or not sys.stderr.isatty():
            report = svc.import_esco(paths)
        else:
            with Progress(TextColumn("ESCO"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
                          transient=True) as bar:
                task = bar.add_task("read", total=None)

                def tick(done: int, total: int) -> None:
                    bar.update(task, completed=done, total=total)

                report = svc.import_esco(paths, tick)
        _build_indexes(svc, quiet)  # the search caches and label vectors now, not on the first query
    except (TaxonomyError, EmbeddingModelError) as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"{exc.filename or ''}: {exc.strerror or exc}")
    if not report.changed:
        typer.echo(f"nothing changed: the taxonomy already holds these {len(report.files)} files")
    else:
        b, a = report.before, report.after
        typer.echo(
            f"imported {len(report.files)} files, languages {','.join(report.languages) or '-'}: "
            f"skills {b.get('skill', 0)} -> {a.get('skill', 0)}, occupations {b.get('occupation', 0)} -> "
            f"{a.get('occupation', 0)}, occupation-skill relations {b.get('occupation_skill_relations', 0)} -> "
            f"{a.get('occupation_skill_relations', 0)}"
        )
    if report.skipped:
        typer.echo(f"skipped {len(report.skipped)} unknown CSV files: {', '.join(report.skipped[:5])}", err=True)


def _batch_lines(path: Path) -> Iterator[tuple[str, str]]:
    try:
        fh = sys.stdin.buffer if str(path) == "-" else path.open("rb")
    except OSError as exc:
        fail(f"{path}: {exc.strerror}")
    with fh:
        for n, raw in enumerate(fh, 1):
            try:
                line = raw.decode("utf-8-sig" if n == 1 else "utf-8").rstrip("\r\n")
            except UnicodeDecodeError:
                fail(f"{path}:{n}: not UTF-8 text")
            if not line.strip():
                continue
            if "\t" not in line:
                fail(f"{path}:{n}: expected 'qid<TAB>text'")
            qid, text = line.split("\t", 1)
            yield qid, text


def _result(m: Match) -> dict[str, object]:
    d: dict[str, object] = {
        "esco_uri": m.concept_id if m.concept_id.startswith("http://data.europa.eu/esco/") else None,
        "id": m.concept_id,
        "label": m.label,
        "score": round(m.score, 4),
    }
    if m.span is not None:
        d["span"] = list(m.span)
        d["evidence"] = m.evidence
    return d


def _run(kind: str, fn: Callable[[str, int, str], list[Match]], text: str | None, batch: Path | None,
         top: int, lang: str, as_json: bool) -> None:
    if top < 1:
        fail("--top must be at least 1", 2)
    try:
        if batch is not None:
            out = sys.stdout
            for qid, q in _batch_lines(batch):
                out.write(json.dumps({"qid": qid, "results": [_result(m) for m in fn(q, top, lang)]},
                                     ensure_ascii=False) + "\n")
            return
        queries: Iterable[str]
        if text is not None:
            queries = [text]
        else:
            if sys.stdin.isatty():
                typer.echo(f"Type a {kind} (empty line or Ctrl-D to stop).", err=True)
            queries = _interactive()
        for q in queries:
            results = fn(q, top, lang)
            if as_json:
                typer.echo(json.dumps({"text": q, "results": [_result(m) for m in results]}, ensure_ascii=False))
                continue
            if not results:
                typer.echo("  (niets gevonden)")
            for m in results:
                where = f"  «{m.evidence}»" if m.evidence else ""
                typer.echo(f"  {m.score:4.2f}  {m.label}{where}   [{m.concept_id}]")
    except (TaxonomyError, EmbeddingModelError) as exc:
        fail(str(exc))


def _interactive() -> Iterator[str]:
    while True:
        if sys.stdin.isatty():
            sys.stderr.write("> ")
            sys.stderr.flush()
        line = sys.stdin.readline()
        if not line or not line.strip():
            return
        yield line.strip()


TextArg = Annotated[str | None, typer.Argument(help="Text to look up; omit for interactive use.")]
BatchOpt = Annotated[Path | None, typer.Option("--batch", help="TSV file of 'qid<TAB>text' lines ('-' = stdin).")]
TopOpt = Annotated[int, typer.Option("--top", help="Number of results per query.")]
LangOpt = Annotated[str, typer.Option("--lang", help="Language of the labels shown (nl or en).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="JSON output for single texts too.")]
# "\[" keeps rich from reading "[uri]" as markup (the help showed "essential: , optional: ")
VacanciesOpt = Annotated[Path, typer.Option("--vacancies",
                                            help="JSONL: {id, title, essential: \\[uri], optional: \\[uri]}")]
ProfilesOpt = Annotated[Path, typer.Option("--profiles", help="JSONL: {id, skills: \\[{esco_uri}]}")]
ExplainOpt = Annotated[bool, typer.Option("--explain", help="Add the explanation of each match.")]


@taxonomy_app.command("suggest")
def taxonomy_suggest(text: TextArg = None, batch: BatchOpt = None, top: TopOpt = 10, lang: LangOpt = "nl",
                     as_json: JsonOpt = False) -> None:
    """Skills for a short phrase ("gastvrij", "cv-ketels onderhouden")."""
    svc = _service()
    _run("skill", lambda t, k, lg: svc.suggest_skills(t, k, lg), text, batch, top, lang, as_json)


@taxonomy_app.command("extract")
def taxonomy_extract(text: TextArg = None, batch: BatchOpt = None, top: TopOpt = 10, lang: LangOpt = "nl",
                     as_json: JsonOpt = False) -> None:
    """Skills mentioned in a sentence, a vacancy text or a CV, with the words that show them."""
    svc = _service()
    _run("text", lambda t, k, lg: svc.extract_skills(t, k, lg), text, batch, top, lang, as_json)


@occupations_app.command("suggest")
def occupations_suggest(text: TextArg = None, batch: BatchOpt = None, top: TopOpt = 10, lang: LangOpt = "nl",
                        as_json: JsonOpt = False) -> None:
    """Occupations for a job title ("verzorgende ig", "monteur cv")."""
    svc = _service()
    _run("job title", lambda t, k, lg: svc.suggest_occupations(t, k, lg), text, batch, top, lang, as_json)


def _match_inputs(vacancies: Path, profiles: Path, top: int) -> tuple[Any, list[Any], list[Any]]:
    """The matching service and the parsed vacancy and profile files of `match rank` / `match candidates`;
    a bad --top or file ends the command with one line."""
    from api.services.matching import InputError, MatchingService

    if top < 1:
        fail("--top must be at least 1", 2)
    svc = MatchingService(_service())
    try:
        return svc, svc.load_vacancies(vacancies), svc.load_profiles(profiles)
    except (InputError, TaxonomyError, EmbeddingModelError) as exc:
        fail(str(exc))


@match_app.command("rank")
def match_rank(
    vacancies: VacanciesOpt,
    profiles: ProfilesOpt,
    top: TopOpt = 10,
    explain: ExplainOpt = False,
) -> None:
    """Rank the vacancies for each profile: one JSON line per profile, best first."""
    from matching.index import VacancyIndex

    svc, vs, ps = _match_inputs(vacancies, profiles, top)
    index = VacancyIndex(svc.space)
    for v in vs:
        index.add(v)
    index.compact()
    out = sys.stdout
    for p in ps:
        ranked = index.rank(p, k=top, apply_filters=False).results
        # "score" is what orders the list (the job seeker's order key, 0–1), so it falls line by line;
        # the pair's own score, the one every page shows, is in the explanation
        rows = [_match_row({"vacancy_id": m.vacancy_id}, m, explain, m.order) for m in ranked]
        out.write(json.dumps({"profile_id": p.id, "results": rows}, ensure_ascii=False) + "\n")


def _match_row(row: dict[str, object], m: MatchResult, explain: bool, key: float | None = None) -> dict[str, object]:
    """One result line: the value it is ranked by (0–1; by default the pair's score) and, with
    --explain, the facts behind the pair's score."""
    row["score"] = round(m.score / 100.0 if key is None else key, 4)
    if explain:
        row["explanation"] = {
            "score": round(m.score / 100.0, 4),
            "must_haves": [m.essential_held, m.essential_total],
            "nice_to_haves": [m.optional_held, m.optional_total],
            "points": {k: round(v, 2) for k, v in m.points.items()},
            "matched": [{"skill": r.skill_id, "via": r.via, "how": r.how, "credit": round(r.credit, 3)}
                        for r in m.matched if r.credit > 0],
            "missing_essential": m.missing_essential,
            "missing_optional": m.missing_optional,
        }
    return row


@match_app.command("candidates")
def match_candidates(
    vacancies: VacanciesOpt,
    profiles: ProfilesOpt,
    top: TopOpt = 10,
    explain: ExplainOpt = False,
) -> None:
    """Rank the talent pool for each vacancy: one JSON line per vacancy, best first (must-haves first)."""
    from matching.talent import ProfileIndex

    svc, vs, ps = _match_inputs(vacancies, profiles, top)
    index = ProfileIndex(svc.space)
    index.add_many(ps)
    out = sys.stdout
    for v in vs:
        ranked = index.rank(v, k=top, apply_filters=False).results
        rows = [_match_row({"profile_id": m.profile_id}, m, explain) for m in ranked]
        out.write(json.dumps({"vacancy_id": v.id, "results": rows}, ensure_ascii=False) + "\n")


@match_app.command("careers")
def match_careers(
    skills: Annotated[str, typer.Option("--skills", help="Your skills in your own words, separated by ';'.")],
    sector: Annotated[list[str] | None, typer.Option("--sector", help="Only these sectors (repeatable).")] = None,
    top: TopOpt = 5,
    lang: LangOpt = "nl",
) -> None:
    """Where else your skills fit, across sectors: occupations, the gap, and the training that closes it."""
    from api.services.matching import MatchingService
    from matching.model import Profile, ProfileSkill

    svc = MatchingService(_service())
    try:
        ids = svc.skills_from_text([s for s in skills.split(";") if s.strip()])
        if not ids:
            fail("none of these skills were recognised; try other words")
        typer.echo("Jouw vaardigheden: " + ", ".join(svc.label(i, lang) for i in ids))
        profile = Profile("cli", tuple(ProfileSkill(i) for i in ids))
        moves = svc.careers.moves(profile, k=top, sectors=tuple(sector or ()))
    except (TaxonomyError, EmbeddingModelError) as exc:
        fail(str(exc))
    for mv in moves:
        m = mv.match
        typer.echo(f"\n{m.score:5.1f}  {svc.label(mv.occupation_id, lang)} ({mv.sector or '-'}): "
                   f"je hebt {m.essential_held} van de {m.essential_total} eisen")
        has = [svc.label(r.skill_id, lang) for r in m.matched if r.held and r.essential]
        if has:
            typer.echo("       past al: " + ", ".join(has[:8]))
        if m.missing_essential:
            typer.echo("       mist nog: " + ", ".join(svc.label(s, lang) for s in m.missing_essential[:8]))
        if mv.training and mv.training.modules:
            mods = ", ".join(f"{x.name} ({x.hours} u)" for x in mv.training.modules)
            typer.echo(f"       scholing: {mods} — samen {mv.training.hours} uur")


def main() -> None:
    from pydantic import ValidationError

    try:
        app()
    except ValidationError as exc:  # a bad TOM_* setting in the environment or .env
        err = exc.errors()[0]
        name = next((str(x) for x in err["loc"]), "setting")
        sys.stderr.write(f"tom: {name}: {err['msg']}\n")
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)


if __name__ == "__main__":
    main()

"""Load test: the match endpoints of a real `tom serve` under wrk, on SQLite and on PostgreSQL.

What runs: a fresh database with the demo data plus ``--vacancies`` generated vacancies (imported with
`tom vacancies import`), `tom serve --workers 2` on a loopback port, and wrk (Debian package ``wrk``)
with ``--connections`` open connections for ``--duration`` seconds after a short warm-up. Every
request is signed in with a bearer token; the mix is the matching a busy day brings:

* 50 % ``GET /api/v1/me/matches`` — each of the 45 demo job seekers in turn;
* 20 % ``GET /api/v1/profiles/{id}/matches`` — a coach looks at a job seeker's matches;
* 20 % ``GET /api/v1/vacancies/{id}/candidates`` — an employer's ranked, anonymised candidates;
* 10 % ``GET /api/v1/talent-pool?sector=…`` — a coach browses the pool.

It prints one line per database: requests per second, latency percentiles (wrk's, per request) and
errors (socket errors plus any answer that is not 2xx). Nothing is tuned for the run: the server is
started as an operator starts it, access log included.

    python benchmarks/load.py [--db sqlite,postgresql] [--duration 30] [--connections 4] [--workers 2]

PostgreSQL: set TOM_BENCH_POSTGRES_URL to an empty database, or let the script start a throw-away
cluster with scripts/pg-test-cluster (Debian's postgresql package, as in CI; fsync is off there, which
only matters for writes).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import httpx  # noqa: E402
from liveserver import Server, tom, tom_env  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlmodel import create_engine  # noqa: E402

LUA = """
local requests = {}
local i = 0
%s
request = function()
  i = i %% #requests + 1
  local r = requests[i]
  return wrk.format("GET", r[1], {["Authorization"] = "Bearer " .. r[2]})
end
"""


def token(http: httpx.Client, email: str, password: str) -> str:
    r = http.post("/api/v1/auth/tokens", json={"email": email, "password": password, "name": "load test"})
    r.raise_for_status()
    return str(r.json()["token"])


def request_mix(http: httpx.Client, db_url: str, password: str) -> list[tuple[str, str]]:
    """(path, token) pairs in the proportions of the module docstring, 100 per round."""
    people = tomllib.loads((ROOT / "data" / "demo" / "people.toml").read_text(encoding="utf-8"))
    seekers = [token(http, js["email"], password) for js in people["jobseeker"]]
    coach = token(http, people["coach"][0]["email"], password)
    engine = create_engine(db_url)
    with engine.connect() as conn:
        profile_ids = [r[0] for r in conn.execute(text(
            "SELECT p.id FROM profiles p WHERE p.in_talent_pool ORDER BY p.id"))]
        employers = conn.execute(text(
            "SELECT u.email, MIN(v.id) FROM users u JOIN vacancies v ON v.organisation_id = u.organisation_id "
            "WHERE u.role = 'employer' GROUP BY u.email ORDER BY u.email LIMIT 20")).all()
    engine.dispose()
    emp = [(token(http, email, password), vid) for email, vid in employers]
    mix: list[tuple[str, str]] = []
    for i in range(100):
        k = i % 10
        if k < 5:
            mix.append(("/api/v1/me/matches", seekers[i % len(seekers)]))
        elif k < 7:
            mix.append((f"/api/v1/profiles/{profile_ids[i % len(profile_ids)]}/matches", coach))
        elif k < 9:
            t, vid = emp[i % len(emp)]
            mix.append((f"/api/v1/vacancies/{vid}/candidates", t))
        else:
            mix.append((f"/api/v1/talent-pool?sector={('techniek', 'horeca', 'zorg')[i % 3]}", coach))
    return mix


def parse_wrk(out: str) -> dict[str, float]:
    def ms(v: str) -> float:
        n, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", v).groups()  # type: ignore[union-attr]
        return float(n) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    res = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
           "requests": float(re.search(r"(\d+) requests in", out).group(1))}  # type: ignore[union-attr]
    for pct in ("50", "75", "90", "99"):
        res[f"p{pct}"] = ms(re.search(rf"^\s+{pct}%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    res["errors"] = errors + (int(non2xx.group(1)) if non2xx else 0)
    return res


def run(kind: str, db_url: str, args: argparse.Namespace, home: Path) -> dict[str, float]:
    password = "demo-wachtwoord"
    env = tom_env(home, db_url, TOM_DEMO_PASSWORD=password)
    tom(env, "db", "upgrade")
    tom(env, "demo", "load")
    if args.vacancies:
        from import_speed import generate

        feed = home / "feed.jsonl"
        generate(args.vacancies, "structured", feed)
        tom(env, "vacancies", "import", str(feed), "-q")
    with Server(env, workers=args.workers) as server:
        http = httpx.Client(base_url=server.url, timeout=30)
        mix = request_mix(http, db_url, password)
        rows = "\n".join(f'requests[{i + 1}] = {{"{p}", "{t}"}}' for i, (p, t) in enumerate(mix))
        script = home / "mix.lua"
        script.write_text(LUA % rows)
        base = ["wrk", "-t1", f"-c{args.connections}", "--latency", "-s", str(script), server.url]
        subprocess.run([*base[:-1], "-d5s", server.url], capture_output=True, check=True)  # warm-up: indexes
        out = subprocess.run([*base[:-1], f"-d{args.duration}s", server.url], capture_output=True, text=True,
                             check=True).stdout
    res = parse_wrk(out)
    print(f"{kind:<10} workers={args.workers} connections={args.connections} vacancies={args.vacancies + 150}: "
          f"{res['rps']:.0f} req/s over {args.duration} s ({res['requests']:.0f} requests), "
          f"p50 {res['p50']:.1f} ms, p90 {res['p90']:.1f} ms, p99 {res['p99']:.1f} ms, errors {res['errors']:.0f}",
          flush=True)
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", default="sqlite,postgresql")
    ap.add_argument("--duration", type=int, default=30)
    ap.add_argument("--connections", type=int, default=4)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--vacancies", type=int, default=10_000, help="generated vacancies besides the demo's 150")
    args = ap.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("load.py: wrk is not installed (Debian: apt-get install wrk)")
    for kind in args.db.split(","):
        with tempfile.TemporaryDirectory(prefix=f"tom-load-{kind}-") as tmp:
            home = Path(tmp)
            if kind == "sqlite":
                run(kind, f"sqlite:///{home / 'tom.sqlite'}", args, home)
            elif os.environ.get("TOM_BENCH_POSTGRES_URL"):
                run(kind, os.environ["TOM_BENCH_POSTGRES_URL"], args, home)
            else:
                cluster = Path(tempfile.mkdtemp(prefix="tom-load-pg-"))  # beside, not inside: postgres must reach it
                url = subprocess.run([str(ROOT / "scripts" / "pg-test-cluster"), "start", str(cluster), "55433"],
                                     capture_output=True, text=True, check=True).stdout.strip()
                try:
                    run(kind, url, args, home)
                finally:
                    subprocess.run([str(ROOT / "scripts" / "pg-test-cluster"), "stop", str(cluster)], check=False)


if __name__ == "__main__":
    main()

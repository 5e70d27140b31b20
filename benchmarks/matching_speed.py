"""Speed and memory of the matching indexes on generated data: 10k, 100k and 1M vacancies (and profiles).

Vacancies are drawn like real ones from ESCO's occupation–skill relations (about 12 essential
and 3 optional skills, a place in the Netherlands, hours, 10 % expired); profiles have about 20
skills of an occupation plus a home, a maximum travel distance and hours. Each size runs in
its own process so that memory is measured cleanly. Beside it: the naive SQL way (SQLite,
``SUM(weight) … GROUP BY vacancy ORDER BY … LIMIT 20`` over an indexed requirements table).

    python benchmarks/matching_speed.py [--sizes 10000,100000,1000000] [--queries 200]
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import json
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.services.matching import MatchingService  # noqa: E402
from api.services.taxonomy import TaxonomyService  # noqa: E402
from api.settings import Settings  # noqa: E402
from matching.index import VacancyArrays, VacancyIndex  # noqa: E402
from matching.model import Location, Preferences, Profile, ProfileSkill  # noqa: E402
from matching.space import SkillSpace  # noqa: E402
from matching.talent import ProfileIndex  # noqa: E402

SHARED = next((up / "shared" for up in ROOT.parents if (up / "shared").is_dir()), ROOT.parent / "shared")
ESCO = [SHARED / "esco" / "v1.1.1", SHARED / "esco" / "v1.1.1-nl"]
TODAY = date(2026, 11, 23)


def trim() -> None:
    """Give freed heap memory back to the system (glibc), as a long-running server would after a build."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def occupation_lists(space: SkillSpace) -> list[np.ndarray]:
    m = space.occ_skills
    return [m.indices[m.indptr[o]:m.indptr[o + 1]].copy() for o in range(m.shape[0])]


def generate(space: SkillSpace, n: int, rng: np.random.Generator) -> VacancyArrays:
    lists = occupation_lists(space)
    usable = np.asarray([o for o, lst in enumerate(lists) if len(lst) >= 8], dtype=np.int32)
    occ = rng.choice(usable, size=n)
    sizes = np.minimum(rng.integers(12, 19, size=n), [len(lists[o]) for o in occ])
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(sizes, out=indptr[1:])
    cols = np.empty(indptr[-1], dtype=np.int32)
    ess = np.ones(indptr[-1], dtype=bool)
    for i in range(n):
        lst = lists[occ[i]]
        a, b = indptr[i], indptr[i + 1]
        cols[a:b] = rng.choice(lst, size=b - a, replace=False)
        ess[b - 3:b] = False
    hours = rng.choice([16, 24, 32, 36], size=n).astype(np.int16)
    until = np.where(rng.random(n) < 0.1, TODAY.toordinal() - 5, TODAY.toordinal() + 60).astype(np.int32)
    return VacancyArrays(
        ids=[f"V{i:07d}" for i in range(n)], indptr=indptr, cols=cols, essential=ess, occupation=occ,
        lat=rng.uniform(51.3, 53.4, n).astype(np.float32), lon=rng.uniform(3.4, 7.2, n).astype(np.float32),
        hours_min=hours, hours_max=(hours + 8).astype(np.int16), valid_through=until,
        sector=rng.choice([0, 1, 2, -1], size=n).astype(np.int8),
    )


def profiles(space: SkillSpace, n: int, rng: np.random.Generator) -> list[Profile]:
    lists = occupation_lists(space)
    usable = [o for o, lst in enumerate(lists) if len(lst) >= 10]
    out = []
    for i in range(n):
        lst = lists[usable[int(rng.integers(len(usable)))]]
        picked = rng.choice(lst, size=min(20, len(lst)), replace=False)
        prefs = Preferences(home=Location(float(rng.uniform(51.5, 53.0)), float(rng.uniform(4.0, 6.5))),
                            max_km=float(rng.choice([15, 25, 50])), hours_max=int(rng.choice([24, 32, 40])))
        out.append(Profile(f"P{i:07d}", tuple(ProfileSkill(space.skill_ids[j]) for j in picked), prefs))
    return out


def pct(xs: list[float]) -> tuple[float, float]:
    a = np.asarray(xs) * 1000
    return float(np.percentile(a, 50)), float(np.percentile(a, 95))


def run_size(n: int, queries: int, home: str, sql: bool) -> dict[str, float]:
    svc = TaxonomyService(Settings(TOM_HOME=Path(home)))
    t = time.perf_counter()
    space = MatchingService(svc).space  # as the server builds it: with the model's similar links, from the cache
    space_s = time.perf_counter() - t
    rng = np.random.default_rng(42)
    qs = profiles(space, queries, rng)
    gc.collect()
    trim()
    base = rss_mb()  # before the input arrays exist: what remains after the build is the index
    arrays = generate(space, n, rng)
    t = time.perf_counter()
    index = VacancyIndex(space)
    index.bulk_load(arrays)
    build = time.perf_counter() - t
    del arrays
    gc.collect()
    trim()
    out: dict[str, float] = {"n": n, "space_s": space_s, "build_s": build, "index_mb": index.memory_bytes() / 2**20,
                             "rss_mb": rss_mb() - base}
    times, excluded = [], 0
    for p in qs:
        t = time.perf_counter()
        res = index.rank(p, k=20, today=TODAY)
        times.append(time.perf_counter() - t)
        excluded += sum(res.excluded.values())
    out["p50_ms"], out["p95_ms"] = pct(times)
    out["excluded_per_query"] = excluded / len(qs)

    # the talent pool direction: as many profiles, ranked for vacancies
    pool = profiles(space, n, rng)
    t = time.perf_counter()
    pindex = ProfileIndex(space, this_year=TODAY.year)
    pindex.add_many(pool)
    out["profiles_build_s"] = time.perf_counter() - t
    del pool
    gc.collect()
    ptimes = []
    for i in range(min(queries, 100)):
        v = index.get(f"V{i:07d}")
        if v is None:
            continue
        t = time.perf_counter()
        pindex.rank(v, k=20, today=TODAY)
        ptimes.append(time.perf_counter() - t)
    out["profiles_p50_ms"], out["profiles_p95_ms"] = pct(ptimes)
    del pindex
    gc.collect()

    if sql:  # the same requirements, read back from the index
        cols, indptr = index._R.indices, index._R.indptr
        db = sqlite3.connect(":memory:")
        db.execute("CREATE TABLE req (vacancy INTEGER, skill INTEGER, w REAL)")
        rows = np.repeat(np.arange(n), np.diff(indptr))
        w = space.rarity[cols]
        db.executemany("INSERT INTO req VALUES (?, ?, ?)", zip(rows.tolist(), cols.tolist(), w.tolist(), strict=True))
        db.execute("CREATE INDEX req_skill ON req (skill)")
        stimes = []
        for p in qs[: min(50, len(qs))]:
            skills = [space.skill_index[s.skill_id] for s in p.skills]
            q = (f"SELECT vacancy, SUM(w) AS s FROM req WHERE skill IN ({','.join('?' * len(skills))}) "
                 "GROUP BY vacancy ORDER BY s DESC LIMIT 20")
            t = time.perf_counter()
            db.execute(q, skills).fetchall()
            stimes.append(time.perf_counter() - t)
        out["sql_p50_ms"], out["sql_p95_ms"] = pct(stimes)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--home", default=str(ROOT / "var" / "bench"))
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--no-sql", action="store_true")
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_size(args.one, args.queries, args.home, not args.no_sql)))
        return
    svc = TaxonomyService(Settings(TOM_HOME=Path(args.home)))
    svc.import_esco(ESCO)
    MatchingService(svc).space  # noqa: B018 — the similar links are computed and cached here, not in a timed run
    rows = []
    for n in [int(x) for x in args.sizes.split(",")]:
        cmd = [sys.executable, __file__, "--one", str(n), "--queries", str(args.queries), "--home", args.home]
        if args.no_sql:
            cmd.append("--no-sql")
        res = subprocess.run(cmd, capture_output=True, text=True, check=True)
        rows.append(json.loads(res.stdout.strip().splitlines()[-1]))
    print(f"Top-20 query with filters (distance, hours, expired) and explanations of the 20; {args.queries} "
          "generated profiles. 'index MB': the arrays of the vacancy index; 'RSS MB': the process's resident "
          "memory growth from building it (after freeing the build's temporaries). Profiles: the talent-pool "
          "index of as many profiles, queried with a vacancy. 'space s': building the skill space from the "
          "cached taxonomy, with the model's similar links read from their cache.\n")
    print("| vacancies | space s | build s | index MB | RSS MB | p50 ms | p95 ms | naive SQL p50 ms "
          "| naive SQL p95 ms | profiles: build s | p50 ms | p95 ms |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        sql = (f"{r['sql_p50_ms']:.1f} | {r['sql_p95_ms']:.1f}" if "sql_p50_ms" in r else "– | –")
        print(f"| {int(r['n']):,} | {r['space_s']:.2f} | {r['build_s']:.1f} | {r['index_mb']:.0f} | "
              f"{r['rss_mb']:.0f} | "
              f"{r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {sql} | {r['profiles_build_s']:.1f} | "
              f"{r['profiles_p50_ms']:.1f} | {r['profiles_p95_ms']:.1f} |")


if __name__ == "__main__":
    main()

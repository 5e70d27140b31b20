"""Same-moment speed comparison of the matching indexes against another version of ``matching/``.

On a shared machine absolute latencies move with the load; this runs both versions in one process
on the same generated data (benchmarks/matching_speed.py's generators) and alternates their
queries, so both see the same load. The other version is a copy of its ``matching`` package
renamed ``matching_base`` (imports rewritten), on ``--base`` (a folder holding it).

    git archive REV matching | tar -x -C DIR && mv DIR/matching DIR/matching_base && \\
        sed -i 's/from matching\\./from matching_base./g' DIR/matching_base/*.py
    python benchmarks/matching_compare.py --base DIR [--size 1000000] [--queries 200]
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path
from types import ModuleType

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.services.taxonomy import TaxonomyService  # noqa: E402
from api.settings import Settings  # noqa: E402
from benchmarks.matching_speed import TODAY, generate, pct, profiles  # noqa: E402
from matching.index import VacancyArrays, VacancyIndex  # noqa: E402
from matching.space import SkillSpace  # noqa: E402
from matching.talent import ProfileIndex  # noqa: E402


def arrays_for(mod: ModuleType, a: VacancyArrays) -> object:
    return mod.VacancyArrays(ids=a.ids, indptr=a.indptr, cols=a.cols, essential=a.essential, occupation=a.occupation,
                             lat=a.lat, lon=a.lon, hours_min=a.hours_min, hours_max=a.hours_max,
                             valid_through=a.valid_through, sector=a.sector)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--base", required=True)
    ap.add_argument("--size", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--home", default=str(ROOT / "var" / "bench"))
    ap.add_argument("--only", choices=["vacancies", "profiles"])
    args = ap.parse_args()
    sys.path.insert(0, args.base)
    b_index = importlib.import_module("matching_base.index")
    b_space = importlib.import_module("matching_base.space")
    b_talent = importlib.import_module("matching_base.talent")
    tax = TaxonomyService(Settings(TOM_HOME=Path(args.home))).taxonomy
    space, bspace = SkillSpace.from_taxonomy(tax), b_space.SkillSpace.from_taxonomy(tax)
    rng = np.random.default_rng(42)
    qs = profiles(space, args.queries, rng)
    arrays = generate(space, args.size, rng)
    new, old = VacancyIndex(space), b_index.VacancyIndex(bspace)
    new.bulk_load(arrays)
    old.bulk_load(arrays_for(b_index, arrays))
    del arrays
    t_new: list[float] = []
    t_old: list[float] = []
    for i, p in enumerate(qs if args.only != "profiles" else []):
        pair = [(new, t_new), (old, t_old)]
        for idx, times in pair if i % 2 else pair[::-1]:
            t = time.perf_counter()
            idx.rank(p, k=20, today=TODAY)
            times.append(time.perf_counter() - t)
    if t_new:
        print(f"{args.size:,} vacancies, top 20 with filters and explanations, {len(qs)} profiles, alternating:")
        print("| version | p50 ms | p95 ms | index MB |")
        print("|---|---|---|---|")
        print(f"| this branch | {pct(t_new)[0]:.1f} | {pct(t_new)[1]:.1f} | {new.memory_bytes() / 2**20:.0f} |")
        print(f"| base | {pct(t_old)[0]:.1f} | {pct(t_old)[1]:.1f} | {old.memory_bytes() / 2**20:.0f} |", flush=True)
    vs = [v for v in (new.get(f"V{i:07d}") for i in range(min(args.queries, 100))) if v is not None]
    del new, old
    if args.only == "vacancies":
        return
    pool = profiles(space, args.size, rng)
    pnew, pold = ProfileIndex(space, this_year=TODAY.year), b_talent.ProfileIndex(bspace, this_year=TODAY.year)
    pnew.add_many(pool)
    pold.add_many(pool)
    del pool
    p_new: list[float] = []
    p_old: list[float] = []
    for i, v in enumerate(vs):
        ppair = [(pnew, p_new), (pold, p_old)]
        for pidx, times in ppair if i % 2 else ppair[::-1]:
            t = time.perf_counter()
            pidx.rank(v, k=20, today=TODAY)
            times.append(time.perf_counter() - t)
    print(f"\n{args.size:,} profiles (talent pool), top 20 for {len(vs)} vacancies with filters, alternating:")
    print("| version | p50 ms | p95 ms |")
    print("|---|---|---|")
    print(f"| this branch | {pct(p_new)[0]:.1f} | {pct(p_new)[1]:.1f} |")
    print(f"| base | {pct(p_old)[0]:.1f} | {pct(p_old)[1]:.1f} |")


if __name__ == "__main__":
    main()

"""Ranking quality on ../shared/bench/matching: NDCG@10 of our matcher, Jaccard and BM25, in one run.

Uses the benchmark TOM_HOME (ESCO imported by benchmarks/quality.py, or here if missing) and
the same code path as ``tom match rank``.

    python benchmarks/matching_quality.py [--home var/bench]
"""

from __future__ import annotations

import argparse
import collections
import math
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.services.matching import MatchingService  # noqa: E402
from api.services.taxonomy import TaxonomyService  # noqa: E402
from api.settings import Settings  # noqa: E402
from matching.index import VacancyIndex  # noqa: E402

SHARED = ROOT.parent / "shared"
BENCH = SHARED / "bench" / "matching"
ESCO = [SHARED / "esco" / "v1.1.1", SHARED / "esco" / "v1.1.1-nl"]


def ndcg_at(ranked: list[str], grades: dict[str, int], k: int = 10) -> float:
    dcg = sum((2 ** grades.get(v, 0) - 1) / math.log2(i + 2) for i, v in enumerate(ranked[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--home", default=str(ROOT / "var" / "bench"))
    args = ap.parse_args()
    tax_svc = TaxonomyService(Settings(TOM_HOME=Path(args.home)))
    tax_svc.import_esco(ESCO)  # no-op when already imported
    svc = MatchingService(tax_svc)
    vacancies = svc.load_vacancies(BENCH / "dev_vacancies.jsonl")
    profiles = svc.load_profiles(BENCH / "dev_profiles.jsonl")
    qrels: dict[str, dict[str, int]] = collections.defaultdict(dict)
    for line in (BENCH / "dev_qrels.tsv").read_text().splitlines():
        p, v, g = line.split("\t")
        qrels[p][v] = int(g)

    t = time.perf_counter()
    index = VacancyIndex(svc.space)
    for v in vacancies:
        index.add(v)
    index.compact()
    build = time.perf_counter() - t
    ours, times = [], []
    for p in profiles:
        t = time.perf_counter()
        ranked = [m.vacancy_id for m in index.rank(p, k=10, apply_filters=False).results]
        times.append(time.perf_counter() - t)
        ours.append(ndcg_at(ranked, qrels[p.id]))

    # peers on the same data
    cols: dict[str, int] = {}
    vid = [v.id for v in vacancies]

    def vec(uris: list[str]) -> list[int]:
        return [cols.setdefault(u, len(cols)) for u in uris]

    vrows = [vec([r.skill_id for r in v.requirements]) for v in vacancies]
    prows = [vec(p.skill_ids()) for p in profiles]
    Vm = sp.csr_matrix((np.ones(sum(map(len, vrows))), (np.repeat(np.arange(len(vrows)), list(map(len, vrows))),
                                                         np.concatenate(vrows))), shape=(len(vrows), len(cols)))
    Vm.data[:] = 1.0
    vlen = np.asarray(Vm.sum(axis=1)).ravel()
    jac = []
    for p, row in zip(profiles, prows, strict=True):
        x = np.zeros(len(cols))
        x[row] = 1
        inter = Vm @ x
        s = inter / (vlen + x.sum() - inter)
        jac.append(ndcg_at([vid[i] for i in np.argsort(-s, kind="stable")[:10]], qrels[p.id]))

    bm = []
    try:
        import bm25s

        labels = {c.id: c.pref.get("en") or c.label() for c in tax_svc.taxonomy.concepts.values()}
        corpus = [" ".join(labels.get(r.skill_id, "") for r in v.requirements) for v in vacancies]
        retriever = bm25s.BM25()
        retriever.index(bm25s.tokenize(corpus, stopwords="en", show_progress=False), show_progress=False)
        for p in profiles:
            q = " ".join(labels.get(s, "") for s in p.skill_ids())
            res, _ = retriever.retrieve(bm25s.tokenize([q], stopwords="en", show_progress=False), k=10,
                                        show_progress=False)
            bm.append(ndcg_at([vid[i] for i in res[0]], qrels[p.id]))
    except ImportError:
        pass

    print(f"{len(vacancies)} vacancies, {len(profiles)} profiles; index build {build:.1f} s, "
          f"p50 query {1000 * float(np.median(times)):.1f} ms (top 10 with explanations)\n")
    print("| ranker | NDCG@10 |")
    print("|---|---|")
    print(f"| Talent op Maat (`tom match rank`) | **{np.mean(ours):.3f}** |")
    print(f"| Jaccard on skill sets | {np.mean(jac):.3f} |")
    if bm:
        print(f"| BM25 over skill labels (bm25s) | {np.mean(bm):.3f} |")


if __name__ == "__main__":
    main()

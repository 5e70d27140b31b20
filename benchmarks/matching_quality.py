"""Ranking quality in both directions, our matcher with baselines beside it, in one run.

* Job seeker (``shared/bench/matching``, dev): vacancies for 300 profiles. NDCG@10 of our order
  (``tom match rank``), Jaccard on skill sets and BM25 over skill labels.
* Candidates (``shared/bench/candidates``, dev): the talent pool of 2,400 people for 150 vacancies.
  NDCG@10 of our ranking (``tom match candidates``), Jaccard, and the score before issue 14
  (100 · (0.4·REQ + 0.3·USE⁴ + 0.3·FAM⁴)); and in how many vacancies a person who holds every
  must-have (grade 3) is pushed out of the top 10 by someone who misses one or more.

With a model (the default), both directions are also ranked without the model's "similar" skill
links, in the same run, so their effect shows beside the rest.

Uses the benchmark TOM_HOME (ESCO imported here if missing) and the same code paths as the CLI.

    python benchmarks/matching_quality.py [--home var/bench] [--shared DIR]
"""

from __future__ import annotations

import argparse
import collections
import copy
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
from matching.model import Profile, Vacancy  # noqa: E402
from matching.scoring import prepare, score  # noqa: E402
from matching.space import SkillSpace  # noqa: E402
from matching.talent import ProfileIndex  # noqa: E402


def find_shared() -> Path:
    """The read-only ``shared`` folder beside the repository or beside one of its parents (worktrees)."""
    for up in ROOT.parents:
        if (up / "shared").is_dir():
            return up / "shared"
    return ROOT.parent / "shared"


def ndcg_at(ranked: list[str], grades: dict[str, int], k: int = 10) -> float:
    dcg = sum((2 ** grades.get(v, 0) - 1) / math.log2(i + 2) for i, v in enumerate(ranked[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def pushed_out(ranked: list[str], grades: dict[str, int], k: int = 10) -> bool:
    """A person with every must-have (grade 3) is outside the top k while someone with less is inside."""
    top = ranked[:k]
    full = {p for p, g in grades.items() if g == 3}
    return bool(full - set(top)) and any(grades.get(p, 0) < 3 for p in top)


def jaccard_rankings(queries: list[list[str]], docs: list[list[str]], doc_ids: list[str], k: int) -> list[list[str]]:
    cols: dict[str, int] = {}

    def vec(uris: list[str]) -> list[int]:
        return sorted({cols.setdefault(u, len(cols)) for u in uris})

    drows = [vec(d) for d in docs]
    qrows = [vec(q) for q in queries]
    D = sp.csr_matrix((np.ones(sum(map(len, drows))), (np.repeat(np.arange(len(drows)), list(map(len, drows))),
                                                       np.concatenate(drows) if drows else [])),
                      shape=(len(drows), len(cols)))
    dlen = np.asarray(D.sum(axis=1)).ravel()
    out = []
    for row in qrows:
        x = np.zeros(len(cols))
        x[row] = 1
        inter = D @ x
        s = inter / np.maximum(dlen + x.sum() - inter, 1e-9)
        out.append([doc_ids[i] for i in np.argsort(-s, kind="stable")[:k]])
    return out


def has_similar(space: SkillSpace) -> bool:
    return bool(np.any(space.link_how.data == 4))


def without_similar(space: SkillSpace) -> SkillSpace:
    """A copy of ``space`` with the taxonomy's links only (the model's "similar" links dropped)."""
    out = copy.copy(space)
    out.__dict__.pop("_links_from", None)
    out.__dict__.pop("_links_to", None)
    how = space.link_how.tocoo()
    keep = how.data != 4
    r, c = how.row[keep], how.col[keep]
    out.link_how = sp.csr_matrix((how.data[keep], (r, c)), shape=how.shape)
    out.links = sp.csr_matrix((np.asarray(space.links[r, c]).ravel().astype(np.float32), (r, c)), shape=how.shape)
    out.links_in, out.link_how_in = sp.csr_matrix(out.links.T), sp.csr_matrix(out.link_how.T)
    return out


def read_qrels(path: Path, query_first: bool) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = collections.defaultdict(dict)
    for line in path.read_text().splitlines():
        a, b, g = line.split("\t")
        q, d = (a, b) if query_first else (b, a)
        qrels[q][d] = int(g)
    return qrels


def job_seeker(svc: MatchingService, tax_svc: TaxonomyService, bench: Path) -> None:
    vacancies = svc.load_vacancies(bench / "dev_vacancies.jsonl")
    profiles = svc.load_profiles(bench / "dev_profiles.jsonl")
    qrels = read_qrels(bench / "dev_qrels.tsv", query_first=True)
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
    plain = []  # the same without the model's similar links, in the same run
    if has_similar(svc.space):
        index = VacancyIndex(without_similar(svc.space))
        for v in vacancies:
            index.add(v)
        index.compact()
        plain = [ndcg_at([m.vacancy_id for m in index.rank(p, k=10, apply_filters=False).results], qrels[p.id])
                 for p in profiles]
    vid = [v.id for v in vacancies]
    jac = [ndcg_at(r, qrels[p.id]) for p, r in zip(profiles, jaccard_rankings(
        [p.skill_ids() for p in profiles], [[r.skill_id for r in v.requirements] for v in vacancies], vid, 10),
        strict=True)]
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
    print(f"Job seeker direction: {len(vacancies)} vacancies, {len(profiles)} profiles; index build {build:.1f} s, "
          f"p50 query {1000 * float(np.median(times)):.1f} ms (top 10 with explanations)\n")
    print("| ranker | NDCG@10 |")
    print("|---|---|")
    print(f"| Talent op Maat (`tom match rank`) | **{np.mean(ours):.3f}** |")
    if plain:
        print(f"| the same without the model's similar links | {np.mean(plain):.3f} |")
    print(f"| Jaccard on skill sets | {np.mean(jac):.3f} |")
    if bm:
        print(f"| BM25 over skill labels (bm25s) | {np.mean(bm):.3f} |")
    print()


def old_formula(svc: MatchingService, vacancies: list[Vacancy], profiles: list[Profile], k: int) -> list[list[str]]:
    """The score before issue 14, 100 · (0.4·REQ + 0.3·USE⁴ + 0.3·FAM⁴), by scoring every pair."""
    year = time.localtime().tm_year
    space = without_similar(svc.space)  # as it was: the taxonomy's links only
    preps = [prepare(space, p, year) for p in profiles]
    out = []
    for v in vacancies:
        rs = [score(space, pp, v, year) for pp in preps]
        old = [(-(0.4 * r.requirements + 0.3 * r.usage**4 + 0.3 * r.family**4), r.profile_id) for r in rs]
        out.append([pid for _, pid in sorted(old)[:k]])
    return out


def candidates(svc: MatchingService, bench: Path) -> None:
    vacancies = svc.load_vacancies(bench / "dev_vacancies.jsonl")
    profiles = svc.load_profiles(bench / "dev_profiles.jsonl")
    qrels = read_qrels(bench / "dev_qrels.tsv", query_first=True)
    t = time.perf_counter()
    index = ProfileIndex(svc.space)
    index.add_many(profiles)
    build = time.perf_counter() - t
    ours, times = [], []
    for v in vacancies:
        t = time.perf_counter()
        ours.append([m.profile_id for m in index.rank(v, k=10, apply_filters=False).results])
        times.append(time.perf_counter() - t)
    pid = [p.id for p in profiles]
    rows = {"Talent op Maat (`tom match candidates`)": ours}
    if has_similar(svc.space):
        plain = ProfileIndex(without_similar(svc.space))
        plain.add_many(profiles)
        rows["the same without the model's similar links"] = [
            [m.profile_id for m in plain.rank(v, k=10, apply_filters=False).results] for v in vacancies]
    rows |= {
        "Jaccard on skill sets": jaccard_rankings([[r.skill_id for r in v.requirements] for v in vacancies],
                                                  [p.skill_ids() for p in profiles], pid, 10),
        "score before issue 14 (0.4·REQ + 0.3·USE⁴ + 0.3·FAM⁴)": old_formula(svc, vacancies, profiles, 10),
    }
    print(f"Candidates direction: {len(vacancies)} vacancies, talent pool of {len(profiles)}; index build "
          f"{build:.1f} s, p50 query {1000 * float(np.median(times)):.1f} ms (top 10 with explanations)\n")
    print(f"| ranker | NDCG@10 | vacancies where a person with every must-have is pushed out of the top 10 "
          f"(of {len(vacancies)}) |")
    print("|---|---|---|")
    for i, (name, ranked) in enumerate(rows.items()):
        nd = np.mean([ndcg_at(r, qrels[v.id]) for v, r in zip(vacancies, ranked, strict=True)])
        out = sum(pushed_out(r, qrels[v.id]) for v, r in zip(vacancies, ranked, strict=True))
        print(f"| {name} | {'**' if i == 0 else ''}{nd:.3f}{'**' if i == 0 else ''} | {out} |")
    print()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--home", default=str(ROOT / "var" / "bench"))
    ap.add_argument("--shared", default=str(find_shared()))
    ap.add_argument("--only", choices=["jobseeker", "candidates"])
    args = ap.parse_args()
    shared = Path(args.shared)
    tax_svc = TaxonomyService(Settings(TOM_HOME=Path(args.home)))
    tax_svc.import_esco([shared / "esco" / "v1.1.1", shared / "esco" / "v1.1.1-nl"])  # no-op when imported
    svc = MatchingService(tax_svc)
    svc.space  # noqa: B018 — built (and the similar links computed and cached) before anything is timed
    if args.only != "candidates":
        job_seeker(svc, tax_svc, shared / "bench" / "matching")
    if args.only != "jobseeker":
        candidates(svc, shared / "bench" / "candidates")


if __name__ == "__main__":
    main()

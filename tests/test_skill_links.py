"""The skill space's "similar" links (issue 15, item 6): what the rule promises and the cache under TOM_HOME."""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.services import skill_links
from api.services import taxonomy as taxonomy_service
from api.services.matching import MatchingService
from api.services.taxonomy import TaxonomyService
from api.settings import Settings
from matching.scoring import score
from matching.space import CREDIT_RELATED, CREDIT_SIMILAR, SimilarityRule, SkillSpace, similar_pairs
from taxonomy.encoders import Encoder
from tests.test_matching import SKILLS, prof, tiny_taxonomy, vac

ROOT = Path(__file__).resolve().parents[1]


def clustered(n: int, d: int, seed: int, spread: float) -> np.ndarray:
    """n unit vectors around a few random centres: close pairs and far pairs both occur."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(max(1, n // 3), d))
    v = centres[rng.integers(0, len(centres), n)] + spread * rng.normal(size=(n, d))
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


rules = st.builds(SimilarityRule, st.sampled_from([0.5, 0.7, 0.8, 0.9]), st.integers(1, 6), st.booleans())


@settings(max_examples=150, deadline=None)
@given(n=st.integers(1, 60), seed=st.integers(0, 10_000), spread=st.sampled_from([0.1, 0.3, 1.0]), rule=rules,
       block=st.sampled_from([1, 7, 2048]))
def test_pairs_are_what_the_rule_says(n: int, seed: int, spread: float, rule: SimilarityRule, block: int) -> None:
    """Each pair once (a < b), cosine ≥ the threshold, and — mutual — each among the other's k nearest;
    with ties aside, no pair the rule allows is missing. The blocked product changes nothing."""
    v = clustered(n, 8, seed, spread)
    a, b, sim = similar_pairs(v, rule, block=block)
    cos = v @ v.T
    np.fill_diagonal(cos, -np.inf)
    k = min(rule.per_skill, n - 1)
    assert np.all(a < b) and len(set(zip(a.tolist(), b.tolist(), strict=True))) == len(a)
    assert np.allclose(sim, cos[a, b], atol=1e-5)
    assert np.all(sim >= rule.min_sim)
    if k <= 0:
        assert len(a) == 0
        return
    kth = -np.sort(-cos, axis=1)[:, k - 1]  # the k-th best cosine of each skill
    found = set(zip(a.tolist(), b.tolist(), strict=True))
    for i in range(n):
        for j in range(i + 1, n):
            near_i, near_j = cos[i, j] >= kth[i] + 1e-5, cos[i, j] >= kth[j] + 1e-5  # clearly within top k
            far_i, far_j = cos[i, j] < kth[i] - 1e-5, cos[i, j] < kth[j] - 1e-5  # clearly outside
            if cos[i, j] < rule.min_sim - 1e-5 or (far_i and far_j) or (rule.mutual and (far_i or far_j)):
                assert (i, j) not in found
            elif cos[i, j] > rule.min_sim + 1e-5 and ((near_i and near_j) or (not rule.mutual and (near_i or near_j))):
                assert (i, j) in found


def linked_space(seed: int, spread: float, rule: SimilarityRule) -> tuple[SkillSpace, int]:
    space = SkillSpace.from_taxonomy(tiny_taxonomy())
    v = clustered(space.n_skills, 6, seed, spread)
    return space, space.add_similarity_links(v, rule)


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 10_000), spread=st.sampled_from([0.05, 0.2, 0.5]), rule=rules)
def test_similar_links_are_symmetric_in_range_and_leave_the_taxonomy_alone(seed: int, spread: float,
                                                                          rule: SimilarityRule) -> None:
    plain = SkillSpace.from_taxonomy(tiny_taxonomy())
    space, added = linked_space(seed, spread, rule)
    how, links = space.link_how.toarray(), space.links.toarray()
    similar = how == 4
    assert int(similar.sum()) == added
    assert np.array_equal(similar, similar.T)  # symmetric: a close skill counts both ways, equally
    assert np.allclose(links * similar, (links * similar).T)
    c = links[similar]
    assert np.all((c >= CREDIT_SIMILAR / 2 - 1e-6) & (c <= CREDIT_SIMILAR + 1e-6))
    assert CREDIT_SIMILAR < CREDIT_RELATED  # any taxonomy link is worth more than a similar one
    before = plain.links.toarray()
    assert np.array_equal(links[~similar], before[~similar])  # taxonomy links untouched
    assert not np.any(similar & (before > 0))
    assert not np.any(np.diag(similar))
    # the two lookups the scorers use agree with the matrix
    for j in range(space.n_skills):
        assert {(s, round(c, 6)) for s, c, h in space.links_from(j) if h == "similar"} == \
            {(s, round(float(links[j, s]), 6)) for s in np.nonzero(similar[j])[0].tolist()}


@settings(max_examples=300, deadline=None)
@given(seed=st.integers(0, 10_000), have=st.lists(st.sampled_from(SKILLS), max_size=4),
       extra=st.sampled_from(SKILLS), asked=st.lists(st.sampled_from(SKILLS), min_size=1, max_size=4, unique=True))
def test_with_similar_links_learning_a_skill_never_lowers_a_score(seed: int, have: list[str], extra: str,
                                                                  asked: list[str]) -> None:
    space, _ = linked_space(seed, 0.1, SimilarityRule(0.5, 4, True))
    v = vac("v", asked[:2], asked[2:])
    assert score(space, prof(*have, extra), v, 2026).score >= score(space, prof(*have), v, 2026).score - 1e-9


def test_a_similar_skill_counts_partly_and_says_how() -> None:
    space = SkillSpace.from_taxonomy(tiny_taxonomy())
    vec = np.eye(space.n_skills, dtype=np.float32)
    i, j = space.column("koken"), space.column("hygiene")
    assert i is not None and j is not None
    vec[j] = vec[i] * 0.95 + vec[j] * 0.31
    vec /= np.linalg.norm(vec, axis=1, keepdims=True)
    assert space.add_similarity_links(vec, SimilarityRule(min_sim=0.8)) == 2
    m = score(space, prof("koken"), vac("v", ["hygiene"])).matched[0]
    assert (m.how, m.via, m.held) == ("similar", "koken", False)
    assert CREDIT_SIMILAR / 2 <= m.credit <= CREDIT_SIMILAR
    assert m.credit == pytest.approx(float(SimilarityRule(0.8).credit(vec[i] @ vec[j])), abs=1e-6)


# --------------------------------------------------------------------------- the cache


def fake_vectors(texts: list[str]) -> np.ndarray:
    """Deterministic: labels that share their first word are close."""
    out = np.zeros((len(texts), 16), dtype=np.float32)
    for i, t in enumerate(texts):
        words = t.lower().split() or [""]
        out[i, zlib.crc32(words[0].encode()) % 16] += 3.0
        for w in words[1:]:
            out[i, zlib.crc32(w.encode()) % 16] += 1.0
    return out


@pytest.fixture
def fake_model(monkeypatch: pytest.MonkeyPatch) -> str:
    """A model name the services load as the fake encoder above (no real model needed)."""
    name = "fake-links-model"
    monkeypatch.setitem(taxonomy_service._ENCODERS, name, Encoder("fake-links", lambda: fake_vectors).ready())
    monkeypatch.setitem(taxonomy_service._ENCODERS, name + "-2", Encoder("fake-links-2", lambda: fake_vectors).ready())
    return name


def service(home: Path, model: str) -> TaxonomyService:
    return TaxonomyService(Settings(TOM_HOME=home, TOM_DATA_DIR=ROOT / "data", TOM_EMBEDDING_MODEL=model))


def test_links_are_computed_once_and_read_back(tmp_path: Path, fake_model: str,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    svc = service(tmp_path, fake_model)
    first = skill_links.similarity_pairs(svc)
    assert first is not None and len(first[0]) > 0
    path = skill_links.cache_path(svc)
    assert path is not None and path.exists() and skill_links.RULE.key in path.name

    def no_compute(*args: object) -> None:
        raise AssertionError("computed again")

    monkeypatch.setattr(skill_links, "compute_pairs", no_compute)
    again = skill_links.similarity_pairs(service(tmp_path, fake_model))  # a new process, the same home
    assert again is not None
    for x, y in zip(first, again, strict=True):
        assert np.array_equal(x, y)
    # the service's space carries them as "similar" links, both ways
    space = MatchingService(service(tmp_path, fake_model)).space
    assert int((space.link_how.data == 4).sum()) > 0
    assert int((space.link_how.data == 4).sum()) <= 2 * len(first[0])


def test_the_cache_is_keyed_by_model_taxonomy_and_rule(tmp_path: Path, fake_model: str) -> None:
    svc = service(tmp_path, fake_model)
    p1 = skill_links.cache_path(svc)
    p2 = skill_links.cache_path(service(tmp_path, fake_model + "-2"))
    assert p1 is not None and p2 is not None and p1 != p2
    assert skill_links.cache_path(svc, SimilarityRule(0.7)) != p1
    assert skill_links.cache_path(service(tmp_path, "none")) is None
    assert skill_links.similarity_pairs(service(tmp_path, "none")) is None
    # another taxonomy (an ESCO layer appears): another file
    (tmp_path / "taxonomy").mkdir(exist_ok=True)
    (tmp_path / "taxonomy" / "esco.json.gz").write_bytes(b"")
    assert skill_links.cache_path(service(tmp_path, fake_model)) != p1


@pytest.mark.parametrize("damage", ["garbage", "truncated", "out of range", "empty file"])
def test_a_broken_cache_file_is_computed_again(tmp_path: Path, fake_model: str, damage: str) -> None:
    svc = service(tmp_path, fake_model)
    good = skill_links.similarity_pairs(svc)
    path = skill_links.cache_path(svc)
    assert good is not None and path is not None
    data = path.read_bytes()
    if damage == "garbage":
        path.write_bytes(b"not numpy at all")
    elif damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "empty file":
        path.write_bytes(b"")
    else:
        arr = np.load(path)
        arr["b"][0] = 10**6
        np.save(path, arr)
    n = len(skill_links.skill_columns(svc))
    assert skill_links.read_pairs(path, n) is None
    again = skill_links.similarity_pairs(service(tmp_path, fake_model))
    assert again is not None
    for x, y in zip(good, again, strict=True):
        assert np.array_equal(x, y)
    assert skill_links.read_pairs(path, n) is not None  # and written again


def test_without_a_model_the_space_has_only_taxonomy_links(tmp_path: Path) -> None:
    space = MatchingService(service(tmp_path, "none")).space
    assert not np.any(space.link_how.data == 4)
    assert not any(p.name.startswith("links-") for p in (tmp_path / "cache").glob("*"))

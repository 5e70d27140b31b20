"""The matching core on a tiny hand-made taxonomy: scores, explanations, filters, the index."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.index import VacancyIndex
from matching.model import Location, Preferences, Profile, ProfileSkill, Requirement, Vacancy
from matching.scoring import exclusions, score
from matching.space import SkillSpace
from taxonomy.model import Concept, Taxonomy

SKILLS = ["lassen", "mig-lassen", "tig-lassen", "metaal-snijden", "tekening-lezen", "samenwerken",
          "koken", "serveren", "gasten", "hygiene", "wassen", "rapporteren"]


def tiny_taxonomy() -> Taxonomy:
    tax = Taxonomy()
    for s in SKILLS:
        tax.add(Concept(id=s, kind="skill", pref={"nl": s}))
    tax.concepts["mig-lassen"].broader = ["lassen"]
    tax.concepts["tig-lassen"].broader = ["lassen"]
    tax.skill_relations = [("serveren", "gasten", "related")]
    occs = {
        "lasser": ("7212", ["lassen", "mig-lassen", "metaal-snijden", "tekening-lezen", "samenwerken"]),
        "constructiewerker": ("7214", ["lassen", "metaal-snijden", "tekening-lezen", "samenwerken"]),
        "kok": ("5120", ["koken", "hygiene", "samenwerken"]),
        "kelner": ("5131", ["serveren", "gasten", "hygiene", "samenwerken"]),
        "verzorgende": ("5321", ["wassen", "rapporteren", "hygiene", "samenwerken"]),
    }
    for o, (code, skills) in occs.items():
        tax.add(Concept(id=o, kind="occupation", pref={"nl": o}, code=code))
        tax.occupation_skills[o] = dict.fromkeys(skills, "essential")
    return tax


@pytest.fixture(scope="module")
def space() -> SkillSpace:
    return SkillSpace.from_taxonomy(tiny_taxonomy())


def prof(*skills: str, pid: str = "p", **prefs: object) -> Profile:
    return Profile(pid, tuple(ProfileSkill(s) for s in skills), Preferences(**prefs))  # type: ignore[arg-type]


def vac(vid: str, essential: list[str], optional: list[str] = (), occ: str | None = None, **kw: object) -> Vacancy:
    reqs = tuple([Requirement(s) for s in essential] + [Requirement(s, essential=False) for s in optional])
    return Vacancy(vid, reqs, occupation_id=occ, **kw)  # type: ignore[arg-type]


def test_full_match_scores_high_and_explains_each_requirement(space: SkillSpace) -> None:
    v = vac("v1", ["lassen", "tekening-lezen"], ["samenwerken"], occ="lasser")
    r = score(space, prof("lassen", "tekening-lezen", "samenwerken", "metaal-snijden", "mig-lassen"), v)
    assert r.requirements == pytest.approx(1.0)
    assert r.score > 90
    assert {m.skill_id: m.how for m in r.matched} == {"lassen": "exact", "tekening-lezen": "exact",
                                                      "samenwerken": "exact"}
    assert r.missing_essential == [] and r.missing_optional == []


def test_narrower_skill_earns_partial_credit_and_says_so(space: SkillSpace) -> None:
    r = score(space, prof("mig-lassen"), vac("v", ["lassen"]))
    m = r.matched[0]
    assert (m.how, m.via) == ("narrower", "mig-lassen")
    assert 0 < m.credit < 1
    related = score(space, prof("serveren"), vac("v", ["gasten"])).matched[0]
    assert related.how == "related" and related.via == "serveren"


def test_missing_skills_are_listed(space: SkillSpace) -> None:
    r = score(space, prof("koken"), vac("v", ["koken", "hygiene"], ["serveren"]))
    assert r.missing_essential == ["hygiene"]
    assert r.missing_optional == ["serveren"]


def test_rare_skills_outweigh_common_ones(space: SkillSpace) -> None:
    v = vac("v", ["lassen", "samenwerken"])
    welder = score(space, prof("lassen"), v).requirements
    teamplayer = score(space, prof("samenwerken"), v).requirements
    assert welder > teamplayer


def test_level_below_minimum_lowers_credit(space: SkillSpace) -> None:
    v = Vacancy("v", (Requirement("lassen", min_level=3),))
    expert = Profile("a", (ProfileSkill("lassen", level=4),))
    novice = Profile("b", (ProfileSkill("lassen", level=1),))
    assert score(space, expert, v).score > score(space, novice, v).score


def test_old_skills_count_less(space: SkillSpace) -> None:
    v = vac("v", ["lassen"])
    now = Profile("a", (ProfileSkill("lassen", last_used=2026),))
    old = Profile("b", (ProfileSkill("lassen", last_used=2010),))
    assert score(space, now, v, 2026).score > score(space, old, v, 2026).score


def test_personal_attributes_cannot_change_a_score(space: SkillSpace) -> None:
    """Two people with the same skills and different name, age, gender, origin score the same."""
    from api.services.matching import MatchingService

    svc = MatchingService.__new__(MatchingService)  # no taxonomy needed to read a profile
    a = svc.profile_from_json({"id": "1", "name": "Fatima", "age": 52, "gender": "v", "origin": "Marokko",
                               "skills": ["koken", "hygiene"]}, "a")
    b = svc.profile_from_json({"id": "2", "name": "Jan", "age": 19, "gender": "m", "origin": "Nederland",
                               "skills": ["koken", "hygiene"]}, "b")
    v = vac("v", ["koken", "hygiene", "samenwerken"], occ="kok")
    assert score(space, a, v).score == score(space, b, v).score


def test_filters_say_what_excluded_what(space: SkillSpace) -> None:
    leiden, amsterdam = Location(52.16, 4.49), Location(52.37, 4.90)
    p = prof("koken", home=leiden, max_km=20, hours_max=24, sectors=("horeca",))
    today = date(2026, 11, 23)
    assert exclusions(p, vac("a", ["koken"], location=amsterdam), today) == ["distance"]
    assert exclusions(p, vac("b", ["koken"], valid_through=date(2026, 1, 1)), today) == ["expired"]
    assert exclusions(p, vac("c", ["koken"], hours_min=32), today) == ["hours"]
    assert exclusions(p, vac("d", ["koken"], sector="zorg"), today) == ["sector"]
    assert exclusions(p, vac("e", ["koken"], location=leiden, hours_min=16, sector="horeca"), today) == []

    index = VacancyIndex(space)
    for v in [vac("a", ["koken"], location=amsterdam), vac("b", ["koken"], valid_through=date(2026, 1, 1)),
              vac("c", ["koken"], hours_min=32), vac("e", ["koken"], location=leiden)]:
        index.add(v)
    for _ in range(2):  # pending, then built
        res = index.rank(p, k=10, today=today)
        assert [m.vacancy_id for m in res.results] == ["e"]
        assert res.excluded == {"distance": 1, "expired": 1, "hours": 1}
        index.compact()


def test_index_finds_the_right_vacancies_and_follows_changes(space: SkillSpace) -> None:
    index = VacancyIndex(space)
    index.add(vac("weld", ["lassen", "tekening-lezen"], occ="lasser"))
    index.add(vac("cook", ["koken", "hygiene"], occ="kok"))
    index.add(vac("care", ["wassen", "rapporteren"], occ="verzorgende"))
    index.compact()
    welder = prof("lassen", "tekening-lezen", "metaal-snijden")
    assert index.rank(welder, k=1).results[0].vacancy_id == "weld"
    index.remove("weld")
    assert "weld" not in index and len(index) == 2
    assert [m.vacancy_id for m in index.rank(welder, k=3).results if m.vacancy_id == "weld"] == []
    index.update(vac("cook", ["lassen"], occ="lasser"))  # the cook vacancy became a welding job
    assert index.rank(welder, k=1).results[0].vacancy_id == "cook"
    before = [(m.vacancy_id, round(m.score, 6)) for m in index.rank(welder, k=3).results]
    index.compact()
    assert [(m.vacancy_id, round(m.score, 6)) for m in index.rank(welder, k=3).results] == before


def test_index_scores_equal_direct_scores(space: SkillSpace) -> None:
    vs = [vac("v1", ["lassen", "metaal-snijden"], ["samenwerken"], occ="lasser"),
          vac("v2", ["koken"], ["hygiene"], occ="kok"),
          vac("v3", ["serveren", "gasten"], occ="kelner"),
          vac("v4", ["tig-lassen", "tekening-lezen"])]
    index = VacancyIndex(space)
    for v in vs:
        index.add(v)
    index.compact()
    p = prof("mig-lassen", "serveren", "koken", "samenwerken")
    ranked = index.rank(p, k=4).results
    assert {m.vacancy_id: round(m.score, 6) for m in ranked} == {v.id: round(score(space, p, v).score, 6) for v in vs}


# ------------------------------------------------------------------------------ properties
skill_sets = st.sets(st.sampled_from(SKILLS), max_size=8)
occupations = st.sampled_from([None, "lasser", "constructiewerker", "kok", "kelner", "verzorgende"])


@st.composite
def vacancies(draw: st.DrawFn) -> Vacancy:
    ess = draw(st.sets(st.sampled_from(SKILLS), min_size=1, max_size=6))
    opt = draw(st.sets(st.sampled_from(SKILLS), max_size=3)) - ess
    reqs = [Requirement(s, True, draw(st.sampled_from([None, 1, 2, 3, 4])),
                        draw(st.sampled_from([0.5, 1.0, 2.0]))) for s in sorted(ess)]
    reqs += [Requirement(s, False) for s in sorted(opt)]
    return Vacancy("v", tuple(reqs), occupation_id=draw(occupations))


@st.composite
def profiles(draw: st.DrawFn) -> Profile:
    skills = draw(skill_sets)
    return Profile("p", tuple(ProfileSkill(s, draw(st.sampled_from([None, 1, 2, 3, 4])),
                                           last_used=draw(st.sampled_from([None, 2026, 2018, 2005])))
                              for s in sorted(skills)))


@settings(max_examples=300, deadline=None)
@given(p=profiles(), v=vacancies())
def test_score_is_in_range_and_the_explanation_adds_up(space: SkillSpace, p: Profile, v: Vacancy) -> None:
    r = score(space, p, v, 2026)
    assert 0.0 <= r.score <= 100.0 + 1e-9
    assert sum(r.points.values()) == pytest.approx(r.score)
    assert sum(m.points for m in r.matched) == pytest.approx(r.points["requirements"])
    assert all(0.0 <= m.credit <= 1.0 for m in r.matched)


@settings(max_examples=300, deadline=None)
@given(p=profiles(), v=vacancies(), data=st.data())
def test_adding_a_required_skill_never_lowers_the_score(space: SkillSpace, p: Profile, v: Vacancy,
                                                        data: st.DataObject) -> None:
    req = data.draw(st.sampled_from(v.requirements))
    level = data.draw(st.sampled_from([None, 1, 4]))
    have = {s.skill_id for s in p.skills}
    if req.skill_id in have:
        return
    more = Profile("p", (*p.skills, ProfileSkill(req.skill_id, level)))
    assert score(space, more, v, 2026).score >= score(space, p, v, 2026).score - 1e-9


@settings(max_examples=300, deadline=None)
@given(p=profiles(), v=vacancies(), data=st.data())
def test_removing_a_required_skill_never_raises_the_score(space: SkillSpace, p: Profile, v: Vacancy,
                                                          data: st.DataObject) -> None:
    required = {r.skill_id for r in v.requirements}
    mine = [s for s in p.skills if s.skill_id in required]
    if not mine:
        return
    drop = data.draw(st.sampled_from(mine))
    less = Profile("p", tuple(s for s in p.skills if s != drop))
    assert score(space, less, v, 2026).score <= score(space, p, v, 2026).score + 1e-9


def test_talent_pool_ranks_profiles_for_a_vacancy(space: SkillSpace) -> None:
    from matching.talent import ProfileIndex

    leiden, groningen = Location(52.16, 4.49), Location(53.22, 6.57)
    pool = [prof("lassen", "tekening-lezen", "metaal-snijden", pid="welder"),
            prof("mig-lassen", "samenwerken", pid="junior"),
            prof("koken", "hygiene", pid="cook"),
            prof("lassen", "tekening-lezen", pid="far", home=groningen, max_km=30),
            prof("lassen", pid="parttime", hours_max=16)]
    v = vac("v", ["lassen", "tekening-lezen"], ["samenwerken"], occ="lasser", location=leiden, hours_min=32)
    index = ProfileIndex(space, this_year=2026)
    for p in pool:
        index.add(p)
    for _ in range(2):  # pending, then built
        res = index.rank(v, k=3)
        assert [m.profile_id for m in res.results][:2] == ["welder", "junior"]
        assert res.excluded == {"distance": 1, "hours": 1}
        for m in res.results:
            direct = score(space, next(p for p in pool if p.id == m.profile_id), v, 2026)
            assert m.score == pytest.approx(direct.score)
        index.compact()
    index.remove("welder")
    assert index.rank(v, k=1).results[0].profile_id == "junior"


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), max_km=st.sampled_from([5.0, 20.0, 60.0]),
       hours_max=st.sampled_from([None, 16, 32]))
def test_index_top_k_equals_brute_force(space: SkillSpace, seed: int, max_km: float, hours_max: int | None) -> None:
    """The fast path (inverted index, latitude band, bounds) returns what scoring every vacancy would."""
    import random

    rnd = random.Random(seed)
    today = date(2026, 11, 23)
    vs = []
    for i in range(60):
        skills = rnd.sample(SKILLS, rnd.randint(1, 6))
        loc = None if rnd.random() < 0.2 else Location(rnd.uniform(51.8, 52.6), rnd.uniform(4.2, 5.2))
        vs.append(Vacancy(f"v{i:02d}", tuple(Requirement(s, rnd.random() < 0.8, rnd.choice([None, 2, 4]))
                                            for s in skills),
                          occupation_id=rnd.choice([None, "lasser", "kok", "kelner", "verzorgende"]), location=loc,
                          hours_min=rnd.choice([None, 8, 24, 36]),
                          valid_through=rnd.choice([None, date(2026, 1, 1), date(2027, 1, 1)])))
    index = VacancyIndex(space)
    for v in vs:
        index.add(v)
    index.compact()
    p = Profile("p", tuple(ProfileSkill(s, rnd.choice([None, 1, 3])) for s in rnd.sample(SKILLS, 4)),
                Preferences(home=Location(52.16, 4.49), max_km=max_km, hours_max=hours_max))
    got = index.rank(p, k=5, today=today)
    allowed = [v for v in vs if not exclusions(p, v, today)]
    want = sorted((score(space, p, v, 2026) for v in allowed), key=lambda m: (-m.score, m.vacancy_id))[:5]
    assert [round(m.score, 6) for m in got.results] == [round(m.score, 6) for m in want]
    first_reasons = Counter(exclusions(p, v, today)[0] for v in vs if exclusions(p, v, today))
    assert got.excluded == first_reasons


def test_embedding_similarity_gives_partial_credit() -> None:
    """With skill embeddings, a close skill earns some credit — less than any taxonomy link."""
    import numpy as np

    space = SkillSpace.from_taxonomy(tiny_taxonomy())
    vec = np.eye(space.n_skills, dtype=np.float32)
    i, j = space.column("koken"), space.column("hygiene")
    assert i is not None and j is not None
    vec[j] = (vec[i] * 0.95 + vec[j] * 0.31)
    vec /= np.linalg.norm(vec, axis=1, keepdims=True)
    assert space.add_similarity_links(vec, min_sim=0.8) == 2
    r = score(space, prof("koken"), vac("v", ["hygiene"]))
    m = r.matched[0]
    assert m.how == "similar" and m.via == "koken"
    assert 0 < m.credit <= 0.4 + 1e-6
    # the taxonomy's own link (narrower) is untouched
    assert score(space, prof("mig-lassen"), vac("v", ["lassen"])).matched[0].how == "narrower"

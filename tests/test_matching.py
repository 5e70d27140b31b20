"""The matching core on a tiny hand-made taxonomy: scores, explanations, filters, the index."""

from __future__ import annotations

import random
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


def similar_vectors() -> dict[str, list[float]]:
    """Concept vectors for the tiny taxonomy with a few skills close by meaning (and some not)."""
    return {"koken": [1, 0, 0, 0], "hygiene": [0.9, 0.44, 0, 0], "wassen": [0.3, 0.95, 0, 0],
            "serveren": [0, 0, 1, 0], "gasten": [0, 0, 0.95, 0.3], "lassen": [0, 0, 0, 1],
            "mig-lassen": [0, 0, 0.3, 0.95], "rapporteren": [0.2, 0.8, 0, 0.55]}


@pytest.fixture(scope="module", params=["taxonomy links", "with similar links"])
def space(request: pytest.FixtureRequest) -> SkillSpace:
    """Every promise is checked with the taxonomy's links alone and with the model's "similar" links."""
    import numpy as np

    from matching.space import SimilarityRule

    sp_ = SkillSpace.from_taxonomy(tiny_taxonomy())
    if request.param == "with similar links":
        vec = np.zeros((sp_.n_skills, 5), dtype=np.float32)
        vec[:, 4] = 1.0  # the rest: far from everything
        for s, v in similar_vectors().items():
            j = sp_.column(s)
            assert j is not None
            vec[j] = [*v, 0.0]
        vec /= np.linalg.norm(vec, axis=1, keepdims=True)
        assert sp_.add_similarity_links(vec, SimilarityRule(min_sim=0.6, per_skill=3)) > 0
    return sp_


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
    assert sum(m.points for m in r.matched) == pytest.approx(r.score)
    assert all(0.0 <= m.credit <= 1.0 for m in r.matched)
    # the counts the pages lead with agree with the lists they show
    assert r.essential_held + len(r.missing_essential) == r.essential_total == len(v.essential)
    assert r.optional_held + len(r.missing_optional) == r.optional_total
    assert r.essential_held == sum(1 for m in r.matched if m.essential and m.how in ("exact", "narrower"))


profile_skills = st.builds(ProfileSkill, st.sampled_from(SKILLS), st.sampled_from([None, 1, 2, 3, 4]),
                           last_used=st.sampled_from([None, 2026, 2018, 2005]))


@settings(max_examples=500, deadline=None)
@given(p=profiles(), v=vacancies(), extra=profile_skills)
def test_learning_a_skill_never_lowers_any_score(space: SkillSpace, p: Profile, v: Vacancy,
                                                 extra: ProfileSkill) -> None:
    """Any skill, at any level and of any age, also a second entry of one the person has."""
    more = Profile("p", (*p.skills, extra))
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


@settings(max_examples=500, deadline=None)
@given(p=profiles(), q=profiles(), v=vacancies())
def test_holding_more_must_haves_always_ranks_higher(space: SkillSpace, p: Profile, q: Profile,
                                                     v: Vacancy) -> None:
    """Must-haves first: whatever else two people know, at whatever level and age, the one who holds
    more of the vacancy's must-haves scores higher; holding all of them beats missing any."""
    a, b = score(space, p, v, 2026), score(space, q, v, 2026)
    if a.essential_held > b.essential_held:
        assert a.score > b.score
    if a.all_essential:
        assert a.score >= 100.0 * a.essential_total / (a.essential_total + 1) - 1e-9


@settings(max_examples=300, deadline=None)
@given(v=vacancies(), data=st.data())
def test_related_skills_never_outrank_the_must_have_itself(space: SkillSpace, v: Vacancy,
                                                           data: st.DataObject) -> None:
    """A person who misses a must-have but has every skill that counts partly for it (broader,
    related) ranks below the same person holding it."""
    full = [r.skill_id for r in v.essential]
    gone = data.draw(st.sampled_from(full))
    j = space.column(gone)
    assert j is not None
    a, b = space.links_in.indptr[j], space.links_in.indptr[j + 1]
    partial = [space.skill_ids[i] for i, how in zip(space.links_in.indices[a:b], space.link_how_in.data[a:b],
                                                     strict=True) if how >= 2]
    rest = data.draw(st.lists(st.sampled_from(SKILLS), max_size=4))
    holder = Profile("a", tuple(ProfileSkill(s) for s in [*full, *rest]))
    misser = Profile("b", tuple(ProfileSkill(s) for s in [*full, *rest, *partial] if s != gone))
    if gone in rest:
        return
    assert score(space, holder, v, 2026).score > score(space, misser, v, 2026).score


def test_the_issue_example_twelve_of_thirteen_beats_six_missing() -> None:
    """The walk of the issue: 12 of 13 must-haves above 7 of 13, however much the latter knows besides."""
    tax = Taxonomy()
    names = [f"s{i:02d}" for i in range(40)]
    for n in names:
        tax.add(Concept(id=n, kind="skill", pref={"nl": n}))
    tax.add(Concept(id="occ", kind="occupation", pref={"nl": "occ"}, code="5321"))
    tax.occupation_skills["occ"] = dict.fromkeys(names[:20], "essential")
    sp13 = SkillSpace.from_taxonomy(tax)
    v = vac("v", names[:13], occ="occ")
    twelve = score(sp13, prof(*names[:12], *names[20:40]), v)  # a second trade besides
    seven = score(sp13, prof(*names[:7], *names[13:20]), v)  # a specialist who misses six
    assert (twelve.essential_held, seven.essential_held) == (12, 7)
    assert twelve.score > seven.score
    assert twelve.missing_essential == [names[12]]


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


def _random_vacancies(rnd: random.Random, n: int) -> list[Vacancy]:
    out = []
    for i in range(n):
        skills = rnd.sample(SKILLS, rnd.randint(1, 6))
        loc = None if rnd.random() < 0.2 else Location(rnd.uniform(51.8, 52.6), rnd.uniform(4.2, 5.2))
        out.append(Vacancy(f"v{i:02d}", tuple(Requirement(s, rnd.random() < 0.8, rnd.choice([None, 2, 4]),
                                                          rnd.choice([1.0, 1.0, 0.5, 2.0])) for s in skills),
                           occupation_id=rnd.choice([None, "lasser", "kok", "kelner", "verzorgende"]), location=loc,
                           hours_min=rnd.choice([None, 8, 24, 36]), hours_max=rnd.choice([None, 24, 40]),
                           sector=rnd.choice([None, "zorg", "horeca", "techniek"]),
                           valid_through=rnd.choice([None, date(2026, 1, 1), date(2027, 1, 1)])))
    return out


def _random_profile(rnd: random.Random, pid: str) -> Profile:
    skills = tuple(ProfileSkill(s, rnd.choice([None, 1, 3]), last_used=rnd.choice([None, 2026, 2012]))
                   for s in rnd.sample(SKILLS, rnd.randint(0, 6)))
    home = None if rnd.random() < 0.3 else Location(rnd.uniform(51.8, 52.6), rnd.uniform(4.2, 5.2))
    return Profile(pid, skills, Preferences(home=home, max_km=rnd.choice([None, 5.0, 20.0, 60.0]),
                                            hours_max=rnd.choice([None, 16, 32]), hours_min=rnd.choice([None, 20]),
                                            sectors=rnd.choice([(), ("zorg",), ("horeca", "techniek")])))


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 100_000), built=st.booleans(), k=st.sampled_from([1, 3, 5, 60]),
       by=st.sampled_from(["order", "score"]))
def test_vacancy_index_top_k_equals_brute_force(space: SkillSpace, seed: int, built: bool, k: int, by: str) -> None:
    """The fast path (inverted index, latitude cells, bounds) returns what scoring every vacancy would,
    in the job seeker's order (or by score), ties by id; and the same exclusion counts."""
    rnd = random.Random(seed)
    today = date(2026, 11, 23)
    vs = _random_vacancies(rnd, 60)
    index = VacancyIndex(space)
    for v in vs:
        index.add(v)
    if built:
        index.compact()
    p = _random_profile(rnd, "p")
    got = index.rank(p, k=k, today=today, by=by)  # type: ignore[arg-type]
    allowed = [v for v in vs if not exclusions(p, v, today)]
    want = sorted((score(space, p, v, 2026) for v in allowed),
                  key=lambda m: (-(m.order if by == "order" else m.score / 100), m.vacancy_id))[:k]
    assert [(m.vacancy_id, round(m.score, 6)) for m in got.results] == \
        [(m.vacancy_id, round(m.score, 6)) for m in want]
    first_reasons = Counter(exclusions(p, v, today)[0] for v in vs if exclusions(p, v, today))
    assert got.excluded == first_reasons


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 100_000), built=st.booleans(), k=st.sampled_from([1, 3, 5, 60]))
def test_profile_index_top_k_equals_brute_force(space: SkillSpace, seed: int, built: bool, k: int) -> None:
    """The talent pool returns what scoring every profile would (those with a score above 0, best
    first, ties by id), and counts the fitting profiles each constraint ruled out."""
    from matching.talent import ProfileIndex

    rnd = random.Random(seed)
    today = date(2026, 11, 23)
    pool = [_random_profile(rnd, f"p{i:02d}") for i in range(60)]
    index = ProfileIndex(space, this_year=2026)
    for p in pool:
        index.add(p)
    if built:
        index.compact()
    v = _random_vacancies(rnd, 1)[0]
    got = index.rank(v, k=k, today=today)

    def reasons(p: Profile) -> list[str]:
        return [x for x in exclusions(p, v, today) if x != "expired"]

    fitting = [(p, score(space, p, v, 2026)) for p in pool]
    fitting = [(p, r) for p, r in fitting if r.score > 0]
    want = sorted((r for p, r in fitting if not reasons(p)), key=lambda m: (-m.score, m.profile_id))[:k]
    assert [(m.profile_id, round(m.score, 6)) for m in got.results] == \
        [(m.profile_id, round(m.score, 6)) for m in want]
    assert got.excluded == Counter(reasons(p)[0] for p, _ in fitting if reasons(p))


@settings(max_examples=150, deadline=None)
@given(vs=st.lists(vacancies(), max_size=4), ps=st.lists(profiles(), max_size=4), built=st.booleans(),
       unknown=st.booleans())
def test_any_profile_against_any_index_answers(space: SkillSpace, vs: list[Vacancy], ps: list[Profile],
                                               built: bool, unknown: bool) -> None:
    """No crash for skills no vacancy asks, empty indexes, empty profiles or skills the taxonomy does
    not know (the `tom match rank` crash of the issue): the answer may be empty, never an error."""
    from matching.talent import ProfileIndex

    space = SkillSpace.from_taxonomy(tiny_taxonomy())  # unknown skills grow the space: a fresh one
    extra = (ProfileSkill("elders-onbekend"),) if unknown else ()
    vindex, pindex = VacancyIndex(space), ProfileIndex(space, this_year=2026)
    for i, v in enumerate(vs):
        vindex.add(Vacancy(f"v{i}", v.requirements, occupation_id=v.occupation_id))
    for i, p in enumerate(ps):
        pindex.add(Profile(f"p{i}", p.skills + extra))
    if built:
        vindex.compact()
        pindex.compact()
    for p in [*ps, Profile("x", extra), prof("koken")]:
        res = vindex.rank(Profile(p.id, p.skills + extra), k=3)
        assert len(res.results) <= min(3, len(vs))
    for v in [*vs, vac("w", ["lassen"])]:
        assert len(pindex.rank(v, k=3).results) <= min(3, len(ps))


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 100_000))
def test_a_fully_met_vacancy_is_never_hidden_without_saying_so(space: SkillSpace, seed: int) -> None:
    """In a job seeker's list, every vacancy that misses a must-have and stands above one whose
    must-haves are all held is flagged (the page then says so); and only those."""
    from matching.scoring import ahead_of_full

    rnd = random.Random(seed)
    index = VacancyIndex(space)
    for v in _random_vacancies(rnd, 40):
        index.add(v)
    index.compact()
    res = index.rank(_random_profile(rnd, "p"), k=40, apply_filters=False).results
    flagged = ahead_of_full(res)
    for i, r in enumerate(res):
        below_full = any(x.all_essential for x in res[i + 1:])
        assert (r.vacancy_id in flagged) == (below_full and not r.all_essential)


def test_rank_answers_a_profile_whose_skills_no_vacancy_asks(space: SkillSpace) -> None:
    """The issue's reproduction: one vacancy plus a profile with one unrelated skill."""
    index = VacancyIndex(space)
    index.add(vac("v", ["lassen"]))
    index.compact()
    res = index.rank(prof("koken"), k=5).results
    assert [(m.vacancy_id, m.score) for m in res] == [("v", 0.0)]


def test_embedding_similarity_gives_partial_credit() -> None:
    """With skill embeddings, a close skill earns some credit — less than any taxonomy link."""
    import numpy as np

    from matching.space import SimilarityRule

    space = SkillSpace.from_taxonomy(tiny_taxonomy())
    vec = np.eye(space.n_skills, dtype=np.float32)
    i, j = space.column("koken"), space.column("hygiene")
    assert i is not None and j is not None
    vec[j] = (vec[i] * 0.95 + vec[j] * 0.31)
    vec /= np.linalg.norm(vec, axis=1, keepdims=True)
    assert space.add_similarity_links(vec, SimilarityRule(min_sim=0.8)) == 2
    r = score(space, prof("koken"), vac("v", ["hygiene"]))
    m = r.matched[0]
    assert m.how == "similar" and m.via == "koken"
    assert 0 < m.credit <= 0.4 + 1e-6
    # the taxonomy's own link (narrower) is untouched
    assert score(space, prof("mig-lassen"), vac("v", ["lassen"])).matched[0].how == "narrower"

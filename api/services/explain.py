"""Turn the matching core's results into the API's explanation models, with labels in the user's language."""

from __future__ import annotations

from collections.abc import Callable

from api import models as t
from api.services.hub import Hub
from matching.scoring import MatchResult
from matching.training import TrainingPlan

Ref = Callable[[str], t.ConceptRef]


def refs(hub: Hub, lang: str) -> Ref:
    """A function concept id -> ConceptRef in ``lang``.

    A page of matches names hundreds of concepts, most of them many times: the taxonomy is looked
    up once and each concept's ref is made once (they are only read, then serialised).
    """
    concepts = hub.taxonomy.taxonomy.concepts
    made: dict[str, t.ConceptRef] = {}

    def ref(concept_id: str) -> t.ConceptRef:
        got = made.get(concept_id)
        if got is None:
            c = concepts.get(concept_id)
            got = made[concept_id] = t.ConceptRef(id=concept_id, label=(c.label(lang) if c else None) or concept_id)
        return got

    return ref


def explanation(hub: Hub, r: MatchResult, lang: str, ref: Ref | None = None) -> t.Explanation:
    ref = ref or refs(hub, lang)
    return t.Explanation(
        score=round(r.score, 1), must_haves_held=r.essential_held, must_haves=r.essential_total,
        nice_to_haves_held=r.optional_held, nice_to_haves=r.optional_total,
        requirements=round(r.requirements, 3), usage=round(r.usage, 3),
        family=round(r.family, 3), points={k: round(v, 2) for k, v in r.points.items()},
        matched=[t.MatchedSkill(skill=ref(m.skill_id), essential=m.essential, credit=round(m.credit, 3),
                                how=m.how, held=m.held, via=ref(m.via) if m.via else None, points=round(m.points, 2))
                 for m in r.matched],
        missing_essential=[ref(s) for s in r.missing_essential],
        missing_optional=[ref(s) for s in r.missing_optional])


def training(hub: Hub, plan: TrainingPlan, lang: str, ref: Ref | None = None) -> t.TrainingPublic:
    ref = ref or refs(hub, lang)
    teaches: dict[str, list[str]] = {}
    for skill, mod in plan.covered.items():
        teaches.setdefault(mod, []).append(skill)
    return t.TrainingPublic(
        modules=[t.TrainingModulePublic(id=m.id, name=m.name_en if lang == "en" and m.name_en else m.name,
                                        hours=m.hours, weeks=m.weeks, level=m.level, format=m.format,
                                        certificate=m.certificate,
                                        teaches=[ref(s) for s in teaches.get(m.id, [])])
                 for m in plan.modules],
        hours=plan.hours, uncovered=[ref(s) for s in plan.uncovered])

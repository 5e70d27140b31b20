"""Turn the matching core's results into the API's explanation models, with labels in the user's language."""

from __future__ import annotations

from api import models as t
from api.services.hub import Hub
from matching.scoring import MatchResult
from matching.training import TrainingPlan


def ref(hub: Hub, concept_id: str, lang: str) -> t.ConceptRef:
    return t.ConceptRef(id=concept_id, label=hub.label(concept_id, lang) or concept_id)


def explanation(hub: Hub, r: MatchResult, lang: str) -> t.Explanation:
    return t.Explanation(
        score=round(r.score, 1), requirements=round(r.requirements, 3), usage=round(r.usage, 3),
        family=round(r.family, 3), points={k: round(v, 2) for k, v in r.points.items()},
        matched=[t.MatchedSkill(skill=ref(hub, m.skill_id, lang), essential=m.essential, credit=round(m.credit, 3),
                                how=m.how, via=ref(hub, m.via, lang) if m.via else None, points=round(m.points, 2))
                 for m in r.matched],
        missing_essential=[ref(hub, s, lang) for s in r.missing_essential],
        missing_optional=[ref(hub, s, lang) for s in r.missing_optional])


def training(hub: Hub, plan: TrainingPlan, lang: str) -> t.TrainingPublic:
    teaches: dict[str, list[str]] = {}
    for skill, mod in plan.covered.items():
        teaches.setdefault(mod, []).append(skill)
    return t.TrainingPublic(
        modules=[t.TrainingModulePublic(id=m.id, name=m.name_en if lang == "en" and m.name_en else m.name,
                                        hours=m.hours, weeks=m.weeks, level=m.level, format=m.format,
                                        certificate=m.certificate,
                                        teaches=[ref(hub, s, lang) for s in teaches.get(m.id, [])])
                 for m in plan.modules],
        hours=plan.hours, uncovered=[ref(hub, s, lang) for s in plan.uncovered])

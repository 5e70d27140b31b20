"""Health and skill/occupation lookup endpoints."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy import text

from api.deps import SessionDep, SuggestLimit, TaxonomyDep
from taxonomy.normaliser import Match

router = APIRouter()


class Health(BaseModel):
    status: Literal["ok"]
    database: Literal["ok"]
    skills: int
    occupations: int


class ConceptMatch(BaseModel):
    id: str = Field(description="Concept id: the ESCO URI where one exists, else tom:skill/… or tom:occupation/…")
    label: str
    score: float = Field(ge=0, le=1, description="Calibrated confidence: ≥ 0.8 sure, 0.4–0.8 'bedoelt u …?'")
    matched_label: str
    how: str
    span: list[int] | None = None
    evidence: str | None = None


class ExtractRequest(BaseModel):
    text: str = Field(min_length=1, max_length=50_000)
    top: int = Field(default=20, ge=1, le=100)
    lang: Literal["nl", "en"] = "nl"


def _out(matches: list[Match]) -> list[ConceptMatch]:
    return [ConceptMatch(id=m.concept_id, label=m.label, score=m.score, matched_label=m.matched_label,
                         how=m.how, span=list(m.span) if m.span else None, evidence=m.evidence) for m in matches]


Q = Annotated[str, Query(min_length=1, max_length=200, description="What the user typed")]
Top = Annotated[int, Query(ge=1, le=50)]
Lang = Annotated[Literal["nl", "en"], Query()]


@router.get("/health", response_model=Health)
def health(tax: TaxonomyDep, db: SessionDep) -> Health:
    """200 when the taxonomy is loaded and the database answers; 503 when the database does not."""
    db.exec(text("SELECT 1"))  # type: ignore[call-overload]
    counts = tax.taxonomy.counts()
    return Health(status="ok", database="ok", skills=counts.get("skill", 0), occupations=counts.get("occupation", 0))


@router.get("/skills/suggest", response_model=list[ConceptMatch], dependencies=[SuggestLimit])
def suggest_skills(tax: TaxonomyDep, q: Q, top: Top = 10, lang: Lang = "nl") -> list[ConceptMatch]:
    return _out(tax.suggest_skills(q, top, lang))


@router.post("/skills/extract", response_model=list[ConceptMatch], dependencies=[SuggestLimit])
def extract_skills(tax: TaxonomyDep, body: ExtractRequest) -> list[ConceptMatch]:
    return _out(tax.extract_skills(body.text, body.top, body.lang))


@router.get("/occupations/suggest", response_model=list[ConceptMatch], dependencies=[SuggestLimit])
def suggest_occupations(tax: TaxonomyDep, q: Q, top: Top = 10, lang: Lang = "nl") -> list[ConceptMatch]:
    return _out(tax.suggest_occupations(q, top, lang))

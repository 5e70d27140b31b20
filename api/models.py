"""Database tables (SQLModel) and the API's request/response models.

Families follow one pattern: ``XBase`` (shared fields), ``X`` (the table), ``XCreate``/``XUpdate`` (input),
``XPublic`` (output). Times are aware UTC. Concept ids are taxonomy ids (ESCO URI or ``tom:skill/<slug>``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Generic, Literal, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, EmailStr, field_validator, model_validator
from pydantic import Field as PField
from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

T = TypeVar("T")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Role(StrEnum):
    jobseeker = "jobseeker"
    employer = "employer"
    coach = "coach"
    admin = "admin"


class IntroStatus(StrEnum):
    proposed = "proposed"
    candidate_agreed = "candidate_agreed"
    introduced = "introduced"
    interview = "interview"
    hired = "hired"
    declined = "declined"
    withdrawn = "withdrawn"


# Which step may follow which; declined/withdrawn/hired end the pipeline.
INTRO_NEXT: dict[IntroStatus, set[IntroStatus]] = {
    IntroStatus.proposed: {IntroStatus.candidate_agreed, IntroStatus.declined, IntroStatus.withdrawn},
    IntroStatus.candidate_agreed: {IntroStatus.introduced, IntroStatus.declined, IntroStatus.withdrawn},
    IntroStatus.introduced: {IntroStatus.interview, IntroStatus.hired, IntroStatus.declined, IntroStatus.withdrawn},
    IntroStatus.interview: {IntroStatus.hired, IntroStatus.declined, IntroStatus.withdrawn},
    IntroStatus.hired: set(),
    IntroStatus.declined: set(),
    IntroStatus.withdrawn: set(),
}

SECTORS = ("techniek", "horeca", "zorg")
SALARY_PERIODS = ("HOUR", "DAY", "WEEK", "MONTH", "YEAR")  # schema.org unitText of a baseSalary
SalaryPeriod = Literal["HOUR", "DAY", "WEEK", "MONTH", "YEAR"]
PHONE = r"^\+?[0-9][0-9 ()./-]{5,38}$"  # digits with the usual separators; no letters
SKILL_SOURCES = ("work", "education", "volunteering", "other")
CONSENT_KINDS = ("terms", "talent_pool", "employer_visibility")


# --------------------------------------------------------------------------- tables
class Organisation(SQLModel, table=True):
    __tablename__ = "organisations"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, index=True)
    email: str | None = Field(default=None, max_length=254)
    place: str | None = Field(default=None, max_length=100)
    created_at: datetime = Field(default_factory=utcnow)


class User(SQLModel, table=True):
    __tablename__ = "users"
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    password_hash: str = Field(max_length=255)
    role: str = Field(max_length=16, index=True)
    name: str = Field(default="", max_length=200)
    language: str = Field(default="nl", max_length=5)
    phone: str | None = Field(default=None, max_length=40)  # shown to an employer only after an agreed introduction
    organisation_id: int | None = Field(default=None, foreign_key="organisations.id", index=True)
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    last_active_at: datetime = Field(default_factory=utcnow, index=True)
    inactive_notice_at: datetime | None = None


class LoginSession(SQLModel, table=True):
    """A browser session: the cookie carries a random token, the table only its hash."""

    __tablename__ = "login_sessions"
    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_tokens"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    name: str = Field(default="", max_length=100)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime | None = None
    last_used_at: datetime | None = None


class PasswordReset(SQLModel, table=True):
    __tablename__ = "password_resets"
    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None


class LoginAttempt(SQLModel, table=True):
    """Failed logins, per key (``email:...`` or ``ip:...``), for rate limiting across processes."""

    __tablename__ = "login_attempts"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=300, index=True)
    at: datetime = Field(default_factory=utcnow, index=True)


class Profile(SQLModel, table=True):
    __tablename__ = "profiles"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", unique=True, ondelete="CASCADE")
    ref: str = Field(max_length=32, unique=True, index=True)  # opaque id employers see
    about: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    postcode: str | None = Field(default=None, max_length=7)
    place: str | None = Field(default=None, max_length=100)
    lat: float | None = None
    lon: float | None = None
    max_km: float | None = None
    hours_min: int | None = None
    hours_max: int | None = None
    sectors: str = Field(default="", max_length=100)  # comma-separated
    available_from: date | None = None
    in_talent_pool: bool = Field(default=False, index=True)
    visible_to_employers: bool = False
    # Opt-in vacancy alert (`tom notify`); the token makes the unsubscribe link work without logging in.
    alerts_enabled: bool = Field(default=False, index=True)
    alert_token: str | None = Field(default=None, max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = 1


class ProfileSkill(SQLModel, table=True):
    __tablename__ = "profile_skills"
    __table_args__ = (UniqueConstraint("profile_id", "concept_id"),)
    id: int | None = Field(default=None, primary_key=True)
    profile_id: int = Field(foreign_key="profiles.id", index=True, ondelete="CASCADE")
    concept_id: str = Field(max_length=255)
    level: int | None = None
    source: str = Field(default="other", max_length=16)
    last_used: int | None = None
    added_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class SkillEvent(SQLModel, table=True):
    """History of a profile's skills: what was added, changed or removed, when and by whom."""

    __tablename__ = "skill_events"
    id: int | None = Field(default=None, primary_key=True)
    profile_id: int = Field(foreign_key="profiles.id", index=True, ondelete="CASCADE")
    concept_id: str = Field(max_length=255)
    action: str = Field(max_length=16)  # added, changed, removed
    level: int | None = None
    at: datetime = Field(default_factory=utcnow)
    actor_id: int | None = None


class Vacancy(SQLModel, table=True):
    __tablename__ = "vacancies"
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisations.id", index=True, ondelete="CASCADE")
    identifier: str | None = Field(default=None, max_length=200, unique=True)  # external id (JobPosting)
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    occupation_id: str | None = Field(default=None, max_length=255)
    sector: str | None = Field(default=None, max_length=16, index=True)
    postcode: str | None = Field(default=None, max_length=7)
    place: str | None = Field(default=None, max_length=100)
    lat: float | None = None
    lon: float | None = None
    hours_min: int | None = None
    hours_max: int | None = None
    valid_through: date | None = None
    # schema.org JobPosting baseSalary (MonetaryAmount: minValue, maxValue, unitText) and how to apply
    # (applicationContact, url, directApply).
    salary_min: float | None = None
    salary_max: float | None = None
    salary_currency: str | None = Field(default=None, max_length=3)
    salary_period: str | None = Field(default=None, max_length=8)  # HOUR, DAY, WEEK, MONTH, YEAR
    apply_url: str | None = Field(default=None, max_length=500)
    apply_email: str | None = Field(default=None, max_length=254)
    apply_phone: str | None = Field(default=None, max_length=40)
    apply_contact: str | None = Field(default=None, max_length=200)  # a name or instructions
    direct_apply: bool | None = None
    status: str = Field(default="open", max_length=16, index=True)  # open, closed
    content_hash: str | None = Field(default=None, max_length=40)  # of the imported posting: re-imports skip it
    created_by: int | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = 1


class VacancySkill(SQLModel, table=True):
    __tablename__ = "vacancy_skills"
    __table_args__ = (UniqueConstraint("vacancy_id", "concept_id"),)
    id: int | None = Field(default=None, primary_key=True)
    vacancy_id: int = Field(foreign_key="vacancies.id", index=True, ondelete="CASCADE")
    concept_id: str = Field(max_length=255)
    essential: bool = True
    min_level: int | None = None
    weight: float = 1.0
    evidence: str | None = Field(default=None, max_length=500)


class Consent(SQLModel, table=True):
    """Every consent given or withdrawn, with time and the version of the wording shown."""

    __tablename__ = "consents"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=32)
    granted: bool
    wording_version: str = Field(max_length=32)
    at: datetime = Field(default_factory=utcnow)


class Introduction(SQLModel, table=True):
    __tablename__ = "introductions"
    id: int | None = Field(default=None, primary_key=True)
    # SET NULL on erasure: the pipeline's counts stay, the person is gone.
    profile_id: int | None = Field(default=None, foreign_key="profiles.id", index=True, ondelete="SET NULL")
    vacancy_id: int | None = Field(default=None, foreign_key="vacancies.id", index=True, ondelete="SET NULL")
    sector: str | None = Field(default=None, max_length=16)
    requested_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    status: str = Field(default=IntroStatus.proposed.value, max_length=20, index=True)
    message: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))  # coach to candidate
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = 1


class IntroductionEvent(SQLModel, table=True):
    __tablename__ = "introduction_events"
    id: int | None = Field(default=None, primary_key=True)
    introduction_id: int = Field(foreign_key="introductions.id", index=True, ondelete="CASCADE")
    status: str = Field(max_length=20)
    at: datetime = Field(default_factory=utcnow)
    actor_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    actor_role: str = Field(default="", max_length=16)
    reason: str | None = Field(default=None, max_length=500)  # e.g. why a candidate said no, or an undo


class Note(SQLModel, table=True):
    __tablename__ = "notes"
    id: int | None = Field(default=None, primary_key=True)
    author_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    profile_id: int | None = Field(default=None, foreign_key="profiles.id", index=True, ondelete="CASCADE")
    vacancy_id: int | None = Field(default=None, foreign_key="vacancies.id", index=True, ondelete="CASCADE")
    introduction_id: int | None = Field(default=None, foreign_key="introductions.id", index=True,
                                        ondelete="CASCADE")
    text: str = Field(sa_column=Column(Text, nullable=False))
    shared: bool = False  # also readable by the person it is about (the coach chooses per note)
    created_at: datetime = Field(default_factory=utcnow)


class Interest(SQLModel, table=True):
    """A job seeker said "Ik heb interesse" in a vacancy; taking it back deletes the row."""

    __tablename__ = "interests"
    __table_args__ = (UniqueConstraint("profile_id", "vacancy_id", name="uq_interest"),)
    id: int | None = Field(default=None, primary_key=True)
    profile_id: int = Field(foreign_key="profiles.id", index=True, ondelete="CASCADE")
    vacancy_id: int = Field(foreign_key="vacancies.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow)


class ShortlistEntry(SQLModel, table=True):
    """A coach's saved shortlist of candidates for a vacancy, shared between coaches."""

    __tablename__ = "shortlist_entries"
    __table_args__ = (UniqueConstraint("vacancy_id", "profile_id", name="uq_shortlist"),)
    id: int | None = Field(default=None, primary_key=True)
    vacancy_id: int = Field(foreign_key="vacancies.id", index=True, ondelete="CASCADE")
    profile_id: int = Field(foreign_key="profiles.id", index=True, ondelete="CASCADE")
    added_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)


class AlertSent(SQLModel, table=True):
    """Which vacancy the vacancy alert has mailed to which profile: never the same one twice."""

    __tablename__ = "alerts_sent"
    __table_args__ = (UniqueConstraint("profile_id", "vacancy_id", name="uq_alert_sent"),)
    id: int | None = Field(default=None, primary_key=True)
    profile_id: int = Field(foreign_key="profiles.id", index=True, ondelete="CASCADE")
    vacancy_id: int = Field(foreign_key="vacancies.id", index=True, ondelete="CASCADE")
    sent_at: datetime = Field(default_factory=utcnow)


class AuditEntry(SQLModel, table=True):
    """Who saw or changed personal data. Holds ids and an action, never the data itself."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_subject", "subject_type", "subject_id"),)
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor_id: int | None = None
    actor_role: str = Field(default="", max_length=16)
    action: str = Field(max_length=32)
    subject_type: str = Field(max_length=32)
    subject_id: int | None = None


class Change(SQLModel, table=True):
    """Append-only change feed: every process applies new rows to its in-memory matching indexes."""

    __tablename__ = "changes"
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)  # vacancy, profile
    entity_id: int
    at: datetime = Field(default_factory=utcnow)


class Counter(SQLModel, table=True):
    """Aggregate counts that outlive erased accounts (e.g. accounts erased per month)."""

    __tablename__ = "counters"
    name: str = Field(primary_key=True, max_length=64)
    value: int = 0


# --------------------------------------------------------------------------- API models
class Problem(BaseModel):
    detail: str


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    offset: int
    limit: int


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: EmailStr
    password: str = PField(min_length=10, max_length=200)
    name: str = PField(default="", max_length=200)
    role: Role = Role.jobseeker
    organisation_name: str | None = PField(default=None, min_length=2, max_length=200)
    language: str = PField(default="nl", pattern="^(nl|en)$")
    accept_terms: bool = False


class UserPublic(BaseModel):
    id: int
    email: str
    name: str
    role: Role
    language: str
    organisation_id: int | None
    created_at: datetime


class Login(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = PField(max_length=254)
    password: str = PField(max_length=200)


class LoginResult(BaseModel):
    user: UserPublic
    csrf_token: str


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = PField(max_length=254)
    password: str = PField(max_length=200)
    name: str = PField(default="", max_length=100)
    days: int = PField(default=90, ge=1, le=365)


class TokenPublic(BaseModel):
    id: int
    name: str
    token: str | None = None  # only once, when created
    created_at: datetime
    expires_at: datetime | None


class ResetRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = PField(max_length=254)


class ResetConfirm(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: str = PField(min_length=10, max_length=200)
    password: str = PField(min_length=10, max_length=200)


class SkillItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    concept_id: str = PField(min_length=1, max_length=255)
    level: int | None = PField(default=None, ge=1, le=4)
    source: str = PField(default="other", pattern="^(work|education|volunteering|other)$")
    last_used: int | None = PField(default=None, ge=1950, le=2100)


class SkillItemPublic(SkillItemIn):
    label: str
    updated_at: datetime


class ProfileUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    about: str | None = PField(default=None, max_length=5000)
    postcode: str | None = PField(default=None, max_length=7)
    place: str | None = PField(default=None, max_length=100)
    max_km: float | None = PField(default=None, gt=0, le=500)
    hours_min: int | None = PField(default=None, ge=0, le=60)
    hours_max: int | None = PField(default=None, ge=0, le=60)
    sectors: list[str] | None = None
    available_from: date | None = None
    skills: list[SkillItemIn] | None = PField(default=None, max_length=300)
    version: int | None = PField(default=None, ge=1, le=2_147_483_647)  # optimistic lock: the version last seen

    @field_validator("sectors")
    @classmethod
    def _sectors(cls, v: list[str] | None) -> list[str] | None:
        if v is not None:
            bad = [s for s in v if s not in SECTORS]
            if bad:
                raise ValueError(f"unknown sector {bad[0]!r}; use {', '.join(SECTORS)}")
        return v


class ProfilePublic(BaseModel):
    id: int
    ref: str
    about: str
    postcode: str | None
    place: str | None
    max_km: float | None
    hours_min: int | None
    hours_max: int | None
    sectors: list[str]
    available_from: date | None
    in_talent_pool: bool
    visible_to_employers: bool
    skills: list[SkillItemPublic]
    created_at: datetime
    updated_at: datetime
    version: int


class ConsentUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    talent_pool: bool | None = None
    employer_visibility: bool | None = None


class ConsentPublic(BaseModel):
    kind: str
    granted: bool
    wording_version: str
    at: datetime


class RequirementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    concept_id: str = PField(min_length=1, max_length=255)
    essential: bool = True
    min_level: int | None = PField(default=None, ge=1, le=4)
    weight: float = PField(default=1.0, gt=0, le=10)


class RequirementPublic(RequirementIn):
    label: str
    evidence: str | None = None


class VacancyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = PField(min_length=2, max_length=200)
    description: str = PField(default="", max_length=20000)
    occupation_id: str | None = PField(default=None, max_length=255)
    sector: str | None = None
    postcode: str | None = PField(default=None, max_length=7)
    place: str | None = PField(default=None, max_length=100)
    hours_min: int | None = PField(default=None, ge=0, le=60)
    hours_max: int | None = PField(default=None, ge=0, le=60)
    valid_through: date | None = None
    requirements: list[RequirementIn] = PField(default_factory=list, max_length=100)
    organisation_id: int | None = PField(default=None, ge=1, le=2_147_483_647)  # coaches and admins post for one
    # Salary (JobPosting baseSalary): gross amounts per period; the currency defaults to euro.
    salary_min: float | None = PField(default=None, gt=0, le=10_000_000)
    salary_max: float | None = PField(default=None, gt=0, le=10_000_000)
    salary_currency: str | None = PField(default=None, pattern="^[A-Z]{3}$")
    salary_period: SalaryPeriod | None = None
    # How to apply (JobPosting url / applicationContact / directApply).
    apply_url: str | None = PField(default=None, max_length=500)
    apply_email: EmailStr | None = PField(default=None, max_length=254)
    apply_phone: str | None = PField(default=None, max_length=40, pattern=PHONE)
    apply_contact: str | None = PField(default=None, max_length=200)
    direct_apply: bool | None = None

    @field_validator("sector")
    @classmethod
    def _sector(cls, v: str | None) -> str | None:
        if v is not None and v not in SECTORS:
            raise ValueError(f"unknown sector {v!r}; use {', '.join(SECTORS)}")
        return v

    @field_validator("apply_url")
    @classmethod
    def _web_address(cls, v: str | None) -> str | None:
        if v is None:
            return None
        parts = urlsplit(v.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in v.strip()):
            raise ValueError("apply_url must be an http or https address")
        return v.strip()

    @model_validator(mode="after")
    def _salary(self) -> VacancyIn:
        lo, hi = self.salary_min, self.salary_max
        if lo is not None and hi is not None and lo > hi:
            raise ValueError("salary_min is more than salary_max")
        if (lo is not None or hi is not None) and self.salary_period is None:
            raise ValueError("salary_period is needed with a salary (HOUR, DAY, WEEK, MONTH or YEAR)")
        return self


class VacancyPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: str | None = PField(default=None, pattern="^(open|closed)$")
    version: int | None = PField(default=None, ge=1, le=2_147_483_647)


class VacancyPublic(BaseModel):
    id: int
    organisation_id: int
    organisation: str
    identifier: str | None
    title: str
    description: str
    occupation_id: str | None
    occupation: str | None
    sector: str | None
    postcode: str | None
    place: str | None
    hours_min: int | None
    hours_max: int | None
    valid_through: date | None
    salary_min: float | None = None
    salary_max: float | None = None
    salary_currency: str | None = None
    salary_period: str | None = None
    apply_url: str | None = None
    apply_email: str | None = None
    apply_phone: str | None = None
    apply_contact: str | None = None
    direct_apply: bool | None = None
    status: str
    requirements: list[RequirementPublic]
    created_at: datetime
    updated_at: datetime
    version: int


class IntroductionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    vacancy_id: int = PField(ge=1, le=2_147_483_647)
    candidate_ref: str = PField(min_length=4, max_length=32)
    message: str = PField(default="", max_length=2000)  # the coach's word to the candidate (employers: ignored)


class IntroductionMove(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: IntroStatus
    version: int | None = PField(default=None, ge=1, le=2_147_483_647)
    # e.g. why the candidate says no; stored with the step, never shown to employers
    reason: str | None = PField(default=None, max_length=500)

    @field_validator("reason")
    @classmethod
    def _not_reserved(cls, v: str | None) -> str | None:
        # 'undo' marks a coach's step back in the history (introduction_events.reason): no move may claim it.
        if v is not None and v.strip().casefold() == "undo":
            raise ValueError("'undo' is reserved for a step back")
        return v


class StepBack(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int | None = PField(default=None, ge=1, le=2_147_483_647)


class IntroductionEventPublic(BaseModel):
    status: str
    at: datetime
    actor_role: str


class IntroductionPublic(BaseModel):
    id: int
    vacancy_id: int | None
    vacancy_title: str | None
    candidate_ref: str | None
    candidate_name: str | None  # employers: only once the coach introduced the candidate (after their agreement)
    candidate_email: str | None = None  # employers (same rule) and coaches; never in the job seeker's own view
    candidate_phone: str | None = None
    status: str
    created_at: datetime
    updated_at: datetime
    version: int
    events: list[IntroductionEventPublic]


class NoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = PField(min_length=1, max_length=5000)
    profile_id: int | None = PField(default=None, ge=1, le=2_147_483_647)
    vacancy_id: int | None = PField(default=None, ge=1, le=2_147_483_647)
    introduction_id: int | None = PField(default=None, ge=1, le=2_147_483_647)
    shared: bool = False  # also readable by the person it is about


class NotePublic(BaseModel):
    id: int
    author_id: int | None
    profile_id: int | None
    vacancy_id: int | None
    introduction_id: int | None
    text: str
    shared: bool = False
    created_at: datetime


class ShortlistAdd(BaseModel):
    model_config = ConfigDict(extra="forbid")
    candidate_ref: str = PField(min_length=4, max_length=32)


class ShortlistEntryPublic(BaseModel):
    """One person on a vacancy's shortlist (coaches only: with name)."""

    candidate_ref: str
    profile_id: int
    name: str | None
    place: str | None
    added_by: str | None  # the coach who added them
    created_at: datetime


class EraseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: str = PField(max_length=200)


class Postcode(SQLModel, table=True):
    """Dutch PC4 areas with a centre point, from `tom geo import-postcodes` (GeoNames format)."""

    __tablename__ = "postcodes"
    pc4: str = Field(primary_key=True, max_length=4)
    place: str = Field(max_length=100)
    municipality: str | None = Field(default=None, max_length=100)
    lat: float
    lon: float


# --------------------------------------------------------------------------- matches
class ConceptRef(BaseModel):
    id: str
    label: str


class MatchedSkill(BaseModel):
    skill: ConceptRef
    essential: bool
    credit: float  # 0–1: 1 exact, less through a narrower/broader/related/similar skill or a lower level
    how: str  # exact, narrower (held); broader, related, similar (counts partly); missing
    held: bool  # the person has this skill or a specialisation of it ("✓ Dit past")
    via: ConceptRef | None  # the profile skill that met it (or that it looks like, when not held)
    points: float  # score points this requirement earned


class Explanation(BaseModel):
    """One pair's facts, the same for the job seeker, the coach and the employer (docs/matching.md)."""

    score: float  # 0–100: 100 · (must-haves held + REQ) / (must-haves + 1)
    must_haves_held: int  # "Je hebt 12 van de 13 eisen"
    must_haves: int
    nice_to_haves_held: int
    nice_to_haves: int
    requirements: float  # REQ 0–1: how well the asked skills are met, partial credit included
    usage: float  # USE 0–1: share of the person's skills the job draws on (orders a job seeker's list)
    family: float  # FAM 0–1: the same for the occupation's family
    points: dict[str, float]  # must_haves + requirements = score
    matched: list[MatchedSkill]
    missing_essential: list[ConceptRef]  # must-haves not held (a similar skill may count partly)
    missing_optional: list[ConceptRef]


class TrainingModulePublic(BaseModel):
    id: str
    name: str
    hours: int
    weeks: int
    level: str
    format: str
    certificate: str
    teaches: list[ConceptRef]


class TrainingPublic(BaseModel):
    modules: list[TrainingModulePublic]
    hours: int
    uncovered: list[ConceptRef]


class VacancySummary(BaseModel):
    id: int
    title: str
    organisation: str
    place: str | None
    sector: str | None
    distance_km: float | None


class VacancyMatch(BaseModel):
    vacancy: VacancySummary
    explanation: Explanation
    training: TrainingPublic | None
    # a must-have is missing here, yet this vacancy stands above one further down the list whose
    # must-haves the person all holds (it uses more of their trade): the page says so
    ahead_of_full: bool = False


class SkillLevel(BaseModel):
    skill: ConceptRef
    level: int | None
    last_used: int | None


class CandidatePublic(BaseModel):
    """A talent-pool member. Employers get no name, contact or free text: ``name`` stays None for them."""

    candidate_ref: str
    profile_id: int | None = None  # coaches only
    name: str | None = None  # coaches only
    region: str | None
    distance_km: float | None = None
    available_from: date | None
    hours_min: int | None
    hours_max: int | None
    sectors: list[str]
    skills: list[SkillLevel]
    updated_at: date


class CandidateMatch(BaseModel):
    candidate: CandidatePublic
    explanation: Explanation


class MatchList(BaseModel):
    items: list[VacancyMatch]
    excluded: dict[str, int]  # reason -> number of vacancies left out by the person's own filters


class CandidateList(BaseModel):
    items: list[CandidateMatch]
    excluded: dict[str, int]


class CareerMovePublic(BaseModel):
    occupation: ConceptRef
    sector: str | None
    explanation: Explanation
    training: TrainingPublic | None
    # current: every must-have already held (the person's own work, not a move); same_sector: a move
    # within the sectors of that work; other_sector: a move into another sector
    kind: Literal["current", "same_sector", "other_sector"] = "other_sector"

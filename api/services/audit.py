"""The audit log: who saw or changed whose personal data (ids only, never the data)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from api.models import AuditEntry


def audit(db: Session, actor: Any, action: str, subject_type: str, subject_id: int | None) -> None:
    """``actor``: a User, a Principal, or None for the system."""
    user = getattr(actor, "user", actor)
    db.add(AuditEntry(actor_id=getattr(user, "id", None), actor_role=getattr(user, "role", "system") or "system",
                      action=action, subject_type=subject_type, subject_id=subject_id))

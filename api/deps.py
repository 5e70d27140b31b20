"""FastAPI dependencies: one place to get settings and services from the app state."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.services.taxonomy import TaxonomyService
from api.settings import Settings


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_taxonomy(request: Request) -> TaxonomyService:
    svc: TaxonomyService = request.app.state.taxonomy
    return svc


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
TaxonomyDep = Annotated[TaxonomyService, Depends(get_taxonomy)]

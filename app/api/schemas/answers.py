"""The base of the response models: the documented fields, and a newer key passed on rather than dropped."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Answer(BaseModel):
    model_config = ConfigDict(extra="allow")

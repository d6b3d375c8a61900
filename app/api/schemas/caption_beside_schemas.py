"""Request body of writing a caption set's captions beside the original images."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class WriteBesideRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    extension: Literal[".txt", ".caption"] = Field(".txt", description="The caption file's extension")

"""What the vision endpoints answer beyond the vision feature's own shapes (app.services.vision_models.
vision_model_shapes; a caption and a download's state are app.vision.client.CaptionResult and
app.vision.downloads.DownloadState): the connection report and a cancelled download."""

from __future__ import annotations

from app.api.schemas.answers import Answer
from app.services.vision_models.vision_model_shapes import ConnectionCheck


class ConnectionReport(Answer):
    ok: bool
    checks: list[ConnectionCheck]


class DownloadCancelled(Answer):
    cancelled: bool

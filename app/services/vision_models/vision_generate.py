"""What a single caption generation needs from the database: the image path, its context and the
caption set's style (read-only)."""

from __future__ import annotations

from pathlib import Path

from app import models
from app.db import Database
from app.errors import NotFound
from app.services.vision_models.vision_model_shapes import GenerationInputs


def generation_inputs(db: Database, file_id: str, caption_set_id: str | None = None) -> GenerationInputs:
    """The file's path and prompt context and, with a caption set, its style, max_length, trigger_phrase,
    custom_prompt and vision_model. Raises NotFound."""
    with db.session() as session:
        tracked = session.get(models.TrackedFile, file_id)
        if tracked is None:
            raise NotFound(f"No tracked file with id {file_id}.")
        if not tracked.file_exists:
            raise NotFound(f"{tracked.file_path} is missing on disk. Rescan its folder or restore the file.")
        inputs = GenerationInputs(
            image_path=tracked.file_path,
            context={
                "filename": tracked.filename,
                "folder": Path(tracked.file_path).parent.name,
                "imported_caption": tracked.imported_caption or "",
            },
        )
        if caption_set_id:
            caption_set = session.get(models.CaptionSet, caption_set_id)
            if caption_set is None:
                raise NotFound(f"No caption set with id {caption_set_id}.")
            inputs.caption_set_name = caption_set.name
            inputs.style = caption_set.style
            inputs.max_length = caption_set.max_length
            inputs.trigger_phrase = caption_set.trigger_phrase
            inputs.custom_prompt = caption_set.generation_prompt
            inputs.vision_model = caption_set.vision_model
        return inputs

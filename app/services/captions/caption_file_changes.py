"""Paired caption files that changed on disk after a caption set took their text, and "take the file's text".

A set's baseline for a file is the text its last "import" revision wrote (creating the set from imported
captions, Import captions, or take_file_text). The file differs when the text the last scan read from
the .txt/.caption beside the image, with the set's trigger guarantee applied, is neither that baseline
nor the caption's current text (a caption already equal to the file has nothing to take). Files the set
never imported are not marked: a .txt beside a hand-written caption did not "change".
Known limit: changing the set's trigger phrase after an import marks files whose .txt lacks the trigger.
"""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.db import Database
from app.errors import Invalid, NotFound
from app.fs_names import readable
from app.models import Caption, CaptionRevision, CaptionSet, DatasetFile, TrackedFile
from app.services.captions.caption_sets import require_caption_set
from app.services.captions.caption_shapes import Caption as CaptionShape
from app.services.captions.caption_shapes import CaptionFileChange
from app.services.captions.captions import save_caption
from app.services.captions.postprocess import ensure_trigger
from app.services.folders.paired_captions import read_caption


def changed_caption_files(db: Database, caption_set_id: str) -> list[CaptionFileChange]:
    """The dataset's files whose paired caption file (as the last scan read it) differs from the text
    the set imported."""
    with db.session() as session:
        caption_set = require_caption_set(session, caption_set_id)
        return _changed(session, caption_set, None)


def caption_file_change(db: Database, caption_set_id: str, file_id: str) -> CaptionFileChange | None:
    """The change of one file, or None when it does not differ."""
    with db.session() as session:
        caption_set = require_caption_set(session, caption_set_id)
        rows = _changed(session, caption_set, file_id)
        return rows[0] if rows else None


def take_file_text(db: Database, caption_set_id: str, file_id: str) -> CaptionShape:
    """Read the paired caption file now and save its text as the file's caption in the set, as an "import"
    revision (History and undo show it; the trigger guarantee applies). Returns the caption."""
    with db.session() as session:
        require_caption_set(session, caption_set_id)
        file = session.get(TrackedFile, file_id)
        if file is None:
            raise NotFound(f"File {file_id} is not tracked (its folder was removed?)")
        path, filename = file.imported_caption_path, file.filename
    if not path:
        raise Invalid(
            f"{filename} has no .txt or .caption file beside it (as of the last scan); rescan its folder"
        )
    try:
        text = read_caption(path)
    except OSError as exc:
        raise Invalid(
            f"The caption file of {filename} cannot be read ({readable(path)}): {exc.strerror or exc}"
        ) from None
    if not text.strip():
        raise Invalid(f"The caption file of {filename} is empty; there is no text to take")
    with db.session() as session:  # the file as read now is what the next listing compares against
        tracked = session.get(TrackedFile, file_id)
        if tracked is not None:
            tracked.imported_caption = text
            tracked.has_paired_caption = True
    saved = save_caption(db, caption_set_id, file_id, text, source="imported", change_type="import")
    return CaptionShape.model_validate(saved)


def _changed(session: Session, caption_set: CaptionSet, file_id: str | None) -> list[CaptionFileChange]:
    query = _imported_query(caption_set)
    if file_id is not None:
        query = query.where(TrackedFile.id == file_id)
    rows: list[CaptionFileChange] = []
    seen: set[str] = set()
    for file, imported_text, caption_text in session.execute(query):
        text = (file.imported_caption or "").strip()
        if not text or file.id in seen:
            continue
        seen.add(file.id)
        saved = (
            ensure_trigger(text, caption_set.trigger_phrase, caption_set.style)
            if caption_set.ensure_trigger
            else text
        )
        if saved in (imported_text, caption_text) or text == imported_text:
            continue
        rows.append(
            CaptionFileChange(
                file_id=file.id,
                filename=file.filename,
                caption_path=readable(file.imported_caption_path) if file.imported_caption_path else None,
                file_text=text,
                imported_text=imported_text,
                caption_text=caption_text,
            )
        )
    return rows


def _imported_query(caption_set: CaptionSet) -> Select:
    """Each present member file with a caption file, its last imported text and its caption in the set."""
    last_import = (
        select(CaptionRevision.file_id, func.max(CaptionRevision.created_date).label("at"))
        .where(CaptionRevision.caption_set_id == caption_set.id, CaptionRevision.change_type == "import")
        .group_by(CaptionRevision.file_id)
        .subquery()
    )
    return (
        select(TrackedFile, CaptionRevision.new_text, Caption.caption_text)
        .join(DatasetFile, DatasetFile.file_id == TrackedFile.id)
        .join(last_import, last_import.c.file_id == TrackedFile.id)
        .join(
            CaptionRevision,
            (CaptionRevision.caption_set_id == caption_set.id)
            & (CaptionRevision.file_id == TrackedFile.id)
            & (CaptionRevision.change_type == "import")
            & (CaptionRevision.created_date == last_import.c.at),
        )
        .outerjoin(Caption, (Caption.caption_set_id == caption_set.id) & (Caption.file_id == TrackedFile.id))
        .where(
            DatasetFile.dataset_id == caption_set.dataset_id,
            TrackedFile.file_exists.is_(True),
            TrackedFile.imported_caption.is_not(None),
        )
        .order_by(DatasetFile.order_index, TrackedFile.filename)
    )

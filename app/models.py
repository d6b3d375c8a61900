"""SQLAlchemy 2.0 models: every table of the design document, plus caption revisions and saved views."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from app.fs_names import FsPath


def new_id() -> str:
    """A new UUID string primary key."""
    return str(uuid.uuid4())


def utcnow() -> datetime:
    """Naive UTC now: SQLite stores no zone, so every timestamp here is UTC without tzinfo."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class TrackedFolder(Base):
    __tablename__ = "tracked_folders"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    path: Mapped[str] = mapped_column(Text, unique=True)
    name: Mapped[str] = mapped_column(Text)
    date_added: Mapped[datetime] = mapped_column(DateTime, default=utcnow, server_default=func.now())
    last_scanned: Mapped[datetime | None] = mapped_column(DateTime)
    file_count: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    recursive: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Symbolic links below the folder are followed only when they stay inside it, and only when set.
    follow_links: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Set while a scan runs: still set on start means the app died mid-scan (kill -9, power cut).
    scan_started: Mapped[datetime | None] = mapped_column(DateTime)
    max_depth: Mapped[int] = mapped_column(Integer, default=3, server_default=text("3"))
    notes: Mapped[str | None] = mapped_column(Text)
    # Outcome of the last scan, e.g. "3 unreadable folders"; null when it went cleanly.
    last_scan_error: Mapped[str | None] = mapped_column(Text)

    files: Mapped[list[TrackedFile]] = relationship(back_populates="folder", passive_deletes=True)

    __table_args__ = (
        Index("idx_folders_path", "path"),
        Index("idx_folders_enabled", "enabled"),
    )


class TrackedFile(Base):
    __tablename__ = "tracked_files"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    folder_id: Mapped[str] = mapped_column(ForeignKey("tracked_folders.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(Text)
    file_path: Mapped[str] = mapped_column(FsPath, unique=True)
    file_hash: Mapped[str] = mapped_column(String(64))
    file_size_mb: Mapped[float] = mapped_column(Float)
    file_type: Mapped[str] = mapped_column(String(16))
    mime_type: Mapped[str | None] = mapped_column(String(64))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    aspect_ratio: Mapped[float | None] = mapped_column(Float)
    date_added: Mapped[datetime] = mapped_column(DateTime, default=utcnow, server_default=func.now())
    file_modified: Mapped[datetime | None] = mapped_column(DateTime)
    has_paired_caption: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    imported_caption: Mapped[str | None] = mapped_column(Text)
    imported_caption_path: Mapped[str | None] = mapped_column(FsPath)
    file_exists: Mapped[bool] = mapped_column("exists", Boolean, default=True, server_default=true())
    last_verified: Mapped[datetime | None] = mapped_column(DateTime)

    # Exact change detection, scan errors, measured quality, perceptual hash.
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0, server_default=text("0"))
    mtime_ns: Mapped[int] = mapped_column(BigInteger, default=0, server_default=text("0"))
    relative_path: Mapped[str | None] = mapped_column(FsPath)
    scan_error: Mapped[str | None] = mapped_column(Text)
    thumbnail_key: Mapped[str | None] = mapped_column(String(80))
    phash: Mapped[str | None] = mapped_column(String(32))
    quality_score: Mapped[float | None] = mapped_column(Float)
    quality_details: Mapped[str | None] = mapped_column(Text)
    quality_flags: Mapped[str | None] = mapped_column(Text)
    # Videos: null for images; the frame count is the container's or duration x fps.
    is_video: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    duration_seconds: Mapped[float | None] = mapped_column(Float)
    fps: Mapped[float | None] = mapped_column(Float)
    frame_count: Mapped[int | None] = mapped_column(Integer)
    video_codec: Mapped[str | None] = mapped_column(String(32))
    has_audio: Mapped[bool | None] = mapped_column(Boolean)

    folder: Mapped[TrackedFolder] = relationship(back_populates="files")

    __table_args__ = (
        Index("idx_files_folder", "folder_id"),
        Index("idx_files_hash", "file_hash"),
        Index("idx_files_type", "file_type"),
        Index("idx_files_exists", "exists"),
    )


class Dataset(Base):
    __tablename__ = "datasets"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(Text)
    name_filesystem_safe: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    created_date: Mapped[datetime] = mapped_column(DateTime, default=utcnow, server_default=func.now())
    modified_date: Mapped[datetime] = mapped_column(
        DateTime, default=utcnow, onupdate=utcnow, server_default=func.now()
    )
    file_count: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    tags: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(Text)
    total_size_mb: Mapped[float] = mapped_column(Float, default=0.0, server_default=text("0"))
    avg_quality_score: Mapped[float | None] = mapped_column(Float)
    default_caption_set_id: Mapped[str | None] = mapped_column(String(36))
    notes: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("idx_datasets_name", "name"),
        Index("idx_datasets_name_fs", "name_filesystem_safe"),
        Index("idx_datasets_created", "created_date"),
    )


class DatasetFile(Base):
    __tablename__ = "dataset_files"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    dataset_id: Mapped[str] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"))
    file_id: Mapped[str] = mapped_column(ForeignKey("tracked_files.id", ondelete="CASCADE"))
    date_added: Mapped[datetime] = mapped_column(DateTime, default=utcnow, server_default=func.now())
    order_index: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)
    excluded: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The member's crop in this dataset (never written to the source file): a box normalised 0..1 relative
    # to the upright (EXIF-corrected) image, left/top/width/height; all null = the whole image.
    crop_x: Mapped[float | None] = mapped_column(Float)
    crop_y: Mapped[float | None] = mapped_column(Float)
    crop_w: Mapped[float | None] = mapped_column(Float)
    crop_h: Mapped[float | None] = mapped_column(Float)

    __table_args__ = (
        UniqueConstraint("dataset_id", "file_id", name="uq_dataset_file"),
        Index("idx_dataset_files_dataset", "dataset_id"),
        Index("idx_dataset_files_file", "file_id"),
        Index("idx_dataset_files_order", "dataset_id", "order_index"),
    )


class CropRevision(Base):
    """A member's crop before and after a change (JSON box or null); a batch's rows share its batch_id."""

    __tablename__ = "crop_revisions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    dataset_id: Mapped[str] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"))
    file_id: Mapped[str] = mapped_column(ForeignKey("tracked_files.id", ondelete="CASCADE"))
    previous_box: Mapped[str | None] = mapped_column(Text)
    new_box: Mapped[str | None] = mapped_column(Text)
    batch_id: Mapped[str | None] = mapped_column(String(36))
    batch_label: Mapped[str | None] = mapped_column(Text)
    created_date: Mapped[datetime] = mapped_column(DateTime, default=utcnow, server_default=func.now())

    __table_args__ = (
        Index("idx_crop_revisions_batch", "batch_id"),
        Index("idx_crop_revisions_dataset", "dataset_id", "created_date"),
    )


class CaptionSet(Base):
    __tablename__ = "caption_sets"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    dataset_id: Mapped[str] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    style: Mapped[str] = mapped_column(String(32))
    max_length: Mapped[int | None] = mapped_column(Integer)
    trigger_phrase: Mapped[str | None] = mapped_column(String(500))
    # Every saved (and exported) caption starts with the trigger phrase; off: captions are kept as written.
    ensure_trigger: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    vision_model: Mapped[str | None] = mapped_column(Text)
    generation_prompt: Mapped[str | None] = mapped_column(Text)
    created_date: Mapped[datetime] = mapped_column(DateTime, default=utcnow, server_default=func.now())
    modified_date: Mapped[datetime] = mapped_column(
        DateTime, default=utcnow, onupdate=utcnow, server_default=func.now()
    )
    caption_count: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    avg_quality_score: Mapped[float | None] = mapped_column(Float)
    auto_generated_count: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    manually_edited_count: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))

    __table_args__ = (
        Index("idx_caption_sets_dataset", "dataset_id"),
        Index("idx_caption_sets_style", "style"),
    )


class Caption(Base):
    __tablename__ = "captions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    caption_set_id: Mapped[str] = mapped_column(ForeignKey("caption_sets.id", ondelete="CASCADE"))
    file_id: Mapped[str] = mapped_column(ForeignKey("tracked_files.id", ondelete="CASCADE"))
    caption_text: Mapped[str] = mapped_column(Text)
    quality_score: Mapped[float | None] = mapped_column(Float)
    quality_details: Mapped[str | None] = mapped_column(Text)
    quality_schema_version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    auto_generated: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    manually_edited: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    vision_model: Mapped[str | None] = mapped_column(Text)
    generation_date: Mapped[datetime | None] = mapped_column(DateTime)
    source: Mapped[str | None] = mapped_column(String(16))
    imported_from_path: Mapped[str | None] = mapped_column(Text)
    created_date: Mapped[datetime] = mapped_column(DateTime, default=utcnow, server_default=func.now())
    modified_date: Mapped[datetime] = mapped_column(DateTime, default=utcnow, server_default=func.now())
    notes: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("caption_set_id", "file_id", name="uq_caption_set_file"),
        Index("idx_captions_caption_set", "caption_set_id"),
        Index("idx_captions_file", "file_id"),
        Index("idx_captions_quality", "quality_score"),
        Index("idx_captions_source", "source"),
    )


class CaptionRevision(Base):
    """The text a caption had before a change, and what made the change."""

    __tablename__ = "caption_revisions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    # Null once the caption itself is deleted: its history stays, found by caption set and file.
    caption_id: Mapped[str | None] = mapped_column(ForeignKey("captions.id", ondelete="SET NULL"))
    caption_set_id: Mapped[str] = mapped_column(ForeignKey("caption_sets.id", ondelete="CASCADE"))
    file_id: Mapped[str] = mapped_column(ForeignKey("tracked_files.id", ondelete="CASCADE"))
    previous_text: Mapped[str | None] = mapped_column(Text)
    new_text: Mapped[str | None] = mapped_column(Text)
    # The caption's manually_edited flag before the change (None: it did not exist); undo restores it.
    previous_edited: Mapped[bool | None] = mapped_column(Boolean)
    # manual | generated | batch | import | revert | delete
    change_type: Mapped[str] = mapped_column(String(16))
    batch_id: Mapped[str | None] = mapped_column(String(36))
    batch_label: Mapped[str | None] = mapped_column(Text)
    created_date: Mapped[datetime] = mapped_column(DateTime, default=utcnow, server_default=func.now())

    __table_args__ = (
        Index("idx_revisions_caption", "caption_id"),
        Index("idx_revisions_batch", "batch_id"),
        Index("idx_revisions_set", "caption_set_id", "created_date"),
        Index("idx_revisions_set_file", "caption_set_id", "file_id"),
    )


class CaptionJob(Base):
    __tablename__ = "caption_jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    caption_set_id: Mapped[str] = mapped_column(ForeignKey("caption_sets.id", ondelete="CASCADE"))
    style: Mapped[str] = mapped_column(String(32))
    vision_model: Mapped[str] = mapped_column(Text)
    generation_prompt: Mapped[str | None] = mapped_column(Text)
    max_length: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    total_files: Mapped[int] = mapped_column(Integer)
    completed_files: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    failed_files: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    skipped_files: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    created_date: Mapped[datetime] = mapped_column(DateTime, default=utcnow, server_default=func.now())
    started_date: Mapped[datetime | None] = mapped_column(DateTime)
    completed_date: Mapped[datetime | None] = mapped_column(DateTime)
    paused_date: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    # JSON: remaining file ids, failed files with errors, backend, parallelism.
    state: Mapped[str | None] = mapped_column(Text)
    overwrite_existing: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    min_quality_threshold: Mapped[float | None] = mapped_column(Float)

    __table_args__ = (
        Index("idx_jobs_caption_set", "caption_set_id"),
        Index("idx_jobs_status", "status"),
        Index("idx_jobs_created", "created_date"),
    )


class ExportHistory(Base):
    __tablename__ = "export_history"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    dataset_id: Mapped[str] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"))
    caption_set_id: Mapped[str | None] = mapped_column(ForeignKey("caption_sets.id", ondelete="SET NULL"))
    export_path: Mapped[str] = mapped_column(Text)
    export_format: Mapped[str] = mapped_column(String(16))
    image_format: Mapped[str | None] = mapped_column(String(16))
    target_resolution: Mapped[int | None] = mapped_column(Integer)
    jpeg_quality: Mapped[int | None] = mapped_column(Integer)
    png_compression: Mapped[int | None] = mapped_column(Integer)
    numbering_start: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    numbering_padding: Mapped[int] = mapped_column(Integer, default=6, server_default=text("6"))
    min_quality_score: Mapped[float | None] = mapped_column(Float)
    file_count: Mapped[int | None] = mapped_column(Integer)
    total_size_mb: Mapped[float | None] = mapped_column(Float)
    created_date: Mapped[datetime] = mapped_column(DateTime, default=utcnow, server_default=func.now())
    completed_date: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16))
    error_message: Mapped[str | None] = mapped_column(Text)
    # JSON: the full request (preset, layout, captions, filters) for "export again", and the skip report.
    settings: Mapped[str | None] = mapped_column(Text)
    report: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("idx_exports_dataset", "dataset_id"),
        Index("idx_exports_created", "created_date"),
        Index("idx_exports_status", "status"),
    )


class VisionModel(Base):
    __tablename__ = "vision_models"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    model_id: Mapped[str] = mapped_column(Text)
    backend: Mapped[str] = mapped_column(String(16))
    backend_model_name: Mapped[str] = mapped_column(Text)
    is_available: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    last_checked: Mapped[datetime | None] = mapped_column(DateTime)
    pulled_at: Mapped[datetime | None] = mapped_column(DateTime)
    file_size_mb: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (UniqueConstraint("model_id", "backend", name="uq_vision_model_backend"),)


class VideoClip(Base):
    """A time range of a tracked video: virtual, like dataset membership; written out only by an export.

    Scene detection proposes clips (status "proposed"); the user accepts or rejects each one.
    """

    __tablename__ = "video_clips"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    file_id: Mapped[str] = mapped_column(ForeignKey("tracked_files.id", ondelete="CASCADE"))
    start_seconds: Mapped[float] = mapped_column(Float)
    end_seconds: Mapped[float] = mapped_column(Float)
    # proposed | accepted | rejected
    status: Mapped[str] = mapped_column(String(16), default="proposed", server_default="proposed")
    # scene (found by detection) | manual
    source: Mapped[str] = mapped_column(String(16), default="scene", server_default="scene")
    # The clip's own caption (written or generated from its frames); null: it takes its video's caption.
    caption_text: Mapped[str | None] = mapped_column(Text)
    created_date: Mapped[datetime] = mapped_column(DateTime, default=utcnow, server_default=func.now())

    __table_args__ = (Index("idx_video_clips_file", "file_id", "start_seconds"),)


class SavedView(Base):
    """A named grid query per dataset (the filter language)."""

    __tablename__ = "saved_views"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    dataset_id: Mapped[str] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(Text)
    query: Mapped[str] = mapped_column(Text)
    created_date: Mapped[datetime] = mapped_column(DateTime, default=utcnow, server_default=func.now())

    __table_args__ = (UniqueConstraint("dataset_id", "name", name="uq_saved_view_name"),)

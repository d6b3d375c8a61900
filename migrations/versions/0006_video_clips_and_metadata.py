"""Videos are tracked: duration, fps, frame count, codec and audio per file; clips are time ranges of them

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tracked_files") as batch:
        batch.add_column(sa.Column("is_video", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("duration_seconds", sa.Float(), nullable=True))
        batch.add_column(sa.Column("fps", sa.Float(), nullable=True))
        batch.add_column(sa.Column("frame_count", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("video_codec", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("has_audio", sa.Boolean(), nullable=True))
    op.create_table(
        "video_clips",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column(
            "file_id", sa.String(length=36), sa.ForeignKey("tracked_files.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("start_seconds", sa.Float(), nullable=False),
        sa.Column("end_seconds", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False, server_default="proposed"),
        sa.Column("source", sa.String(length=16), nullable=False, server_default="scene"),
        sa.Column("caption_text", sa.Text(), nullable=True),
        sa.Column("created_date", sa.DateTime(), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("idx_video_clips_file", "video_clips", ["file_id", "start_seconds"])


def downgrade() -> None:
    op.drop_index("idx_video_clips_file", table_name="video_clips")
    op.drop_table("video_clips")
    with op.batch_alter_table("tracked_files") as batch:
        for column in ("has_audio", "video_codec", "frame_count", "fps", "duration_seconds", "is_video"):
            batch.drop_column(column)

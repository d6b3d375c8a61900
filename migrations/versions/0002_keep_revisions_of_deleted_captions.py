"""Keep the history of a deleted caption: caption_revisions.caption_id becomes nullable, ON DELETE SET NULL

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

COLUMNS = "id, caption_id, caption_set_id, file_id, previous_text, new_text, change_type, batch_id, batch_label, created_date"


def _create(name: str, caption_ondelete: str, caption_nullable: bool) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("caption_id", sa.String(length=36), nullable=caption_nullable),
        sa.Column("caption_set_id", sa.String(length=36), nullable=False),
        sa.Column("file_id", sa.String(length=36), nullable=False),
        sa.Column("previous_text", sa.Text(), nullable=True),
        sa.Column("new_text", sa.Text(), nullable=True),
        sa.Column("change_type", sa.String(length=16), nullable=False),
        sa.Column("batch_id", sa.String(length=36), nullable=True),
        sa.Column("batch_label", sa.Text(), nullable=True),
        sa.Column(
            "created_date", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.ForeignKeyConstraint(["caption_id"], ["captions.id"], ondelete=caption_ondelete),
        sa.ForeignKeyConstraint(["caption_set_id"], ["caption_sets.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["file_id"], ["tracked_files.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )


def _swap(caption_ondelete: str, caption_nullable: bool, with_set_file_index: bool) -> None:
    # Copy into a new table and swap: portable across SQLite (no ALTER of foreign keys) and PostgreSQL.
    _create("caption_revisions_new", caption_ondelete, caption_nullable)
    where = "" if caption_nullable else " WHERE caption_id IS NOT NULL"
    op.execute(
        f"INSERT INTO caption_revisions_new ({COLUMNS}) SELECT {COLUMNS} FROM caption_revisions{where}"
    )
    op.drop_table("caption_revisions")
    op.rename_table("caption_revisions_new", "caption_revisions")
    op.create_index("idx_revisions_caption", "caption_revisions", ["caption_id"])
    op.create_index("idx_revisions_batch", "caption_revisions", ["batch_id"])
    op.create_index("idx_revisions_set", "caption_revisions", ["caption_set_id", "created_date"])
    if with_set_file_index:
        op.create_index("idx_revisions_set_file", "caption_revisions", ["caption_set_id", "file_id"])


def upgrade() -> None:
    _swap("SET NULL", caption_nullable=True, with_set_file_index=True)


def downgrade() -> None:
    _swap("CASCADE", caption_nullable=False, with_set_file_index=False)

"""A crop per dataset member (normalised box, never written to the source) and the crop changes' history

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dataset_files") as batch:
        for name in ("crop_x", "crop_y", "crop_w", "crop_h"):
            batch.add_column(sa.Column(name, sa.Float(), nullable=True))
    op.create_table(
        "crop_revisions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("dataset_id", sa.String(36), sa.ForeignKey("datasets.id", ondelete="CASCADE"), nullable=False),
        sa.Column(
            "file_id", sa.String(36), sa.ForeignKey("tracked_files.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("previous_box", sa.Text(), nullable=True),
        sa.Column("new_box", sa.Text(), nullable=True),
        sa.Column("batch_id", sa.String(36), nullable=True),
        sa.Column("batch_label", sa.Text(), nullable=True),
        sa.Column("created_date", sa.DateTime(), server_default=sa.func.now(), nullable=False),
    )
    op.create_index("idx_crop_revisions_batch", "crop_revisions", ["batch_id"])
    op.create_index("idx_crop_revisions_dataset", "crop_revisions", ["dataset_id", "created_date"])


def downgrade() -> None:
    op.drop_index("idx_crop_revisions_dataset", table_name="crop_revisions")
    op.drop_index("idx_crop_revisions_batch", table_name="crop_revisions")
    op.drop_table("crop_revisions")
    with op.batch_alter_table("dataset_files") as batch:
        for name in ("crop_h", "crop_w", "crop_y", "crop_x"):
            batch.drop_column(name)

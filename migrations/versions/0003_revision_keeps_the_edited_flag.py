"""A revision remembers whether the caption had been edited by hand before the change (undo restores it)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("caption_revisions") as batch:
        batch.add_column(sa.Column("previous_edited", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("caption_revisions") as batch:
        batch.drop_column("previous_edited")

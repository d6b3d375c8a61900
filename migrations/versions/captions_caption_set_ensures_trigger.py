"""A caption set guarantees its trigger phrase on save and at export (a switch, on by default)

Revision ID: captions_caption_set_ensures_trigger
Revises: 0003
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "captions_caption_set_ensures_trigger"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("caption_sets") as batch:
        batch.add_column(sa.Column("ensure_trigger", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("caption_sets") as batch:
        batch.drop_column("ensure_trigger")

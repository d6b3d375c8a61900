"""A caption set guarantees its trigger phrase on save and at export (a switch, on by default)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("caption_sets") as batch:
        batch.add_column(sa.Column("ensure_trigger", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("caption_sets") as batch:
        batch.drop_column("ensure_trigger")

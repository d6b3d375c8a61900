"""A tracked folder may follow symbolic links that stay inside it (off by default); a running scan is marked

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tracked_folders") as batch:
        batch.add_column(sa.Column("follow_links", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("scan_started", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tracked_folders") as batch:
        batch.drop_column("scan_started")
        batch.drop_column("follow_links")

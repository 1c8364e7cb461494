"""coins.mintage_unknown: the catalog's "no mintage figure was ever published"

A coin whose mintage is NULL is either not researched or known to have no published figure (many
early proofs); the flag tells the two apart, and the export writes ``unknown`` for the second.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 22:45:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


# A plain ALTER TABLE on both backends: a batch (copy-and-rename) on SQLite would break the search
# view over ``coins``.
def upgrade() -> None:
    op.add_column("coins", sa.Column("mintage_unknown", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    op.execute("ALTER TABLE coins DROP COLUMN mintage_unknown")

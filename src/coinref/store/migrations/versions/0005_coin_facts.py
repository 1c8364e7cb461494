"""coin facts: diameter, edge, designer, composition as parts, key date

The built-in catalog's specifications per design and composition period (issue 16), one column
each on ``coins`` so export, API and page read them like the other catalog fields.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 22:45:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

COLUMNS = (
    ("diameter_mm", sa.Numeric(6, 2)),
    ("edge", sa.String(length=200)),
    ("designer", sa.String(length=300)),
    ("composition", sa.String(length=300)),
    ("key_date", sa.String(length=10)),
)


def upgrade() -> None:
    for name, type_ in COLUMNS:
        op.add_column("coins", sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    # plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): a batch rebuild of ``coins`` would break the
    # search view and triggers of 0002, and no view or trigger reads these columns
    for name, _type in reversed(COLUMNS):
        op.drop_column("coins", name)

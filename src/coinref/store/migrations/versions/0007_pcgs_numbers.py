"""PCGS numbers: provenance and verification state on coins, and the discovery's probes

``coins`` gains ``pcgs_provenance`` (catalog, import, website, specsearch, api), ``pcgs_state``
(claimed, verified, rejected), ``pcgs_verified_on`` and ``pcgs_note`` (why a number was rejected).
``pcgs_probes`` keeps one row per PCGS number the discovery asked about: what PCGS answered and
what became of it, so a resumed run never asks twice.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 22:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ADD COLUMN, not batch mode: on SQLite a batch rebuild of coins would break the search
    # view and triggers of 0002, and nullable columns need no rebuild on either backend
    op.add_column("coins", sa.Column("pcgs_provenance", sa.String(length=12), nullable=True))
    op.add_column("coins", sa.Column("pcgs_state", sa.String(length=10), nullable=True))
    op.add_column("coins", sa.Column("pcgs_verified_on", sa.Date(), nullable=True))
    op.add_column("coins", sa.Column("pcgs_note", sa.Text(), nullable=True))
    op.execute("UPDATE coins SET pcgs_provenance = 'import', pcgs_state = 'claimed' WHERE pcgs_number IS NOT NULL")

    op.create_table(
        "pcgs_probes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("series_slug", sa.String(length=80), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("grades", sa.JSON(), nullable=False),
        sa.Column("answer", sa.JSON(), nullable=True),
        sa.Column("match", sa.String(length=12), nullable=False),
        sa.Column("coin_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("probed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pcgs_probes")),
        sa.UniqueConstraint("number", name=op.f("uq_pcgs_probes_number")),
    )
    with op.batch_alter_table("pcgs_probes", schema=None) as batch_op:
        batch_op.create_index("ix_pcgs_probes_series", ["series_slug", "outcome"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pcgs_probes", schema=None) as batch_op:
        batch_op.drop_index("ix_pcgs_probes_series")
    op.drop_table("pcgs_probes")
    for column in ("pcgs_note", "pcgs_verified_on", "pcgs_state", "pcgs_provenance"):
        op.drop_column("coins", column)  # SQLite 3.35+ drops a column in place

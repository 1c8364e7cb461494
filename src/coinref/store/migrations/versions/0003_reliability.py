"""reliability: the changes 0001 gained after its release, refresh point claims, run leases

* ``api_calls.result`` and ``coins.metal`` as String(200): added to 0001 after databases had been
  created with it, so such a database reported "at head" without them. 0001 is back to its
  released text; this migration adds them where they are missing (a database created by the
  edited 0001 already has them, and is left as it is).
* ``price_point_claims``: one buyer per refresh point and quota day across processes.
* ``runs.owner`` and ``runs.lease_expires_at``: a run whose process is gone can be marked
  ``interrupted``.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 23:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _columns(table: str) -> dict[str, dict]:
    return {column["name"]: column for column in sa.inspect(op.get_bind()).get_columns(table)}


def upgrade() -> None:
    calls = _columns("api_calls")
    if "result" not in calls:
        with op.batch_alter_table("api_calls", schema=None) as batch_op:
            batch_op.add_column(sa.Column("result", sa.JSON(), nullable=True))
    metal = _columns("coins")["metal"]["type"]
    # SQLite ignores VARCHAR lengths (and rebuilding ``coins`` would break its search view and
    # triggers), so only PostgreSQL needs the wider column
    if op.get_bind().dialect.name != "sqlite" and (getattr(metal, "length", None) or 200) < 200:
        op.alter_column("coins", "metal", existing_type=sa.String(length=metal.length), type_=sa.String(length=200),
                        existing_nullable=True)
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "price_point_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("coin_id", sa.Integer(), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=False),
        sa.Column("plus", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("owner", sa.String(length=120), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["coin_id"], ["coins.id"], name=op.f("fk_price_point_claims_coin_id_coins"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_price_point_claims")),
        sa.UniqueConstraint("coin_id", "grade", "plus", "source", "day", name="uq_claims_point_day"),
    )


def downgrade() -> None:
    op.drop_table("price_point_claims")
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_column("lease_expires_at")
        batch_op.drop_column("owner")
    # api_calls.result and the wider coins.metal stay: databases made by the edited 0001 had them at 0001

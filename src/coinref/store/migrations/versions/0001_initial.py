"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-21 09:10:08.609684
"""
import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('api_calls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider', sa.String(length=40), nullable=False),
    sa.Column('endpoint', sa.String(length=200), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=30), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=True),
    sa.Column('quota_day', sa.Date(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_calls'))
    )
    with op.batch_alter_table('api_calls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_calls_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_api_calls_provider_day', ['provider', 'quota_day'], unique=False)
        batch_op.create_index(batch_op.f('ix_api_calls_run_id'), ['run_id'], unique=False)

    op.create_table('grades',
    sa.Column('number', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('label', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('prefixes', sa.JSON(), nullable=False),
    sa.Column('plus_allowed', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('number', name=op.f('pk_grades'))
    )
    op.create_table('quarantine',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('record', sa.JSON(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quarantine'))
    )
    with op.batch_alter_table('quarantine', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quarantine_run_id'), ['run_id'], unique=False)

    op.create_table('quota_ledger',
    sa.Column('provider', sa.String(length=40), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('limit', sa.Integer(), nullable=False),
    sa.Column('used', sa.Integer(), nullable=False),
    sa.Column('exhausted', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('provider', 'day', name=op.f('pk_quota_ledger'))
    )
    op.create_table('runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('args', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('report', sa.JSON(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_runs'))
    )
    with op.batch_alter_table('runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_runs_kind'), ['kind'], unique=False)

    op.create_table('series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('tier', sa.String(length=2), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('denomination', sa.String(length=40), nullable=False),
    sa.Column('first_year', sa.Integer(), nullable=False),
    sa.Column('last_year', sa.Integer(), nullable=True),
    sa.Column('est_coins', sa.Integer(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_series')),
    sa.UniqueConstraint('slug', name=op.f('uq_series_slug'))
    )
    with op.batch_alter_table('series', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_series_tier'), ['tier'], unique=False)

    op.create_table('work_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('queue', sa.String(length=60), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('series_slug', sa.String(length=80), nullable=False),
    sa.Column('coin_id', sa.Integer(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('lease_owner', sa.String(length=80), nullable=True),
    sa.Column('lease_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_work_items')),
    sa.UniqueConstraint('queue', 'key', name='uq_work_items_queue_key')
    )
    with op.batch_alter_table('work_items', schema=None) as batch_op:
        batch_op.create_index('ix_work_items_queue_status', ['queue', 'status', 'priority'], unique=False)

    op.create_table('coins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('mint_mark', sa.String(length=4), nullable=False),
    sa.Column('strike', sa.String(length=2), nullable=False),
    sa.Column('variety', sa.String(length=120), nullable=False),
    sa.Column('designation', sa.String(length=8), nullable=False),
    sa.Column('denomination', sa.String(length=12), nullable=False),
    sa.Column('full_name', sa.String(length=250), nullable=False),
    sa.Column('short_name', sa.String(length=250), nullable=False),
    sa.Column('pcgs_number', sa.Integer(), nullable=True),
    sa.Column('ngc_number', sa.String(length=20), nullable=True),
    sa.Column('metal', sa.String(length=80), nullable=True),
    sa.Column('weight_g', sa.Numeric(precision=10, scale=4), nullable=True),
    sa.Column('fineness', sa.Numeric(precision=6, scale=4), nullable=True),
    sa.Column('metal_oz', sa.Numeric(precision=10, scale=5), nullable=True),
    sa.Column('mintage', sa.BigInteger(), nullable=True),
    sa.Column('facts', sa.JSON(), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('lookup_count', sa.Integer(), nullable=False),
    sa.Column('enriched_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['series_id'], ['series.id'], name=op.f('fk_coins_series_id_series'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coins')),
    sa.UniqueConstraint('pcgs_number', name=op.f('uq_coins_pcgs_number')),
    sa.UniqueConstraint('series_id', 'year', 'mint_mark', 'strike', 'variety', 'designation', name='uq_coins_natural')
    )
    with op.batch_alter_table('coins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coins_series_id'), ['series_id'], unique=False)
        batch_op.create_index('ix_coins_year_mint', ['year', 'mint_mark'], unique=False)

    op.create_table('certs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cert_number', sa.String(length=12), nullable=False),
    sa.Column('coin_id', sa.Integer(), nullable=True),
    sa.Column('pcgs_number', sa.Integer(), nullable=True),
    sa.Column('grade', sa.Integer(), nullable=True),
    sa.Column('plus', sa.Boolean(), nullable=False),
    sa.Column('grade_text', sa.String(length=20), nullable=False),
    sa.Column('raw', sa.JSON(), nullable=False),
    sa.Column('fetched_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['coin_id'], ['coins.id'], name=op.f('fk_certs_coin_id_coins'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certs')),
    sa.UniqueConstraint('cert_number', name=op.f('uq_certs_cert_number'))
    )
    with op.batch_alter_table('certs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certs_coin_id'), ['coin_id'], unique=False)

    op.create_table('price_observations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coin_id', sa.Integer(), nullable=False),
    sa.Column('grade', sa.Integer(), nullable=False),
    sa.Column('plus', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('price', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('observed_on', sa.Date(), nullable=False),
    sa.Column('population', sa.Integer(), nullable=True),
    sa.Column('pop_higher', sa.Integer(), nullable=True),
    sa.Column('fetched_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['coin_id'], ['coins.id'], name=op.f('fk_price_observations_coin_id_coins'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_price_observations')),
    sa.UniqueConstraint('coin_id', 'grade', 'plus', 'source', 'observed_on', name='uq_prices_point_day')
    )
    with op.batch_alter_table('price_observations', schema=None) as batch_op:
        batch_op.create_index('ix_prices_coin_grade', ['coin_id', 'grade', 'plus', 'observed_on'], unique=False)

    op.create_table('price_point_misses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coin_id', sa.Integer(), nullable=False),
    sa.Column('grade', sa.Integer(), nullable=False),
    sa.Column('plus', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['coin_id'], ['coins.id'], name=op.f('fk_price_point_misses_coin_id_coins'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_price_point_misses')),
    sa.UniqueConstraint('coin_id', 'grade', 'plus', 'source', name='uq_misses_point')
    )
    op.create_table('watchlist',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coin_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['coin_id'], ['coins.id'], name=op.f('fk_watchlist_coin_id_coins'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_watchlist')),
    sa.UniqueConstraint('coin_id', name=op.f('uq_watchlist_coin_id'))
    )



def downgrade() -> None:

    op.drop_table('watchlist')
    op.drop_table('price_point_misses')
    with op.batch_alter_table('price_observations', schema=None) as batch_op:
        batch_op.drop_index('ix_prices_coin_grade')

    op.drop_table('price_observations')
    with op.batch_alter_table('certs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certs_coin_id'))

    op.drop_table('certs')
    with op.batch_alter_table('coins', schema=None) as batch_op:
        batch_op.drop_index('ix_coins_year_mint')
        batch_op.drop_index(batch_op.f('ix_coins_series_id'))

    op.drop_table('coins')
    with op.batch_alter_table('work_items', schema=None) as batch_op:
        batch_op.drop_index('ix_work_items_queue_status')

    op.drop_table('work_items')
    with op.batch_alter_table('series', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_series_tier'))

    op.drop_table('series')
    with op.batch_alter_table('runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_runs_kind'))

    op.drop_table('runs')
    op.drop_table('quota_ledger')
    with op.batch_alter_table('quarantine', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quarantine_run_id'))

    op.drop_table('quarantine')
    op.drop_table('grades')
    with op.batch_alter_table('api_calls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_calls_run_id'))
        batch_op.drop_index('ix_api_calls_provider_day')
        batch_op.drop_index(batch_op.f('ix_api_calls_created_at'))

    op.drop_table('api_calls')


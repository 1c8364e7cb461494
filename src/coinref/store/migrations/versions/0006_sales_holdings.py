"""auction sales, population history, holdings and spot prices

``auction_sales`` (one row per lot, unique per auction house, sale and lot),
``population_observations`` (per coin, grade, plus, source and day), ``holdings`` (what a user
owns) and ``spot_prices`` (per metal, day and source).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 22:30:16.689522
"""
import sqlalchemy as sa
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('spot_prices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('metal', sa.String(length=12), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('price', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('fetched_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spot_prices')),
    sa.UniqueConstraint('metal', 'day', 'source', name='uq_spot_prices_metal_day_source')
    )
    op.create_table('auction_sales',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coin_id', sa.Integer(), nullable=False),
    sa.Column('pcgs_number', sa.Integer(), nullable=True),
    sa.Column('grade', sa.Integer(), nullable=False),
    sa.Column('plus', sa.Boolean(), nullable=False),
    sa.Column('designation', sa.String(length=8), nullable=False),
    sa.Column('sold_on', sa.Date(), nullable=False),
    sa.Column('date_text', sa.String(length=30), nullable=False),
    sa.Column('auction_house', sa.String(length=100), nullable=False),
    sa.Column('sale_name', sa.String(length=200), nullable=False),
    sa.Column('lot', sa.String(length=40), nullable=False),
    sa.Column('cert_number', sa.String(length=12), nullable=True),
    sa.Column('price', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('grading_service', sa.String(length=10), nullable=False),
    sa.Column('is_cac', sa.Boolean(), nullable=True),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('fetched_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['coin_id'], ['coins.id'], name=op.f('fk_auction_sales_coin_id_coins'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_auction_sales')),
    sa.UniqueConstraint('auction_house', 'sale_name', 'lot', name='uq_auction_sales_lot')
    )
    with op.batch_alter_table('auction_sales', schema=None) as batch_op:
        batch_op.create_index('ix_auction_sales_point', ['coin_id', 'grade', 'plus', 'sold_on'], unique=False)

    op.create_table('holdings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coin_id', sa.Integer(), nullable=False),
    sa.Column('grade', sa.Integer(), nullable=False),
    sa.Column('plus', sa.Boolean(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('cost', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('purchased_on', sa.Date(), nullable=True),
    sa.Column('cert_number', sa.String(length=12), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['coin_id'], ['coins.id'], name=op.f('fk_holdings_coin_id_coins'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_holdings')),
    sa.UniqueConstraint('cert_number', name=op.f('uq_holdings_cert_number'))
    )
    with op.batch_alter_table('holdings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_holdings_coin_id'), ['coin_id'], unique=False)

    op.create_table('population_observations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coin_id', sa.Integer(), nullable=False),
    sa.Column('grade', sa.Integer(), nullable=False),
    sa.Column('plus', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('observed_on', sa.Date(), nullable=False),
    sa.Column('population', sa.Integer(), nullable=False),
    sa.Column('pop_higher', sa.Integer(), nullable=True),
    sa.Column('fetched_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['coin_id'], ['coins.id'], name=op.f('fk_population_observations_coin_id_coins'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_population_observations')),
    sa.UniqueConstraint('coin_id', 'grade', 'plus', 'source', 'observed_on', name='uq_population_point_day')
    )
    with op.batch_alter_table('population_observations', schema=None) as batch_op:
        batch_op.create_index('ix_population_day', ['observed_on'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('population_observations', schema=None) as batch_op:
        batch_op.drop_index('ix_population_day')

    op.drop_table('population_observations')
    with op.batch_alter_table('holdings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_holdings_coin_id'))

    op.drop_table('holdings')
    with op.batch_alter_table('auction_sales', schema=None) as batch_op:
        batch_op.drop_index('ix_auction_sales_point')

    op.drop_table('auction_sales')
    op.drop_table('spot_prices')

"""offer modes: 'onsite' becomes 'in-person' (modes are online, in-person, blended)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-19 12:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

# Only the value changes: the column (String(10)) holds 'in-person' as it is, so both stores take plain UPDATEs.
offers = sa.table('offers', sa.column('mode', sa.String(length=10)))


def upgrade() -> None:
    op.execute(offers.update().where(offers.c.mode == 'onsite').values(mode='in-person'))


def downgrade() -> None:
    op.execute(offers.update().where(offers.c.mode == 'in-person').values(mode='onsite'))

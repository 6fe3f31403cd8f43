"""casework loop: corrections, follow-ups, contact (filled by the casework work)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 12:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

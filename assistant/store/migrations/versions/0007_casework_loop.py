"""casework loop: corrections the chat honours, a case's name and contact (with consent), follow-up dates

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


def _conversation_fk() -> sa.ForeignKeyConstraint:
    # Goes with its conversation: the person's "delete my data" removes corrections, contact and follow-up too.
    return sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], ondelete='CASCADE')


def upgrade() -> None:
    op.create_table('case_corrections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.String(length=36), nullable=False),
    sa.Column('field', sa.String(length=12), nullable=False),
    sa.Column('old', sa.Text(), nullable=False),
    sa.Column('new', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('by', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    _conversation_fk(),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('case_corrections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_corrections_conversation_id'), ['conversation_id'], unique=False)

    op.create_table('case_contacts',
    sa.Column('conversation_id', sa.String(length=36), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('contact', sa.String(length=200), nullable=False),
    sa.Column('consent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    _conversation_fk(),
    sa.PrimaryKeyConstraint('conversation_id')
    )

    op.create_table('case_follow_ups',
    sa.Column('conversation_id', sa.String(length=36), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('owner', sa.String(length=64), nullable=False),
    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
    _conversation_fk(),
    sa.PrimaryKeyConstraint('conversation_id')
    )
    with op.batch_alter_table('case_follow_ups', schema=None) as batch_op:
        batch_op.create_index('ix_case_follow_ups_owner_due', ['owner', 'due'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('case_follow_ups', schema=None) as batch_op:
        batch_op.drop_index('ix_case_follow_ups_owner_due')

    op.drop_table('case_follow_ups')
    op.drop_table('case_contacts')
    with op.batch_alter_table('case_corrections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_corrections_conversation_id'))

    op.drop_table('case_corrections')

"""casework: case assignments and handovers, suggestion reviews, case notes, action plans

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-12 12:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def _conversation_fk() -> sa.ForeignKeyConstraint:
    # Case data goes with its conversation: a job seeker's deletion removes notes, reviews and plan too.
    return sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], ondelete='CASCADE')


def upgrade() -> None:
    op.create_table('case_assignments',
    sa.Column('conversation_id', sa.String(length=36), nullable=False),
    sa.Column('counsellor', sa.String(length=64), nullable=False),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    _conversation_fk(),
    sa.PrimaryKeyConstraint('conversation_id')
    )
    with op.batch_alter_table('case_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_assignments_counsellor'), ['counsellor'], unique=False)

    op.create_table('case_handovers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.String(length=36), nullable=False),
    sa.Column('from_user', sa.String(length=64), nullable=True),
    sa.Column('to_user', sa.String(length=64), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    _conversation_fk(),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('case_handovers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_handovers_conversation_id'), ['conversation_id'], unique=False)

    op.create_table('suggestion_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('ref', sa.String(length=300), nullable=False),
    sa.Column('decision', sa.String(length=10), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('reviewer', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    _conversation_fk(),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('suggestion_reviews', schema=None) as batch_op:
        batch_op.create_index('ix_suggestion_reviews_item', ['conversation_id', 'kind', 'ref'], unique=False)

    op.create_table('case_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.String(length=36), nullable=False),
    sa.Column('author', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    _conversation_fk(),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('case_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_notes_conversation_id'), ['conversation_id'], unique=False)

    op.create_table('case_plans',
    sa.Column('conversation_id', sa.String(length=36), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.Column('agreed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('agreed_by', sa.String(length=64), nullable=True),
    _conversation_fk(),
    sa.PrimaryKeyConstraint('conversation_id')
    )


def downgrade() -> None:
    op.drop_table('case_plans')
    with op.batch_alter_table('case_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_notes_conversation_id'))

    op.drop_table('case_notes')
    with op.batch_alter_table('suggestion_reviews', schema=None) as batch_op:
        batch_op.drop_index('ix_suggestion_reviews_item')

    op.drop_table('suggestion_reviews')
    with op.batch_alter_table('case_handovers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_handovers_conversation_id'))

    op.drop_table('case_handovers')
    with op.batch_alter_table('case_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_assignments_counsellor'))

    op.drop_table('case_assignments')

"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-21 18:56:33.531876
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('version', sa.String(length=100), nullable=False),
    sa.Column('checksum', sa.String(length=64), nullable=False),
    sa.Column('location', sa.Text(), nullable=False),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('licence', sa.Text(), nullable=False),
    sa.Column('attribution', sa.Text(), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=500), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('checksum', sa.String(length=64), nullable=False),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('citation', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_id', 'key', name='uq_document_source_key')
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_documents_source_id'), ['source_id'], unique=False)

    op.create_table('occupations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('scheme', sa.String(length=20), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=True),
    sa.Column('uri', sa.Text(), nullable=True),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('level', sa.Integer(), nullable=True),
    sa.Column('parent_code', sa.String(length=40), nullable=True),
    sa.Column('isco_code', sa.String(length=10), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('alt_titles', sa.JSON(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('tasks', sa.JSON(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('scheme', 'key', name='uq_occupation_scheme_key')
    )
    with op.batch_alter_table('occupations', schema=None) as batch_op:
        batch_op.create_index('ix_occupation_scheme_code', ['scheme', 'code'], unique=False)
        batch_op.create_index(batch_op.f('ix_occupations_source_id'), ['source_id'], unique=False)

    op.create_table('offers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('provider', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('city', sa.String(length=100), nullable=True),
    sa.Column('region', sa.String(length=100), nullable=True),
    sa.Column('country', sa.String(length=8), nullable=True),
    sa.Column('mode', sa.String(length=10), nullable=True),
    sa.Column('duration_months', sa.Float(), nullable=True),
    sa.Column('duration_text', sa.Text(), nullable=True),
    sa.Column('cost', sa.Float(), nullable=True),
    sa.Column('currency', sa.String(length=8), nullable=True),
    sa.Column('paid', sa.Boolean(), nullable=True),
    sa.Column('wage', sa.Text(), nullable=True),
    sa.Column('subsidy', sa.Text(), nullable=True),
    sa.Column('qualification', sa.Text(), nullable=True),
    sa.Column('level', sa.Text(), nullable=True),
    sa.Column('start_dates', sa.JSON(), nullable=False),
    sa.Column('target_occupations', sa.JSON(), nullable=False),
    sa.Column('target_skills', sa.JSON(), nullable=False),
    sa.Column('eligibility', sa.Text(), nullable=True),
    sa.Column('contact', sa.Text(), nullable=True),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.Column('sample', sa.Boolean(), nullable=False),
    sa.Column('citation', sa.Text(), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_id', 'external_id', name='uq_offer_source_id')
    )
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offers_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_offers_source_id'), ['source_id'], unique=False)

    op.create_table('skills',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('scheme', sa.String(length=20), nullable=False),
    sa.Column('uri', sa.String(length=300), nullable=False),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('alt_labels', sa.JSON(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('skill_type', sa.String(length=40), nullable=True),
    sa.Column('reuse_level', sa.String(length=40), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('scheme', 'uri', name='uq_skill_scheme_uri')
    )
    with op.batch_alter_table('skills', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_skills_source_id'), ['source_id'], unique=False)

    op.create_table('occupation_skills',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('occupation_id', sa.Integer(), nullable=False),
    sa.Column('skill_id', sa.Integer(), nullable=False),
    sa.Column('relation', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['occupation_id'], ['occupations.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['skill_id'], ['skills.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('occupation_id', 'skill_id', name='uq_occupation_skill')
    )
    with op.batch_alter_table('occupation_skills', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_occupation_skills_skill_id'), ['skill_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_occupation_skills_source_id'), ['source_id'], unique=False)

    op.create_table('passages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.Column('section_path', sa.JSON(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('document_id', 'ordinal', name='uq_passage_ordinal')
    )


def downgrade() -> None:
    op.drop_table('passages')
    with op.batch_alter_table('occupation_skills', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_occupation_skills_source_id'))
        batch_op.drop_index(batch_op.f('ix_occupation_skills_skill_id'))

    op.drop_table('occupation_skills')
    with op.batch_alter_table('skills', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_skills_source_id'))

    op.drop_table('skills')
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offers_source_id'))
        batch_op.drop_index(batch_op.f('ix_offers_kind'))

    op.drop_table('offers')
    with op.batch_alter_table('occupations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_occupations_source_id'))
        batch_op.drop_index('ix_occupation_scheme_code')

    op.drop_table('occupations')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_source_id'))

    op.drop_table('documents')
    op.drop_table('sources')

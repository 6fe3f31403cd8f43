"""per-conversation secret and case code (filled by the security work)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 12:00:00.000000

`secret_hash`: SHA-256 of the key only the person's browser holds; NULL for conversations stored before this
revision, which stay readable by logged-in counsellors only (nobody holds a key for them).
`case_code`: a short code the person and their counsellor can say to each other; existing conversations get one.
"""
import secrets

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# The alphabet of assistant/store/conversation_keys.py, copied: a migration must not change when the code does.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
conversations = sa.table('conversations', sa.column('id', sa.String(36)), sa.column('case_code', sa.String(8)))


def upgrade() -> None:
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('secret_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('case_code', sa.String(length=8), nullable=True))
    conn = op.get_bind()
    used: set[str] = set()
    for (conversation_id,) in conn.execute(sa.select(conversations.c.id)).all():
        code = ''.join(secrets.choice(ALPHABET) for _ in range(6))
        while code in used:
            code = ''.join(secrets.choice(ALPHABET) for _ in range(6))
        used.add(code)
        conn.execute(conversations.update().where(conversations.c.id == conversation_id).values(case_code=code))
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conversations_case_code'), ['case_code'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversations_case_code'))
        batch_op.drop_column('case_code')
        batch_op.drop_column('secret_hash')

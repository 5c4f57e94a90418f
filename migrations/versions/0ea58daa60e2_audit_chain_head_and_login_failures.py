"""audit chain head and login failures

Revision ID: 0ea58daa60e2
Revises: ed1e545a30d7
Create Date: 2026-12-03 16:55:08.381124

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0ea58daa60e2'
down_revision = 'ed1e545a30d7'
branch_labels = None
depends_on = None


def upgrade():
    head = op.create_table('audit_chain_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('last_entry_id', sa.Integer(), nullable=False),
    sa.Column('last_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain_head'))
    )
    # the head starts at the last entry already in the trail, so verification covers it
    last = op.get_bind().execute(
        sa.text('SELECT id, entry_hash FROM audit_entries ORDER BY id DESC LIMIT 1')
    ).first()
    op.bulk_insert(head, [{
        'id': 1,
        'last_entry_id': last[0] if last else 0,
        'last_hash': last[1] if last else '0' * 64,
    }])

    op.create_table('login_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_key', sa.String(length=64), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures'))
    )
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_failures_account_key'), ['account_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_failures_address'), ['address'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_failures_at'), ['at'], unique=False)


def downgrade():
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failures_at'))
        batch_op.drop_index(batch_op.f('ix_login_failures_address'))
        batch_op.drop_index(batch_op.f('ix_login_failures_account_key'))

    op.drop_table('login_failures')
    op.drop_table('audit_chain_head')

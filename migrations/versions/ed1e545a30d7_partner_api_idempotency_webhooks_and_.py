"""partner API idempotency, webhooks and outbox

Revision ID: ed1e545a30d7
Revises: 742126261ab4
Create Date: 2026-12-03 16:49:39.271303

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ed1e545a30d7'
down_revision = '742126261ab4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_idempotency_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key_id', sa.String(length=64), nullable=False),
    sa.Column('idempotency_key', sa.String(length=255), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('content_type', sa.String(length=100), nullable=True),
    sa.Column('etag', sa.String(length=100), nullable=True),
    sa.Column('body', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_idempotency_records')),
    sa.UniqueConstraint('key_id', 'idempotency_key', name=op.f('uq_api_idempotency_records_key_id'))
    )
    with op.batch_alter_table('api_idempotency_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_idempotency_records_expires_at'), ['expires_at'], unique=False)

    op.create_table('api_outbox_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('insurer_id', sa.Integer(), nullable=False),
    sa.Column('event_type', sa.String(length=64), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['insurer_id'], ['insurers.id'], name=op.f('fk_api_outbox_events_insurer_id_insurers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_outbox_events')),
    sa.UniqueConstraint('public_id', name=op.f('uq_api_outbox_events_public_id'))
    )
    with op.batch_alter_table('api_outbox_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_outbox_events_insurer_id'), ['insurer_id'], unique=False)

    op.create_table('api_webhook_endpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('insurer_id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('secret_encrypted', sa.LargeBinary(), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('removed_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['insurer_id'], ['insurers.id'], name=op.f('fk_api_webhook_endpoints_insurer_id_insurers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_webhook_endpoints')),
    sa.UniqueConstraint('public_id', name=op.f('uq_api_webhook_endpoints_public_id'))
    )
    with op.batch_alter_table('api_webhook_endpoints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_webhook_endpoints_insurer_id'), ['insurer_id'], unique=False)

    op.create_table('api_webhook_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('endpoint_id', sa.Integer(), nullable=False),
    sa.Column('insurer_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'delivered', 'failed', 'cancelled', name='deliverystatus', native_enum=False, length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('last_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('last_status_code', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.String(length=200), nullable=True),
    sa.Column('delivered_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['endpoint_id'], ['api_webhook_endpoints.id'], name=op.f('fk_api_webhook_deliveries_endpoint_id_api_webhook_endpoints')),
    sa.ForeignKeyConstraint(['event_id'], ['api_outbox_events.id'], name=op.f('fk_api_webhook_deliveries_event_id_api_outbox_events')),
    sa.ForeignKeyConstraint(['insurer_id'], ['insurers.id'], name=op.f('fk_api_webhook_deliveries_insurer_id_insurers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_webhook_deliveries')),
    sa.UniqueConstraint('public_id', name=op.f('uq_api_webhook_deliveries_public_id'))
    )
    with op.batch_alter_table('api_webhook_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_webhook_deliveries_endpoint_id'), ['endpoint_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_api_webhook_deliveries_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_api_webhook_deliveries_insurer_id'), ['insurer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_api_webhook_deliveries_next_attempt_at'), ['next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_api_webhook_deliveries_status'), ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('api_webhook_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_webhook_deliveries_status'))
        batch_op.drop_index(batch_op.f('ix_api_webhook_deliveries_next_attempt_at'))
        batch_op.drop_index(batch_op.f('ix_api_webhook_deliveries_insurer_id'))
        batch_op.drop_index(batch_op.f('ix_api_webhook_deliveries_event_id'))
        batch_op.drop_index(batch_op.f('ix_api_webhook_deliveries_endpoint_id'))

    op.drop_table('api_webhook_deliveries')
    with op.batch_alter_table('api_webhook_endpoints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_webhook_endpoints_insurer_id'))

    op.drop_table('api_webhook_endpoints')
    with op.batch_alter_table('api_outbox_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_outbox_events_insurer_id'))

    op.drop_table('api_outbox_events')
    with op.batch_alter_table('api_idempotency_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_idempotency_records_expires_at'))

    op.drop_table('api_idempotency_records')

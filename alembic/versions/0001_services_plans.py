"""Services, plans and plan resources.

Revision ID: 0001_services_plans
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

from karbor.db.types import JsonEncoded
from karbor.db.types import utc_datetime

revision = '0001_services_plans'
down_revision = None
branch_labels = None
depends_on = None

TABLE_ARGS = {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'}


def upgrade():
    op.create_table(
        'services',
        sa.Column('id', sa.Integer, primary_key=True, autoincrement=True),
        sa.Column('host', sa.String(255), nullable=False),
        sa.Column('binary', sa.String(255), nullable=False),
        sa.Column('topic', sa.String(255), nullable=True),
        sa.Column('report_count', sa.Integer, nullable=False),
        sa.Column('disabled', sa.Boolean, nullable=False),
        sa.Column('disabled_reason', sa.String(255), nullable=True),
        sa.Column('last_heartbeat', utc_datetime(), nullable=True),
        sa.Column('created_at', utc_datetime(), nullable=False),
        sa.Column('updated_at', utc_datetime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_services'),
        sa.UniqueConstraint('host', 'binary', name='uq_services_host_binary'),
        **TABLE_ARGS)

    op.create_table(
        'plans',
        sa.Column('id', sa.String(36), nullable=False),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('user_id', sa.String(255), nullable=True),
        sa.Column('name', sa.String(255), nullable=False),
        sa.Column('description', sa.String(255), nullable=True),
        sa.Column('provider_id', sa.String(36), nullable=False),
        sa.Column('status', sa.String(32), nullable=False),
        sa.Column('parameters', JsonEncoded, nullable=False),
        sa.Column('created_at', utc_datetime(), nullable=False),
        sa.Column('updated_at', utc_datetime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_plans'),
        **TABLE_ARGS)
    op.create_index('ix_plans_project_id_created_at_id', 'plans',
                    ['project_id', 'created_at', 'id'])
    op.create_index('ix_plans_project_id_name', 'plans',
                    ['project_id', 'name'])
    op.create_index('ix_plans_project_id_status', 'plans',
                    ['project_id', 'status'])
    op.create_index('ix_plans_project_id_description', 'plans',
                    ['project_id', 'description'])
    op.create_index('ix_plans_created_at_id', 'plans', ['created_at', 'id'])
    op.create_index('ix_plans_provider_id', 'plans', ['provider_id'])

    op.create_table(
        'plan_resources',
        sa.Column('id', sa.Integer, primary_key=True, autoincrement=True),
        sa.Column('plan_id', sa.String(36), nullable=False),
        sa.Column('position', sa.Integer, nullable=False),
        sa.Column('resource_id', sa.String(255), nullable=False),
        sa.Column('resource_type', sa.String(255), nullable=False),
        sa.Column('resource_name', sa.String(255), nullable=False),
        sa.Column('extra_info', JsonEncoded, nullable=True),
        sa.PrimaryKeyConstraint('id', name='pk_plan_resources'),
        sa.ForeignKeyConstraint(['plan_id'], ['plans.id'],
                                name='fk_plan_resources_plan_id_plans',
                                ondelete='CASCADE'),
        sa.UniqueConstraint('plan_id', 'position',
                            name='uq_plan_resources_plan_id_position'),
        **TABLE_ARGS)

"""A plan's resources live in its row.

They are always read and written with their plan, as a whole: a column
of the plan makes showing or listing plans one query of one table, and a
create one insert (a separate table cost a second query per page, which
PostgreSQL answers with a scan of every resource while the table holds
a few thousand rows).

Revision ID: 0012_plan_resources_in_plans
Revises: 0011_extra_info_pages
Create Date: 2026-12-08
"""

import json

import sqlalchemy as sa
from alembic import op

from karbor.db.types import JsonEncoded

revision = '0012_plan_resources_in_plans'
down_revision = '0011_extra_info_pages'
branch_labels = None
depends_on = None


def _encoded(value):
    # As karbor.db.types.JsonEncoded writes it.
    return json.dumps(value, separators=(',', ':'), sort_keys=True)


def upgrade():
    with op.batch_alter_table('plans') as batch:
        batch.add_column(sa.Column('resources', JsonEncoded, nullable=True))
    connection = op.get_bind()
    resources = {}
    for plan_id, resource_id, resource_type, name, extra_info in \
            connection.execute(sa.text(
                'SELECT plan_id, resource_id, resource_type, resource_name, '
                'extra_info FROM plan_resources ORDER BY plan_id, '
                'position')):
        resources.setdefault(plan_id, []).append({
            'id': resource_id, 'type': resource_type, 'name': name,
            'extra_info': (json.loads(extra_info) if extra_info is not None
                           else None)})
    if resources:
        connection.execute(
            sa.text('UPDATE plans SET resources = :resources WHERE id = :id'),
            [{'id': plan_id, 'resources': _encoded(items)}
             for plan_id, items in resources.items()])
    connection.execute(sa.text(
        "UPDATE plans SET resources = '[]' WHERE resources IS NULL"))
    with op.batch_alter_table('plans') as batch:
        batch.alter_column('resources', existing_type=JsonEncoded,
                           nullable=False)
    op.drop_table('plan_resources')

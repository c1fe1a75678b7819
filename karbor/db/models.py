"""SQLAlchemy models. Every change here comes with an alembic revision.

The migration test (tests/functional/db/test_migrations.py) checks that the
migrations build exactly these tables.
"""

from oslo_utils import timeutils
import sqlalchemy as sa
from sqlalchemy import orm

from karbor.db.types import JsonEncoded
from karbor.db.types import utc_datetime

# Naming convention so that constraint and index names are the same on
# every back end and alembic can refer to them.
NAMING_CONVENTION = {
    'ix': 'ix_%(table_name)s_%(column_0_N_name)s',
    'uq': 'uq_%(table_name)s_%(column_0_N_name)s',
    'fk': 'fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s',
    'pk': 'pk_%(table_name)s',
}

TABLE_ARGS = {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'}


class Base(orm.DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def _now():
    return timeutils.utcnow()


class TimestampMixin:
    created_at = sa.Column(utc_datetime(), nullable=False, default=_now)
    updated_at = sa.Column(utc_datetime(), nullable=False, default=_now,
                           onupdate=_now)


class Service(TimestampMixin, Base):
    """A running daemon, kept alive by its heartbeats."""

    __tablename__ = 'services'
    __table_args__ = (
        sa.UniqueConstraint('host', 'binary'),
        TABLE_ARGS,
    )

    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    host = sa.Column(sa.String(255), nullable=False)
    binary = sa.Column(sa.String(255), nullable=False)
    topic = sa.Column(sa.String(255), nullable=True)
    report_count = sa.Column(sa.Integer, nullable=False, default=0)
    disabled = sa.Column(sa.Boolean, nullable=False, default=False)
    disabled_reason = sa.Column(sa.String(255), nullable=True)
    last_heartbeat = sa.Column(utc_datetime(), nullable=True)


class Plan(TimestampMixin, Base):
    """What to protect: a provider and a list of resources."""

    __tablename__ = 'plans'
    __table_args__ = (
        # Every list filter and the default sort (created_at desc, id) are
        # served by an index that starts with the project.
        sa.Index('ix_plans_project_id_created_at_id',
                 'project_id', 'created_at', 'id'),
        sa.Index('ix_plans_project_id_name', 'project_id', 'name'),
        sa.Index('ix_plans_project_id_status', 'project_id', 'status'),
        sa.Index('ix_plans_project_id_description',
                 'project_id', 'description'),
        sa.Index('ix_plans_created_at_id', 'created_at', 'id'),
        sa.Index('ix_plans_provider_id', 'provider_id'),
        TABLE_ARGS,
    )

    id = sa.Column(sa.String(36), primary_key=True)
    project_id = sa.Column(sa.String(255), nullable=False)
    user_id = sa.Column(sa.String(255), nullable=True)
    name = sa.Column(sa.String(255), nullable=False)
    description = sa.Column(sa.String(255), nullable=True)
    provider_id = sa.Column(sa.String(36), nullable=False)
    status = sa.Column(sa.String(32), nullable=False)
    parameters = sa.Column(JsonEncoded, nullable=False)

    resources = orm.relationship(
        'PlanResource', order_by='PlanResource.position',
        cascade='all, delete-orphan', passive_deletes=True,
        lazy='selectin')


class PlanResource(Base):
    """One resource of a plan, in the order the user gave."""

    __tablename__ = 'plan_resources'
    __table_args__ = (
        sa.UniqueConstraint('plan_id', 'position'),
        TABLE_ARGS,
    )

    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    plan_id = sa.Column(sa.String(36),
                        sa.ForeignKey('plans.id', ondelete='CASCADE'),
                        nullable=False)
    position = sa.Column(sa.Integer, nullable=False)
    resource_id = sa.Column(sa.String(255), nullable=False)
    resource_type = sa.Column(sa.String(255), nullable=False)
    resource_name = sa.Column(sa.String(255), nullable=False)
    extra_info = sa.Column(JsonEncoded, nullable=True)

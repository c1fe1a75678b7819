"""DB API for service records (daemon heartbeats)."""

from oslo_db import exception as db_exc
from oslo_utils import timeutils
import sqlalchemy as sa

from karbor.common import exceptions
from karbor.db import models
from karbor.db import session as db_session


def service_register(context, host, binary, topic):
    """Create or revive the record of (host, binary); returns it."""
    now = timeutils.utcnow()
    for _attempt in range(2):
        try:
            with db_session.writer(context) as session:
                service = session.execute(
                    sa.select(models.Service).where(
                        models.Service.host == host,
                        models.Service.binary == binary)
                ).scalars().first()
                if service is None:
                    service = models.Service(host=host, binary=binary,
                                             topic=topic, report_count=0,
                                             disabled=False)
                    session.add(service)
                service.topic = topic
                service.last_heartbeat = now
                session.flush()
                return service
        except db_exc.DBDuplicateEntry:
            # Two workers of one host registered at once: the row exists
            # now, so the second attempt finds it.
            continue
    raise exceptions.ServiceUnavailable(
        reason='cannot register service %s on %s' % (binary, host))


def service_heartbeat(context, service_id):
    """Record a heartbeat; returns the row (to read ``disabled``)."""
    now = timeutils.utcnow()
    with db_session.writer(context) as session:
        session.execute(
            sa.update(models.Service).where(models.Service.id == service_id)
            .values(report_count=models.Service.report_count + 1,
                    last_heartbeat=now))
        service = session.get(models.Service, service_id)
        if service is None:
            raise exceptions.ServiceNotFound(service_id=service_id)
        return service


def service_get(context, service_id):
    with db_session.reader(context) as session:
        service = session.get(models.Service, service_id)
        if service is None:
            raise exceptions.ServiceNotFound(service_id=service_id)
        return service


def service_list(context, host=None, binary=None):
    with db_session.reader(context) as session:
        query = sa.select(models.Service).order_by(models.Service.id)
        if host is not None:
            query = query.where(models.Service.host == host)
        if binary is not None:
            query = query.where(models.Service.binary == binary)
        return session.execute(query).scalars().all()


def service_update(context, service_id, values):
    with db_session.writer(context) as session:
        service = session.get(models.Service, service_id,
                              with_for_update=True)
        if service is None:
            raise exceptions.ServiceNotFound(service_id=service_id)
        for key, value in values.items():
            setattr(service, key, value)
        service.updated_at = timeutils.utcnow()
        session.flush()
        return service

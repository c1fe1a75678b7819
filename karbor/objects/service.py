"""Service: the record a daemon keeps alive with heartbeats."""

from oslo_config import cfg
from oslo_utils import timeutils
from oslo_versionedobjects import fields

from karbor.common import constants
from karbor.db import services as db_services
from karbor.objects import base

CONF = cfg.CONF


@base.KarborObjectRegistry.register
class Service(base.KarborObject):
    # Version 1.0: initial version
    VERSION = '1.0'

    fields = {
        'id': fields.IntegerField(),
        'host': fields.StringField(),
        'binary': fields.StringField(),
        'topic': fields.StringField(nullable=True),
        'report_count': fields.IntegerField(),
        'disabled': fields.BooleanField(),
        'disabled_reason': fields.StringField(nullable=True),
        'last_heartbeat': fields.DateTimeField(nullable=True),
        'created_at': fields.DateTimeField(),
        'updated_at': fields.DateTimeField(),
    }

    @property
    def is_up(self):
        if self.last_heartbeat is None:
            return False
        age = timeutils.utcnow(with_timezone=True) - self.last_heartbeat
        return age.total_seconds() <= CONF.service_down_time

    @property
    def state(self):
        return (constants.SERVICE_STATE_UP if self.is_up
                else constants.SERVICE_STATE_DOWN)

    @property
    def status(self):
        return (constants.SERVICE_STATUS_DISABLED if self.disabled
                else constants.SERVICE_STATUS_ENABLED)

    @classmethod
    def register(cls, context, host, binary, topic):
        row = db_services.service_register(context, host, binary, topic)
        return cls._from_db_object(context, cls(), row)

    @classmethod
    def get_by_id(cls, context, service_id):
        return cls._from_db_object(
            context, cls(), db_services.service_get(context, service_id))

    @classmethod
    def list(cls, context, host=None, binary=None):
        return [cls._from_db_object(context, cls(), row)
                for row in db_services.service_list(context, host, binary)]

    def heartbeat(self):
        row = db_services.service_heartbeat(self._context, self.id)
        self._from_db_object(self._context, self, row)

    def save(self):
        values = self.obj_get_changes()
        if values:
            row = db_services.service_update(self._context, self.id, values)
            self._from_db_object(self._context, self, row)

"""Plan: a provider and the resources it protects."""

from oslo_versionedobjects import fields

from karbor.db import plans as db_plans
from karbor.objects import base


@base.KarborObjectRegistry.register
class Plan(base.KarborObject):
    # Version 1.0: initial version
    VERSION = '1.0'

    fields = {
        'id': fields.UUIDField(),
        'project_id': fields.StringField(),
        'user_id': fields.StringField(nullable=True),
        'name': fields.StringField(),
        'description': fields.StringField(nullable=True),
        'provider_id': fields.UUIDField(),
        'status': fields.StringField(),
        # [{"id", "type", "name", "extra_info"}], in the user's order
        'resources': base.JsonField(),
        'parameters': base.JsonField(),
        'created_at': fields.DateTimeField(),
        'updated_at': fields.DateTimeField(),
    }

    @classmethod
    def get_by_id(cls, context, plan_id, project_id=None):
        return cls._from_db_object(
            context, cls(), db_plans.plan_get(context, plan_id, project_id))

    def save(self):
        values = self.obj_get_changes()
        if values:
            row = db_plans.plan_update(self._context, self.id, values,
                                       project_id=self.project_id)
            self._from_db_object(self._context, self, row)

    def destroy(self):
        db_plans.plan_delete(self._context, self.id,
                             project_id=self.project_id)

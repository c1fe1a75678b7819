"""Base of Karbor's versioned objects (what crosses RPC)."""

from oslo_versionedobjects import base as ovo_base
from oslo_versionedobjects import fields as ovo_fields


class KarborObjectRegistry(ovo_base.VersionedObjectRegistry):
    pass


class KarborObject(ovo_base.VersionedObject):
    OBJ_PROJECT_NAMESPACE = 'karbor'
    OBJ_SERIAL_NAMESPACE = 'karbor_object'

    def as_dict(self):
        return {name: getattr(self, name) for name in self.fields
                if self.obj_attr_is_set(name)}

    @classmethod
    def _from_db_object(cls, context, obj, db_row, skip=()):
        for name in obj.fields:
            if name not in skip:
                setattr(obj, name, getattr(db_row, name))
        obj._context = context
        obj.obj_reset_changes()
        return obj


class KarborObjectSerializer(ovo_base.VersionedObjectSerializer):
    OBJ_BASE_CLASS = KarborObject


class Json(ovo_fields.FieldType):
    """Any JSON-compatible value (dicts, lists, strings, numbers, None)."""

    def coerce(self, obj, attr, value):
        return value


class JsonField(ovo_fields.AutoTypedField):
    AUTO_TYPE = Json()

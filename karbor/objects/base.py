"""Base of Karbor's versioned objects (what crosses RPC)."""

import datetime

from oslo_versionedobjects import base as ovo_base
from oslo_versionedobjects import fields as ovo_fields


def storage_name(field):
    """Where oslo.versionedobjects keeps a field's value (its setters use
    this name; tests/unit/test_objects.py checks it still does)."""
    return '_obj_' + field


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
        # Database rows are already of the fields' types: store them without
        # the per-field coercion (a fifth of the CPU of listing 50 plans);
        # only naive UTC datetimes get their time zone, as coercion would.
        for name, field in obj.fields.items():
            if name in skip:
                continue
            value = getattr(db_row, name)
            if isinstance(field, ovo_fields.DateTimeField) and \
                    value is not None and value.tzinfo is None:
                value = value.replace(tzinfo=datetime.UTC)
            setattr(obj, storage_name(name), value)
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

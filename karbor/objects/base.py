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
    def _storage_plan(cls):
        """``(field, storage name, is a datetime)`` of every field."""
        plan = cls.__dict__.get('_karbor_storage_plan')
        if plan is None:
            plan = tuple(
                (name, storage_name(name),
                 isinstance(field, ovo_fields.DateTimeField))
                for name, field in cls.fields.items())
            cls._karbor_storage_plan = plan
        return plan

    @classmethod
    def _from_db_object(cls, context, obj, db_row, skip=()):
        # Database rows are already of the fields' types: store them without
        # the per-field coercion and setters (most of the CPU of listing 50
        # plans); only naive UTC datetimes get their time zone, as coercion
        # would.
        values = obj.__dict__
        for name, storage, is_datetime in obj._storage_plan():
            if name in skip:
                continue
            value = getattr(db_row, name)
            if is_datetime and value is not None and value.tzinfo is None:
                value = value.replace(tzinfo=datetime.UTC)
            values[storage] = value
        obj._context = context
        obj._changed_fields = set()
        return obj


class KarborObjectSerializer(ovo_base.VersionedObjectSerializer):
    OBJ_BASE_CLASS = KarborObject


class Json(ovo_fields.FieldType):
    """Any JSON-compatible value (dicts, lists, strings, numbers, None)."""

    def coerce(self, obj, attr, value):
        return value


class JsonField(ovo_fields.AutoTypedField):
    AUTO_TYPE = Json()

"""Request schemas of /scheduled_operations."""

from karbor.api.schemas import common
from karbor.common import constants

# Integers, or their digits as CLIs send them ("-1" included).
INTEGER = {'anyOf': [{'type': 'integer'},
                     {'type': 'string', 'pattern': r'^\s*-?\d{1,9}\s*$'}]}

_COMMON = {'provider_id': common.UUID, 'plan_id': common.UUID}

# One definition per operation type: what each one may be given.
DEFINITIONS = {
    constants.SCHEDULED_PROTECT: dict(_COMMON),
    constants.SCHEDULED_RETENTION_PROTECT: dict(
        _COMMON, max_backups=INTEGER, retention_duration=INTEGER),
    constants.SCHEDULED_COPY: dict(
        _COMMON, destination={'type': 'string', 'minLength': 1,
                              'maxLength': 64},
        parameters={'type': 'object',
                    'additionalProperties': {'type': 'object'}}),
}


def definition_schema(operation_type):
    return {
        'type': 'object',
        'properties': DEFINITIONS[operation_type],
        'required': ['provider_id', 'plan_id'],
        'additionalProperties': False,
    }


create = {
    'type': 'object',
    'properties': {
        'scheduled_operation': {
            'type': 'object',
            'properties': {
                'name': common.NAME,
                'description': common.DESCRIPTION,
                'operation_type': {
                    'type': 'string',
                    'enum': list(constants.SCHEDULED_OPERATION_TYPES)},
                'trigger_id': common.UUID,
                # An object; a "k=v,k=v" string is accepted too (the
                # OpenStack client plugin sends it unparsed).
                'operation_definition': {'type': ['object', 'string'],
                                         'maxLength': 4096},
                'enabled': {'type': 'boolean'},
            },
            'required': ['name', 'operation_type', 'trigger_id',
                         'operation_definition'],
            'additionalProperties': False,
        },
    },
    'required': ['scheduled_operation'],
    'additionalProperties': False,
}

update = {
    'type': 'object',
    'properties': {
        'scheduled_operation': {
            'type': 'object',
            'properties': {
                'name': common.NAME,
                'description': common.DESCRIPTION,
                'enabled': {'type': 'boolean'},
            },
            'minProperties': 1,
            'additionalProperties': False,
        },
    },
    'required': ['scheduled_operation'],
    'additionalProperties': False,
}

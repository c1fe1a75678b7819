"""Request schemas of /triggers.

Only the shape is checked here; karbor.operationengine.schedule checks
what the properties mean (a pattern that parses, a window in range).
"""

from karbor.api.schemas import common
from karbor.common import constants

# CLIs send every value as a string except window (an int).
PROPERTY_VALUE = {'type': ['string', 'integer', 'null'], 'maxLength': 4096}

PROPERTIES = {
    'type': 'object',
    'properties': {key: PROPERTY_VALUE for key in (
        'format', 'pattern', 'start_time', 'end_time', 'window',
        'timezone')},
    'additionalProperties': False,
}

create = {
    'type': 'object',
    'properties': {
        'trigger_info': {
            'type': 'object',
            'properties': {
                'name': common.NAME,
                'type': {'type': 'string',
                         'enum': list(constants.TRIGGER_TYPES)},
                'properties': PROPERTIES,
            },
            'required': ['name', 'type', 'properties'],
            'additionalProperties': False,
        },
    },
    'required': ['trigger_info'],
    'additionalProperties': False,
}

update = {
    'type': 'object',
    'properties': {
        'trigger_info': {
            'type': 'object',
            'properties': {
                'name': common.NAME,
                # Merged over the current properties; {} changes nothing
                # (the legacy CLI always sends it).
                'properties': PROPERTIES,
            },
            'minProperties': 1,
            'additionalProperties': False,
        },
    },
    'required': ['trigger_info'],
    'additionalProperties': False,
}

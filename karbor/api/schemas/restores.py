"""Request schema of POST /restores."""

from karbor.api.schemas import common

RESTORE_AUTH = {
    'type': ['object', 'null'],
    'properties': {
        'type': {'type': 'string', 'enum': ['password']},
        'username': {'type': 'string', 'minLength': 1, 'maxLength': 255},
        'password': {'type': 'string', 'maxLength': 255},
    },
    'required': ['type', 'username', 'password'],
    'additionalProperties': False,
}

create = {
    'type': 'object',
    'properties': {
        'restore': {
            'type': 'object',
            'properties': {
                'provider_id': common.UUID,
                'checkpoint_id': common.UUID,
                'restore_target': {'type': ['string', 'null'],
                                   'maxLength': 255},
                'restore_auth': RESTORE_AUTH,
                'parameters': {'type': 'object',
                               'additionalProperties': {'type': 'object'}},
            },
            'required': ['provider_id', 'checkpoint_id'],
            'additionalProperties': False,
        },
    },
    'required': ['restore'],
    'additionalProperties': False,
}

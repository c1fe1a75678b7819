"""Request schema of POST /verifications."""

from karbor.api.schemas import common

create = {
    'type': 'object',
    'properties': {
        'verification': {
            'type': 'object',
            'properties': {
                'provider_id': common.UUID,
                'checkpoint_id': common.UUID,
                # Keyed by resource type or "type#id", checked against the
                # provider's verify schema of each type.
                'parameters': {'type': 'object',
                               'additionalProperties': {'type': 'object'}},
            },
            'required': ['provider_id', 'checkpoint_id'],
            'additionalProperties': False,
        },
    },
    'required': ['verification'],
    'additionalProperties': False,
}

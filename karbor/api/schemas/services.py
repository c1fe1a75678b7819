"""Request schema of PUT /os-services/{id} (not enveloped, as in v1)."""

from karbor.common import constants

update = {
    'type': 'object',
    'properties': {
        'status': {'type': 'string',
                   'enum': [constants.SERVICE_STATUS_ENABLED,
                            constants.SERVICE_STATUS_DISABLED]},
        'disabled_reason': {'type': ['string', 'null'], 'maxLength': 255},
    },
    'required': ['status'],
    'additionalProperties': False,
}

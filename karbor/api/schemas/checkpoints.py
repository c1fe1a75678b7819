"""Request schemas of /providers/{provider_id}/checkpoints."""

from karbor.api.schemas import common
from karbor.common import constants

# A flat map of strings. Karbor v1 clients send it as "extra-info" (and
# null when there is none); the old API reference showed "extra_info".
# Keys, values and bounds are checked by karbor.api.extra_info, whose
# messages name the rule or the configured bound that was broken.
EXTRA_INFO = {'type': ['object', 'null']}

create = {
    'type': 'object',
    'properties': {
        'checkpoint': {
            'type': 'object',
            'properties': {
                'plan_id': common.UUID,
                'extra-info': EXTRA_INFO,
                'extra_info': EXTRA_INFO,
            },
            'required': ['plan_id'],
            'additionalProperties': False,
        },
    },
    'required': ['checkpoint'],
    'additionalProperties': False,
}

reset_state = {
    'type': 'object',
    'properties': {
        'os-resetState': {
            'type': 'object',
            'properties': {
                'state': {'type': 'string',
                          'enum': list(constants.CHECKPOINT_RESET_TARGETS)},
            },
            'required': ['state'],
            'additionalProperties': False,
        },
    },
    'required': ['os-resetState'],
    'additionalProperties': False,
}

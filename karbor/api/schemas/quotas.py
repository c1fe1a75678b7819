"""Request schemas of PUT /quotas/{project} and /quota_classes/{class}."""

# Limits are integers from -1 (unlimited); digit strings are accepted too,
# because CLIs (python-karborclient among them) send what was typed. The
# type and range are checked by the controller, whose message says what is
# allowed.
LIMIT = {}

LIMITS = {
    'type': 'object',
    'properties': {
        'plans': LIMIT,
        'checkpoints': LIMIT,
    },
    'minProperties': 1,
    'additionalProperties': False,
}

update = {
    'type': 'object',
    'properties': {'quota': LIMITS},
    'required': ['quota'],
    'additionalProperties': False,
}

class_update = {
    'type': 'object',
    'properties': {'quota_class': LIMITS},
    'required': ['quota_class'],
    'additionalProperties': False,
}

"""Request schema of POST /providers/{provider_id}/checkpoints/action
(copy)."""

from karbor.api.schemas import common

DESTINATION = {'type': 'string', 'minLength': 1, 'maxLength': 63,
               'pattern': r'^[A-Za-z0-9][A-Za-z0-9_.\-]*$'}

COPY_ITEM = {
    'type': 'object',
    'properties': {
        # Allowed for the spec's form; must then be the URL's.
        'provider_id': common.UUID,
        'plan_id': common.UUID,
        'checkpoint_id': common.UUID,
        'destination': DESTINATION,
        # Keyed by resource type or "type#id", checked against the
        # provider's copy schema of each type.
        'parameters': {'type': 'object',
                       'additionalProperties': {'type': 'object'}},
    },
    'additionalProperties': False,
}

# The spec's list form ({"copy": [item]}) is turned into the object form
# before this is checked, so that errors name the field (copy/plan_id).
action = {
    'type': 'object',
    'properties': {'copy': COPY_ITEM},
    'required': ['copy'],
    'additionalProperties': False,
}

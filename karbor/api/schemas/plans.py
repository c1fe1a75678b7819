"""Request schemas of /plans."""

from karbor.api.schemas import common
from karbor.common import constants

RESOURCE = {
    'type': 'object',
    'properties': {
        'id': {'type': 'string', 'minLength': 1, 'maxLength': 255},
        'type': {'type': 'string', 'minLength': 1, 'maxLength': 255},
        'name': {'type': 'string', 'minLength': 1, 'maxLength': 255},
        'extra_info': {'type': ['object', 'null']},
    },
    'required': ['id', 'type', 'name'],
    'additionalProperties': False,
}

RESOURCES = {'type': 'array', 'items': RESOURCE, 'minItems': 1,
             'maxItems': 1000}

# Keys are a resource type ("OS::Karbor::Directory") or a type and a
# resource id ("OS::Karbor::Directory#<id>"); values are the plugin
# options, checked against the provider's options schema.
PARAMETERS = {'type': 'object',
              'additionalProperties': {'type': 'object'}}

create = {
    'type': 'object',
    'properties': {
        'plan': {
            'type': 'object',
            'properties': {
                'name': common.NAME,
                'description': common.DESCRIPTION,
                'provider_id': common.UUID,
                'resources': RESOURCES,
                'parameters': PARAMETERS,
            },
            'required': ['name', 'provider_id', 'resources'],
            'additionalProperties': False,
        },
    },
    'required': ['plan'],
    'additionalProperties': False,
}

update = {
    'type': 'object',
    'properties': {
        'plan': {
            'type': 'object',
            'properties': {
                'name': common.NAME,
                'description': common.DESCRIPTION,
                'resources': RESOURCES,
                'status': {'type': 'string',
                           'enum': list(constants.PLAN_STATUSES)},
            },
            'minProperties': 1,
            'additionalProperties': False,
        },
    },
    'required': ['plan'],
    'additionalProperties': False,
}

"""/v1/{project_id}/triggers"""

from oslo_config import cfg
from oslo_utils import timeutils
from oslo_utils import uuidutils
import pecan
from pecan import rest

from karbor import policy
from karbor.api import hooks
from karbor.api import listing
from karbor.api import validation
from karbor.api import views
from karbor.api.schemas import triggers as schemas
from karbor.common import constants
from karbor.common import exceptions
from karbor.db import triggers as db_triggers
from karbor.operationengine import schedule
from karbor.policies import triggers as trigger_policy

CONF = cfg.CONF
# "properties" is what python-karborclient's trigger-list --properties
# sends; it is refused with a message saying what works instead.
FILTERS = db_triggers.FILTERS + ('properties',)
SORT_KEYS = ('id', 'name', 'created_at', 'updated_at')


def trigger_view(row):
    return {
        'id': row.id,
        'name': row.name,
        'type': row.type,
        'properties': row.properties,
        'project_id': row.project_id,
        'created_at': views.isotime(row.created_at),
        'updated_at': views.isotime(row.updated_at),
    }


def normalised(properties):
    """The stored form of a trigger's properties, or a 400 naming why not."""
    conf = CONF.operationengine
    try:
        return schedule.normalise(
            properties, timeutils.utcnow(), conf.min_interval,
            conf.min_window, conf.max_window)
    except schedule.InvalidTrigger as err:
        raise exceptions.InvalidTrigger(reason=str(err)) from None


def first_due(properties):
    """The first due time after now of an operation on these properties."""
    return schedule.Schedule(properties).next_after(timeutils.utcnow())


class TriggersController(rest.RestController):

    @pecan.expose('json')
    def get_all(self, **_query):
        ctxt = hooks.context_of(pecan.request)
        policy.authorize(ctxt, trigger_policy.GET_ALL)
        params = listing.parse(pecan.request, filters=FILTERS,
                               sort_keys=SORT_KEYS)
        project_id = listing.project_scope(ctxt, params,
                                           trigger_policy.GET_ALL_TENANTS)
        if 'properties' in params.filters:
            raise exceptions.InvalidQueryParameter(
                reason='triggers cannot be filtered by their properties; '
                       'filter by name or type')
        if params.filters.get('type', constants.TRIGGER_TYPE_TIME) \
                not in constants.TRIGGER_TYPES:
            raise exceptions.InvalidQueryParameter(
                reason='type must be one of %s'
                % ', '.join(constants.TRIGGER_TYPES))
        rows, has_more = db_triggers.trigger_list(
            ctxt, project_id, filters=params.filters, sort=params.sort,
            limit=params.limit, marker=params.marker)
        body = {'triggers': [trigger_view(row) for row in rows]}
        if has_more:
            body.update(listing.next_link(pecan.request, params,
                                          rows[-1].id, 'triggers'))
        return body

    @pecan.expose('json')
    def get_one(self, trigger_id):
        ctxt = hooks.context_of(pecan.request)
        policy.authorize(ctxt, trigger_policy.GET)
        return {'trigger_info': trigger_view(db_triggers.trigger_get(
            ctxt, trigger_id, project_id=ctxt.project_id))}

    @pecan.expose('json')
    def post(self):
        ctxt = hooks.context_of(pecan.request)
        body = validation.validated_body(pecan.request, schemas.create)
        policy.authorize(ctxt, trigger_policy.CREATE)
        values = body['trigger_info']
        trigger = db_triggers.trigger_create(ctxt, {
            'id': uuidutils.generate_uuid(),
            'project_id': ctxt.project_id,
            'user_id': ctxt.user_id,
            'name': values['name'],
            'type': values['type'],
            'properties': normalised(values['properties']),
        })
        pecan.response.status = 201
        pecan.response.headers['Location'] = listing.created_location(
            pecan.request, trigger.id)
        return {'trigger_info': trigger_view(trigger)}

    @pecan.expose('json')
    def put(self, trigger_id):
        ctxt = hooks.context_of(pecan.request)
        body = validation.validated_body(pecan.request, schemas.update)
        policy.authorize(ctxt, trigger_policy.UPDATE)
        changes = body['trigger_info']
        current = db_triggers.trigger_get(ctxt, trigger_id,
                                          project_id=ctxt.project_id)
        values = {}
        if 'name' in changes:
            values['name'] = changes['name']
        if changes.get('properties'):
            merged = dict(current.properties, **changes['properties'])
            values['properties'] = normalised(
                {k: v for k, v in merged.items() if v is not None})
        trigger = db_triggers.trigger_update(
            ctxt, trigger_id, ctxt.project_id, values,
            next_run_at=first_due)
        return {'trigger_info': trigger_view(trigger)}

    @pecan.expose('json')
    def delete(self, trigger_id):
        ctxt = hooks.context_of(pecan.request)
        policy.authorize(ctxt, trigger_policy.DELETE)
        db_triggers.trigger_delete(ctxt, trigger_id, ctxt.project_id)
        return views.no_content()

"""Checks of a plan's resources and parameters against its provider."""

from karbor import objects
from karbor.api import known_resources
from karbor.api import validation
from karbor.common import constants
from karbor.common import exceptions
from karbor.db import checkpoints as db_checkpoints
from karbor.protection import providers
from karbor.protection import rpcapi


def provider_of(provider_id):
    try:
        return providers.registry().get(provider_id)
    except exceptions.ProviderNotFound:
        raise exceptions.InvalidPlan(
            reason='provider_id %s does not name a provider' % provider_id
        ) from None


def plan_under(context, plan_id, provider):
    """The caller's plan ``plan_id``, which must belong to ``provider``."""
    plan = objects.Plan.get_by_id(context, plan_id,
                                  project_id=context.project_id)
    if plan.provider_id != provider.id:
        raise exceptions.ProviderMismatch(
            plan_id=plan.id, plan_provider=plan.provider_id,
            provider_id=provider.id)
    return plan


def check_resources(context, provider, resources):
    """Every resource is protectable by ``provider``, unique, and exists."""
    seen = set()
    for resource in resources:
        key = (resource['type'], resource['id'])
        if key in seen:
            raise exceptions.InvalidPlan(
                reason='resource %s of type %s is listed twice'
                % (resource['id'], resource['type']))
        seen.add(key)
        provider.plugin_class_for(resource['type'])
    if known_resources.all_known(context.project_id, resources):
        return
    checked = [{'id': r['id'], 'type': r['type']} for r in resources]
    rpcapi.get_api().check_resources(context, checked)
    known_resources.remember(context.project_id, checked)


def check_parameters(provider, resources, parameters, schema='options'):
    """Parameters name the plan's types/resources and fit the schemas.

    ``schema`` is ``options`` for plan parameters, ``restore`` for the
    parameters of a restore, ``verify`` for those of a verification.
    """
    resource_ids = {(r['type'], r['id']) for r in resources}
    types = {r['type'] for r in resources}
    for key, options in parameters.items():
        resource_type, sep, resource_id = key.partition('#')
        if resource_type not in types:
            raise exceptions.InvalidParameters(
                reason='%s: the plan has no resource of type %s'
                % (key, resource_type))
        if sep and (resource_type, resource_id) not in resource_ids:
            raise exceptions.InvalidParameters(
                reason='%s: the plan has no resource %s of type %s'
                % (key, resource_id, resource_type))
        plugin = provider.plugin_class_for(resource_type)
        getter = getattr(plugin, 'get_%s_schema' % schema)
        try:
            validation.validate(options, getter(resource_type),
                                exc=exceptions.InvalidParameters)
        except exceptions.InvalidParameters as err:
            raise exceptions.InvalidParameters(
                reason='parameters/%s: %s' % (key, err.kwargs['reason'])
            ) from None


def available_checkpoint(ctxt, provider, checkpoint_id, action, parameters,
                         schema):
    """The caller's ``available`` checkpoint of ``provider``, with
    ``parameters`` checked against the provider's ``schema``: what a restore
    or a verification starts from (404, 409 or 400 otherwise)."""
    checkpoint = db_checkpoints.checkpoint_get(
        ctxt, checkpoint_id, ctxt.project_id, provider.id)
    if checkpoint.status != constants.CHECKPOINT_AVAILABLE:
        raise exceptions.InvalidCheckpointState(
            checkpoint_id=checkpoint.id, status=checkpoint.status,
            action=action, allowed=constants.CHECKPOINT_AVAILABLE)
    check_parameters(provider, checkpoint.plan['resources'], parameters,
                     schema=schema)
    return checkpoint

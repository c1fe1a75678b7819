"""Starting protects and copies: shared by the API and the operation engine.

Both record the intent (checkpoint or copy, operation, operation log) in one
transaction, then cast the operations to the protection workers. A cast
that is lost is not lost work: workers pick up operations left pending.
"""

from oslo_utils import uuidutils

from karbor.db import copies as db_copies
from karbor.db import operations as db_operations
from karbor.protection import rpcapi


def plan_snapshot(plan):
    """What a checkpoint records of its plan, as it was when it started."""
    return {'id': plan.id, 'name': plan.name,
            'description': plan.description,
            'provider_id': plan.provider_id,
            'resources': plan.resources,
            'parameters': plan.parameters}


def start_protect(context, plan, extra_info, in_transaction=None):
    """A ``protecting`` checkpoint of ``plan``, its protect cast."""
    checkpoint, operation = db_operations.accept_protect(context, {
        'id': uuidutils.generate_uuid(),
        'project_id': context.project_id,
        'user_id': context.user_id,
        'provider_id': plan.provider_id,
        'plan_id': plan.id,
        'plan': plan_snapshot(plan),
        'extra_info': extra_info,
    }, in_transaction=in_transaction)
    rpcapi.get_api().run_operation(context, operation.id)
    return checkpoint


def start_copy(context, provider_id, plan_id, destination, parameters,
               checkpoint_id=None, in_transaction=None,
               scheduled_operation_id=None):
    """A copy request of a plan's checkpoints (or of one), its copies
    cast."""
    copy, _pairs, operations = db_copies.accept_copy(context, {
        'id': uuidutils.generate_uuid(),
        'project_id': context.project_id,
        'user_id': context.user_id,
        'provider_id': provider_id,
        'plan_id': plan_id,
        'destination': destination,
        'parameters': parameters,
    }, checkpoint_id=checkpoint_id, in_transaction=in_transaction,
        scheduled_operation_id=scheduled_operation_id)
    for operation in operations:
        rpcapi.get_api().run_operation(context, operation.id)
    return copy

"""Policy in code: one module per resource, collected here."""

import itertools

from karbor.policies import base
from karbor.policies import checkpoints
from karbor.policies import copies
from karbor.policies import operation_logs
from karbor.policies import plans
from karbor.policies import protectables
from karbor.policies import providers
from karbor.policies import quotas
from karbor.policies import restores
from karbor.policies import scheduled_operations
from karbor.policies import services
from karbor.policies import tasks
from karbor.policies import triggers
from karbor.policies import verifications

_MODULES = (base, plans, providers, protectables, services, checkpoints,
            restores, verifications, copies, operation_logs, tasks, triggers,
            scheduled_operations, quotas)


def list_rules():
    return list(itertools.chain.from_iterable(
        module.list_rules() for module in _MODULES))

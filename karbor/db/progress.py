"""Progress of a running operation, shown on its target.

A protect's progress is on its checkpoint, a restore's on its restore, a
verification's on its verification, a copy's on its copy checkpoint (a
copy request shows the sum of its copy checkpoints').
Other operation types keep none (``save`` is then a no-op), so a new type
only has to add its target here.
"""

import sqlalchemy as sa

from karbor.common import constants
from karbor.db import models
from karbor.db import session as db_session

# operation type -> (target model, the operation's column naming it)
TARGETS = {
    constants.OPERATION_PROTECT: (models.Checkpoint, 'checkpoint_id'),
    constants.OPERATION_RESTORE: (models.Restore, 'restore_id'),
    constants.OPERATION_VERIFY: (models.Verification, 'verification_id'),
    constants.OPERATION_COPY: (models.Checkpoint, 'checkpoint_id'),
}


def save(context, operation, progress):
    """Store ``progress`` (a dict) on ``operation``'s target."""
    target = TARGETS.get(operation.operation_type)
    if target is None:
        return
    model, column = target
    with db_session.writer(context) as session:
        session.execute(
            sa.update(model).where(model.id == getattr(operation, column))
            .values(progress=progress))

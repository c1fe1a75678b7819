"""DB API for checkpoints indexed from a bank (karbor-manage bank import)."""

from oslo_db import exception as db_exc
import sqlalchemy as sa

from karbor.db import checkpoints as db_checkpoints
from karbor.db import models
from karbor.db import session as db_session


def checkpoint_exists(context, checkpoint_id):
    with db_session.reader(context) as session:
        return session.execute(
            sa.select(sa.func.count()).select_from(models.Checkpoint)
            .where(models.Checkpoint.id == checkpoint_id)).scalar_one() > 0


def insert_checkpoint(context, values):
    """Index one checkpoint and its extra-info; False if already indexed."""
    if checkpoint_exists(context, values['id']):
        return False
    try:
        with db_session.writer(context) as session:
            session.add(models.Checkpoint(**values))
            session.flush()
            db_checkpoints.index_extra_info(session, values['id'],
                                            values.get('extra_info') or {})
    except db_exc.DBDuplicateEntry:
        return False  # indexed meanwhile by another import
    return True

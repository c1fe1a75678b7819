"""How a flow's progress is written to taskflow's tables.

Taskflow saves an atom at every state change and progress report, and a
flow at every state change, each save reading the row back to merge it in
a transaction of its own: 17 of the 22 commits (46 of the 62 statements)
of a worker's protect of one resource. A flow is only ever run by the
worker that holds its operation's lease, so that worker's copy is the
whole truth; this connection writes it as is, one statement per save, and
skips the saves a resumed flow does not need:

* an atom being executed (``RUNNING``, and its progress reports): a
  resumed flow runs again an atom it finds ``PENDING``, exactly as it runs
  again one it finds ``RUNNING``;
* the progress 1.0 taskflow reports of an atom right after saving its
  success (the success, with its result, is written);
* a flow that is running or has succeeded: a flow is resumed whatever its
  saved state short of a failure, and a succeeded flow has already ended
  its operation in its last task, which forgot the flow. A flow gets its
  atoms when it is prepared, before it runs: its first save inserts them.

Atom outcomes (results, failures, revert states and intentions) and flow
failures are written when they happen, so a resumed flow skips what is
done and reverts what must be. A save that finds no row is one of a flow
forgotten when its operation ended; it is dropped.
"""

import contextlib

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from taskflow import exceptions as tf_exceptions
from taskflow import states
from taskflow.persistence import models
from taskflow.persistence.backends import impl_sqlalchemy

# The columns of an atom detail its own to_dict() gives, less the key.
_ATOM_FIELDS = ('failure', 'revert_failure', 'meta', 'name', 'results',
                'revert_results', 'state', 'version', 'intention')
_FLOW_FIELDS = ('meta', 'name', 'state')

_UNSAVED_FLOW_STATES = frozenset((states.RUNNING, states.SUCCESS))


def _transient(atom_detail):
    """Running forward, or reporting it ran: nothing a resume reads."""
    if atom_detail.intention != states.EXECUTE:
        return False
    if atom_detail.state == states.RUNNING:
        return True
    return (atom_detail.state == states.SUCCESS and
            (atom_detail.meta or {}).get('progress') == 1.0)


@contextlib.contextmanager
def _saving(what):
    try:
        yield
    except sa_exc.SQLAlchemyError:
        # Taskflow's storage retries a StorageFailure.
        tf_exceptions.raise_with_cause(tf_exceptions.StorageFailure,
                                       'Failed saving %s' % what)


def _update_by_uuid(table, fields):
    return (sa.update(table)
            .where(table.c.uuid == sa.bindparam('key'))
            .values({field: sa.bindparam(field) for field in fields}))


def _atom_row(atom_detail, flow_uuid):
    row = atom_detail.to_dict()
    row['parent_uuid'] = flow_uuid
    row['atom_type'] = models.atom_detail_type(atom_detail)
    return row


class Connection(impl_sqlalchemy.Connection):

    def __init__(self, backend, upgrade_lock):
        super().__init__(backend, upgrade_lock)
        # Built once: SQLAlchemy then reuses their compiled form.
        atoms = self._tables.atomdetails
        self._update_atom = _update_by_uuid(atoms, _ATOM_FIELDS)
        self._update_flow = _update_by_uuid(self._tables.flowdetails,
                                            _FLOW_FIELDS)
        self._insert_atoms = atoms.insert()
        self._stored_atoms = sa.select(atoms.c.uuid).where(
            atoms.c.parent_uuid == sa.bindparam('flow'))

    @property
    def tables(self):
        return self._tables

    def update_atom_details(self, atom_detail):
        if _transient(atom_detail):
            return atom_detail
        values = atom_detail.to_dict()
        values['key'] = values.pop('uuid')
        with _saving('atom detail %s' % atom_detail.uuid), \
                self._engine.begin() as conn:
            conn.execute(self._update_atom, values)
        return atom_detail

    def update_flow_details(self, flow_detail):
        if flow_detail.state in _UNSAVED_FLOW_STATES:
            return flow_detail
        values = flow_detail.to_dict()
        values['key'] = values.pop('uuid')
        with _saving('flow detail %s' % flow_detail.uuid), \
                self._engine.begin() as conn:
            stored = set(conn.execute(
                self._stored_atoms, {'flow': flow_detail.uuid}).scalars())
            new = [_atom_row(ad, flow_detail.uuid) for ad in flow_detail
                   if ad.uuid not in stored]
            if new:
                conn.execute(self._insert_atoms, new)
            conn.execute(self._update_flow, values)
        return flow_detail

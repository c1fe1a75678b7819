"""What a running flow saves in taskflow's tables, and how it resumes.

Real taskflow engines on Karbor's persistence, on each database: an atom
is saved when it ends (with its result), not while it runs; a flow whose
worker died resumes after what had ended; a failed flow's outcome is
saved; an ended operation's flow is dropped.
"""

import types

from oslo_utils import uuidutils
import pytest
import sqlalchemy as sa
from taskflow import engines
from taskflow import states
from taskflow import task
from taskflow.patterns import linear_flow

from karbor.db import session as db_session
from karbor.protection import persistence


class WorkerDied(BaseException):
    """Stands for the worker process dying: taskflow does not catch it."""


class Step(task.Task):

    def __init__(self, name, calls, during=None):
        super().__init__(name=name)
        self.calls = calls
        self.during = during

    def execute(self):
        self.calls.append(self.name)
        if self.during is not None:
            self.during()
        return 'result of %s' % self.name


def new_flow():
    operation = types.SimpleNamespace(
        operation_type='protect', id=uuidutils.generate_uuid(),
        logbook_id=None, flow_id=None)
    with db_session.writer() as session:
        persistence.create_flow(session, operation)
    return operation


def run(operation, steps, resumed=False, engine='parallel'):
    if resumed:
        book, detail = persistence.load_flow_detail(operation.logbook_id,
                                                    operation.flow_id)
    else:
        book, detail = persistence.fresh_flow(operation)
    engines.load(linear_flow.Flow('f').add(*steps), flow_detail=detail,
                 book=book, backend=persistence.backend(),
                 engine=engine).run()


def saved_atoms(operation):
    with db_session.get_engine().connect() as connection:
        return {name: (state, results) for name, state, results in
                connection.execute(sa.text(
                    'SELECT name, state, results FROM atomdetails '
                    'WHERE parent_uuid = :flow'),
                    {'flow': operation.flow_id})}


def saved_states(operation):
    return {name: state for name, (state, _) in
            saved_atoms(operation).items()}


def test_an_atom_is_saved_when_it_ends_not_while_it_runs(any_database):
    operation = new_flow()
    calls, seen = [], []
    run(operation, [
        Step('a', calls),
        Step('b', calls, during=lambda: seen.append(
            saved_states(operation))),
        Step('c', calls)])
    assert seen == [{'a': states.SUCCESS, 'b': states.PENDING,
                     'c': states.PENDING}]
    assert saved_states(operation) == dict.fromkeys('abc', states.SUCCESS)
    assert 'result of a' in saved_atoms(operation)['a'][1]


def test_a_flow_whose_worker_died_resumes_after_what_had_ended(
        any_database):
    operation = new_flow()
    calls = []

    def die():
        raise WorkerDied()

    with pytest.raises(WorkerDied):
        run(operation, [Step('a', calls), Step('b', calls, during=die),
                        Step('c', calls)], engine='serial')
    assert saved_states(operation) == {'a': states.SUCCESS,
                                       'b': states.PENDING,
                                       'c': states.PENDING}
    resumed = []
    run(operation, [Step('a', resumed), Step('b', resumed),
                    Step('c', resumed)], resumed=True)
    assert resumed == ['b', 'c']


def test_a_failed_flow_saves_its_outcome(any_database):
    operation = new_flow()

    def fail():
        raise RuntimeError('the disk is on fire')

    with pytest.raises(RuntimeError):
        run(operation, [Step('a', []), Step('b', [], during=fail)])
    _, detail = persistence.load_flow_detail(operation.logbook_id,
                                             operation.flow_id)
    # What the engine reads when another worker takes the operation over.
    assert detail.state == states.REVERTED
    assert saved_states(operation) == {'a': states.REVERTED,
                                       'b': states.REVERTED}


def test_an_ended_operation_drops_its_flow_and_later_saves(any_database):
    operation = new_flow()

    def end_operation():
        with db_session.writer() as session:
            persistence.forget_flow(session, operation)

    calls = []
    # The last task ends the operation; taskflow still saves its success
    # and the flow's afterwards.
    run(operation, [Step('a', calls), Step('b', calls, during=end_operation)])
    assert calls == ['a', 'b']
    assert persistence.load_flow_detail(operation.logbook_id,
                                        operation.flow_id) == (None, None)
    assert saved_atoms(operation) == {}

"""Indexing the checkpoints a bank holds (disaster recovery).

Every checkpoint writes its metadata.json into its bank, so a bank copied
by other means (a replicated bucket, a restored disk, the copy destination
of a lost site) can be indexed again: each ``checkpoints/<id>/metadata.json``
becomes a checkpoint row, and the checkpoint can then be listed, shown,
verified and restored as usual. Checkpoints already indexed are left
alone, so an import can be run again after a partial one.
"""

import dataclasses
import json

from oslo_log import log as logging
from oslo_utils import timeutils

from karbor.common import constants
from karbor.common import exceptions
from karbor.db import imports as db_imports
from karbor.protection import checkpoint_store

LOG = logging.getLogger(__name__)

_REQUIRED = ('id', 'project_id', 'plan', 'created_at')


@dataclasses.dataclass
class ImportReport:
    imported: list = dataclasses.field(default_factory=list)
    already_indexed: list = dataclasses.field(default_factory=list)
    skipped: dict = dataclasses.field(default_factory=dict)  # id: reason


def _metadata_keys(bank):
    """The metadata.json key of every checkpoint, paging through the bank."""
    section = checkpoint_store.BankSection(bank, checkpoint_store.PREFIX)
    for key in section.iter_keys():
        parts = key.split('/')
        if len(parts) == 2 and parts[1] == checkpoint_store.METADATA:
            yield checkpoint_store.PREFIX + key


def _row(document, provider, destination, project_id):
    missing = [name for name in _REQUIRED if not document.get(name)]
    if missing:
        raise ValueError('it lacks %s' % ', '.join(missing))
    if document.get('format_version') != checkpoint_store.FORMAT_VERSION:
        raise ValueError('format version %r is not one this Karbor reads'
                         % document.get('format_version'))
    if document.get('status') != constants.CHECKPOINT_AVAILABLE:
        raise ValueError('its status is %r, not available'
                         % document.get('status'))
    plan = document['plan']
    if not isinstance(plan, dict) or not plan.get('id'):
        raise ValueError('its plan has no id')
    created_at = timeutils.normalize_time(
        timeutils.parse_isotime(document['created_at']))
    return {
        'id': document['id'],
        'project_id': project_id or document['project_id'],
        'provider_id': provider.id,
        'plan_id': plan['id'],
        'plan': plan,
        'status': constants.CHECKPOINT_AVAILABLE,
        'resource_graph': document.get('resource_graph'),
        'extra_info': document.get('extra_info') or {},
        'destination': destination,
        'copied_from': document.get('copied_from'),
        'created_at': created_at,
        'updated_at': timeutils.utcnow(),
        'finished_at': created_at,
    }


def import_bank(context, provider, destination=None, project_id=None,
                dry_run=False):
    """Index the available checkpoints of ``provider``'s main bank (or of
    its copy destination ``destination``); returns an ImportReport.

    ``project_id`` imports them into that project instead of the one that
    took them (a tenant recovering at another site under another id).
    """
    bank = provider.bank_of(destination)
    report = ImportReport()
    for key in _metadata_keys(bank):
        checkpoint_id = key.split('/')[1]
        try:
            document = json.loads(bank.read_bytes(key))
            row = _row(document, provider, destination, project_id)
        except (ValueError, TypeError, AttributeError,
                exceptions.BankError) as err:
            report.skipped[checkpoint_id] = str(err)
            LOG.warning('Not importing checkpoint %s: %s', checkpoint_id,
                        err)
            continue
        if dry_run:
            if db_imports.checkpoint_exists(context, row['id']):
                report.already_indexed.append(row['id'])
            else:
                report.imported.append(row['id'])
        elif db_imports.insert_checkpoint(context, row):
            report.imported.append(row['id'])
        else:
            report.already_indexed.append(row['id'])
    return report

"""A protection plugin that protects nothing, for every resource type.

It lets a newcomer create plans and checkpoints at once, lets the
benchmarks measure the control plane without a data path, and lets tests
exercise slow and failing operations: each resource gets a small marker
object in the bank, ``delay_seconds`` makes ``on_main`` take that long and
``fail_with`` makes it fail with that message (for copies too, where the
marker is copied to the destination first).
"""

import json
import time

from karbor.common import exceptions
from karbor.protection import plugin_api
from karbor.protection import protectable_registry

MARKER = 'noop-marker.json'


def _wait(parameters):
    deadline = time.monotonic() + float(parameters.get('delay_seconds', 0))
    while time.monotonic() < deadline:
        time.sleep(min(0.1, max(0.0, deadline - time.monotonic())))


def _maybe_fail(parameters, step):
    message = parameters.get('fail_with')
    if message:
        raise exceptions.PluginError(
            message, 'no-op plugin asked to fail in %s: %s' % (step, message))


class _Protect(plugin_api.Operation):

    def on_main(self, checkpoint, resource, context, parameters,
                bank_section, record_extra_info, **kwargs):
        _wait(parameters)
        _maybe_fail(parameters, 'protect')
        info = bank_section.put_object(MARKER, json.dumps(
            {'resource': resource._asdict(),
             'checkpoint_id': checkpoint.id}).encode())
        record_extra_info({'noop-marker:%s' % resource.id: info.sha256})


class _Restore(plugin_api.Operation):

    def on_main(self, checkpoint, resource, context, parameters,
                bank_section, **kwargs):
        _wait(parameters)
        _maybe_fail(parameters, 'restore')
        # Reading it back is the whole restore, and proves the data is there.
        json.loads(bank_section.read_bytes(MARKER))


class _Delete(plugin_api.Operation):

    def on_main(self, checkpoint, resource, context, parameters,
                bank_section, **kwargs):
        _wait(parameters)
        bank_section.delete_object(MARKER)


class _Copy(plugin_api.ManifestCopy):
    """The manifest copy, then the delay or failure asked for: a worker
    killed during the delay leaves the objects copied, to be skipped."""

    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        super().on_main(checkpoint, resource, context, parameters, **kwargs)
        _wait(parameters)
        _maybe_fail(parameters, 'copy')


class NoopProtectionPlugin(plugin_api.ProtectionPlugin):

    @classmethod
    def get_supported_resources_types(cls):
        return protectable_registry.resource_types()

    @classmethod
    def get_options_schema(cls, resource_type):
        return {
            'title': 'No-op protection options',
            'type': 'object',
            'properties': {
                'note': {'type': 'string', 'maxLength': 255,
                         'title': 'A note kept with the plan'},
                'delay_seconds': {'type': 'number', 'minimum': 0,
                                  'maximum': 600,
                                  'title': 'How long protecting a resource '
                                           'takes (for tests)'},
                'fail_with': {'type': 'string', 'maxLength': 255,
                              'title': 'Fail protecting with this message '
                                       '(for tests)'},
            },
            'additionalProperties': False,
        }

    @classmethod
    def get_restore_schema(cls, resource_type):
        return {
            'title': 'No-op restore options',
            'type': 'object',
            'properties': {
                'delay_seconds': {'type': 'number', 'minimum': 0,
                                  'maximum': 600},
                'fail_with': {'type': 'string', 'maxLength': 255},
            },
            'additionalProperties': False,
        }

    @classmethod
    def get_copy_schema(cls, resource_type):
        return cls.get_restore_schema(resource_type)

    def get_copy_operation(self, resource):
        return _Copy()

    def get_protect_operation(self, resource):
        return _Protect()

    def get_restore_operation(self, resource):
        return _Restore()

    def get_delete_operation(self, resource):
        return _Delete()

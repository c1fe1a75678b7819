"""verification create | list | show"""

from karbor.client.commands import base
from karbor.client.commands import checkpoints as checkpoint_commands
from karbor.client.commands import restores as restore_commands
from karbor.client.v1 import verifications as sdk_verifications

VERIFICATION_COLUMNS = (('ID', 'id'), ('Status', 'status'),
                        ('Checkpoint ID', 'checkpoint_id'),
                        ('Provider ID', 'provider_id'),
                        ('Created at', 'created_at'))


def _error_info(verification):
    return verification.error_info


class CreateVerification(base.ResourceShow):
    """Verify a checkpoint: re-read its bank objects and check their
    SHA-256 (asynchronous)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        checkpoint_commands.add_provider_argument(parser)
        parser.add_argument('checkpoint', metavar='<checkpoint>',
                            help='Id of an available checkpoint.')
        base.add_parameter_arguments(parser, 'verification', 'verify')
        base.add_wait_arguments(parser)
        return parser

    def fetch(self, parsed_args):
        # The same TYPE[#ID]=KEY=VALUE syntax as restore parameters.
        parameters = restore_commands.build_parameters(
            parsed_args.parameters_json, parsed_args.parameters)
        client = self.client
        provider_id = checkpoint_commands.resolve_provider_id(
            client, parsed_args.provider)
        verification = client.verifications.create(
            provider_id, parsed_args.checkpoint, parameters=parameters)
        final = base.wait_if_requested(
            self.app, parsed_args,
            lambda: client.verifications.get(verification.id),
            success=sdk_verifications.SUCCESS,
            failure=sdk_verifications.FAILURE,
            progress_of=lambda v: v.percent_done, reason_of=_error_info,
            label='Verification %s' % verification.id)
        return final or verification


class ListVerifications(base.ResourceLister):
    """List verifications, newest first."""

    columns = VERIFICATION_COLUMNS

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--status', metavar='<in_progress|success|fail>',
                            help='Only verifications in this status.')
        parser.add_argument('--checkpoint', metavar='<checkpoint-id>',
                            help='Only verifications of this checkpoint.')
        parser.add_argument('--provider', metavar='<provider>',
                            help='Only verifications of this provider (id '
                                 'or name).')
        base.add_project_scope_arguments(parser, 'Verifications')
        return parser

    def fetch(self, parsed_args, list_options):
        client = self.client
        provider_id = None
        if parsed_args.provider:
            provider_id = checkpoint_commands.resolve_provider_id(
                client, parsed_args.provider)
        return client.verifications.list(
            status=parsed_args.status, checkpoint_id=parsed_args.checkpoint,
            provider_id=provider_id,
            **base.project_scope(parsed_args), **list_options)


class ShowVerification(base.ResourceShow):
    """Show a verification and how the check of each resource went."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('verification', metavar='<verification>',
                            help='Verification id.')
        return parser

    def fetch(self, parsed_args):
        return self.client.verifications.get(parsed_args.verification)

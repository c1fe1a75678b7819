"""The request context: who is calling, for which project, and how."""

from oslo_context import context as oslo_context


class RequestContext(oslo_context.RequestContext):
    """A context that knows whether its caller is an administrator.

    ``is_admin`` is derived from the roles through policy (see
    :func:`karbor.policy.check_is_admin`), never taken from a request header.
    """

    def __init__(self, *args, task_tag=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.task_tag = task_tag

    def to_dict(self):
        values = super().to_dict()
        values['task_tag'] = self.task_tag
        return values

    @classmethod
    def from_dict(cls, values, **kwargs):
        kwargs.setdefault('task_tag', values.get('task_tag'))
        return super().from_dict(values, **kwargs)

    def elevated(self):
        ctx = self.__class__.from_dict(self.to_dict())
        ctx.is_admin = True
        if 'admin' not in ctx.roles:
            ctx.roles = list(ctx.roles) + ['admin']
        return ctx


def get_admin_context():
    return RequestContext(user_id=None, project_id=None, is_admin=True,
                          roles=['admin'], overwrite=False)

"""Invoke tasks that build and push a stack's images with ``docker buildx bake``.

Add the collection to a project's ``tasks.py``::

    from invoke import Collection
    import stack_tasks

    ns = Collection(stack_tasks.ns)
"""

from .tasks import ns

__all__ = ["ns"]

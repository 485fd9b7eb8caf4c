"""This repository's tasks: the stack collection, set up for the example stack."""

from invoke.collection import Collection

import stack_tasks

stack_tasks.ns.configure(
    {
        "stack": {
            "bake_file": "docker-bake.hcl",
            "push_builder": "flowmesh-multiarch",
        }
    }
)

ns = Collection(stack_tasks.ns)

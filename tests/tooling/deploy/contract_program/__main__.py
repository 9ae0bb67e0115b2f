"""A stand-in layer program for orchestration tests: exports exactly its layer's contract.

Each value names its layer, output and stack, and carries its upstream layers' first outputs, so a
test can see that every layer really read what the layers before it exported.
"""

import pulumi

from shared.layers import get_layer

layer = get_layer(pulumi.get_project())
stack = pulumi.get_stack()
upstream = [
    pulumi.StackReference(f"{pulumi.get_organization()}/{name}/{stack}").require_output(
        next(iter(get_layer(name).outputs))
    )
    for name in layer.upstream
]
read = pulumi.Output.all(*upstream).apply(lambda values: "+".join(str(v) for v in values))


def labelled(name: str) -> pulumi.Output[str]:
    return read.apply(lambda seen: f"{layer.name}.{name}@{stack}<{seen}>")


for name in layer.outputs:
    value = labelled(name)
    pulumi.export(name, pulumi.Output.secret(value) if name in layer.secret_outputs else value)

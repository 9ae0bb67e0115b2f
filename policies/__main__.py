"""Assembles the policy pack. Only assembly lives here: the PolicyPack constructor serves forever."""

from pulumi_policy import PolicyPack

from policies.cfn.lint import exit_once_served, warm_in_background
from policies.pack import PACK_NAME, policies, stack_region

# cfn-lint's start-up overlaps the engine running the layer programs, before any AnalyzeStack.
warm_in_background(stack_region())
PolicyPack(name=PACK_NAME, policies=policies())  # returns once the engine stops the pack
exit_once_served()

"""Assembles the policy pack. Only assembly lives here: the PolicyPack constructor serves forever."""

from pulumi_policy import PolicyPack

from policies.pack import PACK_NAME, policies

PolicyPack(name=PACK_NAME, policies=policies())

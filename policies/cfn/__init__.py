"""cfn-lint inside the pack: running it (`lint`), handing it the stack's resources (`resources`),
regenerating the SDK inputs the translation reads (`inputs`) and measuring it (`bench`).

A package, so rule discovery (`policies/catalog.py`) skips it: the rules that use it are in
`policies/cloudformation.py`. The translation to CloudFormation itself is AWS knowledge the change
plan shares: `shared.aws.cloudformation`, from the resource type table `shared.aws.types`.
"""

"""The internet-facing ALB as one component: the load balancer, its target group and listeners.

With a certificate, port 80 only redirects to HTTPS on 443; without one it serves plain HTTP
(never in prod: its config requires a certificate).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from shared.context import LabelContext
from shared.layers import ALB_ACCESS_LOG_PREFIX

TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"  # TLS 1.3 and 1.2 only


@dataclass(frozen=True)
class LoadBalancerArgs:
    labels: LabelContext
    vpc_id: pulumi.Input[str]
    subnet_ids: pulumi.Input[list[str]]
    security_group_id: pulumi.Input[str]
    # The data layer's bucket, whose policy allows ELB; None: no access logs (app:albAccessLogs).
    access_log_bucket: pulumi.Input[str] | None
    certificate_arn: pulumi.Input[str] | None  # HTTPS on 443 when set (app_certificate)
    container_port: int  # the targets' port
    health_check_path: str
    deletion_protection: bool  # the profile's: AWS's and Pulumi's protect agree


class LoadBalancer(pulumi.ComponentResource):
    alb: aws.lb.LoadBalancer
    target_group: aws.lb.TargetGroup
    serving_listener: aws.lb.Listener  # the listener that forwards to the target group

    def __init__(
        self, name: str, args: LoadBalancerArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("platform:app:LoadBalancer", name, None, opts)
        labels = args.labels
        child = pulumi.ResourceOptions(parent=self)
        protected = args.deletion_protection

        alb_label = labels.label("alb", name)
        self.alb = aws.lb.LoadBalancer(
            "alb",
            name=alb_label.name,
            load_balancer_type="application",
            internal=False,
            subnets=args.subnet_ids,
            security_groups=[args.security_group_id],
            drop_invalid_header_fields=True,
            enable_deletion_protection=protected,
            access_logs=aws.lb.LoadBalancerAccessLogsArgs(
                bucket=args.access_log_bucket, prefix=ALB_ACCESS_LOG_PREFIX, enabled=True
            )
            if args.access_log_bucket is not None
            else None,
            tags=alb_label.tags,
            # Pulumi's protect agrees with AWS deletion protection: `destroy-all` then reports the
            # ALB as kept instead of failing on AWS's refusal to delete it.
            opts=child.merge(pulumi.ResourceOptions(protect=protected)),
        )
        target_label = labels.label("target-group", name)
        self.target_group = aws.lb.TargetGroup(
            "target-group",
            name=target_label.name,
            target_type="ip",
            protocol="HTTP",
            port=args.container_port,
            vpc_id=args.vpc_id,
            deregistration_delay=30,  # the default 300 s makes every deployment wait five minutes
            health_check=aws.lb.TargetGroupHealthCheckArgs(
                path=args.health_check_path,
                matcher="200-399",
                interval=15,
                timeout=5,
                healthy_threshold=2,
                unhealthy_threshold=3,
            ),
            tags=target_label.tags,
            opts=child,
        )
        forward = aws.lb.ListenerDefaultActionArgs(
            type="forward", target_group_arn=self.target_group.arn
        )
        redirect_to_https = aws.lb.ListenerDefaultActionArgs(
            type="redirect",
            redirect=aws.lb.ListenerDefaultActionRedirectArgs(
                protocol="HTTPS", port="443", status_code="HTTP_301"
            ),
        )
        self.serving_listener = aws.lb.Listener(
            "http",
            load_balancer_arn=self.alb.arn,
            port=80,
            protocol="HTTP",
            default_actions=[redirect_to_https if args.certificate_arn else forward],
            tags=labels.label("alb", name, "http").tags,
            opts=child,
        )
        if args.certificate_arn:
            self.serving_listener = aws.lb.Listener(
                "https",
                load_balancer_arn=self.alb.arn,
                port=443,
                protocol="HTTPS",
                ssl_policy=TLS_POLICY,
                certificate_arn=args.certificate_arn,
                default_actions=[forward],
                tags=labels.label("alb", name, "https").tags,
                opts=child,
            )
        self.register_outputs({"alb_arn": self.alb.arn, "target_group_arn": self.target_group.arn})

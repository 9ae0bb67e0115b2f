"""Values AWS services accept for settings our config exposes (from the services' API references).

Plain tables: the config parsers and their error messages read them, the tests check the profiles
against them.
"""

from __future__ import annotations

from collections.abc import Mapping

POSTGRES_PORT = 5432
"""Aurora PostgreSQL's port: the data layer's cluster listens on it, the network layer opens it."""

ENHANCED_MONITORING_INTERVALS = (0, 1, 5, 10, 15, 30, 60)
"""RDS MonitoringInterval: seconds between enhanced-monitoring samples; 0 turns it off."""

CLOUDWATCH_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
)  # fmt: skip
"""CloudWatch Logs PutRetentionPolicy: the only retention periods a log group takes."""

FARGATE_MEMORY: Mapping[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4097, 1024)),
    1024: tuple(range(2048, 8193, 1024)),
    2048: tuple(range(4096, 16385, 1024)),
    4096: tuple(range(8192, 30721, 1024)),
    8192: tuple(range(16384, 61441, 4096)),
    16384: tuple(range(32768, 122881, 8192)),
}
"""Fargate task sizes: cpu units -> the memory (MiB) each accepts."""

"""The observability layer: placeholder until its issue lands; exports nothing yet."""

from shared import config

config.load("observability")

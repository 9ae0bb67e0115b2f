"""What every stack and the policy pack share: names, tags, environments, config and the layer graph."""

"""Tools that run the stacks: the offline planner and the real-deploy adapter."""

"""Tools that run the stacks: the offline plan engine and the real-deploy adapter."""

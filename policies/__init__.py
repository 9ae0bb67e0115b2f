"""The platform's CrossGuard policy pack: pure policy functions, one module per concern."""

"""Plain data passed between layers, the error family, and text normalisation."""

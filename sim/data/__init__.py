"""Data the model reads: themes, arrangements, regions and the preset scenarios (TOML)."""

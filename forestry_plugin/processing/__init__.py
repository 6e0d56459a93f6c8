"""Processing provider `forestry`: thin algorithm wrappers over forestry_plugin.core."""

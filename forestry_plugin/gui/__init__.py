"""GUI: docks, map tools, forms and dialogs on top of forestry_plugin.core."""

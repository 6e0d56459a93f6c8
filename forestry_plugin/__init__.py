"""forestry_plugin: afforestation patch mapping (造林落地上图) for QGIS."""


def classFactory(iface):  # noqa: N802 (QGIS API name)
    """QGIS entry point."""
    from .plugin import ForestryPlugin

    return ForestryPlugin(iface)

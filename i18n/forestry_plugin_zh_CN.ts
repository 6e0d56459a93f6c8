<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
  <context>
    <name>forestry</name>
    <message>
      <location filename="../forestry_plugin/core/project.py" line="31" />
      <source>Checks</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../forestry_plugin/core/project.py" line="31" />
      <source>Afforestation patches</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../forestry_plugin/core/project.py" line="31" />
      <source>Reference layers</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../forestry_plugin/core/project.py" line="32" />
      <source>Tables</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../forestry_plugin/core/project.py" line="43" />
      <location filename="../forestry_plugin/core/project.py" line="92" />
      <source>Cannot open layer {0} of {1}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../forestry_plugin/core/project.py" line="95" />
      <source>Default forestry style</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../forestry_plugin/core/project.py" line="97" />
      <source>Cannot store the style of {0}: {1}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../forestry_plugin/core/project.py" line="131" />
      <source>Afforestation mapping {0}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../forestry_plugin/core/project.py" line="138" />
      <source>Cannot write project {0}: {1}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="53" />
      <source>Forestry working copy</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="59" />
      <location filename="../forestry_plugin/gui/project_dock.py" line="103" />
      <source>No working copy open</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="63" />
      <source>Working copy:</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="64" />
      <source>County:</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="67" />
      <source>Stage</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="67" />
      <source>Patches</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="67" />
      <source>Area (mu)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="73" />
      <source>Open…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="74" />
      <source>Open a working-copy GeoPackage and add its layers to the project</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="75" />
      <source>New…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="76" />
      <source>Create an empty working copy for a county</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="77" />
      <source>Sample county…</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="78" />
      <source>Generate the sample county with labelled faults, for training and trials</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="79" />
      <source>Refresh</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="113" />
      <source>Cannot read: {0}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="121" />
      <source>Total</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="133" />
      <location filename="../forestry_plugin/plugin.py" line="68" />
      <source>Forestry</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="137" />
      <source>Open working copy</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="150" />
      <location filename="../forestry_plugin/gui/project_dock.py" line="153" />
      <source>New working copy</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="150" />
      <location filename="../forestry_plugin/gui/project_dock.py" line="167" />
      <location filename="../forestry_plugin/gui/project_dock.py" line="137" />
      <source>GeoPackage (*.gpkg)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="153" />
      <source>County code (6 digits, GB/T 2260):</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="155" />
      <location filename="../forestry_plugin/processing/algs/create_working_copy.py" line="64" />
      <source>A county code has 6 digits, e.g. 330110</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="167" />
      <source>Sample county</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="200" />
      <location filename="../forestry_plugin/processing/algs/create_working_copy.py" line="30" />
      <location filename="../forestry_plugin/processing/algs/create_working_copy.py" line="44" />
      <source>Working copy</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="201" />
      <source>Show the forestry working-copy panel</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../forestry_plugin/plugin.py" line="77" />
      <source>Could not start {0}: {1}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../forestry_plugin/plugin.py" line="103" />
      <source>Could not unload {0}: {1}</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/create_working_copy.py" line="27" />
      <source>Create working copy</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/create_working_copy.py" line="36" />
      <source>Creates a working-copy GeoPackage with every table of the patch schema (patches, earlier years, base map, admin units, basic farmland, task quotas, check findings, exceptions, audit log) and default styles. With 'Sample county' it generates the deterministic sample county with labelled faults.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/create_working_copy.py" line="45" />
      <source>CRS (CGCS2000)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/create_working_copy.py" line="46" />
      <source>County code (6 digits)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/create_working_copy.py" line="47" />
      <source>County name</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/create_working_copy.py" line="48" />
      <source>Sample county (generated, with faults)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/create_working_copy.py" line="49" />
      <source>Fault manifest</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/create_working_copy.py" line="60" />
      <source>Sample county: {0} patches, {1} base-map parcels, {2} labelled faults</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/create_working_copy.py" line="66" />
      <source>{0} is not a CGCS2000 CRS (EPSG:4490 or a CGCS2000 Gauss-Kruger zone)</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../forestry_plugin/processing/provider.py" line="24" />
      <source>Forestry afforestation mapping</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../forestry_plugin/processing/provider.py" line="38" />
      <source>Could not load algorithm {0}: {1}</source>
      <translation type="unfinished" />
    </message>
  </context>
</TS>

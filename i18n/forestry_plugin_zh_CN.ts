<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
  <context>
    <name>forestry</name>
    <message>
      <location filename="../forestry_plugin/core/attributes.py" line="100" />
      <source>Invalid patch number scheme {0}: use {{year}}, {{county}}, {{township}}, {{village}} and exactly one {{seq}}</source>
      <translation>图斑编号规则 {0} 无效：只能使用 {{year}}、{{county}}、{{township}}、{{village}}，且必须恰好包含一个 {{seq}}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/attributes.py" line="410" />
      <source>QGIS cannot open the reference table {0}.{1}</source>
      <translation>QGIS 无法打开参考数据表 {0}.{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/attributes.py" line="450" />
      <source>Patch attributes come from the working copy's own tables: {0}</source>
      <translation>图斑属性取自工作副本自带的表：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/attributes.py" line="639" />
      <source>Select at least two patches to merge.</source>
      <translation>请至少选择两个要合并的图斑。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/attributes.py" line="642" />
      <source>Cannot merge patches at different stages ({0}).</source>
      <translation>不能合并处于不同阶段的图斑（{0}）。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/attributes.py" line="646" />
      <source>Cannot merge patches in different counties ({0}).</source>
      <translation>不能合并属于不同县的图斑（{0}）。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/aggregate.py" line="71" />
      <source>{0}: {1} overlaps, {2} in all</source>
      <translation>{0}：{1} 处重叠，合计 {2}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/checker.py" line="40" />
      <location filename="../forestry_plugin/core/checks/layers.py" line="118" />
      <location filename="../forestry_plugin/core/checks/tiles.py" line="135" />
      <source>The check was canceled</source>
      <translation>质检已取消</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/checker.py" line="68" />
      <source>Layer {0} is in {1}, not CGCS2000 (EPSG:4490 or a CGCS2000 Gauss-Kruger zone); it was reprojected for the checks</source>
      <translation>图层 {0} 的坐标系为 {1}，不是 CGCS2000（EPSG:4490 或 CGCS2000 高斯-克吕格投影带）；质检时已对其重投影</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/checker.py" line="70" />
      <source>an unknown CRS</source>
      <translation>未知坐标系</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/checker.py" line="72" />
      <source>The layer lacks fields: {0}; rules that need them were skipped</source>
      <translation>图层缺少字段：{0}；已跳过需要这些字段的规则</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/checker.py" line="164" />
      <source>The patch has no (polygonal) geometry</source>
      <translation>图斑没有（面）几何</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/checker.py" line="166" />
      <source>Invalid geometry: {0}; repaired for the checks (repaired area {1:.2f} m²)</source>
      <translation>几何无效：{0}；已为质检修复（修复后面积 {1:.2f} m²）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/checker.py" line="170" />
      <source>Invalid geometry: {0}; nothing polygonal is left after repair</source>
      <translation>几何无效：{0}；修复后不剩任何面</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/checker.py" line="178" />
      <source>Area {0:.2f} m² is below the minimum of {1:.2f} m²</source>
      <translation>面积 {0:.2f} m² 小于最小上图面积 {1:.2f} m²</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/checker.py" line="181" />
      <source>Area {0:.2f} m² is below {1:.2f} m² (1 mu)</source>
      <translation>面积 {0:.2f} m² 小于 {1:.2f} m²（1 亩）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/checker.py" line="197" />
      <source>Overlaps permanent basic farmland {0} by {1:.2f} m²</source>
      <translation>占用永久基本农田 {0} {1:.2f} m²</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/checker.py" line="200" />
      <source>Overlaps earlier years' counted patch {0} by {1:.2f} m²</source>
      <translation>与往年已认定的造林图斑 {0} 重叠 {1:.2f} m²</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/checker.py" line="232" />
      <source>Sliver: narrower than {0:.1f} m everywhere (mean width {1:.2f} m, thinness {2:.3f})</source>
      <translation>碎片：各处宽度均小于 {0:.1f} 米（平均宽度 {1:.2f} 米，细长度 {2:.3f}）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/checker.py" line="235" />
      <source>Sliver: thinness {0:.3f} below {1:.3f} (mean width {2:.2f} m)</source>
      <translation>碎片：细长度 {0:.3f} 小于 {1:.3f}（平均宽度 {2:.2f} 米）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/checker.py" line="263" />
      <source>Overlaps patch {0} of the same year by {1:.2f} m²</source>
      <translation>与同年图斑 {0} 重叠 {1:.2f} m²</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/checker.py" line="321" />
      <source>On cropland {0} (base-map parcel {1}) by {2:.2f} m² without an approval number</source>
      <translation>占用耕地 {0}（底图图斑 {1}）{2:.2f} m²，且无审批文号</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/checker.py" line="322" />
      <source>On built-up land or water {0} (base-map parcel {1}) by {2:.2f} m²</source>
      <translation>占用建设用地或水域 {0}（底图图斑 {1}）{2:.2f} m²</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/checker.py" line="323" />
      <source>On existing forest land {0} (base-map parcel {1}) by {2:.2f} m², but the method is not regeneration or restoration</source>
      <translation>位于现有林地 {0}（底图图斑 {1}）{2:.2f} m²，但造林方式不是人工更新或退化林修复</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/checker.py" line="344" />
      <source>Administrative codes disagree: county {0}, township {1}, village {2}</source>
      <translation>行政区代码不一致：县 {0}，乡镇 {1}，村 {2}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/checker.py" line="360" />
      <source>Declared {0} code {1} is not in the administrative units</source>
      <translation>申报的{0}代码 {1} 不在行政区划中</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/checker.py" line="377" />
      <source>Only {0:.1f} % of the patch lies in its declared {1} {2} (at least {3:.1f} % required)</source>
      <translation>图斑仅有 {0:.1f}% 位于申报的{1} {2} 内（至少需要 {3:.1f}%）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/checker.py" line="390" />
      <source>{0} = {1} but the mapped area is {2:.2f} mu ({3:.4f} ha); difference {4:+.2f} mu exceeds {5:.2f} mu</source>
      <translation>{0} = {1}，但图斑计算面积为 {2:.2f} 亩（{3:.4f} 公顷）；差值 {4:+.2f} 亩超过 {5:.2f} 亩</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/checker.py" line="406" />
      <source>{0} ({1}) is missing</source>
      <translation>{0}（{1}）缺失</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/checker.py" line="407" />
      <source>{0} ({1}) = '{2}' is not a code of {3}</source>
      <translation>{0}（{1}）= '{2}' 不是{3}中的代码</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/checker.py" line="408" />
      <source>{0} ({1}) = '{2}' has the wrong format</source>
      <translation>{0}（{1}）= '{2}' 格式错误</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/checker.py" line="409" />
      <source>{0} ({1}) = '{2}' is not a number</source>
      <translation>{0}（{1}）= '{2}' 不是数字</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/checker.py" line="410" />
      <source>{0} ({1}) = {2} is out of range</source>
      <translation>{0}（{1}）= {2} 超出范围</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/checker.py" line="411" />
      <source>Restoration method (restore_method) is required for restoration</source>
      <translation>造林方式为退化林修复时必须填写修复方式（restore_method）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/geometry.py" line="60" />
      <source>Self-intersection</source>
      <translation>自相交</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/geometry.py" line="60" />
      <source>Ring self-intersection</source>
      <translation>环自相交</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/geometry.py" line="61" />
      <source>Too few points</source>
      <translation>点数过少</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/geometry.py" line="62" />
      <source>Interior is disconnected</source>
      <translation>内部不连通</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/geometry.py" line="62" />
      <source>Hole lies outside its shell</source>
      <translation>内环位于外环之外</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/geometry.py" line="63" />
      <source>Nested shells</source>
      <translation>外环嵌套</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/geometry.py" line="63" />
      <source>Nested holes</source>
      <translation>内环嵌套</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/geometry.py" line="64" />
      <source>Duplicate rings</source>
      <translation>重复的环</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/geometry.py" line="64" />
      <source>Invalid coordinate</source>
      <translation>坐标无效</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/geometry.py" line="65" />
      <source>Ring is not closed</source>
      <translation>环未闭合</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/geometry.py" line="65" />
      <source>not a polygon</source>
      <translation>不是面</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/geometry.py" line="69" />
      <source>{0} at ({1:.1f}, {2:.1f})</source>
      <translation>{0}，位置 ({1:.1f}, {2:.1f})</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/gpkg_io.py" line="378" />
      <source>Cannot write the findings to {0}</source>
      <translation>无法将检查结果写入 {0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/layers.py" line="162" />
      <source>The administrative layer has no field 'code': the outside_admin rule is skipped</source>
      <translation>行政区划图层没有 code 字段：跳过“超出行政区”规则</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/layers.py" line="213" />
      <source>the output refused the features</source>
      <translation>输出拒绝写入这些要素</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/pg_source.py" line="44" />
      <source>The reference_source setting is not JSON: {0}</source>
      <translation>reference_source 设置不是 JSON：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/pg_source.py" line="46" />
      <source>The reference_source setting needs a "dsn" (a PostgreSQL connection string)</source>
      <translation>reference_source 设置需要 "dsn"（PostgreSQL 连接字符串）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/pg_source.py" line="48" />
      <source>The reference_source setting must not hold a password; use an authentication configuration ("authcfg") or a pg_service.conf / .pgpass entry</source>
      <translation>reference_source 设置中不得包含密码；请使用认证配置（"authcfg"）或 pg_service.conf / .pgpass 条目</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/pg_source.py" line="52" />
      <location filename="../forestry_plugin/core/checks/pg_source.py" line="62" />
      <source>The reference_source setting cannot be used: {0}</source>
      <translation>reference_source 设置无法使用：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/pg_source.py" line="86" />
      <source>The reference database cannot be reached ({0})</source>
      <translation>无法连接参考数据库（{0}）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/pg_source.py" line="92" />
      <source>The working copy's patch layer has no EPSG code: the reference database cannot be read in its coordinates</source>
      <translation>工作副本的图斑图层没有 EPSG 代码：无法按其坐标读取参考数据库</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/pg_source.py" line="113" />
      <source>The reference database has no geometry table {0}.{1}</source>
      <translation>参考数据库中没有几何表 {0}.{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/pg_source.py" line="175" />
      <location filename="../forestry_plugin/core/checks/pg_source.py" line="211" />
      <location filename="../forestry_plugin/core/checks/pg_source.py" line="333" />
      <source>The reference database could not be read ({0})</source>
      <translation>无法读取参考数据库（{0}）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/pg_source.py" line="236" />
      <source>{0} could not be loaded into the reference database</source>
      <translation>{0} 无法载入参考数据库</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/profile.py" line="39" />
      <source>Invalid rules profile {0}: {1}</source>
      <translation>规则配置 {0} 无效：{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/profile.py" line="40" />
      <source>Invalid rules profile: {0}</source>
      <translation>规则配置无效：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/profile.py" line="48" />
      <source>The rules profile stored in the working copy {0} (setting {1}) is invalid: {2}. Store a corrected profile, or remove the setting to use the default rules</source>
      <translation>工作副本 {0} 中保存的规则配置（设置项 {1}）无效：{2}。请保存修正后的配置，或删除该设置以使用默认规则</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/profile.py" line="66" />
      <source> (did you mean "{0}"?)</source>
      <translation>（是否想写 "{0}"？）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/profile.py" line="72" />
      <source>rule "{0}", threshold "{1}": must be a number (without quotes), got {2}</source>
      <translation>规则 "{0}" 的阈值 "{1}"：必须是数字（不加引号），实际为 {2}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/profile.py" line="76" />
      <source>rule "{0}", threshold "{1}": must be a finite number, got {2}</source>
      <translation>规则 "{0}" 的阈值 "{1}"：必须是有限数值，实际为 {2}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/profile.py" line="79" />
      <source>rule "{0}", threshold "{1}": must be at least {2}, got {3}</source>
      <translation>规则 "{0}" 的阈值 "{1}"：不得小于 {2}，实际为 {3}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/profile.py" line="81" />
      <source>rule "{0}", threshold "{1}": must be between {2} and {3} (a fraction, not a percentage), got {4}</source>
      <translation>规则 "{0}" 的阈值 "{1}"：必须介于 {2} 和 {3} 之间（小数，而非百分数），实际为 {4}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/profile.py" line="90" />
      <source>unknown rule "{0}"{1}; known rules: {2}</source>
      <translation>未知的规则 "{0}"{1}；已知规则：{2}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/profile.py" line="93" />
      <source>rule "{0}": its settings must be an object with the keys {1}, got {2}</source>
      <translation>规则 "{0}"：其设置必须是包含键 {1} 的对象，实际为 {2}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/profile.py" line="101" />
      <source>rule "{0}": "{1}" is a threshold and goes inside "thresholds", e.g. "thresholds": {{"{1}": {2}}}</source>
      <translation>规则 "{0}"："{1}" 是阈值，应写在 "thresholds" 中，例如 "thresholds": {{"{1}": {2}}}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/profile.py" line="104" />
      <source>rule "{0}": unknown key "{1}"{2}; allowed keys: {3}</source>
      <translation>规则 "{0}"：未知的键 "{1}"{2}；允许的键：{3}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/profile.py" line="107" />
      <source>rule "{0}", key "enabled": must be true or false (a JSON boolean, without quotes), got {1}</source>
      <translation>规则 "{0}" 的键 "enabled"：必须为 true 或 false（JSON 布尔值，不加引号），实际为 {1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/profile.py" line="111" />
      <source>rule "{0}", key "severity": {1} is not a severity{2}; allowed: {3}</source>
      <translation>规则 "{0}" 的键 "severity"：{1} 不是严重程度{2}；允许的值：{3}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/profile.py" line="117" />
      <source>rule "{0}", key "thresholds": must be an object of threshold names and numbers, got {1}</source>
      <translation>规则 "{0}" 的键 "thresholds"：必须是由阈值名称和数字组成的对象，实际为 {1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/profile.py" line="126" />
      <source>rule "{0}" has no thresholds, but the profile sets "{1}"</source>
      <translation>规则 "{0}" 没有阈值，但配置中设置了 "{1}"</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/profile.py" line="128" />
      <source>rule "{0}": unknown threshold "{1}"{2}; allowed: {3}</source>
      <translation>规则 "{0}"：未知的阈值 "{1}"{2}；允许的阈值：{3}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/profile.py" line="140" />
      <source>a rules profile must be a JSON object, got {0}</source>
      <translation>规则配置必须是 JSON 对象，实际为 {0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/profile.py" line="145" />
      <source>"version" must be the number {0}, got {1}</source>
      <translation>"version" 必须是数字 {0}，实际为 {1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/profile.py" line="147" />
      <source>"version" {0} was written by a newer plugin version; this one reads version {1}</source>
      <translation>"version" {0} 由更新版本的插件写入；本版本只能读取版本 {1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/profile.py" line="152" />
      <source>unknown top-level key "{0}"{1}; allowed: {2}</source>
      <translation>未知的顶层键 "{0}"{1}；允许的键：{2}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/profile.py" line="156" />
      <source>"rules" must be an object of rule codes and their settings, got {0}</source>
      <translation>"rules" 必须是由规则代码及其设置组成的对象，实际为 {0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/profile.py" line="293" />
      <location filename="../forestry_plugin/core/checks/profile.py" line="264" />
      <source>not valid JSON: {0}</source>
      <translation>不是有效的 JSON：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/report.py" line="71" />
      <source>By rule</source>
      <translation>按规则</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/report.py" line="72" />
      <location filename="../forestry_plugin/core/reports/progress.py" line="150" />
      <location filename="../forestry_plugin/gui/project_dock.py" line="113" />
      <source>Patches</source>
      <translation>图斑数</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/report.py" line="72" />
      <source>Accepted exceptions</source>
      <translation>认可例外</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/report.py" line="86" />
      <source>By unit</source>
      <translation>按行政区</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/report.py" line="87" />
      <source>Township</source>
      <translation>乡镇</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/report.py" line="88" />
      <source>Patches with errors</source>
      <translation>有错误的图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/report.py" line="88" />
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="101" />
      <source>Village</source>
      <translation>村</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/report.py" line="105" />
      <location filename="../forestry_plugin/core/checks/report.py" line="147" />
      <location filename="../forestry_plugin/processing/algs/checkpatches.py" line="122" />
      <source>Findings</source>
      <translation>问题清单</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/report.py" line="108" />
      <location filename="../forestry_plugin/core/checks/report.py" line="130" />
      <location filename="../forestry_plugin/core/checks/report.py" line="72" />
      <source>Rule code</source>
      <translation>规则代码</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/report.py" line="109" />
      <source>Accepted exception</source>
      <translation>已认可的例外</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/report.py" line="110" />
      <location filename="../forestry_plugin/core/checks/report.py" line="131" />
      <location filename="../forestry_plugin/core/reports/progress.py" line="147" />
      <source>Unit</source>
      <translation>单位</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/report.py" line="120" />
      <source>yes</source>
      <translation>是</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/report.py" line="129" />
      <source>Pairs</source>
      <translation>明细</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/report.py" line="144" />
      <source>About</source>
      <translation>关于</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/report.py" line="145" />
      <location filename="../forestry_plugin/processing/algs/mapreport.py" line="54" />
      <location filename="../forestry_plugin/processing/algs/progressreport.py" line="73" />
      <source>Title</source>
      <translation>标题</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/report.py" line="145" />
      <location filename="../forestry_plugin/gui/checks_dock.py" line="531" />
      <source>Check report</source>
      <translation>质检报告</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/report.py" line="146" />
      <source>Created</source>
      <translation>已创建</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/rules.py" line="125" />
      <location filename="../forestry_plugin/core/checks/rules.py" line="174" />
      <location filename="../forestry_plugin/i18n.py" line="23" />
      <source>en</source>
      <translation>zh</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/rules.py" line="134" />
      <source>Invalid geometry</source>
      <translation>几何无效</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/rules.py" line="135" />
      <source>Area below minimum</source>
      <translation>面积小于下限</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/rules.py" line="136" />
      <source>Sliver / too narrow</source>
      <translation>碎片 / 过窄</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/rules.py" line="137" />
      <source>Overlap between patches</source>
      <translation>图斑间重叠</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/rules.py" line="138" />
      <source>On permanent basic farmland</source>
      <translation>占用永久基本农田</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/rules.py" line="139" />
      <source>On cropland without approval</source>
      <translation>占用耕地且无审批</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/rules.py" line="140" />
      <source>On built-up land or water</source>
      <translation>位于建设用地或水域</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/rules.py" line="141" />
      <source>On existing forest land</source>
      <translation>位于现有林地</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/rules.py" line="142" />
      <source>Outside the declared administrative unit</source>
      <translation>超出申报的行政区范围</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/rules.py" line="143" />
      <source>Overlap with earlier years' patches</source>
      <translation>与往年造林图斑重叠</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/rules.py" line="144" />
      <source>Attribute area differs from mapped area</source>
      <translation>属性面积与图斑面积不一致</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/rules.py" line="145" />
      <source>Attribute missing or invalid</source>
      <translation>属性缺失或无效</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/rules.py" line="146" />
      <source>Layer CRS is not CGCS2000</source>
      <translation>图层坐标系不是 CGCS2000</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/rules.py" line="153" />
      <source>Error below (m²)</source>
      <translation>低于此值为错误（m²）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/rules.py" line="154" />
      <source>Warning below (m²)</source>
      <translation>低于此值为警告（m²）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/rules.py" line="155" />
      <source>Minimum width (m)</source>
      <translation>最小宽度（米）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/rules.py" line="156" />
      <source>Maximum thinness 4πA/P²</source>
      <translation>细长度上限 4πA/P²</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/rules.py" line="157" />
      <source>Tolerance (m²)</source>
      <translation>容差（m²）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/rules.py" line="158" />
      <source>Minimum share inside the declared unit</source>
      <translation>位于申报行政区内的最小比例</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/rules.py" line="159" />
      <source>Tolerance (mu)</source>
      <translation>容差（亩）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/rules.py" line="160" />
      <source>Relative tolerance</source>
      <translation>相对容差</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/rules.py" line="177" />
      <source>m²</source>
      <translation>平方米</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/rules.py" line="177" />
      <source>m</source>
      <translation>米</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/rules.py" line="177" />
      <source>mu</source>
      <translation>亩</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/store.py" line="81" />
      <source>Unknown rule {0}</source>
      <translation>未知规则 {0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/store.py" line="83" />
      <source>An accepted exception needs a reason</source>
      <translation>认可例外必须填写理由</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="78" />
      <location filename="../forestry_plugin/core/exchange/package.py" line="100" />
      <location filename="../forestry_plugin/core/exchange/package.py" line="76" />
      <source>Cannot open the patches of {0}</source>
      <translation>无法打开 {0} 的图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="97" />
      <source>The selection expression is not valid: {0}</source>
      <translation>选择表达式无效：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="105" />
      <source>The selection expression failed: {0}</source>
      <translation>选择表达式计算失败：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="165" />
      <source>{0} {1!r} has no code in the template's table {2}: {3} left empty</source>
      <translation>{0} {1!r} 在模板的代码表 {2} 中没有对应代码：{3} 留空</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="188" />
      <source>{0}: {1!r} is not a whole number, left empty</source>
      <translation>{0}：{1!r} 不是整数，留空</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="194" />
      <source>{0}: {1!r} is not a number, left empty</source>
      <translation>{0}：{1!r} 不是数字，留空</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="202" />
      <source>{0}: {1!r} is longer than {2} characters and was cut</source>
      <translation>{0}：{1!r} 超过 {2} 个字符，已截断</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="256" />
      <source>No coordinate transformation from {0} to {1}</source>
      <translation>没有从 {0} 到 {1} 的坐标转换</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="291" />
      <source>GDAL could not {0}: {1}</source>
      <translation>GDAL 无法{0}：{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="307" />
      <source>{0} holds {1} of the {2} patches (is the disk full?)</source>
      <translation>{0} 中只有 {2} 个图斑中的 {1} 个（磁盘是否已满？）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="320" />
      <source>create the layer</source>
      <translation>创建图层</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="322" />
      <source>create the field {0}</source>
      <translation>创建字段 {0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="325" />
      <source>The driver did not create the fields of the template as named in {0}</source>
      <translation>驱动未按模板名称创建字段：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="331" />
      <source>set a geometry</source>
      <translation>设置几何图形</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="332" />
      <source>write a feature</source>
      <translation>写入要素</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="333" />
      <source>write the layer</source>
      <translation>写入图层</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="376" />
      <source>The template {0} covers the stages {1}, not {2}</source>
      <translation>模板 {0} 适用于阶段 {1}，不适用于 {2}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="379" />
      <source>Unknown stage {0}</source>
      <translation>未知阶段 {0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="389" />
      <source>No patches to export: none is at the template's stages and matches its filter and the selection</source>
      <translation>没有可导出的图斑：没有图斑处于模板的阶段并符合其筛选条件和选择</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="398" />
      <source>Every one of the {0} patches has open check errors: fix them, or include them on purpose (include errors)</source>
      <translation>全部 {0} 个图斑都有未处理的检查错误：请先修正，或有意包含它们（包含错误）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="427" />
      <source>Patch {0} has a geometry GDAL cannot read</source>
      <translation>图斑 {0} 的几何图形 GDAL 无法读取</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="432" />
      <source>Patch {0} cannot be transformed to {1}</source>
      <translation>图斑 {0} 无法转换到 {1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="435" />
      <source>Patch {0} has no geometry</source>
      <translation>图斑 {0} 没有几何图形</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="450" />
      <source>Could not write the package {0}: in the temporary folder {1}, where its files are made first: {2}. Nothing was exported.</source>
      <translation>无法写入提交包 {0}：其文件先在临时文件夹 {1} 中生成，而在那里{2}。未导出任何内容。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="468" />
      <source>Cannot create the Shapefile in {0}: {1}</source>
      <translation>无法在 {0} 中创建 Shapefile：{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="479" />
      <source>The Shapefile part {0} was not written</source>
      <translation>未写出 Shapefile 文件 {0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="488" />
      <source>Cannot create the File Geodatabase {0}: {1}</source>
      <translation>无法创建文件地理数据库 {0}：{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="496" />
      <source>File Geodatabase skipped: GDAL {0} cannot write it (its OpenFileGDB driver has no creation support; GDAL 3.6 or later can)</source>
      <translation>已跳过 File Geodatabase：GDAL {0} 无法写出（其 OpenFileGDB 驱动不支持创建；GDAL 3.6 及以上版本支持）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="595" />
      <source>{0} ({1}, by {2}): {3}: {4} -&gt; {5}</source>
      <translation>{0}（{1}，按{2}匹配）：{3}：{4} -&gt; {5}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="604" />
      <source>{0} is not a file on this computer or a shared folder: web addresses and GDAL virtual paths (/vsi…) are not read</source>
      <translation>{0} 不是本机或共享文件夹中的文件：不读取网址和 GDAL 虚拟路径（/vsi…）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="615" />
      <source>{0} holds {1} files, more than the {2} allowed</source>
      <translation>{0} 包含 {1} 个文件，超过允许的 {2} 个</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="621" />
      <source>The package holds a file with an unsafe path: {0}</source>
      <translation>数据包中有路径不安全的文件：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="624" />
      <source>{0} would unpack to {1} MB, more than the {2} MB allowed</source>
      <translation>{0} 解压后为 {1} MB，超过允许的 {2} MB</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="629" />
      <source>{0}: {1} is compressed {2:.0f} times, more than the {3} times allowed (a zip bomb?)</source>
      <translation>{0}：{1} 的压缩比为 {2:.0f} 倍，超过允许的 {3} 倍（可能是压缩炸弹）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="645" />
      <source>{0} is not a zip file that can be unpacked: {1}</source>
      <translation>{0} 不是可以解压的 zip 文件：{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="652" />
      <source>Package not found: {0}</source>
      <translation>未找到数据包：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="663" />
      <source>{0} is not a returned package: give the zip, its folder, a Shapefile (.shp) or a File Geodatabase (.gdb)</source>
      <translation>{0} 不是返回的数据包：请选择 zip 文件、其解压文件夹、Shapefile（.shp）或文件地理数据库（.gdb）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="671" />
      <source>The package {0} holds no Shapefile</source>
      <translation>数据包 {0} 中没有 Shapefile</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="700" />
      <source>{0} is neither a Shapefile (.shp) nor a File Geodatabase (.gdb): not read</source>
      <translation>{0} 既不是 Shapefile（.shp）也不是文件地理数据库（.gdb）：未读取</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="723" />
      <source>{0} is not a {1} but {2}: refused, nothing was read</source>
      <translation>{0} 不是 {1}，而是{2}：已拒绝，未读取任何内容</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="725" />
      <location filename="../forestry_plugin/core/exchange/package.py" line="729" />
      <source>{0} cannot be opened as {1}: refused, nothing was read</source>
      <translation>{0} 无法作为 {1} 打开：已拒绝，未读取任何内容</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="756" />
      <source>{0} {1!r} is not in the template's code table {2}</source>
      <translation>{0} {1!r} 不在模板的代码表 {2} 中</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="778" />
      <source>{0}: {1!r} is not a valid {2} for {3}</source>
      <translation>{0}：{1!r} 不是 {3} 的有效 {2} 值</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="780" />
      <source>{0}: {1!r} is not a code of {2}</source>
      <translation>{0}：{1!r} 不是 {2} 的代码</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="783" />
      <source>{0}: {1} is outside {2}..{3} for {4}</source>
      <translation>{0}：{1} 超出 {4} 的范围 {2}..{3}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="786" />
      <source>{0}: {1!r} is longer than {2} characters</source>
      <translation>{0}：{1!r} 超过 {2} 个字符</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="830" />
      <source>feature {0}</source>
      <translation>要素 {0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="836" />
      <source>{0}: the geometry cannot be transformed to the working copy's CRS</source>
      <translation>{0}：几何图形无法转换到工作副本的坐标系</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="855" />
      <source>{0} and feature {1} both match patch {2}: the second is ignored</source>
      <translation>{0} 与要素 {1} 都匹配图斑 {2}：忽略后者</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/package.py" line="887" />
      <source>Patch {0} changed since the package was read: read it again</source>
      <translation>读取数据包后图斑 {0} 已被修改：请重新读取</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="50" />
      <source>Template {0} is not valid:</source>
      <translation>模板 {0} 无效：</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="133" />
      <source>"code_tables" must be an object: table name -&gt; {"code_list": ..., "codes": {...}}</source>
      <translation>"code_tables" 必须是对象：代码表名 -&gt; {"code_list": ..., "codes": {...}}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="137" />
      <source>Code table {0}: needs "code_list" and "codes" (our code -&gt; platform code)</source>
      <translation>代码表 {0}：需要 "code_list" 和 "codes"（本系统代码 -&gt; 平台代码）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="141" />
      <source>Code table {0}: unknown code list {1!r} (known: {2})</source>
      <translation>代码表 {0}：未知代码列表 {1!r}（已知：{2}）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="147" />
      <source>Code table {0}: unknown code {1!r} in code list {2}</source>
      <translation>代码表 {0}：代码列表 {2} 中没有代码 {1!r}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="151" />
      <source>Code table {0}: the platform code of {1!r} must be a non-empty text (in quotes, such as "01"), without surrounding spaces or control characters; got {2!r}</source>
      <translation>代码表 {0}：{1!r} 的平台代码必须是非空文本（加引号，如 "01"），前后不能有空格或控制字符；实际为 {2!r}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="155" />
      <source>Code table {0}: the platform code of {1!r} must be a non-empty text or number</source>
      <translation>代码表 {0}：{1!r} 的平台代码必须是非空文字或数字</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="194" />
      <source>No template file and no bundled template of that name (bundled: {0})</source>
      <translation>没有该模板文件，也没有该名称的内置模板（内置：{0}）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="205" />
      <source>Cannot read the file: {0}</source>
      <translation>无法读取文件：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="207" />
      <source>Not valid JSON (line {0}, column {1}): {2}</source>
      <translation>不是有效的 JSON（第 {0} 行，第 {1} 列）：{2}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="235" />
      <source>"crs" must be an EPSG code such as "EPSG:4490", got {0!r}</source>
      <translation>"crs" 必须是 EPSG 代码，如 "EPSG:4490"，实际为 {0!r}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="241" />
      <source>"crs": {0} is not a known coordinate reference system</source>
      <translation>"crs"：{0} 不是已知的坐标参考系</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="258" />
      <source>The file must hold a JSON object</source>
      <translation>文件内容必须是一个 JSON 对象</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="263" />
      <source>Unknown key "{0}" (known: {1})</source>
      <translation>未知的键 "{0}"（已知：{1}）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="265" />
      <source>"format_version" {0} is not supported (this plugin reads {1})</source>
      <translation>不支持 "format_version" {0}（本插件读取 {1}）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="269" />
      <source>"name" is required (a short text)</source>
      <translation>必须填写 "name"（简短文字）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="272" />
      <source>"version" is required (such as "1.0")</source>
      <translation>必须填写 "version"（如 "1.0"）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="276" />
      <source>"encoding" must be GBK or UTF-8, got {0!r}</source>
      <translation>"encoding" 必须是 GBK 或 UTF-8，实际为 {0!r}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="285" />
      <source>"{0}" must be a non-empty text</source>
      <translation>"{0}" 必须是非空文字</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="289" />
      <source>"{0}": unknown placeholder {{{1}}} (known: {2})</source>
      <translation>"{0}"：未知占位符 {{{1}}}（已知：{2}）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="292" />
      <source>"{0}": the placeholder {1} has a format or conversion; write placeholders plainly, such as {{year}}</source>
      <translation>“{0}”：占位符 {1} 带有格式说明或转换；请直接书写占位符，例如 {{year}}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="295" />
      <source>"{0}" must not contain any of / \ : * ? " &lt; &gt; |, control characters or ".."</source>
      <translation>“{0}”不能包含 / \ : * ? " &lt; &gt; | 中的任何字符、控制字符或“..”</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="298" />
      <source>"stages" must be a list of stage codes</source>
      <translation>"stages" 必须是阶段代码列表</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="302" />
      <source>"stages": unknown stage {0!r} (known: {1})</source>
      <translation>"stages"：未知阶段 {0!r}（已知：{1}）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="305" />
      <source>"filter" must be an object: patch field -&gt; list of allowed values</source>
      <translation>"filter" 必须是对象：图斑字段 -&gt; 允许值列表</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="311" />
      <source>"filter": unknown schema field {0!r}</source>
      <translation>"filter"：未知的 schema 字段 {0!r}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="317" />
      <source>"filter": {0!r} is not a code of {1} ({2})</source>
      <translation>"filter"：{0!r} 不是 {1}（{2}）的代码</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="322" />
      <source>"outputs" must be an object such as {"filegdb": true, "xlsx": true}</source>
      <translation>"outputs" 必须是对象，如 {"filegdb": true, "xlsx": true}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="326" />
      <source>"outputs": {0!r} must be one of shapefile, filegdb, xlsx with true or false</source>
      <translation>"outputs"：{0!r} 必须是 shapefile、filegdb、xlsx 之一，值为 true 或 false</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="339" />
      <source>"fields" must be a non-empty list of fields</source>
      <translation>"fields" 必须是非空的字段列表</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="343" />
      <source>Field {0}: must be an object</source>
      <translation>字段 {0}：必须是对象</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="346" />
      <source>Field {0} ({1})</source>
      <translation>字段 {0}（{1}）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="348" />
      <source>Field {0}: "name" is required</source>
      <translation>字段 {0}：必须填写 "name"</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="353" />
      <source>{0}: the name cannot be written in {1}</source>
      <translation>{0}：名称无法用 {1} 编码写出</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="356" />
      <source>{0}: the name is {1} bytes in {2}; Shapefile field names have at most 10 bytes (a Chinese character is 2 bytes in GBK, 3 in UTF-8)</source>
      <translation>{0}：名称在 {2} 下为 {1} 字节；Shapefile 字段名最多 10 字节（GBK 中一个汉字 2 字节，UTF-8 中 3 字节）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="359" />
      <source>{0}: duplicate field name (also field {1}; Shapefile names ignore case)</source>
      <translation>{0}：字段名重复（与字段 {1} 相同；Shapefile 字段名不区分大小写）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="364" />
      <source>{0}: unknown type {1!r} (known: {2})</source>
      <translation>{0}：未知类型 {1!r}（已知：{2}）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="369" />
      <source>{0}: "width" and "precision" must be whole numbers (width at least 1)</source>
      <translation>{0}："width" 和 "precision" 必须是整数（宽度至少为 1）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="372" />
      <source>{0}: a Shapefile text field has at most 254 characters, width is {1}</source>
      <translation>{0}：Shapefile 文本字段最多 254 个字符，宽度为 {1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="374" />
      <source>{0}: the precision must be smaller than the width</source>
      <translation>{0}：小数位数必须小于宽度</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="377" />
      <source>{0}: "value" must be an object with exactly one of {1}</source>
      <translation>{0}："value" 必须是对象，且只含 {1} 之一</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="383" />
      <source>{0}: "zh" (the Chinese column header) must be a text</source>
      <translation>{0}："zh"（中文列标题）必须是文字</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="388" />
      <source>"id_field" {0!r} is not one of the template's fields</source>
      <translation>"id_field" {0!r} 不是模板中的字段</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="396" />
      <source>"import" must be an object</source>
      <translation>"import" 必须是对象</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="401" />
      <source>"import": "id_field" must be a column name</source>
      <translation>"import"："id_field" 必须是列名</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="404" />
      <source>"import": "match_by_geometry" must be true or false</source>
      <translation>"import"："match_by_geometry" 必须是 true 或 false</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="407" />
      <source>"import": "min_overlap" must be a number between 0.5 and 1</source>
      <translation>"import"："min_overlap" 必须是 0.5 到 1 之间的数</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="412" />
      <source>Import field {0}: needs "column" (the returned column) and "field" (our patch field)</source>
      <translation>导入字段 {0}：需要 "column"（返回的列）和 "field"（本系统图斑字段）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="414" />
      <source>Import field {0} ({1})</source>
      <translation>导入字段 {0}（{1}）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="416" />
      <source>{0}: duplicate column</source>
      <translation>{0}：列重复</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="423" />
      <source>{0}: the field {1} is kept by the plugin and cannot be imported</source>
      <translation>{0}：字段 {1} 由插件维护，不能导入</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="425" />
      <source>{0}: the field {1} is filled in by the plugin (from the location or the geometry) and cannot be imported; map the column to nothing or to a remark</source>
      <translation>{0}：字段 {1} 由插件自动填写（根据位置或几何图形），不能导入；请不映射该列，或映射到备注</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="435" />
      <source>{0}: code table {1} gives several of our codes the same platform code, so it cannot be read back</source>
      <translation>{0}：代码表 {1} 把本系统的多个代码对应到同一平台代码，无法反向读取</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="439" />
      <source>{0}: "unit" must be one of {1}</source>
      <translation>{0}："unit" 必须是 {1} 之一</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="462" />
      <source>{0}: unknown key {1!r} in "value" (known: {2})</source>
      <translation>{0}："value" 中未知的键 {1!r}（已知：{2}）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="466" />
      <location filename="../forestry_plugin/core/exchange/template.py" line="420" />
      <source>{0}: unknown schema field {1!r}</source>
      <translation>{0}：未知的 schema 字段 {1!r}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="471" />
      <location filename="../forestry_plugin/core/exchange/template.py" line="430" />
      <source>{0}: unknown code table {1!r}</source>
      <translation>{0}：未知代码表 {1!r}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="473" />
      <location filename="../forestry_plugin/core/exchange/template.py" line="432" />
      <source>{0}: code table {1} translates {2}, but {3} uses {4}</source>
      <translation>{0}：代码表 {1} 翻译的是 {2}，而 {3} 使用 {4}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="478" />
      <source>{0}: platform codes longer than the field width {1}: {2}</source>
      <translation>{0}：平台代码超过字段宽度 {1}：{2}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="483" />
      <source>{0}: "label" must be "zh" or "en"</source>
      <translation>{0}："label" 必须是 "zh" 或 "en"</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="485" />
      <source>{0}: "label" needs a field with a code list; {1} has none</source>
      <translation>{0}："label" 需要带代码列表的字段；{1} 没有代码列表</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="488" />
      <source>{0}: "slice" must be [start, end] (whole numbers)</source>
      <translation>{0}："slice" 必须是 [起, 止]（整数）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="491" />
      <source>{0}: "format" must be a text</source>
      <translation>{0}："format" 必须是文字</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="495" />
      <source>{0}: unknown placeholder {{{1}}} in "format" (a patch field or one of {2})</source>
      <translation>{0}："format" 中未知占位符 {{{1}}}（应为图斑字段或 {2} 之一）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="498" />
      <source>{0}: the placeholder {1} in "format" has a format or conversion; write placeholders plainly, such as {{year}}</source>
      <translation>{0}：“format”中的占位符 {1} 带有格式说明或转换；请直接书写占位符，例如 {{year}}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="502" />
      <source>{0}: "area" must be one of {1}</source>
      <translation>{0}："area" 必须是 {1} 之一</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="504" />
      <source>{0}: an area needs the type "real"</source>
      <translation>{0}：面积字段的类型必须是 "real"</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="507" />
      <location filename="../forestry_plugin/core/exchange/template.py" line="442" />
      <source>{0}: "decimals" must be a whole number</source>
      <translation>{0}："decimals" 必须是整数</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/exchange/template.py" line="533" />
      <source>The name {0!r} has a placeholder that is not allowed: {1}</source>
      <translation>名称 {0!r} 含有不允许的占位符：{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/forms.py" line="82" />
      <source>value in range {0}..{1}</source>
      <translation>取值范围 {0}..{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/forms.py" line="85" />
      <source>format {0}</source>
      <translation>格式 {0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/forms.py" line="89" />
      <source>a code of the list</source>
      <translation>代码表中的代码</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/forms.py" line="98" />
      <source>required from stage {0}</source>
      <translation>自“{0}”阶段起必填</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/forms.py" line="163" />
      <source>Other</source>
      <translation>其他</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/forms.py" line="223" />
      <source>{0} (tab {1})</source>
      <translation>{0}（“{1}”页）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/forms.py" line="224" />
      <source>OK is disabled until these fields are filled in or corrected: {0}</source>
      <translation>以下字段填写或更正后才能点击“确定”：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/geopackage.py" line="70" />
      <source>{0} is in use by another program that is writing to it: close it there (or finish its edits), then try again</source>
      <translation>{0} 正被另一个程序写入：请在该程序中关闭它（或结束其编辑），然后重试</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/geopackage.py" line="76" />
      <source>{0} is damaged and cannot be used ({1}): restore it from a backup, or make a new working copy and download the patches from the platform</source>
      <translation>{0} 已损坏，无法使用（{1}）：请从备份恢复，或新建工作副本并从平台下载图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/geopackage.py" line="396" />
      <source>Working copy not found: {0}</source>
      <translation>找不到工作副本：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/geopackage.py" line="463" />
      <source>{0} is not a forestry working copy (no {1} table)</source>
      <translation>{0} 不是林业工作副本（没有 {1} 表）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/geopackage.py" line="479" />
      <source>{0} is not a GeoPackage: {1}</source>
      <translation>{0} 不是 GeoPackage：{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/geopackage.py" line="482" />
      <source>{0} lacks tables: {1}</source>
      <translation>{0} 缺少数据表：{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/geopackage.py" line="484" />
      <source>{0} was written by a newer plugin version (schema {1})</source>
      <translation>{0} 由更新版本的插件写入（模式版本 {1}）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="128" />
      <source>Imported by {0}</source>
      <translation>导入人：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="130" />
      <source>Text encoding: {0} (not declared in the file, recognised from its texts)</source>
      <translation>文本编码：{0}（文件未声明，根据文本内容识别）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="131" />
      <source>Text encoding: {0}</source>
      <translation>文本编码：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="133" />
      <source>{0} invalid polygon(s) repaired.</source>
      <translation>已修复 {0} 个无效多边形。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="135" />
      <source>{0} GPS track(s) closed into polygons.</source>
      <translation>已将 {0} 条 GPS 轨迹闭合为多边形。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="137" />
      <source>Columns used: {0}</source>
      <translation>已使用的字段：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="140" />
      <source>Columns ignored (computed from the geometry): {0}</source>
      <translation>已忽略的字段（由图形自动计算）：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="142" />
      <source>Columns not recognised: {0}</source>
      <translation>未识别的字段：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="148" />
      <source>Nothing imported from {0}:</source>
      <translation>未从 {0} 导入任何图斑：</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="150" />
      <source>{0}: {1} patch(es) imported.</source>
      <translation>{0}：已导入 {1} 个图斑。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="152" />
      <source>{0} feature(s) skipped:</source>
      <translation>跳过 {0} 个要素：</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="155" />
      <source>  … and {0} more</source>
      <translation>  …… 另有 {0} 个</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="206" />
      <source>not in the code list</source>
      <translation>不在代码表中</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="213" />
      <source>not a number</source>
      <translation>不是数字</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="216" />
      <source>not a date</source>
      <translation>不是日期</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="219" />
      <source>cut to {0} characters</source>
      <translation>已截断为 {0} 个字符</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="247" />
      <source>a line with fewer than three points</source>
      <translation>少于三个点的线</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="251" />
      <source>the track is not closed: its ends are {0:.0f} m apart</source>
      <translation>轨迹未闭合：首尾相距 {0:.0f} 米</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="305" />
      <source>an empty file</source>
      <translation>空文件</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="307" />
      <source>an OGR virtual data source (VRT), which reads other files or web addresses</source>
      <translation>OGR 虚拟数据源（VRT），会读取其他文件或网络地址</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="309" />
      <source>a GDAL virtual raster (VRT), which reads other files or web addresses</source>
      <translation>GDAL 虚拟栅格（VRT），会读取其他文件或网络地址</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="311" />
      <source>an SQLite database (such as a GeoPackage or a QGIS settings database)</source>
      <translation>SQLite 数据库（如 GeoPackage 或 QGIS 设置数据库）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="313" />
      <source>a zip archive</source>
      <translation>zip 压缩包</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="324" />
      <source>a file of type {0}</source>
      <translation>{0} 格式的文件</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="331" />
      <source>{0} is not a file on this computer or a shared folder: web addresses and GDAL virtual paths (/vsi…) are not imported.</source>
      <translation>{0} 不是本机或共享文件夹中的文件：不导入网络地址和 GDAL 虚拟路径（/vsi…）。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="335" />
      <source>{0} does not exist.</source>
      <translation>{0} 不存在。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="337" />
      <source>{0}: unsupported file type (GeoJSON, Shapefile, KML/KMZ, GPX, or a zip holding one of them).</source>
      <translation>{0}：不支持的文件类型（支持 GeoJSON、Shapefile、KML/KMZ、GPX，或包含其中之一的 zip 文件）。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="340" />
      <source>{0} is not a regular file.</source>
      <translation>{0} 不是普通文件。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="351" />
      <source>{0} is {1} MB, more than the {2} MB a file may have.</source>
      <translation>{0} 大小为 {1} MB，超过单个文件上限 {2} MB。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="374" />
      <source>{0}: its coordinate system (crs) cannot be checked; the file is not imported.</source>
      <translation>{0}：无法检查其坐标系（crs），不导入该文件。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="381" />
      <source>{0} asks for its coordinate system from elsewhere (crs of type "{1}"): such references are not followed. Save the file with a named coordinate system (EPSG code).</source>
      <translation>{0} 要求从别处获取坐标系（crs 类型为“{1}”）：不会读取此类引用。请以命名坐标系（EPSG 代码）另存该文件。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="546" />
      <source>{0} holds {1} files, more than the {2} allowed.</source>
      <translation>{0} 中有 {1} 个文件，超过允许的 {2} 个。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="550" />
      <source>{0} holds a file with an unsafe path ({1}): refused.</source>
      <translation>{0} 中包含路径不安全的文件（{1}）：已拒绝。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="554" />
      <location filename="../forestry_plugin/core/importer.py" line="601" />
      <source>{0} would unpack to {1} MB, more than the {2} MB allowed.</source>
      <translation>{0} 解压后为 {1} MB，超过允许的 {2} MB。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="565" />
      <source>{0} holds no KML document.</source>
      <translation>{0} 中没有 KML 文档。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="571" />
      <source>{0} holds no GeoJSON, Shapefile, KML or GPX file.</source>
      <translation>{0} 中没有 GeoJSON、Shapefile、KML 或 GPX 文件。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="573" />
      <source>{0} holds several files to import ({1}): unzip it and import them one by one.</source>
      <translation>{0} 中有多个可导入的文件（{1}）：请解压后逐个导入。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="587" />
      <source>{0} is not a {1} file that can be unpacked: {2}</source>
      <translation>{0} 不是可解压的 {1} 文件：{2}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="604" />
      <location filename="../forestry_plugin/core/importer.py" line="558" />
      <source>{0}: {1} is compressed {2:.0f} times, more than the {3} times allowed (a zip bomb?).</source>
      <translation>{0}：{1} 的压缩比为 {2:.0f} 倍，超过允许的 {3} 倍（可能是 zip 炸弹）。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="721" />
      <source>{0} is not a {1} file: it is {2}. Only GeoJSON, Shapefile, KML/KMZ and GPX files (or a zip holding one) are imported.</source>
      <translation>{0} 不是 {1} 文件，而是{2}。只导入 GeoJSON、Shapefile、KML/KMZ 和 GPX 文件（或包含其中之一的 zip 文件）。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="723" />
      <location filename="../forestry_plugin/core/importer.py" line="735" />
      <source>{0} cannot be read: it is damaged or not a {1} file.</source>
      <translation>无法读取 {0}：文件已损坏或不是 {1} 文件。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="873" />
      <source>The .cpg file of {0} says its texts are {1}, but they are {2}: read as {2}.</source>
      <translation>{0} 的 .cpg 文件声明文本编码为 {1}，但实际为 {2}：已按 {2} 读取。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="874" />
      <source>The .dbf file of {0} declares code page {1}, but its texts are {2}: read as {2}.</source>
      <translation>{0} 的 .dbf 文件声明代码页为 {1}，但文本实际为 {2}：已按 {2} 读取。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="901" />
      <source>Layer {0} has no coordinate system (is the .prj file missing?). Save it with its CRS and import again.</source>
      <translation>图层 {0} 没有坐标系（是否缺少 .prj 文件？）。请带坐标系另存后重新导入。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="907" />
      <source>Layer {0} is in {1}: converted to {2} with the general parameters, which can be tens of metres off. Check the patches against the base map, or convert the file with the province's official parameters first.</source>
      <translation>图层 {0} 采用 {1} 坐标系：已用通用参数转换到 {2}，可能偏差数十米。请对照底图核对图斑，或先用省级正式转换参数转换文件。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="925" />
      <source>no geometry</source>
      <translation>无几何图形</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="930" />
      <source>a point, not a patch outline</source>
      <translation>是点，不是图斑边界</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="941" />
      <source>coordinates cannot be transformed from {0} to {1}</source>
      <translation>坐标无法从 {0} 转换到 {1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="952" />
      <source>outside the county</source>
      <translation>不在本县范围内</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="959" />
      <source>invalid polygon that cannot be repaired</source>
      <translation>无法修复的无效多边形</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="960" />
      <source>no area</source>
      <translation>面积为零</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="963" />
      <source>implausibly large: {0:,.0f} mu, more than the {1:,.0f} mu a patch may have</source>
      <translation>面积不合理：{0:,.0f} 亩，超过单个图斑上限 {1:,.0f} 亩</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="970" />
      <source>mostly outside the county: {0:.0f}% of it lies inside, at least {1:.0f}% must</source>
      <translation>大部分在本县范围外：仅 {0:.0f}% 在县内，至少需要 {1:.0f}%</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="977" />
      <source>already in the layer (patch {0})</source>
      <translation>图层中已有（图斑 {0}）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="981" />
      <source>the same outline as {0} of this file</source>
      <translation>与本文件中的 {0} 边界相同</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="994" />
      <source>None of the {0} patch(es) lies in the county: the file's coordinate system ({1}) is probably wrong.</source>
      <translation>{0} 个图斑都不在本县范围内：文件的坐标系（{1}）可能有误。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="998" />
      <source>No feature of {0} can become a new patch.</source>
      <translation>{0} 中没有可作为新图斑导入的要素。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="1000" />
      <source>{0} holds no patch outlines (polygons or GPS tracks).</source>
      <translation>{0} 中没有图斑边界（面或 GPS 轨迹）。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="1004" />
      <source>{0}: {1} value(s) {2} ({3}); left empty.</source>
      <translation>{0}：{1} 个值{2}（{3}），已留空。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="1007" />
      <source>{0}: {1} value(s) {2}.</source>
      <translation>{0}：{1} 个值{2}。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/output_file.py" line="39" />
      <source>Could not write {0}: {1}. What is there is incomplete: remove it.</source>
      <translation>无法写入 {0}：{1}。已写入的内容不完整，请将其删除。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/output_file.py" line="41" />
      <source>Could not write {0}: {1}. The file that was there is unchanged.</source>
      <translation>无法写入 {0}：{1}。原有的同名文件保持不变。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/output_file.py" line="43" />
      <source>Could not write {0}: {1}. Nothing was saved.</source>
      <translation>无法写入 {0}：{1}。未保存任何内容。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/output_file.py" line="53" />
      <source>What is there is incomplete: remove it.</source>
      <translation>已写入的内容不完整，请将其删除。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/output_file.py" line="54" />
      <source>The file that was there is unchanged.</source>
      <translation>原有的同名文件保持不变。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/output_file.py" line="101" />
      <location filename="../forestry_plugin/core/output_file.py" line="123" />
      <location filename="../forestry_plugin/core/output_file.py" line="127" />
      <source>the disk is full</source>
      <translation>磁盘已满</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/output_file.py" line="103" />
      <source>there is no permission to write there, or the file is open in another program</source>
      <translation>没有在该位置写入的权限，或该文件正被其他程序打开</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/output_file.py" line="105" />
      <source>the folder is read-only</source>
      <translation>文件夹是只读的</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/output_file.py" line="107" />
      <source>the folder does not exist</source>
      <translation>文件夹不存在</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/output_file.py" line="109" />
      <source>a folder of that name is in the way</source>
      <translation>已有同名的文件夹</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/output_file.py" line="111" />
      <source>the file name is too long</source>
      <translation>文件名过长</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/output_file.py" line="128" />
      <source>the file could not be written (is the disk full, or the folder not writable?)</source>
      <translation>无法写入文件（磁盘是否已满，或该文件夹不可写？）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/output_file.py" line="191" />
      <source>the file was not written</source>
      <translation>文件未写出</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/project.py" line="36" />
      <location filename="../forestry_plugin/gui/checks_dock.py" line="564" />
      <location filename="../forestry_plugin/processing/algs/checkpatches.py" line="81" />
      <source>Checks</source>
      <translation>质检</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/project.py" line="36" />
      <source>Afforestation patches</source>
      <translation>造林图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/project.py" line="36" />
      <source>Reference layers</source>
      <translation>参考图层</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/project.py" line="37" />
      <source>Tables</source>
      <translation>数据表</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/project.py" line="48" />
      <location filename="../forestry_plugin/core/project.py" line="154" />
      <source>Cannot open layer {0} of {1}</source>
      <translation>无法打开 {1} 中的图层 {0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/project.py" line="157" />
      <source>Default forestry style</source>
      <translation>林业默认样式</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/project.py" line="159" />
      <source>Cannot store the style of {0}: {1}</source>
      <translation>无法保存 {0} 的样式：{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/project.py" line="214" />
      <source>Afforestation mapping {0}</source>
      <translation>造林落地上图 {0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/project.py" line="221" />
      <source>Cannot write project {0}: {1}</source>
      <translation>无法写入工程 {0}：{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/mapreport.py" line="78" />
      <source>The map needs the patches layer</source>
      <translation>专题图需要图斑图层</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/mapreport.py" line="119" />
      <source>Legend</source>
      <translation>图例</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/mapreport.py" line="150" />
      <source>km</source>
      <translation>千米</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/mapreport.py" line="165" />
      <source>Date: {0}    Coordinate system: {1} ({2})    Areas: CGCS2000 ellipsoidal, mu</source>
      <translation>日期：{0}    坐标系：{1}（{2}）    面积：CGCS2000 椭球面积，单位亩</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/mapreport.py" line="185" />
      <source>the PDF was cut short (is the disk full?)</source>
      <translation>PDF 文件没有写完整（磁盘是否已满？）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/mapreport.py" line="196" />
      <source>the file could not be created there</source>
      <translation>无法在该位置创建文件</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/mapreport.py" line="198" />
      <source>there is not enough memory to draw the map</source>
      <translation>内存不足，无法绘制地图</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/mapreport.py" line="200" />
      <source>the export was canceled</source>
      <translation>导出已取消</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/mapreport.py" line="201" />
      <source>QGIS could not draw the layout (error {0})</source>
      <translation>QGIS 无法绘制打印布局（错误 {0}）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/mapreport.py" line="232" />
      <source>{0} afforestation patches map</source>
      <translation>{0}造林图斑分布图</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/progress.py" line="89" />
      <source>GROUP_BY must be county or township, not {0}</source>
      <translation>GROUP_BY 必须为 county 或 township，而不是 {0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/progress.py" line="96" />
      <source>(no unit code)</source>
      <translation>（无行政区代码）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/progress.py" line="119" />
      <location filename="../forestry_plugin/gui/project_dock.py" line="285" />
      <source>Total</source>
      <translation>合计</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/progress.py" line="147" />
      <source>No.</source>
      <translation>序号</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/progress.py" line="147" />
      <source>Annual task (mu)</source>
      <translation>年度任务(亩)</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/progress.py" line="147" />
      <source>All patches</source>
      <translation>全部图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/progress.py" line="148" />
      <source>Design stage</source>
      <translation>设计施工</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/progress.py" line="148" />
      <source>Completed (accepted + included)</source>
      <translation>已完成（造林验收 + 纳入造林）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/progress.py" line="148" />
      <source>Confirmed</source>
      <translation>已确认</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/progress.py" line="149" />
      <source>Verified (city / province)</source>
      <translation>已核查（市级/省级）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/progress.py" line="149" />
      <source>Completion of task</source>
      <translation>任务完成率</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/progress.py" line="149" />
      <source>Rank</source>
      <translation>排名</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/progress.py" line="150" />
      <location filename="../forestry_plugin/gui/project_dock.py" line="113" />
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="101" />
      <source>Area (mu)</source>
      <translation>面积（亩）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/progress.py" line="182" />
      <source>Progress</source>
      <translation>进度</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/progress.py" line="183" />
      <location filename="../forestry_plugin/processing/algs/progressreport.py" line="68" />
      <source>county</source>
      <translation>县</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/progress.py" line="183" />
      <location filename="../forestry_plugin/processing/algs/progressreport.py" line="68" />
      <source>township</source>
      <translation>乡镇</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/progress.py" line="184" />
      <source>{0} afforestation progress report {1}</source>
      <translation>{0}{1}年造林进度通报</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/progress.py" line="185" />
      <source>Statistics date: {0}    Area unit: mu    Grouped by {1}</source>
      <translation>统计日期：{0}    面积单位：亩    统计单位：{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/progress.py" line="186" />
      <source>Completed = accepted + included and later stages; completion = completed area / annual task</source>
      <translation>已完成 = 造林验收 + 纳入造林及之后各阶段；完成率 = 已完成面积 / 年度任务</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/progress.py" line="217" />
      <source>Completion of the annual task</source>
      <translation>年度任务完成率</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/progress.py" line="218" />
      <source>Completion</source>
      <translation>完成率</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/auth.py" line="19" />
      <source>Choose an authentication configuration with your platform user name and password</source>
      <translation>请选择包含平台用户名和密码的认证配置</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/auth.py" line="23" />
      <source>Authentication configuration {0} not found or locked (master password?)</source>
      <translation>找不到认证配置 {0} 或已锁定（是否需要主密码？）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/auth.py" line="27" />
      <source>Authentication configuration {0} has no user name (use the Basic method)</source>
      <translation>认证配置 {0} 没有用户名（请使用 Basic 方式）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/auth.py" line="44" />
      <source>Could not store the authentication configuration (is the master password set?)</source>
      <translation>无法保存认证配置（是否已设置主密码？）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/changes.py" line="102" />
      <source>{0} patch(es) from before change tracking are marked for upload</source>
      <translation>{0} 个启用变更跟踪之前的图斑已标记为待上传</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/client.py" line="144" />
      <location filename="../forestry_plugin/core/sync/client.py" line="199" />
      <location filename="../forestry_plugin/core/sync/client.py" line="229" />
      <source>Canceled</source>
      <translation>已取消</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/client.py" line="192" />
      <location filename="../forestry_plugin/core/sync/client.py" line="203" />
      <source>The platform did not answer in time ({0})</source>
      <translation>平台未及时响应（{0}）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/client.py" line="205" />
      <source>no answer in time, or the connection was dropped</source>
      <translation>未在限定时间内应答，或连接已中断</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/client.py" line="206" />
      <source>Cannot reach the platform at {0}: {1}</source>
      <translation>无法连接平台 {0}：{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/client.py" line="260" />
      <source>The reply could not be read (HTTP {0}, {1} bytes): it may have been cut off on the way; try again</source>
      <translation>无法读取应答（HTTP {0}，{1} 字节）：可能在传输途中被截断，请重试</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/client.py" line="263" />
      <location filename="../forestry_plugin/core/sync/client.py" line="357" />
      <location filename="../forestry_plugin/core/sync/client.py" line="385" />
      <source>The platform sent a malformed reply (HTTP {0}): {1}</source>
      <translation>平台返回的数据格式错误（HTTP {0}）：{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/client.py" line="283" />
      <location filename="../forestry_plugin/core/sync/wfs.py" line="465" />
      <source>Wrong user name or password</source>
      <translation>用户名或密码错误</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/client.py" line="286" />
      <source>Not logged in: {0}</source>
      <translation>未登录：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/client.py" line="288" />
      <location filename="../forestry_plugin/core/sync/wfs.py" line="467" />
      <source>Not allowed: {0}</source>
      <translation>无权操作：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/client.py" line="294" />
      <source>Too many failed logins: try again in {0} s</source>
      <translation>登录失败次数过多，请在 {0} 秒后重试</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/client.py" line="296" />
      <source>The platform refused the audit log: it does not continue the platform's copy ({0})</source>
      <translation>平台拒收审核日志：它与平台保存的副本不衔接（{0}）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/client.py" line="301" />
      <source>The platform failed (HTTP {0}): {1}</source>
      <translation>平台出错（HTTP {0}）：{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/client.py" line="302" />
      <source>The platform refused the request (HTTP {0}): {1}</source>
      <translation>平台拒绝了请求（HTTP {0}）：{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/client.py" line="316" />
      <source>The platform, or a gateway on the way to it, failed (HTTP {0})</source>
      <translation>平台或通往平台的网关出错（HTTP {0}）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/client.py" line="351" />
      <location filename="../forestry_plugin/core/sync/client.py" line="285" />
      <location filename="../forestry_plugin/gui/sync_panel.py" line="174" />
      <source>Your session has expired: log in again</source>
      <translation>登录已过期：请重新登录</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/engine.py" line="71" />
      <source>{0} (county {1})</source>
      <translation>{0}（县 {1}）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/engine.py" line="128" />
      <source>the record is not an object</source>
      <translation>该记录不是对象</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/engine.py" line="131" />
      <source>the record has no properties</source>
      <translation>该记录没有属性</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/engine.py" line="134" />
      <source>the record has no patch id</source>
      <translation>该记录没有图斑标识</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/engine.py" line="137" />
      <source>its version is not a whole number</source>
      <translation>其版本号不是整数</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/engine.py" line="145" />
      <source>the value of {0} is not a single value</source>
      <translation>{0} 的值不是单个值</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/engine.py" line="148" />
      <source>its deleted flag is not true or false</source>
      <translation>其删除标记不是真或假</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/engine.py" line="153" />
      <source>it has no geometry but is not deleted</source>
      <translation>没有几何但未标记删除</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/engine.py" line="155" />
      <source>its geometry is not a polygon</source>
      <translation>其几何不是面</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/engine.py" line="166" />
      <source>its geometry has coordinates that are not numbers, or rings that are not rings</source>
      <translation>其几何含有非数字坐标或不闭合的环</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/engine.py" line="179" />
      <source>The working copy has no county code: set one before syncing</source>
      <translation>工作库没有县级代码：同步前请先设置</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/engine.py" line="249" />
      <source>the audit log no longer contains the {0} row(s) the platform already holds</source>
      <translation>审核日志已不再包含平台已保存的 {0} 条记录</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/engine.py" line="274" />
      <source>This working copy synced before the plugin recorded its platform: confirm that {0} is the platform it synced with before it syncs (nothing was downloaded, sent or changed). If it is another one, the patches it does not hold would be taken for deleted there and deleted here. Confirm in the sync panel (it asks), or from a script with SyncEngine.bind_same_platform() (the platform it synced with) or SyncEngine.rebind() (another platform).</source>
      <translation>此工作副本在插件记录其平台之前已同步过：同步前请确认 {0} 就是它曾同步的平台（未下载、未上传、未作任何更改）。若是另一个平台，它没有的图斑会被当作已在那里删除，并在此处删除。请在同步面板中确认（面板会询问），或在脚本中调用 SyncEngine.bind_same_platform()（曾同步的那个平台）或 SyncEngine.rebind()（另一个平台）。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/engine.py" line="284" />
      <source>This working copy syncs with {0}, not with {1}: nothing was downloaded, sent or changed. Patches the other platform does not hold would be taken for deleted there and deleted here. Make a new working copy for the other platform, or re-bind this working copy to it (the sync panel asks first): every local patch is kept, and the next download takes what that platform holds.</source>
      <translation>该工作副本与 {0} 同步，而不是 {1}：未下载、未上传、未作任何修改。另一平台上没有的图斑会被当作已在该平台删除，并在本地删除。请为另一平台新建一个工作副本，或将该工作副本重新绑定到该平台（同步面板会先询问）：所有本地图斑都会保留，下次下载将接收该平台上的数据。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/engine.py" line="316" />
      <location filename="../forestry_plugin/core/sync/engine.py" line="350" />
      <source>This platform cannot be told apart from another one: the working copy is not re-bound</source>
      <translation>无法将该平台与其他平台区分开：工作副本未重新绑定</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/engine.py" line="319" />
      <source>{0} cannot be the platform this working copy syncs with ({1}): another kind of platform or another county. Re-bind the working copy to another platform instead</source>
      <translation>{0} 不可能是此工作副本同步的平台（{1}）：平台类型或县不同。请改为将工作副本重新绑定到另一个平台</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/engine.py" line="423" />
      <source>The platform sent a geometry that cannot be read</source>
      <translation>平台发送的几何无法读取</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/engine.py" line="565" />
      <location filename="../forestry_plugin/core/sync/engine.py" line="807" />
      <source>{0}: the platform's record could not be taken ({1}); it was set aside and the other patches were taken</source>
      <translation>{0}：无法接收平台的该条记录（{1}），已将其搁置，其他图斑已正常接收</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/engine.py" line="566" />
      <location filename="../forestry_plugin/core/sync/engine.py" line="808" />
      <source>a record without a patch id</source>
      <translation>一条没有图斑标识的记录</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/engine.py" line="672" />
      <source>The patch cannot be sent: its geometry cannot be converted to CGCS2000 coordinates ({0})</source>
      <translation>该图斑无法提交：其几何无法转换为 CGCS2000 坐标（{0}）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/engine.py" line="703" />
      <source>This platform takes no uploads (it only publishes the layer): nothing was sent. {0} local change(s) and {1} patch(es) with review moves stay queued in the working copy, nothing is lost: sync with a platform that takes uploads, or export a submission package, to hand them in.</source>
      <translation>该平台不接受上传（只发布图层）：未发送任何内容。{0} 项本地修改和 {1} 个有待确认阶段流转的图斑仍保留在工作副本中等待上传，数据没有丢失：如需提交，请与接受上传的平台同步，或导出提交数据包。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/platforms.py" line="14" />
      <source>Provincial platform (REST contract)</source>
      <translation>省级平台（REST 接口）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/platforms.py" line="14" />
      <source>GIS server (WFS-T)</source>
      <translation>GIS 服务器（WFS-T）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/platforms.py" line="15" />
      <source>Submission packages (files)</source>
      <translation>提交数据包（文件）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/platforms.py" line="29" />
      <source>Submission packages are exchanged as files (Export package… / Import package…), not synced</source>
      <translation>提交数据包以文件交换（导出数据包… / 导入数据包…），不做同步</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="96" />
      <source>The WFS service description {0} cannot be read: {1}</source>
      <translation>无法读取 WFS 服务描述 {0}：{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="105" />
      <source>The WFS service description {0} is not a JSON object</source>
      <translation>WFS 服务描述 {0} 不是 JSON 对象</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="113" />
      <source>unknown keys: {0}</source>
      <translation>未知的键：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="116" />
      <source>version must be 1.1.0 or 2.0.0, not {0}</source>
      <translation>version 必须为 1.1.0 或 2.0.0，而不是 {0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="118" />
      <source>read_only must be true or false</source>
      <translation>read_only 必须为 true 或 false</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="122" />
      <source>version 2.0.0 is only for downloading: add "read_only": true for a server that only publishes the layer, or use version 1.1.0 (WFS-T) to upload</source>
      <translation>version 2.0.0 仅用于下载：对只发布图层的服务器请加上 "read_only": true；如需上传，请使用 version 1.1.0（WFS-T）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="129" />
      <source>namespace_prefix must be an XML name other than {0}</source>
      <translation>namespace_prefix 必须是一个 XML 名称，且不能是 {0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="132" />
      <source>namespace_uri must be an absolute URI</source>
      <translation>namespace_uri 必须是一个绝对 URI</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="136" />
      <source>{0} must be a name</source>
      <translation>{0} 必须是名称</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="141" />
      <source>fields must map the plugin's field names to the server's names (or null)</source>
      <translation>fields 必须把插件的字段名对应到服务器的字段名（或 null）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="145" />
      <source>{0} must be a whole number from {1} to {2}</source>
      <translation>{0} 必须是 {1} 到 {2} 之间的整数</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="148" />
      <source>coordinate_tolerance must be a number of degrees from 0 to 0.01</source>
      <translation>coordinate_tolerance 必须是 0 到 0.01 之间的度数</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="154" />
      <source>srs_name {0} is not a coordinate reference system</source>
      <translation>srs_name {0} 不是坐标参照系</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="156" />
      <source>The WFS service description {0} cannot be used: {1}</source>
      <translation>WFS 服务描述 {0} 无法使用：{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="177" />
      <source>code_tables: {0}</source>
      <translation>code_tables（代码表）：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="185" />
      <source>Code table {0}: unknown keys {1} (known: {2})</source>
      <translation>代码表 {0}：未知的键 {1}（已知：{2}）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="191" />
      <source>Code table {0}: no synced field or several use the code list {1}; name the field ("field")</source>
      <translation>代码表 {0}：没有或有多个同步字段使用代码列表 {1}；请指定字段（"field"）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="196" />
      <source>Code table {0}: unknown field {1!r} (a synced field of the plugin with a code list: {2})</source>
      <translation>代码表 {0}：未知字段 {1!r}（应为本插件带代码列表的同步字段：{2}）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="200" />
      <source>Code table {0}: the field {1} uses the code list {2}, not {3}</source>
      <translation>代码表 {0}：字段 {1} 使用代码列表 {2}，而不是 {3}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="204" />
      <source>Code table {0}: the field {1} has a code table already ({2})</source>
      <translation>代码表 {0}：字段 {1} 已有代码表（{2}）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="207" />
      <source>Code table {0}: the field {1} is not kept by the server (null under fields)</source>
      <translation>代码表 {0}：服务器不保存字段 {1}（fields 中为 null）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="209" />
      <source>Code table {0}: the server's code {1!r} is given to several of our codes ({2}), so it cannot be read back</source>
      <translation>代码表 {0}：服务器代码 {1!r} 对应本系统的多个代码（{2}），无法反向读取</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="220" />
      <source>The service description's code table for {0} has no server code for {1!r}: the patch is not sent (add the code to the table; see docs/sync.md)</source>
      <translation>服务描述中 {0} 的代码表没有 {1!r} 对应的服务器代码：该图斑未上传（请在代码表中补充该代码；见 docs/sync.md）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="230" />
      <source>The code table for {0} gives {1!r} the code {2!r}, the same number as the code of {3}: the WFS server's number column would store them alike, so the patch is not sent (give them different numbers; see docs/sync.md)</source>
      <translation>{0} 的代码表给 {1!r} 的代码 {2!r} 与 {3} 的代码是同一个数值：WFS 服务器的数值字段会把它们存成一样的值，因此该图斑未上传（请给它们不同的数值；见 docs/sync.md）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="383" />
      <source>This platform takes no uploads (its service description says read_only): nothing was sent</source>
      <translation>该平台不接受上传（其服务描述设为 read_only）：未发送任何内容</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="432" />
      <source>A WFS server serves no workflow policy: the plugin's own applies</source>
      <translation>WFS 服务器不提供审核流程规则：使用插件自带的规则</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="469" />
      <source>The WFS server failed (HTTP {0}): {1}</source>
      <translation>WFS 服务器出错（HTTP {0}）：{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="474" />
      <source>The WFS server refused: {0}</source>
      <translation>WFS 服务器拒绝：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="475" />
      <source>The WFS server refused the request (HTTP {0}): {1}</source>
      <translation>WFS 服务器拒绝了请求（HTTP {0}）：{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="476" />
      <source>{0} bytes</source>
      <translation>{0} 字节</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="498" />
      <source>The WFS server sent a reply that is not XML ({0} bytes): it may have been cut off on the way; try again</source>
      <translation>WFS 服务器的应答不是 XML（{0} 字节）：可能在传输中被截断，请重试</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="512" />
      <location filename="../forestry_plugin/core/sync/wfs.py" line="545" />
      <source>The WFS server publishes no feature type {0}</source>
      <translation>WFS 服务器没有发布要素类型 {0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="533" />
      <source>The WFS server does not speak WFS 2.0.0 (it answered {0}): use version 1.1.0 in the service description</source>
      <translation>WFS 服务器不支持 WFS 2.0.0（它以 {0} 应答）：请在服务描述中使用 version 1.1.0</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="577" />
      <source>The WFS feature type {0} lacks the fields {1} (see docs/sync.md: what a WFS server must publish)</source>
      <translation>WFS 要素类型 {0} 缺少字段 {1}（见 docs/sync.md：WFS 服务器须发布的内容）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="597" />
      <source>The service description's code table {0} gives codes that are the same number ({1}) to {2}, but the WFS server's column {3} is a number column: it stores them alike and cannot tell them apart. Patches with these values are not sent and the server's records holding that number are set aside; give these codes different numbers (see docs/sync.md)</source>
      <translation>服务描述中的代码表 {0} 给 {2} 的代码是同一个数值（{1}），但 WFS 服务器的字段 {3} 是数值字段：会把它们存成一样的值，无法区分。含这些值的图斑不会上传，服务器上含该数值的记录会被搁置；请给这些代码不同的数值（见 docs/sync.md）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="695" />
      <source>The WFS server sent a reply that could not be read ({0} bytes): it may have been cut off on the way; try again</source>
      <translation>无法读取 WFS 服务器的应答（{0} 字节）：可能在传输中被截断，请重试</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="701" />
      <source>The WFS server sent a malformed reply: {0}</source>
      <translation>WFS 服务器的应答格式不正确：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="711" />
      <source>The WFS server sent a reply that is not a feature collection ({0} bytes)</source>
      <translation>WFS 服务器的应答不是要素集合（{0} 字节）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="737" />
      <source>The WFS server sent GML that could not be read</source>
      <translation>WFS 服务器返回的 GML 无法读取</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="743" />
      <source>The WFS server said it sent {0} features, but {1} could be read: the reply may have been cut off on the way; try again</source>
      <translation>WFS 服务器称发送了 {0} 个要素，但只能读取 {1} 个：应答可能在传输中被截断，请重试</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="805" />
      <source>the WFS server's value {0!r} of {1} (patch {2}) is not in the service description's code table for {1}: add it to the table (see docs/sync.md)</source>
      <translation>WFS 服务器上 {1} 的值 {0!r}（图斑 {2}）不在服务描述中 {1} 的代码表里：请在代码表中补充（见 docs/sync.md）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="808" />
      <source>the WFS server's value {0!r} of {1} (patch {2}) is a number that several codes of the service description's code table for {1} stand for ({3}): its column is a number column, which cannot tell them apart; give these codes different numbers (see docs/sync.md)</source>
      <translation>WFS 服务器上 {1} 的值 {0!r}（图斑 {2}）是服务描述中 {1} 的代码表里多个代码共用的数值（{3}）：该字段是数值字段，无法区分这些代码；请给这些代码不同的数值（见 docs/sync.md）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="855" />
      <source>The WFS server does not page its answers (STARTINDEX): lower the page size in the service description, or ask for paging to be enabled</source>
      <translation>WFS 服务器不支持分页（STARTINDEX）：请在服务描述中减小每页数量，或请服务器管理员开启分页</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="947" />
      <source>The WFS server's answer to the upload was cut off ({0} bytes); nothing is lost: the next upload checks what the server holds</source>
      <translation>WFS 服务器对上传的应答被截断（{0} 字节）；数据没有丢失：下次上传会先核对服务器上已有的内容</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="1066" />
      <source>The WFS server gave the patch no feature id: it cannot be deleted through WFS</source>
      <translation>WFS 服务器未给出该图斑的要素 ID：无法通过 WFS 删除</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="1077" />
      <location filename="../forestry_plugin/core/sync/wfs.py" line="1184" />
      <location filename="../forestry_plugin/core/sync/wfs.py" line="1209" />
      <source>The WFS server refused the change: {0}</source>
      <translation>WFS 服务器拒绝了该修改：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="1078" />
      <location filename="../forestry_plugin/core/sync/wfs.py" line="1210" />
      <source>no reason given</source>
      <translation>未说明原因</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/wfs.py" line="1141" />
      <source>The patch has no geometry: draw it before it is uploaded</source>
      <translation>该图斑没有几何图形：请先勾绘再上传</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="78" />
      <source>Invalid workflow configuration: {0}</source>
      <translation>流程配置无效：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="245" />
      <source>{0} patch(es) returned to {1}</source>
      <translation>{0} 个图斑已退回到“{1}”</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="247" />
      <source>{0} patch(es) moved to {1}</source>
      <translation>{0} 个图斑已流转到“{1}”</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="249" />
      <source>Nothing changed: {0}</source>
      <translation>未做任何更改：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="251" />
      <source>Nothing changed: {0} of {1} patch(es) refused</source>
      <translation>未做任何更改：{1} 个图斑中有 {0} 个被拒绝</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="252" />
      <source> (pending until the platform accepts it at the next sync)</source>
      <translation>（待平台在下次同步时确认）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="329" />
      <source>The patch has no geometry</source>
      <translation>图斑没有几何图形</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="338" />
      <source>Attribute area ({0}) differs from the mapped area {1:.2f} mu by more than {2:.2f} mu</source>
      <translation>属性面积（{0}）与图斑计算面积 {1:.2f} 亩相差超过 {2:.2f} 亩</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="347" />
      <source>Unknown stage: {0}</source>
      <translation>未知阶段：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="349" />
      <source>Unknown rejection reason: {0}</source>
      <translation>未知的退回原因：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="362" />
      <source>No such patch</source>
      <translation>图斑不存在</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="372" />
      <source>Your account ({0}) does not cover county {1}</source>
      <translation>您的账号（{0}）无权管理县 {1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="375" />
      <source>The patch is already at this stage</source>
      <translation>图斑已处于该阶段</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="390" />
      <source>Role {0} may not return patches at stage {1}</source>
      <translation>角色“{0}”无权退回处于“{1}”阶段的图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="393" />
      <source>A patch at {0} cannot be returned to {1}</source>
      <translation>处于“{0}”阶段的图斑不能退回到“{1}”</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="396" />
      <source>A return needs a reason</source>
      <translation>退回必须选择原因</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="398" />
      <source>Reason "other" needs a comment</source>
      <translation>原因为“其他”时必须填写意见</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="405" />
      <source>No transition from {0} to {1} (stages cannot be skipped)</source>
      <translation>不能从“{0}”流转到“{1}”（不能越级）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="410" />
      <source>Role {0} may not move patches from {1} to {2}</source>
      <translation>角色“{0}”无权将图斑从“{1}”流转到“{2}”</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="415" />
      <source>Required for {0}: {1}</source>
      <translation>“{0}”阶段必填：{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="420" />
      <source>Survival rate {0:.1f} % is below {1:.1f} %</source>
      <translation>成活率 {0:.1f}% 低于 {1:.1f}%</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="437" />
      <source>The patch has never been checked: run the checks first</source>
      <translation>图斑尚未质检：请先运行质检</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="439" />
      <source>The patch changed since it was checked (revision {0}, checked at revision {1}): run the checks first</source>
      <translation>图斑在质检后已被修改（当前版本 {0}，质检时版本 {1}）：请先重新质检</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="446" />
      <source>{0} open error finding(s): {1}</source>
      <translation>{0} 个未处理的错误：{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="456" />
      <location filename="../forestry_plugin/gui/checks_dock.py" line="303" />
      <source>No patches selected</source>
      <translation>未选择图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="473" />
      <source>The patch was changed meanwhile; try again</source>
      <translation>图斑已被他人修改，请重试</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="73" />
      <source>Repair geometry</source>
      <translation>修复几何</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="74" />
      <source>Remove slivers and thin parts</source>
      <translation>去除碎片和狭长部分</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="75" />
      <source>Clip to allowed land</source>
      <translation>裁剪到允许造林的地类</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="76" />
      <source>Snap to base-map boundaries</source>
      <translation>捕捉到底图边界</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="85" />
      <location filename="../forestry_plugin/gui/checks_dock.py" line="127" />
      <location filename="../forestry_plugin/gui/messages.py" line="34" />
      <source>Forestry checks</source>
      <translation>林业质检</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="136" />
      <location filename="../forestry_plugin/gui/checks_dock.py" line="138" />
      <source>Accept as exception</source>
      <translation>认可为例外</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="137" />
      <source>Reason (kept with the working copy):</source>
      <translation>理由（保存在工作库中）：</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="139" />
      <source>Approval reference number:</source>
      <translation>审批文号：</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="145" />
      <source>Whole layer</source>
      <translation>整个图层</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="145" />
      <source>Selected patches</source>
      <translation>所选图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="145" />
      <source>Map extent</source>
      <translation>当前地图范围</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="146" />
      <source>Changed since last check</source>
      <translation>上次质检后有变化的图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="148" />
      <source>Run checks</source>
      <translation>运行质检</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="149" />
      <location filename="../forestry_plugin/gui/common.py" line="67" />
      <location filename="../forestry_plugin/gui/project_dock.py" line="129" />
      <source>Cancel</source>
      <translation>取消</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="159" />
      <source>Filter: patch no., id or message</source>
      <translation>筛选：图斑编号、标识或说明</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="161" />
      <source>All severities</source>
      <translation>全部级别</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="165" />
      <source>Open findings</source>
      <translation>未处理的问题</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="166" />
      <source>Including accepted</source>
      <translation>包括已认可的</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="172" />
      <source>Finding</source>
      <translation>问题</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="172" />
      <source>Value</source>
      <translation>量测值</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="172" />
      <location filename="../forestry_plugin/gui/edit_live.py" line="226" />
      <location filename="../forestry_plugin/gui/sync_panel.py" line="358" />
      <source>Patch no.</source>
      <translation>图斑编号</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="177" />
      <location filename="../forestry_plugin/gui/checks_dock.py" line="447" />
      <source>Accept as exception…</source>
      <translation>认可为例外…</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="178" />
      <source>Fix…</source>
      <translation>修复…</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="179" />
      <source>Excel…</source>
      <translation>导出 Excel…</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="291" />
      <location filename="../forestry_plugin/gui/sync_panel.py" line="427" />
      <location filename="../forestry_plugin/gui/sync_panel.py" line="481" />
      <source>Open a working copy first</source>
      <translation>请先打开工作库</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="294" />
      <location filename="../forestry_plugin/gui/sync_panel.py" line="728" />
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="504" />
      <source>Unsaved edits</source>
      <translation>未保存的编辑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="294" />
      <source>The patches layer has unsaved edits. Save them before checking?</source>
      <translation>图斑图层有未保存的编辑。是否先保存再质检？</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="311" />
      <source>No patch changed since the last check</source>
      <translation>上次质检后没有图斑变化</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="336" />
      <source>Patches could not be numbered: {0}</source>
      <translation>无法为图斑编号：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="341" />
      <source>{0} patch(es) without a patch number were numbered.</source>
      <translation>已为 {0} 个没有图斑编号的图斑编号。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="356" />
      <source>Checks canceled</source>
      <translation>质检已取消</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="367" />
      <source>{0} patches checked in {1:.2f} s: {2} open findings, {3} errors</source>
      <translation>已质检 {0} 个图斑，用时 {1:.2f} 秒：{2} 个未处理问题，其中 {3} 个错误</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="436" />
      <source>Accept the finding as an exception, with a reason</source>
      <translation>将该问题认可为例外（须说明理由）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="465" />
      <source>No automatic fix for this finding</source>
      <translation>该问题没有自动修复方法</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="507" />
      <source>Fix not applied, the patch is unchanged: {0}</source>
      <translation>未执行修复，图斑保持不变：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="510" />
      <source>The fix would remove the whole patch: not applied</source>
      <translation>该修复会删除整个图斑：未执行</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="516" />
      <source>Fix: {0}</source>
      <translation>修复：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="525" />
      <source>Fixed in the edit buffer: save the layer, or undo (Ctrl+Z)</source>
      <translation>已在编辑缓冲区中修复：请保存图层，或撤销（Ctrl+Z）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="532" />
      <location filename="../forestry_plugin/processing/algs/checkpatches.py" line="124" />
      <location filename="../forestry_plugin/processing/algs/progressreport.py" line="75" />
      <source>Excel workbook (*.xlsx)</source>
      <translation>Excel 工作簿 (*.xlsx)</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="542" />
      <source>Administrative unit names could not be read: {0}</source>
      <translation>无法读取行政区名称：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="564" />
      <source>Check patches against the base map and review the findings</source>
      <translation>对照底图质检图斑并查看问题</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/common.py" line="52" />
      <source>Something went wrong: {0}. Details are in the Forestry log.</source>
      <translation>出现错误：{0}。详情见日志面板的 Forestry 页。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/common.py" line="67" />
      <source>OK</source>
      <translation>确定</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/common.py" line="67" />
      <source>Close</source>
      <translation>关闭</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/common.py" line="67" />
      <source>Yes</source>
      <translation>是</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/common.py" line="67" />
      <source>No</source>
      <translation>否</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/common.py" line="68" />
      <location filename="../forestry_plugin/gui/edit_live.py" line="252" />
      <source>Save</source>
      <translation>保存</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/common.py" line="68" />
      <source>Apply</source>
      <translation>应用</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/common.py" line="68" />
      <source>Discard</source>
      <translation>放弃</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/common.py" line="68" />
      <source>Help</source>
      <translation>帮助</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/common.py" line="116" />
      <location filename="../forestry_plugin/gui/common.py" line="129" />
      <source>Show details…</source>
      <translation>显示详细信息…</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/common.py" line="129" />
      <source>Hide details…</source>
      <translation>隐藏详细信息…</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/common.py" line="227" />
      <source>Stored: {0}</source>
      <translation>存储值：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/common.py" line="232" />
      <source>Code: {0}</source>
      <translation>代码：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/common.py" line="243" />
      <source>{0} ({1}): value “{2}” dropped: {3}</source>
      <translation>{0}（{1}）：值“{2}”已舍弃：{3}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/common.py" line="244" />
      <source>{0} ({1}): value “{2}”: {3}</source>
      <translation>{0}（{1}）：值“{2}”：{3}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/common.py" line="253" />
      <source>Imported</source>
      <translation>已导入</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/common.py" line="253" />
      <source>Not imported</source>
      <translation>未导入</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/common.py" line="255" />
      <source>Skipped</source>
      <translation>已跳过</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/common.py" line="263" />
      <source>{0}: nothing imported ({1} feature(s) skipped).</source>
      <translation>{0}：未导入任何图斑（跳过 {1} 个要素）。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/common.py" line="264" />
      <source>{0}: {1} patch(es) imported, {2} feature(s) skipped.</source>
      <translation>{0}：已导入 {1} 个图斑，跳过 {2} 个要素。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/common.py" line="299" />
      <location filename="../forestry_plugin/gui/common.py" line="335" />
      <source>Feature</source>
      <translation>要素</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/common.py" line="299" />
      <location filename="../forestry_plugin/gui/common.py" line="335" />
      <source>Result</source>
      <translation>结果</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/common.py" line="299" />
      <location filename="../forestry_plugin/gui/common.py" line="335" />
      <source>Reason / details</source>
      <translation>原因/详情</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/common.py" line="350" />
      <source>Save…</source>
      <translation>保存…</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/common.py" line="366" />
      <source>import report</source>
      <translation>导入报告</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/common.py" line="367" />
      <source>Save the import report</source>
      <translation>保存导入报告</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/common.py" line="368" />
      <source>Text files (*.txt);;All files (*)</source>
      <translation>文本文件 (*.txt);;所有文件 (*)</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="41" />
      <source>Fill patch attributes</source>
      <translation>填写图斑属性</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="116" />
      <source>{0} The edit was undone.</source>
      <translation>{0} 该编辑已撤销。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="195" />
      <source>The patch crosses an administrative boundary ({0}); it was assigned to the village with the largest share and marked in the remark.</source>
      <translation>图斑跨越行政区界线（{0}）；已归属到面积占比最大的村，并在备注中注明。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="217" />
      <source>{0} The merge was undone.</source>
      <translation>{0} 已撤销本次合并。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="418" />
      <location filename="../forestry_plugin/gui/editing.py" line="461" />
      <source>The patch layer cannot be edited.</source>
      <translation>图斑图层不可编辑。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="430" />
      <source>The patch has no area.</source>
      <translation>图斑面积为零。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="433" />
      <source>New patch</source>
      <translation>新增图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="435" />
      <source>The patch could not be added.</source>
      <translation>无法添加图斑。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="450" />
      <source>Discard new patch</source>
      <translation>放弃新图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="452" />
      <source>The patch could not be removed.</source>
      <translation>无法移除该图斑。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="467" />
      <location filename="../forestry_plugin/gui/editing.py" line="627" />
      <location filename="../forestry_plugin/gui/editing.py" line="659" />
      <source>Import patches</source>
      <translation>导入图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="469" />
      <source>The patches could not be added; nothing was imported.</source>
      <translation>无法添加图斑，未导入任何内容。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="471" />
      <source>{0} imported patch(es) cross an administrative boundary; they were assigned to the village with the largest share and marked in the remark.</source>
      <translation>{0} 个导入的图斑跨行政界线；已归入面积占比最大的行政村，并在备注中标记。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="479" />
      <source>Select one or more base-map polygons first.</source>
      <translation>请先选择一个或多个底图图斑。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="483" />
      <source>New patch from base map</source>
      <translation>由底图图斑生成新图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="499" />
      <source>Draw a line with at least two points.</source>
      <translation>请绘制至少包含两个点的线。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="510" />
      <source>The line does not split any patch.</source>
      <translation>该线未分割任何图斑。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="514" />
      <source>Split patches</source>
      <translation>分割图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="538" />
      <source>Reshape patch</source>
      <translation>修整图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="545" />
      <source>The line must cross the patch boundary twice to reshape it.</source>
      <translation>修整线必须两次穿过图斑边界。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="559" />
      <source>Merge patches</source>
      <translation>合并图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="561" />
      <source>The patches could not be merged.</source>
      <translation>无法合并图斑。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="571" />
      <source>Select the patches to delete first.</source>
      <translation>请先选择要删除的图斑。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="573" />
      <source>Delete patches</source>
      <translation>删除图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="575" />
      <source>The patches could not be deleted.</source>
      <translation>无法删除图斑。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_live.py" line="50" />
      <source>Live check unavailable: {0}</source>
      <translation>实时质检不可用：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_live.py" line="62" />
      <source>, </source>
      <translation>、</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_live.py" line="179" />
      <location filename="../forestry_plugin/gui/edit_live.py" line="123" />
      <source>Patch {0} cannot be saved: {1}</source>
      <translation>图斑 {0} 不能保存：{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_live.py" line="214" />
      <source>Check findings for {0} patches</source>
      <translation>{0} 个图斑的检查结果</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_live.py" line="216" />
      <source>Check findings for patch {0}</source>
      <translation>图斑 {0} 的质检结果</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_live.py" line="221" />
      <source>{0} error(s), {1} warning(s). Errors block the save unless you accept them as exceptions with a reason.</source>
      <translation>{0} 个错误，{1} 个警告。除非填写理由认可为例外，否则错误将阻止保存。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_live.py" line="226" />
      <source>Severity</source>
      <translation>严重程度</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_live.py" line="226" />
      <source>Rule</source>
      <translation>规则</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_live.py" line="226" />
      <source>Message</source>
      <translation>说明</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_live.py" line="248" />
      <source>Reason for accepting the errors as exceptions</source>
      <translation>认可这些错误为例外的理由</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_live.py" line="252" />
      <source>Accept as exceptions and save</source>
      <translation>认可为例外并保存</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_live.py" line="254" />
      <source>Back to editing</source>
      <translation>返回编辑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_live.py" line="312" />
      <source>Live check failed: {0}</source>
      <translation>实时检查失败：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="108" />
      <source>Enable tracing</source>
      <translation>启用追踪</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="205" />
      <source>Forestry editing</source>
      <translation>林业编辑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="220" />
      <source>New patch (snapping and tracing to base map and boundaries)</source>
      <translation>新增图斑（捕捉并追踪底图和界线）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="221" />
      <source>New patch from selected base-map polygons</source>
      <translation>由所选底图图斑生成新图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="222" />
      <source>Split patch (click a line, right click to finish)</source>
      <translation>分割图斑（单击绘线，右键结束）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="223" />
      <source>Reshape patch (click a line, right click to finish)</source>
      <translation>修整图斑（单击绘线，右键结束）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="224" />
      <source>Merge selected patches</source>
      <translation>合并所选图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="225" />
      <source>Delete selected patches</source>
      <translation>删除所选图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="226" />
      <source>Check and save patch edits</source>
      <translation>质检并保存图斑编辑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="227" />
      <source>Import patches (GeoJSON, Shapefile, KML/KMZ, GPX)</source>
      <translation>导入图斑（GeoJSON、Shapefile、KML/KMZ、GPX）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="391" />
      <source>Preparing the live check</source>
      <translation>正在准备实时检查</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="420" />
      <source>Patch {0}: {1} check error(s) ({2}). Fix them or accept them as exceptions; "Check and save" will not save the patch until then.</source>
      <translation>图斑 {0}：{1} 个检查错误（{2}）。请修改或作为例外接受；在此之前“质检并保存”不会保存该图斑。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="424" />
      <source>Patch {0}: {1} warning(s) ({2}).</source>
      <translation>图斑 {0}：{1} 个警告（{2}）。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="458" />
      <source>Open a working copy first: no patch layer in the project.</source>
      <translation>请先打开工作库：工程中没有图斑图层。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="497" />
      <source>The base map layer is not in the project.</source>
      <translation>工程中没有底图图层。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="502" />
      <source>Patches merged.</source>
      <translation>图斑已合并。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="505" />
      <source>{0} patch(es) deleted (undo with Ctrl+Z).</source>
      <translation>已删除 {0} 个图斑（可用 Ctrl+Z 撤销）。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="539" />
      <source>Patch split: {0} new part(s); all parts got new ids.</source>
      <translation>图斑已分割：{0} 个新图斑；所有部分均获得新标识。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="589" />
      <source>Not saved: {0} patch(es) have check errors: {1}.</source>
      <translation>未保存：{0} 个图斑存在检查错误：{1}。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="598" />
      <source>Saving failed: {0}</source>
      <translation>保存失败：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="600" />
      <source>Patch edits saved.</source>
      <translation>图斑编辑已保存。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="611" />
      <source>Saved without the live check (still being prepared); run the checks before submitting.</source>
      <translation>已保存，但实时检查尚未准备好，未做检查；提交前请运行质检。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="619" />
      <source>{0} check error(s) in the saved patches; see the check panel.</source>
      <translation>已保存的图斑中有 {0} 个质检错误；请查看质检面板。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="628" />
      <source>Patch files ({0})</source>
      <translation>图斑文件（{0}）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="649" />
      <source>Import {0}</source>
      <translation>导入 {0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/messages.py" line="31" />
      <location filename="../forestry_plugin/gui/messages.py" line="32" />
      <location filename="../forestry_plugin/gui/messages.py" line="33" />
      <source>Forestry</source>
      <translation>林业</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/messages.py" line="35" />
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="67" />
      <source>Forestry review</source>
      <translation>林业审核</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/messages.py" line="36" />
      <source>Forestry platform</source>
      <translation>林业平台</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="41" />
      <source>Forestry: reading the working copy</source>
      <translation>林业：正在读取工作副本</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="71" />
      <source>Forestry: generating the sample county</source>
      <translation>林业：正在生成示例县</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="99" />
      <source>Forestry working copy</source>
      <translation>林业工作库</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="105" />
      <location filename="../forestry_plugin/gui/project_dock.py" line="222" />
      <location filename="../forestry_plugin/gui/sync_panel.py" line="662" />
      <source>No working copy open</source>
      <translation>未打开工作库</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="109" />
      <source>Working copy:</source>
      <translation>工作库：</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="110" />
      <location filename="../forestry_plugin/gui/sync_panel.py" line="313" />
      <source>County:</source>
      <translation>县：</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="113" />
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="101" />
      <source>Stage</source>
      <translation>阶段</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="122" />
      <source>Reading the working copy…</source>
      <translation>正在读取工作副本…</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="128" />
      <source>Generating the sample county… %p%</source>
      <translation>正在生成示例县… %p%</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="130" />
      <source>Stop generating the sample county (nothing is written)</source>
      <translation>停止生成示例县（不写入任何文件）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="139" />
      <source>Open…</source>
      <translation>打开…</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="140" />
      <source>Open a working-copy GeoPackage and add its layers to the project</source>
      <translation>打开 GeoPackage 工作库并将其图层加入工程</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="141" />
      <source>New…</source>
      <translation>新建…</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="142" />
      <source>Create an empty working copy for a county</source>
      <translation>为一个县新建空的工作库</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="143" />
      <source>Sample county…</source>
      <translation>示例县…</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="144" />
      <source>Generate the sample county with labelled faults, for training and trials</source>
      <translation>生成带已标注错误的示例县数据，用于培训和试用</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="145" />
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="173" />
      <source>Refresh</source>
      <translation>刷新</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="271" />
      <source>Cannot read: {0}</source>
      <translation>无法读取：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="298" />
      <source>The audit log of {0} was altered outside the plugin: {1}. Syncing is refused until the platform administrator has looked at it.</source>
      <translation>{0} 的审核日志在插件之外被改动：{1}。在平台管理员核查之前拒绝同步。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="317" />
      <source>Open working copy</source>
      <translation>打开工作库</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="321" />
      <source>A working copy is being opened; wait until it is shown</source>
      <translation>正在打开工作副本，请等待其显示完成</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="356" />
      <source>Cannot open the working copy: {0}</source>
      <translation>无法打开工作副本：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="376" />
      <location filename="../forestry_plugin/gui/project_dock.py" line="379" />
      <source>New working copy</source>
      <translation>新建工作库</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="376" />
      <location filename="../forestry_plugin/gui/project_dock.py" line="317" />
      <location filename="../forestry_plugin/gui/project_dock.py" line="401" />
      <source>GeoPackage (*.gpkg)</source>
      <translation>GeoPackage (*.gpkg)</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="379" />
      <source>County code (6 digits, GB/T 2260):</source>
      <translation>县级行政区代码（6 位，GB/T 2260）：</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="381" />
      <location filename="../forestry_plugin/processing/algs/create_working_copy.py" line="69" />
      <source>A county code has 6 digits, e.g. 330110</source>
      <translation>县级行政区代码为 6 位数字，例如 330110</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="396" />
      <source>The sample county is being generated; wait until it is opened</source>
      <translation>正在生成示例县，请等待其打开</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="400" />
      <source>Sample county</source>
      <translation>示例县</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="435" />
      <source>Cannot generate the sample county: {0}</source>
      <translation>无法生成示例县：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="438" />
      <source>Sample county canceled: nothing was written</source>
      <translation>已取消示例县：未写入任何文件</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="452" />
      <location filename="../forestry_plugin/processing/algs/create_working_copy.py" line="31" />
      <location filename="../forestry_plugin/processing/algs/create_working_copy.py" line="45" />
      <source>Working copy</source>
      <translation>工作库</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="452" />
      <source>Show the forestry working-copy panel</source>
      <translation>显示林业工作库面板</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="78" />
      <source>Forestry platform: {0}</source>
      <translation>林业平台：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="119" />
      <source>Forestry platform: log in</source>
      <translation>林业平台：登录</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="119" />
      <source>Forestry platform: log out</source>
      <translation>林业平台：退出登录</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="176" />
      <location filename="../forestry_plugin/processing/algs/sync_algs.py" line="39" />
      <source>{0}. Check the address, your network and the proxy settings (Settings &gt; Options &gt; Network); TLS certificates are always verified.</source>
      <translation>{0}。请检查地址、网络和代理设置（设置 &gt; 选项 &gt; 网络）；TLS 证书始终会被验证。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="179" />
      <location filename="../forestry_plugin/processing/algs/sync_algs.py" line="42" />
      <source>Canceled: nothing is lost; run it again to continue where it stopped.</source>
      <translation>已取消：没有丢失任何数据；再次运行将从中断处继续。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="181" />
      <location filename="../forestry_plugin/processing/algs/sync_algs.py" line="34" />
      <source>The audit log of this working copy was altered outside the plugin ({0}); nothing was synced. Ask the platform administrator.</source>
      <translation>此工作副本的审核日志在插件之外被改动（{0}）；未同步任何内容。请联系平台管理员。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="192" />
      <source>Compare versions of {0}</source>
      <translation>比较 {0} 的两个版本</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="199" />
      <source>Field</source>
      <translation>字段</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="199" />
      <source>Mine (this computer)</source>
      <translation>本地（本机）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="199" />
      <source>Theirs (platform)</source>
      <translation>平台版本</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="222" />
      <source>Mine</source>
      <translation>本地</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="223" />
      <source>Theirs</source>
      <translation>平台</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="246" />
      <source>Blue: mine; red dashed: theirs</source>
      <translation>蓝色：本地；红色虚线：平台</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="249" />
      <location filename="../forestry_plugin/gui/sync_panel.py" line="368" />
      <source>Keep mine</source>
      <translation>保留本地</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="250" />
      <location filename="../forestry_plugin/gui/sync_panel.py" line="369" />
      <source>Take theirs</source>
      <translation>采用平台</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="271" />
      <source>Forestry platform sync</source>
      <translation>林业平台同步</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="293" />
      <source>How this server exchanges patches: the provincial platform's REST contract, a GIS server's WFS-T, or submission packages uploaded as files</source>
      <translation>该服务器交换图斑的方式：省级平台的 REST 接口、GIS 服务器的 WFS-T，或以文件上传的提交数据包</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="297" />
      <source>Service description (*.json)</source>
      <translation>服务描述（*.json）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="299" />
      <source>bundled: a QGIS Server patch layer</source>
      <translation>自带：QGIS Server 图斑图层</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="300" />
      <source>The JSON file naming the server's feature type and fields (docs/sync.md); empty: the bundled one</source>
      <translation>写明服务器要素类型和字段的 JSON 文件（docs/sync.md）；留空：使用自带的</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="305" />
      <source>from the working copy</source>
      <translation>取自工作库</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="309" />
      <source>Kind:</source>
      <translation>类型：</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="310" />
      <source>Platform:</source>
      <translation>平台：</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="311" />
      <source>Service description:</source>
      <translation>服务描述：</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="314" />
      <source>Login:</source>
      <translation>登录：</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="320" />
      <source>Export package…</source>
      <translation>导出数据包…</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="321" />
      <source>Write the patches as the province's submission package (zip)</source>
      <translation>按省里的提交数据包格式导出图斑（zip）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="322" />
      <source>Import package…</source>
      <translation>导入数据包…</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="323" />
      <source>Take back a package the platform returned (one undoable step)</source>
      <translation>导入平台返回的数据包（可一步撤销）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="328" />
      <source>Log in</source>
      <translation>登录</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="329" />
      <source>Log out</source>
      <translation>退出登录</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="330" />
      <source>End the session on the platform; your moves made offline stay pending</source>
      <translation>结束平台会话；离线所做的操作仍待确认</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="332" />
      <location filename="../forestry_plugin/gui/sync_panel.py" line="622" />
      <location filename="../forestry_plugin/gui/sync_panel.py" line="581" />
      <source>Not logged in</source>
      <translation>未登录</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="341" />
      <source>Download</source>
      <translation>下载</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="342" />
      <source>Bring the platform's changes into the working copy</source>
      <translation>将平台上的变化下载到工作库</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="343" />
      <source>Upload</source>
      <translation>上传</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="345" />
      <source>Download + upload</source>
      <translation>下载 + 上传</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="348" />
      <source>Retry</source>
      <translation>重试</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="356" />
      <source>Conflicts (changed here and on the platform):</source>
      <translation>冲突（本地和平台都修改过）：</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="358" />
      <source>Here</source>
      <translation>本机</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="358" />
      <source>On the platform</source>
      <translation>平台</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="370" />
      <source>Compare…</source>
      <translation>比较…</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="464" />
      <source>This platform takes no uploads (it only publishes the layer): local changes stay queued in the working copy; hand them in with a submission package or a platform that takes uploads</source>
      <translation>该平台不接受上传（只发布图层）：本地修改保留在工作副本中等待上传；请通过提交数据包或接受上传的平台提交</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="466" />
      <source>Send local changes and the audit trail to the platform</source>
      <translation>将本地变化和审核日志发送到平台</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="483" />
      <source>Log in first</source>
      <translation>请先登录</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="488" />
      <source>This working copy belongs to county {0}, not {1}</source>
      <translation>此工作库属于县 {0}，不是 {1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="538" />
      <source>Wait until the download/upload has finished (or cancel it) before logging in again</source>
      <translation>请等待下载/上传完成（或取消）后再重新登录</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="560" />
      <source>Logging in…</source>
      <translation>正在登录…</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="582" />
      <source>The platform sent an unusable account: {0}</source>
      <translation>平台返回的账号无法使用：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="600" />
      <location filename="../forestry_plugin/processing/algs/sync_algs.py" line="104" />
      <source>Logged in as {0}</source>
      <translation>已登录：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="602" />
      <source>Connected as {0}; working as {1} (a GIS server checks no roles)</source>
      <translation>已连接，账号 {0}；以 {1} 身份工作（GIS 服务器不检查角色）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="617" />
      <source>Wait until the download/upload has finished (or cancel it) before logging out</source>
      <translation>请等待下载/上传完成（或取消）后再退出登录</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="650" />
      <source>Downloads only: this platform takes no uploads, local changes stay queued in the working copy</source>
      <translation>仅下载：该平台不接受上传，本地修改保留在工作副本中等待上传</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="677" />
      <source>Local changes: {0} new, {1} changed, {2} deleted; {3} conflicts, {4} rejected</source>
      <translation>本地变化：新增 {0}，修改 {1}，删除 {2}；冲突 {3}，被拒绝 {4}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="692" />
      <location filename="../forestry_plugin/gui/sync_panel.py" line="693" />
      <source>deleted</source>
      <translation>已删除</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="699" />
      <source>Last {0} at {1}: pulled {2}, pushed {3} (accepted {4}, conflicts {5}, rejected {6}){7}</source>
      <translation>最近一次{0}于 {1}：下载 {2}，上传 {3}（接受 {4}，冲突 {5}，拒绝 {6}）{7}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="701" />
      <source>download</source>
      <translation>下载</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="701" />
      <source>upload</source>
      <translation>上传</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="708" />
      <location filename="../forestry_plugin/processing/algs/sync_algs.py" line="118" />
      <source>{0} record(s) from the platform could not be taken and were set aside</source>
      <translation>平台的 {0} 条记录无法接收，已搁置</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="728" />
      <source>The patches layer has unsaved edits. Save them first?</source>
      <translation>图斑图层有未保存的编辑。是否先保存？</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="731" />
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="512" />
      <source>Could not save the edits: {0}</source>
      <translation>无法保存编辑：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="775" />
      <source>The working copy is not re-bound: {0}</source>
      <translation>工作副本未重新绑定：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="778" />
      <source>This working copy now syncs with {0}</source>
      <translation>该工作副本现在与 {0} 同步</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="787" />
      <source>{0}

Is {1} the platform this working copy synced with?</source>
      <translation>{0}

{1} 是此工作副本曾同步的平台吗？</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="789" />
      <source>{0}

Which platform is {1}?</source>
      <translation>{0}

{1} 是哪个平台？</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="798" />
      <source>Yes, the platform it synced with</source>
      <translation>是，就是它曾同步的平台</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="798" />
      <source>Record {0} as the platform of this working copy and sync as before: every version, the download position, unsent batches, conflicts and local changes are kept</source>
      <translation>将 {0} 记录为此工作副本的平台并照常同步：保留所有版本、下载位置、未发送的批次、冲突和本地修改</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="802" />
      <source>The same platform at a new address</source>
      <translation>同一平台的新地址</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="802" />
      <source>{0} is the platform this working copy syncs with, moved to a new address: only the recorded address changes; every version, the download position, unsent batches, the upload in flight, conflicts and local changes are kept</source>
      <translation>{0} 就是此工作副本同步的平台，只是换了新地址：仅更改记录的地址；保留所有版本、下载位置、未发送的批次、进行中的上传、冲突和本地修改</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="806" />
      <location filename="../forestry_plugin/gui/sync_panel.py" line="764" />
      <source>Another platform</source>
      <translation>另一个平台</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="806" />
      <source>Re-bind this working copy to {0}: every local patch, change and review move is kept and nothing is deleted; what it knew of the old platform is forgotten (its versions, unsent batches, conflicts with its copies), and the next download takes everything {0} holds. Patches {0} does not hold stay here and are not sent to it unless they are edited (a local change already waiting is sent with the next upload)</source>
      <translation>将此工作副本重新绑定到 {0}：保留所有本地图斑、修改和审核操作，不删除任何内容；忘记关于旧平台的信息（其版本、未发送的批次、与其副本的冲突），下次下载将取得 {0} 拥有的全部图斑。{0} 没有的图斑保留在此处，除非被编辑，否则不会上传到该平台（已在等待的本地修改会随下次上传发送）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="861" />
      <source>pulled {0} (conflicts {1})</source>
      <translation>已下载 {0}（冲突 {1}）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="862" />
      <source>pushed {0}: accepted {1}, conflicts {2}, rejected {3}</source>
      <translation>已上传 {0}：接受 {1}，冲突 {2}，拒绝 {3}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="866" />
      <location filename="../forestry_plugin/gui/sync_panel.py" line="704" />
      <source>stage moves: {0} accepted, {1} refused</source>
      <translation>阶段变更：{0} 项通过，{1} 项被拒</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="876" />
      <source>… and {0} more (see the summary in the panel)</source>
      <translation>……另有 {0} 条（见面板中的摘要）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="889" />
      <source>Select a conflict first</source>
      <translation>请先选择一个冲突</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="906" />
      <source>Kept your version here; this platform takes no uploads: hand it in with a submission package or a platform that takes uploads</source>
      <translation>已在本地保留您的版本；该平台不接受上传：请通过提交数据包或接受上传的平台提交</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="909" />
      <source>Kept your version; it is sent with the next upload</source>
      <translation>已保留本地版本；将随下次上传发送</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="911" />
      <source>Took the platform's version</source>
      <translation>已采用平台版本</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="939" />
      <source>Platform sync</source>
      <translation>平台同步</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="939" />
      <source>Upload to and download from the provincial platform</source>
      <translation>与省级平台上传下载</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="93" />
      <source>Your platform account decides which patches await you and what you may do. Log in in the platform sync panel.</source>
      <translation>您的平台账号决定哪些图斑待您处理以及您能做什么。请在平台同步面板中登录。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="113" />
      <source>◀ Previous</source>
      <translation>◀ 上一个</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="114" />
      <source>Previous patch in the queue (P)</source>
      <translation>队列中的上一个图斑（P）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="115" />
      <source>Next ▶</source>
      <translation>下一个 ▶</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="116" />
      <source>Next patch in the queue (N)</source>
      <translation>队列中的下一个图斑（N）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="130" />
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="134" />
      <source>Confirm</source>
      <translation>确认</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="133" />
      <source>Stage the patch moves to</source>
      <translation>图斑流转到的阶段</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="135" />
      <source>Move the patch to the chosen stage (C)</source>
      <translation>将图斑流转到所选阶段（C）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="136" />
      <source>To:</source>
      <translation>到：</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="141" />
      <source>Return for rectification</source>
      <translation>退回整改</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="144" />
      <source>National rejection reason</source>
      <translation>国家规定的退回原因</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="145" />
      <source>— choose a reason —</source>
      <translation>— 请选择原因 —</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="149" />
      <source>Stage the patch goes back to</source>
      <translation>图斑退回到的阶段</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="151" />
      <source>Comment (required for "other")</source>
      <translation>意见（原因为“其他”时必填）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="152" />
      <source>Return</source>
      <translation>退回</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="153" />
      <source>Send the patch back to the chosen stage with the reason (R)</source>
      <translation>按所选原因将图斑退回到所选阶段（R）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="155" />
      <source>Reason:</source>
      <translation>原因：</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="158" />
      <source>Back to:</source>
      <translation>退回到：</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="169" />
      <location filename="../forestry_plugin/processing/algs/mapreport.py" line="51" />
      <source>Base map</source>
      <translation>底图</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="170" />
      <source>Show the land base map under the patches</source>
      <translation>在图斑下方显示国土底图</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="171" />
      <source>Imagery</source>
      <translation>影像</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="172" />
      <source>Show the XYZ imagery layer of the project under everything</source>
      <translation>在最底层显示工程中的 XYZ 影像图层</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="174" />
      <source>Reload the queue and the workflow configuration</source>
      <translation>重新加载审核队列和流程配置</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="181" />
      <source>History</source>
      <translation>历史记录</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="184" />
      <source>When / who</source>
      <translation>时间 / 操作人</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="184" />
      <source>Change / reason</source>
      <translation>变更 / 原因</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="228" />
      <source>Return the patch?</source>
      <translation>退回该图斑？</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="229" />
      <source>Return {0} patch ({1}) to {2}?</source>
      <translation>将 {0} 个图斑（{1}）退回到“{2}”？</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="231" />
      <source>Move the patch?</source>
      <translation>流转该图斑？</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="232" />
      <source>Move {0} patch ({1}) to {2}?</source>
      <translation>将 {0} 个图斑（{1}）流转到“{2}”？</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="305" />
      <source>offline: your moves stay pending until the platform accepts them</source>
      <translation>离线：您的操作在平台确认前处于待确认状态</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="308" />
      <source>no platform login: local technician; log in to review</source>
      <translation>未登录平台：本地技术人员；登录后才能审核</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="309" />
      <source>You are: {0}</source>
      <translation>当前身份：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="319" />
      <source>{0} (pending)</source>
      <translation>{0}（待确认）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="320" />
      <source>Moved here by {0}; waits for the platform to accept it at the next sync</source>
      <translation>由 {0} 转入此阶段；待平台在下次同步时确认</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="323" />
      <source>{0} ✘ refused by the platform</source>
      <translation>{0} ✘ 平台拒绝</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="341" />
      <source>Your role ({0}) reviews no patches</source>
      <translation>您的角色（{0}）不审核图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="344" />
      <source>{0} patch(es) awaiting review by {1}</source>
      <translation>{0} 个图斑等待“{1}”审核</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="412" />
      <source>Nothing to review.</source>
      <translation>没有待审核的图斑。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="425" />
      <source>Moved to {0} by {1}: pending until the platform accepts it</source>
      <translation>已由 {1} 转到 {0}：待平台确认</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="432" />
      <source>The platform refused the move to {0}: {1}</source>
      <translation>平台拒绝转到 {0}：{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="443" />
      <source>Ready to confirm</source>
      <translation>可以确认</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="446" />
      <source>Not checked yet: Confirm checks it first, then moves it if no error is found</source>
      <translation>尚未检查：点击“确认”将先检查，未发现错误则流转</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="447" />
      <source>Modified since it was checked: Confirm re-checks it first, then moves it if no error is found</source>
      <translation>检查后已修改：点击“确认”将先重新检查，未发现错误则流转</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="464" />
      <source>Returned: {0}</source>
      <translation>已退回：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="466" />
      <source>Back to the platform's stage: {0}</source>
      <translation>恢复为平台上的阶段：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="469" />
      <source>pending</source>
      <translation>待确认</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="471" />
      <source>refused</source>
      <translation>已拒绝</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="505" />
      <source>The patches layer has unsaved edits. Save them before changing stages?</source>
      <translation>图斑图层有未保存的编辑。是否先保存再流转阶段？</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="508" />
      <source>Nothing changed: save or discard the edits of the patches layer first</source>
      <translation>未做任何更改：请先保存或放弃图斑图层的编辑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="540" />
      <source>Refused: {0}</source>
      <translation>被拒绝：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="557" />
      <source>Choose a reason for the return</source>
      <translation>请选择退回原因</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="632" />
      <source>Review</source>
      <translation>审核</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="632" />
      <source>Show the review panel: queue, confirm / return, history</source>
      <translation>显示审核面板：队列、确认/退回、历史记录</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/plugin.py" line="77" />
      <source>The installed shapely cannot run inside QGIS ({0}): it would crash QGIS, so the checks and editing tools stay off. Rebuild it against QGIS's GEOS: {1}, then restart QGIS.</source>
      <translation>已安装的 shapely 不能在 QGIS 中运行（{0}）：它会使 QGIS 崩溃，因此检查和编辑工具不启用。请针对 QGIS 使用的 GEOS 重新编译安装：{1}，然后重启 QGIS。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/plugin.py" line="82" />
      <source>Some features need Python packages that QGIS's Python lacks: {0}. Install them with: {1} (on Windows in the OSGeo4W Shell), then restart QGIS.</source>
      <translation>部分功能需要 QGIS 的 Python 中缺少的软件包：{0}。请用以下命令安装：{1}（Windows 下在 OSGeo4W Shell 中执行），然后重启 QGIS。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/plugin.py" line="96" />
      <source>Could not start {0}: {1}</source>
      <translation>无法启动 {0}：{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/plugin.py" line="122" />
      <source>Could not unload {0}: {1}</source>
      <translation>无法卸载 {0}：{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/checkpatches.py" line="78" />
      <source>Check patches</source>
      <translation>图斑质检</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/checkpatches.py" line="87" />
      <source>Runs the check rules (invalid geometry, minimum area, slivers, overlaps between patches, basic farmland, cropland, built-up land/water, existing forest, administrative unit, earlier years' patches, attribute area, attributes, CRS) on a polygon layer against a base map. Any polygon layer works: missing fields give 'attribute' findings and the geometry rules still run. Layers in other CRSs are reprojected to the patch layer's CGCS2000 Gauss-Kruger CRS (or the GK zone of the data). Areas are ellipsoidal (CGCS2000). Output: one feature per finding, geometry = where the problem is.</source>
      <translation>对面图层对照底图运行质检规则（几何无效、最小面积、碎片、图斑间重叠、永久基本农田、耕地、建设用地/水域、现有林地、行政区、往年图斑、属性面积、属性、坐标系）。任何面图层均可：缺少字段时给出“属性”问题，几何规则照常运行。其他坐标系的图层会重投影到图斑图层的 CGCS2000 高斯-克吕格坐标系（或数据所在的投影带）。面积为 CGCS2000 椭球面积。输出：每个问题一个要素，几何为问题所在位置。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/checkpatches.py" line="99" />
      <location filename="../forestry_plugin/processing/algs/mapreport.py" line="49" />
      <location filename="../forestry_plugin/processing/algs/progressreport.py" line="60" />
      <source>Patch layer</source>
      <translation>图斑图层</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/checkpatches.py" line="101" />
      <source>Base map (land classes)</source>
      <translation>底图（地类）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/checkpatches.py" line="103" />
      <source>Land-class field of the base map</source>
      <translation>底图地类字段</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/checkpatches.py" line="105" />
      <source>Patch ID field</source>
      <translation>图斑标识字段</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/checkpatches.py" line="107" />
      <location filename="../forestry_plugin/processing/algs/mapreport.py" line="53" />
      <source>Administrative units</source>
      <translation>行政区划</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/checkpatches.py" line="108" />
      <source>Permanent basic farmland</source>
      <translation>永久基本农田</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/checkpatches.py" line="110" />
      <source>Earlier years' patches</source>
      <translation>往年造林图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/checkpatches.py" line="112" />
      <source>Rules profile (JSON)</source>
      <translation>质检规则配置（JSON）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/checkpatches.py" line="115" />
      <source>One finding per patch and rule (pairs summed; each pair in the report's detail sheet)</source>
      <translation>每个图斑每条规则一条结果（逐对结果合计；每一对列在报告的明细表中）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/checkpatches.py" line="117" />
      <source>Patches per tile (the base map is read one tile's window at a time: fewer use less memory)</source>
      <translation>每块图斑数（按块的范围逐块读取底图：数值越小，占用内存越少）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/checkpatches.py" line="123" />
      <source>Report (xlsx)</source>
      <translation>报告（xlsx）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/checkpatches.py" line="164" />
      <source>Patches and base map layers are required</source>
      <translation>必须提供图斑图层和底图图层</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/checkpatches.py" line="177" />
      <source>Cannot read the rules profile {0}: {1}</source>
      <translation>无法读取质检规则配置 {0}：{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/checkpatches.py" line="183" />
      <source>Checking in {0} (patch layer is in {1})</source>
      <translation>在 {0} 下质检（图斑图层坐标系为 {1}）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/checkpatches.py" line="185" />
      <source>The patch layer has no field {0}: feature ids are used</source>
      <translation>图斑图层没有字段 {0}：使用要素 ID</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/checkpatches.py" line="187" />
      <source>The base map has no land-class field {0}</source>
      <translation>底图没有地类字段 {0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/checkpatches.py" line="264" />
      <source>{0} pairs in {1} findings (one per patch and rule)</source>
      <translation>{0} 对结果合并为 {1} 条（每个图斑每条规则一条）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/checkpatches.py" line="265" />
      <source>{0} findings: {1}</source>
      <translation>{0} 个问题：{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/checkpatches.py" line="276" />
      <source>the findings layer</source>
      <translation>检查结果图层</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/checkpatches.py" line="277" />
      <source>{0} findings were written to {1}, but the check report {2} was not saved: {3}. {4}</source>
      <translation>{0} 条检查结果已写入 {1}，但检查报告 {2} 未能保存：{3}。{4}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/create_working_copy.py" line="28" />
      <source>Create working copy</source>
      <translation>新建工作库</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/create_working_copy.py" line="37" />
      <source>Creates a working-copy GeoPackage with every table of the patch schema (patches, earlier years, base map, admin units, basic farmland, task quotas, check findings, exceptions, audit log) and default styles. With 'Sample county' it generates the deterministic sample county with labelled faults.</source>
      <translation>新建一个包含图斑数据模型全部表（造林图斑、往年图斑、底图、行政区划、永久基本农田、年度任务、质检问题、认可例外、审核日志）及默认样式的 GeoPackage 工作库。勾选“示例县”时生成带有已标注错误的确定性示例县数据。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/create_working_copy.py" line="46" />
      <source>CRS (CGCS2000)</source>
      <translation>坐标系（CGCS2000）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/create_working_copy.py" line="47" />
      <source>County code (6 digits)</source>
      <translation>县级行政区代码（6 位）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/create_working_copy.py" line="48" />
      <source>County name</source>
      <translation>县名称</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/create_working_copy.py" line="49" />
      <source>Sample county (generated, with faults)</source>
      <translation>示例县（自动生成，含错误）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/create_working_copy.py" line="50" />
      <source>Fault manifest</source>
      <translation>错误清单</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/create_working_copy.py" line="65" />
      <source>Sample county: {0} patches, {1} base-map parcels, {2} labelled faults</source>
      <translation>示例县：{0} 个图斑，{1} 个底图图斑，{2} 个已标注错误</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/create_working_copy.py" line="71" />
      <source>{0} is not a CGCS2000 CRS (EPSG:4490 or a CGCS2000 Gauss-Kruger zone)</source>
      <translation>{0} 不是 CGCS2000 坐标系（应为 EPSG:4490 或 CGCS2000 高斯-克吕格投影带）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/exchange_algs.py" line="30" />
      <source>A template is required: a template file or the name of a bundled template ({0})</source>
      <translation>需要模板：模板文件或内置模板名称（{0}）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/exchange_algs.py" line="44" />
      <source>Export submission package</source>
      <translation>导出上报数据包</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/exchange_algs.py" line="47" />
      <location filename="../forestry_plugin/processing/algs/exchange_algs.py" line="125" />
      <source>Exchange</source>
      <translation>数据交换</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/exchange_algs.py" line="53" />
      <source>Writes the patches a submission template covers as the zip a platform takes: a Shapefile set (.shp .shx .dbf .prj .cpg) with the template's fields, codes, CRS and encoding, optionally a File Geodatabase, an Excel attribute table with Chinese headers and manifest.json (counts, area in mu, SHA-256 checksums, template, who exported it and when). TEMPLATE is a template file or the name of a bundled template. Patches with open check errors are left out unless Include errors is set.</source>
      <translation>将上报模板涵盖的图斑写成平台接收的 zip 包：按模板的字段、代码、坐标系和编码写出 Shapefile 文件组（.shp .shx .dbf .prj .cpg），可选 File Geodatabase、带中文表头的 Excel 属性表和 manifest.json（数量、面积（亩）、SHA-256 校验值、模板、导出人及时间）。TEMPLATE 为模板文件或内置模板名称。有未处理检查错误的图斑不导出，除非选择“包含错误”。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/exchange_algs.py" line="63" />
      <location filename="../forestry_plugin/processing/algs/exchange_algs.py" line="141" />
      <location filename="../forestry_plugin/processing/algs/reference_algs.py" line="119" />
      <source>Working copy (GeoPackage)</source>
      <translation>工作副本（GeoPackage）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/exchange_algs.py" line="65" />
      <location filename="../forestry_plugin/processing/algs/exchange_algs.py" line="144" />
      <source>Template (file or bundled name)</source>
      <translation>模板（文件或内置名称）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/exchange_algs.py" line="67" />
      <source>Stage (default: the template's stages)</source>
      <translation>阶段（默认：模板的阶段）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/exchange_algs.py" line="70" />
      <source>Selection (expression on the patches)</source>
      <translation>选择（针对图斑的表达式）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/exchange_algs.py" line="72" />
      <source>Include patches with check errors</source>
      <translation>包含有检查错误的图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/exchange_algs.py" line="74" />
      <source>Also write a File Geodatabase</source>
      <translation>同时写出 File Geodatabase</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/exchange_algs.py" line="76" />
      <source>Package (zip)</source>
      <translation>数据包（zip）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/exchange_algs.py" line="77" />
      <source>Zip archive (*.zip)</source>
      <translation>Zip 压缩包 (*.zip)</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/exchange_algs.py" line="78" />
      <source>Patches exported</source>
      <translation>导出的图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/exchange_algs.py" line="80" />
      <source>Patches left out for check errors</source>
      <translation>因检查错误未导出的图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/exchange_algs.py" line="81" />
      <source>Manifest (JSON)</source>
      <translation>清单（JSON）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/exchange_algs.py" line="100" />
      <source>The package could not be written: {0}</source>
      <translation>无法写出数据包：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/exchange_algs.py" line="104" />
      <source>{0} patches with open check errors were left out (see the manifest)</source>
      <translation>{0} 个有未处理检查错误的图斑未导出（见清单）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/exchange_algs.py" line="107" />
      <source>{0} patches with open check errors are included (listed in the manifest)</source>
      <translation>已包含 {0} 个有未处理检查错误的图斑（列于清单中）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/exchange_algs.py" line="109" />
      <source>{0} patches, {1:.2f} mu written to {2}</source>
      <translation>{0} 个图斑，{1:.2f} 亩，已写入 {2}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/exchange_algs.py" line="122" />
      <source>Import returned package</source>
      <translation>导入平台返回数据包</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/exchange_algs.py" line="131" />
      <source>Reads a package the platform returns (a zipped Shapefile with, for example, verified areas added), matches its features to the patches (by the template's id column, else by geometry: the largest overlap covering at least 90 % of both) and maps the columns named in the template's import section back onto the patches, in one transaction (all or nothing). Dry run only lists the changes: patch, field, old and new value.</source>
      <translation>读取平台返回的数据包（zip 压缩的 Shapefile，例如增加了核实面积），将其要素与图斑匹配（按模板的标识列，否则按几何：重叠最大且至少占双方 90 %），并把模板 import 部分列出的列写回图斑，在一个事务中完成（全部成功或全部不变）。试运行只列出变更：图斑、字段、原值和新值。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/exchange_algs.py" line="143" />
      <source>Returned package (zip or shp)</source>
      <translation>返回的数据包（zip 或 shp）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/exchange_algs.py" line="146" />
      <source>Dry run (only list the changes)</source>
      <translation>试运行（只列出变更）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/exchange_algs.py" line="147" />
      <source>Report of changes (JSON)</source>
      <translation>变更报告（JSON）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/exchange_algs.py" line="148" />
      <source>JSON files (*.json)</source>
      <translation>JSON 文件 (*.json)</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/exchange_algs.py" line="149" />
      <source>Features matched</source>
      <translation>已匹配要素</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/exchange_algs.py" line="150" />
      <location filename="../forestry_plugin/processing/algs/transition.py" line="102" />
      <source>Patches changed</source>
      <translation>已修改图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/exchange_algs.py" line="151" />
      <source>Features not matched</source>
      <translation>未匹配要素</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/exchange_algs.py" line="152" />
      <source>Changes (JSON)</source>
      <translation>变更（JSON）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/exchange_algs.py" line="165" />
      <source>The package could not be imported: {0}</source>
      <translation>无法导入数据包：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/exchange_algs.py" line="171" />
      <source>{0} features match no patch: {1}</source>
      <translation>{0} 个要素没有匹配的图斑：{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/exchange_algs.py" line="174" />
      <source>The package lacks the columns {0}</source>
      <translation>数据包缺少列 {0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/exchange_algs.py" line="175" />
      <location filename="../forestry_plugin/processing/algs/exchange_algs.py" line="182" />
      <source>Dry run: {0} patches would change</source>
      <translation>试运行：将修改 {0} 个图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/exchange_algs.py" line="175" />
      <location filename="../forestry_plugin/processing/algs/exchange_algs.py" line="182" />
      <source>{0} patches changed</source>
      <translation>已修改 {0} 个图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/exchange_algs.py" line="183" />
      <source>{0}. The report of changes {1} was not saved: {2}. {3}</source>
      <translation>{0}。变更报告 {1} 未保存：{2}。{3}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/mapreport.py" line="28" />
      <source>County map (PDF)</source>
      <translation>县级专题图（PDF）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/mapreport.py" line="31" />
      <location filename="../forestry_plugin/processing/algs/progressreport.py" line="46" />
      <source>Reports</source>
      <translation>报表</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/mapreport.py" line="37" />
      <source>Exports an A3 map through a QGIS print layout: patches coloured by stage over the base map coloured by land class, administrative boundaries, legend, scale bar, north arrow, title, date and CRS.</source>
      <translation>通过 QGIS 打印布局导出 A3 专题图：按阶段着色的造林图斑叠加按地类着色的底图，含行政界线、图例、比例尺、指北针、标题、日期和坐标系。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/mapreport.py" line="54" />
      <source>Afforestation patches map</source>
      <translation>造林图斑分布图</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/mapreport.py" line="55" />
      <source>Map PDF</source>
      <translation>专题图 PDF</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/mapreport.py" line="55" />
      <source>PDF (*.pdf)</source>
      <translation>PDF (*.pdf)</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/mapreport.py" line="64" />
      <source>PATCHES and BASEMAP are required</source>
      <translation>必须提供 PATCHES 和 BASEMAP</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/progressreport.py" line="43" />
      <source>Progress report (Excel)</source>
      <translation>进度通报（Excel）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/progressreport.py" line="52" />
      <source>Per county or township: patch count and area at design stage, completed (accepted + included), confirmed and verified, the annual task and its completion, ranked. Areas are the declared patch areas in mu. Unit names come from ADMIN or from the working copy of PATCHES.</source>
      <translation>按县或乡镇统计：设计施工、已完成（造林验收 + 纳入造林）、已确认和已核查的图斑个数与面积，年度任务及完成率，并排名。面积为图斑申报面积（亩）。单位名称取自 ADMIN 或 PATCHES 所在的工作库。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/progressreport.py" line="63" />
      <source>Annual task quotas</source>
      <translation>年度造林任务</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/progressreport.py" line="66" />
      <source>Administrative units (names)</source>
      <translation>行政区划（名称）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/progressreport.py" line="68" />
      <source>Group by</source>
      <translation>统计单位</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/progressreport.py" line="70" />
      <source>Year (empty: the patches' most common year)</source>
      <translation>年度（留空则取图斑中最常见的年度）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/progressreport.py" line="74" />
      <source>Progress report</source>
      <translation>进度通报</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/progressreport.py" line="81" />
      <source>PATCHES and TASKS are required</source>
      <translation>必须提供 PATCHES 和 TASKS</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/progressreport.py" line="86" />
      <source>PATCHES lacks the fields {0}</source>
      <translation>PATCHES 缺少字段 {0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/progressreport.py" line="110" />
      <source>{0} units, year {1}: {2}</source>
      <translation>{0} 个单位，{1} 年：{2}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/reference_algs.py" line="27" />
      <source>Base map (三调) table</source>
      <translation>三调底图表</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/reference_algs.py" line="27" />
      <source>Basic farmland table</source>
      <translation>永久基本农田表</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/reference_algs.py" line="28" />
      <source>Earlier years' patches table</source>
      <translation>往年图斑表</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/reference_algs.py" line="28" />
      <source>Administrative units table</source>
      <translation>行政区划表</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/reference_algs.py" line="42" />
      <source>PostgreSQL connection (libpq, no password: e.g. host=db port=5432 dbname=sandiao, or service=city)</source>
      <translation>PostgreSQL 连接（libpq 格式，不含密码：如 host=db port=5432 dbname=sandiao，或 service=city）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/reference_algs.py" line="44" />
      <location filename="../forestry_plugin/processing/algs/sync_algs.py" line="80" />
      <source>Authentication (user name / password)</source>
      <translation>认证（用户名/密码）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/reference_algs.py" line="46" />
      <source>Schema</source>
      <translation>模式</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/reference_algs.py" line="68" />
      <source>Load reference data into PostGIS</source>
      <translation>将参考数据载入 PostGIS</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/reference_algs.py" line="71" />
      <source>Copies the base map (三调), basic farmland, earlier years' patches and administrative units of a working copy or 三调 GeoPackage into PostgreSQL/PostGIS tables (geometry column geom with a GiST index, the same column names), for a city or province to check every county against one database.</source>
      <translation>将工作副本或三调 GeoPackage 中的三调底图、永久基本农田、往年图斑和行政区划复制到 PostgreSQL/PostGIS 表中（几何字段 geom，带 GiST 索引，字段名不变），供市或省用一个数据库检查所有县。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/reference_algs.py" line="79" />
      <source>GeoPackage with the reference tables</source>
      <translation>包含参考数据表的 GeoPackage</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/reference_algs.py" line="82" />
      <source>Features loaded</source>
      <translation>已载入要素数</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/reference_algs.py" line="87" />
      <source>Loading uses the connection string only (a pg_service.conf / .pgpass entry for the login); leave the authentication empty</source>
      <translation>载入只使用连接字符串（登录信息请放在 pg_service.conf / .pgpass 中）；认证请留空</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/reference_algs.py" line="93" />
      <source>Loading failed: {0}</source>
      <translation>载入失败：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/reference_algs.py" line="96" />
      <source>{0}: {1} features</source>
      <translation>{0}：{1} 个要素</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/reference_algs.py" line="107" />
      <source>Use reference data from PostGIS</source>
      <translation>使用 PostGIS 中的参考数据</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/reference_algs.py" line="110" />
      <source>Points a working copy's checks at the base map, farmland, earlier years and admin units in a PostGIS database (read per check run in the window of the patches, through the spatial index). The connection is tried first. An empty connection string returns to the working copy's own tables.</source>
      <translation>让工作副本的检查使用 PostGIS 数据库中的三调底图、基本农田、往年图斑和行政区划（每次检查只按图斑范围通过空间索引读取）。会先测试连接。连接字符串留空则恢复使用工作副本自带的表。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/reference_algs.py" line="122" />
      <source>Base-map parcels in the working copy's window</source>
      <translation>工作副本范围内的底图图斑数</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/reference_algs.py" line="132" />
      <source>The working copy's own reference tables are used again</source>
      <translation>已恢复使用工作副本自带的参考数据表</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/reference_algs.py" line="145" />
      <source>Checks read the reference data from PostGIS: {0} base-map parcels, {1} farmland parcels in the working copy's window</source>
      <translation>检查将从 PostGIS 读取参考数据：工作副本范围内有 {0} 个底图图斑、{1} 个基本农田图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/sync_algs.py" line="46" />
      <source>The working copy could not be read or written ({0}): is it open in another program, or damaged?</source>
      <translation>无法读写工作副本（{0}）：是否已在其他程序中打开，或文件已损坏？</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/sync_algs.py" line="49" />
      <source>A file could not be read or written: {0}</source>
      <translation>无法读写文件：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/sync_algs.py" line="53" />
      <source>GDAL/OGR error: {0}</source>
      <translation>GDAL/OGR 错误：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/sync_algs.py" line="55" />
      <source>Unexpected error ({0}: {1}); nothing more was synced. Please report it.</source>
      <translation>意外错误（{0}：{1}）；未再同步任何内容。请报告此问题。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/sync_algs.py" line="66" />
      <source>Provincial platform</source>
      <translation>省级平台</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/sync_algs.py" line="72" />
      <source>Platform API URL</source>
      <translation>平台接口地址</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/sync_algs.py" line="74" />
      <source>Platform kind</source>
      <translation>平台类型</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/sync_algs.py" line="77" />
      <source>WFS service description (empty: the bundled one)</source>
      <translation>WFS 服务描述（留空：使用自带的）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/sync_algs.py" line="81" />
      <source>County code (empty: the working copy's)</source>
      <translation>县级代码（留空则使用工作库的）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/sync_algs.py" line="84" />
      <source>Pulled</source>
      <translation>已下载</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/sync_algs.py" line="84" />
      <source>Pushed</source>
      <translation>已上传</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/sync_algs.py" line="84" />
      <source>Accepted</source>
      <translation>已接受</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/sync_algs.py" line="85" />
      <source>Conflicts</source>
      <translation>冲突</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/sync_algs.py" line="85" />
      <source>Rejected</source>
      <translation>被拒绝</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/sync_algs.py" line="86" />
      <source>Set aside (unreadable platform records)</source>
      <translation>已搁置（无法读取的平台记录）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/sync_algs.py" line="88" />
      <source>Summary</source>
      <translation>摘要</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/sync_algs.py" line="115" />
      <source>pulled {0}, pushed {1}: accepted {2}, conflicts {3}, rejected {4}</source>
      <translation>下载 {0}，上传 {1}：接受 {2}，冲突 {3}，拒绝 {4}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/sync_algs.py" line="132" />
      <source>Download from platform</source>
      <translation>从平台下载</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/sync_algs.py" line="135" />
      <source>Pulls the platform's changes since the last download into the working copy. Patches changed on both sides become conflicts to resolve in the upload/download panel; nothing is overwritten.</source>
      <translation>将平台自上次下载以来的变化下载到工作库。双方都修改过的图斑作为冲突，在上传下载面板中处理；不会覆盖任何数据。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/sync_algs.py" line="150" />
      <source>Upload to platform</source>
      <translation>上传到平台</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/sync_algs.py" line="153" />
      <source>Pushes local changes (new, changed and deleted patches, and the audit trail) in batches. An interrupted upload is resumed safely: nothing is applied twice.</source>
      <translation>分批上传本地变化（新增、修改和删除的图斑以及审核日志）。中断的上传可安全续传，不会重复提交。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/transition.py" line="47" />
      <source>PATCHES must be the patches layer of a working-copy GeoPackage</source>
      <translation>PATCHES 必须是工作库 GeoPackage 中的造林图斑图层</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/transition.py" line="59" />
      <source>Stage transition / return</source>
      <translation>阶段流转 / 退回</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/transition.py" line="62" />
      <source>Workflow</source>
      <translation>审核流程</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/transition.py" line="68" />
      <source>Moves the patches matching SELECTION to TARGET stage as you: the account of your last platform login to this working copy (cached for offline work), else a local county technician. A target earlier than a patch's stage is a return for rectification and needs a REASON (and a COMMENT for "other"). Preconditions (your role allowed by the platform's workflow policy, no skipped stage, required attributes, survival rate, fresh checks without open errors, area consistent) are checked for every patch; if any patch is refused nothing changes. Every change is written to the audit log and stays pending until the platform accepts it at the next sync.</source>
      <translation>以您的身份将符合 SELECTION 的图斑转到 TARGET 阶段：身份为您最近一次登录平台时的账号（离线时使用缓存），否则为本地县级技术人员。目标早于图斑当前阶段即为退回整改，须填写 REASON（原因为“其他”时还须填写 COMMENT）。每个图斑都会检查前提条件（平台工作流策略允许您的角色、不跳过阶段、必填属性、成活率、检查结果为最新且无未处理错误、面积一致）；任一图斑被拒绝则不做任何更改。每次更改都写入审核日志，并在平台于下次同步时确认之前处于待确认状态。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/transition.py" line="84" />
      <source>Patches (working copy)</source>
      <translation>造林图斑（工作库）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/transition.py" line="87" />
      <source>Selection (expression)</source>
      <translation>选择条件（表达式）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/transition.py" line="89" />
      <source>Target stage</source>
      <translation>目标阶段</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/transition.py" line="91" />
      <source>Return reason</source>
      <translation>退回原因</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/transition.py" line="93" />
      <source>Comment</source>
      <translation>意见</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/transition.py" line="95" />
      <source>Per-patch report</source>
      <translation>逐图斑报告</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/transition.py" line="97" />
      <source>Report (JSON)</source>
      <translation>报告（JSON）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/transition.py" line="98" />
      <source>JSON (*.json)</source>
      <translation>JSON (*.json)</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/transition.py" line="100" />
      <source>Applied</source>
      <translation>已生效</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/transition.py" line="101" />
      <source>Patches selected</source>
      <translation>选中的图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/transition.py" line="103" />
      <source>Patches refused</source>
      <translation>被拒绝的图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/transition.py" line="109" />
      <source>The patches layer has unsaved edits: save or discard them first</source>
      <translation>图斑图层有未保存的编辑：请先保存或放弃</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/transition.py" line="122" />
      <source>Invalid selection expression: {0}</source>
      <translation>选择表达式无效：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/transition.py" line="127" />
      <source>{0} patch(es) selected</source>
      <translation>已选择 {0} 个图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/transition.py" line="130" />
      <source>Acting as {0}</source>
      <translation>当前身份：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/transition.py" line="135" />
      <source>{0}: {1}</source>
      <translation>{0}：{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/transition.py" line="165" />
      <source>{0}. Its report {1} was not saved: {2}. {3}</source>
      <translation>{0}。其报告 {1} 未保存：{2}。{3}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/transition.py" line="168" />
      <source>{0}. Its report was not saved: {1}</source>
      <translation>{0}。其报告未保存：{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/outputs.py" line="179" />
      <source>the temporary layer {0}</source>
      <translation>临时图层 {0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/outputs.py" line="199" />
      <source>the layer refused rows ({0})</source>
      <translation>图层拒绝写入记录（{0}）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/outputs.py" line="200" />
      <source>the output refused rows ({0}): is the disk full?</source>
      <translation>输出拒绝写入记录（{0}）：磁盘是否已满？</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/outputs.py" line="204" />
      <source>{0} of {1} rows are in it</source>
      <translation>其中只有 {1} 条记录中的 {0} 条</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/outputs.py" line="204" />
      <source>{0} of {1} rows are in it (is the disk full?)</source>
      <translation>其中只有 {1} 条记录中的 {0} 条（磁盘是否已满？）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/outputs.py" line="210" />
      <source>{0} holds {1} rows where {2} were written: check it</source>
      <translation>{0} 中有 {1} 条记录，而写入的是 {2} 条：请检查</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/outputs.py" line="213" />
      <source>{0} could not be read back to count its rows ({1} were written): check it</source>
      <translation>无法读回 {0} 以清点其记录（已写入 {1} 条）：请检查</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/provider.py" line="34" />
      <source>Forestry afforestation mapping</source>
      <translation>林业造林落地上图</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/provider.py" line="48" />
      <source>Could not load algorithm {0}: {1}</source>
      <translation>无法加载算法 {0}：{1}</translation>
    </message>
  </context>
</TS>

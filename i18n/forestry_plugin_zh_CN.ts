<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
  <context>
    <name>forestry</name>
    <message>
      <location filename="../forestry_plugin/core/attributes.py" line="249" />
      <source>Select at least two patches to merge.</source>
      <translation>请至少选择两个要合并的图斑。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/attributes.py" line="252" />
      <source>Cannot merge patches at different stages ({0}).</source>
      <translation>不能合并处于不同阶段的图斑（{0}）。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/attributes.py" line="256" />
      <source>Cannot merge patches in different counties ({0}).</source>
      <translation>不能合并属于不同县的图斑（{0}）。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/engine.py" line="276" />
      <source>Self-intersection</source>
      <translation>自相交</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/engine.py" line="276" />
      <source>Ring self-intersection</source>
      <translation>环自相交</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/engine.py" line="277" />
      <source>Too few points</source>
      <translation>点数过少</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/engine.py" line="278" />
      <source>Interior is disconnected</source>
      <translation>内部不连通</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/engine.py" line="278" />
      <source>Hole lies outside its shell</source>
      <translation>内环位于外环之外</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/engine.py" line="279" />
      <source>Nested shells</source>
      <translation>外环嵌套</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/engine.py" line="279" />
      <source>Nested holes</source>
      <translation>内环嵌套</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/engine.py" line="280" />
      <source>Duplicate rings</source>
      <translation>重复的环</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/engine.py" line="280" />
      <source>Invalid coordinate</source>
      <translation>坐标无效</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/engine.py" line="281" />
      <source>Ring is not closed</source>
      <translation>环未闭合</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/engine.py" line="281" />
      <source>not a polygon</source>
      <translation>不是面</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/engine.py" line="285" />
      <source>{0} at ({1:.1f}, {2:.1f})</source>
      <translation>{0}，位置 ({1:.1f}, {2:.1f})</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/engine.py" line="452" />
      <source>Layer {0} is in {1}, not CGCS2000 (EPSG:4490 or a CGCS2000 Gauss-Kruger zone); it was reprojected for the checks</source>
      <translation>图层 {0} 的坐标系为 {1}，不是 CGCS2000（EPSG:4490 或 CGCS2000 高斯-克吕格投影带）；质检时已对其重投影</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/engine.py" line="454" />
      <source>an unknown CRS</source>
      <translation>未知坐标系</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/engine.py" line="456" />
      <source>The layer lacks fields: {0}; rules that need them were skipped</source>
      <translation>图层缺少字段：{0}；已跳过需要这些字段的规则</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/engine.py" line="494" />
      <location filename="../forestry_plugin/processing/algs/checkpatches.py" line="140" />
      <source>The check was canceled</source>
      <translation>质检已取消</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/engine.py" line="544" />
      <source>The patch has no (polygonal) geometry</source>
      <translation>图斑没有（面）几何</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/engine.py" line="546" />
      <source>Invalid geometry: {0}; repaired for the checks (repaired area {1:.2f} m²)</source>
      <translation>几何无效：{0}；已为质检修复（修复后面积 {1:.2f} m²）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/engine.py" line="550" />
      <source>Invalid geometry: {0}; nothing polygonal is left after repair</source>
      <translation>几何无效：{0}；修复后不剩任何面</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/engine.py" line="558" />
      <source>Area {0:.2f} m² is below the minimum of {1:.2f} m²</source>
      <translation>面积 {0:.2f} m² 小于最小上图面积 {1:.2f} m²</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/engine.py" line="561" />
      <source>Area {0:.2f} m² is below {1:.2f} m² (1 mu)</source>
      <translation>面积 {0:.2f} m² 小于 {1:.2f} m²（1 亩）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/engine.py" line="575" />
      <source>Overlaps permanent basic farmland {0} by {1:.2f} m²</source>
      <translation>占用永久基本农田 {0} {1:.2f} m²</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/engine.py" line="578" />
      <source>Overlaps earlier years' counted patch {0} by {1:.2f} m²</source>
      <translation>与往年已认定的造林图斑 {0} 重叠 {1:.2f} m²</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/engine.py" line="608" />
      <source>Sliver: narrower than {0:.1f} m everywhere (mean width {1:.2f} m, thinness {2:.3f})</source>
      <translation>碎片：各处宽度均小于 {0:.1f} 米（平均宽度 {1:.2f} 米，细长度 {2:.3f}）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/engine.py" line="611" />
      <source>Sliver: thinness {0:.3f} below {1:.3f} (mean width {2:.2f} m)</source>
      <translation>碎片：细长度 {0:.3f} 小于 {1:.3f}（平均宽度 {2:.2f} 米）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/engine.py" line="639" />
      <source>Overlaps patch {0} of the same year by {1:.2f} m²</source>
      <translation>与同年图斑 {0} 重叠 {1:.2f} m²</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/engine.py" line="696" />
      <source>On cropland {0} (base-map parcel {1}) by {2:.2f} m² without an approval number</source>
      <translation>占用耕地 {0}（底图图斑 {1}）{2:.2f} m²，且无审批文号</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/engine.py" line="697" />
      <source>On built-up land or water {0} (base-map parcel {1}) by {2:.2f} m²</source>
      <translation>占用建设用地或水域 {0}（底图图斑 {1}）{2:.2f} m²</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/engine.py" line="698" />
      <source>On existing forest land {0} (base-map parcel {1}) by {2:.2f} m², but the method is not regeneration or restoration</source>
      <translation>位于现有林地 {0}（底图图斑 {1}）{2:.2f} m²，但造林方式不是人工更新或退化林修复</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/engine.py" line="719" />
      <source>Administrative codes disagree: county {0}, township {1}, village {2}</source>
      <translation>行政区代码不一致：县 {0}，乡镇 {1}，村 {2}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/engine.py" line="735" />
      <source>Declared {0} code {1} is not in the administrative units</source>
      <translation>申报的{0}代码 {1} 不在行政区划中</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/engine.py" line="752" />
      <source>Only {0:.1f} % of the patch lies in its declared {1} {2} (at least {3:.1f} % required)</source>
      <translation>图斑仅有 {0:.1f}% 位于申报的{1} {2} 内（至少需要 {3:.1f}%）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/engine.py" line="771" />
      <source>{0} = {1} but the mapped area is {2:.2f} mu ({3:.4f} ha); difference {4:+.2f} mu exceeds {5:.2f} mu</source>
      <translation>{0} = {1}，但图斑计算面积为 {2:.2f} 亩（{3:.4f} 公顷）；差值 {4:+.2f} 亩超过 {5:.2f} 亩</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/engine.py" line="787" />
      <source>{0} ({1}) is missing</source>
      <translation>{0}（{1}）缺失</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/engine.py" line="788" />
      <source>{0} ({1}) = '{2}' is not a code of {3}</source>
      <translation>{0}（{1}）= '{2}' 不是{3}中的代码</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/engine.py" line="789" />
      <source>{0} ({1}) = '{2}' has the wrong format</source>
      <translation>{0}（{1}）= '{2}' 格式错误</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/engine.py" line="790" />
      <source>{0} ({1}) = '{2}' is not a number</source>
      <translation>{0}（{1}）= '{2}' 不是数字</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/engine.py" line="791" />
      <source>{0} ({1}) = {2} is out of range</source>
      <translation>{0}（{1}）= {2} 超出范围</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/engine.py" line="792" />
      <source>Restoration method (restore_method) is required for restoration</source>
      <translation>造林方式为退化林修复时必须填写修复方式（restore_method）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/report.py" line="61" />
      <source>By rule</source>
      <translation>按规则</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/report.py" line="62" />
      <location filename="../forestry_plugin/core/reports/progress.py" line="143" />
      <location filename="../forestry_plugin/gui/project_dock.py" line="50" />
      <source>Patches</source>
      <translation>图斑数</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/report.py" line="62" />
      <source>Accepted exceptions</source>
      <translation>认可例外</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/report.py" line="76" />
      <source>By unit</source>
      <translation>按行政区</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/report.py" line="77" />
      <source>Township</source>
      <translation>乡镇</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/report.py" line="78" />
      <source>Patches with errors</source>
      <translation>有错误的图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/report.py" line="78" />
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="103" />
      <source>Village</source>
      <translation>村</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/report.py" line="95" />
      <location filename="../forestry_plugin/core/checks/report.py" line="111" />
      <location filename="../forestry_plugin/processing/algs/checkpatches.py" line="95" />
      <source>Findings</source>
      <translation>问题清单</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/report.py" line="97" />
      <location filename="../forestry_plugin/core/checks/report.py" line="62" />
      <source>Rule code</source>
      <translation>规则代码</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/report.py" line="98" />
      <source>Accepted exception</source>
      <translation>已认可的例外</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/report.py" line="103" />
      <source>yes</source>
      <translation>是</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/report.py" line="108" />
      <source>About</source>
      <translation>关于</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/report.py" line="109" />
      <location filename="../forestry_plugin/processing/algs/mapreport.py" line="50" />
      <location filename="../forestry_plugin/processing/algs/progressreport.py" line="68" />
      <source>Title</source>
      <translation>标题</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/report.py" line="109" />
      <location filename="../forestry_plugin/gui/checks_dock.py" line="431" />
      <source>Check report</source>
      <translation>质检报告</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/report.py" line="110" />
      <source>Created</source>
      <translation>已创建</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/rules.py" line="65" />
      <source>Invalid geometry</source>
      <translation>几何无效</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/rules.py" line="66" />
      <source>Area below minimum</source>
      <translation>面积小于下限</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/rules.py" line="67" />
      <source>Sliver / too narrow</source>
      <translation>碎片 / 过窄</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/rules.py" line="68" />
      <source>Overlap between patches</source>
      <translation>图斑间重叠</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/rules.py" line="69" />
      <source>On permanent basic farmland</source>
      <translation>占用永久基本农田</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/rules.py" line="70" />
      <source>On cropland without approval</source>
      <translation>占用耕地且无审批</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/rules.py" line="71" />
      <source>On built-up land or water</source>
      <translation>位于建设用地或水域</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/rules.py" line="72" />
      <source>On existing forest land</source>
      <translation>位于现有林地</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/rules.py" line="73" />
      <source>Outside the declared administrative unit</source>
      <translation>超出申报的行政区范围</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/rules.py" line="74" />
      <source>Overlap with earlier years' patches</source>
      <translation>与往年造林图斑重叠</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/rules.py" line="75" />
      <source>Attribute area differs from mapped area</source>
      <translation>属性面积与图斑面积不一致</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/rules.py" line="76" />
      <source>Attribute missing or invalid</source>
      <translation>属性缺失或无效</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/rules.py" line="77" />
      <source>Layer CRS is not CGCS2000</source>
      <translation>图层坐标系不是 CGCS2000</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/rules.py" line="85" />
      <source>Error below (m²)</source>
      <translation>低于此值为错误（m²）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/rules.py" line="86" />
      <source>Warning below (m²)</source>
      <translation>低于此值为警告（m²）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/rules.py" line="87" />
      <source>Minimum width (m)</source>
      <translation>最小宽度（米）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/rules.py" line="88" />
      <source>Maximum thinness 4πA/P²</source>
      <translation>细长度上限 4πA/P²</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/rules.py" line="89" />
      <source>Tolerance (m²)</source>
      <translation>容差（m²）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/rules.py" line="90" />
      <source>Minimum share inside the declared unit</source>
      <translation>位于申报行政区内的最小比例</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/rules.py" line="91" />
      <source>Tolerance (mu)</source>
      <translation>容差（亩）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/rules.py" line="92" />
      <source>Relative tolerance</source>
      <translation>相对容差</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/store.py" line="78" />
      <source>Unknown rule {0}</source>
      <translation>未知规则 {0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/checks/store.py" line="80" />
      <source>An accepted exception needs a reason</source>
      <translation>认可例外必须填写理由</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/forms.py" line="77" />
      <source>value in range {0}..{1}</source>
      <translation>取值范围 {0}..{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/forms.py" line="80" />
      <source>format {0}</source>
      <translation>格式 {0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/forms.py" line="84" />
      <source>a code of the list</source>
      <translation>代码表中的代码</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/forms.py" line="93" />
      <source>required from stage {0}</source>
      <translation>自“{0}”阶段起必填</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/forms.py" line="154" />
      <source>Other</source>
      <translation>其他</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="78" />
      <source>Nothing imported from {0}:</source>
      <translation>未从 {0} 导入任何图斑：</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="80" />
      <source>{0}: {1} patch(es) imported.</source>
      <translation>{0}：已导入 {1} 个图斑。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="82" />
      <source>Imported by {0}</source>
      <translation>导入人：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="84" />
      <source>{0} invalid polygon(s) repaired.</source>
      <translation>已修复 {0} 个无效多边形。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="86" />
      <source>{0} GPS track(s) closed into polygons.</source>
      <translation>已将 {0} 条 GPS 轨迹闭合为多边形。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="88" />
      <source>Columns used: {0}</source>
      <translation>已使用的字段：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="90" />
      <source>Columns ignored (computed from the geometry): {0}</source>
      <translation>已忽略的字段（由图形自动计算）：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="92" />
      <source>Columns not recognised: {0}</source>
      <translation>未识别的字段：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="94" />
      <source>{0} feature(s) skipped:</source>
      <translation>跳过 {0} 个要素：</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="97" />
      <source>  … and {0} more</source>
      <translation>  …… 另有 {0} 个</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="148" />
      <source>not in the code list</source>
      <translation>不在代码表中</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="155" />
      <source>not a number</source>
      <translation>不是数字</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="158" />
      <source>not a date</source>
      <translation>不是日期</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="161" />
      <source>cut to {0} characters</source>
      <translation>已截断为 {0} 个字符</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="189" />
      <source>a line with fewer than three points</source>
      <translation>少于三个点的线</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="193" />
      <source>the track is not closed: its ends are {0:.0f} m apart</source>
      <translation>轨迹未闭合：首尾相距 {0:.0f} 米</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="222" />
      <source>{0} is not a KMZ (zip) file: {1}</source>
      <translation>{0} 不是 KMZ（zip）文件：{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="224" />
      <source>{0} holds no KML document.</source>
      <translation>{0} 中没有 KML 文档。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="274" />
      <source>{0} does not exist.</source>
      <translation>{0} 不存在。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="276" />
      <source>{0}: unsupported file type (GeoJSON, Shapefile, KML/KMZ or GPX).</source>
      <translation>{0}：不支持的文件类型（支持 GeoJSON、Shapefile、KML/KMZ、GPX）。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="281" />
      <source>{0} cannot be read: it is damaged or not a {1} file.</source>
      <translation>无法读取 {0}：文件已损坏或不是 {1} 文件。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="294" />
      <source>Layer {0} of {1} cannot be read.</source>
      <translation>无法读取 {1} 中的图层 {0}。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="357" />
      <source>Layer {0} has no coordinate system (is the .prj file missing?). Save it with its CRS and import again.</source>
      <translation>图层 {0} 没有坐标系（是否缺少 .prj 文件？）。请带坐标系另存后重新导入。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="363" />
      <source>Layer {0} is in {1}: converted to {2} with the general parameters, which can be tens of metres off. Check the patches against the base map, or convert the file with the province's official parameters first.</source>
      <translation>图层 {0} 采用 {1} 坐标系：已用通用参数转换到 {2}，可能偏差数十米。请对照底图核对图斑，或先用省级正式转换参数转换文件。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="382" />
      <source>no geometry</source>
      <translation>无几何图形</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="387" />
      <source>a point, not a patch outline</source>
      <translation>是点，不是图斑边界</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="398" />
      <source>coordinates cannot be transformed from {0} to {1}</source>
      <translation>坐标无法从 {0} 转换到 {1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="409" />
      <source>outside the county</source>
      <translation>不在本县范围内</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="415" />
      <source>invalid polygon that cannot be repaired</source>
      <translation>无法修复的无效多边形</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="416" />
      <source>no area</source>
      <translation>面积为零</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="422" />
      <source>already in the layer (patch {0})</source>
      <translation>图层中已有（图斑 {0}）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="433" />
      <source>None of the {0} patch(es) lies in the county: the file's coordinate system ({1}) is probably wrong.</source>
      <translation>{0} 个图斑都不在本县范围内：文件的坐标系（{1}）可能有误。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="436" />
      <source>No feature of {0} can become a new patch.</source>
      <translation>{0} 中没有可作为新图斑导入的要素。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="438" />
      <source>{0} holds no patch outlines (polygons or GPS tracks).</source>
      <translation>{0} 中没有图斑边界（面或 GPS 轨迹）。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="444" />
      <source>{0}: {1} value(s) {2} ({3}); left empty.</source>
      <translation>{0}：{1} 个值{2}（{3}），已留空。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/importer.py" line="447" />
      <source>{0}: {1} value(s) {2}.</source>
      <translation>{0}：{1} 个值{2}。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/project.py" line="31" />
      <location filename="../forestry_plugin/gui/checks_dock.py" line="459" />
      <location filename="../forestry_plugin/processing/algs/checkpatches.py" line="64" />
      <source>Checks</source>
      <translation>质检</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/project.py" line="31" />
      <source>Afforestation patches</source>
      <translation>造林图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/project.py" line="31" />
      <source>Reference layers</source>
      <translation>参考图层</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/project.py" line="32" />
      <source>Tables</source>
      <translation>数据表</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/project.py" line="43" />
      <location filename="../forestry_plugin/core/project.py" line="92" />
      <source>Cannot open layer {0} of {1}</source>
      <translation>无法打开 {1} 中的图层 {0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/project.py" line="95" />
      <source>Default forestry style</source>
      <translation>林业默认样式</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/project.py" line="97" />
      <source>Cannot store the style of {0}: {1}</source>
      <translation>无法保存 {0} 的样式：{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/project.py" line="131" />
      <source>Afforestation mapping {0}</source>
      <translation>造林落地上图 {0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/project.py" line="138" />
      <source>Cannot write project {0}: {1}</source>
      <translation>无法写入工程 {0}：{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/mapreport.py" line="74" />
      <source>The map needs the patches layer</source>
      <translation>专题图需要图斑图层</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/mapreport.py" line="115" />
      <source>Legend</source>
      <translation>图例</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/mapreport.py" line="146" />
      <source>km</source>
      <translation>千米</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/mapreport.py" line="161" />
      <source>Date: {0}    Coordinate system: {1} ({2})    Areas: CGCS2000 ellipsoidal, mu</source>
      <translation>日期：{0}    坐标系：{1}（{2}）    面积：CGCS2000 椭球面积，单位亩</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/mapreport.py" line="174" />
      <source>Could not export the map to {0} (error {1})</source>
      <translation>无法将地图导出到 {0}（错误 {1}）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/mapreport.py" line="186" />
      <source>{0} afforestation patches map</source>
      <translation>{0}造林图斑分布图</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/progress.py" line="87" />
      <source>GROUP_BY must be county or township, not {0}</source>
      <translation>GROUP_BY 必须为 county 或 township，而不是 {0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/progress.py" line="94" />
      <source>(no unit code)</source>
      <translation>（无行政区代码）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/progress.py" line="117" />
      <location filename="../forestry_plugin/gui/project_dock.py" line="109" />
      <source>Total</source>
      <translation>合计</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/progress.py" line="140" />
      <source>No.</source>
      <translation>序号</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/progress.py" line="140" />
      <source>Unit</source>
      <translation>单位</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/progress.py" line="140" />
      <source>Annual task (mu)</source>
      <translation>年度任务(亩)</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/progress.py" line="140" />
      <source>All patches</source>
      <translation>全部图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/progress.py" line="141" />
      <source>Design stage</source>
      <translation>设计施工</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/progress.py" line="141" />
      <source>Completed (accepted + included)</source>
      <translation>已完成（造林验收 + 纳入造林）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/progress.py" line="141" />
      <source>Confirmed</source>
      <translation>已确认</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/progress.py" line="142" />
      <source>Verified (city / province)</source>
      <translation>已核查（市级/省级）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/progress.py" line="142" />
      <source>Completion of task</source>
      <translation>任务完成率</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/progress.py" line="142" />
      <source>Rank</source>
      <translation>排名</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/progress.py" line="143" />
      <location filename="../forestry_plugin/gui/project_dock.py" line="50" />
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="103" />
      <source>Area (mu)</source>
      <translation>面积(亩)</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/progress.py" line="173" />
      <source>Progress</source>
      <translation>进度</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/progress.py" line="174" />
      <location filename="../forestry_plugin/processing/algs/progressreport.py" line="63" />
      <source>county</source>
      <translation>县</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/progress.py" line="174" />
      <location filename="../forestry_plugin/processing/algs/progressreport.py" line="63" />
      <source>township</source>
      <translation>乡镇</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/progress.py" line="175" />
      <source>{0} afforestation progress report {1}</source>
      <translation>{0}{1}年造林进度通报</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/progress.py" line="176" />
      <source>Statistics date: {0}    Area unit: mu    Grouped by {1}</source>
      <translation>统计日期：{0}    面积单位：亩    统计单位：{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/progress.py" line="177" />
      <source>Completed = accepted + included and later stages; completion = completed area / annual task</source>
      <translation>已完成 = 造林验收 + 纳入造林及之后各阶段；完成率 = 已完成面积 / 年度任务</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/progress.py" line="208" />
      <source>Completion of the annual task</source>
      <translation>年度任务完成率</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/reports/progress.py" line="209" />
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
      <location filename="../forestry_plugin/core/sync/client.py" line="103" />
      <location filename="../forestry_plugin/core/sync/client.py" line="124" />
      <location filename="../forestry_plugin/core/sync/client.py" line="217" />
      <source>Canceled</source>
      <translation>已取消</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/client.py" line="127" />
      <source>The platform did not answer in time ({0})</source>
      <translation>平台未及时响应（{0}）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/client.py" line="129" />
      <source>no answer in time, or the connection was dropped</source>
      <translation>未在限定时间内应答，或连接已中断</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/client.py" line="130" />
      <source>Cannot reach the platform at {0}: {1}</source>
      <translation>无法连接平台 {0}：{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/client.py" line="141" />
      <source>The reply could not be read (HTTP {0}, {1} bytes): it may have been cut off on the way; try again</source>
      <translation>无法读取应答（HTTP {0}，{1} 字节）：可能在传输途中被截断，请重试</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/client.py" line="144" />
      <location filename="../forestry_plugin/core/sync/client.py" line="234" />
      <location filename="../forestry_plugin/core/sync/client.py" line="262" />
      <source>The platform sent a malformed reply (HTTP {0}): {1}</source>
      <translation>平台返回的数据格式错误（HTTP {0}）：{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/client.py" line="151" />
      <source>Wrong user name or password</source>
      <translation>用户名或密码错误</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/client.py" line="154" />
      <source>Not logged in: {0}</source>
      <translation>未登录：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/client.py" line="156" />
      <source>Not allowed: {0}</source>
      <translation>无权操作：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/client.py" line="162" />
      <source>Too many failed logins: try again in {0} s</source>
      <translation>登录失败次数过多，请在 {0} 秒后重试</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/client.py" line="164" />
      <source>The platform refused the audit log: it does not continue the platform's copy ({0})</source>
      <translation>平台拒收审核日志：它与平台保存的副本不衔接（{0}）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/client.py" line="169" />
      <source>The platform failed (HTTP {0}): {1}</source>
      <translation>平台出错（HTTP {0}）：{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/client.py" line="170" />
      <source>The platform refused the request (HTTP {0}): {1}</source>
      <translation>平台拒绝了请求（HTTP {0}）：{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/client.py" line="184" />
      <source>The platform, or a gateway on the way to it, failed (HTTP {0})</source>
      <translation>平台或通往平台的网关出错（HTTP {0}）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/client.py" line="228" />
      <location filename="../forestry_plugin/core/sync/client.py" line="153" />
      <location filename="../forestry_plugin/gui/sync_panel.py" line="88" />
      <source>Your session has expired: log in again</source>
      <translation>登录已过期：请重新登录</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/engine.py" line="144" />
      <source>The working copy has no county code: set one before syncing</source>
      <translation>工作库没有县级代码：同步前请先设置</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/engine.py" line="200" />
      <source>the audit log no longer contains the {0} row(s) the platform already holds</source>
      <translation>审核日志已不再包含平台已保存的 {0} 条记录</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/engine.py" line="252" />
      <source>The platform sent a geometry that cannot be read</source>
      <translation>平台发送的几何无法读取</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/sync/engine.py" line="391" />
      <source>The patch cannot be sent: its geometry cannot be converted to CGCS2000 coordinates ({0})</source>
      <translation>该图斑无法提交：其几何无法转换为 CGCS2000 坐标（{0}）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="77" />
      <source>Invalid workflow configuration: {0}</source>
      <translation>流程配置无效：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="247" />
      <source>{0} patch(es) returned to {1}</source>
      <translation>{0} 个图斑已退回到“{1}”</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="249" />
      <source>{0} patch(es) moved to {1}</source>
      <translation>{0} 个图斑已流转到“{1}”</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="251" />
      <source>Nothing changed: {0}</source>
      <translation>未做任何更改：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="253" />
      <source>Nothing changed: {0} of {1} patch(es) refused</source>
      <translation>未做任何更改：{1} 个图斑中有 {0} 个被拒绝</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="254" />
      <source> (pending until the platform accepts it at the next sync)</source>
      <translation>（待平台在下次同步时确认）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="315" />
      <source>The patch has no geometry</source>
      <translation>图斑没有几何图形</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="328" />
      <source>Attribute area ({0}) differs from the mapped area {1:.2f} mu by more than {2:.2f} mu</source>
      <translation>属性面积（{0}）与图斑计算面积 {1:.2f} 亩相差超过 {2:.2f} 亩</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="336" />
      <source>Unknown stage: {0}</source>
      <translation>未知阶段：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="338" />
      <source>Unknown rejection reason: {0}</source>
      <translation>未知的退回原因：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="347" />
      <source>No such patch</source>
      <translation>图斑不存在</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="357" />
      <source>Your account ({0}) does not cover county {1}</source>
      <translation>您的账号（{0}）无权管理县 {1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="360" />
      <source>The patch is already at this stage</source>
      <translation>图斑已处于该阶段</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="375" />
      <source>Role {0} may not return patches at stage {1}</source>
      <translation>角色“{0}”无权退回处于“{1}”阶段的图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="378" />
      <source>A patch at {0} cannot be returned to {1}</source>
      <translation>处于“{0}”阶段的图斑不能退回到“{1}”</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="381" />
      <source>A return needs a reason</source>
      <translation>退回必须选择原因</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="383" />
      <source>Reason "other" needs a comment</source>
      <translation>原因为“其他”时必须填写意见</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="390" />
      <source>No transition from {0} to {1} (stages cannot be skipped)</source>
      <translation>不能从“{0}”流转到“{1}”（不能越级）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="395" />
      <source>Role {0} may not move patches from {1} to {2}</source>
      <translation>角色“{0}”无权将图斑从“{1}”流转到“{2}”</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="400" />
      <source>Required for {0}: {1}</source>
      <translation>“{0}”阶段必填：{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="405" />
      <source>Survival rate {0:.1f} % is below {1:.1f} %</source>
      <translation>成活率 {0:.1f}% 低于 {1:.1f}%</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="422" />
      <source>The patch has never been checked: run the checks first</source>
      <translation>图斑尚未质检：请先运行质检</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="424" />
      <source>The patch changed since it was checked (revision {0}, checked at revision {1}): run the checks first</source>
      <translation>图斑在质检后已被修改（当前版本 {0}，质检时版本 {1}）：请先重新质检</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="431" />
      <source>{0} open error finding(s): {1}</source>
      <translation>{0} 个未处理的错误：{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="441" />
      <location filename="../forestry_plugin/gui/checks_dock.py" line="239" />
      <source>No patches selected</source>
      <translation>未选择图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/core/workflow.py" line="458" />
      <source>The patch was changed meanwhile; try again</source>
      <translation>图斑已被他人修改，请重试</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="65" />
      <location filename="../forestry_plugin/gui/checks_dock.py" line="97" />
      <location filename="../forestry_plugin/gui/checks_dock.py" line="286" />
      <source>Forestry checks</source>
      <translation>林业质检</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="103" />
      <location filename="../forestry_plugin/gui/checks_dock.py" line="105" />
      <source>Accept as exception</source>
      <translation>认可为例外</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="104" />
      <source>Reason (kept with the working copy):</source>
      <translation>理由（保存在工作库中）：</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="106" />
      <source>Approval reference number:</source>
      <translation>审批文号：</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="112" />
      <source>Whole layer</source>
      <translation>整个图层</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="112" />
      <source>Selected patches</source>
      <translation>所选图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="112" />
      <source>Map extent</source>
      <translation>当前地图范围</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="113" />
      <source>Changed since last check</source>
      <translation>上次质检后有变化的图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="115" />
      <source>Run checks</source>
      <translation>运行质检</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="116" />
      <location filename="../forestry_plugin/gui/sync_panel.py" line="205" />
      <source>Cancel</source>
      <translation>取消</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="126" />
      <source>Filter: patch no., id or message</source>
      <translation>筛选：图斑编号、标识或说明</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="128" />
      <source>All severities</source>
      <translation>全部级别</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="132" />
      <source>Open findings</source>
      <translation>未处理的问题</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="133" />
      <source>Including accepted</source>
      <translation>包括已认可的</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="139" />
      <source>Finding</source>
      <translation>问题</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="139" />
      <source>Value</source>
      <translation>量测值</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="139" />
      <location filename="../forestry_plugin/gui/sync_panel.py" line="217" />
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="103" />
      <source>Patch no.</source>
      <translation>图斑编号</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="144" />
      <location filename="../forestry_plugin/gui/checks_dock.py" line="367" />
      <source>Accept as exception…</source>
      <translation>认可为例外…</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="145" />
      <source>Fix…</source>
      <translation>修复…</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="146" />
      <source>Excel…</source>
      <translation>导出 Excel…</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="228" />
      <location filename="../forestry_plugin/gui/sync_panel.py" line="286" />
      <source>Open a working copy first</source>
      <translation>请先打开工作库</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="231" />
      <location filename="../forestry_plugin/gui/sync_panel.py" line="446" />
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="460" />
      <source>Unsaved edits</source>
      <translation>未保存的编辑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="231" />
      <source>The patches layer has unsaved edits. Save them before checking?</source>
      <translation>图斑图层有未保存的编辑。是否先保存再质检？</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="247" />
      <source>No patch changed since the last check</source>
      <translation>上次质检后没有图斑变化</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="275" />
      <source>Checks canceled</source>
      <translation>质检已取消</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="286" />
      <source>{0} patches checked in {1:.2f} s: {2} open findings, {3} errors</source>
      <translation>已质检 {0} 个图斑，用时 {1:.2f} 秒：{2} 个未处理问题，其中 {3} 个错误</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="355" />
      <source>Accept the finding as an exception, with a reason</source>
      <translation>将该问题认可为例外（须说明理由）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="378" />
      <source>No automatic fix for this finding</source>
      <translation>该问题没有自动修复方法</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="409" />
      <source>The fix would remove the whole patch: not applied</source>
      <translation>该修复会删除整个图斑：未执行</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="416" />
      <source>Fix: {0}</source>
      <translation>修复：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="425" />
      <source>Fixed in the edit buffer: save the layer, or undo (Ctrl+Z)</source>
      <translation>已在编辑缓冲区中修复：请保存图层，或撤销（Ctrl+Z）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="432" />
      <location filename="../forestry_plugin/processing/algs/checkpatches.py" line="97" />
      <location filename="../forestry_plugin/processing/algs/progressreport.py" line="70" />
      <source>Excel workbook (*.xlsx)</source>
      <translation>Excel 工作簿 (*.xlsx)</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/checks_dock.py" line="459" />
      <source>Check patches against the base map and review the findings</source>
      <translation>对照底图质检图斑并查看问题</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/common.py" line="33" />
      <source>Something went wrong: {0}. Details are in the Forestry log.</source>
      <translation>出现错误：{0}。详情见日志面板的 Forestry 页。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="40" />
      <source>Fill patch attributes</source>
      <translation>填写图斑属性</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="113" />
      <source>{0} The edit was undone.</source>
      <translation>{0} 该编辑已撤销。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="180" />
      <source>The patch crosses an administrative boundary ({0}); it was assigned to the village with the largest share and marked in the remark.</source>
      <translation>图斑跨越行政区界线（{0}）；已归属到面积占比最大的村，并在备注中注明。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="202" />
      <source>{0} The merge was undone.</source>
      <translation>{0} 已撤销本次合并。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="365" />
      <location filename="../forestry_plugin/gui/editing.py" line="415" />
      <source>The patch layer cannot be edited.</source>
      <translation>图斑图层不可编辑。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="377" />
      <source>The patch has no area.</source>
      <translation>图斑面积为零。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="380" />
      <source>New patch</source>
      <translation>新增图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="382" />
      <source>The patch could not be added.</source>
      <translation>无法添加图斑。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="397" />
      <location filename="../forestry_plugin/gui/editing.py" line="572" />
      <location filename="../forestry_plugin/gui/editing.py" line="603" />
      <source>Import patches</source>
      <translation>导入图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="399" />
      <source>The patches could not be added; nothing was imported.</source>
      <translation>无法添加图斑，未导入任何内容。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="401" />
      <source>{0} imported patch(es) cross an administrative boundary; they were assigned to the village with the largest share and marked in the remark.</source>
      <translation>{0} 个导入的图斑跨行政界线；已归入面积占比最大的行政村，并在备注中标记。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="409" />
      <source>Select one or more base-map polygons first.</source>
      <translation>请先选择一个或多个底图图斑。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="413" />
      <source>New patch from base map</source>
      <translation>由底图图斑生成新图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="426" />
      <source>Draw a line with at least two points.</source>
      <translation>请绘制至少包含两个点的线。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="437" />
      <source>The line does not split any patch.</source>
      <translation>该线未分割任何图斑。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="441" />
      <source>Split patches</source>
      <translation>分割图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="465" />
      <source>Reshape patch</source>
      <translation>修整图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="472" />
      <source>The line must cross the patch boundary twice to reshape it.</source>
      <translation>修整线必须两次穿过图斑边界。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="486" />
      <source>Merge patches</source>
      <translation>合并图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="488" />
      <source>The patches could not be merged.</source>
      <translation>无法合并图斑。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="498" />
      <source>Select the patches to delete first.</source>
      <translation>请先选择要删除的图斑。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="500" />
      <source>Delete patches</source>
      <translation>删除图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_controller.py" line="502" />
      <source>The patches could not be deleted.</source>
      <translation>无法删除图斑。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_live.py" line="48" />
      <source>Live check unavailable: {0}</source>
      <translation>实时质检不可用：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_live.py" line="84" />
      <source>Patch {0} cannot be saved: {1}</source>
      <translation>图斑 {0} 不能保存：{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_live.py" line="111" />
      <source>Check findings for patch {0}</source>
      <translation>图斑 {0} 的质检结果</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_live.py" line="116" />
      <source>{0} error(s), {1} warning(s). Errors block the save unless you accept them as exceptions with a reason.</source>
      <translation>{0} 个错误，{1} 个警告。除非填写理由认可为例外，否则错误将阻止保存。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_live.py" line="119" />
      <source>Severity</source>
      <translation>严重程度</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_live.py" line="119" />
      <source>Rule</source>
      <translation>规则</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_live.py" line="119" />
      <source>Message</source>
      <translation>说明</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_live.py" line="127" />
      <source>Reason for accepting the errors as exceptions</source>
      <translation>认可这些错误为例外的理由</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_live.py" line="131" />
      <source>Accept as exceptions and save</source>
      <translation>认可为例外并保存</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_live.py" line="131" />
      <source>Save</source>
      <translation>保存</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_live.py" line="133" />
      <source>Back to editing</source>
      <translation>返回编辑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/edit_live.py" line="186" />
      <source>Live check failed: {0}</source>
      <translation>实时检查失败：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="106" />
      <source>Enable tracing</source>
      <translation>启用追踪</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="202" />
      <source>Forestry editing</source>
      <translation>林业编辑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="217" />
      <source>New patch (snapping and tracing to base map and boundaries)</source>
      <translation>新增图斑（捕捉并追踪底图和界线）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="218" />
      <source>New patch from selected base-map polygons</source>
      <translation>由所选底图图斑生成新图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="219" />
      <source>Split patch (click a line, right click to finish)</source>
      <translation>分割图斑（单击绘线，右键结束）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="220" />
      <source>Reshape patch (click a line, right click to finish)</source>
      <translation>修整图斑（单击绘线，右键结束）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="221" />
      <source>Merge selected patches</source>
      <translation>合并所选图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="222" />
      <source>Delete selected patches</source>
      <translation>删除所选图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="223" />
      <source>Check and save patch edits</source>
      <translation>质检并保存图斑编辑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="224" />
      <source>Import patches (GeoJSON, Shapefile, KML/KMZ, GPX)</source>
      <translation>导入图斑（GeoJSON、Shapefile、KML/KMZ、GPX）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="379" />
      <source>Preparing the live check</source>
      <translation>正在准备实时检查</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="399" />
      <source>Patch {0}: {1} check error(s) ({2}). Fix them or accept them as exceptions; "Check and save" will not save the patch until then.</source>
      <translation>图斑 {0}：{1} 个检查错误（{2}）。请修改或作为例外接受；在此之前“质检并保存”不会保存该图斑。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="403" />
      <source>Patch {0}: {1} warning(s) ({2}).</source>
      <translation>图斑 {0}：{1} 个警告（{2}）。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="407" />
      <location filename="../forestry_plugin/gui/project_dock.py" line="134" />
      <location filename="../forestry_plugin/plugin.py" line="88" />
      <source>Forestry</source>
      <translation>林业</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="412" />
      <source>Open a working copy first: no patch layer in the project.</source>
      <translation>请先打开工作库：工程中没有图斑图层。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="451" />
      <source>The base map layer is not in the project.</source>
      <translation>工程中没有底图图层。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="456" />
      <source>Patches merged.</source>
      <translation>图斑已合并。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="459" />
      <source>{0} patch(es) deleted (undo with Ctrl+Z).</source>
      <translation>已删除 {0} 个图斑（可用 Ctrl+Z 撤销）。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="491" />
      <source>Patch split: {0} new part(s); all parts got new ids.</source>
      <translation>图斑已分割：{0} 个新图斑；所有部分均获得新标识。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="535" />
      <source>Not saved: patch {0} has check errors.</source>
      <translation>未保存：图斑 {0} 存在质检错误。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="543" />
      <source>Saving failed: {0}</source>
      <translation>保存失败：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="545" />
      <source>Patch edits saved.</source>
      <translation>图斑编辑已保存。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="556" />
      <source>Saved without the live check (still being prepared); run the checks before submitting.</source>
      <translation>已保存，但实时检查尚未准备好，未做检查；提交前请运行质检。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="564" />
      <source>{0} check error(s) in the saved patches; see the check panel.</source>
      <translation>已保存的图斑中有 {0} 个质检错误；请查看质检面板。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="573" />
      <source>Patch files ({0})</source>
      <translation>图斑文件（{0}）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/editing.py" line="594" />
      <source>Import {0}</source>
      <translation>导入 {0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="36" />
      <source>Forestry working copy</source>
      <translation>林业工作库</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="42" />
      <location filename="../forestry_plugin/gui/project_dock.py" line="88" />
      <location filename="../forestry_plugin/gui/sync_panel.py" line="389" />
      <source>No working copy open</source>
      <translation>未打开工作库</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="46" />
      <source>Working copy:</source>
      <translation>工作库：</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="47" />
      <location filename="../forestry_plugin/gui/sync_panel.py" line="183" />
      <source>County:</source>
      <translation>县：</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="50" />
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="103" />
      <source>Stage</source>
      <translation>阶段</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="56" />
      <source>Open…</source>
      <translation>打开…</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="57" />
      <source>Open a working-copy GeoPackage and add its layers to the project</source>
      <translation>打开 GeoPackage 工作库并将其图层加入工程</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="58" />
      <source>New…</source>
      <translation>新建…</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="59" />
      <source>Create an empty working copy for a county</source>
      <translation>为一个县新建空的工作库</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="60" />
      <source>Sample county…</source>
      <translation>示例县…</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="61" />
      <source>Generate the sample county with labelled faults, for training and trials</source>
      <translation>生成带已标注错误的示例县数据，用于培训和试用</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="62" />
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="175" />
      <source>Refresh</source>
      <translation>刷新</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="98" />
      <source>Cannot read: {0}</source>
      <translation>无法读取：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="119" />
      <source>The audit log of {0} was altered outside the plugin: {1}. Syncing is refused until the platform administrator has looked at it.</source>
      <translation>{0} 的审核日志在插件之外被改动：{1}。在平台管理员核查之前拒绝同步。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="138" />
      <source>Open working copy</source>
      <translation>打开工作库</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="151" />
      <location filename="../forestry_plugin/gui/project_dock.py" line="154" />
      <source>New working copy</source>
      <translation>新建工作库</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="151" />
      <location filename="../forestry_plugin/gui/project_dock.py" line="168" />
      <location filename="../forestry_plugin/gui/project_dock.py" line="138" />
      <source>GeoPackage (*.gpkg)</source>
      <translation>GeoPackage (*.gpkg)</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="154" />
      <source>County code (6 digits, GB/T 2260):</source>
      <translation>县级行政区代码（6 位，GB/T 2260）：</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="156" />
      <location filename="../forestry_plugin/processing/algs/create_working_copy.py" line="64" />
      <source>A county code has 6 digits, e.g. 330110</source>
      <translation>县级行政区代码为 6 位数字，例如 330110</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="168" />
      <source>Sample county</source>
      <translation>示例县</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="192" />
      <location filename="../forestry_plugin/processing/algs/create_working_copy.py" line="30" />
      <location filename="../forestry_plugin/processing/algs/create_working_copy.py" line="44" />
      <source>Working copy</source>
      <translation>工作库</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/project_dock.py" line="192" />
      <source>Show the forestry working-copy panel</source>
      <translation>显示林业工作库面板</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="55" />
      <source>Forestry platform: {0}</source>
      <translation>林业平台：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="90" />
      <source>{0}. Check the address, your network and the proxy settings (Settings &gt; Options &gt; Network); TLS certificates are always verified.</source>
      <translation>{0}。请检查地址、网络和代理设置（设置 &gt; 选项 &gt; 网络）；TLS 证书始终会被验证。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="93" />
      <source>Canceled: nothing is lost; run it again to continue where it stopped.</source>
      <translation>已取消：没有丢失任何数据；再次运行将从中断处继续。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="95" />
      <source>The audit log of this working copy was altered outside the plugin ({0}); nothing was synced. Ask the platform administrator.</source>
      <translation>此工作副本的审核日志在插件之外被改动（{0}）；未同步任何内容。请联系平台管理员。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="105" />
      <source>Compare versions of {0}</source>
      <translation>比较 {0} 的两个版本</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="109" />
      <source>Field</source>
      <translation>字段</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="109" />
      <source>Mine (this computer)</source>
      <translation>本地（本机）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="109" />
      <source>Theirs (platform)</source>
      <translation>平台版本</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="126" />
      <source>Mine</source>
      <translation>本地</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="127" />
      <source>Theirs</source>
      <translation>平台</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="148" />
      <source>Red: mine; blue: theirs</source>
      <translation>红色：本地；蓝色：平台</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="162" />
      <source>Forestry platform sync</source>
      <translation>林业平台同步</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="178" />
      <source>from the working copy</source>
      <translation>取自工作库</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="182" />
      <source>Platform:</source>
      <translation>平台：</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="184" />
      <source>Login:</source>
      <translation>登录：</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="187" />
      <source>Log in</source>
      <translation>登录</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="188" />
      <source>Log out</source>
      <translation>退出登录</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="189" />
      <source>End the session on the platform; your moves made offline stay pending</source>
      <translation>结束平台会话；离线所做的操作仍待确认</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="191" />
      <location filename="../forestry_plugin/gui/sync_panel.py" line="373" />
      <source>Not logged in</source>
      <translation>未登录</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="200" />
      <source>Download</source>
      <translation>下载</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="201" />
      <source>Bring the platform's changes into the working copy</source>
      <translation>将平台上的变化下载到工作库</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="202" />
      <source>Upload</source>
      <translation>上传</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="203" />
      <source>Send local changes and the audit trail to the platform</source>
      <translation>将本地变化和审核日志发送到平台</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="204" />
      <source>Download + upload</source>
      <translation>下载 + 上传</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="207" />
      <source>Retry</source>
      <translation>重试</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="215" />
      <source>Conflicts (changed here and on the platform):</source>
      <translation>冲突（本地和平台都修改过）：</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="217" />
      <source>Here</source>
      <translation>本机</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="217" />
      <source>On the platform</source>
      <translation>平台</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="227" />
      <source>Keep mine</source>
      <translation>保留本地</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="228" />
      <source>Take theirs</source>
      <translation>采用平台</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="229" />
      <source>Compare…</source>
      <translation>比较…</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="272" />
      <source>Forestry platform</source>
      <translation>林业平台</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="288" />
      <source>Log in first</source>
      <translation>请先登录</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="293" />
      <source>This working copy belongs to county {0}, not {1}</source>
      <translation>此工作库属于县 {0}，不是 {1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="346" />
      <source>The platform sent an unusable account: {0}</source>
      <translation>平台返回的账号无法使用：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="359" />
      <location filename="../forestry_plugin/processing/algs/sync_algs.py" line="82" />
      <location filename="../forestry_plugin/processing/algs/sync_algs.py" line="107" />
      <source>Logged in as {0}</source>
      <translation>已登录：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="402" />
      <source>Local changes: {0} new, {1} changed, {2} deleted; {3} conflicts, {4} rejected</source>
      <translation>本地变化：新增 {0}，修改 {1}，删除 {2}；冲突 {3}，被拒绝 {4}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="417" />
      <location filename="../forestry_plugin/gui/sync_panel.py" line="418" />
      <source>deleted</source>
      <translation>已删除</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="424" />
      <source>Last {0} at {1}: pulled {2}, pushed {3} (accepted {4}, conflicts {5}, rejected {6}){7}</source>
      <translation>最近一次{0}于 {1}：下载 {2}，上传 {3}（接受 {4}，冲突 {5}，拒绝 {6}）{7}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="426" />
      <source>download</source>
      <translation>下载</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="426" />
      <source>upload</source>
      <translation>上传</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="446" />
      <source>The patches layer has unsaved edits. Save them first?</source>
      <translation>图斑图层有未保存的编辑。是否先保存？</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="449" />
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="467" />
      <source>Could not save the edits: {0}</source>
      <translation>无法保存编辑：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="501" />
      <source>pulled {0} (conflicts {1})</source>
      <translation>已下载 {0}（冲突 {1}）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="502" />
      <source>pushed {0}: accepted {1}, conflicts {2}, rejected {3}</source>
      <translation>已上传 {0}：接受 {1}，冲突 {2}，拒绝 {3}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="511" />
      <source>Select a conflict first</source>
      <translation>请先选择一个冲突</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="527" />
      <source>Kept your version; it is sent with the next upload</source>
      <translation>已保留本地版本；将随下次上传发送</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="528" />
      <source>Took the platform's version</source>
      <translation>已采用平台版本</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="546" />
      <source>Platform sync</source>
      <translation>平台同步</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/sync_panel.py" line="546" />
      <source>Upload to and download from the provincial platform</source>
      <translation>与省级平台上传下载</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="71" />
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="239" />
      <source>Forestry review</source>
      <translation>林业审核</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="95" />
      <source>Your platform account decides which patches await you and what you may do. Log in in the platform sync panel.</source>
      <translation>您的平台账号决定哪些图斑待您处理以及您能做什么。请在平台同步面板中登录。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="115" />
      <source>◀ Previous</source>
      <translation>◀ 上一个</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="116" />
      <source>Previous patch in the queue (P)</source>
      <translation>队列中的上一个图斑（P）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="117" />
      <source>Next ▶</source>
      <translation>下一个 ▶</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="118" />
      <source>Next patch in the queue (N)</source>
      <translation>队列中的下一个图斑（N）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="132" />
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="136" />
      <source>Confirm</source>
      <translation>确认</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="135" />
      <source>Stage the patch moves to</source>
      <translation>图斑流转到的阶段</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="137" />
      <source>Move the patch to the chosen stage (C)</source>
      <translation>将图斑流转到所选阶段（C）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="138" />
      <source>To:</source>
      <translation>到：</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="143" />
      <source>Return for rectification</source>
      <translation>退回整改</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="146" />
      <source>National rejection reason</source>
      <translation>国家规定的退回原因</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="147" />
      <source>— choose a reason —</source>
      <translation>— 请选择原因 —</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="151" />
      <source>Stage the patch goes back to</source>
      <translation>图斑退回到的阶段</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="153" />
      <source>Comment (required for "other")</source>
      <translation>意见（原因为“其他”时必填）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="154" />
      <source>Return</source>
      <translation>退回</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="155" />
      <source>Send the patch back to the chosen stage with the reason (R)</source>
      <translation>按所选原因将图斑退回到所选阶段（R）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="157" />
      <source>Reason:</source>
      <translation>原因：</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="160" />
      <source>Back to:</source>
      <translation>退回到：</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="171" />
      <location filename="../forestry_plugin/processing/algs/mapreport.py" line="48" />
      <source>Base map</source>
      <translation>底图</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="172" />
      <source>Show the land base map under the patches</source>
      <translation>在图斑下方显示国土底图</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="173" />
      <source>Imagery</source>
      <translation>影像</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="174" />
      <source>Show the XYZ imagery layer of the project under everything</source>
      <translation>在最底层显示工程中的 XYZ 影像图层</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="176" />
      <source>Reload the queue and the workflow configuration</source>
      <translation>重新加载审核队列和流程配置</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="183" />
      <source>History</source>
      <translation>历史记录</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="186" />
      <source>When (UTC) / who</source>
      <translation>时间（UTC）/ 操作人</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="186" />
      <source>Change / reason</source>
      <translation>变更 / 原因</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="269" />
      <source>offline: your moves stay pending until the platform accepts them</source>
      <translation>离线：您的操作在平台确认前处于待确认状态</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="272" />
      <source>no platform login: local technician; log in to review</source>
      <translation>未登录平台：本地技术人员；登录后才能审核</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="273" />
      <source>You are: {0}</source>
      <translation>当前身份：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="283" />
      <source>{0} (pending)</source>
      <translation>{0}（待确认）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="284" />
      <source>Moved here by {0}; waits for the platform to accept it at the next sync</source>
      <translation>由 {0} 转入此阶段；待平台在下次同步时确认</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="287" />
      <source>{0} ✘ refused by the platform</source>
      <translation>{0} ✘ 平台拒绝</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="305" />
      <source>Your role ({0}) reviews no patches</source>
      <translation>您的角色（{0}）不审核图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="308" />
      <source>{0} patch(es) awaiting review by {1}</source>
      <translation>{0} 个图斑等待“{1}”审核</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="376" />
      <source>Nothing to review.</source>
      <translation>没有待审核的图斑。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="389" />
      <source>Moved to {0} by {1}: pending until the platform accepts it</source>
      <translation>已由 {1} 转到 {0}：待平台确认</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="396" />
      <source>The platform refused the move to {0}: {1}</source>
      <translation>平台拒绝转到 {0}：{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="403" />
      <source>Ready to confirm</source>
      <translation>可以确认</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="420" />
      <source>Returned: {0}</source>
      <translation>已退回：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="422" />
      <source>Back to the platform's stage: {0}</source>
      <translation>恢复为平台上的阶段：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="425" />
      <source>pending</source>
      <translation>待确认</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="427" />
      <source>refused</source>
      <translation>已拒绝</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="461" />
      <source>The patches layer has unsaved edits. Save them before changing stages?</source>
      <translation>图斑图层有未保存的编辑。是否先保存再流转阶段？</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="464" />
      <source>Nothing changed: save or discard the edits of the patches layer first</source>
      <translation>未做任何更改：请先保存或放弃图斑图层的编辑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="495" />
      <source>Refused: {0}</source>
      <translation>被拒绝：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="512" />
      <source>Choose a reason for the return</source>
      <translation>请选择退回原因</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="587" />
      <source>Review</source>
      <translation>审核</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/gui/workflow_dock.py" line="587" />
      <source>Show the review panel: queue, confirm / return, history</source>
      <translation>显示审核面板：队列、确认/退回、历史记录</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/i18n.py" line="23" />
      <source>en</source>
      <translation>zh</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/plugin.py" line="76" />
      <source>The installed shapely cannot run inside QGIS ({0}): it would crash QGIS, so the checks and editing tools stay off. Rebuild it against QGIS's GEOS: {1}, then restart QGIS.</source>
      <translation>已安装的 shapely 不能在 QGIS 中运行（{0}）：它会使 QGIS 崩溃，因此检查和编辑工具不启用。请针对 QGIS 使用的 GEOS 重新编译安装：{1}，然后重启 QGIS。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/plugin.py" line="82" />
      <source>Some features need Python packages that QGIS's Python lacks: {0}. Install them with: {1} (on Windows in the OSGeo4W Shell), then restart QGIS.</source>
      <translation>部分功能需要 QGIS 的 Python 中缺少的软件包：{0}。请用以下命令安装：{1}（Windows 下在 OSGeo4W Shell 中执行），然后重启 QGIS。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/plugin.py" line="97" />
      <source>Could not start {0}: {1}</source>
      <translation>无法启动 {0}：{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/plugin.py" line="123" />
      <source>Could not unload {0}: {1}</source>
      <translation>无法卸载 {0}：{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/checkpatches.py" line="61" />
      <source>Check patches</source>
      <translation>图斑质检</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/checkpatches.py" line="70" />
      <source>Runs the check rules (invalid geometry, minimum area, slivers, overlaps between patches, basic farmland, cropland, built-up land/water, existing forest, administrative unit, earlier years' patches, attribute area, attributes, CRS) on a polygon layer against a base map. Any polygon layer works: missing fields give 'attribute' findings and the geometry rules still run. Layers in other CRSs are reprojected to the patch layer's CGCS2000 Gauss-Kruger CRS (or the GK zone of the data). Areas are ellipsoidal (CGCS2000). Output: one feature per finding, geometry = where the problem is.</source>
      <translation>对面图层对照底图运行质检规则（几何无效、最小面积、碎片、图斑间重叠、永久基本农田、耕地、建设用地/水域、现有林地、行政区、往年图斑、属性面积、属性、坐标系）。任何面图层均可：缺少字段时给出“属性”问题，几何规则照常运行。其他坐标系的图层会重投影到图斑图层的 CGCS2000 高斯-克吕格坐标系（或数据所在的投影带）。面积为 CGCS2000 椭球面积。输出：每个问题一个要素，几何为问题所在位置。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/checkpatches.py" line="83" />
      <source>Base map (land classes)</source>
      <translation>底图（地类）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/checkpatches.py" line="84" />
      <source>Land-class field of the base map</source>
      <translation>底图地类字段</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/checkpatches.py" line="86" />
      <source>Patch ID field</source>
      <translation>图斑标识字段</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/checkpatches.py" line="88" />
      <location filename="../forestry_plugin/processing/algs/mapreport.py" line="49" />
      <source>Administrative units</source>
      <translation>行政区划</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/checkpatches.py" line="89" />
      <source>Permanent basic farmland</source>
      <translation>永久基本农田</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/checkpatches.py" line="91" />
      <source>Earlier years' patches</source>
      <translation>往年造林图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/checkpatches.py" line="93" />
      <source>Rules profile (JSON)</source>
      <translation>质检规则配置（JSON）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/checkpatches.py" line="96" />
      <source>Report (xlsx)</source>
      <translation>报告（xlsx）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/checkpatches.py" line="161" />
      <source>Patches and base map layers are required</source>
      <translation>必须提供图斑图层和底图图层</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/checkpatches.py" line="172" />
      <source>Cannot read the rules profile {0}: {1}</source>
      <translation>无法读取质检规则配置 {0}：{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/checkpatches.py" line="177" />
      <source>Checking in {0} (patch layer is in {1})</source>
      <translation>在 {0} 下质检（图斑图层坐标系为 {1}）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/checkpatches.py" line="181" />
      <source>The patch layer has no field {0}: feature ids are used</source>
      <translation>图斑图层没有字段 {0}：使用要素 ID</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/checkpatches.py" line="183" />
      <source>The base map has no land-class field {0}</source>
      <translation>底图没有地类字段 {0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/checkpatches.py" line="205" />
      <source>The administrative layer has no field 'code': the outside_admin rule is skipped</source>
      <translation>行政区划图层没有 code 字段：跳过“超出行政区”规则</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/checkpatches.py" line="249" />
      <source>{0} findings: {1}</source>
      <translation>{0} 个问题：{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/create_working_copy.py" line="27" />
      <source>Create working copy</source>
      <translation>新建工作库</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/create_working_copy.py" line="36" />
      <source>Creates a working-copy GeoPackage with every table of the patch schema (patches, earlier years, base map, admin units, basic farmland, task quotas, check findings, exceptions, audit log) and default styles. With 'Sample county' it generates the deterministic sample county with labelled faults.</source>
      <translation>新建一个包含图斑数据模型全部表（造林图斑、往年图斑、底图、行政区划、永久基本农田、年度任务、质检问题、认可例外、审核日志）及默认样式的 GeoPackage 工作库。勾选“示例县”时生成带有已标注错误的确定性示例县数据。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/create_working_copy.py" line="45" />
      <source>CRS (CGCS2000)</source>
      <translation>坐标系（CGCS2000）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/create_working_copy.py" line="46" />
      <source>County code (6 digits)</source>
      <translation>县级行政区代码（6 位）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/create_working_copy.py" line="47" />
      <source>County name</source>
      <translation>县名称</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/create_working_copy.py" line="48" />
      <source>Sample county (generated, with faults)</source>
      <translation>示例县（自动生成，含错误）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/create_working_copy.py" line="49" />
      <source>Fault manifest</source>
      <translation>错误清单</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/create_working_copy.py" line="60" />
      <source>Sample county: {0} patches, {1} base-map parcels, {2} labelled faults</source>
      <translation>示例县：{0} 个图斑，{1} 个底图图斑，{2} 个已标注错误</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/create_working_copy.py" line="66" />
      <source>{0} is not a CGCS2000 CRS (EPSG:4490 or a CGCS2000 Gauss-Kruger zone)</source>
      <translation>{0} 不是 CGCS2000 坐标系（应为 EPSG:4490 或 CGCS2000 高斯-克吕格投影带）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/mapreport.py" line="26" />
      <source>County map (PDF)</source>
      <translation>县级专题图（PDF）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/mapreport.py" line="29" />
      <location filename="../forestry_plugin/processing/algs/progressreport.py" line="43" />
      <source>Reports</source>
      <translation>报表</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/mapreport.py" line="35" />
      <source>Exports an A3 map through a QGIS print layout: patches coloured by stage over the base map coloured by land class, administrative boundaries, legend, scale bar, north arrow, title, date and CRS.</source>
      <translation>通过 QGIS 打印布局导出 A3 专题图：按阶段着色的造林图斑叠加按地类着色的底图，含行政界线、图例、比例尺、指北针、标题、日期和坐标系。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/mapreport.py" line="50" />
      <source>Afforestation patches map</source>
      <translation>造林图斑分布图</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/mapreport.py" line="51" />
      <source>Map PDF</source>
      <translation>专题图 PDF</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/mapreport.py" line="51" />
      <source>PDF (*.pdf)</source>
      <translation>PDF (*.pdf)</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/mapreport.py" line="60" />
      <source>PATCHES and BASEMAP are required</source>
      <translation>必须提供 PATCHES 和 BASEMAP</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/progressreport.py" line="40" />
      <source>Progress report (Excel)</source>
      <translation>进度通报（Excel）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/progressreport.py" line="49" />
      <source>Per county or township: patch count and area at design stage, completed (accepted + included), confirmed and verified, the annual task and its completion, ranked. Areas are the declared patch areas in mu. Unit names come from ADMIN or from the working copy of PATCHES.</source>
      <translation>按县或乡镇统计：设计施工、已完成（造林验收 + 纳入造林）、已确认和已核查的图斑个数与面积，年度任务及完成率，并排名。面积为图斑申报面积（亩）。单位名称取自 ADMIN 或 PATCHES 所在的工作库。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/progressreport.py" line="59" />
      <source>Annual task quotas</source>
      <translation>年度造林任务</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/progressreport.py" line="61" />
      <source>Administrative units (names)</source>
      <translation>行政区划（名称）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/progressreport.py" line="63" />
      <source>Group by</source>
      <translation>统计单位</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/progressreport.py" line="65" />
      <source>Year (empty: the patches' most common year)</source>
      <translation>年度（留空则取图斑中最常见的年度）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/progressreport.py" line="69" />
      <source>Progress report</source>
      <translation>进度通报</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/progressreport.py" line="76" />
      <source>PATCHES and TASKS are required</source>
      <translation>必须提供 PATCHES 和 TASKS</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/progressreport.py" line="81" />
      <source>PATCHES lacks the fields {0}</source>
      <translation>PATCHES 缺少字段 {0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/progressreport.py" line="101" />
      <source>{0} units, year {1}: {2}</source>
      <translation>{0} 个单位，{1} 年：{2}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/sync_algs.py" line="26" />
      <source>Provincial platform</source>
      <translation>省级平台</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/sync_algs.py" line="32" />
      <source>Platform API URL</source>
      <translation>平台接口地址</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/sync_algs.py" line="34" />
      <source>Authentication (user name / password)</source>
      <translation>认证（用户名/密码）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/sync_algs.py" line="35" />
      <source>County code (empty: the working copy's)</source>
      <translation>县级代码（留空则使用工作库的）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/sync_algs.py" line="40" />
      <source>Summary</source>
      <translation>摘要</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/sync_algs.py" line="55" />
      <source>pulled {0}, pushed {1}: accepted {2}, conflicts {3}, rejected {4}</source>
      <translation>下载 {0}，上传 {1}：接受 {2}，冲突 {3}，拒绝 {4}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/sync_algs.py" line="69" />
      <source>Download from platform</source>
      <translation>从平台下载</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/sync_algs.py" line="72" />
      <source>Pulls the platform's changes since the last download into the working copy. Patches changed on both sides become conflicts to resolve in the upload/download panel; nothing is overwritten.</source>
      <translation>将平台自上次下载以来的变化下载到工作库。双方都修改过的图斑作为冲突，在上传下载面板中处理；不会覆盖任何数据。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/sync_algs.py" line="94" />
      <source>Upload to platform</source>
      <translation>上传到平台</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/sync_algs.py" line="97" />
      <source>Pushes local changes (new, changed and deleted patches, and the audit trail) in batches. An interrupted upload is resumed safely: nothing is applied twice.</source>
      <translation>分批上传本地变化（新增、修改和删除的图斑以及审核日志）。中断的上传可安全续传，不会重复提交。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/transition.py" line="45" />
      <source>PATCHES must be the patches layer of a working-copy GeoPackage</source>
      <translation>PATCHES 必须是工作库 GeoPackage 中的造林图斑图层</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/transition.py" line="57" />
      <source>Stage transition / return</source>
      <translation>阶段流转 / 退回</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/transition.py" line="60" />
      <source>Workflow</source>
      <translation>审核流程</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/transition.py" line="66" />
      <source>Moves the patches matching SELECTION to TARGET stage as you: the account of your last platform login to this working copy (cached for offline work), else a local county technician. A target earlier than a patch's stage is a return for rectification and needs a REASON (and a COMMENT for "other"). Preconditions (your role allowed by the platform's workflow policy, no skipped stage, required attributes, survival rate, fresh checks without open errors, area consistent) are checked for every patch; if any patch is refused nothing changes. Every change is written to the audit log and stays pending until the platform accepts it at the next sync.</source>
      <translation>以您的身份将符合 SELECTION 的图斑转到 TARGET 阶段：身份为您最近一次登录平台时的账号（离线时使用缓存），否则为本地县级技术人员。目标早于图斑当前阶段即为退回整改，须填写 REASON（原因为“其他”时还须填写 COMMENT）。每个图斑都会检查前提条件（平台工作流策略允许您的角色、不跳过阶段、必填属性、成活率、检查结果为最新且无未处理错误、面积一致）；任一图斑被拒绝则不做任何更改。每次更改都写入审核日志，并在平台于下次同步时确认之前处于待确认状态。</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/transition.py" line="82" />
      <source>Patches (working copy)</source>
      <translation>造林图斑（工作库）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/transition.py" line="84" />
      <source>Selection (expression)</source>
      <translation>选择条件（表达式）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/transition.py" line="86" />
      <source>Target stage</source>
      <translation>目标阶段</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/transition.py" line="88" />
      <source>Return reason</source>
      <translation>退回原因</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/transition.py" line="90" />
      <source>Comment</source>
      <translation>意见</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/transition.py" line="92" />
      <source>Per-patch report</source>
      <translation>逐图斑报告</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/transition.py" line="94" />
      <source>Report (JSON)</source>
      <translation>报告（JSON）</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/transition.py" line="95" />
      <source>JSON (*.json)</source>
      <translation>JSON (*.json)</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/transition.py" line="97" />
      <source>Applied</source>
      <translation>已生效</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/transition.py" line="98" />
      <source>Patches selected</source>
      <translation>选中的图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/transition.py" line="99" />
      <source>Patches changed</source>
      <translation>已更改的图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/transition.py" line="100" />
      <source>Patches refused</source>
      <translation>被拒绝的图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/transition.py" line="106" />
      <source>The patches layer has unsaved edits: save or discard them first</source>
      <translation>图斑图层有未保存的编辑：请先保存或放弃</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/transition.py" line="119" />
      <source>Invalid selection expression: {0}</source>
      <translation>选择表达式无效：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/transition.py" line="124" />
      <source>{0} patch(es) selected</source>
      <translation>已选择 {0} 个图斑</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/transition.py" line="127" />
      <source>Acting as {0}</source>
      <translation>当前身份：{0}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/algs/transition.py" line="132" />
      <source>{0}: {1}</source>
      <translation>{0}：{1}</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/provider.py" line="30" />
      <source>Forestry afforestation mapping</source>
      <translation>林业造林落地上图</translation>
    </message>
    <message>
      <location filename="../forestry_plugin/processing/provider.py" line="44" />
      <source>Could not load algorithm {0}: {1}</source>
      <translation>无法加载算法 {0}：{1}</translation>
    </message>
  </context>
</TS>

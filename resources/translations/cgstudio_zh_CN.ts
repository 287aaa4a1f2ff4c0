<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>AutogradDock</name>
    <message>
        <source>Autograd graph</source>
        <extracomment>Larger graphs get a message instead of a drawing: layout and painting stay instant (the evaluator lists no more than this, see AUTOGRAD_RECORD_LIMIT). Boxes never grow beyond this zoom when a small graph is fitted into a large dock. A vertex of the drawing: a grad_fn key, or (key, slot) for the None operand in that slot.</extracomment>
        <translation>反向计算图</translation>
    </message>
    <message>
        <source>The graph the derivative %1 recorded (create_graph=True): a grad node wired to %1 differentiates it again.</source>
        <extracomment>what the drawing is, above it: the output&apos;s backward graph or a derivative&apos;s the grad node whose derivative graph is drawn (None: the output&apos;s backward graph)</extracomment>
        <translation>导数 %1 记录下的计算图（create_graph=True）：连到 %1 的 grad 节点会对它再求导。</translation>
    </message>
    <message>
        <source>Set an output node to see the backward graph</source>
        <translation>设置一个输出节点即可查看反向计算图</translation>
    </message>
    <message>
        <source>The output %1 has an error, so backward did not run.</source>
        <translation>输出 %1 出错，因此没有运行 backward。</translation>
    </message>
    <message>
        <source>The output %1 has no grad_fn, so backward records no graph: it is a leaf or nothing it depends on requires grad.</source>
        <translation>输出 %1 没有 grad_fn，backward 不会记录计算图：它是叶子节点，或者它依赖的张量都不需要梯度。</translation>
    </message>
    <message>
        <source>Graph too large to draw: %1 grad_fn nodes (at most %2 are drawn).</source>
        <translation>计算图太大，无法绘制：共 %1 个 grad_fn 节点（最多绘制 %2 个）。</translation>
    </message>
    <message>
        <source>%1: an inner step of a composite operation</source>
        <translation>%1：复合运算的内部步骤</translation>
    </message>
    <message>
        <source>AccumulateGrad: adds the incoming gradient into %1.grad</source>
        <translation>AccumulateGrad：把传入的梯度累加到 %1.grad</translation>
    </message>
    <message>
        <source>%1 = %2.grad_fn</source>
        <translation>%1 = %2.grad_fn</translation>
    </message>
</context>
<context>
    <name>BlackScreen</name>
    <message>
        <source>&amp;Black Screen</source>
        <translation>黑屏(&amp;B)</translation>
    </message>
</context>
<context>
    <name>CanvasMenu</name>
    <message>
        <source>Set as output (backward from here)</source>
        <translation>设为输出（从这里开始反向传播）</translation>
    </message>
    <message>
        <source>Toggle retain_grad</source>
        <translation>切换 retain_grad</translation>
    </message>
    <message>
        <source>Toggle in place (%1_)</source>
        <translation>切换原地操作（%1_）</translation>
    </message>
    <message>
        <source>Toggle requires_grad</source>
        <translation>切换 requires_grad</translation>
    </message>
    <message>
        <source>Expand</source>
        <translation>展开</translation>
    </message>
    <message>
        <source>Show the layer as the operations it computes: x @ W.t() + b</source>
        <translation>把这一层展开成它所做的运算：x @ W.t() + b</translation>
    </message>
    <message>
        <source>Edit %1...</source>
        <translation>编辑 %1...</translation>
    </message>
    <message>
        <source>Rename...</source>
        <translation>重命名...</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Edit text</source>
        <translation>编辑文字</translation>
    </message>
    <message>
        <source>Add node</source>
        <translation>添加节点</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>注释</translation>
    </message>
    <message>
        <source>Add note</source>
        <translation>添加注释</translation>
    </message>
    <message>
        <source>Tidy up</source>
        <translation>整理布局</translation>
    </message>
    <message>
        <source>Fit all</source>
        <translation>适应窗口</translation>
    </message>
    <message>
        <source>Rename</source>
        <translation>重命名</translation>
    </message>
    <message>
        <source>New name:</source>
        <translation>新名称：</translation>
    </message>
    <message>
        <source>New values (the shape stays):</source>
        <translation>新的数值（形状保持不变）：</translation>
    </message>
    <message>
        <source>Not accepted: %1
New values (the shape stays):</source>
        <translation>未被接受：%1
新的数值（形状保持不变）：</translation>
    </message>
</context>
<context>
    <name>CodeActions</name>
    <message>
        <source>&amp;Import Code…</source>
        <translation>导入代码(&amp;I)…</translation>
    </message>
    <message>
        <source>Export &amp;Code…</source>
        <translation>导出代码(&amp;C)…</translation>
    </message>
    <message>
        <source>Paste Co&amp;de</source>
        <translation>粘贴代码(&amp;D)</translation>
    </message>
    <message>
        <source>Ctrl+Shift+V</source>
        <translation>Ctrl+Shift+V</translation>
    </message>
    <message>
        <source>Cannot read %1:
%2</source>
        <translation>无法读取 %1：
%2</translation>
    </message>
    <message>
        <source>The clipboard holds no code to paste</source>
        <translation>剪贴板中没有可粘贴的代码</translation>
    </message>
    <message>
        <source>the clipboard</source>
        <translation>剪贴板</translation>
    </message>
    <message>
        <source>Cannot import the code of %1:
%2</source>
        <translation>无法导入 %1 的代码：
%2</translation>
    </message>
    <message>
        <source>The code on the clipboard makes no nodes</source>
        <translation>剪贴板上的代码没有生成节点</translation>
    </message>
    <message>
        <source>Pasted the code of the clipboard: nodes %1</source>
        <translation>已粘贴剪贴板上的代码：节点 %1 个</translation>
    </message>
    <message>
        <source>Imported the code of %1</source>
        <translation>已导入 %1 的代码</translation>
    </message>
    <message>
        <source>Cannot export %1:
%2</source>
        <translation>无法导出 %1：
%2</translation>
    </message>
    <message>
        <source>Exported %1</source>
        <translation>已导出 %1</translation>
    </message>
    <message>
        <source>Import Code</source>
        <translation>导入代码</translation>
    </message>
    <message>
        <source>Python code (*.py);;All files (*)</source>
        <translation>Python 代码 (*.py);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Export Code</source>
        <translation>导出代码</translation>
    </message>
    <message>
        <source>Python code (*.py)</source>
        <translation>Python 代码 (*.py)</translation>
    </message>
</context>
<context>
    <name>CodeDock</name>
    <message>
        <source>Code</source>
        <extracomment>Point size of the code: it is read from the back of a classroom, on a projector. Edits come in bursts (a drag of the value spin box, a macro); the code follows once per burst. How often the GUI thread looks for work done in the worker thread. A pause in typing this long reads the code and updates the graph. A reading of the code that took longer than this moves the next ones to the worker thread. Above this many nodes the exporter&apos;s script is not read for the console until edited.</extracomment>
        <translation>代码</translation>
    </message>
    <message>
        <source>Console: what print() shows under PyTorch</source>
        <translation>控制台：在 PyTorch 下 print() 的输出</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Copy the code to the clipboard</source>
        <translation>把代码复制到剪贴板</translation>
    </message>
    <message>
        <source>Type PyTorch code: the graph follows. Runs with PyTorch, or with cgengine as torch.</source>
        <translation>输入 PyTorch 代码，计算图随之更新。可用 PyTorch 运行，也可把 cgengine 当作 torch 运行。</translation>
    </message>
    <message>
        <source>%1 (the graph shows the code as it last imported)</source>
        <translation>%1（计算图显示的是上次成功导入的代码）</translation>
    </message>
    <message>
        <source>Code copied to the clipboard</source>
        <translation>代码已复制到剪贴板</translation>
    </message>
</context>
<context>
    <name>ComparisonDock</name>
    <message>
        <source>Dynamic vs static</source>
        <translation>动态与静态</translation>
    </message>
    <message>
        <source>dynamic (the graph as it is now)</source>
        <extracomment>the two runs shown (left: dynamic), None when there is nothing to compare</extracomment>
        <translation>动态（当前的计算图）</translation>
    </message>
    <message>
        <source>static (the last Run, traced)</source>
        <translation>静态（上一次运行，已追踪）</translation>
    </message>
    <message>
        <source>static (the last Run)</source>
        <translation>静态（上一次运行）</translation>
    </message>
    <message>
        <source>dynamic (the branch the data takes)</source>
        <translation>动态（数据所走的分支）</translation>
    </message>
    <message>
        <source>traced (the branch taken when traced)</source>
        <translation>追踪（追踪时所走的分支）</translation>
    </message>
    <message>
        <source>Trace a graph with a branch node (Graph &gt; Trace the Branches), or make it static (Graph &gt; Static Graph) and Run it, to compare the two runs here.</source>
        <translation>追踪一个含分支节点的计算图（图 &gt; 追踪分支），或把它设为静态图（图 &gt; 静态图）并运行，即可在这里比较两次运行。</translation>
    </message>
    <message>
        <source>The two runs differ at: %1</source>
        <translation>两次运行在这些节点上不同：%1</translation>
    </message>
    <message>
        <source>The two runs agree.</source>
        <translation>两次运行结果一致。</translation>
    </message>
</context>
<context>
    <name>ConsoleView</name>
    <message>
        <source>cannot show this print without running the code: %1</source>
        <translation>不运行代码就无法显示这个 print：%1</translation>
    </message>
    <message>
        <source>hidden while the class predicts</source>
        <translation>课堂预测期间隐藏</translation>
    </message>
    <message>
        <source>line %1: %2</source>
        <translation>第 %1 行：%2</translation>
    </message>
</context>
<context>
    <name>ExampleGallery</name>
    <message>
        <source>Examples</source>
        <extracomment>QSettings key: show the gallery as the start page</extracomment>
        <translation>示例</translation>
    </message>
    <message>
        <source>Show the examples when CG Studio starts</source>
        <translation>启动 CG Studio 时显示示例</translation>
    </message>
    <message>
        <source>Example</source>
        <translation>示例</translation>
    </message>
    <message>
        <source>What it shows</source>
        <translation>演示内容</translation>
    </message>
    <message>
        <source>Each example opens as a copy: your changes never overwrite it.</source>
        <translation>每个示例都以副本打开：你的修改不会覆盖原示例。</translation>
    </message>
</context>
<context>
    <name>FormulaPanel</name>
    <message>
        <source>Walkthrough</source>
        <extracomment>Play speed: the slider gives steps per 10 seconds; the timer waits 10 s / speed per step.</extracomment>
        <translation>逐步演示</translation>
    </message>
</context>
<context>
    <name>GalleryActions</name>
    <message>
        <source>&amp;Examples…</source>
        <translation>示例库(&amp;E)…</translation>
    </message>
    <message>
        <source>Cannot open %1:
%2</source>
        <translation>无法打开 %1：
%2</translation>
    </message>
    <message>
        <source>Opened %1</source>
        <translation>已打开 %1</translation>
    </message>
</context>
<context>
    <name>GraphScene</name>
    <message>
        <source>%1 (output of %2)</source>
        <extracomment>The scene reaches this far around the items, so the view can pan freely. How far around a view the items counted as in sight reach (scene units). A new card&apos;s spot is looked for this many grid steps around the view&apos;s centre, this far from any other card or note. A card growing to the right stops this far short of the next card&apos;s input ports. How long the sweep of the items out of sight may hold the event loop per turn (seconds). The cell of the cards&apos; index, and how far above a card the top of a card beside it may lie. Snap dragged items to the grid (the view sets both flags). the gradient pills of all wires, drawn in one pass cards to settle (numbers formatted, height taken) once the current paint is over, and where cards moved to (the cards on their left may have to give way) the items out of sight still to take the latest result (see apply_result)</extracomment>
        <translation>%1（%2 的输出）</translation>
    </message>
    <message>
        <source>not connected: wire a tensor here</source>
        <translation>未连接：请把一个张量连到这里</translation>
    </message>
    <message>
        <source>unwired: the number %1</source>
        <translation>未连线：使用数值 %1</translation>
    </message>
</context>
<context>
    <name>GraphView</name>
    <message>
        <source>Add nodes from the palette, or double-click the canvas and type. Drag from an output port (right) to an input port (left) to wire them.</source>
        <extracomment>MIME type of a palette entry being dragged; the payload is the registry type name (UTF-8). Fit all never magnifies beyond this (a three-node graph would fill the screen). The canvas hint&apos;s widest width and its distance from the corner (pixels). The size a pasted or added card is reckoned with before it is drawn. Space pressed and released without panning: a presenter clicker&apos;s &quot;next&quot; (the walkthrough listens); Space held while dragging pans, as before.</extracomment>
        <translation>从左侧节点库添加节点，或双击画布后输入名称。从输出端口（右侧）拖到输入端口（左侧）即可连线。</translation>
    </message>
    <message>
        <source>Static graph: define it first, then run it. Edits wait for Graph &gt; Run (F5); the numbers are those of the last Run.</source>
        <translation>静态图：先定义，再运行。修改要等到 图 &gt; 运行（F5）才生效；显示的是上一次运行的数值。</translation>
    </message>
    <message>
        <source>No output yet: backward starts from the node marked output. Right-click a result and choose Set as output.</source>
        <translation>还没有输出节点：backward 从标为输出的节点开始。右键单击一个结果，选择“设为输出”。</translation>
    </message>
    <message>
        <source>Backward starts at %1, the newest result. Right-click another node and choose Set as output to start there.</source>
        <translation>backward 从最新的结果 %1 开始。右键单击另一个节点并选择“设为输出”，即可从那里开始。</translation>
    </message>
</context>
<context>
    <name>InspectorDock</name>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Inspector</source>
        <translation>属性</translation>
    </message>
    <message>
        <source>Select one node to inspect it.</source>
        <extracomment>node id -&gt; &quot;all&quot; (value, grad and grad_fn) or &quot;grad&quot;: answers hidden while predicting a layer&apos;s parameter tensors: their value fields, and their value and .grad views</extracomment>
        <translation>选中一个节点即可查看它的属性。</translation>
    </message>
    <message>
        <source>Node</source>
        <translation>节点</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>dtype</source>
        <translation>dtype</translation>
    </message>
    <message>
        <source>unnamed</source>
        <translation>未命名</translation>
    </message>
    <message>
        <source>The module&apos;s name in code, as in net = nn.Linear(2, 1)</source>
        <translation>模块在代码中的名字，如 net = nn.Linear(2, 1) 中的 net</translation>
    </message>
    <message>
        <source>Module name</source>
        <translation>模块名</translation>
    </message>
    <message>
        <source>%1 (unwired)</source>
        <translation>%1（未连线）</translation>
    </message>
    <message>
        <source>in place: %1_</source>
        <translation>原地操作：%1_</translation>
    </message>
    <message>
        <source>Change the first input&apos;s tensor instead of making a new one; torch refuses it on a leaf that requires grad, or on a tensor backward still needs</source>
        <translation>直接修改第一个输入的张量，而不是生成新张量；对需要梯度的叶子节点，或 backward 仍需要的张量，torch 会拒绝</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>数值</translation>
    </message>
    <message>
        <source>Shape, e.g. 2, 3</source>
        <translation>形状，例如 2, 3</translation>
    </message>
    <message>
        <source>seed </source>
        <translation>种子 </translation>
    </message>
    <message>
        <source>randn seed: the same seed gives the same values</source>
        <translation>randn 的随机种子：种子相同，生成的数值就相同</translation>
    </message>
    <message>
        <source>Fill</source>
        <translation>填充</translation>
    </message>
    <message>
        <source>Initialise</source>
        <translation>初始化</translation>
    </message>
    <message>
        <source>Backward</source>
        <translation>反向传播</translation>
    </message>
    <message>
        <source>None (a scalar output)</source>
        <translation>None（标量输出）</translation>
    </message>
    <message>
        <source>loss.backward(gradient=...): the weight of each element of a non-scalar output, e.g. [1., 2.]</source>
        <translation>loss.backward(gradient=...)：非标量输出中每个元素的权重，例如 [1., 2.]</translation>
    </message>
    <message>
        <source>gradient</source>
        <translation>gradient</translation>
    </message>
    <message>
        <source>passes</source>
        <translation>调用次数</translation>
    </message>
    <message>
        <source>Backward again</source>
        <translation>再次反向传播</translation>
    </message>
    <message>
        <source>Zero grad</source>
        <translation>梯度清零</translation>
    </message>
    <message>
        <source>The values of this parameter tensor (a leaf that requires grad)</source>
        <translation>这个参数张量的值（一个 requires_grad 的叶子节点）</translation>
    </message>
    <message>
        <source>Autograd</source>
        <translation>自动求导</translation>
    </message>
    <message>
        <source>error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>warning</source>
        <translation>警告</translation>
    </message>
    <message>
        <source>value</source>
        <translation>数值（value）</translation>
    </message>
    <message>
        <source>grad</source>
        <translation>梯度（grad）</translation>
    </message>
    <message>
        <source>backward</source>
        <translation>backward</translation>
    </message>
    <message>
        <source>zero_grad</source>
        <translation>zero_grad</translation>
    </message>
    <message>
        <source>not computed: %1 failed</source>
        <translation>未计算：%1 出错</translation>
    </message>
    <message>
        <source>torch keeps .grad only on leaves; tick retain_grad to keep this node&apos;s gradient, %1.</source>
        <translation>torch 只在叶子节点上保留 .grad；勾选 retain_grad 可以保留这个节点的梯度，%1。</translation>
    </message>
    <message>
        <source>a scalar node holds one number, such as 1 or 0.5</source>
        <translation>标量节点只能保存一个数，例如 1 或 0.5</translation>
    </message>
    <message>
        <source>Not a value: %1</source>
        <translation>不是有效的数值：%1</translation>
    </message>
</context>
<context>
    <name>LocalDerivatives</name>
    <message>
        <source>Show &amp;Local Derivatives on Wires</source>
        <translation>在连线上显示局部导数(&amp;L)</translation>
    </message>
    <message>
        <source>Write d(output of the op)/d(input) beside the gradient on each wire</source>
        <translation>在每条连线的梯度旁写出 d(运算的输出)/d(输入)</translation>
    </message>
</context>
<context>
    <name>LossChart</name>
    <message>
        <source>step</source>
        <extracomment>A run is split into ticks of at least this many steps (more for long runs, so that any run animates in about RUN_TICKS ticks), each tick stopping early after TICK_BUDGET seconds. The steps an empty loss chart spans.</extracomment>
        <translation>步数</translation>
    </message>
    <message>
        <source>loss</source>
        <translation>损失</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Untitled</source>
        <extracomment>The room a node added from the palette is given (a new card is about this large). The menus&apos; sections, in order: (section, whether a separator comes before it). A feature adds its entries to the end of a section by name (``MainWindow.add_to_menu``).</extracomment>
        <translation>未命名</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>History</source>
        <extracomment>every action with a key, for the shortcuts dialog (and the tests)</extracomment>
        <translation>历史记录</translation>
    </message>
    <message>
        <source>&lt;opened document&gt;</source>
        <translation>&lt;打开的文档&gt;</translation>
    </message>
    <message>
        <source>&amp;New</source>
        <translation>新建(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Open…</source>
        <translation>打开(&amp;O)…</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <source>Save &amp;As…</source>
        <translation>另存为(&amp;A)…</translation>
    </message>
    <message>
        <source>&amp;Export Image…</source>
        <translation>导出图片(&amp;E)…</translation>
    </message>
    <message>
        <source>Ctrl+E</source>
        <translation>Ctrl+E</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>撤销(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>重做(&amp;R)</translation>
    </message>
    <message>
        <source>Ctrl+Shift+Z</source>
        <translation>Ctrl+Shift+Z</translation>
    </message>
    <message>
        <source>Ctrl+Y</source>
        <translation>Ctrl+Y</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>重做</translation>
    </message>
    <message>
        <source>Cu&amp;t</source>
        <translation>剪切(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>复制(&amp;C)</translation>
    </message>
    <message>
        <source>Copy &amp;Image</source>
        <translation>复制为图片(&amp;I)</translation>
    </message>
    <message>
        <source>Ctrl+Shift+C</source>
        <translation>Ctrl+Shift+C</translation>
    </message>
    <message>
        <source>&amp;Paste</source>
        <translation>粘贴(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Duplicate</source>
        <translation>创建副本(&amp;D)</translation>
    </message>
    <message>
        <source>Ctrl+D</source>
        <translation>Ctrl+D</translation>
    </message>
    <message>
        <source>&amp;Delete</source>
        <translation>删除(&amp;D)</translation>
    </message>
    <message>
        <source>Select &amp;All</source>
        <translation>全选(&amp;A)</translation>
    </message>
    <message>
        <source>Re&amp;name</source>
        <translation>重命名(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Fit All</source>
        <translation>适应窗口(&amp;F)</translation>
    </message>
    <message>
        <source>Zoom &amp;In</source>
        <translation>放大(&amp;I)</translation>
    </message>
    <message>
        <source>Ctrl+=</source>
        <translation>Ctrl+=</translation>
    </message>
    <message>
        <source>Zoom &amp;Out</source>
        <translation>缩小(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Reset Zoom</source>
        <translation>重置缩放(&amp;R)</translation>
    </message>
    <message>
        <source>Ctrl+0</source>
        <translation>Ctrl+0</translation>
    </message>
    <message>
        <source>&amp;Snap to Grid</source>
        <translation>对齐网格(&amp;S)</translation>
    </message>
    <message>
        <source>Follow &amp;System</source>
        <translation>跟随系统(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Light</source>
        <translation>浅色(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Dark</source>
        <translation>深色(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Tidy Up</source>
        <translation>整理布局(&amp;T)</translation>
    </message>
    <message>
        <source>Ctrl+L</source>
        <translation>Ctrl+L</translation>
    </message>
    <message>
        <source>Add &amp;Note</source>
        <translation>添加注释(&amp;N)</translation>
    </message>
    <message>
        <source>Ctrl+Shift+N</source>
        <translation>Ctrl+Shift+N</translation>
    </message>
    <message>
        <source>Set &amp;Output</source>
        <translation>设为输出(&amp;O)</translation>
    </message>
    <message>
        <source>Ctrl+B</source>
        <translation>Ctrl+B</translation>
    </message>
    <message>
        <source>&amp;About CG Studio</source>
        <translation>关于 CG Studio(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Keyboard Shortcuts</source>
        <translation>快捷键(&amp;K)</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <source>Open E&amp;xample</source>
        <translation>打开示例(&amp;X)</translation>
    </message>
    <message>
        <source>PNG image (*.png);;SVG drawing (*.svg);;PDF handout (*.pdf)</source>
        <translation>PNG 图片 (*.png);;SVG 矢量图 (*.svg);;PDF 讲义 (*.pdf)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Theme</source>
        <translation>主题(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Graph</source>
        <translation>计算图(&amp;G)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>%1[*] — CG Studio</source>
        <translation>%1[*] — CG Studio</translation>
    </message>
    <message>
        <source>1 node evaluated</source>
        <translation>已计算 1 个节点</translation>
    </message>
    <message>
        <source>%1 nodes evaluated</source>
        <translation>已计算 %1 个节点</translation>
    </message>
    <message>
        <source>in %1 ms</source>
        <translation>用时 %1 毫秒</translation>
    </message>
    <message>
        <source>1 error</source>
        <translation>1 个错误</translation>
    </message>
    <message>
        <source>%1 errors</source>
        <translation>%1 个错误</translation>
    </message>
    <message>
        <source>The canvas is on the clipboard as an image</source>
        <translation>画布已作为图片复制到剪贴板</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>注释</translation>
    </message>
    <message>
        <source>Select the one node backward should start from.</source>
        <translation>请选中一个节点，作为反向传播的起点。</translation>
    </message>
    <message>
        <source>Cannot open %1:
%2</source>
        <translation>无法打开 %1：
%2</translation>
    </message>
    <message>
        <source>Opened %1</source>
        <translation>已打开 %1</translation>
    </message>
    <message>
        <source>Cannot save %1:
%2</source>
        <translation>无法保存 %1：
%2</translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation>已保存 %1</translation>
    </message>
    <message>
        <source>Cannot export %1:
%2</source>
        <translation>无法导出 %1：
%2</translation>
    </message>
    <message>
        <source>Exported %1</source>
        <translation>已导出 %1</translation>
    </message>
    <message>
        <source>Clear List</source>
        <translation>清除列表</translation>
    </message>
    <message>
        <source>Unsaved changes</source>
        <translation>未保存的修改</translation>
    </message>
    <message>
        <source>%1 has unsaved changes. Save them?</source>
        <translation>%1 有未保存的修改。要保存吗？</translation>
    </message>
    <message>
        <source>CG Studio</source>
        <translation>CG Studio</translation>
    </message>
    <message>
        <source>Open Graph</source>
        <translation>打开计算图</translation>
    </message>
    <message>
        <source>CG Studio graphs (*.cgraph);;All files (*)</source>
        <translation>CG Studio 计算图 (*.cgraph);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Save Graph As</source>
        <translation>计算图另存为</translation>
    </message>
    <message>
        <source>CG Studio graphs (*.cgraph)</source>
        <translation>CG Studio 计算图 (*.cgraph)</translation>
    </message>
    <message>
        <source>Export Image</source>
        <translation>导出图片</translation>
    </message>
    <message>
        <source>Keyboard Shortcuts</source>
        <translation>快捷键</translation>
    </message>
    <message>
        <source>Command</source>
        <translation>命令</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>按键</translation>
    </message>
    <message>
        <source>On the canvas, drag with the middle button or Space to pan and use the wheel to zoom.</source>
        <translation>在画布上，按住鼠标中键或空格键拖动可以平移，滚动滚轮可以缩放。</translation>
    </message>
    <message>
        <source>About CG Studio</source>
        <translation>关于 CG Studio</translation>
    </message>
    <message>
        <source>&lt;h3&gt;CG Studio&lt;/h3&gt;&lt;p&gt;See how a deep-learning framework computes gradients: build a computational graph, and every forward value and gradient is shown exactly as PyTorch computes it.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;CG Studio&lt;/h3&gt;&lt;p&gt;看深度学习框架如何计算梯度：搭建一张计算图，每个前向传播的数值和梯度都会按 PyTorch 的计算结果原样显示。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>an untitled graph</source>
        <translation>一张未命名的计算图</translation>
    </message>
    <message>
        <source>Cannot restore %1:
%2</source>
        <translation>无法恢复 %1：
%2</translation>
    </message>
    <message>
        <source>Restored the autosaved copy of %1</source>
        <translation>已恢复 %1 的自动保存副本</translation>
    </message>
    <message>
        <source>Restore unsaved work?</source>
        <translation>恢复未保存的工作？</translation>
    </message>
    <message>
        <source>CG Studio closed without saving %1 (autosaved %2). Restore it?</source>
        <translation>CG Studio 上次关闭时没有保存 %1（自动保存于 %2）。要恢复吗？</translation>
    </message>
</context>
<context>
    <name>NodeItem</name>
    <message>
        <source>no value: %1 has an error</source>
        <extracomment>Below this zoom the card is drawn without text (a whole large graph fitted in view). Walkthrough highlights (app.ui.walkthrough_bar): the current step, and steps already done. The source of items made outside a scene: nothing to take, ever. the scene&apos;s latest result, and which of them the card shows (a new card: none yet) the painted number lines (text, kind) and the card width they were wrapped for narrower than its numbers ask: the next card&apos;s ports are in the way &quot;all&quot; or &quot;grad&quot;: painted as &quot;?&quot; (predict mode; &quot;all&quot; hides the grad_fn too, which a forward step records)</extracomment>
        <translation>没有数值：%1 出错</translation>
    </message>
    <message>
        <source>output · %1</source>
        <translation>输出 · %1</translation>
    </message>
    <message>
        <source>output · backward starts here</source>
        <translation>输出 · 反向传播从这里开始</translation>
    </message>
</context>
<context>
    <name>NodeSearchPopup</name>
    <message>
        <source>Add node: type to search</source>
        <translation>添加节点：输入文字搜索</translation>
    </message>
</context>
<context>
    <name>NoteItem</name>
    <message>
        <source>This note gives answers away: it shows again when they are revealed.</source>
        <translation>这条注释会透露答案：揭晓答案后会重新显示。</translation>
    </message>
</context>
<context>
    <name>NumericCheck</name>
    <message>
        <source>no numeric check: %1</source>
        <extracomment>The application font is this much larger while presenting (menus, status bar). Fitting the graph to the screen magnifies up to this much (the canvas fonts grow with it). The smallest number on a card is at least this tall on the screen while presenting (logical pixels: the font&apos;s size in pixels, times the zoom), readable from the back of a room. The estimate is rounded to this many decimals for display: central differences with eps = 1e-3 are accurate to about 1e-6, so further digits are noise. Black on white with saturated accents: what stays readable on a washed-out projector.</extracomment>
        <translation>无数值检验：%1</translation>
    </message>
    <message>
        <source>numeric %1✓</source>
        <translation>数值梯度 %1✓</translation>
    </message>
    <message>
        <source>numeric ✓ · max diff %1</source>
        <translation>数值梯度 ✓ · 最大误差 %1</translation>
    </message>
    <message>
        <source>numeric %1✗ differs by %2</source>
        <translation>数值梯度 %1✗ 相差 %2</translation>
    </message>
</context>
<context>
    <name>NumericCheckDisplay</name>
    <message>
        <source>Check Gradients &amp;Numerically</source>
        <translation>数值检验梯度(&amp;N)</translation>
    </message>
    <message>
        <source>Show beside each leaf&apos;s grad a finite-difference estimate of it and whether the two agree</source>
        <translation>在每个叶子节点的 grad 旁边显示用有限差分估计的梯度，以及两者是否一致</translation>
    </message>
    <message>
        <source>Numeric gradient check failed: %1</source>
        <translation>数值梯度检验失败：%1</translation>
    </message>
</context>
<context>
    <name>PaletteDock</name>
    <message>
        <source>Palette</source>
        <extracomment>The name of a node type the user double-clicked.</extracomment>
        <translation>节点库</translation>
    </message>
    <message>
        <source>Filter node types…</source>
        <translation>筛选节点类型…</translation>
    </message>
</context>
<context>
    <name>PresentationMode</name>
    <message>
        <source>&amp;Presentation Mode</source>
        <translation>演示模式(&amp;P)</translation>
    </message>
    <message>
        <source>Presentation Mode</source>
        <translation>演示模式</translation>
    </message>
</context>
<context>
    <name>ProgramActions</name>
    <message>
        <source>&amp;Backward Again</source>
        <translation>再次反向传播(&amp;B)</translation>
    </message>
    <message>
        <source>Ctrl+Shift+B</source>
        <translation>Ctrl+Shift+B</translation>
    </message>
    <message>
        <source>&amp;Zero Grad</source>
        <translation>梯度清零(&amp;Z)</translation>
    </message>
    <message>
        <source>Ctrl+Shift+0</source>
        <translation>Ctrl+Shift+0</translation>
    </message>
    <message>
        <source>Backward &amp;Once</source>
        <translation>只反向传播一次(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Static Graph (Define, then Run)</source>
        <translation>静态图（先定义，再运行）(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>运行(&amp;R)</translation>
    </message>
    <message>
        <source>F5</source>
        <translation>F5</translation>
    </message>
    <message>
        <source>&amp;Trace the Branches</source>
        <translation>追踪分支(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Clear Trace</source>
        <translation>清除追踪(&amp;C)</translation>
    </message>
    <message>
        <source>Call backward on the output once more, without zeroing: the leaves&apos; .grad add up (w.grad 5, 10, 15)</source>
        <translation>在输出上再调用一次 backward，不清零：叶子节点的 .grad 会累加（w.grad 为 5、10、15）</translation>
    </message>
    <message>
        <source>w.grad.zero_() on every leaf that requires grad, a layer&apos;s weight and bias included</source>
        <translation>对每个需要梯度的叶子节点执行 w.grad.zero_()，包括层的 weight 和 bias</translation>
    </message>
    <message>
        <source>Call backward once, as a new graph does</source>
        <translation>只调用一次 backward，与新建的计算图相同</translation>
    </message>
    <message>
        <source>Define the graph first; it runs only when you press Run</source>
        <translation>先定义计算图；只有按下“运行”时才会计算</translation>
    </message>
    <message>
        <source>Run the static graph as it is now</source>
        <translation>按当前的定义运行静态图</translation>
    </message>
    <message>
        <source>Freeze each branch on the side the data takes now, as torch.jit.trace does</source>
        <translation>像 torch.jit.trace 一样，把每个分支固定在当前数据所走的一侧</translation>
    </message>
</context>
<context>
    <name>TrainingDock</name>
    <message>
        <source>Training</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>Leaves to learn (requires_grad):</source>
        <extracomment>leaf values from before the first step since the dock opened or was reset the optimizer of the steps so far, kept while only the dock changes the graph whether the document shows its optimizer in the widgets (not an edit of it); so while the widgets are built, until show_settings the current run, the key that merges its edits into one undo step whether the run&apos;s first edit is made, from which any other change of history ends it</extracomment>
        <translation>要学习的叶子节点（requires_grad）：</translation>
    </message>
    <message>
        <source>torch.optim.SGD or torch.optim.Adam</source>
        <translation>torch.optim.SGD 或 torch.optim.Adam</translation>
    </message>
    <message>
        <source>Optimizer:</source>
        <translation>优化器：</translation>
    </message>
    <message>
        <source>Learning rate (lr):</source>
        <translation>学习率（lr）：</translation>
    </message>
    <message>
        <source>SGD&apos;s momentum: buf = momentum * buf + grad</source>
        <translation>SGD 的动量：buf = momentum * buf + grad</translation>
    </message>
    <message>
        <source>Momentum:</source>
        <translation>动量（momentum）：</translation>
    </message>
    <message>
        <source>Adam&apos;s betas: how slowly its two moving averages forget</source>
        <translation>Adam 的 betas：两个滑动平均遗忘得有多慢</translation>
    </message>
    <message>
        <source>Betas:</source>
        <translation>Betas：</translation>
    </message>
    <message>
        <source>weight_decay adds weight_decay * w to w.grad</source>
        <translation>weight_decay 把 weight_decay * w 加到 w.grad 上</translation>
    </message>
    <message>
        <source>Weight decay:</source>
        <translation>权重衰减（weight_decay）：</translation>
    </message>
    <message>
        <source>Steps (N):</source>
        <translation>步数（N）：</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>单步</translation>
    </message>
    <message>
        <source>One step: forward, backward, w -= lr * w.grad</source>
        <translation>一步：前向传播、反向传播、w -= lr * w.grad</translation>
    </message>
    <message>
        <source>Run N steps</source>
        <translation>运行 N 步</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Reset</source>
        <translation>重置</translation>
    </message>
    <message>
        <source>Put back the values from before the first step</source>
        <translation>恢复第一步之前的数值</translation>
    </message>
    <message>
        <source>Log scale</source>
        <translation>对数坐标</translation>
    </message>
    <message>
        <source>Plot the loss on a logarithmic axis</source>
        <translation>用对数坐标轴画出损失</translation>
    </message>
    <message>
        <source>Set optimizer</source>
        <translation>设置优化器</translation>
    </message>
    <message>
        <source>Training · step %1 · optimizer.step() (%2)</source>
        <translation>训练 · 第 %1 步 · optimizer.step()（%2）</translation>
    </message>
    <message>
        <source>Then optimizer.zero_grad(): every .grad is None again, and the next forward and backward compute the gradients the canvas shows now (loss before this step: %1).</source>
        <translation>然后 optimizer.zero_grad()：所有 .grad 又变回 None，下一次前向和反向传播算出画布上现在显示的梯度（这一步之前的损失：%1）。</translation>
    </message>
    <message>
        <source>Train 1 step</source>
        <translation>训练 1 步</translation>
    </message>
    <message>
        <source>Train %1 steps</source>
        <translation>训练 %1 步</translation>
    </message>
    <message>
        <source>Step %1 of %2: loss %3</source>
        <translation>第 %1/%2 步：损失 %3</translation>
    </message>
    <message>
        <source>, accuracy %1</source>
        <translation>，准确率 %1</translation>
    </message>
    <message>
        <source>Stopped after %1 of %2 steps</source>
        <translation>在第 %1/%2 步后停止</translation>
    </message>
    <message>
        <source>Training stopped: the graph was changed during the run</source>
        <translation>训练已停止：运行期间计算图被修改了</translation>
    </message>
    <message>
        <source>Reset training</source>
        <translation>重置训练</translation>
    </message>
    <message>
        <source>Values reset to before the first step</source>
        <translation>数值已恢复到第一步之前</translation>
    </message>
</context>
<context>
    <name>WalkthroughBar</name>
    <message>
        <source>Walkthrough</source>
        <translation>逐步演示</translation>
    </message>
    <message>
        <source>Step &amp;Backward</source>
        <translation>逐步反向传播(&amp;B)</translation>
    </message>
    <message>
        <source>Walk through backward() node by node</source>
        <translation>逐个节点演示 backward() 的过程</translation>
    </message>
    <message>
        <source>Step &amp;Forward</source>
        <translation>逐步前向传播(&amp;F)</translation>
    </message>
    <message>
        <source>Walk through the forward pass node by node</source>
        <translation>逐个节点演示前向传播的过程</translation>
    </message>
    <message>
        <source>&amp;Previous Step</source>
        <translation>上一步(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Next Step</source>
        <translation>下一步(&amp;N)</translation>
    </message>
    <message>
        <source>Next (Presenter Clicker)</source>
        <translation>下一步（翻页笔）</translation>
    </message>
    <message>
        <source>Previous (Presenter Clicker)</source>
        <translation>上一步（翻页笔）</translation>
    </message>
    <message>
        <source>&amp;Play</source>
        <translation>自动播放(&amp;P)</translation>
    </message>
    <message>
        <source>Move on one step at a time by itself</source>
        <translation>自动一步一步往下走</translation>
    </message>
    <message>
        <source>Play speed</source>
        <translation>播放速度</translation>
    </message>
    <message>
        <source>Predict, then &amp;Reveal</source>
        <translation>先预测，再揭晓(&amp;R)</translation>
    </message>
    <message>
        <source>Hide the numbers of the steps ahead; Next reveals them one by one</source>
        <translation>隐藏后面各步的数值；“下一步”逐个揭晓</translation>
    </message>
    <message>
        <source>Reveal &amp;All</source>
        <translation>全部揭晓(&amp;A)</translation>
    </message>
    <message>
        <source>Nothing to walk through: backward() does not run. Choose a tensor output (Graph ▸ Set Output) that depends on a tensor requiring grad.</source>
        <translation>没有可演示的步骤：backward() 不会运行。请选择一个依赖于需要梯度的张量的张量输出（计算图 ▸ 设为输出）。</translation>
    </message>
    <message>
        <source>Nothing to walk through: the graph has no operations yet.</source>
        <translation>没有可演示的步骤：计算图中还没有运算。</translation>
    </message>
    <message>
        <source>Backward · step %1 of %2: %3</source>
        <translation>反向传播 · 第 %1/%2 步：%3</translation>
    </message>
    <message>
        <source>Forward · step %1 of %2: %3</source>
        <translation>前向传播 · 第 %1/%2 步：%3</translation>
    </message>
    <message>
        <source>backward(gradient=...) starts at the output %1 with the gradient you gave instead of 1: each element of %1 is weighted, so every .grad is the weighted sum of the elements&apos; gradients.</source>
        <translation>backward(gradient=...) 从输出 %1 开始，初始梯度是你给出的 gradient 而不是 1：%1 的每个元素都被加权，所以每个 .grad 都是各元素梯度的加权和。</translation>
    </message>
    <message>
        <source>backward() starts at the output %1 with the gradient 1: d%1/d%1 = 1.</source>
        <translation>backward() 从输出 %1 开始，初始梯度为 1：d%1/d%1 = 1。</translation>
    </message>
    <message>
        <source>%1 = torch.autograd.grad(...)[0] runs a backward pass inside the forward one. With create_graph=True that pass is recorded too, so another grad node can differentiate %1 again (a second derivative).</source>
        <translation>%1 = torch.autograd.grad(...)[0] 在前向传播中运行一次反向传播。使用 create_graph=True 时这次反向传播也被记录下来，所以另一个 grad 节点可以对 %1 再求导（二阶导数）。</translation>
    </message>
    <message>
        <source>The if %1 took its %2 side: only that side ran, so only it is in the graph autograd recorded. Other data may take the other side: the graph is dynamic.</source>
        <translation>if %1 走了 %2 分支：只有这一侧运行了，所以 autograd 记录的计算图里只有它。换一组数据可能走另一侧：这就是动态图。</translation>
    </message>
    <message>
        <source>This operation failed: %1</source>
        <translation>这个运算出错：%1</translation>
    </message>
    <message>
        <source>No value: the input %1 failed.</source>
        <translation>没有数值：输入 %1 出错。</translation>
    </message>
    <message>
        <source>Computing %1 records %2 in the graph, for the backward pass.</source>
        <translation>计算 %1 时在计算图中记录 %2,供反向传播使用。</translation>
    </message>
    <message>
        <source>No input of %1 requires grad, so no graph is recorded.</source>
        <translation>%1 的输入都不需要梯度，因此不记录计算图。</translation>
    </message>
    <message>
        <source>%1 is used %2 times, so the gradients of its branches add up.</source>
        <translation>%1 被使用了 %2 次，所以各分支的梯度相加。</translation>
    </message>
    <message>
        <source>%1 is a leaf: backward stores this in %1.grad.</source>
        <translation>%1 是叶子节点：backward 把这个梯度保存在 %1.grad 中。</translation>
    </message>
    <message>
        <source>%1 is not a leaf, but retain_grad() keeps this in %1.grad.</source>
        <translation>%1 不是叶子节点，但 retain_grad() 把这个梯度保留在 %1.grad 中。</translation>
    </message>
    <message>
        <source>%1 is not a leaf: backward passes this gradient on and does not keep it (%1.grad is None).</source>
        <translation>%1 不是叶子节点：backward 把这个梯度继续往回传，但不保留它（%1.grad 为 None）。</translation>
    </message>
    <message>
        <source>&amp;Walkthrough</source>
        <translation>逐步演示(&amp;W)</translation>
    </message>
</context>
<context>
    <name>evaluator</name>
    <message>
        <source>input &apos;{port}&apos; is not connected</source>
        <translation>输入 &apos;{port}&apos; 没有连线</translation>
    </message>
    <message>
        <source>a scalar node holds one number, not {value}</source>
        <translation>标量节点只能存放一个数，而不是 {value}</translation>
    </message>
    <message>
        <source>a python number has no backward(); choose a tensor node as the output</source>
        <translation>Python 数没有 backward()；请选择一个张量节点作为输出</translation>
    </message>
    <message>
        <source>{op} did not return a tensor</source>
        <translation>{op} 没有返回张量</translation>
    </message>
    <message>
        <source>the result would have {count} elements (shape {shape}); the editor computes at most {limit}</source>
        <translation>结果将有 {count} 个元素（形状 {shape}）；编辑器最多计算 {limit} 个</translation>
    </message>
    <message>
        <source>the graph&apos;s values and gradients would take {total} with this result ({this}); the editor evaluates at most {limit} at once</source>
        <translation>加上这个结果（{this}），图的值和梯度将占用 {total}；编辑器一次最多计算 {limit}</translation>
    </message>
    <message>
        <source>the graph would take {total} element operations with this result ({this}); the editor evaluates at most {limit} at once</source>
        <translation>加上这个结果（{this}），图将需要 {total} 次元素运算；编辑器一次最多计算 {limit} 次</translation>
    </message>
    <message>
        <source>retain_grad() needs a tensor that requires grad; torch raises &quot;can&apos;t retain_grad on Tensor that has requires_grad=False&quot;</source>
        <translation>retain_grad() 需要一个 requires_grad 的张量；torch 会报错 &quot;can&apos;t retain_grad on Tensor that has requires_grad=False&quot;</translation>
    </message>
    <message>
        <source>log of a negative number is nan, and log(0) is -inf</source>
        <translation>负数的 log 是 nan，log(0) 是 -inf</translation>
    </message>
    <message>
        <source>sqrt of a negative number is nan</source>
        <translation>负数的 sqrt 是 nan</translation>
    </message>
    <message>
        <source>dividing by zero gives inf (and 0/0 gives nan)</source>
        <translation>除以零得到 inf（0/0 得到 nan）</translation>
    </message>
    <message>
        <source>a negative number to a fractional power is nan; 0 to a negative power is inf</source>
        <translation>负数的分数次幂是 nan；0 的负数次幂是 inf</translation>
    </message>
    <message>
        <source>exp of a large number overflows to inf</source>
        <translation>很大的数取 exp 会溢出为 inf</translation>
    </message>
    <message>
        <source>{op} gave nan or inf</source>
        <translation>{op} 得到了 nan 或 inf</translation>
    </message>
    <message>
        <source>not evaluated: the if {branch} took the {side} branch</source>
        <translation>未计算：if {branch} 走了 {side} 分支</translation>
    </message>
    <message>
        <source>not evaluated: the if {branch} could not decide which branch to take</source>
        <translation>未计算：if {branch} 无法决定走哪个分支</translation>
    </message>
    <message>
        <source>not run yet: a static graph runs only when you press Run</source>
        <translation>尚未运行：静态图只有按下“运行”时才会计算</translation>
    </message>
</context>
<context>
    <name>examples</name>
    <message>
        <source>The lesson: y = (x + w) * (w + 1)</source>
        <translation>课程示例：y = (x + w) * (w + 1)</translation>
    </message>
    <message>
        <source>w.grad = 5 and x.grad = 2; a, b and y are not leaves, so their .grad is None.</source>
        <translation>w.grad = 5，x.grad = 2；a、b 和 y 不是叶子节点，所以它们的 .grad 是 None。</translation>
    </message>
    <message>
        <source>The lesson&apos;s first listing (code)</source>
        <translation>课程的第一段代码（代码）</translation>
    </message>
    <message>
        <source>The lesson&apos;s first listing, imported as a graph: the numbers the code prints.</source>
        <translation>课程的第一段代码，导入为计算图：显示的就是代码打印出的数值。</translation>
    </message>
    <message>
        <source>The lesson with a.retain_grad()</source>
        <translation>课程示例加上 a.retain_grad()</translation>
    </message>
    <message>
        <source>Same graph with retain_grad on a: torch keeps a.grad = 2; b and y still show None.</source>
        <translation>同一张计算图，对 a 调用 retain_grad：torch 保留 a.grad = 2；b 和 y 仍显示 None。</translation>
    </message>
    <message>
        <source>The lesson&apos;s second listing (code, retain_grad)</source>
        <translation>课程的第二段代码（代码，retain_grad）</translation>
    </message>
    <message>
        <source>The lesson&apos;s second listing, with a.retain_grad(), imported as a graph: a.grad = 2.</source>
        <translation>课程的第二段代码（含 a.retain_grad()），导入为计算图：a.grad = 2。</translation>
    </message>
    <message>
        <source>A dynamic graph: maximum picks a branch</source>
        <translation>动态图：maximum 选择一个分支</translation>
    </message>
    <message>
        <source>y = maximum(x * w, x * v): make x negative and the gradient moves from w to v.</source>
        <translation>y = maximum(x * w, x * v)：把 x 改为负数，梯度就从 w 转到 v。</translation>
    </message>
    <message>
        <source>Linear regression</source>
        <translation>线性回归</translation>
    </message>
    <message>
        <source>y_pred = w * x + b with a squared error loss: only w and b get a .grad.</source>
        <translation>y_pred = w * x + b，使用平方误差损失：只有 w 和 b 得到 .grad。</translation>
    </message>
    <message>
        <source>A logistic neuron</source>
        <translation>逻辑回归神经元</translation>
    </message>
    <message>
        <source>sigmoid(w.x + b) with a logits loss; p is off the loss path, so it gets no gradient.</source>
        <translation>sigmoid(w.x + b)，使用 logits 损失；p 不在通向损失的路径上，所以得不到梯度。</translation>
    </message>
    <message>
        <source>Logistic regression, trained</source>
        <translation>逻辑回归（可训练）</translation>
    </message>
    <message>
        <source>nn.Linear + nn.Sigmoid + nn.BCELoss on two Gaussian clouds; the Training tab&apos;s SGD (momentum 0.9) takes accuracy from 45 % to 100 %.</source>
        <translation>两团高斯分布数据上的 nn.Linear + nn.Sigmoid + nn.BCELoss；“训练”面板里的 SGD（momentum 0.9）把准确率从 45% 提高到 100%。</translation>
    </message>
    <message>
        <source>A two-layer perceptron</source>
        <translation>两层感知机</translation>
    </message>
    <message>
        <source>relu(x @ W1 + b1) @ W2 + b2 with cross_entropy: relu stops the gradient where it cut.</source>
        <translation>relu(x @ W1 + b1) @ W2 + b2，使用 cross_entropy：relu 截断的地方梯度也被截断。</translation>
    </message>
    <message>
        <source>Weighted backward: backward(gradient=[1., 2.])</source>
        <translation>加权反向传播：backward(gradient=[1., 2.])</translation>
    </message>
    <message>
        <source>A two-element loss needs a gradient; the weights [1., 2.] give w.grad = 1 · 5 + 2 · 2 = 9.</source>
        <translation>有两个元素的 loss 需要 gradient；权重 [1., 2.] 给出 w.grad = 1 · 5 + 2 · 2 = 9。</translation>
    </message>
    <message>
        <source>Second derivative with autograd.grad</source>
        <translation>用 autograd.grad 求二阶导数</translation>
    </message>
    <message>
        <source>y = x ** 2 at 3: autograd.grad with create_graph=True gives 6, a second grad node gives 2.</source>
        <translation>y = x ** 2，x = 3：带 create_graph=True 的 autograd.grad 得到 6，第二个 grad 节点得到 2。</translation>
    </message>
    <message>
        <source>Gradients accumulate; zero_grad resets them</source>
        <translation>梯度会累加；zero_grad 把它们清零</translation>
    </message>
    <message>
        <source>Three backward passes give w.grad = 15; Backward Again adds 5, Zero Grad resets to 0.</source>
        <translation>三次 backward 得到 w.grad = 15；“再次反向传播”再加 5，“梯度清零”归零。</translation>
    </message>
    <message>
        <source>The in-place rules</source>
        <translation>原地操作的规则</translation>
    </message>
    <message>
        <source>a += 1 keeps a&apos;s id; changing a tensor backward saved fails, on the node that changed it.</source>
        <translation>a += 1 保持 a 的 id 不变；修改 backward 保存的张量会出错，错误显示在修改它的节点上。</translation>
    </message>
    <message>
        <source>Dynamic versus static graphs: an if on a tensor</source>
        <translation>动态图与静态图：张量上的 if</translation>
    </message>
    <message>
        <source>Traced with x &gt; 0, run with x &lt; 0: the dynamic graph takes else, the traced one keeps then.</source>
        <translation>在 x &gt; 0 时追踪，在 x &lt; 0 时运行：动态图走 else，追踪得到的图仍走 then。</translation>
    </message>
</context>
<context>
    <name>registry</name>
    <message>
        <source>Tensors</source>
        <translation>张量</translation>
    </message>
    <message>
        <source>Arithmetic</source>
        <translation>算术运算</translation>
    </message>
    <message>
        <source>Elementwise</source>
        <translation>逐元素运算</translation>
    </message>
    <message>
        <source>Activations</source>
        <translation>激活函数</translation>
    </message>
    <message>
        <source>Reductions</source>
        <translation>归约运算</translation>
    </message>
    <message>
        <source>Shape</source>
        <translation>形状变换</translation>
    </message>
    <message>
        <source>Linear algebra</source>
        <translation>线性代数</translation>
    </message>
    <message>
        <source>Losses</source>
        <translation>损失函数</translation>
    </message>
    <message>
        <source>Autograd</source>
        <translation>自动求导</translation>
    </message>
    <message>
        <source>Control flow</source>
        <translation>控制流</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>网络层</translation>
    </message>
    <message>
        <source>Loss modules</source>
        <translation>损失函数模块</translation>
    </message>
    <message>
        <source>A leaf tensor created by the user, like torch.tensor([1.], requires_grad=True).</source>
        <translation>用户创建的叶子张量，例如 torch.tensor([1.], requires_grad=True)。</translation>
    </message>
    <message>
        <source>A python number operand, like the 1 in torch.add(w, 1). It has no gradient.</source>
        <translation>Python 数值操作数，例如 torch.add(w, 1) 中的 1。它没有梯度。</translation>
    </message>
    <message>
        <source>input + alpha * other</source>
        <translation>input + alpha * other</translation>
    </message>
    <message>
        <source>input - alpha * other</source>
        <translation>input - alpha * other</translation>
    </message>
    <message>
        <source>input * other (elementwise, broadcasting)</source>
        <translation>input * other（逐元素，支持广播）</translation>
    </message>
    <message>
        <source>input / other (elementwise, broadcasting)</source>
        <translation>input / other（逐元素，支持广播）</translation>
    </message>
    <message>
        <source>-input</source>
        <translation>-input</translation>
    </message>
    <message>
        <source>input ** exponent; the exponent is a number unless a tensor is wired to it</source>
        <translation>input ** exponent；除非连上一个张量，指数就是一个数</translation>
    </message>
    <message>
        <source>e ** input</source>
        <translation>e ** input</translation>
    </message>
    <message>
        <source>natural logarithm</source>
        <translation>自然对数</translation>
    </message>
    <message>
        <source>square root</source>
        <translation>平方根</translation>
    </message>
    <message>
        <source>absolute value (gradient 0 at 0, as torch)</source>
        <translation>绝对值（与 torch 相同，在 0 处梯度为 0）</translation>
    </message>
    <message>
        <source>sine</source>
        <translation>正弦</translation>
    </message>
    <message>
        <source>cosine</source>
        <translation>余弦</translation>
    </message>
    <message>
        <source>limit input to [min, max]</source>
        <translation>把 input 限制在 [min, max] 范围内</translation>
    </message>
    <message>
        <source>elementwise maximum (ties split the gradient)</source>
        <translation>逐元素取最大值（相等时平分梯度）</translation>
    </message>
    <message>
        <source>elementwise minimum (ties split the gradient)</source>
        <translation>逐元素取最小值（相等时平分梯度）</translation>
    </message>
    <message>
        <source>max(input, 0); gradient 0 at 0</source>
        <translation>max(input, 0)；在 0 处梯度为 0</translation>
    </message>
    <message>
        <source>1 / (1 + exp(-input))</source>
        <translation>1 / (1 + exp(-input))</translation>
    </message>
    <message>
        <source>hyperbolic tangent</source>
        <translation>双曲正切</translation>
    </message>
    <message>
        <source>exp(input) normalised along dim</source>
        <translation>沿 dim 归一化的 exp(input)</translation>
    </message>
    <message>
        <source>log of softmax along dim</source>
        <translation>沿 dim 的 softmax 的对数</translation>
    </message>
    <message>
        <source>sum of all elements, or along dim</source>
        <translation>所有元素之和，或沿 dim 求和</translation>
    </message>
    <message>
        <source>mean of all elements, or along dim</source>
        <translation>所有元素的均值，或沿 dim 的均值</translation>
    </message>
    <message>
        <source>largest element, or largest along dim</source>
        <translation>最大的元素，或沿 dim 的最大值</translation>
    </message>
    <message>
        <source>same elements, new shape</source>
        <translation>元素不变，改变形状</translation>
    </message>
    <message>
        <source>all elements in one dimension</source>
        <translation>把所有元素展平为一维</translation>
    </message>
    <message>
        <source>swap two dimensions</source>
        <translation>交换两个维度</translation>
    </message>
    <message>
        <source>transpose of a matrix</source>
        <translation>矩阵的转置</translation>
    </message>
    <message>
        <source>insert a dimension of size 1</source>
        <translation>插入一个大小为 1 的维度</translation>
    </message>
    <message>
        <source>remove dimensions of size 1</source>
        <translation>去掉大小为 1 的维度</translation>
    </message>
    <message>
        <source>join two tensors along an existing dim</source>
        <translation>沿已有维度拼接两个张量</translation>
    </message>
    <message>
        <source>join two tensors along a new dim</source>
        <translation>沿一个新维度拼接两个张量</translation>
    </message>
    <message>
        <source>matrix product (vectors and matrices)</source>
        <translation>矩阵乘积（向量和矩阵）</translation>
    </message>
    <message>
        <source>product of two matrices</source>
        <translation>两个矩阵的乘积</translation>
    </message>
    <message>
        <source>mean squared error</source>
        <translation>均方误差</translation>
    </message>
    <message>
        <source>softmax cross-entropy; target holds class indices (int64)</source>
        <translation>softmax 交叉熵；target 保存类别索引（int64）</translation>
    </message>
    <message>
        <source>sigmoid + binary cross-entropy</source>
        <translation>sigmoid + 二元交叉熵</translation>
    </message>
    <message>
        <source>d outputs / d inputs as a tensor, torch.autograd.grad(outputs, inputs)[0]; with create_graph the derivative is recorded too, so it can be differentiated again</source>
        <translation>以张量给出 d outputs / d inputs，即 torch.autograd.grad(outputs, inputs)[0]；使用 create_graph 时导数本身也被记录，因此可以再次求导</translation>
    </message>
    <message>
        <source>input &gt; other, a bool tensor (the condition of an if)</source>
        <translation>input &gt; other，布尔张量（if 的条件）</translation>
    </message>
    <message>
        <source>input &gt;= other, a bool tensor</source>
        <translation>input &gt;= other，布尔张量</translation>
    </message>
    <message>
        <source>input &lt; other, a bool tensor</source>
        <translation>input &lt; other，布尔张量</translation>
    </message>
    <message>
        <source>input &lt;= other, a bool tensor</source>
        <translation>input &lt;= other，布尔张量</translation>
    </message>
    <message>
        <source>input == other, a bool tensor</source>
        <translation>input == other，布尔张量</translation>
    </message>
    <message>
        <source>input != other, a bool tensor</source>
        <translation>input != other，布尔张量</translation>
    </message>
    <message>
        <source>Python&apos;s if on a one-element tensor: the value of then when the condition is true, else the value of else; the branch not taken is not run, so the graph autograd records depends on the data</source>
        <translation>作用在单元素张量上的 Python if：条件为真时取 then 的值，否则取 else 的值；没有走的分支不会运行，所以 autograd 记录的计算图取决于数据</translation>
    </message>
    <message>
        <source>input @ weight.T + bias; weight and bias are parameters the layer holds, initialised as torch does after torch.manual_seed(seed)</source>
        <translation>input @ weight.T + bias；weight 和 bias 是该层持有的参数，按 torch 在 torch.manual_seed(seed) 之后的方式初始化</translation>
    </message>
    <message>
        <source>max(input, 0) as a module</source>
        <translation>max(input, 0)，模块形式</translation>
    </message>
    <message>
        <source>input where positive, else negative_slope * input</source>
        <translation>正数处为 input，否则为 negative_slope * input</translation>
    </message>
    <message>
        <source>input where positive, else alpha * (exp(input) - 1)</source>
        <translation>正数处为 input，否则为 alpha * (exp(input) - 1)</translation>
    </message>
    <message>
        <source>input * Φ(input), the Gaussian error linear unit</source>
        <translation>input * Φ(input)，高斯误差线性单元</translation>
    </message>
    <message>
        <source>log(1 + exp(beta * input)) / beta</source>
        <translation>log(1 + exp(beta * input)) / beta</translation>
    </message>
    <message>
        <source>1 / (1 + exp(-input)) as a module</source>
        <translation>1 / (1 + exp(-input))，模块形式</translation>
    </message>
    <message>
        <source>hyperbolic tangent as a module</source>
        <translation>双曲正切，模块形式</translation>
    </message>
    <message>
        <source>exp(input) normalised along dim, as a module</source>
        <translation>沿 dim 归一化的 exp(input)，模块形式</translation>
    </message>
    <message>
        <source>log of softmax along dim, as a module</source>
        <translation>沿 dim 的 softmax 取对数，模块形式</translation>
    </message>
    <message>
        <source>dimensions start_dim..end_dim joined into one</source>
        <translation>把 start_dim..end_dim 这几个维度合并为一维</translation>
    </message>
    <message>
        <source>mean squared error, as a module</source>
        <translation>均方误差，模块形式</translation>
    </message>
    <message>
        <source>mean absolute error, as a module</source>
        <translation>平均绝对误差，模块形式</translation>
    </message>
    <message>
        <source>squared error below beta, absolute error above, as a module</source>
        <translation>小于 beta 时为平方误差，大于时为绝对误差，模块形式</translation>
    </message>
    <message>
        <source>binary cross-entropy of probabilities in [0, 1] (after a sigmoid)</source>
        <translation>对 [0, 1] 内的概率（sigmoid 之后）计算二元交叉熵</translation>
    </message>
    <message>
        <source>sigmoid and binary cross-entropy in one, on raw scores</source>
        <translation>sigmoid 与二元交叉熵合二为一，作用于原始分数</translation>
    </message>
    <message>
        <source>negative log-likelihood of log-probabilities; target holds class indices (int64)</source>
        <translation>对数概率的负对数似然；target 是类别下标（int64）</translation>
    </message>
    <message>
        <source>log_softmax and nll_loss in one; target holds class indices (int64)</source>
        <translation>log_softmax 与 nll_loss 合二为一；target 是类别下标（int64）</translation>
    </message>
</context>
<context>
    <name>tooltips</name>
    <message>
        <source>no value</source>
        <translation>没有数值</translation>
    </message>
    <message>
        <source>python number</source>
        <translation>Python 数值</translation>
    </message>
    <message>
        <source>no gradient flows back here</source>
        <translation>没有梯度流回这里</translation>
    </message>
    <message>
        <source>∂ flowing back</source>
        <translation>回传的 ∂</translation>
    </message>
</context>
</TS>

/**
 * The plan viewer's webview app: draws a PlanReport as a tree of cards or an icicle, lists its
 * tips, shows a node's details and the SQL it comes from, compares it with the previous plan and
 * shows the raw EXPLAIN output. It talks to the extension only through the PlanViewer messages
 * (server/src/protocol.ts) and keeps what it shows with setState, so a restored panel draws at once.
 */
import type { PlanTip, ReportNode } from '../../server/src/plan/planReport';
import type { PlanViewer } from '../../server/src/protocol';
import { append, h, svg } from './dom';
import {
  CARD_HEIGHT,
  CARD_WIDTH,
  type Metric,
  type PlanTree,
  ancestors,
  availableMetrics,
  defaultCollapsed,
  emphasis,
  formatChange,
  formatCost,
  formatCount,
  formatMs,
  hotPath,
  icicleLayout,
  inclusiveValue,
  layoutTree,
  matchPlans,
  metricValue,
  planTree,
  searchNodes,
  visibleNodes,
} from './model';

interface VsCodeApi {
  postMessage(message: PlanViewer.FromWebview): void;
  getState(): unknown;
  setState(state: PlanViewer.State): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const app = document.getElementById('app')!;

const METRIC_LABELS: Record<Metric, string> = {
  time: 'Time (own)',
  cost: 'Cost (own)',
  rows: 'Rows',
  misestimate: 'Misestimate',
  buffers: 'Buffers',
};
const VIEWS: [PlanViewer.View, string][] = [
  ['tree', 'Tree'],
  ['icicle', 'Icicle'],
  ['compare', 'Compare'],
  ['raw', 'Raw'],
];
const ZOOM_MIN = 0.2;
const ZOOM_MAX = 2.5;
const ICICLE_ROW = 30;

/** The state as kept by setState, read back defensively: it may come from an older version. */
function readState(saved: unknown): PlanViewer.State {
  const value = (saved && typeof saved === 'object' ? saved : {}) as Partial<PlanViewer.State>;
  return {
    show: isShow(value.show) ? value.show : undefined,
    metric: value.metric && value.metric in METRIC_LABELS ? value.metric : 'time',
    view: VIEWS.some(([view]) => view === value.view) ? value.view! : 'tree',
    collapsed: Array.isArray(value.collapsed) ? value.collapsed.filter((id) => typeof id === 'number') : undefined,
    selected: typeof value.selected === 'number' ? value.selected : undefined,
    search: typeof value.search === 'string' ? value.search : '',
    zoom: typeof value.zoom === 'number' && value.zoom >= ZOOM_MIN && value.zoom <= ZOOM_MAX ? value.zoom : 1,
  };
}

/** Messages come from the extension, but are checked anyway: a malformed one is ignored, not half drawn. */
function isShow(message: unknown): message is PlanViewer.ShowMessage {
  const m = message as PlanViewer.ShowMessage | undefined;
  return !!m && m.type === 'show' && !!m.report && Array.isArray(m.report.nodes) && m.report.nodes.length > 0 &&
    Array.isArray(m.report.tips) && typeof m.sql === 'string';
}

let state = readState(vscode.getState());
let tree: PlanTree | undefined;
let previousTree: PlanTree | undefined;
let collapsed = new Set<number>();
let hot = new Set<number>();
/** The node that holds the tree's (and icicle's) one tab stop. */
let focusId = 0;
let pan = { x: 0, y: 0 };
let panPlaced = false;

/** The parts of the page that are redrawn on their own. */
let viewHost: HTMLElement;
let detailsHost: HTMLElement;
let sqlHost: HTMLElement;
let banner: HTMLElement;
let metricSelect: HTMLSelectElement;
let searchCount: HTMLElement;
let canvas: HTMLElement | undefined;
let viewport: HTMLElement | undefined;

function save(): void {
  state.collapsed = [...collapsed];
  vscode.setState(state);
}

function post(message: PlanViewer.FromWebview): void {
  vscode.postMessage(message);
}

/** A plan's shape, to tell a re-plan of the same query (keep folds and selection) from another plan. */
function shapeOf(show: PlanViewer.ShowMessage): string {
  return show.report.nodes.map((node) => `${node.id}:${node.parent}:${node.type}:${node.relation ?? ''}`).join('|');
}

function applyShow(show: PlanViewer.ShowMessage, restoring: boolean): void {
  const started = performance.now();
  const samePlan = state.show !== undefined && shapeOf(state.show) === shapeOf(show);
  tree = planTree(show.report);
  previousTree = show.previous ? planTree(show.previous.report) : undefined;
  hot = hotPath(tree);
  if ((restoring || samePlan) && state.collapsed) {
    collapsed = new Set(state.collapsed.filter((id) => tree!.byId.has(id)));
  } else {
    collapsed = defaultCollapsed(tree);
    state.selected = undefined;
    panPlaced = false;
  }
  if (state.selected !== undefined && !tree.byId.has(state.selected)) {
    state.selected = undefined;
  }
  const metrics = availableMetrics(show.report);
  if (!metrics.includes(state.metric)) {
    state.metric = metrics[0];
  }
  focusId = state.selected ?? tree.root.id;
  state.show = show;
  buildShell(show, metrics);
  save();
  document.body.dataset.showMs = (performance.now() - started).toFixed(1);
}

function buildShell(show: PlanViewer.ShowMessage, metrics: Metric[]): void {
  const report = show.report;
  const summary: string[] = [`cost ${formatCost(report.totalCost)}`];
  if (report.planningMs !== undefined) {
    summary.push(`planning ${formatMs(report.planningMs)}`);
  }
  if (report.executionMs !== undefined) {
    summary.push(`execution ${formatMs(report.executionMs)}`);
  }
  summary.push(`${report.nodes.length} nodes`, report.analyzed ? 'EXPLAIN ANALYZE' : 'EXPLAIN (estimates only)');

  banner = h('div', { class: 'banner', role: 'status' }, 'The query changed; re-planning…');
  banner.hidden = !show.stale;

  const tabs = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Views' });
  for (const [view, label] of VIEWS) {
    const tab = h('button', { class: 'tab', role: 'tab', 'data-view': view, 'aria-selected': String(state.view === view) }, label);
    tab.addEventListener('click', () => setView(view));
    tabs.appendChild(tab);
  }

  metricSelect = h('select', { class: 'metric', 'aria-label': 'Emphasis by' });
  for (const metric of metrics) {
    append(metricSelect, [h('option', { value: metric, selected: metric === state.metric }, METRIC_LABELS[metric])]);
  }
  metricSelect.addEventListener('change', () => {
    state.metric = metricSelect.value as Metric;
    save();
    renderView();
  });

  const search = h('input', { class: 'search', type: 'search', placeholder: 'Search nodes', 'aria-label': 'Search nodes', value: state.search });
  search.value = state.search;
  searchCount = h('span', { class: 'search-count', 'aria-live': 'polite' });
  search.addEventListener('input', () => {
    state.search = search.value;
    save();
    renderView();
  });

  const zoomOut = button('−', 'Zoom out', () => zoomBy(1 / 1.25));
  const zoomIn = button('+', 'Zoom in', () => zoomBy(1.25));
  const zoomFit = button('Fit', 'Fit the tree in the view', fitTree);
  const analyze = button('EXPLAIN ANALYZE', 'Plan again with ANALYZE and BUFFERS (runs the query)', () => post({ type: 'explainAnalyze' }));
  const compare = button('Compare with…', 'Choose a plan to compare this one with', () => post({ type: 'compare' }));

  const header = h('header', { class: 'header' },
    h('h1', { class: 'title' }, show.title),
    h('span', { class: 'database' }, show.database),
    h('span', { class: 'summary' }, summary.join(' · ')),
    h('span', { class: 'actions' }, compare, analyze),
  );
  const toolbar = h('div', { class: 'toolbar' },
    tabs,
    h('label', { class: 'metric-label' }, 'Emphasis ', metricSelect),
    search,
    searchCount,
    h('span', { class: 'zoom', role: 'group', 'aria-label': 'Zoom' }, zoomOut, zoomIn, zoomFit),
  );

  viewHost = h('main', { class: 'view' });
  detailsHost = h('section', { class: 'details', 'aria-label': 'Selected node' });
  sqlHost = h('section', { class: 'sql-pane', 'aria-label': 'SQL' });
  // Details first (what a click asks for), then the SQL it points into, then every tip.
  const side = h('aside', { class: 'side' }, detailsHost, sqlHost, tipsPanel(report.tips));

  app.replaceChildren(header, banner, toolbar, h('div', { class: 'body' }, viewHost, side));
  renderView();
  renderDetails();
  renderSql();
}

function button(label: string, title: string, onClick: () => void, extra: Record<string, string> = {}): HTMLButtonElement {
  const element = h('button', { type: 'button', title, ...extra }, label);
  element.addEventListener('click', onClick);
  return element;
}

function setView(view: PlanViewer.View): void {
  state.view = view;
  save();
  for (const tab of app.querySelectorAll<HTMLElement>('.tab')) {
    tab.setAttribute('aria-selected', String(tab.dataset.view === view));
  }
  renderView();
}

/** Redraws the current view; the figure it took is left on the body for the benchmark. */
function renderView(): void {
  if (!tree) {
    return;
  }
  const started = performance.now();
  canvas = undefined;
  viewport = undefined;
  viewHost.dataset.view = state.view;
  for (const control of app.querySelectorAll<HTMLElement>('.zoom button')) {
    (control as HTMLButtonElement).disabled = state.view !== 'tree';
  }
  switch (state.view) {
    case 'tree':
      viewHost.replaceChildren(treeView(tree));
      placeTree();
      break;
    case 'icicle':
      viewHost.replaceChildren(icicleView(tree));
      break;
    case 'compare':
      viewHost.replaceChildren(compareView(tree));
      break;
    case 'raw':
      viewHost.replaceChildren(rawView());
      break;
  }
  document.body.dataset.renderMs = (performance.now() - started).toFixed(1);
}

/** The folds in effect: the user's, opened along the way to every search match. */
function effectiveCollapsed(matches: Set<number>): Set<number> {
  if (matches.size === 0) {
    return collapsed;
  }
  const open = new Set(collapsed);
  for (const id of matches) {
    for (const ancestor of ancestors(tree!, id)) {
      open.delete(ancestor);
    }
  }
  return open;
}

function nodeName(node: ReportNode): string {
  return node.relation ? `${cardTitle(node)} on ${node.relation}` : cardTitle(node);
}

function treeView(t: PlanTree): HTMLElement {
  const matches = searchNodes(t, state.search);
  searchCount.textContent = state.search.trim() ? `${matches.size} found` : '';
  const folds = effectiveCollapsed(matches);
  const layout = layoutTree(t, folds);
  const weights = emphasis(t, state.metric);
  const visible = visibleNodes(t, folds);
  if (!layout.positions.has(focusId)) {
    focusId = t.root.id;
  }

  const edges = svg('svg', { class: 'edges', width: layout.width, height: layout.height, 'aria-hidden': 'true' });
  for (const node of visible) {
    if (node.parent === null || !layout.positions.has(node.parent)) {
      continue;
    }
    const from = layout.positions.get(node.parent)!;
    const to = layout.positions.get(node.id)!;
    const x1 = from.x + CARD_WIDTH / 2;
    const y1 = from.y + CARD_HEIGHT;
    const x2 = to.x + CARD_WIDTH / 2;
    const y2 = to.y;
    const mid = (y1 + y2) / 2;
    edges.appendChild(svg('path', {
      d: `M${x1},${y1} V${mid} H${x2} V${y2}`,
      class: hot.has(node.id) && hot.has(node.parent) ? 'edge hot' : 'edge',
    }));
  }

  const cards = document.createDocumentFragment();
  for (const node of visible) {
    const position = layout.positions.get(node.id)!;
    const card = nodeCard(t, node, weights.get(node.id)!, matches, folds);
    card.style.left = `${position.x}px`;
    card.style.top = `${position.y}px`;
    cards.appendChild(card);
  }
  canvas = h('div', { class: 'canvas' });
  canvas.style.width = `${layout.width}px`;
  canvas.style.height = `${layout.height}px`;
  canvas.append(edges, cards);
  viewport = h('div', { class: 'viewport', role: 'tree', 'aria-label': 'Plan tree' }, canvas);
  viewport.addEventListener('keydown', onNodeKey);
  viewport.addEventListener('click', onNodeClick);
  viewport.addEventListener('wheel', onWheel, { passive: false });
  viewport.addEventListener('pointerdown', onPanStart);
  // The viewport does not scroll, it pans; the browser scrolls it anyway to show what gets focus or a
  // click, so such a scroll is taken back and turned into a pan.
  viewport.addEventListener('scroll', () => {
    pan.x -= viewport!.scrollLeft;
    pan.y -= viewport!.scrollTop;
    viewport!.scrollLeft = 0;
    viewport!.scrollTop = 0;
    applyTransform();
  });
  return viewport;
}

function nodeCard(t: PlanTree, node: ReportNode, weight: number, matches: Set<number>, folds: Set<number>): HTMLElement {
  const tips = t.tipsByNode.get(node.id) ?? [];
  const hidden = t.descendants.get(node.id)!;
  const isFolded = folds.has(node.id) && hidden > 0;
  const classes = ['card', 'node'];
  if (hot.has(node.id)) classes.push('hot');
  if (state.selected === node.id) classes.push('selected');
  if (matches.size > 0) classes.push(matches.has(node.id) ? 'match' : 'dim');
  const card = h('div', {
    class: classes.join(' '),
    role: 'treeitem',
    tabindex: node.id === focusId ? 0 : -1,
    'data-id': node.id,
    'data-weight': weight.toFixed(3),
    'aria-level': t.depth.get(node.id)! + 1,
    'aria-selected': String(state.selected === node.id),
    'aria-expanded': hidden > 0 ? String(!isFolded) : undefined,
    'aria-label': `${node.label}${tips.length ? `, ${tips.length} tip${tips.length > 1 ? 's' : ''}` : ''}`,
  });
  card.style.setProperty('--heat', `${Math.round(weight * 55)}%`);

  const head = h('div', { class: 'card-head' }, h('span', { class: 'type', title: node.label }, cardTitle(node)));
  if (node.role) append(head, [h('span', { class: 'role' }, node.role)]);
  if (tips.length > 0) {
    append(head, [h('span', { class: 'badge', title: tips.map((tip) => tip.message).join('\n') }, `⚠ ${tips.length}`)]);
  }
  card.appendChild(head);
  const on = [node.relation && `${node.schema ? `${node.schema}.` : ''}${node.relation}${node.alias && node.alias !== node.relation ? ` ${node.alias}` : ''}`, node.index && `using ${node.index}`]
    .filter(Boolean).join(' ');
  if (on) card.appendChild(h('div', { class: 'relation', title: on }, on));

  const rows = node.actualRows !== undefined
    ? `rows ${formatCount(node.actualRows)} of ${formatCount(node.estimatedRows)} est.`
    : `rows ${formatCount(node.estimatedRows)} est.`;
  const miss = node.misestimate && node.misestimate.factor >= 2
    ? h('span', { class: 'misestimate' }, ` ×${formatCount(node.misestimate.factor)} ${node.misestimate.direction}`)
    : undefined;
  append(card, [
    h('div', { class: 'line rows' }, rows, miss),
    h('div', { class: 'line cost' }, `cost ${formatCost(node.totalCost)} · own ${formatCost(node.exclusiveCost)}`),
  ]);
  if (node.inclusiveMs !== undefined) {
    const loops = node.loops !== undefined && node.loops !== 1 ? ` · ${formatCount(node.loops)} loops` : '';
    card.appendChild(h('div', { class: 'line time' }, `${formatMs(node.inclusiveMs)} · own ${formatMs(node.exclusiveMs ?? 0)}${loops}`));
  } else if (node.loops !== undefined && node.loops !== 1) {
    card.appendChild(h('div', { class: 'line' }, `${formatCount(node.loops)} loops`));
  }
  if (node.buffers) {
    const b = node.buffers;
    const temp = b.tempRead + b.tempWritten > 0 ? ` · temp ${formatCount(b.tempRead + b.tempWritten)}` : '';
    card.appendChild(h('div', { class: 'line buffers' }, `buffers hit ${formatCount(b.sharedHit)} · read ${formatCount(b.sharedRead)}${temp}`));
  }
  const fill = h('div', { class: 'bar-fill' });
  fill.style.width = `${(weight * 100).toFixed(1)}%`;
  card.appendChild(h('div', { class: 'bar', title: `${METRIC_LABELS[state.metric]}: ${metricLabel(node, state.metric)}` }, fill));
  if (hidden > 0) {
    card.appendChild(h('button', {
      type: 'button',
      class: 'fold',
      tabindex: -1,
      'data-fold': node.id,
      title: isFolded ? `Show the ${hidden} nodes below` : 'Fold this subtree',
    }, isFolded ? `+ ${hidden}` : '−'));
  }
  return card;
}

/**
 * The card's heading: the label up to its relation or index (`HashAggregate`, `Index Scan Backward`,
 * `Parallel Seq Scan`), which says more than the bare node type; the relation has its own line.
 */
function cardTitle(node: ReportNode): string {
  const title = node.label.split(/ (?:using|on) /)[0];
  return title || node.type;
}

function metricLabel(node: ReportNode, metric: Metric): string {
  const value = metricValue(node, metric);
  switch (metric) {
    case 'time':
      return formatMs(value);
    case 'cost':
      return formatCost(value);
    case 'misestimate':
      return `×${formatCount(value)}`;
    default:
      return formatCount(value);
  }
}

function applyTransform(): void {
  if (canvas) {
    canvas.style.transform = `translate(${pan.x}px, ${pan.y}px) scale(${state.zoom})`;
  }
}

/** On a new plan the root is centred at the top; afterwards the user's pan is kept. */
function placeTree(): void {
  if (!canvas || !viewport) return;
  if (!panPlaced) {
    // A new plan wider than the view is zoomed out to fit, but not below legible (0.5).
    const width = Number.parseFloat(canvas.style.width);
    if (viewport.clientWidth > 0 && width * state.zoom > viewport.clientWidth - 32) {
      state.zoom = Math.min(state.zoom, Math.max(0.5, (viewport.clientWidth - 32) / width));
      save();
    }
    const rootX = Number.parseFloat(canvas.querySelector<HTMLElement>(`.node[data-id="${tree!.root.id}"]`)!.style.left);
    pan = { x: (viewport.clientWidth || 800) / 2 - (rootX + CARD_WIDTH / 2) * state.zoom, y: 16 };
    panPlaced = true;
  }
  applyTransform();
}

function zoomBy(factor: number, around?: { x: number; y: number }): void {
  if (!viewport) return;
  const next = Math.min(ZOOM_MAX, Math.max(ZOOM_MIN, state.zoom * factor));
  const centre = around ?? { x: viewport.clientWidth / 2, y: viewport.clientHeight / 2 };
  // Keep the point under the cursor (or the view's centre) where it is.
  pan.x = centre.x - ((centre.x - pan.x) * next) / state.zoom;
  pan.y = centre.y - ((centre.y - pan.y) * next) / state.zoom;
  state.zoom = next;
  save();
  applyTransform();
}

function fitTree(): void {
  if (!canvas || !viewport) return;
  const width = Number.parseFloat(canvas.style.width);
  const height = Number.parseFloat(canvas.style.height);
  state.zoom = Math.min(ZOOM_MAX, Math.max(ZOOM_MIN, Math.min((viewport.clientWidth - 32) / width, (viewport.clientHeight - 32) / height)));
  pan = { x: (viewport.clientWidth - width * state.zoom) / 2, y: 16 };
  save();
  applyTransform();
}

function onWheel(event: WheelEvent): void {
  event.preventDefault();
  if (event.ctrlKey || event.metaKey) {
    const box = viewport!.getBoundingClientRect();
    zoomBy(Math.exp(-event.deltaY / 300), { x: event.clientX - box.left, y: event.clientY - box.top });
  } else {
    pan.x -= event.shiftKey ? event.deltaY : event.deltaX;
    pan.y -= event.shiftKey ? 0 : event.deltaY;
    applyTransform();
  }
}

function onPanStart(event: PointerEvent): void {
  if ((event.target as HTMLElement).closest('.node') || event.button !== 0) return;
  const start = { x: event.clientX - pan.x, y: event.clientY - pan.y };
  const target = event.currentTarget as HTMLElement;
  target.setPointerCapture(event.pointerId);
  target.classList.add('panning');
  const move = (e: PointerEvent): void => {
    pan = { x: e.clientX - start.x, y: e.clientY - start.y };
    applyTransform();
  };
  const up = (): void => {
    target.removeEventListener('pointermove', move);
    target.removeEventListener('pointerup', up);
    target.classList.remove('panning');
  };
  target.addEventListener('pointermove', move);
  target.addEventListener('pointerup', up);
}

function onNodeClick(event: MouseEvent): void {
  const target = event.target as HTMLElement;
  const fold = target.closest<HTMLElement>('[data-fold]');
  if (fold) {
    toggleFold(Number(fold.dataset.fold));
    return;
  }
  const node = target.closest<HTMLElement>('.node');
  if (node) {
    selectNode(Number(node.dataset.id));
  }
}

function toggleFold(id: number): void {
  if (collapsed.has(id)) collapsed.delete(id);
  else collapsed.add(id);
  focusId = id;
  save();
  renderView();
  focusCard(id);
}

/** Arrow keys move between nodes (up: parent, down: first child, left/right: siblings), Enter selects, Space folds. */
function onNodeKey(event: KeyboardEvent): void {
  const card = (event.target as HTMLElement).closest<HTMLElement>('.node');
  if (!card || !tree) return;
  const id = Number(card.dataset.id);
  const node = tree.byId.get(id)!;
  const folded = state.view === 'tree' && effectiveCollapsed(searchNodes(tree, state.search)).has(id);
  const siblings = node.parent === null ? [node] : tree.children.get(node.parent)!;
  const index = siblings.indexOf(node);
  let next: number | undefined;
  switch (event.key) {
    case 'ArrowUp':
      next = node.parent ?? undefined;
      break;
    case 'ArrowDown':
      next = folded ? undefined : tree.children.get(id)![0]?.id;
      break;
    case 'ArrowLeft':
      next = siblings[index - 1]?.id;
      break;
    case 'ArrowRight':
      next = siblings[index + 1]?.id;
      break;
    case 'Home':
      next = tree.root.id;
      break;
    case 'Enter':
      selectNode(id);
      break;
    case ' ':
      if (state.view === 'tree' && tree.descendants.get(id)! > 0) toggleFold(id);
      break;
    default:
      return;
  }
  event.preventDefault();
  if (next !== undefined) {
    focusCard(next);
  }
}

/** Moves the tree's one tab stop to node `id`, focuses it and pans it into view. */
function focusCard(id: number): void {
  const host = viewHost.querySelector<HTMLElement>(`.node[data-id="${id}"]`);
  if (!host) return;
  for (const other of viewHost.querySelectorAll<HTMLElement>('.node[tabindex="0"]')) {
    other.tabIndex = -1;
  }
  host.tabIndex = 0;
  focusId = id;
  host.focus({ preventScroll: true });
  if (viewport && canvas && state.view === 'tree') {
    const x = Number.parseFloat(host.style.left) * state.zoom + pan.x;
    const y = Number.parseFloat(host.style.top) * state.zoom + pan.y;
    const w = CARD_WIDTH * state.zoom;
    const hgt = CARD_HEIGHT * state.zoom;
    if (x < 0 || x + w > viewport.clientWidth) pan.x += x < 0 ? -x + 16 : viewport.clientWidth - (x + w) - 16;
    if (y < 0 || y + hgt > viewport.clientHeight) pan.y += y < 0 ? -y + 16 : viewport.clientHeight - (y + hgt) - 16;
    applyTransform();
  } else {
    host.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }
}

function selectNode(id: number): void {
  if (!tree || !tree.byId.has(id)) return;
  state.selected = id;
  focusId = id;
  save();
  for (const card of app.querySelectorAll<HTMLElement>('.node')) {
    const on = Number(card.dataset.id) === id;
    card.classList.toggle('selected', on);
    card.setAttribute('aria-selected', String(on));
  }
  renderDetails();
  renderSql();
  post({ type: 'selectNode', id });
}

function icicleView(t: PlanTree): HTMLElement {
  const cells = icicleLayout(t);
  const matches = searchNodes(t, state.search);
  searchCount.textContent = state.search.trim() ? `${matches.size} found` : '';
  const total = inclusiveValue(t.root, t.report.analyzed);
  const own = (node: ReportNode): number => (t.report.analyzed ? node.exclusiveMs ?? 0 : node.exclusiveCost);
  const depth = cells.reduce((max, cell) => Math.max(max, cell.depth), 0);
  const host = h('div', { class: 'icicle', role: 'tree', 'aria-label': `Icicle of ${t.report.analyzed ? 'inclusive time' : 'total cost'}` });
  host.style.height = `${(depth + 1) * ICICLE_ROW}px`;
  for (const cell of cells) {
    const node = cell.node;
    const value = inclusiveValue(node, t.report.analyzed);
    const figure = t.report.analyzed ? formatMs(value) : formatCost(value);
    const classes = ['cell', 'node'];
    if (hot.has(node.id)) classes.push('hot');
    if (state.selected === node.id) classes.push('selected');
    if (matches.size > 0) classes.push(matches.has(node.id) ? 'match' : 'dim');
    const element = h('div', {
      class: classes.join(' '),
      role: 'treeitem',
      tabindex: node.id === focusId ? 0 : -1,
      'data-id': node.id,
      'aria-level': cell.depth + 1,
      'aria-selected': String(state.selected === node.id),
      title: `${node.label}\n${figure}${total > 0 ? ` (${((value / total) * 100).toFixed(1)}%)` : ''}`,
    }, h('span', { class: 'cell-label' }, `${nodeName(node)} · ${figure}`));
    element.style.left = `${(cell.left * 100).toFixed(4)}%`;
    element.style.width = `${(cell.width * 100).toFixed(4)}%`;
    element.style.top = `${cell.depth * ICICLE_ROW}px`;
    element.style.setProperty('--heat', `${Math.round((total > 0 ? Math.min(1, own(node) / total) : 0) * 70)}%`);
    host.appendChild(element);
  }
  host.addEventListener('click', onNodeClick);
  host.addEventListener('keydown', onNodeKey);
  return h('div', { class: 'icicle-scroll' }, host);
}

function compareView(t: PlanTree): HTMLElement {
  searchCount.textContent = '';
  const show = state.show!;
  if (!previousTree || !show.previous) {
    return h('div', { class: 'compare-empty' },
      h('p', {}, 'There is no earlier plan of this query to compare with.'),
      button('Compare with…', 'Choose a plan to compare this one with', () => post({ type: 'compare' })),
    );
  }
  const analyzed = t.report.analyzed && previousTree.report.analyzed;
  const head = h('tr', {}, h('th', { scope: 'col' }, 'Node'), h('th', { scope: 'col' }, 'Cost before'), h('th', { scope: 'col' }, 'Cost after'), h('th', { scope: 'col' }, 'Δ cost'));
  if (analyzed) {
    append(head, [h('th', { scope: 'col' }, 'Time before'), h('th', { scope: 'col' }, 'Time after'), h('th', { scope: 'col' }, 'Δ time')]);
  }
  const body = h('tbody');
  for (const match of matchPlans(t, previousTree)) {
    const node = match.current ?? match.previous!;
    const status = !match.previous ? 'new' : !match.current ? 'gone' : match.previous.type !== match.current.type ? 'changed' : 'same';
    const name = h('td', { class: 'compare-node' }, nodeName(node));
    name.style.setProperty('--depth', String(match.depth));
    if (status !== 'same') {
      name.appendChild(h('span', { class: `status ${status}` }, status === 'changed' ? `was ${match.previous!.type}` : status));
    }
    const row = h('tr', { class: `compare-row ${status}`, 'data-id': match.current?.id }, name);
    const cell = (before: number | undefined, after: number | undefined, format: (value: number) => string): void => {
      append(row, [h('td', { class: 'num' }, before !== undefined ? format(before) : '—'), h('td', { class: 'num' }, after !== undefined ? format(after) : '—')]);
      const delta = before !== undefined && after !== undefined ? formatChange(before, after, format) : '';
      const trend = before !== undefined && after !== undefined ? (after < before ? 'better' : after > before ? 'worse' : '') : '';
      row.appendChild(h('td', { class: `num delta ${trend}` }, delta));
    };
    cell(match.previous?.totalCost, match.current?.totalCost, formatCost);
    if (analyzed) {
      cell(match.previous?.inclusiveMs, match.current?.inclusiveMs, formatMs);
    }
    if (match.current) {
      const id = match.current.id;
      row.tabIndex = 0;
      row.addEventListener('click', () => selectNode(id));
      row.addEventListener('keydown', (event) => {
        if (event.key === 'Enter') selectNode(id);
      });
    }
    body.appendChild(row);
  }
  const before = previousTree.report;
  const totals = [`Total cost ${formatCost(before.totalCost)} → ${formatCost(t.report.totalCost)} (${formatChange(before.totalCost, t.report.totalCost, formatCost)})`];
  if (before.executionMs !== undefined && t.report.executionMs !== undefined) {
    totals.push(`execution ${formatMs(before.executionMs)} → ${formatMs(t.report.executionMs)} (${formatChange(before.executionMs, t.report.executionMs, formatMs)})`);
  }
  return h('div', { class: 'compare' },
    h('p', { class: 'compare-total' }, totals.join(' · ')),
    h('p', { class: 'compare-note' }, 'Nodes are paired under their parents’ pair: same type and table first, then same table, then same type, then the rest in order.'),
    h('table', { class: 'compare-table' }, h('thead', {}, head), body),
  );
}

function rawView(): HTMLElement {
  searchCount.textContent = '';
  const show = state.show!;
  const json = JSON.stringify(show.json, null, 2) ?? '';
  const section = (title: string, text: string, format: 'json' | 'text'): HTMLElement =>
    h('section', { class: 'raw-section' },
      h('div', { class: 'raw-head' },
        h('h2', {}, title),
        button('Copy', `Copy the plan as ${format.toUpperCase()}`, () => post({ type: 'copy', text }), { 'data-copy': format }),
        button('Save…', `Save the plan as ${format.toUpperCase()}`, () => post({ type: 'save', format }), { 'data-save': format }),
      ),
      h('pre', { class: `raw ${format}`, tabindex: 0 }, text),
    );
  return h('div', { class: 'raw-view' }, section('EXPLAIN (FORMAT JSON)', json, 'json'), section('EXPLAIN', show.text, 'text'));
}

function tipsPanel(tips: PlanTip[]): HTMLElement {
  const panel = h('section', { class: 'tips', 'aria-label': 'Tips' }, h('h2', {}, tips.length ? `Tips (${tips.length})` : 'Tips'));
  if (tips.length === 0) {
    panel.appendChild(h('p', { class: 'muted' }, 'No tips for this plan.'));
    return panel;
  }
  const list = h('ul', { class: 'tip-list' });
  for (const tip of tips) {
    list.appendChild(tipItem(tip, true));
  }
  panel.appendChild(list);
  return panel;
}

function tipItem(tip: PlanTip, withNode: boolean): HTMLElement {
  const item = h('li', { class: 'tip', 'data-tip': tip.id, 'data-node': tip.node });
  const node = tree!.byId.get(tip.node);
  const head = h('div', { class: 'tip-head' }, h('span', { class: 'tip-id' }, tip.id));
  if (withNode && node) {
    head.appendChild(button(`#${node.id} ${nodeName(node)}`, 'Select this node', () => {
      selectNode(node.id);
      focusCard(node.id);
    }, { class: 'link tip-node' }));
  }
  append(item, [head, h('p', { class: 'tip-message' }, tip.message)]);
  if (tip.index) {
    const index = tip.index;
    const verdict = index.verified === 'none'
      ? `unverified: ${index.reason ?? 'no database to try it on'}`
      : `verified with ${index.verified === 'hypopg' ? 'HypoPG' : 'the embedded database'}${index.costBefore !== undefined && index.costAfter !== undefined ? `, est. cost ${formatCost(index.costBefore)} → ${formatCost(index.costAfter)}` : ''}`;
    append(item, [h('pre', { class: 'statement' }, index.statement), h('p', { class: `verdict ${index.verified === 'none' ? 'unverified' : 'verified'}` }, verdict)]);
    if (tip.id === 'seq-scan-index') {
      item.appendChild(button('Create index', 'Write this index as a migration', () => post({ type: 'createIndex', tipNode: tip.node, statement: index.statement }), { class: 'primary create-index' }));
    }
  }
  return item;
}

function renderDetails(): void {
  const node = state.selected !== undefined ? tree?.byId.get(state.selected) : undefined;
  if (!node || !tree) {
    detailsHost.replaceChildren(h('h2', {}, 'Node'), h('p', { class: 'muted' }, 'Select a node to see its details.'));
    return;
  }
  const figures: [string, string][] = [
    ['Node', `#${node.id}`],
    ['Estimated rows', formatCount(node.estimatedRows)],
  ];
  if (node.actualRows !== undefined) figures.push(['Actual rows', formatCount(node.actualRows)]);
  if (node.misestimate) figures.push(['Misestimate', `×${formatCount(node.misestimate.factor)} ${node.misestimate.direction}`]);
  if (node.loops !== undefined) figures.push(['Loops', formatCount(node.loops)]);
  figures.push(['Cost', `${formatCost(node.startupCost)}..${formatCost(node.totalCost)}`], ['Own cost', formatCost(node.exclusiveCost)]);
  if (node.inclusiveMs !== undefined) figures.push(['Time', formatMs(node.inclusiveMs)]);
  if (node.exclusiveMs !== undefined) figures.push(['Own time', formatMs(node.exclusiveMs)]);
  if (node.buffers) {
    const b = node.buffers;
    figures.push(['Shared hit / read', `${formatCount(b.sharedHit)} / ${formatCount(b.sharedRead)}`], ['Shared dirtied / written', `${formatCount(b.sharedDirtied)} / ${formatCount(b.sharedWritten)}`]);
    if (b.tempRead + b.tempWritten > 0) figures.push(['Temp read / written', `${formatCount(b.tempRead)} / ${formatCount(b.tempWritten)}`]);
  }
  const table = h('table', { class: 'detail-table' });
  for (const [key, value] of [...figures, ...node.details]) {
    table.appendChild(h('tr', {}, h('th', { scope: 'row' }, key), h('td', {}, value)));
  }
  const tips = tree.tipsByNode.get(node.id) ?? [];
  const tipList = tips.length ? h('ul', { class: 'tip-list' }, ...tips.map((tip) => tipItem(tip, false))) : undefined;
  detailsHost.replaceChildren(h('h2', { class: 'detail-title' }, node.label), table);
  if (tipList) detailsHost.appendChild(tipList);
}

function renderSql(): void {
  const show = state.show!;
  const range = state.selected !== undefined ? show.sourceRanges?.[state.selected] : undefined;
  const pre = h('pre', { class: 'sql', tabindex: 0 });
  const valid = range && range.start >= 0 && range.end <= show.sql.length && range.start < range.end;
  let mark: HTMLElement | undefined;
  if (valid) {
    mark = h('mark', { class: 'sql-range' }, show.sql.slice(range.start, range.end));
    append(pre, [show.sql.slice(0, range.start), mark, show.sql.slice(range.end)]);
  } else {
    pre.textContent = show.sql;
  }
  sqlHost.replaceChildren(h('h2', {}, 'SQL'), pre);
  // Scroll the SQL pane only: scrollIntoView would also scroll the side panel away from the details.
  if (mark) {
    pre.scrollTop = Math.max(0, mark.offsetTop - pre.offsetTop - pre.clientHeight / 3);
  }
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = event.data as PlanViewer.ToWebview | undefined;
  if (isShow(message)) {
    applyShow(message, false);
  } else if (message && message.type === 'stale' && state.show) {
    state.show.stale = message.stale === true;
    if (banner) banner.hidden = !state.show.stale;
    save();
  }
});

if (state.show) {
  applyShow(state.show, true);
}
post({ type: 'ready' });

// The Baton dashboard page: plain JavaScript, no build step. Every URL is relative to the page, so
// it works wherever the handler is mounted and behind a proxy that adds a prefix. What the server
// sends is put in the page as text (textContent), never parsed as HTML. Views reload when the
// server pushes an event (server-sent events from queue.watch); nothing polls the server.
'use strict';

const main = document.getElementById('main');
const flashBox = document.getElementById('flash');
const eventList = document.getElementById('events');

/** What the page keeps between renders. */
const page = {
  readOnly: true,
  /** Selected dead letters, by queue, kept across live reloads. */
  selected: new Map(),
  /** Cursors of the pages before the current one, by `queue/state`. */
  cursors: new Map(),
  extraGroups: [],
  extraLocks: [],
  extraElections: [],
  events: [],
  refreshTimer: undefined,
  renderId: 0,
};

// ---- DOM helpers ---------------------------------------------------------------------------

/** An element with attributes (`on*` are listeners) and children (strings become text nodes). */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

function table(headers, rows, attrs) {
  return h(
    'table',
    attrs,
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        headers.map((x) => h('th', {}, x)),
      ),
    ),
    h('tbody', {}, rows),
  );
}

function hashTo(...parts) {
  return '#/' + parts.map(encodeURIComponent).join('/');
}

function flash(message, kind) {
  flashBox.textContent = message;
  flashBox.className = kind || 'ok';
  flashBox.hidden = false;
  clearTimeout(flash.timer);
  flash.timer = setTimeout(() => (flashBox.hidden = true), 6000);
}

// ---- formatting ----------------------------------------------------------------------------

function duration(ms) {
  const s = Math.abs(ms) / 1000;
  if (s < 1) return `${Math.round(Math.abs(ms))} ms`;
  if (s < 60) return `${Math.floor(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.floor(s % 60)} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

/** A time shown as "12 s ago" or "in 5 min", kept current by the ticker below. */
function since(ms, now) {
  return h('span', { class: 'time', 'data-at': ms - now + Date.now(), title: new Date(ms).toISOString() }, relative(ms - now));
}

function relative(offset) {
  return offset <= 0 ? `${duration(offset)} ago` : `in ${duration(offset)}`;
}

/** An age that grows while the page shows it ("waiting for 3 min"). */
function age(ms) {
  return h('span', { class: 'time', 'data-at': Date.now() - ms, 'data-plain': '1' }, duration(ms));
}

// Ages and countdowns move with the local clock between reloads (rendering only, no request).
setInterval(() => {
  for (const el of document.querySelectorAll('[data-at]')) {
    const offset = Number(el.dataset.at) - Date.now();
    el.textContent = el.dataset.plain ? duration(offset) : relative(offset);
  }
}, 1000);

function compact(value, max = 80) {
  if (value === undefined) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function json(value) {
  return h('pre', { class: 'json' }, value === undefined ? '—' : JSON.stringify(value, null, 2));
}

function stateBadge(state) {
  return h('span', { class: `badge state-${state}` }, state);
}

// ---- the server ----------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, body) {
    super(body.error || `HTTP ${status}`);
    this.status = status;
    this.capability = body.capability;
  }
}

async function api(path, options) {
  const init = options ? { method: options.method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(options.body || {}) } : undefined;
  const response = await fetch(path, init);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

/** What a failed read shows in place of its view: "not supported by this backend" for a missing capability. */
function failure(error, what) {
  if (error instanceof ApiError && error.status === 501) {
    return h(
      'p',
      { class: 'unsupported' },
      `${what}: not supported by this backend`,
      error.capability ? ` (it lacks the "${error.capability}" capability)` : '',
      '.',
    );
  }
  return h('p', { class: 'error' }, `${what}: ${error.message}`);
}

/** Runs a change; says what it did or why it was refused, then reloads the view. */
async function change(path, body, done, method = 'POST') {
  try {
    const result = await api(path, { method, body });
    flash(done(result), 'ok');
  } catch (error) {
    const why = error.status === 405 ? 'refused: the dashboard is read-only' : error.status === 403 ? 'refused: not allowed' : error.message;
    flash(why, 'error');
  }
  await render();
}

// ---- views ---------------------------------------------------------------------------------

function route() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  return { view: parts[0] || 'queues', args: parts.slice(1) };
}

async function renderQueues() {
  const data = await api('api/overview');
  applyOverview(data);
  const rows = data.queues.map((q) =>
    h(
      'tr',
      { 'data-queue': q.name },
      h('td', {}, h('a', { href: hashTo('queue', q.name, 'waiting') }, q.name)),
      ['waiting', 'delayed', 'active'].map((s) => h('td', { class: 'num' }, h('a', { href: hashTo('queue', q.name, s) }, q[s]))),
      h('td', { class: 'num' }, h('a', { href: hashTo('queue', q.name, 'dead'), class: q.dead > 0 ? 'dead-count' : '' }, q.dead)),
      h('td', { class: 'num muted' }, q.deadDropped ?? '—'),
      h(
        'td',
        {},
        q.paused === null
          ? h('span', { class: 'muted', title: 'not supported by this backend' }, 'n/a')
          : q.paused
            ? h('span', { class: 'badge warn' }, 'paused')
            : 'running',
      ),
      h('td', { class: 'num' }, q.oldestWaitingMs === null ? '—' : age(q.oldestWaitingMs)),
      h('td', { class: 'num' }, rate(q.rate)),
      page.readOnly || q.paused === null
        ? h('td', {})
        : h(
            'td',
            {},
            h(
              'button',
              {
                onclick: () =>
                  change(`api/queues/${encodeURIComponent(q.name)}/${q.paused ? 'resume' : 'pause'}`, {}, () => `${q.paused ? 'resumed' : 'paused'} ${q.name}`),
              },
              q.paused ? 'Resume' : 'Pause',
            ),
          ),
    ),
  );
  return [
    h('h1', {}, 'Queues'),
    data.listed
      ? null
      : h(
          'p',
          { class: 'unsupported' },
          'Listing queues is not supported by this backend (it lacks the "inspection" capability): only the configured queues are shown.',
        ),
    rows.length === 0
      ? h('p', { class: 'muted' }, 'No queues yet: a queue is known from its first enqueue or worker.')
      : table(['queue', 'waiting', 'delayed', 'active', 'dead', 'dropped', 'state', 'oldest waiting', 'done / failed per min', ''], rows, { id: 'queues' }),
  ];
}

function rate(r) {
  if (!r) return h('span', { class: 'muted', title: 'no live events from this backend' }, '—');
  const text = `${r.completedPerMinute} / ${r.failedPerMinute}`;
  return h('span', { title: r.windowMs < 60000 ? `over the last ${duration(r.windowMs)}` : 'over the last minute' }, text);
}

function applyOverview(data) {
  page.readOnly = data.readOnly;
  document.getElementById('read-only').hidden = !data.readOnly;
  document.getElementById('backend').textContent = data.backend;
}

async function ensureOverview() {
  if (ensureOverview.done) return;
  applyOverview(await api('api/overview'));
  ensureOverview.done = true;
}

const COLUMNS = {
  waiting: ['attempt', 'priority', 'enqueued', 'payload'],
  delayed: ['attempt', 'priority', 'due', 'payload'],
  active: ['attempt', 'holder', 'lease ends', 'progress'],
  finished: ['ended', 'result'],
  dead: ['attempt', 'died', 'error'],
  cancelled: ['ended', 'reason'],
};

function cells(task, now) {
  switch (task.state) {
    case 'waiting':
      return [task.attempt, task.priority, since(task.enqueuedAt, now), compact(task.payload)];
    case 'delayed':
      return [task.attempt, task.priority, since(task.dueAt, now), compact(task.payload)];
    case 'active':
      return [task.attempt, task.holder ?? '—', since(task.deadline, now), compact(task.progress) || '—'];
    case 'finished':
      return [since(task.endedAt, now), compact(task.result) || '—'];
    case 'dead':
      return [task.attempt, since(task.endedAt, now), h('span', { class: 'error-text' }, compact(task.lastError, 120))];
    case 'cancelled':
      return [since(task.endedAt, now), task.reason ?? '—'];
  }
  return [];
}

async function renderQueue(name, state = 'waiting') {
  await ensureOverview();
  const key = `${name}/${state}`;
  const stack = page.cursors.get(key) || { before: [], current: null };
  page.cursors.set(key, stack);
  const query = new URLSearchParams({ state, limit: '20' });
  if (stack.current) query.set('cursor', stack.current);
  const q = encodeURIComponent(name);
  let data;
  try {
    data = await api(`api/queues/${q}/tasks?${query}`);
  } catch (error) {
    if (error.status === 400 && stack.current) {
      // the cursor went stale (the page it pointed into is gone): start over
      page.cursors.delete(key);
      return renderQueue(name, state);
    }
    return [h('h1', {}, name), failure(error, `Tasks of queue "${name}"`)];
  }
  const info = data.queue;
  const selected = page.selected.get(name) || new Set();
  page.selected.set(name, selected);
  const visible = new Set(data.tasks.map((t) => t.id));
  for (const id of selected) if (state !== 'dead' || !visible.has(id)) selected.delete(id);
  const canRedrive = state === 'dead' && !page.readOnly;
  const tabs = h(
    'nav',
    { class: 'tabs' },
    ['waiting', 'delayed', 'active', 'dead', 'finished', 'cancelled'].map((s) =>
      h('a', { href: hashTo('queue', name, s), class: s === state ? 'current' : '' }, s, s in info ? h('span', { class: 'count' }, info[s]) : null),
    ),
  );
  const header = h(
    'div',
    { class: 'title' },
    h('h1', {}, name),
    info.paused ? h('span', { class: 'badge warn' }, 'paused') : null,
    h(
      'form',
      {
        class: 'lookup',
        onsubmit: (e) => {
          e.preventDefault();
          const id = e.target.elements.id.value.trim();
          if (id) location.hash = hashTo('task', name, id);
        },
      },
      h('input', { name: 'id', placeholder: 'task id', 'aria-label': 'task id' }),
      h('button', { type: 'submit' }, 'Open task'),
    ),
  );
  const rows = data.tasks.map((t) =>
    h(
      'tr',
      { 'data-id': t.id },
      canRedrive
        ? h(
            'td',
            {},
            h('input', {
              type: 'checkbox',
              'aria-label': `select ${t.id}`,
              checked: selected.has(t.id),
              onchange: (e) => {
                if (e.target.checked) selected.add(t.id);
                else selected.delete(t.id);
                updateBulk();
              },
            }),
          )
        : null,
      h('td', {}, h('a', { href: hashTo('task', name, t.id) }, t.id)),
      cells(t, data.now).map((c) => h('td', {}, c)),
      canRedrive ? h('td', {}, h('button', { class: 'redrive', onclick: () => redrive(name, [t.id]) }, 'Redrive')) : null,
    ),
  );
  const headers = [
    canRedrive ? h('input', { type: 'checkbox', 'aria-label': 'select all on this page', onchange: (e) => selectAll(e.target.checked) }) : null,
    'id',
    ...COLUMNS[state],
    canRedrive ? '' : null,
  ].filter((x) => x !== null);
  const bulk = canRedrive
    ? h(
        'div',
        { class: 'bulk' },
        h('button', { id: 'redrive-selected', onclick: () => redrive(name, [...selected]) }, 'Redrive selected'),
        h(
          'button',
          { id: 'redrive-all', onclick: () => change(`api/queues/${q}/retry`, { all: true }, (r) => `redriven ${r.redriven}`) },
          'Redrive all dead letters',
        ),
      )
    : null;
  const purge =
    !page.readOnly && state !== 'active' && data.tasks.length > 0
      ? h(
          'button',
          {
            class: 'danger',
            onclick: () => {
              if (confirm(`Remove every ${state} task of queue "${name}"?`)) void change(`api/queues/${q}/purge`, { state }, (r) => `purged ${r.removed}`);
            },
          },
          `Purge ${state}`,
        )
      : null;
  const pager = h(
    'div',
    { class: 'pager' },
    h('button', { disabled: stack.before.length === 0, onclick: () => turn(key, -1, data.cursor) }, 'Previous page'),
    h('span', { class: 'muted' }, `page ${stack.before.length + 1}`),
    h('button', { disabled: data.cursor === null, onclick: () => turn(key, 1, data.cursor) }, 'Next page'),
  );

  function selectAll(on) {
    for (const t of data.tasks) {
      if (on) selected.add(t.id);
      else selected.delete(t.id);
    }
    for (const box of main.querySelectorAll('tbody input[type=checkbox]')) box.checked = on;
    updateBulk();
  }
  function updateBulk() {
    const button = document.getElementById('redrive-selected');
    if (button) {
      button.disabled = selected.size === 0;
      button.textContent = `Redrive selected (${selected.size})`;
    }
  }
  queueMicrotask(updateBulk);

  return [
    header,
    tabs,
    h('div', { class: 'toolbar' }, bulk, purge),
    data.tasks.length === 0 ? h('p', { class: 'muted empty' }, `No ${state} tasks.`) : table(headers, rows, { id: 'tasks' }),
    pager,
  ];
}

function turn(key, step, next) {
  const stack = page.cursors.get(key);
  if (step > 0) {
    stack.before.push(stack.current);
    stack.current = next;
  } else {
    stack.current = stack.before.pop() ?? null;
  }
  void render();
}

function redrive(name, ids) {
  if (ids.length === 0) return;
  return change(`api/queues/${encodeURIComponent(name)}/retry`, { ids }, (r) => `redriven ${r.redriven} of ${ids.length}`).then(() =>
    page.selected.get(name)?.clear(),
  );
}

const TASK_FIELDS = ['state', 'attempt', 'priority', 'enqueuedAt', 'dueAt', 'deadline', 'holder', 'endedAt', 'lastError', 'reason', 'headers'];

async function renderTask(name, id) {
  await ensureOverview();
  let data;
  try {
    data = await api(`api/queues/${encodeURIComponent(name)}/tasks/${encodeURIComponent(id)}`);
  } catch (error) {
    return [h('h1', {}, id), failure(error, 'Task')];
  }
  const task = data.task;
  const times = new Set(['enqueuedAt', 'dueAt', 'deadline', 'endedAt']);
  const rows = TASK_FIELDS.filter((f) => f in task).map((f) =>
    h(
      'tr',
      {},
      h('th', {}, f === 'holder' ? 'lease holder' : f === 'deadline' ? 'lease ends' : f),
      h(
        'td',
        {},
        f === 'state' ? stateBadge(task.state) : times.has(f) ? since(task[f], data.now) : typeof task[f] === 'object' ? json(task[f]) : String(task[f]),
      ),
    ),
  );
  const q = encodeURIComponent(name);
  const actions = data.readOnly
    ? null
    : h(
        'div',
        { class: 'toolbar' },
        task.state === 'dead' ? h('button', { class: 'redrive', onclick: () => redrive(name, [task.id]) }, 'Redrive') : null,
        task.state !== 'active'
          ? h(
              'button',
              {
                class: 'danger',
                onclick: () => {
                  if (confirm(`Remove task "${task.id}"?`))
                    void change(`api/queues/${q}/tasks/${encodeURIComponent(task.id)}`, undefined, () => `removed ${task.id}`, 'DELETE');
                },
              },
              'Remove',
            )
          : null,
      );
  return [
    h('p', { class: 'crumbs' }, h('a', { href: hashTo('queue', name, task.state) }, `← ${name} (${task.state})`)),
    h('h1', { id: 'task-id' }, task.id),
    actions,
    table(['field', 'value'], rows, { class: 'fields', id: 'task' }),
    h('h2', {}, 'Progress'),
    json(task.progress),
    'payload' in task ? [h('h2', {}, 'Payload'), json(task.payload)] : null,
    task.state === 'finished' ? [h('h2', {}, 'Result'), json(task.result)] : null,
  ];
}

function lookupForm(label, list) {
  return h(
    'form',
    {
      class: 'lookup',
      onsubmit: (e) => {
        e.preventDefault();
        const value = e.target.elements.name.value.trim();
        if (value && !list.includes(value)) list.push(value);
        void render();
      },
    },
    h('input', { name: 'name', placeholder: label, 'aria-label': label }),
    h('button', { type: 'submit' }, 'Look up'),
  );
}

async function renderNodes() {
  await ensureOverview();
  const query = new URLSearchParams(page.extraGroups.map((g) => ['group', g]));
  let data;
  try {
    data = await api(`api/nodes?${query}`);
  } catch (error) {
    return [h('h1', {}, 'Nodes'), failure(error, 'Nodes')];
  }
  return [
    h('div', { class: 'title' }, h('h1', {}, 'Nodes'), lookupForm('group', page.extraGroups)),
    data.groups.map((g) => [
      h('h2', {}, `Group "${g.group}"`),
      g.nodes.length === 0
        ? h('p', { class: 'muted' }, 'No live nodes.')
        : table(
            ['node', 'last heartbeat', 'registered', 'meta'],
            g.nodes.map((n) =>
              h(
                'tr',
                { 'data-node': n.id },
                h('td', {}, n.id),
                h('td', {}, age(n.heartbeatAgeMs), ' ago'),
                h('td', {}, since(n.registeredAt, n.lastSeen + n.heartbeatAgeMs)),
                h('td', { class: 'muted' }, compact(n.meta, 120)),
              ),
            ),
          ),
    ]),
  ];
}

async function renderLocks() {
  await ensureOverview();
  const query = new URLSearchParams(page.extraLocks.map((r) => ['resource', r]));
  const head = h('div', { class: 'title' }, h('h1', {}, 'Locks'), lookupForm('lock resource', page.extraLocks));
  let data;
  try {
    data = await api(`api/locks?${query}`);
  } catch (error) {
    return [head, failure(error, 'Lock inspection')];
  }
  if (data.locks.length === 0) return [head, h('p', { class: 'muted' }, 'Look a lock up by its resource name.')];
  return [
    head,
    table(
      ['resource', 'state', 'holder fence', 'expires', 'latest fence', 'waiters'],
      data.locks.map((l) =>
        h(
          'tr',
          { 'data-lock': l.resource },
          h('td', {}, l.resource),
          h('td', {}, l.holder ? h('span', { class: 'badge state-active' }, 'held') : h('span', { class: 'badge' }, 'free')),
          h('td', { class: 'num' }, l.holder ? l.holder.fence : '—'),
          h('td', {}, l.holder ? h('span', { class: 'time', 'data-at': Date.now() + l.holder.expiresInMs }, relative(l.holder.expiresInMs)) : '—'),
          h('td', { class: 'num' }, l.fence),
          h('td', { class: 'num' }, l.waiters),
        ),
      ),
    ),
  ];
}

async function renderLeaders() {
  await ensureOverview();
  const query = new URLSearchParams(page.extraElections.map((n) => ['name', n]));
  const head = h('div', { class: 'title' }, h('h1', {}, 'Leaders'), lookupForm('election name', page.extraElections));
  let data;
  try {
    data = await api(`api/leaders?${query}`);
  } catch (error) {
    return [head, failure(error, 'Elections')];
  }
  if (data.elections.length === 0) return [head, h('p', { class: 'muted' }, 'Look an election up by its name (the name given to elect()).')];
  return [
    head,
    table(
      ['election', 'state', 'term', 'term ends', 'candidates'],
      data.elections.map((e) =>
        h(
          'tr',
          { 'data-election': e.name },
          h('td', {}, e.name),
          h('td', {}, e.led ? h('span', { class: 'badge state-active' }, 'led') : h('span', { class: 'badge warn' }, 'no leader')),
          h('td', { class: 'num' }, e.term),
          h('td', {}, e.expiresInMs === null ? '—' : h('span', { class: 'time', 'data-at': Date.now() + e.expiresInMs }, relative(e.expiresInMs))),
          h('td', { class: 'num' }, e.candidates),
        ),
      ),
    ),
  ];
}

/** Draws the view the address names; a newer render started meanwhile wins. */
async function render() {
  const id = ++page.renderId;
  const { view, args } = route();
  for (const link of document.querySelectorAll('[data-nav]'))
    link.classList.toggle('current', link.dataset.nav === (view === 'queue' || view === 'task' ? 'queues' : view));
  let content;
  try {
    if (view === 'queue') content = await renderQueue(args[0], args[1]);
    else if (view === 'task') content = await renderTask(args[0], args[1]);
    else if (view === 'nodes') content = await renderNodes();
    else if (view === 'locks') content = await renderLocks();
    else if (view === 'leaders') content = await renderLeaders();
    else content = await renderQueues();
  } catch (error) {
    content = failure(error, 'The dashboard could not be read');
  }
  if (id !== page.renderId) return;
  main.replaceChildren(...[content].flat(3).filter(Boolean));
  renderEvents();
}

// ---- live updates --------------------------------------------------------------------------

/** Reloads the view soon, once for a burst of events; waits while someone types in a field. */
function refreshSoon() {
  clearTimeout(page.refreshTimer);
  page.refreshTimer = setTimeout(() => {
    const typing = document.activeElement && document.activeElement.tagName === 'INPUT' && document.activeElement.type !== 'checkbox';
    if (typing) refreshSoon();
    else void render();
  }, 250);
}

function describe(event) {
  switch (event.type) {
    case 'enqueued':
    case 'active':
      return `${event.type} ${event.ids.join(' ')}`;
    case 'completed':
      return `completed ${event.id}`;
    case 'failed':
      return `failed ${event.id} (attempt ${event.attempt}${event.willRetry ? ', will retry' : ''}): ${event.error}`;
    case 'dead':
      return `dead ${event.id}: ${event.error}`;
    case 'cancelled':
      return `cancelled ${event.id}`;
    case 'progress':
      return `progress ${event.id} ${compact(event.progress, 40)}`;
    default:
      return event.type;
  }
}

function renderEvents() {
  const { view, args } = route();
  const queue = view === 'queue' || view === 'task' ? args[0] : undefined;
  const shown = page.events.filter((e) => queue === undefined || e.queue === queue).slice(0, 30);
  eventList.replaceChildren(
    ...shown.map((e) =>
      h(
        'li',
        { class: `event-${e.type}` },
        h('span', { class: 'muted' }, new Date(e.at).toISOString().slice(11, 19)),
        ' ',
        h('b', {}, e.queue),
        ' ',
        compact(describe(e), 140),
      ),
    ),
  );
}

function connect() {
  const live = document.getElementById('live');
  const source = new EventSource('api/events');
  source.addEventListener('ready', () => {
    live.textContent = 'live';
    live.className = 'live on';
  });
  source.addEventListener('queue', (message) => {
    const event = JSON.parse(message.data);
    page.events.unshift(event);
    page.events.length = Math.min(page.events.length, 200);
    renderEvents();
    const { view, args } = route();
    if (view === 'queues' || ((view === 'queue' || view === 'task') && args[0] === event.queue)) refreshSoon();
  });
  source.addEventListener('nodes', () => {
    if (route().view === 'nodes') refreshSoon();
  });
  source.addEventListener('queues', () => {
    if (route().view === 'queues') refreshSoon();
  });
  source.onerror = () => {
    live.textContent = 'reconnecting…';
    live.className = 'live off';
  };
}

window.addEventListener('hashchange', () => void render());
connect();
void render();

/* global Chart, document, sessionStorage, fetch, window, URL */
// The dashboard page's only script (no build step). Every number comes from /graphql with the
// token the user pasted, so the page shows exactly what that role may see: a denied panel says
// so, a suppressed cell says "suppressed" (never 0). The token lives in sessionStorage only.
'use strict';

(function () {
  const TOKEN_KEY = 'hub.dashboard.token';
  const $ = (id) => document.getElementById(id);

  // ---- GraphQL -------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(kind, message) {
      super(message);
      this.kind = kind;
    }
  }

  async function gql(query, variables) {
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (!token) throw new ApiError('unauthenticated', 'Sign in with your token.');
    let response;
    try {
      response = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
        cache: 'no-store',
        credentials: 'omit',
        referrerPolicy: 'no-referrer',
      });
    } catch {
      throw new ApiError(
        'network',
        'The hub could not be reached. Check the connection and reload.',
      );
    }
    let body;
    try {
      body = await response.json();
    } catch {
      throw new ApiError('http', `The hub answered HTTP ${response.status} without data.`);
    }
    const errors = Array.isArray(body.errors) ? body.errors : [];
    const code = (e) => (e.extensions && e.extensions.code) || '';
    if (response.status === 401 || errors.some((e) => code(e) === 'UNAUTHENTICATED')) {
      throw new ApiError('unauthenticated', 'The hub did not accept this token.');
    }
    if (errors.some((e) => code(e) === 'GRAPHQL_VALIDATION_FAILED')) {
      throw new ApiError('unsupported', 'This hub does not offer that query.');
    }
    if (response.status === 429) {
      throw new ApiError('rate', 'Too many requests: wait a minute, then reload.');
    }
    return { data: body.data || {}, errors };
  }

  /** The top-level field came back null because the role may not read it. */
  const forbiddenAt = (result, field) =>
    result.data[field] == null &&
    result.errors.some(
      (e) => e.path && e.path[0] === field && e.extensions && e.extensions.code === 'FORBIDDEN',
    );

  const failureOf = (result, field) => {
    const error = result.errors.find((e) => e.path && e.path[0] === field) || result.errors[0];
    const id = error && error.extensions && error.extensions.requestId;
    return `Could not load this panel${error ? `: ${error.message}` : ''}${id ? ` (request id ${id})` : ''}.`;
  };

  /** POSTs a statistics query to the CSV export and saves the answer as a file. */
  async function downloadCsv(query, variables, name) {
    const token = sessionStorage.getItem(TOKEN_KEY);
    const response = await fetch('/graphql/export.csv', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
      cache: 'no-store',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    });
    if (!response.ok) throw new ApiError('http', `The export failed (HTTP ${response.status}).`);
    const url = URL.createObjectURL(await response.blob());
    const link = document.createElement('a');
    link.href = url;
    link.download = `${name}.csv`;
    document.body.append(link);
    link.click();
    link.remove();
    window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  // ---- DOM helpers (textContent only: no value from the API is ever parsed as HTML) ---------

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === 'text') node.textContent = value;
      else if (key === 'class') node.className = value;
      else node.setAttribute(key, value);
    }
    for (const child of children || []) if (child) node.append(child);
    return node;
  }

  const bodyOf = (panelId) => $(panelId).querySelector('.body');

  /** A "Download CSV" button for the query a panel shows (same permissions, same numbers). */
  function csvButton(query, variables, name) {
    const button = el('button', { type: 'button', class: 'csv', text: 'Download CSV' });
    button.addEventListener('click', () => {
      button.disabled = true;
      downloadCsv(query, variables, name)
        .catch((error) => {
          button.after(el('span', { class: 'error', text: ` ${error.message}` }));
        })
        .finally(() => {
          button.disabled = false;
        });
    });
    return el('div', { class: 'toolbar' }, [button]);
  }

  function show(panelId, ...nodes) {
    const body = bodyOf(panelId);
    body.replaceChildren(...nodes);
    $(panelId).dataset.state = 'ready';
  }

  const message = (panelId, kind, text) => {
    show(panelId, el('p', { class: `message ${kind}`, text }));
    $(panelId).dataset.state = kind;
  };
  const notForRole = (panelId) => message(panelId, 'forbidden', 'not available to your role');

  const SUPPRESSED = 'suppressed';
  const count = (cell) =>
    !cell ? '—' : cell.suppressed ? SUPPRESSED : cell.value == null ? '—' : String(cell.value);
  const percent = (rate) =>
    !rate
      ? '—'
      : rate.suppressed
        ? SUPPRESSED
        : rate.value == null
          ? '—'
          : `${Math.round(rate.value * 100)} %${rate.unstable ? ' *' : ''}`;
  const hours = (value, suppressed) =>
    suppressed ? SUPPRESSED : value == null ? '—' : `${value.toFixed(1)} h`;
  const rateValueRaw = (rate) =>
    rate && !rate.suppressed && rate.value != null ? rate.value : null;
  const rateValue = (rate) =>
    rate && !rate.suppressed && rate.value != null ? Math.round(rate.value * 1000) / 10 : null;

  function table(headers, rows, rowClass) {
    return el('table', {}, [
      el('thead', {}, [
        el(
          'tr',
          {},
          headers.map((h) => el('th', { scope: 'col', text: h })),
        ),
      ]),
      el(
        'tbody',
        {},
        rows.map((cells, i) =>
          el(
            'tr',
            rowClass ? { class: rowClass(i) } : {},
            cells.map((c, j) =>
              el(j === 0 ? 'th' : 'td', {
                ...(j === 0 ? { scope: 'row' } : {}),
                ...(c === SUPPRESSED ? { class: 'suppressed' } : {}),
                text: c,
              }),
            ),
          ),
        ),
      ),
    ]);
  }

  const dateTime = (iso) =>
    new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

  function since(iso) {
    const hoursAgo = Math.max(0, (Date.now() - new Date(iso).getTime()) / 3_600_000);
    const days = Math.floor(hoursAgo / 24);
    return days > 0 ? `${days} d ${Math.floor(hoursAgo % 24)} h` : `${Math.floor(hoursAgo)} h`;
  }

  // ---- Charts --------------------------------------------------------------------------------

  const COLORS = ['#2f6f8f', '#d08c2f', '#6a9a4a', '#8a4f7d', '#b5543c', '#7a7a7a'];
  const charts = [];

  /** Writes "suppressed" where a bar is missing because its value was withheld. */
  const suppressedLabels = {
    id: 'suppressedLabels',
    afterDatasetsDraw(chart, _args, options) {
      const indexes = (options && options.indexes) || [];
      if (!indexes.length) return;
      const { ctx } = chart;
      const horizontal = chart.options.indexAxis === 'y';
      const category = horizontal ? chart.scales.y : chart.scales.x;
      const value = horizontal ? chart.scales.x : chart.scales.y;
      ctx.save();
      ctx.fillStyle = '#8a5a00';
      ctx.font = 'italic 11px system-ui, sans-serif';
      ctx.textAlign = horizontal ? 'left' : 'center';
      for (const i of indexes) {
        const at = category.getPixelForValue(i);
        const base = value.getPixelForValue(0);
        if (horizontal) ctx.fillText(SUPPRESSED, base + 6, at + 4);
        else ctx.fillText(SUPPRESSED, at, base - 8);
      }
      ctx.restore();
    },
  };

  /** Long category names on two lines (chart.js draws an array label line by line). */
  function twoLines(label) {
    if (label.length <= 12 || !label.includes(' ')) return label;
    const spaces = [...label.matchAll(/ /g)].map((m) => m.index);
    const cut = spaces.reduce((a, b) =>
      Math.abs(b - label.length / 2) < Math.abs(a - label.length / 2) ? b : a,
    );
    return [label.slice(0, cut), label.slice(cut + 1)];
  }

  function chart(type, labels, datasets, options) {
    const canvas = el('canvas', { role: 'img', 'aria-label': options.description });
    const box = el('div', { class: `chart${options.tall ? ' tall' : ''}` }, [canvas]);
    if (typeof Chart === 'undefined') {
      box.replaceChildren(el('p', { class: 'message error', text: 'Charts could not load.' }));
      return box;
    }
    // Drawn after the box is in the document, so the chart can measure it.
    window.requestAnimationFrame(() => {
      charts.push(
        new Chart(canvas, {
          type,
          data: {
            labels: options.indexAxis === 'y' ? labels : labels.map(twoLines),
            datasets: datasets.map((d, i) => ({
              backgroundColor: COLORS[i % COLORS.length],
              borderColor: COLORS[i % COLORS.length],
              ...d,
            })),
          },
          options: {
            animation: false,
            responsive: true,
            maintainAspectRatio: false,
            indexAxis: options.indexAxis || 'x',
            plugins: {
              legend: { display: datasets.length > 1, position: 'bottom' },
              suppressedLabels: { indexes: options.suppressed || [] },
              tooltip: { enabled: true },
            },
            scales: {
              // Every category labelled: no skipping when the bars are close together.
              [options.indexAxis === 'y' ? 'y' : 'x']: { ticks: { autoSkip: false } },
              [options.indexAxis === 'y' ? 'x' : 'y']: {
                beginAtZero: true,
                ticks: { precision: 0 },
                title: { display: Boolean(options.unit), text: options.unit || '' },
                ...(options.max ? { max: options.max } : {}),
              },
            },
          },
          plugins: [suppressedLabels],
        }),
      );
      box.dataset.drawn = 'true';
    });
    return box;
  }

  // ---- Panels --------------------------------------------------------------------------------

  const QUEUE = `query DashboardQueue($timeZone: String) {
    overdue: followUpQueue(buckets: [OVERDUE], first: 10, timeZone: $timeZone) {
      totalCount
      edges { node { id county status followUpDueAt assignedWorker { displayName } } }
    }
    due: followUpQueue(buckets: [DUE], first: 1, timeZone: $timeZone) { totalCount }
    opensToday: followUpQueue(buckets: [OPENS_TODAY], first: 1, timeZone: $timeZone) { totalCount }
  }`;

  async function queuePanel(timeZone) {
    const result = await gql(QUEUE, { timeZone });
    if (forbiddenAt(result, 'overdue')) return notForRole('panel-queue');
    if (!result.data.overdue) return message('panel-queue', 'error', failureOf(result, 'overdue'));
    const { overdue, due, opensToday } = result.data;
    const tile = (name, value, kind) =>
      el('div', { class: `tile ${kind}`, 'data-tile': name }, [
        el('span', { class: 'value', text: value == null ? '—' : String(value) }),
        el('span', { class: 'label', text: name }),
      ]);
    const tiles = el('div', { class: 'tiles' }, [
      tile('overdue', overdue.totalCount, 'alert'),
      tile('due now', due && due.totalCount, 'warn'),
      tile('window opens today', opensToday && opensToday.totalCount, 'calm'),
    ]);
    const rows = overdue.edges.map(({ node }) => [
      node.id.slice(0, 8),
      node.county || '—',
      (node.status || '').replace(/_/g, ' ').toLowerCase(),
      node.followUpDueAt ? dateTime(node.followUpDueAt) : '—',
      node.followUpDueAt ? since(node.followUpDueAt) : '—',
      node.assignedWorker ? node.assignedWorker.displayName || '—' : 'unassigned',
    ]);
    const list = rows.length
      ? table(['Case', 'County', 'Status', 'Visit due by', 'Overdue by', 'Assigned to'], rows)
      : el('p', { class: 'message', text: 'No overdue cases.' });
    const caption = el('p', {
      class: 'caption',
      text:
        overdue.totalCount > rows.length
          ? `Oldest ${rows.length} of ${overdue.totalCount} overdue cases (no attempt within 72 h).`
          : 'Cases past their follow-up window with no outreach attempt yet, oldest first.',
    });
    show('panel-queue', tiles, caption, list);
  }

  const STATUSES = [
    'REPORTED',
    'TRIAGE',
    'REFERRED',
    'REFERRAL_DECLINED',
    'ASSIGNED',
    'OUTREACH',
    'ON_HOLD',
    'ENGAGED',
    'LINKED',
    'FOLLOW_UP',
    'CLOSED',
  ];
  const STATUS_QUERY = `query DashboardStatuses {
    ${STATUSES.map((s) => `${s}: cases(filter: { status: [${s}] }, first: 1) { totalCount }`).join('\n    ')}
  }`;
  const statusLabel = (s) => s.charAt(0) + s.slice(1).replace(/_/g, ' ').toLowerCase();

  async function statusPanel() {
    const result = await gql(STATUS_QUERY);
    if (forbiddenAt(result, STATUSES[0])) return notForRole('panel-status');
    const counts = STATUSES.map((s) => (result.data[s] ? result.data[s].totalCount : null));
    if (counts.every((c) => c == null)) {
      return message('panel-status', 'error', failureOf(result, STATUSES[0]));
    }
    const total = counts.reduce((a, b) => a + (b || 0), 0);
    if (total === 0) return message('panel-status', 'empty', 'No cases routed to your agency yet.');
    const rows = STATUSES.map((s, i) => [
      statusLabel(s),
      counts[i] == null ? '—' : String(counts[i]),
    ]);
    show(
      'panel-status',
      el('p', { class: 'caption', text: `${total} cases routed to your agency, by status now.` }),
      chart('bar', STATUSES.map(statusLabel), [{ label: 'cases', data: counts }], {
        indexAxis: 'y',
        tall: true,
        description: 'Cases by status',
      }),
      el('details', {}, [el('summary', { text: 'Numbers' }), table(['Status', 'Cases'], rows)]),
    );
  }

  const CELL = '{ value suppressed }';
  const RATE = '{ value suppressed unstable }';
  const CONTACT_QUERY = `query DashboardFirstContact {
    followUpStats(groupBy: [MONTH]) {
      internal
      rows {
        group { month }
        cases ${CELL}
        contacted ${CELL}
        timeToFirstContact { medianHours p90Hours suppressed within72h ${RATE} }
      }
    }
  }`;

  const monthLabel = (ym) =>
    new Date(`${ym}-01T00:00:00Z`).toLocaleDateString(undefined, {
      month: 'short',
      year: 'numeric',
      timeZone: 'UTC',
    });

  async function contactPanel() {
    const result = await gql(CONTACT_QUERY);
    if (forbiddenAt(result, 'followUpStats')) return notForRole('panel-contact');
    if (!result.data.followUpStats) {
      return message('panel-contact', 'error', failureOf(result, 'followUpStats'));
    }
    const rows = result.data.followUpStats.rows
      .filter((r) => r.group.month)
      .sort((a, b) => a.group.month.localeCompare(b.group.month))
      .slice(-12);
    if (!rows.length) return message('panel-contact', 'empty', 'No cases yet.');
    const time = (r) => r.timeToFirstContact;
    const suppressed = rows.map((r, i) => (time(r).suppressed ? i : -1)).filter((i) => i >= 0);
    show(
      'panel-contact',
      csvButton(CONTACT_QUERY, {}, 'time-to-first-contact'),
      chart(
        'bar',
        rows.map((r) => monthLabel(r.group.month)),
        [
          { label: 'median', data: rows.map((r) => time(r).medianHours) },
          { label: '90th percentile', data: rows.map((r) => time(r).p90Hours) },
        ],
        { unit: 'hours', suppressed, description: 'Hours from overdose to first contact by month' },
      ),
      table(
        ['Month', 'Cases', 'Contacted', 'Median', '90th pct', 'Within 72 h'],
        rows.map((r) => [
          monthLabel(r.group.month),
          count(r.cases),
          count(r.contacted),
          hours(time(r).medianHours, time(r).suppressed),
          hours(time(r).p90Hours, time(r).suppressed),
          percent(time(r).within72h),
        ]),
      ),
      el('p', {
        class: 'caption',
        text: result.data.followUpStats.internal
          ? 'Your agency’s own cases: exact numbers (internal, not for publication). * 20 cases or fewer.'
          : 'Shared numbers: counts from 1 to 10 suppressed, with any count that would give one back by subtraction; others perturbed by up to ±2 (docs/disclosure.md). * 20 cases or fewer.',
      }),
    );
  }

  const PRESENCE = [
    ['NONE', 'No officer'],
    ['WARM_HANDOFF_ONLY', 'Warm hand-off only'],
    ['PLAIN_CLOTHES', 'Plain clothes'],
    ['UNIFORMED', 'Uniformed'],
    ['NO_ATTEMPT', 'No attempt yet'],
  ];
  const OUTCOME_QUERY = `query DashboardOfficerPresence {
    outcomeStats(groupBy: [OFFICER_PRESENCE]) {
      rows {
        group { officerPresence }
        cases ${CELL}
        contacted ${CELL}
        engaged ${CELL}
        treatmentEntered ${CELL}
        contactRate ${RATE}
        treatmentRate ${RATE}
      }
    }
  }`;

  async function presencePanel() {
    const result = await gql(OUTCOME_QUERY);
    if (forbiddenAt(result, 'outcomeStats')) return notForRole('panel-presence');
    if (!result.data.outcomeStats) {
      return message('panel-presence', 'error', failureOf(result, 'outcomeStats'));
    }
    const byPresence = new Map(
      result.data.outcomeStats.rows.map((r) => [r.group.officerPresence, r]),
    );
    const present = PRESENCE.filter(([key]) => byPresence.has(key));
    if (!present.length) return message('panel-presence', 'empty', 'No cases yet.');
    const rows = present.map(([key]) => byPresence.get(key));
    const suppressed = rows
      .map((r, i) => (r.contactRate.suppressed || r.treatmentRate.suppressed ? i : -1))
      .filter((i) => i >= 0);
    show(
      'panel-presence',
      csvButton(OUTCOME_QUERY, {}, 'outcomes-by-officer-presence'),
      chart(
        'bar',
        present.map(([, label]) => label),
        [
          { label: 'contacted', data: rows.map((r) => rateValue(r.contactRate)) },
          { label: 'entered treatment', data: rows.map((r) => rateValue(r.treatmentRate)) },
        ],
        { unit: '% of cases', max: 100, suppressed, description: 'Outcomes by officer presence' },
      ),
      table(
        ['Officer presence', 'Cases', 'Contacted', 'Entered treatment'],
        present.map(([, label], i) => [
          label,
          count(rows[i].cases),
          count(rows[i].contacted),
          count(rows[i].treatmentEntered),
        ]),
      ),
      el('p', {
        class: 'caption',
        text: 'The most visible officer presence at any attempt on the case.',
      }),
    );
  }

  // ---- County map ----------------------------------------------------------------------------

  const MAP_QUERY = `query DashboardMap($filter: StatsFilter) {
    overdoseStats(groupBy: [COUNTY], filter: $filter) {
      internal
      rows {
        group { county countyName }
        incidents ${CELL}
        ratePer100k ${RATE}
      }
    }
  }`;
  const SVG = 'http://www.w3.org/2000/svg';
  const svg = (tag, attrs, children) => {
    const node = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === 'text') node.textContent = value;
      else node.setAttribute(key, value);
    }
    for (const child of children || []) if (child) node.append(child);
    return node;
  };
  const MAP_COLORS = ['#fde5c8', '#f6b67a', '#e4813f', '#c0531d', '#8a3510'];

  function ringsOf(geometry) {
    if (geometry.type === 'Polygon') return geometry.coordinates;
    if (geometry.type === 'MultiPolygon') return geometry.coordinates.flat();
    return [];
  }

  const pathOf = (geometry) =>
    ringsOf(geometry)
      .map((ring) => `M${ring.map(([x, y]) => `${x},${y}`).join('L')}Z`)
      .join('');

  // The first of the month twelve months back. A window that moved every day would differ from
  // yesterday's by two days, and shared counts that differ from an earlier answer by 1–10
  // records are suppressed (docs/disclosure.md, query-overlap control): it moves monthly.
  function monthsBack(months) {
    const now = new Date();
    const d = new Date(now.getFullYear(), now.getMonth() - months, 1);
    const pad = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-01`;
  }

  async function mapPanel() {
    const variables = { filter: { fromDate: monthsBack(12) } };
    const result = await gql(MAP_QUERY, variables);
    if (forbiddenAt(result, 'overdoseStats')) return notForRole('panel-map');
    if (!result.data.overdoseStats) {
      return message('panel-map', 'error', failureOf(result, 'overdoseStats'));
    }
    const rows = result.data.overdoseStats.rows.filter((r) => r.group.county);
    if (!rows.length)
      return message(
        'panel-map',
        'empty',
        `No overdoses reported since ${variables.filter.fromDate}.`,
      );
    const byCounty = new Map(rows.map((r) => [r.group.county, r]));
    const states = [...new Set(rows.map((r) => r.group.county.slice(0, 2)))];
    const shapes = [];
    for (const state of states) {
      const response = await fetch(`assets/counties/${state}.json`, { credentials: 'omit' });
      if (response.ok) shapes.push(...(await response.json()).features);
    }
    const names = new Map(shapes.map((f) => [f.id, `${f.properties.name} County`]));
    const nameOf = (r) => r.group.countyName || names.get(r.group.county) || r.group.county;
    const rates = rows.map((r) => rateValueRaw(r.ratePer100k)).filter((v) => v != null);
    const max = Math.max(1, ...rates);
    const colorOf = (rate) =>
      MAP_COLORS[Math.min(MAP_COLORS.length - 1, Math.floor((rate / max) * MAP_COLORS.length))];
    let [x0, y0, x1, y1] = [0, 0, 1, 1];
    if (shapes.length) [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const f of shapes) {
      for (const ring of ringsOf(f.geometry)) {
        for (const [x, y] of ring) {
          x0 = Math.min(x0, x);
          y0 = Math.min(y0, y);
          x1 = Math.max(x1, x);
          y1 = Math.max(y1, y);
        }
      }
    }
    const pad = 4;
    const paths = shapes.map((f) => {
      const row = byCounty.get(f.id);
      const cls = !row
        ? 'county none'
        : row.incidents.suppressed || row.ratePer100k.suppressed
          ? 'county suppressed'
          : 'county';
      const fill =
        row && cls === 'county' && row.ratePer100k.value != null
          ? colorOf(row.ratePer100k.value)
          : undefined;
      const label = !row
        ? `${names.get(f.id)}: no reports in your view`
        : cls === 'county suppressed'
          ? `${nameOf(row)}: suppressed`
          : `${nameOf(row)}: ${row.ratePer100k.value == null ? 'no population on file' : `${row.ratePer100k.value} per 100,000`}`;
      return svg(
        'path',
        { d: pathOf(f.geometry), class: cls, ...(fill ? { fill } : {}), 'data-county': f.id },
        [svg('title', { text: label })],
      );
    });
    const map = svg(
      'svg',
      {
        viewBox: `${x0 - pad} ${y0 - pad} ${x1 - x0 + 2 * pad} ${y1 - y0 + 2 * pad}`,
        role: 'img',
        'aria-label': 'Map of overdoses per 100,000 residents by county',
        class: 'map',
      },
      [
        svg('defs', {}, [
          svg(
            'pattern',
            {
              id: 'hatch',
              width: '4',
              height: '4',
              patternUnits: 'userSpaceOnUse',
              patternTransform: 'rotate(45)',
            },
            [
              svg('rect', { width: '4', height: '4', fill: '#eeeeee' }),
              svg('line', {
                x1: '0',
                y1: '0',
                x2: '0',
                y2: '4',
                stroke: '#8a5a00',
                'stroke-width': '1.5',
              }),
            ],
          ),
        ]),
        ...paths,
      ],
    );
    const listed = rows
      .slice()
      .sort((a, b) => nameOf(a).localeCompare(nameOf(b)))
      .map((r) => [
        nameOf(r),
        count(r.incidents),
        r.ratePer100k.suppressed
          ? SUPPRESSED
          : r.ratePer100k.value == null
            ? '—'
            : `${r.ratePer100k.value}${r.ratePer100k.unstable ? ' *' : ''}`,
      ]);
    const legend = el('div', { class: 'legend' }, [
      ...MAP_COLORS.map((c, i) =>
        el('span', {
          class: `swatch swatch-${i}`,
          text: `${Math.round((i * max) / MAP_COLORS.length)}+`,
        }),
      ),
      el('span', { class: 'swatch suppressed', text: 'suppressed' }),
    ]);
    show(
      'panel-map',
      csvButton(MAP_QUERY, variables, 'overdoses-by-county'),
      shapes.length
        ? el('div', { class: 'map-box' }, [map])
        : el('p', { class: 'message', text: 'No county boundaries for these county codes.' }),
      legend,
      table(['County', 'Overdoses', 'Per 100,000'], listed),
      el('p', {
        class: 'caption',
        text: `${result.data.overdoseStats.internal ? 'Your agency’s own reports (internal).' : 'Shared numbers (suppressed and perturbed).'} Overdoses per 100,000 residents since ${variables.filter.fromDate} (whole months), not annualised; * fewer than 20 overdoses (unstable). Boundaries: U.S. Census Bureau, via us-atlas.`,
      }),
    );
  }

  const SPIKE_QUERY = `query DashboardSpikes {
    spikeAlerts {
      id county scope substance windowHours count countSuppressed threshold raisedAt endedAt active
    }
  }`;

  /** "24 h, all substances" or "7 days, XYLAZINE, with neighbours". */
  function spikeSignal(a) {
    const parts = [a.windowHours === 168 ? '7 days' : '24 h', a.substance || 'all substances'];
    if (a.scope === 'NEIGHBOURS') parts.push('with neighbours');
    return parts.join(', ');
  }

  async function spikePanel() {
    let result;
    try {
      result = await gql(SPIKE_QUERY);
    } catch (error) {
      if (error.kind === 'unsupported') {
        return message('panel-spikes', 'unavailable', 'spike alerts not available');
      }
      throw error;
    }
    if (forbiddenAt(result, 'spikeAlerts')) return notForRole('panel-spikes');
    const alerts = result.data.spikeAlerts;
    if (!alerts) return message('panel-spikes', 'error', failureOf(result, 'spikeAlerts'));
    if (!alerts.length)
      return message('panel-spikes', 'empty', 'No spike alerts in your counties.');
    show(
      'panel-spikes',
      table(
        ['County', 'Signal', 'Raised', 'Count', 'Threshold', 'Status'],
        alerts
          .slice(0, 10)
          .map((a) => [
            a.county || '—',
            spikeSignal(a),
            a.raisedAt ? dateTime(a.raisedAt) : '—',
            a.countSuppressed ? SUPPRESSED : a.count == null ? '—' : String(a.count),
            a.threshold == null ? '—' : String(a.threshold),
            a.active ? 'active' : 'ended',
          ]),
        (i) => (alerts[i].active ? 'active' : ''),
      ),
    );
  }

  // ---- Sign-in and start ---------------------------------------------------------------------

  const PANELS = [
    ['panel-queue', () => queuePanel(Intl.DateTimeFormat().resolvedOptions().timeZone)],
    ['panel-map', mapPanel],
    ['panel-status', statusPanel],
    ['panel-contact', contactPanel],
    ['panel-presence', presencePanel],
    ['panel-spikes', spikePanel],
  ];

  function signOut(reason) {
    sessionStorage.removeItem(TOKEN_KEY);
    for (const c of charts.splice(0)) c.destroy();
    for (const [id] of PANELS) {
      bodyOf(id).replaceChildren();
      delete $(id).dataset.state;
    }
    $('panels').hidden = true;
    $('who').hidden = true;
    $('who-text').textContent = '';
    $('sign-in').hidden = false;
    const error = $('sign-in-error');
    error.textContent = reason || '';
    error.hidden = !reason;
    $('token').value = '';
    $('token').focus();
  }

  async function start() {
    let me;
    try {
      me = (await gql('query DashboardMe { me { role agency { name } user { displayName } } }'))
        .data.me;
    } catch (error) {
      signOut(
        error.kind === 'unauthenticated'
          ? 'The hub did not accept this token: it is invalid, expired or revoked. Paste a fresh one.'
          : error.message,
      );
      return;
    }
    if (!me) return signOut('The hub did not say who this token belongs to.');
    $('sign-in').hidden = true;
    $('sign-in-error').hidden = true;
    const name = me.user ? me.user.displayName : 'API key';
    $('who-text').textContent =
      `${name} · ${String(me.role).replace(/_/g, ' ').toLowerCase()}${me.agency ? ` · ${me.agency.name}` : ''}`;
    $('who').hidden = false;
    $('panels').hidden = false;
    for (const [id] of PANELS) {
      $(id).dataset.state = 'loading';
      bodyOf(id).replaceChildren(el('p', { class: 'message loading', text: 'Loading…' }));
    }
    await Promise.all(
      PANELS.map(([id, load]) =>
        load().catch((error) => {
          if (error.kind === 'unauthenticated') {
            signOut('Your token is no longer accepted (expired or revoked). Sign in again.');
          } else {
            message(id, 'error', error.message || 'Could not load this panel.');
          }
        }),
      ),
    );
    document.body.dataset.loaded = 'true';
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('sign-in-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const token = $('token')
        .value.trim()
        .replace(/^Bearer\s+/i, '');
      $('token').value = '';
      if (!token) return signOut('Paste a token first.');
      sessionStorage.setItem(TOKEN_KEY, token);
      void start();
    });
    $('sign-out').addEventListener('click', () => signOut());
    if (sessionStorage.getItem(TOKEN_KEY)) void start();
    else signOut();
  });
})();

// The Reactor console: a single page over the server's own HTTP API (no build step, no dependencies).
// Every value from the server is put into the page as text (never as HTML).
'use strict';

const S = {
  token: sessionStorage.getItem('reactor.token') || '',
  authOn: null,       // whether /reactor/v1 needs a token
  identity: false,    // whether the identity service (/auth/v1) answers
  models: null,       // GET /reactor/v1/models
  page: null,         // the AbortController of the page on screen (its requests and live streams)
};

// MARK: DOM

/** An element: h('a', {href: '#/', class: 'x', onclick: f}, 'text', child, …). Strings become text nodes. */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key === 'value') el.value = value;
    else if (key === 'checked') el.checked = !!value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, ...children);
  return el;
}
function append(el, ...children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}
function clear(el) { while (el.firstChild) el.firstChild.remove(); return el; }
const main = () => document.getElementById('main');
/** The render function of the page being shown: once the user has gone elsewhere, a late answer draws nothing. */
function renderer() {
  const current = S.page;
  return (...children) => { if (S.page === current) append(clear(main()), ...children); };
}
function banner(error) { return h('div', {class: 'banner', role: 'alert'}, describe(error)); }
function note(...children) { return h('div', {class: 'note'}, ...children); }
/** A time the API gives as milliseconds since the epoch or as ISO 8601 text, shown in UTC. */
function time(value) {
  if (value === undefined || value === null || value === '') return '';
  const date = new Date(typeof value === 'number' || /^\d+$/.test(value) ? Number(value) : value);
  return isNaN(date) ? String(value) : date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}
function short(value, max = 120) {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text && text.length > max ? text.slice(0, max) + '…' : (text ?? '');
}
function docLink(id, label) { return h('a', {href: '#/doc/' + encodeURIComponent(id)}, label || id); }
function table(headers, rows) {
  return h('div', {class: 'scroll'}, h('table', {},
    h('thead', {}, h('tr', {}, headers.map((x) => h('th', {scope: 'col'}, x)))),
    h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map((c) => h('td', {}, c)))))));
}

// MARK: API

class APIError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || ('HTTP ' + status));
    this.status = status;
    this.code = error.code || ('HTTP_' + status);
    this.path = error.path || (error.details && error.details.path) || null;
    this.body = body;
  }
}
function describe(error) {
  if (error instanceof APIError) return `${error.code}: ${error.message}`;
  return 'The server cannot be reached (' + (error && error.message || error) + ')';
}
function headers(extra) {
  const result = Object.assign({Accept: 'application/json'}, extra || {});
  if (S.token) result.Authorization = 'Bearer ' + S.token;
  return result;
}
/** Calls the API; resolves with the JSON answer, rejects with an APIError (the server's typed error). */
async function api(method, path, body, options = {}) {
  const init = {method, headers: headers(body === undefined ? {} : {'Content-Type': 'application/json'})};
  if (body !== undefined) init.body = JSON.stringify(body);
  if (S.page && !options.keep) init.signal = S.page.signal;
  const response = await fetch(path, init);
  if (options.text) {
    if (!response.ok) throw new APIError(response.status, await response.json().catch(() => null));
    return response.text();
  }
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw new APIError(response.status, data);
  return data;
}
const enc = encodeURIComponent;
async function models() {
  if (!S.models) S.models = await api('GET', '/reactor/v1/models');
  return S.models;
}
function modelVersion(type, version) {
  const model = (S.models && S.models.models || []).find((m) => m.documentType === type);
  if (!model) return null;
  return model.versions.find((v) => v.version === version) || model.versions[model.versions.length - 1];
}

// MARK: Live changes (SSE over fetch, so the token goes in a header; reconnects and resumes by position)

function setLive(state, text) {
  const el = document.getElementById('live');
  el.className = 'live ' + (state === null ? '' : state ? 'on' : 'off');
  el.textContent = text || '';
}
function sleep(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, {once: true});
  });
}
/** Follows /subscriptions/events?<query> until `signal` aborts, calling onChange(change) for each change. */
async function follow(query, onChange, signal) {
  let last = null;
  let delay = 250;
  while (!signal.aborted) {
    try {
      const extra = {Accept: 'text/event-stream'};
      if (last) extra['Last-Event-ID'] = last;
      const response = await fetch('/reactor/v1/subscriptions/events?' + query, {headers: headers(extra), signal});
      if (!response.ok) throw new APIError(response.status, await response.json().catch(() => null));
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const {value, done} = await reader.read();
        if (done) break;
        buffer += value.replace(/\r\n/g, '\n');
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = {event: 'message', data: []};
          for (const line of block.split('\n')) {
            const colon = line.indexOf(':');
            if (colon === 0) continue;
            const field = colon < 0 ? line : line.slice(0, colon);
            const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'data') event.data.push(text); else event[field] = text;
          }
          if (event.id) last = event.id;
          if (event.event === 'ready') { setLive(true, 'live'); delay = 250; }
          if (event.event === 'change') onChange(JSON.parse(event.data.join('\n')));
        }
      }
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof APIError && error.status < 500) { setLive(false, 'live updates unavailable: ' + error.code); return; }
    }
    if (signal.aborted) return;
    setLive(false, 'reconnecting…');
    await sleep(delay, signal);
    delay = Math.min(delay * 2, 4000);
  }
}

// MARK: JSON as a collapsible tree (children are built when opened, so a large state never freezes the page)

function tree(value, openDepth = 3) {
  return h('div', {class: 'tree'}, h('ul', {}, node(null, value, openDepth)));
}
function node(key, value, openDepth) {
  const label = key === null ? [] : [h('span', {class: 'k'}, key), ': '];
  if (value === null || typeof value !== 'object') {
    const cls = value === null ? 'z' : typeof value === 'string' ? 's' : typeof value === 'number' ? 'n' : 'b';
    return h('li', {}, label, h('span', {class: cls}, JSON.stringify(value)));
  }
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
  const summary = Array.isArray(value) ? `[${entries.length}]` : `{${entries.length}}`;
  const list = h('ul', {});
  const item = h('li', {});
  let built = false;
  const toggle = h('button', {type: 'button', class: 'toggle', 'aria-expanded': 'false'}, '▸');
  const show = (open) => {
    if (open && !built) {
      built = true;
      const shown = entries.slice(0, 200);
      append(list, shown.map(([k, v]) => node(k, v, openDepth - 1)));
      if (entries.length > shown.length) {
        let more = 200;
        const button = h('button', {type: 'button', class: 'secondary', onclick: () => {
          append(list, entries.slice(more, more + 200).map(([k, v]) => node(k, v, openDepth - 1)));
          more += 200;
          if (more >= entries.length) button.remove(); else list.append(button);
        }}, 'show more');
        list.append(button);
      }
    }
    list.hidden = !open;
    toggle.textContent = open ? '▾' : '▸';
    toggle.setAttribute('aria-expanded', String(open));
  };
  toggle.addEventListener('click', () => show(list.hidden));
  append(item, toggle, label, h('span', {class: 'z'}, summary), list);
  show(openDepth > 0 && entries.length > 0);
  return item;
}

// MARK: Forms generated from JSON Schemas

function fieldOrder(schema) {
  const properties = Object.keys(schema.properties || {});
  const required = (schema.required || []).filter((k) => properties.includes(k));
  return required.concat(properties.filter((k) => !required.includes(k)).sort());
}
function typeOf(schema) {
  if (!schema || typeof schema !== 'object') return 'json';
  if (Array.isArray(schema.enum)) return 'enum';
  const types = Array.isArray(schema.type) ? schema.type.filter((t) => t !== 'null') : [schema.type];
  return ['string', 'integer', 'number', 'boolean'].includes(types[0]) && types.length === 1 ? types[0] : 'json';
}
/** A form for `schema` (an object schema) whose fields are named `prefix.key`: {element, read(), fail(error)}. */
function schemaFields(schema, prefix) {
  const fields = [];
  const element = h('div', {class: 'stack'});
  if (schema === null || schema === undefined) return {element, read: () => undefined, fields};
  const open = typeOf(schema) === 'json' && !schema.properties;
  const names = open ? [null] : fieldOrder(schema);
  for (const name of names) {
    const sub = name === null ? {} : schema.properties[name];
    const required = name === null || (schema.required || []).includes(name);
    const path = name === null ? prefix : prefix + '.' + name;
    const kind = name === null ? 'json' : typeOf(sub);
    const id = 'f-' + path.replace(/[^a-zA-Z0-9]/g, '-');
    let input;
    if (kind === 'enum') {
      input = h('select', {id, name: path}, required ? null : h('option', {value: ''}, '(not set)'), sub.enum.map((v) => h('option', {value: JSON.stringify(v)}, String(v))));
    } else if (kind === 'boolean' && required) {
      input = h('input', {id, name: path, type: 'checkbox'});
    } else if (kind === 'boolean') {
      input = h('select', {id, name: path}, h('option', {value: ''}, '(not set)'), h('option', {value: 'true'}, 'true'), h('option', {value: 'false'}, 'false'));
    } else if (kind === 'json') {
      input = h('textarea', {id, name: path, rows: 3, class: 'mono', placeholder: 'JSON'}, name === null ? '{}' : '');
    } else {
      input = h('input', {id, name: path, type: kind === 'string' ? 'text' : 'number', step: kind === 'integer' ? '1' : 'any', autocomplete: 'off'});
    }
    const error = h('span', {class: 'field-error', id: id + '-error', 'aria-live': 'polite'});
    input.setAttribute('aria-describedby', error.id);
    const label = kind === 'boolean' && required
      ? h('label', {class: 'check', for: id}, input, name)
      : h('label', {for: id}, (name === null ? 'input (JSON)' : name) + (required || name === null ? '' : ' (optional)'), input);
    fields.push({path, kind, input, error, name});
    append(element, h('div', {}, label, error));
  }
  const read = () => {
    const value = {};
    let failed = false;
    for (const field of fields) {
      field.error.textContent = '';
      field.input.removeAttribute('aria-invalid');
      const raw = field.input.type === 'checkbox' ? field.input.checked : field.input.value;
      if (raw === '' || raw === undefined) continue;
      let parsed = raw;
      try {
        if (field.kind === 'enum' || field.kind === 'json') parsed = JSON.parse(raw);
        else if (field.kind === 'integer' || field.kind === 'number') parsed = Number(raw);
        else if (field.kind === 'boolean' && typeof raw === 'string') parsed = raw === 'true';
      } catch {
        field.error.textContent = 'not valid JSON';
        field.input.setAttribute('aria-invalid', 'true');
        failed = true;
        continue;
      }
      if (field.name === null) return parsed;
      value[field.name] = parsed;
    }
    if (failed) throw new Error('fix the marked fields');
    return value;
  };
  return {element, read, fields};
}
/** Shows a server error beside the field its `path` names (`input.text`, `actions[0].input.text`, `slug`), else above. */
function showError(error, fields, place) {
  clear(place);
  for (const field of fields) { field.error.textContent = ''; field.input.removeAttribute('aria-invalid'); }
  const path = error instanceof APIError && error.path ? String(error.path).replace(/^actions\[\d+\]\./, '') : null;
  const field = path && fields.find((f) => f.path === path || path.startsWith(f.path + '.') || path.startsWith(f.path + '['));
  if (field) {
    field.error.textContent = error.message;
    field.input.setAttribute('aria-invalid', 'true');
    field.input.focus();
  }
  place.append(banner(error));
}

// MARK: Pages

async function overview() {
  const setPage = renderer();
  setPage(h('h1', {}, 'Overview'), h('p', {class: 'muted'}, 'Loading…'));
  const cards = h('div', {class: 'cards'});
  const health = await fetch('/health', {signal: S.page.signal}).then((r) => r.json()).catch(() => ({status: 'unreachable'}));
  const list = await models().catch(() => null);
  const metrics = await api('GET', '/metrics', undefined, {text: true}).then(parseMetrics).catch(() => null);
  const version = await api('GET', '/_admin/version').catch(() => null);
  const card = (title, value, href) => h('div', {class: 'card'}, h('b', {}, value), href ? h('a', {href}, title) : title);
  append(cards,
    card('health', health.status),
    list && card('document types', list.models.length, '#/models'),
    metrics && card('jobs finished', sum(metrics, /^reactor_jobs_(completed|finished|total)/) ?? '—', '#/jobs'),
    metrics && card('HTTP requests', sum(metrics, /^(http_requests_total|reactor_http_requests_total)$/) ?? '—', '#/metrics'),
    version && card('version', version.version || version.reactor || JSON.stringify(version).slice(0, 40)));
  setPage(h('h1', {}, 'Overview'), cards,
    h('h2', {}, 'Start here'),
    h('ul', {},
      h('li', {}, h('a', {href: '#/new'}, 'Create a document'), ' from a form generated from its model'),
      h('li', {}, h('a', {href: '#/documents'}, 'Browse documents'), ' by type, open one to see its state, log and history'),
      h('li', {}, h('a', {href: '/openapi.json'}, 'The HTTP API'), ' (OpenAPI 3.1)')),
    version ? null : note('Admin pages (jobs, vault, functions) need the local admin token (', h('code', {}, 'reactor token admin'), ') or an admin bearer token: ', h('a', {href: '#/signin'}, 'sign in'), '.'));
}

function parseMetrics(text) {
  const values = {};
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    (values[match[1]] = values[match[1]] || []).push({labels: match[2] || '', value: Number(match[3])});
  }
  return values;
}
function sum(metrics, pattern) {
  let total = null;
  for (const [name, samples] of Object.entries(metrics)) {
    if (!pattern.test(name)) continue;
    for (const s of samples) total = (total || 0) + s.value;
  }
  return total;
}

async function documentsPage(params) {
  const setPage = renderer();
  const list = await models();
  const type = params.get('type') || '';
  const cursor = params.get('cursor') || '';
  const search = h('input', {id: 'search', name: 'q', type: 'search', placeholder: 'id or slug', value: params.get('q') || ''});
  const typeSelect = h('select', {id: 'type', name: 'type'}, h('option', {value: ''}, 'all types'),
    list.models.map((m) => h('option', {value: m.documentType, selected: m.documentType === type}, m.documentType)));
  const place = h('div', {});
  const form = h('form', {class: 'row', role: 'search', onsubmit: async (event) => {
    event.preventDefault();
    const q = search.value.trim();
    if (q) {
      try {
        const doc = await api('GET', '/reactor/v1/documents/' + enc(q));
        location.hash = '#/doc/' + enc(doc.header.id);
      } catch (error) {
        clear(place).append(error.status === 404 ? note('No document has the id or slug ', h('code', {}, q), '.') : banner(error));
      }
      return;
    }
    location.hash = '#/documents' + (typeSelect.value ? '?type=' + enc(typeSelect.value) : '');
  }}, h('label', {for: 'type'}, 'Type', typeSelect), h('label', {for: 'search'}, 'Find by id or slug', search), h('button', {type: 'submit'}, 'Go'),
  h('a', {href: '#/new' + (type ? '?type=' + enc(type) : '')}, 'New document'));
  setPage(h('h1', {}, 'Documents'), form, place);
  const query = new URLSearchParams({limit: '50'});
  if (type) query.set('type', type);
  if (cursor) query.set('cursor', cursor);
  try {
    const page = await api('GET', '/reactor/v1/documents?' + query);
    append(place,
      page.items.length === 0 ? note('No documents yet. ', h('a', {href: '#/new'}, 'Create one'), '.') :
        table(['Name', 'Type', 'Slug', 'Modified'], page.items.map((d) => [
          docLink(d.header.id, d.header.name || d.header.id), d.header.documentType, d.header.slug || '', time(d.header.lastModifiedAt)])),
      page.nextCursor ? h('p', {}, h('a', {href: '#/documents?' + new URLSearchParams(Object.assign(type ? {type} : {}, {cursor: page.nextCursor}))}, 'Next page')) : null);
  } catch (error) { place.append(banner(error)); }
}

async function newDocumentPage(params) {
  const setPage = renderer();
  const list = await models();
  const types = list.models.map((m) => m.documentType);
  const chosen = params.get('type') || types[0] || '';
  const typeSelect = h('select', {id: 'new-type', name: 'documentType'}, types.map((t) => h('option', {value: t, selected: t === chosen}, t)));
  const name = h('input', {id: 'new-name', name: 'name', type: 'text', autocomplete: 'off'});
  const slug = h('input', {id: 'new-slug', name: 'slug', type: 'text', autocomplete: 'off', placeholder: 'optional: letters, digits, - and _'});
  const fields = [
    {path: 'documentType', input: typeSelect, error: h('span', {class: 'field-error', id: 'new-type-error'})},
    {path: 'name', input: name, error: h('span', {class: 'field-error', id: 'new-name-error'})},
    {path: 'slug', input: slug, error: h('span', {class: 'field-error', id: 'new-slug-error'})},
  ];
  for (const f of fields) f.input.setAttribute('aria-describedby', f.error.id);
  const place = h('div', {});
  const submit = h('button', {type: 'submit'}, 'Create');
  const form = h('form', {class: 'stack', onsubmit: async (event) => {
    event.preventDefault();
    submit.disabled = true;
    const body = {documentType: typeSelect.value, name: name.value};
    if (slug.value.trim()) body.slug = slug.value.trim();
    try {
      const answer = await api('POST', '/reactor/v1/documents?wait=true', body);
      location.hash = '#/doc/' + enc(answer.document.header.id);
    } catch (error) {
      showError(error, fields, place);
    } finally { submit.disabled = false; }
  }},
  h('label', {for: 'new-type'}, 'Document type', typeSelect), fields[0].error,
  h('label', {for: 'new-name'}, 'Name', name), fields[1].error,
  h('label', {for: 'new-slug'}, 'Slug (optional)', slug), fields[2].error,
  h('div', {}, submit));
  setPage(h('h1', {}, 'New document'), form, place);
  name.focus();
}

/** A document: header, state (at the latest revision or any earlier one), actions, operations, relationships, live. */
async function documentPage(params, id) {
  const setPage = renderer();
  const signal = S.page.signal;
  let doc;
  try {
    doc = await api('GET', '/reactor/v1/documents/' + enc(id));
  } catch (error) {
    setPage(h('h1', {}, id), banner(error));
    return;
  }
  await models().catch(() => null);
  const ui = {
    scope: params.get('scope') || (doc.state.global !== undefined ? 'global' : Object.keys(doc.state)[0]),
    at: null,        // the revision shown by the slider, or null for the latest
    opsFrom: null,   // the first index of the operations page, or null for the newest page
  };
  const title = h('h1', {});
  const headerBox = h('div', {});
  const stateBox = h('div', {id: 'state'});
  const travelBox = h('div', {class: 'travel'});
  const actionsBox = h('div', {});
  const opsBox = h('div', {});
  const relBox = h('div', {});
  const driveBox = h('div', {});
  const changesBox = h('div', {id: 'changes', 'aria-live': 'polite'});
  const scopeSelect = h('select', {id: 'scope', name: 'scope', onchange: () => { ui.scope = scopeSelect.value; ui.at = null; ui.opsFrom = null; renderAll(); }});
  setPage(title, headerBox,
    h('div', {class: 'row'}, h('label', {for: 'scope'}, 'Scope', scopeSelect)),
    h('div', {class: 'grid2'},
      h('section', {'aria-labelledby': 'state-h'}, h('h2', {id: 'state-h'}, 'State'), travelBox, stateBox, driveBox),
      h('section', {'aria-labelledby': 'actions-h'}, h('h2', {id: 'actions-h'}, 'Dispatch an action'), actionsBox)),
    h('section', {'aria-labelledby': 'ops-h'}, h('h2', {id: 'ops-h'}, 'Operations'), opsBox),
    h('section', {'aria-labelledby': 'rel-h'}, h('h2', {id: 'rel-h'}, 'Relationships'), relBox));

  function revision() { return (doc.header.revision || {})[ui.scope] || 0; }
  function renderHeader() {
    const hd = doc.header;
    clear(title).append(hd.name || hd.id);
    clear(headerBox).append(table(['Field', 'Value'], [
      ['id', h('code', {}, hd.id)], ['type', hd.documentType], ['slug', hd.slug || ''], ['branch', hd.branch],
      ['model version', String(hd.modelVersion)],
      ['revisions', Object.entries(hd.revision || {}).map(([s, n]) => `${s}: ${n}`).join(', ')],
      ['created', time(hd.createdAt)], ['modified', time(hd.lastModifiedAt)],
      hd.deletedAt ? ['deleted', time(hd.deletedAt)] : null].filter(Boolean)));
    clear(scopeSelect);
    for (const s of Object.keys(doc.state).sort()) scopeSelect.append(h('option', {value: s, selected: s === ui.scope}, s));
  }
  function renderState(state, label) {
    clear(stateBox).append(h('p', {class: 'muted', id: 'state-label'}, label), tree(state));
  }
  let travelTimer = null;
  let travelRequest = 0;
  // The slider is built once per page and updated in place, so it keeps the keyboard focus while it moves.
  const travelLabel = h('label', {for: 'revision'});
  const travelOutput = h('output', {id: 'revision-label', for: 'revision'});
  const slider = h('input', {id: 'revision', type: 'range', min: 0, step: 1, 'aria-describedby': 'revision-label'});
  const latestButton = h('button', {type: 'button', class: 'secondary', hidden: true, onclick: () => travel(null)}, 'Back to latest');
  slider.addEventListener('input', () => {
    const value = Number(slider.value);
    const max = revision();
    travelOutput.textContent = `revision ${value} of ${max}`;
    clearTimeout(travelTimer);
    travelTimer = setTimeout(() => travel(value === max ? null : value), 120);
  });
  append(travelBox, travelLabel, slider, travelOutput, latestButton);
  function renderTravel() {
    const max = revision();
    const shown = ui.at === null ? max : ui.at;
    travelLabel.textContent = `Time travel (${ui.scope})`;
    slider.max = String(max);
    slider.value = String(shown);
    travelOutput.textContent = `revision ${shown} of ${max}`;
    latestButton.hidden = ui.at === null;
  }
  async function travel(at) {
    ui.at = at;
    const request = ++travelRequest;
    if (at === null) { renderTravel(); renderState(doc.state[ui.scope], `latest (revision ${revision()})`); return; }
    try {
      const old = await api('GET', `/reactor/v1/documents/${enc(doc.header.id)}?revision=${enc(ui.scope + ':' + at)}`);
      if (request !== travelRequest) return;
      renderState(old.state[ui.scope], `as of revision ${at}` + (old.hashes && old.hashes[ui.scope] ? ` (hash ${old.hashes[ui.scope].slice(0, 12)}…)` : ''));
    } catch (error) {
      if (request === travelRequest) clear(stateBox).append(banner(error));
    }
  }
  function renderActions() {
    const version = modelVersion(doc.header.documentType, doc.header.modelVersion);
    const system = (S.models && S.models.systemActions) || [];
    const actions = ((version && version.actions) || []).filter((a) => a.scope === ui.scope)
      .concat(system.filter((a) => a.scope === ui.scope || (a.scope === '*' && ui.scope !== 'document')));
    clear(actionsBox);
    if (actions.length === 0) { actionsBox.append(note('The model declares no actions for this scope.')); return; }
    const select = h('select', {id: 'action-type', name: 'type'}, actions.map((a) => h('option', {value: a.type}, a.type)));
    const fieldsBox = h('div', {});
    const summary = h('p', {class: 'muted'});
    const place = h('div', {role: 'status'});
    let form = null;
    const build = () => {
      const action = actions.find((a) => a.type === select.value);
      summary.textContent = action.summary || '';
      form = schemaFields(action.input, 'input');
      clear(fieldsBox).append(form.element);
      clear(place);
    };
    select.addEventListener('change', build);
    const submit = h('button', {type: 'submit'}, 'Dispatch');
    actionsBox.append(h('form', {class: 'stack', id: 'action-form', onsubmit: async (event) => {
      event.preventDefault();
      clear(place);
      let input;
      try { input = form.read(); } catch (error) { place.append(h('div', {class: 'banner', role: 'alert'}, error.message)); return; }
      const action = {id: crypto.randomUUID(), type: select.value, scope: ui.scope};
      if (input !== undefined) action.input = input;
      submit.disabled = true;
      try {
        const answer = await api('POST', `/reactor/v1/documents/${enc(doc.header.id)}/actions?wait=true&branch=${enc(doc.header.branch)}`, {actions: [action]});
        doc = answer.document;
        const ops = await api('GET', `/reactor/v1/documents/${enc(doc.header.id)}/operations?scope=${enc(ui.scope)}&fromIndex=${Math.max(0, revision() - 1)}&limit=1`);
        const last = ops.items[0] && ops.items[0].operation;
        if (last && last.error) place.append(h('div', {class: 'banner', role: 'alert'}, 'The model refused the action: ' + last.error));
        else place.append(h('p', {class: 'ok'}, `${action.type} applied (revision ${revision()}).`));
        ui.at = null; ui.opsFrom = null;
        renderAll(false);
      } catch (error) {
        showError(error, form.fields, place);
      } finally { submit.disabled = false; }
    }}, h('label', {for: 'action-type'}, 'Action', select), summary, fieldsBox, h('div', {}, submit), place));
    build();
  }
  async function renderOps() {
    const pageSize = 50;
    const total = revision();
    const from = ui.opsFrom === null ? Math.max(0, total - pageSize) : ui.opsFrom;
    try {
      const page = await api('GET', `/reactor/v1/documents/${enc(doc.header.id)}/operations?scope=${enc(ui.scope)}&fromIndex=${from}&limit=${pageSize}&branch=${enc(doc.header.branch)}`);
      const rows = page.items.slice().reverse().map((record) => {
        const op = record.operation || record;
        return [String(op.index), h('code', {}, op.action.type), h('code', {}, short(op.action.input, 80)), time(op.timestamp),
          op.error ? h('span', {class: 'error'}, op.error) : '',
          h('span', {class: 'row'},
            h('button', {type: 'button', class: 'secondary', onclick: () => { travel(op.index + 1); renderTravel(); }}, 'state after'),
            h('button', {type: 'button', class: 'secondary', 'aria-controls': 'changes', onclick: () => showChanges(op.index)}, 'changes'))];
      });
      const nav = h('div', {class: 'row'},
        h('span', {class: 'muted'}, total === 0 ? 'no operations' : `operations ${from}–${Math.min(from + pageSize, total) - 1} of ${total}`),
        h('button', {type: 'button', class: 'secondary', disabled: from + pageSize >= total, onclick: () => { ui.opsFrom = Math.min(total - 1, from + pageSize); renderOps(); }}, 'Newer'),
        h('button', {type: 'button', class: 'secondary', disabled: from === 0, onclick: () => { ui.opsFrom = Math.max(0, from - pageSize); renderOps(); }}, 'Older'));
      clear(opsBox).append(nav, table(['#', 'Type', 'Input', 'Time', 'Error', ''], rows), changesBox);
    } catch (error) { clear(opsBox).append(banner(error)); }
  }
  /** What operation `index` changed in the scope's state: the server's JSON Patch between revisions index and index + 1. */
  async function showChanges(index) {
    clear(changesBox).append(h('p', {class: 'muted'}, `Loading the changes of operation ${index}…`));
    try {
      const diff = await api('GET', `/reactor/v1/documents/${enc(doc.header.id)}/diff?scope=${enc(ui.scope)}&from=${index}&to=${index + 1}&branch=${enc(doc.header.branch)}`);
      const rows = diff.patch.map((p) => [h('code', {}, p.op), h('code', {}, p.path), p.value === undefined ? '' : h('code', {}, short(p.value, 200))]);
      clear(changesBox).append(h('h3', {}, `Changes of operation ${index} (revision ${diff.from} → ${diff.to})`),
        rows.length ? table(['Op', 'Path', 'Value'], rows) : h('p', {class: 'muted'}, 'The state did not change.'));
    } catch (error) { clear(changesBox).append(banner(error)); }
  }
  async function renderRelationships() {
    try {
      const rel = await api('GET', `/reactor/v1/documents/${enc(doc.header.id)}/relationships`);
      const items = rel.outgoing.map((r) => ['→ ' + r.type, docLink(r.targetID || r.targetId)])
        .concat(rel.incoming.map((r) => ['← ' + r.type, docLink(r.sourceID || r.sourceId)]));
      clear(relBox).append(items.length ? table(['Relationship', 'Document'], items) : h('p', {class: 'muted'}, 'none'));
    } catch (error) { clear(relBox).append(banner(error)); }
  }
  function renderDrive() {
    clear(driveBox);
    const nodes = doc.header.documentType === 'reactor/drive' && doc.state.global && doc.state.global.nodes;
    if (!Array.isArray(nodes)) return;
    const level = (parent) => h('ul', {}, nodes.filter((n) => (n.parentFolder || null) === parent).map((n) =>
      h('li', {}, n.kind === 'folder' ? ['📁 ', n.name, level(n.id)] : ['📄 ', docLink(n.id, n.name)])));
    driveBox.append(h('h2', {}, 'Drive'), h('div', {class: 'tree'}, level(null)));
  }
  function renderAll(withRelationships = true) {
    renderHeader();
    renderTravel();
    if (ui.at === null) renderState(doc.state[ui.scope], `latest (revision ${revision()})`); else travel(ui.at);
    renderActions();
    renderOps();
    renderDrive();
    if (withRelationships) renderRelationships();
  }
  renderAll();
  // Live: another tab's (or anyone's) changes to this document update the page.
  let refreshing = false;
  let again = false;
  const refresh = async () => {
    if (refreshing) { again = true; return; }
    refreshing = true;
    try {
      do {
        again = false;
        doc = await api('GET', `/reactor/v1/documents/${enc(doc.header.id)}?branch=${enc(doc.header.branch)}`);
        renderHeader();
        renderTravel();
        if (ui.at === null) renderState(doc.state[ui.scope], `latest (revision ${revision()})`);
        renderDrive();
        if (ui.opsFrom === null) await renderOps();
      } while (again);
    } catch { /* the stream reconnects; the next change refreshes again */ } finally { refreshing = false; }
  };
  follow('ids=' + enc(doc.header.id), refresh, signal);
}

async function modelsPage() {
  const setPage = renderer();
  const list = await models();
  const sections = list.models.map((m) => h('section', {},
    h('h2', {}, m.documentType, ' ', h('span', {class: 'pill'}, m.kind)),
    m.versions.map((v) => [
      h('p', {}, `version ${v.version} · scopes: ${(v.scopes || []).join(', ')} · `, h('a', {href: '#/new?type=' + enc(m.documentType)}, 'create one'), ' · ',
        h('a', {href: '#/documents?type=' + enc(m.documentType)}, 'browse')),
      (v.actions || []).length ? table(['Action', 'Scope', 'Input'], v.actions.map((a) => [h('code', {}, a.type), a.scope,
        a.input ? h('code', {}, fieldOrder(a.input).map((k) => (a.input.required || []).includes(k) ? k : k + '?').join(', ') || short(a.input)) : 'none'])) :
        h('p', {class: 'muted'}, 'No actions declared.'),
      Object.keys(v.stateSchemas || {}).length ? h('details', {}, h('summary', {}, 'State schemas'), tree(v.stateSchemas, 1)) : null,
    ])));
  setPage(h('h1', {}, 'Models'), sections,
    h('h2', {}, 'Actions every document takes'),
    table(['Action', 'Scope', 'What it does'], (list.systemActions || []).map((a) => [h('code', {}, a.type), a.scope === '*' ? 'any model scope' : a.scope, a.summary || ''])));
}

function adminNote(error) {
  if (error instanceof APIError && (error.status === 401 || error.status === 403)) {
    return note('This page needs the local admin token (', h('code', {}, 'reactor token admin'), ') or a token with the admin role: ', h('a', {href: '#/signin'}, 'sign in'), '.');
  }
  return banner(error);
}

async function jobsPage(params) {
  const setPage = renderer();
  const status = params.get('status') || '';
  const select = h('select', {id: 'job-status', onchange: () => { location.hash = '#/jobs' + (select.value ? '?status=' + select.value : ''); }},
    h('option', {value: ''}, 'all'), ['PENDING', 'RUNNING', 'WRITE_READY', 'READ_READY', 'FAILED'].map((s) => h('option', {value: s, selected: s === status}, s)));
  const place = h('div', {});
  setPage(h('h1', {}, 'Jobs'), h('div', {class: 'row'}, h('label', {for: 'job-status'}, 'Status', select),
    h('button', {type: 'button', class: 'secondary', onclick: () => route()}, 'Refresh')), place);
  try {
    const answer = await api('GET', '/_admin/jobs?limit=200' + (status ? '&status=' + enc(status) : ''));
    place.append(answer.jobs.length === 0 ? h('p', {class: 'muted'}, 'No jobs since the server started.') :
      table(['Job', 'Document', 'Status', 'Created', 'Error'], answer.jobs.map((j) => [h('code', {}, j.id), docLink(j.documentID || j.documentId),
        h('span', {class: 'pill ' + j.status}, j.status), time(j.createdAt), j.error ? h('span', {class: 'error'}, `${j.error.code}: ${j.error.message}`) : ''])));
  } catch (error) { place.append(adminNote(error)); }
}

async function syncPage() {
  const setPage = renderer();
  const place = h('div', {});
  setPage(h('h1', {}, 'Sync'), place);
  try {
    const answer = await api('GET', '/reactor/v1/sync/remotes');
    place.append(answer.items.length === 0 ? note('No remotes. Add one with ', h('code', {}, 'reactor sync add'), ' (docs/sync.md).') :
      table(['Remote', 'URL', 'State', 'Push lag', 'Pushed', 'Pulled', 'Dead letters', 'Last error'], answer.items.map((r) => [
        r.name, h('code', {}, r.url), h('span', {class: 'pill'}, r.state), String(r.pushLag), String(r.pushedOperations), String(r.pulledOperations),
        String(r.deadLetters), r.lastError ? h('span', {class: 'error'}, `${r.lastError.code}: ${r.lastError.message}`) : ''])));
  } catch (error) { place.append(error.status === 404 || error.code === 'UNSUPPORTED' ? note('Sync is not enabled on this server.') : adminNote(error)); }
}

async function vaultPage() {
  const setPage = renderer();
  const place = h('div', {});
  setPage(h('h1', {}, 'Vault'), h('p', {class: 'muted'}, 'Secret paths; a value is shown only when you ask for it.'), place);
  try {
    const answer = await api('GET', '/_admin/vault');
    place.append(answer.paths.length === 0 ? h('p', {class: 'muted'}, 'The vault is empty.') :
      table(['Path', 'Value'], answer.paths.map((path) => {
        const cell = h('span', {});
        const button = h('button', {type: 'button', class: 'secondary', onclick: async () => {
          try {
            const secret = await api('GET', '/_admin/vault/' + path.split('/').map(enc).join('/'));
            clear(cell).append(h('code', {}, secret.value));
          } catch (error) { clear(cell).append(banner(error)); }
        }}, 'reveal');
        cell.append(button);
        return [h('code', {}, path), cell];
      })));
  } catch (error) { place.append(adminNote(error)); }
}

async function functionsPage() {
  const setPage = renderer();
  const place = h('div', {});
  setPage(h('h1', {}, 'Functions'), place);
  try {
    const answer = await api('GET', '/_admin/functions');
    place.append(answer.functions.length === 0 ? note('No functions deployed (docs/functions.md).') :
      table(['Function', 'Route', 'Live version', 'Runtime', 'Updated'], answer.functions.map((f) => [
        h('code', {}, f.name), h('code', {}, f.route || ''), h('code', {}, f.live || 'none'),
        (f.liveVersion && f.liveVersion.runtime) || '', time(f.updatedAt)])));
  } catch (error) { place.append(error.status === 404 || error.code === 'UNSUPPORTED' ? note('Functions are not enabled on this server.') : adminNote(error)); }
}

async function metricsPage(params) {
  const setPage = renderer();
  const filter = params.get('q') || 'reactor_';
  const input = h('input', {id: 'metric-filter', type: 'search', value: filter});
  const place = h('div', {});
  setPage(h('h1', {}, 'Metrics'), h('form', {class: 'row', onsubmit: (e) => { e.preventDefault(); location.hash = '#/metrics?q=' + enc(input.value); }},
    h('label', {for: 'metric-filter'}, 'Names containing', input), h('button', {type: 'submit'}, 'Filter'), h('a', {href: '/metrics'}, 'raw')), place);
  try {
    const metrics = parseMetrics(await api('GET', '/metrics', undefined, {text: true}));
    const names = Object.keys(metrics).filter((n) => n.includes(filter)).sort();
    place.append(table(['Metric', 'Series', 'Sum'], names.map((n) => [h('code', {}, n), String(metrics[n].length),
      String(Math.round(metrics[n].reduce((a, s) => a + s.value, 0) * 1000) / 1000)])));
  } catch (error) { place.append(banner(error)); }
}

async function signinPage() {
  const setPage = renderer();
  const token = h('input', {id: 'token', name: 'token', type: 'password', autocomplete: 'off'});
  const place = h('div', {role: 'status'});
  const signIn = async (value) => {
    S.token = value;
    sessionStorage.setItem('reactor.token', value);
    S.models = null;
    try {
      await api('GET', '/reactor/v1/models');
      updateAccount();
      location.hash = '#/';
    } catch (error) {
      S.token = '';
      sessionStorage.removeItem('reactor.token');
      clear(place).append(banner(error));
    }
  };
  const parts = [h('h1', {}, 'Sign in'),
    S.authOn === false ? note('Authentication is off on this server: documents need no token. Admin pages need the local admin token (', h('code', {}, 'reactor token admin'), ').') : null,
    h('form', {class: 'stack', onsubmit: (e) => { e.preventDefault(); signIn(token.value.trim()); }},
      h('label', {for: 'token'}, 'Token (a bearer token, an API key, or the local admin token)', token), h('div', {}, h('button', {type: 'submit'}, 'Sign in with the token')))];
  if (S.identity) {
    const email = h('input', {id: 'email', type: 'email', autocomplete: 'username'});
    const password = h('input', {id: 'password', type: 'password', autocomplete: 'current-password'});
    parts.push(h('h2', {}, 'Or with your account'), h('form', {class: 'stack', onsubmit: async (e) => {
      e.preventDefault();
      try {
        const grant = await api('POST', '/auth/v1/login', {email: email.value, password: password.value});
        await signIn(grant.accessToken);
      } catch (error) { clear(place).append(banner(error)); }
    }}, h('label', {for: 'email'}, 'Email', email), h('label', {for: 'password'}, 'Password', password), h('div', {}, h('button', {type: 'submit'}, 'Sign in'))));
  }
  if (S.token) parts.push(h('p', {}, h('button', {type: 'button', class: 'secondary', onclick: () => { S.token = ''; sessionStorage.removeItem('reactor.token'); S.models = null; updateAccount(); route(); }}, 'Sign out')));
  parts.push(place);
  setPage(...parts);
  token.focus();
}

function updateAccount() {
  const el = document.getElementById('account');
  el.textContent = S.token ? 'Signed in' : 'Sign in';
}

// MARK: Routing

const routes = [
  [/^\/?$/, overview], [/^\/documents$/, documentsPage], [/^\/new$/, newDocumentPage], [/^\/doc\/(.+)$/, documentPage],
  [/^\/models$/, modelsPage], [/^\/jobs$/, jobsPage], [/^\/sync$/, syncPage], [/^\/vault$/, vaultPage],
  [/^\/functions$/, functionsPage], [/^\/metrics$/, metricsPage], [/^\/signin$/, signinPage],
];

async function route() {
  if (S.page) S.page.abort();
  S.page = new AbortController();
  setLive(null, '');
  const hash = location.hash.replace(/^#/, '') || '/';
  const [path, search] = hash.split('?');
  const params = new URLSearchParams(search || '');
  for (const a of document.querySelectorAll('#nav a')) {
    const target = a.getAttribute('href').slice(1);
    if (target === '/' ? path === '/' : path.startsWith(target) || (target === '/documents' && (path.startsWith('/doc/') || path === '/new'))) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (S.authOn && !S.token && path !== '/signin') { location.hash = '#/signin'; return; }
  for (const [pattern, page] of routes) {
    const match = pattern.exec(path);
    if (!match) continue;
    try {
      await page(params, ...match.slice(1).map(decodeURIComponent));
    } catch (error) {
      if (error && error.name === 'AbortError') return;
      if (error instanceof APIError && error.status === 401) { location.hash = '#/signin'; return; }
      renderer()(h('h1', {}, 'Something went wrong'), banner(error));
    }
    main().focus({preventScroll: true});
    return;
  }
  renderer()(h('h1', {}, 'Not found'), h('p', {}, h('a', {href: '#/'}, 'Back to the overview')));
}

async function start() {
  updateAccount();
  const probe = await fetch('/reactor/v1/documents?limit=1', {headers: {Accept: 'application/json'}}).catch(() => null);
  S.authOn = !!probe && probe.status === 401;
  S.identity = await fetch('/auth/v1/.well-known/openid-configuration').then((r) => r.ok).catch(() => false);
  window.addEventListener('hashchange', route);
  route();
}
start();

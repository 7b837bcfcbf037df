/*
 * app.js — the leadstore dashboard, served by `leadstore serve` at `/`.
 *
 * A client of the RPC endpoints like any other: every number comes from an
 * operation called with the key the person signed in with (POST
 * /rest/v1/rpc/OP with `apikey` and `Authorization: Bearer`, as supabase-js
 * sends them).  The key lives in sessionStorage only.  Everything the
 * database holds is hostile text (scraped names, emails, pages): it is put
 * on the page with DOM text nodes and attributes only, never parsed as HTML.
 *
 * Views (location hash): #/ the campaign list, #/c/<id> one campaign.
 * Numbers refresh by polling (every 5 s, doubling up to 60 s after a
 * failure, paused while the tab is hidden).
 */
'use strict';
(() => {
  const KEY_SLOT = 'leadstore.key';
  const STATUSES = ['draft', 'running', 'paused', 'completed', 'failed'];
  const POLL_MS = 5000;
  const POLL_MAX_MS = 60000;
  const PAGE = 25;
  const SERVICES = [
    ['google_maps', 'Google Maps'],
    ['facebook', 'Facebook'],
    ['linkedin', 'LinkedIn'],
    ['bouncer', 'Bouncer (verification)'],
  ];
  const ACTIONS = {draft: 'Back to draft', running: 'Start', paused: 'Pause', completed: 'Complete', failed: 'Mark failed'};

  /*--- DOM helpers ---------------------------------------------------------*/

  /* An element: attributes (on* = listeners, class, text-valued otherwise) and children (text or nodes). */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else if (k === 'class') el.className = v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    append(el, children);
    return el;
  }
  function append(el, children) {
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }
  const $ = (sel, root) => (root || document).querySelector(sel);
  const fill = (el, ...children) => { el.replaceChildren(); return append(el, children); };

  const intFmt = new Intl.NumberFormat('en-US');
  const usdFmt = new Intl.NumberFormat('en-US', {style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 4});
  const num = (n) => (n === null || n === undefined ? '—' : intFmt.format(n));
  const usd = (n) => (n === null || n === undefined || !isFinite(n) ? '—' : usdFmt.format(n));
  const pct = (a, b) => (b ? Math.round((100 * a) / b) + '%' : '—');
  const when = (t) => (t ? new Date(t).toLocaleString('en-US', {dateStyle: 'medium', timeStyle: 'short'}) : '—');
  const yesNo = (v) => (v === true ? 'yes' : v === false ? 'no' : '—');
  const badge = (status) => h('span', {class: 'badge s-' + (STATUSES.includes(status) ? status : 'other')}, status);

  /* A link only for http(s) addresses (scraped text could say javascript:…). */
  function safeLink(url, label) {
    try {
      const u = new URL(url);
      if (u.protocol === 'http:' || u.protocol === 'https:')
        return h('a', {href: u.href, target: '_blank', rel: 'noopener noreferrer nofollow'}, label || url);
    } catch (e) { /* not an address: shown as text */ }
    return url ? String(url) : '—';
  }

  /*--- Session -------------------------------------------------------------*/

  /* The claims of a key (a JWT's middle part), or null when it is not one. */
  function claims(key) {
    const parts = String(key).split('.');
    if (parts.length !== 3) return null;
    try {
      const b64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
      const text = new TextDecoder().decode(Uint8Array.from(atob(b64 + '==='.slice((b64.length + 3) % 4)), (c) => c.charCodeAt(0)));
      const c = JSON.parse(text);
      return c && typeof c === 'object' ? c : null;
    } catch (e) {
      return null;
    }
  }
  const session = {
    get key() { return sessionStorage.getItem(KEY_SLOT); },
    set(key) { sessionStorage.setItem(KEY_SLOT, key); },
    clear() { sessionStorage.removeItem(KEY_SLOT); },
  };

  /*--- Calls ---------------------------------------------------------------*/

  /* What to tell a person about an error code that retrying does not fix. */
  const ADVICE = {
    PGRST301: 'The key was refused: sign in again with a valid key.',
    PGRST302: 'No key was sent: sign in again.',
    PGRST303: 'The key has expired: mint a new one with `leadstore keys` and sign in again.',
    42501: 'This key’s role may not do that.',
    P0002: 'It does not exist, or it belongs to another organization.',
    P0001: 'The rules refused the change (for example, a transition the state machine does not allow).',
    22023: 'A parameter was refused; this is a bug in the page if it keeps happening.',
    LS503: 'The operation is switched off on the server for now.',
  };

  class CallError extends Error {
    constructor(op, info) {
      super(info.message || 'failed');
      Object.assign(this, {op, status: info.status, code: info.code || '', hint: info.hint || '', details: info.details || '', retry: !!info.retry});
    }
  }

  /* Calls operation op with params; the result object, or throws a CallError. */
  async function rpc(op, params, key) {
    const k = key || session.key;
    let res;
    try {
      res = await fetch('/rest/v1/rpc/' + encodeURIComponent(op), {
        method: 'POST',
        cache: 'no-store',
        headers: {'Content-Type': 'application/json', apikey: k, Authorization: 'Bearer ' + k},
        body: JSON.stringify(params || {}),
      });
    } catch (e) {
      throw new CallError(op, {status: 0, code: 'network', message: 'The server could not be reached', hint: 'Is `leadstore serve` running?', retry: true});
    }
    let body = null;
    try { body = await res.json(); } catch (e) { body = null; }
    if (!res.ok) {
      const b = body || {};
      throw new CallError(op, {status: res.status, code: b.code, message: b.message || res.statusText, details: b.details, hint: b.hint,
        retry: res.status === 503 || res.status === 504 || res.status === 429});
    }
    if (!body || body.success !== true) {
      const b = body || {};
      throw new CallError(op, {status: res.status, code: b.error_code, message: b.error || 'unexpected answer', retry: !!b.retry_recommended});
    }
    return body;
  }

  /* Every page of a keyset-paged operation (list_coverage, list_businesses): the rows of `field`. */
  async function allPages(op, params, field, limit) {
    const rows = [];
    let after = null;
    for (let guard = 0; guard < 1000; guard++) {
      const r = await rpc(op, Object.assign({}, params, {p_limit: limit || 1000}, after ? {p_after: after} : {}));
      rows.push(...r[field]);
      if (!r.next_after || r[field].length === 0) break;
      after = r.next_after;
    }
    return rows;
  }

  /*--- Notices -------------------------------------------------------------*/

  /* Shows what failed, why, and whether a retry helps (the page retries itself when it does). */
  function showError(what, err, retryIn) {
    const box = $('#notice');
    const advice = ADVICE[err.code] || '';
    const retry = err.retry
      ? (retryIn ? 'This is temporary: retrying in ' + Math.round(retryIn / 1000) + ' s.' : 'This is temporary: try again.')
      : 'Retrying will not help' + (advice ? ': ' + advice : '.');
    fill(box,
      h('strong', null, what + ' failed. '),
      err.message,
      err.code ? h('span', {class: 'code'}, ' (' + err.code + ')') : null,
      h('br'),
      h('span', null, retry),
      err.hint ? h('span', {class: 'hint'}, ' Hint: ' + err.hint) : null,
      h('button', {type: 'button', class: 'link', onclick: clearNotice, 'aria-label': 'Dismiss'}, '×'));
    box.className = 'notice ' + (err.retry ? 'warn' : 'error');
    box.hidden = false;
  }
  function showInfo(text) {
    const box = $('#notice');
    fill(box, text, h('button', {type: 'button', class: 'link', onclick: clearNotice, 'aria-label': 'Dismiss'}, '×'));
    box.className = 'notice info';
    box.hidden = false;
  }
  function clearNotice() { $('#notice').hidden = true; }

  /*--- Polling -------------------------------------------------------------*/

  const poll = {timer: 0, delay: POLL_MS, job: null, what: '', onFatal: null};
  /*
   * Runs job now and then every POLL_MS (doubling after failures a retry can
   * fix); an error no retry fixes stops it and calls onFatal.  A new view
   * replaces the job.
   */
  function startPolling(what, job, onFatal) {
    stopPolling();
    poll.job = job;
    poll.what = what;
    poll.onFatal = onFatal || null;
    poll.delay = POLL_MS;
    return tick();
  }
  function stopPolling() {
    clearTimeout(poll.timer);
    poll.job = null;
  }
  async function tick() {
    clearTimeout(poll.timer);
    const job = poll.job;
    if (!job) return;
    try {
      await job();
      if (poll.job !== job) return;
      poll.delay = POLL_MS;
      if ($('#notice').classList.contains('warn')) clearNotice();
      fill($('#updated'), 'Updated ' + new Date().toLocaleTimeString('en-US'));
    } catch (err) {
      if (poll.job !== job) return;
      if (!(err instanceof CallError)) throw err;
      if (err.status === 401) return signOut('Your key was refused (' + err.message + '). Sign in again.');
      if (!err.retry) {
        const onFatal = poll.onFatal;
        stopPolling();
        if (onFatal) onFatal(err);
        showError(poll.what, err);
        return;
      }
      poll.delay = Math.min(poll.delay * 2, POLL_MAX_MS);
      showError(poll.what, err, poll.delay);
    }
    if (poll.job === job && !document.hidden) poll.timer = setTimeout(tick, poll.delay);
  }
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && poll.job) tick();
  });

  /*--- Sign-in -------------------------------------------------------------*/

  function renderSession() {
    const box = $('#session');
    const key = session.key;
    const c = key ? claims(key) : null;
    if (!c) return fill(box);
    fill(box,
      h('span', {class: 'role', 'data-test': 'role'}, c.role || '?'),
      c.organization_id ? h('span', {class: 'org', title: 'organization', 'data-test': 'org'}, 'org ' + c.organization_id)
        : h('span', {class: 'org', 'data-test': 'org'}, 'all organizations'),
      h('button', {type: 'button', class: 'ghost', onclick: () => signOut('Signed out.')}, 'Sign out'));
  }

  function signOut(message) {
    stopPolling();
    session.clear();
    renderSession();
    location.hash = '#/';
    renderSignIn();
    if (message) showInfo(message);
  }

  function renderSignIn() {
    const main = $('#main');
    const input = h('input', {id: 'key', name: 'key', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true,
      'aria-describedby': 'key-help'});
    const preview = h('p', {class: 'muted', id: 'key-preview', 'aria-live': 'polite'});
    input.addEventListener('input', () => {
      const c = claims(input.value.trim());
      fill(preview, c ? 'Role ' + (c.role || '?') + (c.organization_id ? ', organization ' + c.organization_id : ', every organization') : '');
    });
    const submit = h('button', {type: 'submit', class: 'primary'}, 'Sign in');
    const form = h('form', {class: 'card signin', onsubmit: async (ev) => {
      ev.preventDefault();
      const key = input.value.trim();
      if (!claims(key)) {
        showError('Signing in', new CallError('sign-in', {code: '', message: 'This is not a leadstore key (a JWT of three dot-separated parts)', retry: false}));
        return;
      }
      submit.disabled = true;
      try {
        await rpc('list_campaigns', {p_limit: 1}, key);
        session.set(key);
        clearNotice();
        renderSession();
        route();
      } catch (err) {
        if (!(err instanceof CallError)) throw err;
        showError('Signing in', err);
      } finally {
        submit.disabled = false;
      }
    }},
    h('h1', null, 'Sign in'),
    h('label', {for: 'key'}, 'API key'),
    input,
    h('p', {id: 'key-help', class: 'muted'},
      'A service_role key sees every organization; an authenticated key only its own. Mint one with ',
      h('code', null, 'leadstore keys'), '. The key is kept in this tab’s session storage only.'),
    preview,
    submit);
    fill(main, form);
    input.focus();
  }

  /*--- Campaign list -------------------------------------------------------*/

  const listState = {status: '', sort: 'created_at', dir: -1, rows: []};
  const LIST_COLUMNS = [
    ['name', 'Campaign', (c) => c.name],
    ['status', 'Status', (c) => c.status],
    ['zips', 'ZIPs scraped', (c) => (c.actual_zip_count ? c.zips_scraped / c.actual_zip_count : -1)],
    ['total_businesses_found', 'Businesses', (c) => c.total_businesses_found],
    ['total_emails_found', 'Emails', (c) => c.total_emails_found],
    ['total_verified_emails', 'Verified', (c) => c.total_verified_emails],
    ['actual_cost', 'Cost', (c) => c.actual_cost],
    ['cpl', 'Cost per lead', (c) => (c.total_verified_emails ? c.actual_cost / c.total_verified_emails : Infinity)],
    ['created_at', 'Created', (c) => c.created_at],
  ];

  function renderList() {
    const main = $('#main');
    const select = h('select', {id: 'status-filter', onchange: () => { listState.status = select.value; startPolling('Loading the campaigns', loadList); }},
      h('option', {value: ''}, 'All statuses'),
      STATUSES.map((s) => h('option', {value: s, selected: s === listState.status}, s)));
    fill(main,
      h('div', {class: 'pagehead'},
        h('h1', null, 'Campaigns'),
        h('div', {class: 'tools'}, h('label', {for: 'status-filter'}, 'Status'), select)),
      h('div', {class: 'card'}, h('div', {class: 'scroll', id: 'campaigns'}, h('p', {class: 'muted'}, 'Loading…'))));
    document.title = 'Campaigns · leadstore';
    startPolling('Loading the campaigns', loadList);
  }

  async function loadList() {
    const rows = [];
    for (let offset = 0; ; offset += 1000) {
      const r = await rpc('list_campaigns', Object.assign({p_limit: 1000, p_offset: offset}, listState.status ? {p_status: listState.status} : {}));
      rows.push(...r.campaigns);
      if (rows.length >= r.total || r.campaigns.length === 0 || offset >= 100000) break;
    }
    listState.rows = rows;
    drawList();
  }

  function drawList() {
    const box = $('#campaigns');
    if (!box) return;
    const col = LIST_COLUMNS.find((c) => c[0] === listState.sort) || LIST_COLUMNS[0];
    const rows = listState.rows.slice().sort((a, b) => {
      const x = col[2](a), y = col[2](b);
      return (x < y ? -1 : x > y ? 1 : 0) * listState.dir;
    });
    if (!rows.length) return fill(box, h('p', {class: 'empty'}, listState.status ? 'No campaign is ' + listState.status + '.' : 'No campaigns yet.'));
    const head = h('tr', null, LIST_COLUMNS.map(([id, label]) => {
      const active = id === listState.sort;
      return h('th', {scope: 'col', 'aria-sort': active ? (listState.dir > 0 ? 'ascending' : 'descending') : 'none', class: id === 'name' || id === 'status' ? '' : 'num'},
        h('button', {type: 'button', class: 'sort', onclick: () => {
          if (listState.sort === id) listState.dir = -listState.dir;
          else { listState.sort = id; listState.dir = id === 'name' || id === 'status' ? 1 : -1; }
          drawList();
          $('th[aria-sort="ascending"] button, th[aria-sort="descending"] button', box).focus();
        }}, label, h('span', {class: 'arrow', 'aria-hidden': 'true'}, active ? (listState.dir > 0 ? ' ▲' : ' ▼') : '')));
    }));
    const body = h('tbody', null, rows.map((c) => h('tr', {'data-campaign': c.id},
      h('td', null, h('a', {href: '#/c/' + encodeURIComponent(c.id)}, c.name)),
      h('td', null, badge(c.status)),
      h('td', {class: 'num'}, progress(c.zips_scraped, c.actual_zip_count)),
      h('td', {class: 'num'}, num(c.total_businesses_found)),
      h('td', {class: 'num'}, num(c.total_emails_found)),
      h('td', {class: 'num'}, num(c.total_verified_emails)),
      h('td', {class: 'num'}, usd(c.actual_cost)),
      h('td', {class: 'num'}, c.total_verified_emails ? usd(c.actual_cost / c.total_verified_emails) : '—'),
      h('td', {class: 'num'}, when(c.created_at)))));
    fill(box, h('table', {class: 'grid'}, h('caption', {class: 'sr'}, 'Campaigns, sortable by each column'), h('thead', null, head), body));
  }

  function progress(done, total) {
    const bar = h('span', {class: 'bar', 'aria-hidden': 'true'}, h('span'));
    bar.firstChild.style.width = (total ? (100 * done) / total : 0) + '%';
    return h('span', {class: 'progress'}, bar, num(done) + ' / ' + num(total));
  }

  /*--- One campaign --------------------------------------------------------*/

  let view = null; /* the campaign on screen: {id, campaign, biz: {filters, cursors, page}} */

  function section(id, title, ...children) {
    return h('section', {class: 'card', id, 'aria-labelledby': id + '-h'}, h('h2', {id: id + '-h'}, title), children);
  }

  function renderCampaign(id) {
    view = {id, campaign: null, transitions: {}, biz: {filters: {}, cursors: [null], next: null, total: 0, seq: 0}};
    const main = $('#main');
    fill(main,
      h('nav', {class: 'crumbs', 'aria-label': 'Breadcrumb'}, h('a', {href: '#/'}, '← Campaigns')),
      h('div', {class: 'pagehead'}, h('div', null, h('h1', {id: 'c-name'}, 'Campaign'), h('p', {class: 'muted', id: 'c-sub'})),
        h('div', {class: 'tools', id: 'c-actions', 'aria-label': 'Status changes'})),
      h('div', {id: 'c-confirm'}),
      h('div', {class: 'stats', id: 'c-stats'}),
      h('div', {class: 'cols'},
        section('funnel', 'Lead funnel', h('div', {id: 'funnel-body'})),
        section('costs', 'Cost', h('div', {id: 'costs-body'}))),
      section('coverage', 'Coverage by ZIP', h('div', {id: 'coverage-body'})),
      section('businesses', 'Businesses', bizTools(), h('div', {id: 'biz-body', class: 'scroll'}), h('div', {id: 'biz-pager', class: 'pager'})),
      h('div', {class: 'cols'},
        section('queues', 'Enrichment queues', h('div', {id: 'queues-body'})),
        section('history', 'Status history', h('div', {id: 'history-body', class: 'scroll'}))),
      h('dialog', {id: 'detail', 'aria-labelledby': 'detail-h'}));
    startPolling('Loading the campaign', () => loadCampaign(id), (err) => {
      if (view && view.id === id && !view.campaign)
        fill(main, h('nav', {class: 'crumbs', 'aria-label': 'Breadcrumb'}, h('a', {href: '#/'}, '← Campaigns')),
          h('div', {class: 'card'}, h('p', {class: 'empty'}, 'This campaign cannot be shown (' + (err.code || err.status) + ').')));
    });
  }

  async function loadCampaign(id) {
    const [got, coverage, history, costs, queues] = await Promise.all([
      rpc('get_campaign', {p_campaign_id: id}),
      allPages('list_coverage', {p_campaign_id: id}, 'coverage'),
      rpc('get_status_history', {p_campaign_id: id}),
      Promise.all([rpc('list_costs', {p_campaign_id: id, p_limit: 1})].concat(
        SERVICES.map(([s]) => rpc('list_costs', {p_campaign_id: id, p_service: s, p_limit: 1})))),
      Promise.all(['facebook', 'linkedin', 'verification'].map((t) =>
        rpc('get_businesses_for_enrichment', {p_campaign_id: id, p_enrichment_type: t, p_limit: 5}))),
    ]);
    if (!view || view.id !== id) return;
    const c = got.campaign;
    if (!(c.status in view.transitions)) {
      const valid = await Promise.all(STATUSES.map((s) => (s === c.status ? false :
        rpc('is_valid_status_transition', {p_current: c.status, p_new: s}).then((r) => r.valid))));
      view.transitions[c.status] = STATUSES.filter((s, i) => valid[i]);
    }
    if (!view || view.id !== id) return;
    view.campaign = c;
    drawHeader(got);
    drawStats(got);
    drawFunnel(got);
    drawCosts(got, costs);
    drawCoverage(coverage);
    drawQueues(queues);
    drawHistory(history.history);
    await loadBusinesses();
  }

  function drawHeader(got) {
    const c = got.campaign;
    document.title = c.name + ' · leadstore';
    fill($('#c-name'), c.name);
    fill($('#c-sub'), badge(c.status), ' ', [c.location, c.keywords && c.keywords.length ? c.keywords.join(', ') : null,
      'created ' + when(c.created_at), c.started_at ? 'started ' + when(c.started_at) : null,
      c.completed_at ? 'ended ' + when(c.completed_at) : null].filter(Boolean).join(' · '));
    const actions = $('#c-actions');
    const next = view.transitions[c.status] || [];
    if (actions.dataset.for === c.status + ':' + next.join()) return; /* keep focus on an unchanged row of buttons */
    actions.dataset.for = c.status + ':' + next.join();
    fill(actions, next.length ? next.map((s) => h('button', {type: 'button', class: s === 'failed' ? 'danger' : 'primary',
      'data-transition': s, onclick: () => confirmTransition(c.status, s)}, ACTIONS[s] + ' → ' + s)) :
      h('span', {class: 'muted'}, 'No status change is possible from ' + c.status + '.'));
  }

  function confirmTransition(from, to) {
    const box = $('#c-confirm');
    const note = h('input', {id: 'transition-note', type: 'text', maxlength: 200, placeholder: 'optional'});
    const yes = h('button', {type: 'submit', class: to === 'failed' ? 'danger' : 'primary'}, 'Confirm: ' + from + ' → ' + to);
    fill(box, h('form', {class: 'card confirm', onsubmit: async (ev) => {
      ev.preventDefault();
      yes.disabled = true;
      const metadata = {by: 'dashboard'};
      if (note.value.trim()) metadata.note = note.value.trim();
      try {
        await rpc('update_campaign_status_tx', {p_campaign_id: view.id, p_new_status: to, p_metadata: metadata,
          p_request_id: 'dashboard-' + crypto.randomUUID()});
        fill(box);
        showInfo('The campaign is now ' + to + '.');
        await tick();
      } catch (err) {
        if (!(err instanceof CallError)) throw err;
        yes.disabled = false;
        showError('Changing the status to ' + to, err);
      }
    }},
    h('p', null, 'Move this campaign from ', badge(from), ' to ', badge(to), '?'),
    h('label', {for: 'transition-note'}, 'Note for the history'), note,
    h('div', {class: 'tools'}, yes, h('button', {type: 'button', class: 'ghost', onclick: () => fill(box)}, 'Cancel'))));
    note.focus();
  }

  function stat(key, label, value, sub) {
    return h('div', {class: 'stat'}, h('div', {class: 'label'}, label), h('div', {class: 'value', 'data-stat': key}, value), sub ? h('div', {class: 'sub'}, sub) : null);
  }

  function drawStats(got) {
    const c = got.campaign, cov = got.coverage;
    fill($('#c-stats'),
      stat('zips', 'ZIPs scraped', num(cov.zips_scraped) + ' / ' + num(cov.zips_total), pct(cov.zips_scraped, cov.zips_total)),
      stat('total_businesses_found', 'Businesses', num(c.total_businesses_found)),
      stat('total_emails_found', 'Emails', num(c.total_emails_found), pct(c.total_emails_found, c.total_businesses_found) + ' of businesses'),
      stat('total_verified_emails', 'Verified deliverable', num(c.total_verified_emails)),
      stat('safe', 'Safe', num(got.leads.safe)),
      stat('actual_cost', 'Cost', usd(c.actual_cost), 'estimated ' + usd(c.estimated_cost)),
      stat('cost_per_lead', 'Cost per verified lead', c.total_verified_emails ? usd(c.actual_cost / c.total_verified_emails) : '—'));
  }

  function drawFunnel(got) {
    const c = got.campaign, by = got.leads.by_source;
    const top = Math.max(c.total_businesses_found, 1);
    const step = (key, label, n, cls) => {
      const bar = h('span', {class: 'fill ' + (cls || '')});
      bar.style.width = Math.max((100 * n) / top, n ? 1 : 0) + '%';
      return h('li', {class: cls ? 'sub' : ''}, h('span', {class: 'flabel'}, label),
        h('span', {class: 'track', 'aria-hidden': 'true'}, bar), h('span', {class: 'fnum', 'data-funnel': key}, num(n)));
    };
    fill($('#funnel-body'), h('ol', {class: 'funnel'},
      step('businesses', 'Businesses', c.total_businesses_found),
      step('with_email', 'With email', c.total_emails_found),
      step('linkedin', 'from LinkedIn', by.linkedin, 'src'),
      step('facebook', 'from Facebook', by.facebook, 'src'),
      step('google_maps', 'from Google Maps', by.google_maps, 'src'),
      step('verified', 'Verified deliverable', c.total_verified_emails),
      step('safe', 'Safe to send', got.leads.safe)));
  }

  function drawCosts(got, costs) {
    const c = got.campaign;
    const [all, ...per] = costs;
    const rows = SERVICES.map(([s, label], i) => h('tr', {'data-service': s},
      h('th', {scope: 'row'}, label), h('td', {class: 'num'}, num(per[i].total)), h('td', {class: 'num'}, usd(per[i].total_usd))));
    fill($('#costs-body'), h('table', {class: 'grid compact'},
      h('thead', null, h('tr', null, h('th', {scope: 'col'}, 'Service'), h('th', {scope: 'col', class: 'num'}, 'Calls'), h('th', {scope: 'col', class: 'num'}, 'USD'))),
      h('tbody', null, rows),
      h('tfoot', null,
        h('tr', null, h('th', {scope: 'row'}, 'Cost log total'), h('td', {class: 'num'}, num(all.total)), h('td', {class: 'num', 'data-cost': 'total'}, usd(all.total_usd))),
        h('tr', null, h('th', {scope: 'row', colspan: 2}, 'Per verified lead'),
          h('td', {class: 'num', 'data-cost': 'per_verified'}, c.total_verified_emails ? usd(all.total_usd / c.total_verified_emails) : '—')))));
  }

  function drawCoverage(rows) {
    const states = {pending: 0, found: 0, empty: 0};
    const tiles = rows.map((z) => {
      const state = !z.scraped ? 'pending' : z.businesses_found > 0 ? 'found' : 'empty';
      states[state]++;
      const label = 'ZIP ' + z.zip_code + ': ' + (z.scraped ? 'scraped ' + when(z.scraped_at) + ', ' + z.businesses_found + ' businesses, ' + z.emails_found + ' emails, ' + usd(z.actual_cost) : 'not scraped yet');
      return h('li', null, h('button', {type: 'button', class: 'tile t-' + state, title: label, 'aria-label': label + '. Show its businesses.', 'data-zip': z.zip_code,
        onclick: () => setBizFilter('p_zip_code', z.zip_code)},
      h('span', {class: 'zip'}, z.zip_code),
      h('span', {class: 'counts'}, z.scraped ? num(z.businesses_found) + ' biz · ' + num(z.emails_found) + ' @' : 'pending')));
    });
    fill($('#coverage-body'),
      h('ul', {class: 'legend'},
        h('li', null, h('span', {class: 'key t-found'}), 'Scraped with results ', h('strong', {'data-coverage': 'found'}, num(states.found))),
        h('li', null, h('span', {class: 'key t-empty'}), 'Scraped, nothing found ', h('strong', {'data-coverage': 'empty'}, num(states.empty))),
        h('li', null, h('span', {class: 'key t-pending'}), 'Not scraped ', h('strong', {'data-coverage': 'pending'}, num(states.pending)))),
      rows.length ? h('ul', {class: 'tiles'}, tiles) : h('p', {class: 'empty'}, 'This campaign has no coverage.'));
  }

  function drawQueues(queues) {
    const names = [['facebook', 'Facebook pages to read'], ['linkedin', 'LinkedIn lookups'], ['verification', 'Emails to verify']];
    fill($('#queues-body'), h('div', {class: 'queues'}, names.map(([t, label], i) => h('div', {class: 'queue'},
      h('div', {class: 'label'}, label), h('div', {class: 'value', 'data-queue': t}, num(queues[i].total)),
      queues[i].businesses.length ? h('ul', {class: 'mini'}, queues[i].businesses.map((b) => h('li', null, b.name))) : h('p', {class: 'muted'}, 'Nothing waiting.'),
      queues[i].total > queues[i].businesses.length ? h('p', {class: 'muted'}, '… and ' + num(queues[i].total - queues[i].businesses.length) + ' more') : null))));
  }

  function drawHistory(history) {
    const rows = history.slice().reverse().map((e) => h('tr', null,
      h('td', {class: 'nowrap'}, when(e.changed_at)),
      h('td', {class: 'nowrap'}, e.old_status ? badge(e.old_status) : h('span', {class: 'muted'}, 'created'), ' → ', badge(e.new_status)),
      h('td', null, e.metadata ? h('code', {class: 'meta'}, JSON.stringify(e.metadata)) : h('span', {class: 'muted'}, '—'))));
    fill($('#history-body'), h('table', {class: 'grid compact', id: 'history-table'},
      h('thead', null, h('tr', null, h('th', {scope: 'col'}, 'When'), h('th', {scope: 'col'}, 'Change'), h('th', {scope: 'col'}, 'Metadata'))),
      h('tbody', null, rows)));
  }

  /*--- Businesses ----------------------------------------------------------*/

  function bizTools() {
    const f = (id, label, param, options) => {
      const sel = h('select', {id, onchange: () => setBizFilter(param, sel.value)}, options.map(([v, t]) => h('option', {value: v}, t)));
      return h('div', {class: 'field'}, h('label', {for: id}, label), sel);
    };
    let timer = 0;
    const search = h('input', {id: 'biz-search', type: 'search', placeholder: 'name, email, website, phone', maxlength: 255,
      oninput: () => { clearTimeout(timer); timer = setTimeout(() => setBizFilter('p_search', search.value.trim()), 300); }});
    return h('div', {class: 'filters'},
      h('div', {class: 'field grow'}, h('label', {for: 'biz-search'}, 'Search'), search),
      f('biz-source', 'Email source', 'p_email_source', [['', 'Any'], ['linkedin', 'LinkedIn'], ['facebook', 'Facebook'], ['google_maps', 'Google Maps'], ['not_found', 'No email']]),
      f('biz-verified', 'Verified', 'p_verified', [['', 'Any'], ['true', 'Verified'], ['false', 'Not verified']]),
      f('biz-safe', 'Safe', 'p_safe', [['', 'Any'], ['true', 'Safe'], ['false', 'Not safe']]),
      f('biz-enrich', 'Facebook enrichment', 'p_enrichment_status', [['', 'Any'], ['pending', 'Pending'], ['enriched', 'Enriched'], ['no_facebook', 'No Facebook'], ['failed', 'Failed']]),
      h('div', {class: 'field', id: 'biz-zip'}),
      h('div', {class: 'field end'}, h('span', {class: 'label-spacer'}, ' '), h('button', {type: 'button', id: 'csv', onclick: downloadCsv}, 'Download CSV')));
  }

  function bizParams() {
    const p = {p_campaign_id: view.id};
    for (const [k, v] of Object.entries(view.biz.filters)) {
      if (v === '' || v === undefined) continue;
      p[k] = v === 'true' ? true : v === 'false' ? false : v;
    }
    return p;
  }

  function setBizFilter(param, value) {
    if (!view) return;
    view.biz.filters[param] = value;
    view.biz.cursors = [null];
    if (param === 'p_zip_code') {
      const box = $('#biz-zip');
      fill(box, value ? [h('span', {class: 'label-spacer'}, 'ZIP'), h('button', {type: 'button', class: 'chip', onclick: () => setBizFilter('p_zip_code', '')}, value + ' ×')] : []);
      if (value) $('#businesses').scrollIntoView({block: 'start'});
    }
    loadBusinesses().catch(bizError);
  }

  function bizError(err) {
    if (!(err instanceof CallError)) throw err;
    showError('Loading the businesses', err);
  }

  async function loadBusinesses() {
    const biz = view.biz, id = view.id, seq = ++biz.seq;
    const after = biz.cursors[biz.cursors.length - 1];
    const r = await rpc('list_businesses', Object.assign(bizParams(), {p_limit: PAGE}, after ? {p_after: after} : {}));
    if (!view || view.id !== id || seq !== biz.seq) return; /* a newer request (filter, page) answers instead */
    biz.next = r.businesses.length === PAGE ? r.next_after : null;
    biz.total = r.total;
    drawBusinesses(r.businesses);
  }

  function drawBusinesses(rows) {
    const biz = view.biz;
    const body = rows.map((b) => h('tr', {'data-business': b.id},
      h('td', null, h('button', {type: 'button', class: 'link', onclick: () => openBusiness(b.id)}, b.name)),
      h('td', null, b.zip_code || '—'),
      h('td', {class: 'email'}, b.email || h('span', {class: 'muted'}, 'none')),
      h('td', null, b.email_source === 'not_found' ? '—' : b.email_source),
      h('td', null, b.email_verified ? (b.bouncer_status || 'verified') + (b.bouncer_score !== null ? ' (' + b.bouncer_score + ')' : '') : h('span', {class: 'muted'}, 'not verified')),
      h('td', null, yesNo(b.is_safe)),
      h('td', null, b.phone || '—'),
      h('td', {class: 'web'}, b.website ? safeLink(b.website) : '—')));
    fill($('#biz-body'), rows.length ? h('table', {class: 'grid', id: 'biz-table'},
      h('thead', null, h('tr', null, ['Name', 'ZIP', 'Email', 'Source', 'Verification', 'Safe', 'Phone', 'Website'].map((t) => h('th', {scope: 'col'}, t)))),
      h('tbody', null, body)) : h('p', {class: 'empty'}, 'No business matches.'));
    const first = (biz.cursors.length - 1) * PAGE;
    fill($('#biz-pager'),
      h('span', {class: 'muted', 'data-test': 'biz-range'}, rows.length ? 'Showing ' + num(first + 1) + '–' + num(first + rows.length) + ' of ' + num(biz.total) : num(biz.total) + ' matches'),
      h('button', {type: 'button', disabled: biz.cursors.length <= 1, onclick: () => { biz.cursors.pop(); loadBusinesses().catch(bizError); }}, '← Previous'),
      h('button', {type: 'button', disabled: !biz.next, onclick: () => { biz.cursors.push(biz.next); loadBusinesses().catch(bizError); }}, 'Next →'));
  }

  /* The fields of a row as a definition list (long JSON values shortened). */
  function fields(row, skip) {
    const items = [];
    for (const [k, v] of Object.entries(row)) {
      if (v === null || (skip && skip.includes(k)) || (Array.isArray(v) && !v.length)) continue;
      let text = typeof v === 'object' ? JSON.stringify(v) : String(v);
      if (text.length > 300) text = text.slice(0, 300) + '…';
      items.push(h('dt', null, k.replace(/_/g, ' ')), h('dd', null, /_url$|^website$/.test(k) ? safeLink(v) : text));
    }
    return h('dl', {class: 'fields'}, items);
  }

  async function openBusiness(id) {
    const dlg = $('#detail');
    let r;
    try {
      r = await rpc('get_business', {p_business_id: id});
    } catch (err) {
      if (!(err instanceof CallError)) throw err;
      return showError('Loading the business', err);
    }
    const b = r.business;
    const part = (title, rows, skip) => h('section', null, h('h3', null, title + ' (' + rows.length + ')'),
      rows.length ? rows.map((x) => h('div', {class: 'subcard'}, fields(x, skip))) : h('p', {class: 'muted'}, 'None.'));
    fill(dlg, h('div', {class: 'dialog-head'}, h('h2', {id: 'detail-h'}, b.name),
      h('button', {type: 'button', class: 'ghost', onclick: () => dlg.close(), autofocus: true}, 'Close')),
    h('div', {class: 'dialog-body'},
      fields(b, ['raw_data', 'campaign_id', 'name']),
      part('Facebook enrichments', r.facebook_enrichments, ['raw_data', 'business_id', 'campaign_id']),
      part('LinkedIn enrichments', r.linkedin_enrichments, ['raw_data', 'business_id', 'campaign_id']),
      part('Verifications', r.verifications, ['raw_response', 'business_id', 'campaign_id'])));
    dlg.showModal();
  }

  /* The businesses matching the filters as CSV, built here from list_businesses pages. */
  const CSV_COLUMNS = ['name', 'email', 'email_source', 'email_verified', 'bouncer_status', 'bouncer_score', 'is_safe', 'phone', 'website',
    'address', 'city', 'state', 'postal_code', 'zip_code', 'category', 'rating', 'reviews_count', 'facebook_url', 'linkedin_url', 'place_id', 'id'];
  function csvCell(v) {
    let s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    if (/^[=+\-@\t\r]/.test(s)) s = "'" + s; /* a spreadsheet must not run scraped text as a formula */
    return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  async function downloadCsv() {
    const button = $('#csv');
    button.disabled = true;
    fill(button, 'Preparing…');
    try {
      const rows = await allPages('list_businesses', bizParams(), 'businesses');
      const lines = [CSV_COLUMNS.join(',')].concat(rows.map((b) => CSV_COLUMNS.map((k) => csvCell(b[k])).join(',')));
      const blob = new Blob([lines.join('\r\n') + '\r\n'], {type: 'text/csv;charset=utf-8'});
      const a = h('a', {href: URL.createObjectURL(blob), download: 'leads-' + (view.campaign ? view.campaign.name.replace(/[^A-Za-z0-9]+/g, '-').slice(0, 60) : view.id) + '.csv'});
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 10000);
      showInfo('Downloaded ' + num(rows.length) + ' leads.');
    } catch (err) {
      if (!(err instanceof CallError)) throw err;
      showError('Preparing the CSV', err);
    } finally {
      button.disabled = false;
      fill(button, 'Download CSV');
    }
  }

  /*--- Routing -------------------------------------------------------------*/

  function route() {
    clearNotice();
    view = null;
    if (!session.key || !claims(session.key)) {
      stopPolling();
      renderSession();
      return renderSignIn();
    }
    renderSession();
    const m = /^#\/c\/([0-9a-fA-F-]{36})$/.exec(location.hash);
    if (m) renderCampaign(m[1]);
    else renderList();
  }

  window.addEventListener('hashchange', () => { route(); $('#main').focus(); });
  route();
})();

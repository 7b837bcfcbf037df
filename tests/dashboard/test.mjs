// test.mjs — the dashboard in headless Debian chromium (playwright-core,
// executablePath), against `leadstore serve` on the database seeded by
// seed.sh.  Every expected number is read from the database through
// `leadstore call` (never written here).  One line per check on stdout:
// "ok<TAB>name" or "not ok<TAB>name<TAB>why"; tests/t_dashboard.sh turns
// them into TAP.  Any console error or page error fails the last check.
//   env: URL CLI DB CID_A CID_B KEY_A KEY_B ORG_A SHOTS (screenshot directory)
//        SERVE_PID SWITCHES (the server's --switches file: SIGHUP reloads it)
import {execFileSync} from 'node:child_process';
import {readFileSync, writeFileSync} from 'node:fs';
import {chromium} from 'playwright-core';

const env = (k) => {
  if (!process.env[k]) throw new Error(k + ' is not set');
  return process.env[k];
};
const [URL, CLI, DB, CID_A, CID_B, KEY_A, KEY_B, ORG_A, SHOTS, SERVE_PID, SWITCHES] =
  ['URL', 'CLI', 'DB', 'CID_A', 'CID_B', 'KEY_A', 'KEY_B', 'ORG_A', 'SHOTS', 'SERVE_PID', 'SWITCHES'].map(env);
const WAIT = 20000; // the longest wait for a condition (polling runs every 5 s)

let failed = 0;
function check(name, ok, why) {
  if (ok) console.log('ok\t' + name);
  else {
    failed++;
    console.log('not ok\t' + name + '\t' + String(why || 'failed').replace(/[\t\n]+/g, ' '));
  }
}
async function attempt(name, fn) {
  try {
    const why = await fn();
    check(name, !why, why);
  } catch (e) {
    check(name, false, e && e.stack ? e.stack.split('\n').slice(0, 3).join(' | ') : e);
  }
}

/* An operation's result, read from the database by the CLI (as the service role). */
function call(op, params) {
  return JSON.parse(execFileSync(CLI, ['--db', DB, 'call', op, JSON.stringify(params)], {encoding: 'utf8'}));
}
/* RFC 4180 records of a CSV text (quoted fields may hold commas, quotes, line breaks). */
function parseCsv(t) {
  const rows = [];
  let row = [], field = '', quoted = false;
  for (let i = 0; i < t.length; i++) {
    const ch = t[i];
    if (quoted) {
      if (ch === '"' && t[i + 1] === '"') { field += '"'; i++; } else if (ch === '"') quoted = false; else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(field); field = ''; }
    else if (ch === '\r' && t[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; }
    else field += ch;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  return rows;
}
const digits = (s) => Number(String(s).replace(/[^0-9.\-]/g, ''));
const usd = (n) => Math.round(n * 1e4) / 1e4;
const text = (page, sel) => page.locator(sel).first().textContent({timeout: WAIT});
/* Why the text at sel is not the number n (money: to the cent's hundredth), or '' when it is. */
async function shows(page, sel, n, money) {
  const t = await text(page, sel);
  const got = digits(t);
  const want = money ? usd(n) : n;
  return got === want ? '' : sel + ' shows ' + JSON.stringify(t) + ', the database says ' + want;
}
async function waitText(page, sel, want) {
  await page.waitForFunction(([s, w]) => {
    const el = document.querySelector(s);
    return el && el.textContent.includes(w);
  }, [sel, want], {timeout: WAIT});
}

const browser = await chromium.launch({executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-dev-shm-usage']});
const problems = [];
let outage = false; /* while get_campaign is switched off, its 503s are expected in the console */
async function newPage(viewport) {
  const context = await browser.newContext({viewport, acceptDownloads: true});
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' && !(outage && /status of 503/.test(m.text()))) problems.push('console: ' + m.text());
  });
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  page.on('dialog', (d) => { problems.push('dialog opened: ' + d.message()); d.dismiss(); });
  return page;
}

try {
  const page = await newPage({width: 1280, height: 900});

  await attempt('the page is served with a strict Content-Security-Policy and shows the sign-in form', async () => {
    const res = await page.goto(URL + '/');
    const csp = res.headers()['content-security-policy'] || '';
    if (!/script-src 'self'/.test(csp) || /unsafe/.test(csp)) return 'CSP: ' + csp;
    await page.locator('#key').waitFor({timeout: WAIT});
    return '';
  });

  await attempt('signing in with organization A\'s key shows its role and organization', async () => {
    await page.locator('#key').fill(KEY_A);
    await page.keyboard.press('Enter');
    await page.locator('[data-test=role]').waitFor({timeout: WAIT});
    const role = await text(page, '[data-test=role]');
    const org = await text(page, '[data-test=org]');
    if (role !== 'authenticated') return 'role shown: ' + role;
    if (!org.includes(ORG_A)) return 'organization shown: ' + org;
    const stored = await page.evaluate(() => [sessionStorage.getItem('leadstore.key'), localStorage.length, document.cookie]);
    if (stored[0] === null || stored[1] !== 0 || stored[2] !== '') return 'the key is not (only) in sessionStorage: ' + JSON.stringify(stored);
    return '';
  });

  await attempt('the campaign list shows organization A\'s campaign with the database\'s numbers', async () => {
    const row = page.locator(`tr[data-campaign="${CID_A}"]`);
    await row.waitFor({timeout: WAIT});
    const c = call('get_campaign', {p_campaign_id: CID_A}).campaign;
    const cells = await row.locator('td').allTextContents();
    const want = [c.name, c.status, `${c.zips_scraped} / ${c.actual_zip_count}`, c.total_businesses_found, c.total_emails_found,
      c.total_verified_emails, usd(c.actual_cost), usd(c.actual_cost / c.total_verified_emails)];
    const got = [cells[0], cells[1], cells[2], digits(cells[3]), digits(cells[4]), digits(cells[5]), digits(cells[6]), digits(cells[7])];
    if (JSON.stringify(got) !== JSON.stringify(want)) return 'row ' + JSON.stringify(got) + ', database ' + JSON.stringify(want);
    if (await page.locator(`tr[data-campaign="${CID_B}"]`).count()) return 'organization B\'s campaign is listed';
    return '';
  });

  await attempt('the list sorts by a column and filters by status', async () => {
    await page.getByRole('button', {name: /^Businesses/}).click();
    const sort = await page.locator('th[aria-sort="descending"]').textContent();
    if (!sort.startsWith('Businesses')) return 'sorted column: ' + sort;
    await page.selectOption('#status-filter', 'paused');
    await page.locator('#campaigns .empty').waitFor({timeout: WAIT});
    await page.selectOption('#status-filter', 'running');
    await page.locator(`tr[data-campaign="${CID_A}"]`).waitFor({timeout: WAIT});
    return '';
  });

  await page.locator(`tr[data-campaign="${CID_A}"] a`).click();
  await page.locator('[data-stat=total_businesses_found]').waitFor({timeout: WAIT});
  await page.locator('#biz-table').waitFor({timeout: WAIT});

  await attempt('the campaign page shows get_campaign\'s counters, leads and cost', async () => {
    const g = call('get_campaign', {p_campaign_id: CID_A});
    const c = g.campaign;
    const why = [
      await shows(page, '[data-stat=total_businesses_found]', c.total_businesses_found),
      await shows(page, '[data-stat=total_emails_found]', c.total_emails_found),
      await shows(page, '[data-stat=total_verified_emails]', c.total_verified_emails),
      await shows(page, '[data-stat=safe]', g.leads.safe),
      await shows(page, '[data-stat=actual_cost]', c.actual_cost, true),
      await shows(page, '[data-stat=cost_per_lead]', c.actual_cost / c.total_verified_emails, true),
      await shows(page, '[data-funnel=businesses]', c.total_businesses_found),
      await shows(page, '[data-funnel=with_email]', c.total_emails_found),
      await shows(page, '[data-funnel=linkedin]', g.leads.by_source.linkedin),
      await shows(page, '[data-funnel=facebook]', g.leads.by_source.facebook),
      await shows(page, '[data-funnel=google_maps]', g.leads.by_source.google_maps),
      await shows(page, '[data-funnel=verified]', c.total_verified_emails),
      await shows(page, '[data-funnel=safe]', g.leads.safe),
    ].filter(Boolean);
    const zips = await text(page, '[data-stat=zips]');
    if (zips !== `${g.coverage.zips_scraped} / ${g.coverage.zips_total}`) why.push('ZIPs ' + zips);
    if (g.leads.by_source.facebook === 0 || g.leads.safe === 0) why.push('the seed should give every funnel step a count');
    return why.join('; ');
  });

  await attempt('coverage tiles, costs by service and the enrichment queues match the database', async () => {
    const cov = call('list_coverage', {p_campaign_id: CID_A, p_limit: 1000}).coverage;
    const count = (f) => cov.filter(f).length;
    const why = [
      await shows(page, '[data-coverage=found]', count((z) => z.scraped && z.businesses_found > 0)),
      await shows(page, '[data-coverage=empty]', count((z) => z.scraped && z.businesses_found === 0)),
      await shows(page, '[data-coverage=pending]', count((z) => !z.scraped)),
    ];
    if ((await page.locator('#coverage-body .tile').count()) !== cov.length) why.push('tiles ≠ coverage rows');
    const tile = cov.find((z) => z.scraped && z.businesses_found > 0);
    const label = await page.locator(`.tile[data-zip="${tile.zip_code}"]`).textContent();
    if (!label.includes(String(tile.businesses_found))) why.push('tile ' + tile.zip_code + ': ' + label);
    for (const s of ['google_maps', 'facebook', 'linkedin', 'bouncer']) {
      const r = call('list_costs', {p_campaign_id: CID_A, p_service: s, p_limit: 1});
      const cells = await page.locator(`tr[data-service=${s}] td`).allTextContents();
      if (digits(cells[0]) !== r.total || digits(cells[1]) !== usd(r.total_usd)) why.push(s + ' ' + cells.join('/') + ' vs ' + r.total + '/' + r.total_usd);
    }
    const all = call('list_costs', {p_campaign_id: CID_A, p_limit: 1});
    const c = call('get_campaign', {p_campaign_id: CID_A}).campaign;
    why.push(await shows(page, '[data-cost=total]', all.total_usd, true));
    why.push(await shows(page, '[data-cost=per_verified]', all.total_usd / c.total_verified_emails, true));
    for (const t of ['facebook', 'linkedin', 'verification'])
      why.push(await shows(page, `[data-queue=${t}]`, call('get_businesses_for_enrichment', {p_campaign_id: CID_A, p_enrichment_type: t, p_limit: 1}).total));
    return why.filter(Boolean).join('; ');
  });

  await attempt('scraped text is shown as text, never as markup', async () => {
    await page.locator('#biz-search').fill('Evil');
    await page.waitForFunction(() => document.querySelectorAll('#biz-table tbody tr').length === 1, null, {timeout: WAIT});
    const name = await page.locator('#biz-table tbody tr td').first().textContent();
    const raw = call('list_businesses', {p_campaign_id: CID_A, p_search: 'Evil'}).businesses[0];
    if (name !== raw.name) return 'shown ' + JSON.stringify(name) + ', stored ' + JSON.stringify(raw.name);
    if (await page.locator('#main img, #main b').count()) return 'markup from the data reached the page';
    if (await page.locator('#biz-table a[href^="javascript"]').count()) return 'a javascript: link';
    await page.locator('#biz-search').fill('');
    await page.waitForFunction(() => document.querySelectorAll('#biz-table tbody tr').length > 1, null, {timeout: WAIT});
    return '';
  });

  await attempt('the businesses table pages with next_after and filters by source', async () => {
    await page.locator('#biz-search').fill(''); // whatever the previous check left
    const total = call('list_businesses', {p_campaign_id: CID_A, p_limit: 1}).total;
    await waitText(page, '[data-test=biz-range]', 'of ' + total);
    const first = await page.locator('#biz-table tbody tr').first().getAttribute('data-business');
    await page.getByRole('button', {name: 'Next →'}).click();
    await waitText(page, '[data-test=biz-range]', 'Showing 26–');
    const page2 = call('list_businesses', {p_campaign_id: CID_A, p_limit: 25});
    const second = await page.locator('#biz-table tbody tr').first().getAttribute('data-business');
    const want2 = call('list_businesses', {p_campaign_id: CID_A, p_limit: 25, p_after: page2.next_after}).businesses[0].id;
    if (second !== want2) return 'page 2 starts with ' + second + ', list_businesses says ' + want2;
    await page.getByRole('button', {name: '← Previous'}).click();
    await waitText(page, '[data-test=biz-range]', 'Showing 1–');
    if ((await page.locator('#biz-table tbody tr').first().getAttribute('data-business')) !== first) return 'Previous did not return to page 1';
    await page.selectOption('#biz-source', 'linkedin');
    const li = call('list_businesses', {p_campaign_id: CID_A, p_email_source: 'linkedin'}).total;
    await waitText(page, '[data-test=biz-range]', 'of ' + li);
    await page.selectOption('#biz-source', '');
    await waitText(page, '[data-test=biz-range]', 'of ' + total);
    return '';
  });

  await attempt('a business\'s detail shows its enrichments and verifications (get_business)', async () => {
    const id = call('list_businesses', {p_campaign_id: CID_A, p_email_source: 'linkedin', p_limit: 1}).businesses[0].id;
    const b = call('get_business', {p_business_id: id});
    await page.selectOption('#biz-source', 'linkedin');
    await page.locator(`tr[data-business="${id}"] button`).click();
    const dlg = page.locator('#detail');
    await dlg.locator('h3').first().waitFor({timeout: WAIT});
    const heads = await dlg.locator('h3').allTextContents();
    const want = [`Facebook enrichments (${b.facebook_enrichments.length})`, `LinkedIn enrichments (${b.linkedin_enrichments.length})`,
      `Verifications (${b.verifications.length})`];
    if (JSON.stringify(heads) !== JSON.stringify(want)) return JSON.stringify(heads) + ' vs ' + JSON.stringify(want);
    if (!(await dlg.textContent()).includes(b.linkedin_enrichments[0].person_name)) return 'the LinkedIn person is not shown';
    await page.keyboard.press('Escape');
    await dlg.waitFor({state: 'hidden', timeout: WAIT});
    await page.selectOption('#biz-source', '');
    return '';
  });

  await attempt('the CSV download holds every lead, formulas defused', async () => {
    const [download] = await Promise.all([page.waitForEvent('download', {timeout: WAIT}), page.locator('#csv').click()]);
    const csv = readFileSync(await download.path(), 'utf8');
    const total = call('list_businesses', {p_campaign_id: CID_A, p_limit: 1}).total;
    const [header, ...records] = parseCsv(csv);
    if (records.length !== total) return `CSV has ${records.length} records, list_businesses ${total}`;
    const names = records.map((r) => r[header.indexOf('name')]).sort();
    const stored = call('list_businesses', {p_campaign_id: CID_A, p_limit: 1000}).businesses.map((b) => (/^[=+\-@]/.test(b.name) ? "'" : '') + b.name).sort();
    if (JSON.stringify(names) !== JSON.stringify(stored)) return 'names differ from list_businesses';
    if (!names.some((n) => n.startsWith("'=HYPERLINK"))) return 'a formula cell is not defused';
    return '';
  });

  await attempt('numbers update without reloading (polling)', async () => {
    call('batch_upsert_businesses_tx', {p_campaign_id: CID_A, p_zip_code: '78704',
      p_businesses: [{place_id: 'late-1', name: 'Late arrival', email: 'late@arrival.example'}]});
    const n = call('get_campaign', {p_campaign_id: CID_A}).campaign.total_businesses_found;
    await page.waitForFunction((want) => document.querySelector('[data-stat=total_businesses_found]').textContent === want,
      n.toLocaleString('en-US'), {timeout: WAIT});
    return '';
  });


  await attempt('a status change through the page (keyboard only) reaches the history and the database', async () => {
    const before = call('get_campaign', {p_campaign_id: CID_A}).campaign.status;
    const allowed = call('is_valid_status_transition', {p_current: before, p_new: 'paused'}).valid;
    if (before !== 'running' || !allowed) return 'the seed should leave the campaign running';
    const buttons = await page.locator('[data-transition]').evaluateAll((b) => b.map((x) => x.dataset.transition));
    const valid = ['draft', 'running', 'paused', 'completed', 'failed'].filter((s) => s !== before &&
      call('is_valid_status_transition', {p_current: before, p_new: s}).valid);
    if (JSON.stringify(buttons) !== JSON.stringify(valid)) return 'buttons ' + buttons + ', valid ' + valid;
    await page.locator('[data-transition=paused]').focus();
    await page.keyboard.press('Enter');
    await page.locator('#transition-note').waitFor({timeout: WAIT});
    await page.keyboard.type('checked by the browser test');
    await page.keyboard.press('Enter');
    await waitText(page, '#history-table tbody tr:first-child', 'paused');
    await waitText(page, '#history-table tbody tr:first-child', 'checked by the browser test');
    const c = call('get_campaign', {p_campaign_id: CID_A}).campaign;
    const last = call('get_status_history', {p_campaign_id: CID_A}).history.at(-1);
    if (c.status !== 'paused') return 'database status ' + c.status;
    if (last.new_status !== 'paused' || last.metadata.by !== 'dashboard' || last.metadata.note !== 'checked by the browser test')
      return 'history ' + JSON.stringify(last);
    await waitText(page, '#c-sub', 'paused');
    const rows = await page.locator('#history-table tbody tr').count();
    if (rows !== call('get_status_history', {p_campaign_id: CID_A}).history.length) return 'history rows ' + rows;
    return '';
  });

  await page.screenshot({path: SHOTS + '/dashboard-desktop.png', fullPage: true});

  await attempt('an outage a retry fixes is shown as temporary, retried with backoff, and cleared when it ends', async () => {
    outage = true;
    writeFileSync(SWITCHES, 'get_campaign off\n');
    process.kill(Number(SERVE_PID), 'SIGHUP');
    await waitText(page, '#notice', 'LS503');
    const notice = await page.locator('#notice').textContent();
    if (!/Loading the campaign failed/.test(notice) || !/temporary: retrying in (10|20|40|60) s/.test(notice)) return 'notice: ' + notice;
    writeFileSync(SWITCHES, 'get_campaign on\n');
    process.kill(Number(SERVE_PID), 'SIGHUP');
    await page.locator('#notice').waitFor({state: 'hidden', timeout: 3 * WAIT});
    outage = false;
    const n = call('get_campaign', {p_campaign_id: CID_A}).campaign.total_businesses_found;
    return shows(page, '[data-stat=total_businesses_found]', n);
  });

  const phone = await newPage({width: 390, height: 844});
  await attempt('at phone width the page fits the screen', async () => {
    await phone.goto(URL + '/');
    await phone.locator('#key').fill(KEY_A);
    await phone.locator('button[type=submit]').click();
    await phone.locator('[data-test=role]').waitFor({timeout: WAIT});
    await phone.goto(URL + '/#/c/' + CID_A);
    await phone.locator('#biz-table').waitFor({timeout: WAIT});
    await phone.locator('[data-queue=verification]').waitFor({timeout: WAIT});
    const wide = await phone.evaluate(() => document.documentElement.scrollWidth);
    if (wide > 390) return 'the page is ' + wide + ' px wide';
    await phone.screenshot({path: SHOTS + '/dashboard-phone.png', clip: {x: 0, y: 0, width: 390, height: 1500}, fullPage: true});
    return '';
  });

  const other = await newPage({width: 1280, height: 900});
  await attempt('organization B\'s key does not see organization A\'s campaign', async () => {
    await other.goto(URL + '/');
    await other.locator('#key').fill(KEY_B);
    await other.locator('button[type=submit]').click();
    await other.locator('[data-test=role]').waitFor({timeout: WAIT});
    await other.locator(`tr[data-campaign="${CID_B}"]`).waitFor({timeout: WAIT});
    if (await other.locator(`tr[data-campaign="${CID_A}"]`).count()) return 'A\'s campaign is listed for B';
    if ((await other.locator('#campaigns').textContent()).includes('Austin coffee shops')) return 'A\'s name is shown to B';
    await other.goto(URL + '/#/c/' + CID_A);
    await waitText(other, '#notice', 'P0002');
    await waitText(other, '#main', 'This campaign cannot be shown');
    const notice = await other.locator('#notice').textContent();
    if (!/Retrying will not help/.test(notice) || !/another organization/.test(notice)) return 'notice: ' + notice;
    if ((await other.locator('[data-stat]').count()) !== 0) return 'A\'s numbers are shown to B';
    return '';
  });

  await attempt('signing out forgets the key', async () => {
    await other.getByRole('button', {name: 'Sign out'}).click();
    await other.locator('#key').waitFor({timeout: WAIT});
    const kept = await other.evaluate(() => sessionStorage.length);
    return kept === 0 ? '' : 'sessionStorage still holds ' + kept + ' item(s)';
  });

  check('no console error, page error or dialog in any page', problems.length === 0, problems.join(' | '));
} catch (e) {
  check('the browser test ran to its end', false, e && e.stack ? e.stack : e);
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);

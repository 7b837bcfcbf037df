'use strict';
/*
 * e2e.test.js — the real @supabase/supabase-js, through clients/js, against a
 * running `leadstore serve`: every operation, failure results, protocol
 * errors as a supabase-js user reads them, organizations, and the retry rule.
 *
 * The server and its keys come from the environment (tests/t_clients.sh
 * starts a server per engine and mints the keys with `leadstore keys`):
 *   LEADSTORE_URL, LEADSTORE_SERVICE_KEY, LEADSTORE_ORG_A_KEY,
 *   LEADSTORE_ORG_B_KEY, LEADSTORE_ANON_KEY, LEADSTORE_ORG_A (its UUID).
 */
const test = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const { createClient } = require('../leadstore');

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (tests/t_clients.sh sets it)`);
  return v;
};
const url = env('LEADSTORE_URL');
const service = createClient(url, env('LEADSTORE_SERVICE_KEY'));

/* The call must have succeeded at the protocol level; its result object. */
function result(reply) {
  assert.equal(reply.error, null, `protocol error: ${JSON.stringify(reply.error)}`);
  assert.equal(reply.status, 200);
  assert.equal(typeof reply.data, 'object');
  return reply.data;
}

function ok(reply) {
  const data = result(reply);
  assert.equal(data.success, true, `failure: ${JSON.stringify(data)}`);
  return data;
}

test('every operation, through supabase-js rpc()', async () => {
  const created = ok(await service.rpc('create_campaign_with_coverage_tx', {
    p_campaign_data: { name: 'JS lifecycle', keywords: ['dentist'], estimated_cost: 1.5 },
    p_coverage_data: [{ zip_code: '10001' }, { zip_code: '10002', max_results: 50 }],
    p_request_id: 'js-create-1',
  }));
  assert.equal(created.coverage_count, 2);
  assert.equal(created.status, 'draft');
  const cid = created.campaign_id;

  const again = ok(await service.rpc('create_campaign_with_coverage_tx', {
    p_campaign_data: { name: 'JS lifecycle', keywords: ['dentist'], estimated_cost: 1.5 },
    p_coverage_data: [{ zip_code: '10001' }, { zip_code: '10002', max_results: 50 }],
    p_request_id: 'js-create-1',
  }));
  assert.equal(again.replayed, true);
  assert.equal(again.campaign_id, cid);

  assert.equal(ok(await service.rpc('is_valid_status_transition', { p_current: 'draft', p_new: 'running' })).valid, true);
  assert.equal(ok(await service.rpc('is_valid_status_transition', { p_current: 'completed', p_new: 'running' }, { get: true })).valid, false);

  const running = ok(await service.rpc('update_campaign_status_tx', { p_campaign_id: cid, p_new_status: 'running', p_metadata: { by: 'js' } }));
  assert.equal(running.old_status, 'draft');
  assert.equal(running.new_status, 'running');

  const scraped = ok(await service.rpc('update_coverage_status_tx', {
    p_campaign_id: cid, p_zip_code: '10001', p_results: { businesses_found: 2, emails_found: 1, actual_cost: 0.05 },
  }));
  assert.equal(scraped.zip_code, '10001');

  const batch = ok(await service.rpc('batch_upsert_businesses_tx', {
    p_campaign_id: cid, p_zip_code: '10001',
    p_businesses: [
      { place_id: 'js-1', name: 'Harbor Dental', email: 'info@harbor.example', facebook_url: 'https://facebook.com/harbor' },
      { place_id: 'js-2', name: 'Elm Dental', linkedin_url: 'https://linkedin.com/company/elm' },
    ],
  }));
  assert.equal(batch.inserted, 2);
  const [b1, b2] = batch.results.map((r) => r.business_id);

  const fb = ok(await service.rpc('save_facebook_enrichment_tx', {
    p_business_id: b2, p_campaign_id: cid,
    p_enrichment_data: { facebook_url: 'https://facebook.com/elm', emails: ['hello@elm.example'], success: true },
  }));
  assert.equal(fb.email, 'hello@elm.example');
  assert.equal(fb.email_source, 'facebook');

  const li = ok(await service.rpc('save_linkedin_enrichment_tx', {
    p_business_id: b1, p_enrichment_data: { profile_type: 'company', emails_found: ['ceo@harbor.example'] },
  }));
  assert.equal(li.email_source, 'linkedin');

  const ver = ok(await service.rpc('update_email_verification_tx', {
    p_source: 'google_maps', p_target_id: b2,
    p_verification_data: { email: 'hello@elm.example', status: 'deliverable', score: 95 },
  }));
  assert.equal(ver.business_id, b2);

  const cost = ok(await service.rpc('track_api_cost_tx', {
    p_campaign_id: cid, p_service: 'google_maps', p_cost_data: { cost_usd: 0.25, items_processed: 2 }, p_request_id: 'js-cost-1',
  }));
  assert.equal(cost.service_cost, 0.25);
  /* the same id again: replayed, not charged twice */
  const costAgain = ok(await service.rpc('track_api_cost_tx', {
    p_campaign_id: cid, p_service: 'google_maps', p_cost_data: { cost_usd: 0.25, items_processed: 2 }, p_request_id: 'js-cost-1',
  }));
  assert.equal(costAgain.replayed, true);

  const stats = ok(await service.rpc('update_campaign_statistics_tx', { p_campaign_id: cid }));
  assert.equal(stats.statistics.total_businesses, 2);

  for (const get of [false, true]) {
    const one = ok(await service.rpc('get_campaign', { p_campaign_id: cid }, { get }));
    assert.equal(one.campaign.status, 'running');
    assert.equal(one.campaign.actual_cost, 0.25);
    const list = ok(await service.rpc('list_campaigns', { p_status: 'running', p_limit: 10 }, { get }));
    assert.ok(list.campaigns.some((c) => c.id === cid || c.campaign_id === cid));
    const todo = ok(await service.rpc('get_businesses_for_enrichment', { p_campaign_id: cid, p_enrichment_type: 'verification', p_limit: 10 }, { get }));
    assert.equal(typeof todo.total, 'number');
  }
});

test('a failure result: status 200, error null, data.success false', async () => {
  const c = ok(await service.rpc('create_campaign_with_coverage_tx', { p_campaign_data: { name: 'Refused' } }));
  const refused = result(await service.rpc('update_campaign_status_tx', { p_campaign_id: c.campaign_id, p_new_status: 'completed' }));
  assert.equal(refused.success, false);
  assert.equal(refused.error_code, 'P0001');
  assert.equal(refused.retry_recommended, false);
  assert.match(refused.error, /draft -> completed/);

  const missing = result(await service.rpc('get_campaign', { p_campaign_id: '00000000-0000-4000-8000-000000000000' }));
  assert.equal(missing.error_code, 'P0002');
  const invalid = result(await service.rpc('create_campaign_with_coverage_tx', { p_campaign_data: {} }));
  assert.equal(invalid.error_code, '22023');
  const badUuid = result(await service.rpc('get_campaign', { p_campaign_id: 'nope' }, { get: true }));
  assert.equal(badUuid.error_code, '22P02');
});

/* A protocol error as supabase-js hands it over: data null, a PostgREST error object, the status. */
function protocolError(reply, status) {
  assert.equal(reply.data, null);
  assert.equal(reply.status, status, JSON.stringify(reply));
  assert.equal(typeof reply.error, 'object');
  assert.equal(typeof reply.error.code, 'string');
  assert.equal(typeof reply.error.message, 'string');
  assert.ok(reply.error.message.length > 0);
  assert.ok('details' in reply.error && 'hint' in reply.error, JSON.stringify(reply.error));
  return reply.error;
}

test('protocol errors: 401, 403, 404, 400', async () => {
  const forged = createClient(url, 'eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c2lnbmF0dXJl');
  protocolError(await forged.rpc('list_campaigns', {}), 401);

  const anon = createClient(url, env('LEADSTORE_ANON_KEY'));
  protocolError(await anon.rpc('list_campaigns', {}), 403);

  protocolError(await service.rpc('no_such_operation', {}), 404);

  /* a body mangled on the way: the server answers 400 and supabase-js reads it */
  const mangled = createClient(url, env('LEADSTORE_SERVICE_KEY'), {
    global: { fetch: (u, init) => fetch(u, { ...init, body: '{"p_current": "draft",' }) },
  });
  protocolError(await mangled.rpc('is_valid_status_transition', { p_current: 'draft', p_new: 'running' }), 400);
});

test('organizations: A owns its campaign, B cannot see or change it', async () => {
  const a = createClient(url, env('LEADSTORE_ORG_A_KEY'));
  const b = createClient(url, env('LEADSTORE_ORG_B_KEY'));
  const created = ok(await a.rpc('create_campaign_with_coverage_tx', { p_campaign_data: { name: 'Org A' } }));
  const mine = ok(await a.rpc('get_campaign', { p_campaign_id: created.campaign_id }));
  assert.equal(mine.campaign.organization_id, env('LEADSTORE_ORG_A'));
  const hidden = result(await b.rpc('get_campaign', { p_campaign_id: created.campaign_id }));
  assert.equal(hidden.error_code, 'P0002');
  const change = result(await b.rpc('update_campaign_status_tx', { p_campaign_id: created.campaign_id, p_new_status: 'running' }));
  assert.equal(change.error_code, 'P0002');
  assert.equal(ok(await a.rpc('get_campaign', { p_campaign_id: created.campaign_id })).campaign.status, 'draft');
});

/*--- The retry rule, on a fetch that fails as told --------------------------------*/

/* A client whose transport answers from `script` (one entry per try), recording the bodies. */
function scripted(script) {
  const bodies = [];
  const client = createClient(url, env('LEADSTORE_SERVICE_KEY'), {
    retry: { attempts: 4, maxMs: 5000 },
    global: {
      fetch: async (u, init) => {
        bodies.push(init.body);
        const step = script[Math.min(bodies.length - 1, script.length - 1)];
        if (step === 'real') return fetch(u, init);
        if (step instanceof Error) throw step;
        return new Response(step.body, { status: step.status, headers: step.headers || { 'content-type': 'application/json' } });
      },
    },
  });
  return { client, bodies };
}

const reset = () => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
const refused = () => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
const busy = { status: 200, body: '{"success":false,"error":"deadlock detected","error_code":"40P01","retry_recommended":true}' };
const unavailable = { status: 503, headers: { 'retry-after': '0', 'content-type': 'application/json' }, body: '{"code":"PGRST000","message":"busy","details":null,"hint":null}' };

test('retry: retry_recommended and 503 are retried with the same body (same p_request_id)', async () => {
  const { client, bodies } = scripted([busy, unavailable, 'real']);
  const c = ok(await client.rpc('create_campaign_with_coverage_tx', { p_campaign_data: { name: 'Retried' }, p_request_id: 'js-retry-1' }));
  assert.equal(bodies.length, 3);
  assert.ok(bodies.every((b) => b === bodies[0]));
  assert.equal(JSON.parse(bodies[2]).p_request_id, 'js-retry-1');
  /* it ran once: a repeat is a replay of that one campaign */
  const replay = ok(await service.rpc('create_campaign_with_coverage_tx', { p_campaign_data: { name: 'Retried' }, p_request_id: 'js-retry-1' }));
  assert.equal(replay.replayed, true);
  assert.equal(replay.campaign_id, c.campaign_id);
});

test('retry: a lost connection repeats a write only when it carries p_request_id', async () => {
  const without = scripted([reset(), 'real']);
  const lost = await without.client.rpc('create_campaign_with_coverage_tx', { p_campaign_data: { name: 'No id' } });
  assert.equal(without.bodies.length, 1);
  assert.equal(lost.status, 0);
  assert.match(lost.error.message, /fetch failed/);

  const withId = scripted([reset(), 'real']);
  ok(await withId.client.rpc('create_campaign_with_coverage_tx', { p_campaign_data: { name: 'With id' }, p_request_id: 'js-lost-1' }));
  assert.equal(withId.bodies.length, 2);

  const read = scripted([reset(), 'real']);
  ok(await read.client.rpc('list_campaigns', { p_limit: 1 }, { get: true }));
  assert.equal(read.bodies.length, 2);

  const notSent = scripted([refused(), 'real']);
  ok(await notSent.client.rpc('create_campaign_with_coverage_tx', { p_campaign_data: { name: 'Never sent' } }));
  assert.equal(notSent.bodies.length, 2);
});

test('retry: bounded by attempts, and a failure that is not retryable is not retried', async () => {
  const always = scripted([busy]);
  const last = result(await always.client.rpc('track_api_cost_tx', { p_campaign_id: '00000000-0000-4000-8000-000000000000', p_service: 'bouncer', p_cost_data: { cost_usd: 1 }, p_request_id: 'x' }));
  assert.equal(last.error_code, '40P01');
  assert.equal(always.bodies.length, 4);

  const once = scripted(['real']);
  result(await once.client.rpc('update_campaign_status_tx', { p_campaign_id: '00000000-0000-4000-8000-000000000000', p_new_status: 'running' }));
  assert.equal(once.bodies.length, 1);
});

test('retry: a server that is not there, tried a bounded number of times', async () => {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = server.address().port;
  await new Promise((resolve) => server.close(resolve));
  let tries = 0;
  const gone = createClient(`http://127.0.0.1:${port}`, env('LEADSTORE_SERVICE_KEY'), { retry: { attempts: 3 }, onTry: () => tries++ });
  const reply = await gone.rpc('list_campaigns', {});
  assert.equal(tries, 3);
  assert.equal(reply.status, 0);
  assert.equal(reply.data, null);
  assert.match(reply.error.details, /ECONNREFUSED/);
});

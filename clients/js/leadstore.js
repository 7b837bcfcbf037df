'use strict';
/*
 * leadstore.js — a thin wrapper over @supabase/supabase-js for calling a
 * leadstore server (`leadstore serve`), with the retry rule of docs/http.md.
 *
 *   const { createClient } = require('./leadstore');
 *   const ls = createClient('http://127.0.0.1:8080', process.env.LEADSTORE_KEY);
 *   const { data, error, status } = await ls.rpc('create_campaign_with_coverage_tx',
 *       { p_campaign_data: { name: 'Dentists' }, p_request_id: 'import-42' });
 *
 * rpc() answers exactly what supabase-js's rpc() answers ({data, error,
 * status, statusText, count}): `data` is the operation's result object
 * (check data.success), `error` a PostgREST error object for a protocol
 * error (401, 403, 404, 400, 413, 503…) or a transport failure (status 0).
 *
 * The retry rule (the same in the C engine and clients/python): a request is
 * sent again only when that is known to be safe —
 *   - the result says retry_recommended (the failure wrote nothing);
 *   - the server answered 503 (it did not run the call), after its Retry-After;
 *   - the connection could not be made (nothing was sent);
 *   - the connection was lost after sending, only for a read sent with
 *     { get: true } or a call that carries p_request_id (the server then
 *     replays the stored result instead of running it twice).
 * A write without p_request_id is never repeated after it may have run: the
 * client does not invent ids, so the parameters are exactly the caller's.
 * Waits grow from 50 ms, doubling, up to 2 s each, with jitter (a uniform
 * draw in [d/2, d]); at most `attempts` tries (5) within `maxMs` (10 s).
 * Every try sends the same body, so the same p_request_id.
 *
 * The retries live in the fetch that supabase-js is given, where the status,
 * the Retry-After header and the body are all visible; supabase-js's own
 * retry of GET on 503 is switched off so that one rule applies.
 */
const { createClient: createSupabaseClient } = require('@supabase/supabase-js');
const ws = require('ws');

const RETRY_DEFAULTS = { attempts: 5, maxMs: 10000, firstMs: 50, capMs: 2000 };

/* Error codes of a connection that was never made: nothing reached the server. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/* The wait before retry number n (1-based): d = first·2^(n-1) capped, drawn in [d/2, d]. */
function backoffMs(n, o) {
  const d = Math.min(o.capMs, o.firstMs * 2 ** (n - 1));
  return d / 2 + Math.random() * (d / 2);
}

function notSent(err) {
  for (let e = err; e; e = e.cause) if (e.code && NOT_SENT.has(e.code)) return true;
  return false;
}

function carriesRequestId(body) {
  if (typeof body !== 'string') return false;
  try {
    const p = JSON.parse(body);
    return p !== null && typeof p === 'object' && typeof p.p_request_id === 'string';
  } catch {
    return false;
  }
}

/* True when a 200 answer is a failure result that recommends a retry. */
async function recommendsRetry(res) {
  try {
    const body = JSON.parse(await res.clone().text());
    return body !== null && body.success === false && body.retry_recommended === true;
  } catch {
    return false;
  }
}

/* A fetch that applies the retry rule around `baseFetch`; `onTry` sees each try. */
function retryingFetch(baseFetch, options, onTry) {
  const o = { ...RETRY_DEFAULTS, ...options };
  return async function fetchWithRetries(url, init = {}) {
    const method = (init.method || 'GET').toUpperCase();
    const repeatable = method === 'GET' || method === 'HEAD' || carriesRequestId(init.body);
    const start = Date.now();
    for (let attempt = 1; ; attempt++) {
      let res = null;
      let failure = null;
      let again = false;
      let wait = backoffMs(attempt, o);
      if (onTry) onTry({ attempt, url: String(url), method });
      try {
        res = await baseFetch(url, init);
      } catch (err) {
        if (err && err.name === 'AbortError') throw err;
        failure = err;
        again = notSent(err) || repeatable;
      }
      if (res && res.status === 503) {
        again = true;
        const after = parseInt(res.headers.get('retry-after'), 10);
        if (after >= 0) wait = after * 1000;
      } else if (res && res.status === 200) {
        again = await recommendsRetry(res);
      }
      if (!again || attempt >= o.attempts || Date.now() - start + wait > o.maxMs) {
        if (failure) throw failure;
        return res;
      }
      if (res) await res.arrayBuffer(); /* frees the connection for the next try */
      await sleep(wait);
    }
  };
}

/*
 * A client of the leadstore server at `url` with `key` (a JWT minted by
 * `leadstore keys`, sent as `apikey` and `Authorization: Bearer`, as
 * supabase-js does).  options.retry = { attempts, maxMs } bounds the retries;
 * options.onTry(info) is called before every try (for logs and tests); any
 * other options go to supabase-js's createClient unchanged.
 */
function createClient(url, key, options = {}) {
  const { retry, onTry, global: globalOptions = {}, ...rest } = options;
  const baseFetch = globalOptions.fetch || fetch;
  const supabase = createSupabaseClient(url, key, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: ws }, /* Node 20 has no WebSocket of its own */
    ...rest,
    global: { ...globalOptions, fetch: retryingFetch(baseFetch, retry, onTry) },
  });
  return {
    supabase,
    /*
     * Calls operation `fn` with `params`; options.get = true sends a read
     * operation as GET with query parameters (as supabase-js does).
     */
    async rpc(fn, params = {}, rpcOptions = {}) {
      let builder = supabase.rpc(fn, params, rpcOptions);
      if (typeof builder.retry === 'function') builder = builder.retry(false);
      return builder;
    },
  };
}

module.exports = { createClient, retryingFetch, RETRY_DEFAULTS };

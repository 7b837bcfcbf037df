-- load.lua — the wrk script of tests/t_load.sh and bench/http.sh: keep-alive
-- connections calling a mix of operations on one campaign, round robin: a
-- write (track_api_cost_tx, 0.001 USD to google_maps), a read by id
-- (get_campaign) and a list (list_campaigns).  Every answer must be 200 with
-- "success": true.
--
-- With LOAD_SECONDS = S, operations are sent for S seconds only; after that
-- every connection asks GET /version (no operation) until wrk's -d ends, so
-- each operation sent has been answered when wrk stops (give -d a margin) and
-- the server's per-operation counts can be compared exactly with the
-- requests wrk completed.  At the end it prints, summed over wrk's threads:
--   answered <op> N (one line each) / answered version N / failed N / latency_us …
-- (wrk's own "N requests" is their sum when nothing was left in flight.)
-- Environment: LOAD_KEY (a service_role token), LOAD_CAMPAIGN (its id),
-- LOAD_SECONDS (optional), LOAD_OPS (optional: "read" = the two reads only,
-- "static" = GET /version only, the floor of bench/http.sh; "write" = the
-- write only, for bench/group_commit.sh).
local key = os.getenv("LOAD_KEY")
local cid = os.getenv("LOAD_CAMPAIGN")
local seconds = tonumber(os.getenv("LOAD_SECONDS") or "")
local ops = {
  { name = "track_api_cost_tx", mark = '"cost_id"',
    body = '{"p_campaign_id":"' .. cid .. '","p_service":"google_maps","p_cost_data":{"cost_usd":0.001,"items_processed":1}}' },
  { name = "get_campaign", mark = '"campaign"', body = '{"p_campaign_id":"' .. cid .. '"}' },
  { name = "list_campaigns", mark = '"campaigns"', body = '{"p_limit":10}' },
}
if os.getenv("LOAD_OPS") == "read" then table.remove(ops, 1) end
if os.getenv("LOAD_OPS") == "write" then ops = { ops[1] } end
if os.getenv("LOAD_OPS") == "static" then ops = {} end
local headers = { ["Content-Type"] = "application/json", ["apikey"] = key, ["Authorization"] = "Bearer " .. key }

local threads = {}
function setup(thread) table.insert(threads, thread) end

function init(args)
  n, failed, versions = 0, 0, 0
  deadline = seconds and os.time() + seconds or nil
  for _, op in ipairs(ops) do _G["answered_" .. op.name] = 0 end
  requests = {}
  for i, op in ipairs(ops) do requests[i] = wrk.format("POST", "/rest/v1/rpc/" .. op.name, headers, op.body) end
  version = wrk.format("GET", "/version")
end

function request()
  if #ops == 0 or (deadline and os.time() >= deadline) then return version end
  n = n + 1
  return requests[n % #ops + 1]
end

-- Which operation an answer is for, by a key only its result has.
local function answered_op(body)
  for _, op in ipairs(ops) do
    if body:find(op.mark, 1, true) then return op.name end
  end
end

function response(status, hdrs, body)
  if status == 200 and not body:find('"success"', 1, true) and body:find('"version"', 1, true) then
    versions = versions + 1
    return
  end
  local op = answered_op(body)
  if op then _G["answered_" .. op] = _G["answered_" .. op] + 1 end
  if status ~= 200 or not op or not body:find('"success"%s*:%s*true') then
    failed = failed + 1
    if failed <= 3 then io.stderr:write("failed answer: " .. status .. " " .. body:sub(1, 300) .. "\n") end
  end
end

function done(summary, latency, reqs)
  local totals = { failed = 0, versions = 0 }
  for _, op in ipairs(ops) do totals["answered_" .. op.name] = 0 end
  for _, t in ipairs(threads) do
    for k, _ in pairs(totals) do totals[k] = totals[k] + (t:get(k) or 0) end
  end
  for _, op in ipairs(ops) do io.write(string.format("answered %s %d\n", op.name, totals["answered_" .. op.name])) end
  io.write(string.format("answered version %d\nfailed %d\n", totals.versions, totals.failed))
  io.write(string.format("latency_us p50 %d p95 %d p99 %d\n", latency:percentile(50), latency:percentile(95),
    latency:percentile(99)))
end

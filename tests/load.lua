-- load.lua — the wrk script of tests/t_load.sh and bench/http.sh: keep-alive
-- connections calling a mix of operations on one campaign, round robin: a
-- write (track_api_cost_tx, 0.001 USD to google_maps), a read by id
-- (get_campaign) and a list (list_campaigns).  Every answer must be 200 with
-- "success": true; at the end it prints how many requests of each operation
-- were sent and how many answers failed, summed over wrk's threads:
--   sent track_api_cost_tx N / sent get_campaign N / sent list_campaigns N /
--   answered N / failed N
-- Environment: LOAD_KEY (a service_role token), LOAD_CAMPAIGN (its id),
-- LOAD_OPS (optional: "read" = the two reads only).
local key = os.getenv("LOAD_KEY")
local cid = os.getenv("LOAD_CAMPAIGN")
local ops = {
  { name = "track_api_cost_tx",
    body = '{"p_campaign_id":"' .. cid .. '","p_service":"google_maps","p_cost_data":{"cost_usd":0.001,"items_processed":1}}' },
  { name = "get_campaign", body = '{"p_campaign_id":"' .. cid .. '"}' },
  { name = "list_campaigns", body = '{"p_limit":10}' },
}
if os.getenv("LOAD_OPS") == "read" then table.remove(ops, 1) end
local headers = { ["Content-Type"] = "application/json", ["apikey"] = key, ["Authorization"] = "Bearer " .. key }

local threads = {}
function setup(thread) table.insert(threads, thread) end

function init(args)
  n, answered, failed = 0, 0, 0
  for i, op in ipairs(ops) do _G["sent_" .. op.name] = 0 end
  requests = {}
  for i, op in ipairs(ops) do requests[i] = wrk.format("POST", "/rest/v1/rpc/" .. op.name, headers, op.body) end
end

function request()
  n = n + 1
  local i = n % #ops + 1
  local name = "sent_" .. ops[i].name
  _G[name] = _G[name] + 1
  return requests[i]
end

function response(status, hdrs, body)
  answered = answered + 1
  if status ~= 200 or not body:find('"success"%s*:%s*true') then
    failed = failed + 1
    if failed <= 3 then io.stderr:write("failed answer: " .. status .. " " .. body:sub(1, 300) .. "\n") end
  end
end

function done(summary, latency, reqs)
  local totals = { answered = 0, failed = 0 }
  for _, op in ipairs(ops) do totals["sent_" .. op.name] = 0 end
  for _, t in ipairs(threads) do
    for k, _ in pairs(totals) do totals[k] = totals[k] + (t:get(k) or 0) end
  end
  for _, op in ipairs(ops) do io.write(string.format("sent %s %d\n", op.name, totals["sent_" .. op.name])) end
  io.write(string.format("answered %d\nfailed %d\n", totals.answered, totals.failed))
  io.write(string.format("latency_us p50 %d p95 %d p99 %d\n", latency:percentile(50), latency:percentile(95),
    latency:percentile(99)))
end

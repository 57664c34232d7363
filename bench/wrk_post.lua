-- wrk script of bench/run.py: POST the JSON body in the file named by $GW_BENCH_BODY,
-- in a closed loop (each connection sends its next request when the answer is in).
-- A response counts as an error when its status is not 200 or its body holds "errors".
-- done() prints one line: WRK_RESULT {...json...}, latencies in milliseconds.
local path = os.getenv("GW_BENCH_BODY")
local file = assert(io.open(path or "", "rb"), "GW_BENCH_BODY must name the request body file")
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
-- $GW_BENCH_AUTH: the Authorization header, for servers that need a token.
local auth = os.getenv("GW_BENCH_AUTH")
if auth and auth ~= "" then
  wrk.headers["Authorization"] = auth
end

local all_threads = {}

function setup(thread)
  all_threads[#all_threads + 1] = thread
end

function init(args)
  answered = 0
  failed = 0
end

function response(status, headers, body)
  answered = answered + 1
  if status ~= 200 or (body and body:find('"errors"', 1, true)) then
    failed = failed + 1
  end
end

function done(summary, latency, requests)
  local answered_total, failed_total = 0, 0
  for _, t in ipairs(all_threads) do
    answered_total = answered_total + (t:get("answered") or 0)
    failed_total = failed_total + (t:get("failed") or 0)
  end
  local e = summary.errors
  local socket = e.connect + e.read + e.write + e.timeout
  local seconds = summary.duration / 1e6
  local function ms(us) return us / 1000 end
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"duration_s":%.3f,"rps":%.3f,"p50_ms":%.3f,"p90_ms":%.3f,' ..
    '"p99_ms":%.3f,"max_ms":%.3f,"mean_ms":%.3f,"stdev_ms":%.3f,"bytes_read":%d,' ..
    '"non200":%d,"socket_errors":%d,"timeouts":%d,"checked":%d,"bad_responses":%d,"errors":%d}\n',
    summary.requests, seconds, summary.requests / seconds,
    ms(latency:percentile(50)), ms(latency:percentile(90)), ms(latency:percentile(99)),
    ms(latency.max), ms(latency.mean), ms(latency.stdev), summary.bytes,
    e.status, socket, e.timeout, answered_total, failed_total, failed_total + socket))
end

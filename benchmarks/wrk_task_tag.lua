-- wrk script used by benchmarks/task_tag_bench.py; not meant to be run by hand.
--
--   wrk ... -s wrk_task_tag.lua URL -- MODE EXPECTED_STATUS [BODY_FILE TAG]
--
-- MODE "get": GET the URL as is. MODE "replay": POST the JSON body held in
-- BODY_FILE with the header "Task-Tag: TAG" (a tag that already exists with
-- this very body, so every answer should be a replay). Every response whose
-- status is not EXPECTED_STATUS is counted as "unexpected"; responses with
-- "Task-Replayed: true" are counted as "replayed". done() prints one line
-- "KARBOR_BENCH_JSON {...}": latencies in microseconds.

local mode = "get"
local expected = 200
local request_bytes = nil
-- Globals, so that done() can read them from each thread with thread:get().
unexpected = 0
replayed = 0
first_bad = ""
local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   mode = args[1] or "get"
   expected = tonumber(args[2] or "200")
   wrk.headers["X-Auth-Token"] = "bench:bench"
   wrk.headers["Accept"] = "application/json"
   if mode == "replay" then
      local f = assert(io.open(args[3], "rb"))
      wrk.method = "POST"
      wrk.body = f:read("*a")
      f:close()
      wrk.headers["Content-Type"] = "application/json"
      wrk.headers["Task-Tag"] = args[4]
   end
   request_bytes = wrk.format()
end

function request()
   return request_bytes
end

function response(status, headers, body)
   if status ~= expected then
      unexpected = unexpected + 1
      if first_bad == "" then
         first_bad = status .. " " .. string.sub(body or "", 1, 200)
      end
   end
   for name, value in pairs(headers) do
      if string.lower(name) == "task-replayed" and value == "true" then
         replayed = replayed + 1
      end
   end
end

local function json_string(s)
   s = string.gsub(s, '[%c"\\]', function(c)
      return string.format("\\u%04x", string.byte(c))
   end)
   return '"' .. s .. '"'
end

function done(summary, latency, requests)
   local bad, rep = 0, 0
   local sample = ""
   for _, thread in ipairs(threads) do
      bad = bad + (thread:get("unexpected") or 0)
      rep = rep + (thread:get("replayed") or 0)
      local s = thread:get("first_bad") or ""
      if sample == "" then sample = s end
   end
   local e = summary.errors
   io.write(string.format(
      'KARBOR_BENCH_JSON {"requests": %d, "duration_us": %d, ' ..
      '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, ' ..
      '"unexpected": %d, "replayed": %d, "socket_errors": %d, ' ..
      '"first_bad": %s}\n',
      summary.requests, summary.duration,
      latency:percentile(50), latency:percentile(90),
      latency:percentile(99), latency.max, bad, rep,
      e.connect + e.read + e.write + e.timeout, json_string(sample)))
end

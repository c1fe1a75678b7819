-- wrk script used by benchmarks/api_bench.py; not meant to be run by hand.
--
--   wrk ... -s wrk_karbor.lua http://127.0.0.1:PORT/v1/bench/plans -- MODE FILE
--
-- MODE is "get" (GET the URL as is), "get_by_id" (GET URL/<id> with an id
-- drawn at random from FILE, one id a line) or "post" (POST the JSON body
-- held in FILE). Every response that is not 2xx is counted (wrk itself only
-- counts >= 400). done() prints one line "KARBOR_BENCH_JSON {...}" that the
-- Python side parses: latencies in microseconds.

local mode = "get"
local ids = {}
local request_bytes = nil
-- Globals, so that done() can read them from each thread with thread:get().
non2xx = 0
first_bad = ""
local threads = {}

function setup(thread)
   thread:set("seed", #threads + 1)
   table.insert(threads, thread)
end

function init(args)
   mode = args[1] or "get"
   wrk.headers["X-Auth-Token"] = "bench:bench"
   wrk.headers["Accept"] = "application/json"
   math.randomseed(os.time() * 1000 + (seed or 0))
   if mode == "get_by_id" then
      for line in io.lines(args[2]) do
         if #line > 0 then ids[#ids + 1] = line end
      end
   elseif mode == "post" then
      local f = assert(io.open(args[2], "rb"))
      wrk.method = "POST"
      wrk.body = f:read("*a")
      f:close()
      wrk.headers["Content-Type"] = "application/json"
   end
   request_bytes = wrk.format()
end

function request()
   if mode == "get_by_id" then
      return wrk.format(nil, wrk.path .. "/" .. ids[math.random(#ids)])
   end
   return request_bytes
end

function response(status, headers, body)
   if status < 200 or status > 299 then
      non2xx = non2xx + 1
      if first_bad == "" then
         first_bad = status .. " " .. string.sub(body or "", 1, 200)
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
   local bad = 0
   local sample = ""
   for _, thread in ipairs(threads) do
      bad = bad + (thread:get("non2xx") or 0)
      local s = thread:get("first_bad") or ""
      if sample == "" then sample = s end
   end
   local e = summary.errors
   io.write(string.format(
      'KARBOR_BENCH_JSON {"requests": %d, "duration_us": %d, ' ..
      '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, ' ..
      '"mean_us": %f, "non2xx": %d, "connect_errors": %d, ' ..
      '"read_errors": %d, "write_errors": %d, "timeouts": %d, ' ..
      '"first_bad": %s}\n',
      summary.requests, summary.duration,
      latency:percentile(50), latency:percentile(90),
      latency:percentile(99), latency.max, latency.mean, bad,
      e.connect, e.read, e.write, e.timeout, json_string(sample)))
end

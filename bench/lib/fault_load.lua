-- wrk script for bench/faults.sh. Configured by environment variables:
--   FAULT_PORTS   "P1,P2": thread i sends to 127.0.0.1:P((i-1) mod n + 1) (so -t2 with two ports puts one
--                 thread, and half the connections, on each replica); unset: the URL's address
--   FAULT_HOST    Host header (default shop.example: every replica keys the same URL the same way)
--   FAULT_KEYS    N: rotate over <prefix>0 .. <prefix>N-1, each thread starting at its own offset
--   FAULT_UNIQUE  1: every request a new key <prefix><thread>-<n> (churn)
--   FAULT_PREFIX  default /obj/k     FAULT_QUERY  default size=1024&ma=3600
--   FAULT_METHOD  default GET        FAULT_HEADER one extra request header, "Name: value"
--   FAULT_TAGS    1: count responses by "<status> <X-Cache>" (wrk's response() callback, so headers
--                 are parsed: a little slower)
-- done() prints one line: RESULT {json} (latency in ms; errors as wrk counts them: status = >= 400).
local ports = {}
for p in string.gmatch(os.getenv("FAULT_PORTS") or "", "%d+") do table.insert(ports, p) end
local host = os.getenv("FAULT_HOST") or "shop.example"
local nkeys = tonumber(os.getenv("FAULT_KEYS") or "200")
local unique = os.getenv("FAULT_UNIQUE") == "1"
local prefix = os.getenv("FAULT_PREFIX") or "/obj/k"
local query = os.getenv("FAULT_QUERY") or "size=1024&ma=3600"
local method = os.getenv("FAULT_METHOD") or "GET"
local extra = os.getenv("FAULT_HEADER")
local tags = os.getenv("FAULT_TAGS") == "1"

wrk.headers["Host"] = host
if extra and extra ~= "" then
  local k, v = string.match(extra, "^([^:]+):%s*(.*)$")
  wrk.headers[k] = v
end
if method == "POST" or method == "PUT" then
  wrk.body = "x"
end

local threads = {}
local nthreads = 0

function setup(thread)
  nthreads = nthreads + 1
  thread:set("tid", nthreads)
  if #ports > 0 then
    local p = ports[(nthreads - 1) % #ports + 1]
    thread.addr = wrk.lookup("127.0.0.1", p)[1]
  end
  table.insert(threads, thread)
end

function init(args)
  n = (tid - 1) * 97
  counts = {}
end

function request()
  n = n + 1
  local path
  if unique then
    path = prefix .. tid .. "-" .. n .. "?" .. query
  else
    path = prefix .. (n % nkeys) .. "?" .. query
  end
  return wrk.format(method, path)
end

if tags then
  response = function(status, headers, body)
    local x = headers["X-Cache"] or headers["x-cache"] or "-"
    local k = status .. " " .. x
    counts[k] = (counts[k] or 0) + 1
  end
end

function done(summary, latency, requests)
  local dur = summary.duration / 1e6
  local e = summary.errors
  local all = {}
  for _, t in ipairs(threads) do
    local c = t:get("counts")
    if c then
      for k, v in pairs(c) do all[k] = (all[k] or 0) + v end
    end
  end
  local parts = {}
  for k, v in pairs(all) do table.insert(parts, string.format("%q: %d", k, v)) end
  io.write(string.format(
    'RESULT {"requests": %d, "duration_s": %.3f, "rps": %.1f, "p50_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f, '
      .. '"err_connect": %d, "err_read": %d, "err_write": %d, "err_status": %d, "err_timeout": %d, "tags": {%s}}\n',
    summary.requests, dur, summary.requests / dur,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.connect, e.read, e.write, e.status, e.timeout, table.concat(parts, ", ")))
end

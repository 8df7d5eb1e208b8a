-- wrk script: every request a new key (/obj/c<thread>-<n>?size=SIZE), so each one is a miss that
-- stores a new entry and the in-process cache evicts continuously. Args: SIZE (default 16384).
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  size = args[1] or "16384"
  n = 0
end

function request()
  n = n + 1
  return wrk.format("GET", "/obj/c" .. tid .. "-" .. n .. "?size=" .. size)
end

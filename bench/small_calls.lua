-- bench/small_calls.lua - the fixed cost of one top-level call: many calls
-- on tiny values, where the per-call setup (options, the call state, the
-- protected worker) is most of the work. Not a test.
--
--   LUA_CPATH="build/lib/lua/?.so;;" lua5.4 bench/small_calls.lua [calls]
--   build/kserial-bench bench/small_calls.lua [calls]
--
-- Prints microseconds per call (the best of 5 runs of `calls` calls each,
-- CPU time) for each operation, kserial and plain (bench/plain.lua, the
-- protocol written in Lua over lua-cjson) side by side. A program that
-- loads one message at a time pays these costs on every message; the graph
-- benchmark (run.lua) cannot see them.
local here = (arg and arg[0] or ""):match("^(.*)/[^/]*$") or "."
package.path = here .. "/?.lua;" .. package.path

local kserial = rawget(_G, "kserial") or require "kserial"
local plain = require "plain"

local calls = tonumber(arg and arg[1]) or 100000
local clock = os.clock
local fmt = string.format

-- A one-field class, as small as an object gets.
local Small = kserial.class("Small")
function Small:get_config() return { units = self.units } end
kserial.register_serializable("bench_small")(Small)
plain.register(Small, "bench_small")

local obj = Small{ units = 3 }
local doc = kserial.dumps(obj)
local ktree = kserial.json.decode(doc)
local ptree = plain.serialize(obj)
local number_doc = "5"

local function best_of(f)
  local best = math.huge
  for _ = 1, 5 do
    collectgarbage()
    local t0 = clock()
    for _ = 1, calls do f() end
    local t = clock() - t0
    if t < best then best = t end
  end
  return best / calls * 1e6
end

local ops = {
  { "serialize(object)", function() return kserial.serialize(obj) end,
    function() return plain.serialize(obj) end },
  { "dumps(object)", function() return kserial.dumps(obj) end,
    function() return plain.dumps(obj) end },
  { "deserialize(envelope)", function() return kserial.deserialize(ktree) end,
    function() return plain.deserialize(ptree) end },
  { "loads(envelope)", function() return kserial.loads(doc) end,
    function() return plain.loads(doc) end },
  { "deserialize(5)", function() return kserial.deserialize(5) end,
    function() return plain.deserialize(5) end },
  { "loads(\"5\")", function() return kserial.loads(number_doc) end,
    function() return plain.loads(number_doc) end },
}

print(fmt("small calls: %d calls per run, best of 5, CPU time; us per call", calls))
print(fmt("  %-24s %10s %10s %8s", "operation", "kserial", "plain", "ratio"))
for _, op in ipairs(ops) do
  local k, p = best_of(op[2]), best_of(op[3])
  print(fmt("  %-24s %10.3f %10.3f %8.2f", op[1], k, p, k / p))
end

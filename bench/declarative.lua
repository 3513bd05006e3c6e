-- bench/declarative.lua - declarative classes (kserial.class(name, spec))
-- against the same classes written by hand (bench/graph.lua), on the bench
-- graph: dumps and loads of the same document. Not a test.
--
--   build/kserial-bench bench/declarative.lua [--n 10000] [--reps 7]
--   (or kserial-lua / lua5.4 with the module on LUA_CPATH; CPU time either way)
--
-- The declarative classes declare every field of graph.lua's classes with
-- its type and constraints; the documents of both differ only in the
-- registered names ("bench>Dense" / "decl>Dense"). Both paths are checked
-- (dumps(loads(doc)) == doc, byte for byte) before they are timed.
local here = (arg and arg[0] or ""):match("^(.*)/[^/]*$") or "."
package.path = here .. "/?.lua;" .. package.path

local host = rawget(_G, "bench")
local kserial = rawget(_G, "kserial") or require "kserial"
local graph = require "graph"

local n, reps = 10000, 7
do
  local i = 1
  while arg and arg[i] do
    if arg[i] == "--n" then n = math.tointeger(tonumber(arg[i + 1])); i = i + 1
    elseif arg[i] == "--reps" then reps = math.tointeger(tonumber(arg[i + 1])); i = i + 1
    else error("declarative.lua: unknown option " .. arg[i], 0) end
    i = i + 1
  end
end
local clock = host and host.cpuclock or os.clock

-- ---- the declarative classes ----------------------------------------------------

local function class(name, module, spec)
  local cls = kserial.class(name, spec)
  cls.__module = module
  return cls
end

local GlorotUniform = class("GlorotUniform", "bench.initializers", { fields = {
  seed = { "integer", optional = true }, scale = { "number", min = 0 },
  mode = { "string", choices = { "fan_in", "fan_out", "fan_avg" } },
  distribution = { "string", choices = { "uniform", "normal" } },
} })

local L1L2 = class("L1L2", "bench.regularizers", { fields = {
  l1 = { "number", min = 0 }, l2 = { "number", min = 0 },
} })

local Layer = class("Layer", "bench.layers", { fields = {
  name = "string", trainable = { "boolean", default = true },
  dtype_policy = "dict", tags = { "array", of = "string" }, meta = "dict",
  kernel_initializer = { "object", class = GlorotUniform },
  kernel_regularizer = { "object", class = L1L2, optional = true },
} })
function Layer:get_build_config() return { input_shape = self.input_shape } end
function Layer:build_from_config(c) self.input_shape = c.input_shape end

local Dense = class("Dense", "bench.layers", { extends = Layer, fields = {
  units = { "integer", min = 1 }, activation = { "string", default = "linear" },
  dropout = { "number", min = 0, max = 1, default = 0.0 },
  use_bias = { "boolean", default = true },
  kernel_constraint = { "any", optional = true },
  batch_input_shape = { "array", of = { "integer", optional = true } },
} })

local Conv2D = class("Conv2D", "bench.layers", { extends = Layer, fields = {
  filters = { "integer", min = 1 }, kernel_size = { "array", of = "integer" },
  strides = { "array", of = "integer" }, padding = { "string", choices = { "valid", "same" } },
  dilation = "number", bias_constraint = { "any", optional = true },
} })

local BatchNorm = class("BatchNormalization", "bench.layers", { extends = Layer, fields = {
  axis = "integer", momentum = { "number", min = 0, max = 1 }, epsilon = { "number", min = 0 },
  center = "boolean", gamma_constraint = { "any", optional = true }, moving = "dict",
} })

local Model = class("Model", "bench.models", { fields = {
  name = "string", trainable = "boolean", layers = { "array", of = { "object", class = Layer } },
} })

local reg = kserial.register_serializable("decl")
for _, cls in ipairs({ GlorotUniform, L1L2, Dense, Conv2D, BatchNorm, Model }) do reg(cls) end
graph.register()
graph.use(kserial.deserialize)

-- ---- the documents ------------------------------------------------------------------

local hand = graph.build(n)
local hand_doc = kserial.dumps(hand)
local decl_doc = hand_doc:gsub('"registered_name":"bench>', '"registered_name":"decl>')
local decl = kserial.loads(decl_doc)
assert(getmetatable(decl) == Model and getmetatable(decl.layers[1]) == Dense)
assert(kserial.dumps(kserial.loads(hand_doc)) == hand_doc, "hand-written: round trip differs")
assert(kserial.dumps(decl) == decl_doc, "declarative: round trip differs")

-- ---- timing ---------------------------------------------------------------------------

local function median(fn)
  local times = {}
  for i = 1, reps do
    collectgarbage("collect")
    local t0 = clock()
    fn()
    times[i] = clock() - t0
  end
  table.sort(times)
  return times[(reps + 1) // 2]
end

local rows = {
  { "dumps", function() kserial.dumps(hand) end, function() kserial.dumps(decl) end },
  { "loads", function() kserial.loads(hand_doc) end, function() kserial.loads(decl_doc) end },
}
print(string.format("declarative vs hand-written classes, %d layers (%d objects), "
                    .. "median of %d, CPU time", n, graph.object_count(n), reps))
print(string.format("%-6s %12s %12s %7s", "op", "hand ms", "decl ms", "ratio"))
for _, row in ipairs(rows) do
  local th, td = median(row[2]), median(row[3])
  print(string.format("%-6s %12.1f %12.1f %6.2fx", row[1], th * 1e3, td * 1e3, td / th))
end

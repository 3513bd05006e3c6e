-- worker.lua - the Lua half of test_threads.c.
--
-- Loaded once in every lua_State of every thread as a chunk called with
-- (kserial, tid, nthreads). It registers classes and functions, some under
-- the same keys in every state ("shared>..."), some under keys that belong
-- to this thread only ("t<tid>>...", the C side adds "c<tid>>..." and the
-- module "mod<tid>"). Every function raises (a string) on the first
-- mismatch; the C side counts one check per call.
local kserial, tid, nthreads = ...
local json = kserial.json
local W = {}

local function check(cond, fmt, ...)
  if not cond then error(string.format(fmt, ...), 0) end
end

-- Calls f(...) expecting it to raise a message containing `want` (plain).
local function refused(want, f, ...)
  local ok, err = pcall(f, ...)
  check(not ok, "expected an error containing %q, got success", want)
  check(type(err) == "string" and err:find(want, 1, true) ~= nil,
        "expected an error containing %q, got %s", want, tostring(err))
  return err
end

-- ---- classes and functions ----------------------------------------------

local Weights = kserial.class("Weights")
function Weights:get_config() return { values = self.values } end

local Layer = kserial.class("Layer")
function Layer:get_config()
  return { name = self.name, weights = self.weights, activation = self.activation }
end
function Layer.from_config(cls, c)
  return cls.new{ name = c.name, weights = kserial.deserialize(c.weights),
                  activation = kserial.deserialize(c.activation) }
end

local function relu(x) return x > 0 and x or 0 end
-- The same key in every state, a different function in each one.
local function tag() return tid end

local Mine = kserial.class("Mine")
function Mine:get_config() return { tid = self.tid, i = self.i } end

local Scoped = kserial.class("Scoped")
function Scoped:get_config() return { x = self.x } end

-- from_config raises at depth `fail_at` of a chain of nested Nodes.
local Node = kserial.class("Node")
function Node:get_config() return { depth = self.depth, child = self.child } end
function Node.from_config(cls, c)
  if c.depth == c.fail_at then error("boom " .. tid .. " at " .. c.depth, 0) end
  local child = c.child ~= kserial.null and c.child or nil
  if child then child.config.fail_at = c.fail_at; child = kserial.deserialize(child) end
  return cls.new{ depth = c.depth, child = child }
end

local Broken = kserial.class("Broken")
function Broken:get_config() error("get_config broke in " .. tid, 0) end

local function register_all()
  kserial.register_serializable("shared")(Weights)
  kserial.register_serializable("shared")(Layer)
  kserial.register_serializable("shared", "relu")(relu)
  kserial.register_serializable("shared", "tag")(tag)
  kserial.register_serializable("shared")(Node)
  kserial.register_serializable("t" .. tid, "Mine")(Mine)
  kserial.register_serializable("t" .. tid)(Broken)
end
register_all()

-- ---- models -------------------------------------------------------------

-- The same graph in every thread for a given i: its text must be the same
-- bytes in every state (the C side compares it with a reference).
function W.common(i)
  local w = Weights{ values = json.array{ 1.5, i, -0.25, 1e-7 } }
  return { layers = { Layer{ name = "a", weights = w, activation = relu },
                      Layer{ name = "b", weights = w, activation = relu } },
           meta = { i = i, text = "caf\u{e9} \u{1F600}", empty = json.object{} } }
end

-- A graph with thread-private parts.
function W.model(i)
  local w = Weights{ values = json.array{ tid, i, 0.5 } }
  return { layers = { Layer{ name = "a", weights = w, activation = relu },
                      Layer{ name = "b", weights = w, activation = tag },
                      Mine{ tid = tid, i = i } } }
end

-- Checks a model rebuilt from W.model(i) (by any path).
function W.check_model(m, i)
  check(type(m) == "table" and type(m.layers) == "table", "model is not rebuilt")
  local a, b, c = m.layers[1], m.layers[2], m.layers[3]
  check(getmetatable(a) == Layer and getmetatable(b) == Layer, "layers lost their class")
  check(rawequal(a.weights, b.weights), "shared weights are two objects")
  check(getmetatable(a.weights) == Weights, "weights lost their class")
  check(a.weights.values[1] == tid and a.weights.values[2] == i, "weights values differ")
  check(a.activation == relu and b.activation == tag, "functions not resolved to this state's")
  check(b.activation() == tid, "tag() answers %s", tostring(b.activation()))
  check(getmetatable(c) == Mine and c.tid == tid and c.i == i, "Mine differs")
  return true
end

function W.dumps(v) return kserial.dumps(v) end

-- A class for the C side to register (kserial_lua_register).
function W.new_class(name)
  local C = kserial.class(name)
  function C:get_config() return { n = self.n } end
  return C
end

-- A module table for kserial_lua_register_module.
function W.module_table()
  local X = kserial.class("X")
  function X:get_config() return { owner = self.owner } end
  return { X = X }
end

-- ---- the state every iteration must leave behind ------------------------

local function key_ok(k)
  local pkg = k:match("^([^>]+)>")
  return pkg == "shared" or pkg == "t" .. tid or pkg == "c" .. tid
end

function W.check_state()
  check(kserial.in_safe_mode() == true, "safe mode is off")
  local n = 0
  for k in pairs(kserial.get_custom_objects()) do
    check(key_ok(k), "registry holds a foreign key %q", k)
    n = n + 1
  end
  check(n >= 7, "registry lost entries: %d", n)
  for other = 0, nthreads - 1 do
    if other ~= tid then
      check(kserial.get_registered_object("t" .. other .. ">Mine") == nil,
            "sees thread %d's class", other)
    end
  end
  check(kserial.get_registered_object("Only" .. tid) == nil, "a custom-object scope stayed open")
  check(kserial.get_registered_object("shared>tag")() == tid, "shared>tag is another state's")
  return true
end

-- ---- one iteration of Lua-side work -------------------------------------

function W.iteration(i)
  -- round trip of the private graph, shared objects kept
  local text = kserial.dumps(W.model(i))
  check(text:find('"registered_name":"t' .. tid .. '>Mine"', 1, true), "Mine key missing")
  local back = kserial.loads(text)
  W.check_model(back, i)
  check(kserial.dumps(back) == text, "dumps(loads(text)) ~= text")
  local tree = kserial.serialize(W.model(i))
  W.check_model(kserial.deserialize(tree), i)

  -- registry: re-register the same keys, add and remove a transient one
  register_all()
  local view = kserial.get_custom_objects()
  local tmp = "t" .. tid .. ">Tmp" .. i
  kserial.register_serializable("t" .. tid, "Tmp" .. i)(Scoped)
  check(view[tmp] == Scoped, "transient registration missing")
  check(kserial.get_registered_name(Scoped) == tmp, "reverse name of a transient key")
  view[tmp] = nil
  check(kserial.get_registered_object(tmp) == nil, "transient key not removed")

  -- custom-object scopes
  local doc = string.format(
    '{"module":null,"class_name":"Only%d","config":{"x":%d},"registered_name":null}', tid, i)
  do
    local s <close> = kserial.custom_object_scope({ ["Only" .. tid] = Scoped })
    local v = kserial.loads(doc)
    check(getmetatable(v) == Scoped and v.x == i, "scoped class not used")
    local inner = kserial.custom_object_scope({ ["Inner" .. tid] = Mine })
    refused("order", s.close, s)
    check(s:is_open() and inner:is_open(), "a refused close changed the scopes")
    inner:close()
    inner:close()           -- twice is harmless
    check(not inner:is_open(), "inner scope still open")
  end
  refused("Could not locate class 'Only" .. tid .. "'", kserial.loads, doc)
  local v = kserial.with_custom_objects({ ["Only" .. tid] = Scoped }, kserial.loads, doc)
  check(getmetatable(v) == Scoped, "with_custom_objects did not scope")
  v = kserial.loads(doc, { custom_objects = { ["Only" .. tid] = Scoped } })
  check(getmetatable(v) == Scoped, "custom_objects option ignored")

  -- safe mode: lambdas
  -- a lambda may only have _ENV as upvalue: the thread id goes in as a constant
  local lam = load("return function(x) return math.floor(x) * 2 + " .. tid .. " end")()
  local ltext = kserial.dumps({ f = lam })
  refused("Requested the deserialization of a lambda", kserial.loads, ltext)
  do
    local _scope <close> = kserial.safe_mode_scope(false)
    check(kserial.in_safe_mode() == false, "safe_mode_scope(false) not in effect")
    local f = kserial.loads(ltext).f
    check(f(3) == 6 + tid, "lambda gives %s", tostring(f(3)))
  end
  check(kserial.in_safe_mode() == true, "safe mode not restored")
  refused("Requested the deserialization of a lambda", kserial.loads, ltext, { safe_mode = true })

  -- the plain codec
  local value = { ints = json.array{ 0, -1, math.maxinteger, math.mininteger, i },
                  floats = json.array{ 0.1, 1e300, -2.5e-300, 1 / 3, i + 0.5 },
                  s = "tab\t\"q\" \u{10FFFF}", none = kserial.null,
                  nested = json.array{ json.object{}, json.array{}, { k = { true, false } } } }
  local pretty = json.encode(value, { indent = 2 })
  local dec = json.decode(pretty)
  check(json.encode(dec, { indent = 2 }) == pretty, "json round trip changed the text")
  check(math.type(dec.ints[3]) == "integer" and dec.ints[3] == math.maxinteger, "int64 lost")
  check(dec.floats[4] == 1 / 3, "float not exact")
  check(json.encode(value) == json.encode(dec), "compact text differs")

  -- scan
  local report = kserial.scan(json.decode(
    '{"a":' .. text .. ',"l":' .. ltext .. ',"u":{"module":"evil","class_name":"Popen",' ..
    '"config":{},"registered_name":null},"m":{"class_name":"__tuple__","config":{"value":[1]}}}'))
  check(report.unsafe == true, "scan missed the lambda")
  local found, listed = {}, {}
  for _, it in ipairs(report.items) do
    local k = it.kind .. ":" .. (it.name or "?")
    found[k], listed[k] = it.found, it.path
  end
  check(found["class:t" .. tid .. ">Mine"] == true, "scan did not find Mine")
  check(found["class:Popen"] == false, "scan found Popen")
  check(listed["marker:__tuple__"] == "$.m", "scan missed the marker")
  check(listed["lambda:?"] == "$.l.f" or listed["lambda:__lambda__"] == "$.l.f",
        "scan missed the lambda's path")

  -- errors: bad JSON, failing hooks, unknown classes
  refused("kserial: ", kserial.loads, text:sub(1, #text - 1 - i % 7))
  refused("kserial: ", json.decode, '{"a": [1, 2,, 3]}')
  local depth = 1 + i % 5
  local chain
  for d = depth, 1, -1 do chain = Node{ depth = d, child = chain } end
  local ctext = kserial.dumps(chain)
  local fail_at = 1 + i % depth
  local t = json.decode(ctext)
  t.config.fail_at = fail_at
  refused("boom " .. tid .. " at " .. fail_at, kserial.deserialize, t)
  refused("get_config broke in " .. tid, kserial.dumps, { x = { Broken{} } })
  refused("Could not locate class", kserial.loads,
          '{"module":null,"class_name":"Mine","config":{},"registered_name":"t' ..
          ((tid + 1) % math.max(nthreads, 2)) .. '>Mine"}')

  -- files, now and then (save fsyncs): atomic save, load, failing save/load
  if i % 32 == 0 then
    local path = os.tmpname()
    kserial.save(W.model(i), path)
    W.check_model(kserial.load(path), i)
    os.remove(path)
    refused("kserial: save: cannot write", kserial.save, { 1 }, path .. ".d/missing/x.json")
    refused("No such file", kserial.load, path .. ".d/missing/x.json")
  end

  W.check_state()
  return true
end

return W

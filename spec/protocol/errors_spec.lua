-- Errors say what and where, and leave nothing behind: scopes, safe mode,
-- the registry and the per-call tables are as before, at every depth.
local kserial = require "kserial"
local null = kserial.null

local Node = kserial.class("ErrNode")
function Node:init(c) self.child, self.fail = c.child, c.fail end
function Node:get_config()
  if self.fail == "get_config" then error("get_config failed here", 0) end
  return { child = self.child, fail = self.fail }
end
function Node.from_config(cls, config)
  if config.fail == "from_config" then error("from_config failed here", 0) end
  if config.fail == "leak_scope" then kserial.custom_object_scope({ Leak = cls }) end
  if config.fail == "unsafe" then kserial.safe_mode_scope(false) end
  local child = config.child ~= nil and kserial.deserialize(config.child) or nil
  return cls.new{ child = child, fail = config.fail }
end

local function chain(depth, fail)
  local node = Node{ fail = fail }
  for _ = 2, depth do node = Node{ child = node } end
  return node
end

local function env_chain(depth, fail)
  local env = { module = null, class_name = "ErrNode", registered_name = "err>ErrNode",
                config = { fail = fail } }
  for level = 2, depth do
    env = { module = null, class_name = "ErrNode", registered_name = "err>ErrNode",
            config = { child = env }, shared_object_id = level }
  end
  return env
end

local registry_snapshot = require("ks_helpers").registry_snapshot

local function assert_clean(before)
  assert.is_true(kserial.in_safe_mode())
  assert.is_nil(kserial.get_registered_object("Leak"))
  assert.same(before, registry_snapshot())
  -- nothing is left on the scope stack: a new scope is the innermost one
  local probe = kserial.custom_object_scope({})
  assert.has_no_error(function() probe:close() end)
end

describe("errors", function()
  setup(function() kserial.register_serializable("err")(Node) end)

  it("serialize: get_config raising at every depth leaves nothing behind", function()
    local before = registry_snapshot()
    for depth = 1, 12 do
      local obj = chain(depth, "get_config")
      for _ = 1, 20 do
        local ok, err = pcall(kserial.dumps, { model = obj })
        assert.is_false(ok)
        assert.matches("^kserial: get_config%(%) of 'ErrNode' raised an error: get_config failed here %(at %$%.model", err)
        assert_clean(before)
      end
    end
    -- per-call tables were dropped: ids start again at 1
    local leaf = Node{}
    local env = kserial.serialize({ leaf, leaf })
    assert.equal(1, env[1].shared_object_id)
  end)

  it("deserialize: from_config raising at every depth leaves nothing behind", function()
    local before = registry_snapshot()
    for depth = 1, 12 do
      local text = kserial.json.encode(env_chain(depth, "from_config"))
      for _ = 1, 20 do
        local ok, err = pcall(kserial.loads, text)
        assert.is_false(ok)
        assert.matches("from_config failed here", err)
        assert_clean(before)
      end
    end
  end)

  it("an error deep in nested calls is one message, with the path from the document's root", function()
    local ok, err = pcall(kserial.deserialize, env_chain(3, "from_config"))
    assert.is_false(ok)
    assert.equal("kserial: from_config() of 'ErrNode' raised an error: from_config failed here "
      .. "(at $.config.child.config.child)", err)
    -- the same through loads, at every depth: the hooks in between add nothing
    for depth = 1, 12 do
      ok, err = pcall(kserial.loads, kserial.json.encode(env_chain(depth, "from_config")))
      assert.is_false(ok)
      assert.equal("kserial: from_config() of 'ErrNode' raised an error: from_config failed here "
        .. "(at $" .. string.rep(".config.child", depth - 1) .. ")", err)
    end
  end)

  it("a from_config that leaves a scope open or lifts safe mode is undone", function()
    local before = registry_snapshot()
    for _, fail in ipairs({ "leak_scope", "unsafe" }) do
      for depth = 1, 6 do
        local ok = pcall(kserial.deserialize, env_chain(depth, fail))
        assert.is_false(ok)
        assert_clean(before)
      end
    end
  end)

  it("a failed call does not leak its shared objects into the next one", function()
    local bad = env_chain(2, "from_config")
    assert.is_false(pcall(kserial.deserialize, bad))
    local good = env_chain(2, nil)
    local obj = kserial.deserialize(good)
    assert.equal(Node, getmetatable(obj.child))
  end)

  it("does not grow Lua memory over many failing calls", function()
    local text = kserial.json.encode(env_chain(8, "from_config"))
    for _ = 1, 50 do pcall(kserial.loads, text) end
    collectgarbage(); collectgarbage()
    local base = collectgarbage("count")
    for _ = 1, 2000 do pcall(kserial.loads, text) end
    collectgarbage(); collectgarbage()
    assert.is_true(collectgarbage("count") - base < 64, "grew by " .. (collectgarbage("count") - base) .. " KiB")
  end)

  it("errors from user code keep their level-1 position inside the message", function()
    local C = kserial.class("Pos")
    function C:get_config() error("where am I") end
    local ok, err = pcall(kserial.serialize, C{})
    assert.is_false(ok)
    assert.matches("raised an error: .-errors_spec%.lua:%d+: where am I %(at %$%)$", err)
  end)

  it("names NaN and the infinities the way the codec does", function()
    for v, shown in pairs({ [1 / 0] = "inf", [-1 / 0] = "-inf" }) do
      local ok, err = pcall(kserial.serialize, { a = { v } })
      assert.is_false(ok)
      assert.equal("kserial: cannot serialize the number " .. shown
        .. ": JSON has no NaN or infinity (at $.a[0])", err)
    end
    local ok, err = pcall(kserial.serialize, { 0 / 0 })
    assert.is_false(ok)
    assert.equal("kserial: cannot serialize the number NaN: JSON has no NaN or infinity (at $[0])", err)
  end)

  it("shortens very long paths in the middle", function()
    local deep = {}
    local t = deep
    for _ = 1, 100 do t.k = {}; t = t.k end
    t.bad = 0 / 0
    local ok, err = pcall(kserial.serialize, deep)
    assert.is_false(ok)
    -- the head and the tail, cut where the codec cuts its own paths
    assert.matches("%(at %$%.k[%.k]*%.%.%.[%.k]*%.bad%)$", err)
    assert.is_true(#err < 600)
    local _, jerr = pcall(kserial.json.encode, deep)
    assert.equal(jerr:match("%(at .*%)$"), err:match("%(at .*%)$"))
  end)
end)

-- A from_config / get_config that calls kserial itself (a model rebuilding
-- its layers) makes a nested call. Its errors come back through the hook as
-- one message: the hooks in between do not wrap it again, and the path runs
-- from the root of the document whenever the nested value is found in the
-- hook's config.
describe("errors in nested calls", function()
  local Seq = kserial.class("ErrSeq")
  function Seq:get_config()
    local layers = {}
    for i, l in ipairs(self.layers) do layers[i] = kserial.serialize(l) end
    return { layers = layers }
  end
  Seq.rebuild = function(config)
    local layers = {}
    for i, l in ipairs(config.layers) do layers[i] = kserial.deserialize(l) end
    return layers
  end
  function Seq.from_config(cls, config) return cls.new{ layers = Seq.rebuild(config) } end

  local Unit = kserial.class("ErrUnit")
  function Unit:get_config()
    if self.units < 0 then error("units must be positive", 0) end
    return { units = self.units, extra = self.extra }
  end
  function Unit.from_config(cls, config)
    if config.units < 0 then error("units must be positive", 0) end
    return cls.new(config)
  end

  local function unit(n) return { module = null, class_name = "ErrUnit",
                                  registered_name = "err>ErrUnit", config = { units = n } } end
  local function seq(layers) return { module = null, class_name = "ErrSeq",
                                      registered_name = "err>ErrSeq", config = { layers = layers } } end

  setup(function()
    kserial.register_serializable("err")(Seq)
    kserial.register_serializable("err")(Unit)
  end)
  after_each(function()
    Seq.rebuild = function(config)
      local layers = {}
      for i, l in ipairs(config.layers) do layers[i] = kserial.deserialize(l) end
      return layers
    end
  end)

  it("names the layer that failed, through arrays and models in models", function()
    local text = kserial.json.encode({ model = seq({ unit(1), seq({ unit(2), unit(-1) }) }) })
    local ok, err = pcall(kserial.loads, text)
    assert.is_false(ok)
    assert.equal("kserial: from_config() of 'ErrUnit' raised an error: units must be positive "
      .. "(at $.model.config.layers[1].config.layers[1])", err)
    -- an error of the walk itself (not a hook's) gets the same path
    local nope = unit(1)
    nope.registered_name = "err>Nope"
    ok, err = pcall(kserial.loads, kserial.json.encode({ model = seq({ unit(1), seq({ unit(2), nope }) }) }))
    assert.is_false(ok)
    assert.equal("kserial: Could not locate class 'err>Nope'. Make sure custom classes are "
      .. "registered with kserial.register_serializable(). (at $.model.config.layers[1].config.layers[1])", err)
  end)

  it("a value the hook made itself is named by the call that got it", function()
    Seq.rebuild = function(config)
      local layers = {}
      for i, l in ipairs(config.layers) do
        layers[i] = kserial.deserialize({ wrapped = { l } })   -- a new table
      end
      return layers
    end
    local ok, err = pcall(kserial.deserialize, { m = seq({ unit(1), unit(-5) }) })
    assert.is_false(ok)
    assert.equal("kserial: from_config() of 'ErrUnit' raised an error: units must be positive "
      .. "(at $.wrapped[0] (in a call made by from_config() of 'ErrSeq' at $.m))", err)
  end)

  it("a hook that catches the error and raises its own gets the usual wrapper", function()
    Seq.rebuild = function(config)
      local ok = pcall(kserial.deserialize, config.layers[1])
      if not ok then error("layer 1 is broken", 0) end
      return {}
    end
    local ok, err = pcall(kserial.deserialize, seq({ unit(-1) }))
    assert.is_false(ok)
    assert.equal("kserial: from_config() of 'ErrSeq' raised an error: layer 1 is broken (at $)", err)
    -- one that re-raises the same message lets it through as it is
    Seq.rebuild = function(config)
      local fine, e = pcall(kserial.deserialize, config.layers[1])
      if not fine then error(e, 0) end
      return {}
    end
    ok, err = pcall(kserial.deserialize, seq({ unit(-1) }))
    assert.is_false(ok)
    assert.equal("kserial: from_config() of 'ErrUnit' raised an error: units must be positive "
      .. "(at $.config.layers[0])", err)
    -- error values that are not strings are kept as they are
    local thrown = setmetatable({}, { __name = "MyError" })
    Seq.rebuild = function() error(thrown) end
    ok, err = pcall(kserial.deserialize, seq({ unit(1) }))
    assert.is_false(ok)
    assert.equal(thrown, err)
  end)

  it("serialize: a failing layer of a model is one message naming the model's hook", function()
    local model = Seq{ layers = { Unit{ units = 1 }, Seq{ layers = { Unit{ units = -1 } } } } }
    local ok, err = pcall(kserial.dumps, { model = model })
    assert.is_false(ok)
    assert.equal("kserial: get_config() of 'ErrUnit' raised an error: units must be positive "
      .. "(at $ (in a call made by get_config() of 'ErrSeq' at $ (in a call made by "
      .. "get_config() of 'ErrSeq' at $.model)))", err)
    model = Seq{ layers = { Unit{ units = 1, extra = { x = 0 / 0 } } } }
    ok, err = pcall(kserial.dumps, { model = model })
    assert.is_false(ok)
    assert.matches("^kserial: cannot serialize the number NaN: JSON has no NaN or infinity "
      .. "%(at %$%.config%.extra%.x %(in a call made by get_config%(%) of 'ErrSeq' at %$%.model%)%)$", err)
  end)

  it("the state is clean after each of them", function()
    local before = registry_snapshot()
    for _ = 1, 3 do
      assert.is_false(pcall(kserial.loads, kserial.json.encode(seq({ seq({ unit(-1) }) }))))
      assert_clean(before)
    end
  end)
end)

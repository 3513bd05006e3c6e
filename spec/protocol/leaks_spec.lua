-- Failing calls leave nothing behind, however often they fail: hundreds of
-- failing dumps/loads/save/load (a hook raising at every depth of a nested
-- graph, lambdas refused, JSON cut at every byte, unwritable paths), after
-- which the scopes, the safe mode and the registry are as before and Lua's
-- memory has not grown between the first and the last round. C memory is
-- checked by running this spec under valgrind (tools/valgrind.sh).
local kserial = require "kserial"
local lfs = require "lfs"
local json, null = kserial.json, kserial.null

local ROUNDS = 4          -- the first one warms up; the others must not grow
local BOUND_KIB = 4       -- allowed growth of Lua memory from round 1 to the last

-- ---- a nested graph whose hooks fail at a chosen depth --------------------

local Node = kserial.class("LeakNode")
function Node:get_config()
  if self.fail == "get_config" then error("get_config failed at " .. self.depth, 0) end
  if self.fail == "not_a_table" then return "garbage" end
  if self.fail == "c_function" then return { f = print } end
  if self.fail == "closure" then local up = self.depth; return { f = function() return up end } end
  if self.fail == "nan" then return { x = 0 / 0 } end
  return { depth = self.depth, child = self.child, shared = self.shared, fail = self.fail }
end
function Node.from_config(cls, c)
  if c.fail == "from_config" then error("from_config failed at " .. c.depth, 0) end
  if c.fail == "error_object" then error({ depth = c.depth }) end
  if c.fail == "returns_nil" then return nil end
  -- a scope left open (held by the new object, so that no collection
  -- removes it before from_config returns), or one dropped at once (then a
  -- collection may remove it first: the call may or may not fail)
  local scope
  if c.fail == "leak_scope" then scope = kserial.custom_object_scope({ Leak = cls }) end
  if c.fail == "unsafe" then scope = kserial.safe_mode_scope(false) end
  if c.fail == "drop_scope" then kserial.custom_object_scope({ Leak = cls }) end
  local child = c.child ~= nil and c.child ~= null and kserial.deserialize(c.child) or nil
  local shared = c.shared ~= nil and c.shared ~= null and kserial.deserialize(c.shared) or nil
  return cls.new{ depth = c.depth, child = child, shared = shared, scope = scope }
end

local Leaf = kserial.class("LeakLeaf")
function Leaf:get_config() return { v = self.v } end

-- depth 1 is the root; the node at depth `at` carries `fail`; every node
-- also holds one shared Leaf, so per-call shared-object tables are filled
-- when the failure happens.
local function graph(depth, at, fail)
  local leaf = Leaf{ v = depth }
  local node
  for d = depth, 1, -1 do
    node = Node{ depth = d, child = node, shared = leaf, fail = d == at and fail or nil }
  end
  return node
end

-- ---- the engine's state, before and after ---------------------------------

local registry_snapshot = require("ks_helpers").registry_snapshot

local function assert_same_registry(before)
  local now = registry_snapshot()
  for k, v in pairs(before) do assert(rawequal(now[k], v), "registry lost or changed " .. k) end
  for k in pairs(now) do assert(before[k] ~= nil, "registry gained " .. k) end
end

local function full_gc()
  collectgarbage("collect")
  collectgarbage("collect")
  return collectgarbage("count")
end

-- Runs body(round) ROUNDS times, each time inside an outer custom-object
-- scope and an outer safe-mode scope that must still be the innermost ones
-- afterwards (so the failures left no scope open on top of them); checks
-- the safe mode, the registry and the growth of Lua memory.
local Probe = kserial.class("LeakProbe")
function Probe:get_config() return {} end

local function leak_check(body)
  local before = registry_snapshot()
  local first
  for round = 1, ROUNDS do
    -- <close>: should an assertion fail, the next test starts clean
    local outer <close> = kserial.custom_object_scope({ LeakProbe = Probe })
    local outer_safe <close> = kserial.safe_mode_scope(true)
    body(round)
    assert.is_true(kserial.in_safe_mode())
    assert.has_no_error(function() outer_safe:close() end)
    assert.has_no_error(function() outer:close() end)
    assert.is_nil(kserial.get_registered_object("LeakProbe"))
    assert.is_nil(kserial.get_registered_object("Leak"))
    assert.is_true(kserial.in_safe_mode())
    assert_same_registry(before)
    local kib = full_gc()
    if round == 1 then
      first = kib
    elseif round == ROUNDS then
      assert(kib - first < BOUND_KIB, string.format(
        "Lua memory grew by %.1f KiB from round 1 to round %d", kib - first, ROUNDS))
    end
  end
end

-- pcall(f, ...) must fail with a message containing `want` (a Lua pattern)
local function fails(want, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "expected an error matching " .. tostring(want) .. " got success " .. tostring(err))
  if type(want) == "string" then
    assert(type(err) == "string" and err:find(want), "expected an error matching " .. want .. ", got: " .. tostring(err))
  end
  return err
end

local MAX_DEPTH = 10

describe("leaks", function()
  setup(function()
    kserial.register_serializable("leak")(Node)
    kserial.register_serializable("leak")(Leaf)
  end)
  teardown(function()
    local view = kserial.get_custom_objects()
    view["leak>LeakNode"], view["leak>LeakLeaf"] = nil, nil
  end)

  it("serialize/dumps: a get_config failing at every depth of every graph", function()
    local cases = {
      { "get_config", "get_config failed at" },
      { "not_a_table", "should return a table" },
      { "c_function", "unregistered C function" },
      { "closure", "with upvalue 'up'" },
      { "nan", "JSON has no NaN" },
    }
    leak_check(function()
      for depth = 1, MAX_DEPTH do
        for at = 1, depth do
          for _, case in ipairs(cases) do
            local g = graph(depth, at, case[1])
            local err = fails(case[2], kserial.dumps, { model = g })
            assert.matches("^kserial: ", err)
            fails(case[2], kserial.serialize, g)
          end
        end
      end
      -- the per-call tables were dropped: a good call numbers from 1 again
      local env = kserial.serialize(graph(2))
      assert.equal(1, env.config.shared.shared_object_id)
    end)
  end)

  it("deserialize/loads: a from_config failing at every depth of every graph", function()
    local texts = {}
    for depth = 1, MAX_DEPTH do texts[depth] = kserial.dumps(graph(depth)) end
    local cases = {
      { "from_config", "from_config failed at" },
      { "error_object", nil },
      { "returns_nil", "returned nil" },
      { "leak_scope", "left a scope open" },
      { "unsafe", "left a scope open" },
    }
    leak_check(function()
      for depth = 1, MAX_DEPTH do
        for at = 1, depth do
          for _, case in ipairs(cases) do
            -- mark the node at depth `at` in the decoded document
            local doc = json.decode(texts[depth])
            local env = doc
            for _ = 2, at do env = env.config.child end
            env.config.fail = case[1]
            local err = fails(case[2], kserial.deserialize, doc)
            if case[1] == "error_object" then assert.same({ depth = at }, err) end
            fails(case[2], kserial.loads, json.encode(doc))
          end
          local doc = json.decode(texts[depth])
          local env = doc
          for _ = 2, at do env = env.config.child end
          env.config.fail = "drop_scope"
          pcall(kserial.deserialize, doc)       -- either way: leak_check checks the state
        end
      end
      -- and a good call afterwards still works, shared objects kept
      local back = kserial.loads(texts[3])
      assert.is_true(rawequal(back.shared, back.child.shared))
    end)
  end)

  it("lambdas are refused at every depth, and unknown classes too", function()
    local lam = load("return function(x) return x + 1 end")()
    leak_check(function()
      for depth = 1, MAX_DEPTH do
        local doc = { f = lam }
        for _ = 2, depth do doc = { inner = json.array{ doc } } end
        local text = kserial.dumps(doc)
        fails("Requested the deserialization of a lambda", kserial.loads, text)
        fails("Requested the deserialization of a lambda", kserial.loads, text, { safe_mode = false })
        fails("Requested the deserialization of a lambda", kserial.deserialize, json.decode(text))
        -- a lambda inside a from_config call: refused there too
        local g = json.decode(kserial.dumps(graph(depth)))
        local env = g
        for _ = 2, depth do env = env.config.child end
        env.config.child = json.decode(kserial.dumps(lam))
        fails("Requested the deserialization of a lambda", kserial.deserialize, g)
        -- a class nobody registered, at the same depth
        env.config.child = { module = "os", class_name = "execute", config = {}, registered_name = null }
        fails("Could not locate class 'execute'", kserial.deserialize, g)
      end
    end)
  end)

  it("bad JSON: a valid document cut at every byte, and broken at every byte", function()
    local doc = kserial.dumps({
      model = graph(3), text = "caf\u{e9} \u{1F600} tab\t quote\" back\\",
      numbers = json.array{ 0, -1, 1.5, -2.5e-300, 1e300, math.maxinteger, math.mininteger },
      flags = json.array{ true, false, null }, empty = json.object{}, list = json.array{},
    }, { indent = 1 })
    assert(#doc > 300 and #doc < 4000, "document size " .. #doc)
    assert.is_table(kserial.loads(doc))
    leak_check(function()
      for cut = 0, #doc - 1 do
        local err = fails("^kserial: ", kserial.loads, doc:sub(1, cut))
        assert.matches("line %d+, column %d+ %(byte %d+%)", err)
      end
      -- an invalid byte at every position: an error or a document, never a crash
      for pos = 1, #doc, 3 do
        local bad = doc:sub(1, pos - 1) .. "\255" .. doc:sub(pos + 1)
        fails("^kserial: ", kserial.loads, bad)
      end
    end)
  end)

  it("bad JSON: limits and number errors, in decode and encode", function()
    local deep = string.rep("[", 600) .. string.rep("]", 600)
    local nested = {}
    local t = nested
    for _ = 1, 20 do t[1] = {}; t = t[1] end
    leak_check(function()
      for _ = 1, 40 do
        fails("nesting deeper than 512", json.decode, deep)
        fails("nesting deeper than 512", kserial.loads, deep)
        fails("nesting deeper than 5", json.decode, deep, { max_depth = 5 })
        fails("nesting deeper than 5", json.encode, nested, { max_depth = 5 })
        fails("nesting deeper than 5", kserial.dumps, nested, { max_depth = 5 })
        fails("number out of range", json.decode, "[1, 2, 1e400]")
        fails("^kserial: ", json.decode, '["\\ud800"]')
        fails("^kserial: ", json.decode, "[1]", { max_size = 2 })
        fails("^kserial: ", json.encode, { 1, 2, 1 / 0 })
        fails("^kserial: ", json.encode, { [1] = 1, [3] = 3 })
        fails("^kserial: ", json.encode, { "\255" })
      end
    end)
  end)

  describe("files", function()
    local dir

    local function listing()
      local names = {}
      for name in lfs.dir(dir) do
        if name ~= "." and name ~= ".." then names[#names + 1] = name end
      end
      table.sort(names)
      return table.concat(names, " ")
    end

    local function read(path)
      local f = assert(io.open(path, "rb"))
      local s = f:read("a")
      f:close()
      return s
    end

    setup(function()
      dir = os.tmpname()
      os.remove(dir)
      assert(lfs.mkdir(dir))
      assert(lfs.mkdir(dir .. "/sub"))
      local f = assert(io.open(dir .. "/old.json", "wb"))
      f:write("old")
      f:close()
    end)

    teardown(function()
      os.remove(dir .. "/old.json")
      os.remove(dir .. "/sub")
      os.remove(dir)
    end)

    it("a failing save leaves no temporary file and the old file whole", function()
      local long = dir .. "/" .. string.rep("n", 300) .. ".json"
      leak_check(function()
        for i = 1, 60 do
          local g = graph(1 + i % 4)
          fails("kserial: save: cannot write '.*': No such file", kserial.save, g, dir .. "/missing/x.json")
          fails("kserial: save: cannot write '.*': Is a directory", kserial.save, g, dir .. "/sub")
          fails("kserial: save: cannot write '.*': File name too long", kserial.save, g, long)
          fails("get_config failed at", kserial.save, graph(3, 1 + i % 3, "get_config"), dir .. "/old.json")
          assert.equal("old", read(dir .. "/old.json"))
          fails("kserial: load: cannot read '.*': No such file", kserial.load, dir .. "/missing.json")
          fails("kserial: load: cannot read '.*': Is a directory", kserial.load, dir .. "/sub")
          fails("^kserial: load: ", kserial.load, dir .. "/old.json")
        end
        assert.equal("old.json sub", listing())
      end)
    end)
  end)
end)

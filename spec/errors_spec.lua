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

  it("keeps the innermost message whole inside the outer ones", function()
    local ok, err = pcall(kserial.deserialize, env_chain(3, "from_config"))
    assert.is_false(ok)
    assert.equal("kserial: from_config() of 'ErrNode' raised an error: "
      .. "kserial: from_config() of 'ErrNode' raised an error: "
      .. "kserial: from_config() of 'ErrNode' raised an error: from_config failed here "
      .. "(at $ (in a call made by from_config() of 'ErrNode' at $)) "
      .. "(at $ (in a call made by from_config() of 'ErrNode' at $)) (at $)", err)
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

  it("shortens very long paths in the middle", function()
    local deep = {}
    local t = deep
    for _ = 1, 100 do t.k = {}; t = t.k end
    t.bad = 0 / 0
    local ok, err = pcall(kserial.serialize, deep)
    assert.is_false(ok)
    assert.matches("%(at %$%.%.%.[%.k]+%.bad%)$", err)
    assert.is_true(#err < 600)
  end)
end)

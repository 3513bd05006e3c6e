local kserial = require "kserial"
local null = kserial.null

local Node = kserial.class("Node")
function Node:init(cfg) self.name = cfg.name; self.children = cfg.children or {} end
function Node:get_config() return { name = self.name, children = self.children } end
function Node.from_config(cls, cfg)
  local children = {}
  for i, c in ipairs(cfg.children) do children[i] = kserial.deserialize(c) end
  return cls.new{ name = cfg.name, children = children }
end

describe("shared objects", function()
  setup(function() kserial.register_serializable("test")(Node) end)

  it("writes an object met twice in full, with the same id on both copies", function()
    local leaf = Node{ name = "leaf" }
    local env = kserial.serialize(Node{ name = "root", children = { leaf, leaf } })
    local a, b = env.config.children[1], env.config.children[2]
    assert.equal(1, a.shared_object_id)
    assert.equal(1, b.shared_object_id)
    assert.equal("leaf", b.config.name)
    assert.is_nil(env.shared_object_id)
  end)

  it("numbers ids in order of first appearance, so output is deterministic", function()
    local x, y = Node{ name = "x" }, Node{ name = "y" }
    -- y appears first but becomes shared last
    local root = Node{ name = "r", children = { y, x, x, y } }
    local env = kserial.serialize(root)
    assert.equal(1, env.config.children[1].shared_object_id)  -- y
    assert.equal(2, env.config.children[2].shared_object_id)  -- x
    assert.equal(kserial.dumps(root), kserial.dumps(root))
  end)

  it("keeps identity across a round trip (rawequal)", function()
    local leaf = Node{ name = "leaf" }
    local mid = Node{ name = "mid", children = { leaf } }
    local back = kserial.loads(kserial.dumps(Node{ name = "r", children = { mid, leaf, mid } }))
    assert.is_true(rawequal(back.children[1], back.children[3]))
    assert.is_true(rawequal(back.children[1].children[1], back.children[2]))
  end)

  it("spans nested serialize calls made by get_config", function()
    local Wrap = kserial.class("Wrap")
    function Wrap:init(c) self.a, self.b = c.a, c.b end
    function Wrap:get_config()
      return { a = kserial.serialize(self.a), b = kserial.serialize(self.b) }
    end
    local leaf = Node{ name = "leaf" }
    local env = kserial.serialize(Wrap{ a = leaf, b = leaf })
    assert.equal(1, env.config.a.shared_object_id)
    assert.equal(1, env.config.b.shared_object_id)
  end)

  it("reads ids as opaque integers, as big as Keras 3 writes them", function()
    local e = { module = null, class_name = "Node", registered_name = "test>Node",
                config = { name = "n", children = {} }, shared_object_id = 140234567890123 }
    local root = { module = null, class_name = "Node", registered_name = "test>Node",
                   config = { name = "r", children = { e, e } } }
    local back = kserial.deserialize(root)
    assert.is_true(rawequal(back.children[1], back.children[2]))
  end)

  it("returns the first instance for a repeated id even if the copy differs", function()
    local function leaf(name)
      return { module = null, class_name = "Node", registered_name = "test>Node",
               config = { name = name, children = {} }, shared_object_id = 7 }
    end
    local back = kserial.deserialize({ module = null, class_name = "Node",
      registered_name = "test>Node", config = { name = "r", children = { leaf("a"), leaf("b") } } })
    assert.equal("a", back.children[2].name)
  end)

  it("ids are per top-level call", function()
    local e = { module = null, class_name = "Node", registered_name = "test>Node",
                config = { name = "n", children = {} }, shared_object_id = 1 }
    assert.is_false(rawequal(kserial.deserialize(e), kserial.deserialize(e)))
  end)

  it("reports a cycle with both paths instead of overflowing the stack", function()
    local a = Node{ name = "a" }
    local b = Node{ name = "b", children = { a } }
    a.children = { b }
    local ok, err = pcall(kserial.serialize, { model = a })
    assert.is_false(ok)
    assert.equal("kserial: cycle: the object of class 'Node' at $.model contains itself "
      .. "(reached again at $.model.config.children[0].config.children[0]); "
      .. "from_config() cannot rebuild a cycle", err:match("kserial: .*"))
    -- the engine is usable afterwards
    assert.is_table(kserial.serialize(Node{ name = "ok" }))
  end)
end)

-- Issue 11, finding 6: an id is keyed by the class it resolves to, every
-- envelope carrying it is checked, and a failed build frees it.
describe("shared ids (issue 11)", function()
  local function env(registered, id, extra)
    local e = { module = null, class_name = "A", registered_name = registered,
                config = { name = registered, children = {} }, shared_object_id = id }
    for k, v in pairs(extra or {}) do e[k] = v end
    return e
  end
  local A1, A2 = kserial.class("A"), kserial.class("A")
  for _, C in ipairs({ A1, A2 }) do
    function C:get_config() return {} end
    function C.from_config(cls, c) return cls.new{ name = c.name } end
  end
  setup(function()
    kserial.register_serializable("rt")(A1)
    kserial.register_serializable("other")(A2)
  end)

  it("are matched by the resolved class, not by class_name", function()
    local ok, err = pcall(kserial.deserialize, { env("rt>A", 5), env("other>A", 5) })
    assert.is_false(ok)
    assert.equal("kserial: shared_object_id 5 belongs to a 'A' object, but this envelope "
      .. "resolves to another class ('A') (at $[1])", err)
    -- the same class under the same id is the same instance
    local v = kserial.deserialize({ env("rt>A", 5), env("rt>A", 5) })
    assert.is_true(rawequal(v[1], v[2]))
    assert.equal(A1, getmetatable(v[2]))
  end)

  it("a class whose name is a prefix of the first one's does not match", function()
    local Probe, Prob = kserial.class("Probe"), kserial.class("Prob")
    for _, C in ipairs({ Probe, Prob }) do
      function C:get_config() return {} end
      function C.from_config(cls) return cls.new{} end
    end
    local opts = { custom_objects = { Probe = Probe, Prob = Prob } }
    local ok, err = pcall(kserial.deserialize, {
      { class_name = "Probe", config = {}, shared_object_id = 1 },
      { class_name = "Prob", config = {}, shared_object_id = 1 } }, opts)
    assert.is_false(ok)
    assert.equal("kserial: shared_object_id 1 belongs to a 'Probe' object, but this envelope "
      .. "resolves to another class ('Prob') (at $[1])", err)
  end)

  it("a repeated id's config and build_config are checked like the first one's", function()
    local ok, err = pcall(kserial.deserialize, { env("rt>A", 5),
      env("rt>A", 5, { config = "not a dict" }) })
    assert.is_false(ok)
    assert.equal("kserial: the envelope's \"config\" of 'A' must be a dict, not string (at $[1])", err)
    ok, err = pcall(kserial.deserialize, { env("rt>A", 5), env("rt>A", 5, { build_config = 7 }) })
    assert.is_false(ok)
    assert.equal("kserial: the envelope's \"build_config\" must be a dict or null, not integer "
      .. "(at $[1])", err)
  end)

  it("a build that fails inside a hook's pcall frees its id", function()
    local Try = kserial.class("Try")
    function Try:get_config() return {} end
    function Try.from_config(cls, c)
      local ok = pcall(kserial.deserialize, c.first)
      return cls.new{ ok = ok, second = kserial.deserialize(c.second) }
    end
    local Flaky, calls = kserial.class("Flaky"), 0
    function Flaky.from_config(cls)
      calls = calls + 1
      if calls == 1 then error("not yet", 0) end
      return cls.new{}
    end
    local opts = { custom_objects = { Try = Try, Flaky = Flaky } }
    local v = kserial.deserialize({ class_name = "Try", config = {
      first = { class_name = "Flaky", config = {}, shared_object_id = 3 },
      second = { class_name = "Flaky", config = {}, shared_object_id = 3 } } }, opts)
    assert.is_false(v.ok)
    assert.equal(Flaky, getmetatable(v.second))
    -- the id still catches a real self-reference
    local ok, err = pcall(kserial.deserialize, { class_name = "Try", shared_object_id = 4, config = {
      first = {}, second = { class_name = "Try", config = {}, shared_object_id = 4 } } }, opts)
    assert.is_false(ok)
    assert.equal("kserial: shared_object_id 4 is used inside its own object's config (the object "
      .. "is still being built) (at $.config.second)", err)
  end)
end)

-- Issue 11, finding 7: a shared object is written in full at every place it
-- appears, so a small graph can ask for an exponential document. One call
-- produces at most max_values JSON values (50,000,000 by default).
describe("max_values", function()
  local Pair = kserial.class("Pair")
  function Pair:get_config() return { l = self.l, r = self.r } end
  function Pair.from_config(cls, c)
    return cls.new{ l = c.l and kserial.deserialize(c.l), r = c.r and kserial.deserialize(c.r) }
  end
  setup(function() kserial.register_serializable("amp")(Pair) end)

  -- node i holds node i-1 in full under l and a stub of it under r
  local function stub_graph(n)
    local doc = '{"class_name":"Pair","registered_name":"amp>Pair","config":{},"shared_object_id":0}'
    for i = 1, n do
      doc = '{"class_name":"Pair","registered_name":"amp>Pair","config":{"l":' .. doc
        .. ',"r":{"class_name":"Pair","registered_name":"amp>Pair","config":null,'
        .. '"shared_object_id":' .. (i - 1) .. '}},"shared_object_id":' .. i .. '}'
    end
    return doc
  end

  it("the N = 30 stub graph loads, and dumps fails at once naming the limit, the option and the path", function()
    local doc = stub_graph(30)
    assert.is_true(#doc < 6000)
    local v = kserial.loads(doc)
    local t = os.clock()
    local ok, err = pcall(kserial.dumps, v)
    assert.is_true(os.clock() - t < 2)
    assert.is_false(ok)
    -- the path of the repeated object; l or r comes first in pairs() order
    local msg, path = err:match("^.-(kserial: .*) %(at (%$[%.a-z]*)%)$")
    assert.equal("kserial: the output would hold more than 50000000 values (the max_values "
      .. "limit): the object of class 'Pair' is written in full at every place it appears; "
      .. "pass a larger max_values to serialize, dumps or save to allow it", msg)
    assert.matches("^%$%.config%.[lr]", path)
    assert.equal(8, select(2, path:gsub("%.config%.[lr]", "")))
    for _, f in ipairs({ kserial.serialize, function(x) return kserial.save(x, os.tmpname()) end }) do
      ok, err = pcall(f, v)
      assert.is_false(ok)
      assert.matches("the max_values limit", err)
    end
  end)

  it("objects built in Lua that reference the next one twice are bounded the same way", function()
    local p = Pair{}
    for _ = 1, 40 do p = Pair{ l = p, r = p } end
    local ok, err = pcall(kserial.serialize, p, { max_values = 1000 })
    assert.is_false(ok)
    assert.matches("^kserial: the output would hold more than 1000 values %(the max_values limit%)", err)
  end)

  it("counts exactly the values the document holds (shared ids aside)", function()
    local function count(v)
      local n = 1
      if type(v) == "table" then
        for k, x in pairs(v) do if k ~= "shared_object_id" then n = n + count(x) end end
      end
      return n
    end
    local fn = function() end
    kserial.register_serializable("amp", "fn")(fn)
    local p = Pair{ l = Pair{}, r = "\xff" }
    p = Pair{ l = p, r = { p, fn, 1.5, kserial.null } }
    local n = count(kserial.json.decode(kserial.dumps(p)))
    assert.is_string(kserial.dumps(p, { max_values = n }))
    local ok, err = pcall(kserial.dumps, p, { max_values = n - 1 })
    assert.is_false(ok)
    assert.matches("more than " .. (n - 1) .. " values", err)
  end)

  it("is an option of serialize, dumps and save, checked like the others", function()
    assert.has_error(function() kserial.serialize({}, { max_values = 0 }) end)
    assert.has_error(function() kserial.serialize({}, { max_value = 5 }) end,
      "kserial: serialize: unknown option 'max_value'")
    assert.has_error(function() kserial.dumps({}, { max_values = "many" }) end)
    assert.equal("[1,2]", kserial.dumps(kserial.json.array{ 1, 2 }, { max_values = 3 }))
    assert.has_error(function() kserial.dumps(kserial.json.array{ 1, 2 }, { max_values = 2 }) end)
  end)
end)

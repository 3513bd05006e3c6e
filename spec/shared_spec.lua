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

-- kserial.class(name [, base]): the class helper (declarative classes made
-- with a spec are in declarative_spec.lua).
local kserial = require "kserial"

describe("kserial.class", function()
  it("makes a class with __name, __index, new, a callable class and from_config", function()
    local A = kserial.class("A")
    function A:init(c) self.v = c.v end
    function A:get_config() return { v = self.v } end
    local a = A{ v = 3 }
    assert.equal(A, getmetatable(a))
    assert.equal("A", A.__name)
    assert.equal(3, A.new{ v = 3 }.v)
    assert.equal(3, A:from_config({ v = 3 }).v)
  end)

  it("inherits methods and metamethods, and from_config builds the subclass", function()
    local A = kserial.class("A")
    A.__tostring = function(self) return "A-like " .. self.v end
    function A:init(c) self.v = c.v end
    function A.hello() return "hi" end
    local B = kserial.class("B", A)
    local b = B:from_config({ v = 1 })
    assert.equal(B, getmetatable(b))
    assert.equal("hi", b:hello())
    assert.equal("A-like 1", tostring(b))
    assert.equal("B", B.__name)
  end)

  it("checks its arguments", function()
    assert.has_error(function() kserial.class() end,
      "kserial: class(): the name must be a non-empty string")
    assert.has_error(function() kserial.class("X", 5) end)
  end)

  it("leaks no globals", function()
    local before = {}
    for k in pairs(_G) do before[k] = true end
    kserial.class("G"); kserial.serialize({ 1 }); kserial.loads("[1]")
    for k in pairs(_G) do assert.is_true(before[k], "new global " .. tostring(k)) end
  end)
end)

describe("kserial.class: a colon and tostring", function()
  it("Class:new{...} builds the class, as Class.new{...} does", function()
    local A = kserial.class("ColonA")
    local a = A:new{ units = 4 }
    assert.equal(A, getmetatable(a))
    assert.equal(4, a.units)
    assert.is_nil(rawget(a, "new"))          -- not the class's own fields
    assert.is_nil(rawget(a, "__name"))
    local b = A.new{ units = 5 }
    assert.equal(5, b.units)
  end)

  it("Class:new(...) passes the arguments after the class to init", function()
    local A = kserial.class("ColonInit")
    function A:init(x, y) self.x, self.y = x, y end
    local a = A:new(1, 2)
    assert.same({ 1, 2 }, { a.x, a.y })
    local b = A.new(3, 4)
    assert.same({ 3, 4 }, { b.x, b.y })
  end)

  it("a subclass that inherits new by hand builds itself with a colon", function()
    local A = kserial.class("ColonBase")
    local Sub = setmetatable({ __name = "ColonSub" }, { __index = A })
    Sub.__index = Sub
    local s = A.new(Sub, { v = 1 })
    assert.equal(Sub, getmetatable(s))
    assert.equal(1, s.v)
  end)

  it("an instance as first argument is an argument, not a colon call", function()
    local A = kserial.class("ColonCopy")
    local a = A{ v = 1 }
    local b = A.new(a)
    assert.equal(A, getmetatable(b))
    assert.equal(1, b.v)                     -- copied from a
  end)

  it("tostring of a class shows its name", function()
    local A = kserial.class("Shown")
    assert.matches("^class Shown: 0x%x+$", tostring(A))
    local B = kserial.class("ShownSub", A)
    assert.matches("^class ShownSub: 0x%x+$", tostring(B))
    local D = kserial.class("ShownDecl", { fields = {} })
    assert.matches("^class ShownDecl: 0x%x+$", tostring(D))
    assert.not_equal(tostring(A), tostring(kserial.class("Shown")))   -- two classes
  end)

  it("instances keep Lua's own tostring with the class name", function()
    local A = kserial.class("ShownInstance")
    assert.matches("^ShownInstance: 0x%x+$", tostring(A{}))
  end)
end)

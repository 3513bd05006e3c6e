-- Every documented form of every function with optional arguments
-- (docs/reference.md), called as documented: each optional argument
-- absent, nil, and given.
local kserial = require "kserial"
local json = kserial.json
local H = require "ks_helpers"

describe("optional arguments", function()
  local saved
  setup(function() saved = H.registry_snapshot() end)
  teardown(function() H.registry_restore(saved) end)
  before_each(function() kserial.clear_custom_objects() end)

  it("register_serializable([package [, name]])", function()
    local A, B, C = H.class("A"), H.class("B"), H.class("C")
    kserial.register_serializable()(A)
    kserial.register_serializable(nil)(B)
    kserial.register_serializable("pkg")(C)
    assert.equal("Custom>A", kserial.get_registered_name(A))
    assert.equal("Custom>B", kserial.get_registered_name(B))
    assert.equal("pkg>C", kserial.get_registered_name(C))
    local D = H.class("D")
    kserial.register_serializable("pkg", "Other")(D)
    assert.equal("pkg>Other", kserial.get_registered_name(D))
    local f = function() end
    kserial.register_serializable("pkg", "fn")(f)
    assert.equal(f, kserial.get_registered_object("pkg>fn"))
  end)

  it("deserialize(config [, opts])", function()
    local C = H.class("C", { "x" })
    assert.equal(3, kserial.deserialize(3))
    assert.equal(3, kserial.deserialize(3, nil))
    assert.equal(3, kserial.deserialize(3, {}))
    local env = { class_name = "C", config = { x = 1 } }
    assert.equal(C, getmetatable(kserial.deserialize(env, { custom_objects = { C = C } })))
  end)

  it("dumps(value [, opts]) and loads(text [, opts])", function()
    assert.equal("[1,2.0]", kserial.dumps({ 1, 2.0 }))
    assert.equal("[1,2.0]", kserial.dumps({ 1, 2.0 }, nil))
    assert.equal("[1, 2.0]", kserial.dumps({ 1, 2.0 }, { separators = { ", ", ": " } }))
    assert.equal(2, kserial.loads("[1,2]")[2])
    assert.equal(2, kserial.loads("[1,2]", nil)[2])
    assert.has_error(function() kserial.loads("[[1]]", { max_depth = 1 }) end)
  end)

  it("save(value, path [, opts]) and load(path [, opts])", function()
    local path = os.tmpname()
    finally(function() os.remove(path) end)
    kserial.save({ a = 1 }, path)
    assert.equal('{"a":1}', H.read(path))
    kserial.save({ a = 1 }, path, nil)
    assert.equal(1, kserial.load(path).a)
    assert.equal(1, kserial.load(path, nil).a)
    kserial.save({ a = 1 }, path, { indent = 2 })
    assert.equal('{\n  "a": 1\n}', H.read(path))
    assert.has_error(function() kserial.load(path, { max_size = 2 }) end)
  end)

  it("json.encode(value [, opts]) and json.decode(text [, opts])", function()
    assert.equal("[1]", json.encode({ 1 }))
    assert.equal("[1]", json.encode({ 1 }, nil))
    assert.equal("[\n 1\n]", json.encode({ 1 }, { indent = 1 }))
    assert.equal(1, json.decode("[1]")[1])
    assert.equal(1, json.decode("[1]", nil)[1])
    assert.is_true(json.decode("NaN", { allow_nan = true }) ~= json.decode("NaN", { allow_nan = true }))
  end)

  it("json.array([t]) and json.object([t])", function()
    assert.equal("[]", json.encode(json.array()))
    assert.equal("{}", json.encode(json.object()))
    assert.equal("[]", json.encode(json.array(nil)))
    local t = {}
    assert.equal(t, json.object(t))
    assert.equal(json.object_mt, getmetatable(t))
  end)

  it("custom_object_scope(dict, ...) with one dict, several, and nil among them", function()
    local A1, A2, B = H.class("A"), H.class("A"), H.class("B")
    do
      local _one <close> = kserial.custom_object_scope({ A = A1 })
      assert.equal(A1, kserial.get_registered_object("A"))
    end
    do
      local _two <close> = kserial.custom_object_scope({ A = A1 }, nil, { A = A2, B = B })
      assert.equal(A2, kserial.get_registered_object("A"))
      assert.equal(B, kserial.get_registered_object("B"))
    end
    assert.is_nil(kserial.get_registered_object("A"))
  end)

  it("with_custom_objects(dict, fn, ...) passes the extra arguments and the results", function()
    local A = H.class("A")
    local a, b = kserial.with_custom_objects({ A = A }, function(x, y)
      return kserial.get_registered_object("A"), x + y
    end, 1, 2)
    assert.equal(A, a)
    assert.equal(3, b)
    assert.equal(0, select("#", kserial.with_custom_objects({}, function() end)))
  end)

  it("class(name [, base])", function()
    local Base = kserial.class("Base")
    function Base:hello() return "hello " .. self.n end
    local Sub = kserial.class("Sub", Base)
    local Alone = kserial.class("Alone", nil)
    assert.equal("hello 1", Sub{ n = 1 }:hello())
    assert.equal("Alone", Alone.__name)
  end)

  it("register_special(class_name, handler) and (class_name, nil)", function()
    kserial.register_special("__pair__", { decode = function(c) return { c.a, c.b } end })
    finally(function() kserial.register_special("__pair__", nil) end)
    local v = kserial.deserialize({ class_name = "__pair__", config = { a = 1, b = 2 } })
    assert.same({ 1, 2 }, { v[1], v[2] })
    kserial.register_special("__pair__", nil)
    v = kserial.deserialize({ class_name = "__pair__", config = { a = 1, b = 2 } })
    assert.equal("kserial.marker", getmetatable(v).__name)
  end)
end)

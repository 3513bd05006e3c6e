local kserial = require "kserial"
local json = kserial.json

local function items_of(report, kind)
  local out = {}
  for _, it in ipairs(report.items) do
    if it.kind == kind then out[#out + 1] = it end
  end
  return out
end

describe("scan", function()
  before_each(function() kserial.clear_custom_objects() end)

  it("lists lambdas as unsafe content, with their paths, without loading anything", function()
    local doc = json.decode([[{"module": "keras.layers", "class_name": "Lambda", "registered_name": null,
      "config": {"function": {"class_name": "__lambda__", "config": {"code": "AAAA"}}}}]])
    local r = kserial.scan(doc)
    assert.is_true(r.unsafe)
    local l = items_of(r, "lambda")
    assert.equal(1, #l)
    assert.equal("$.config.function", l[1].path)
  end)

  it("reports classes, functions and modules as found or not", function()
    local C = kserial.class("Dense")
    function C:get_config() return {} end
    kserial.register_serializable("pkg")(C)
    local relu = function() end
    kserial.register_module("keras.activations", { relu = relu })
    finally(function() kserial.register_module("keras.activations", {}) end)
    local doc = json.decode([[{"layers": [
      {"module": null, "class_name": "Dense", "registered_name": "pkg>Dense", "config": {}},
      {"module": "evil", "class_name": "Popen", "registered_name": null, "config": {}},
      {"module": "keras.activations", "class_name": "function", "config": "relu", "registered_name": "relu"}]}]])
    local r = kserial.scan(doc)
    assert.is_false(r.unsafe)
    local classes = items_of(r, "class")
    assert.same({ "pkg>Dense", "$.layers[0]", true },
      { classes[1].name, classes[1].path, classes[1].found })
    assert.same({ "Popen", false }, { classes[2].name, classes[2].found })
    local modules = items_of(r, "module")
    local seen = {}
    for _, m in ipairs(modules) do seen[m.name] = m.found end
    assert.same({ evil = false, ["keras.activations"] = true }, seen)
    local fns = items_of(r, "function")
    assert.same({ "relu", true, "$.layers[2]" }, { fns[1].name, fns[1].found, fns[1].path })
  end)

  it("lists special markers", function()
    local r = kserial.scan(json.decode('{"a": {"class_name": "__tuple__", "config": {"value": [1]}}}'))
    local m = items_of(r, "marker")
    assert.same({ "__tuple__", "$.a" }, { m[1].name, m[1].path })
  end)

  it("calls no from_config and no get_config", function()
    local C = kserial.class("Spy")
    local called = false
    function C:get_config() called = true; return {} end
    C.from_config = function() called = true end
    kserial.register_serializable()(C)
    kserial.scan(kserial.json.decode('{"class_name": "Spy", "registered_name": "Custom>Spy", "config": {}}'))
    assert.is_false(called)
  end)
end)

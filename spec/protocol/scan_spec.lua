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

describe("scan and loads judge envelopes by the same rules", function()
  before_each(function() kserial.clear_custom_objects() end)

  local function refused_by_loads(text)
    local ok, err = pcall(kserial.loads, text)
    assert.is_false(ok, text)
    return err
  end

  it("refuses a class_name that is not a string, as loads does", function()
    local text = '{"class_name": 3, "config": {}}'
    local r = kserial.scan(text)
    assert.is_false(r.clean)
    assert.is_true(r.invalid)
    local bad = items_of(r, "invalid")
    assert.equal(1, #bad)
    assert.equal("$", bad[1].path)
    assert.equal("the envelope's \"class_name\" must be a string, not integer", bad[1].reason)
    assert.equal("kserial: " .. bad[1].reason .. " (at $)", refused_by_loads(text))
  end)

  it("lists every key of the wrong type with loads' message", function()
    for _, doc in ipairs({
      '{"class_name": "D", "config": {}, "module": 1}',
      '{"class_name": "D", "config": {}, "registered_name": []}',
      '{"class_name": "D", "config": "x"}',
      '{"class_name": "D", "config": {}, "build_config": 42}',
      '{"class_name": "D", "config": {}, "compile_config": "adam"}',
      '{"class_name": "D", "config": {}, "shared_object_id": 1.5}',
      '{"class_name": "function", "config": {}}',
      '{"class_name": "__bytes__", "config": "abc"}',
    }) do
      local r = kserial.scan(doc)
      assert.is_true(r.invalid, doc)
      assert.is_false(r.clean, doc)
      local reason = items_of(r, "invalid")[1].reason
      assert.matches(reason, refused_by_loads(doc), 1, true)
    end
  end)

  it("never reports found for an envelope loads refuses as inconsistent", function()
    local Dense = kserial.class("Dense")
    function Dense:get_config() return {} end
    kserial.register_module("keras.layers", { Dense = Dense })
    local text = '{"module": "keras.layers", "class_name": "Dense", "registered_name": "evil>Dense", "config": {}}'
    local r = kserial.scan(text)
    local c = items_of(r, "class")
    assert.equal(1, #c)
    assert.same({ "evil>Dense", false }, { c[1].name, c[1].found })
    assert.matches("^inconsistent envelope", c[1].reason)
    assert.is_true(r.invalid)
    assert.is_false(r.clean)
    assert.matches("inconsistent envelope", refused_by_loads(text), 1, true)
    -- the same envelope with a consistent registered_name is found
    r = kserial.scan('{"module": "keras.layers", "class_name": "Dense", "registered_name": "Dense", "config": {}}')
    assert.is_true(items_of(r, "class")[1].found)
    assert.is_true(r.clean)
  end)

  it("refuses a function where a class is expected, as loads does", function()
    kserial.register_serializable("pkg", "f")(function() end)
    local text = '{"class_name": "f", "registered_name": "pkg>f", "config": {}}'
    local r = kserial.scan(text)
    assert.is_true(r.invalid)
    local bad = items_of(r, "invalid")[1]
    assert.equal("'pkg>f' names a function where a class was expected", bad.reason)
    assert.equal("kserial: " .. bad.reason .. " (at $)", refused_by_loads(text))
  end)

  it("gives the reason a class or function was not found", function()
    local r = kserial.scan('{"class_name": "function", "config": "nope"}')
    local f = items_of(r, "function")[1]
    assert.is_false(f.found)
    assert.matches("^Could not locate function 'nope'", f.reason)
    assert.is_false(r.clean)
    assert.is_false(r.invalid)
  end)

  it("judges tables built in Lua by their first key, as deserialize does", function()
    local D = kserial.class("D")
    function D:get_config() return {} end
    kserial.register_serializable("pkg")(D)
    local doc = { class_name = "D", registered_name = "pkg>D", config = {}, build_config = { 1, 2 } }
    local r = kserial.scan(doc)
    assert.is_true(r.invalid)
    assert.equal("the envelope's \"build_config\" must be a dict or null, not array",
                 items_of(r, "invalid")[1].reason)
    local ok, err = pcall(kserial.deserialize, doc)
    assert.is_false(ok)
    assert.matches("must be a dict or null, not array", err, 1, true)
    doc.build_config = { units = 2 }
    assert.is_true(kserial.scan(doc).clean)
  end)

  it("reports a registered special as such", function()
    kserial.register_special("__pair__", { decode = function(c) return c end })
    local r = kserial.scan('{"class_name": "__pair__", "config": {}}')
    assert.same({ "special", "__pair__", "$" }, { r.items[1].kind, r.items[1].name, r.items[1].path })
    kserial.register_special("__pair__", nil)
  end)
end)

describe("scan of text", function()
  it("decodes a string as a JSON document, as loads does", function()
    local r = kserial.scan(kserial.dumps({ f = function(x) return x end }))
    assert.is_true(r.unsafe)
    assert.equal("$.f", items_of(r, "lambda")[1].path)
  end)

  it("refuses text that does not parse", function()
    assert.has_error(function() kserial.scan("not json") end,
      "kserial: scan: unexpected character 'n', expected a JSON value at line 1, column 1 (byte 0)")
  end)

  it("takes the decoder's options and refuses unknown ones", function()
    assert.has_error(function() kserial.scan("[NaN]") end)
    assert.is_false(kserial.scan("[NaN]", { allow_nan = true }).unsafe)
    assert.has_error(function() kserial.scan("[1]", { nope = true }) end,
      "kserial: scan: unknown option 'nope'")
  end)
end)

describe("scan finds every form of Keras code", function()
  local function lambdas(doc)
    local r = kserial.scan(doc)
    assert.is_true(r.unsafe)
    return items_of(r, "lambda"), r
  end

  it("Keras 1 and 2 marshal lambdas as a list, a __tuple__ or a string", function()
    for _, fn in ipairs({ '["4wEAAA", null, null]',
                          '{"class_name": "__tuple__", "config": {"value": ["4wEAAA", null, null]}}',
                          '"4wEAAA"' }) do
      local l = lambdas('{"class_name": "Lambda", "config": {"function": ' .. fn ..
                        ', "function_type": "lambda"}}')
      local m = {}
      for _, it in ipairs(l) do if it.name == "function" then m[#m + 1] = it end end
      assert.equal(1, #m, fn)
      assert.equal("$.config.function", m[1].path)
      assert.matches("marshal", m[1].reason)
    end
  end)

  it("in output_shape and mask too", function()
    local l = lambdas('{"layers": [{"output_shape": "4wEA", "output_shape_type": "lambda",' ..
                      ' "mask": ["4wEA"], "mask_type": "lambda", "function": "f", "function_type": "function"}]}')
    assert.same({ "$.layers[0].output_shape", "$.layers[0].mask" }, { l[1].path, l[2].path })
    assert.equal(2, #l)
  end)

  it("not when the type is not lambda or the value is null", function()
    local r = kserial.scan('{"function": "relu", "function_type": "function",' ..
                           ' "output_shape": null, "output_shape_type": "lambda", "mask_type": "lambda"}')
    assert.is_false(r.unsafe)
    assert.equal(0, #r.items)
  end)

  it("classes that run outside code by design, each with its reason", function()
    for cls, why in pairs({ Lambda = "runs the code", TFSMLayer = "SavedModel",
                            TorchModuleWrapper = "pickled" }) do
      local r = kserial.scan('{"a": {"module": "keras.layers", "class_name": "' .. cls .. '", "config": {}}}')
      assert.is_true(r.unsafe, cls)
      local c = items_of(r, "code")
      assert.same({ cls, "$.a" }, { c[1].name, c[1].path })
      assert.matches(why, c[1].reason, 1, true)
    end
    for _, name in ipairs({ "TFOpLambda", "Lam", "LambdaX", "Lambda\\u0000", "lambda", "TFSM" }) do
      assert.is_false(kserial.scan('{"class_name": "' .. name .. '", "config": {}}').unsafe, name)
    end
  end)
end)

describe("scan is bounded", function()
  local function doubled(levels)
    local t = { leaf = 1 }
    for _ = 1, levels do t = { a = t, b = t } end
    return t
  end

  it("a table reached twice at each of 30 levels fails fast, naming the limit and the option", function()
    local t0 = os.clock()
    local ok, err = pcall(kserial.scan, doubled(30))
    assert.is_false(ok)
    assert.matches("^kserial: scan: more than 50000000 values", err)
    assert.matches("max_values option", err, 1, true)
    assert.is_true(os.clock() - t0 < 2, "took " .. (os.clock() - t0) .. " s")
  end)

  it("a repeated table that holds code is listed once, at its first place, and counted at each", function()
    local t = { class_name = "__lambda__", config = {} }
    for _ = 1, 3 do t = { a = t, b = t } end
    local r = kserial.scan(t)
    assert.is_true(r.unsafe)
    assert.equal(1, #items_of(r, "lambda"))
    assert.equal("$.a.a.a", (r.items[1].path:gsub("%.[ab]", ".a")))
    assert.is_false(pcall(kserial.scan, t, { max_values = 8 * 3 + 7 - 1 }))   -- 8 envelopes of 3 values, 7 tables
    assert.is_true(pcall(kserial.scan, t, { max_values = 8 * 3 + 7 }))
    -- listing it at each place took 35 s and 8 GB to reach the default limit at 40 levels
    for _ = 4, 40 do t = { a = t, b = t } end
    local t0 = os.clock()
    local ok, err = pcall(kserial.scan, t)
    assert.is_false(ok)
    assert.matches("more than 50000000 values", err, 1, true)
    assert.is_true(os.clock() - t0 < 2, "took " .. (os.clock() - t0) .. " s")
  end)

  it("a repeated table is walked again where it would reach past max_depth", function()
    local deep = {}
    local t = deep
    for _ = 1, 500 do t.x = {}; t = t.x end
    local ok = pcall(kserial.scan, { deep, { { { { { { { { { { { { deep } } } } } } } } } } } } })
    assert.is_false(ok)
    local _, err = pcall(kserial.scan, { deep, { { { { { { { { { { { { deep } } } } } } } } } } } } })
    assert.matches("nesting deeper than 512", err, 1, true)
  end)

  it("max_values changes the limit", function()
    assert.has_error(function() kserial.scan(doubled(10), { max_values = 100 }) end)
    assert.is_table(kserial.scan(doubled(10), { max_values = 4000 }))
    assert.has_error(function() kserial.scan({}, { max_values = 0 }) end)
  end)
end)

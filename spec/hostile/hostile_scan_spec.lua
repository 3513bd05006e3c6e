-- scan against documents that dress a code class up under another name:
-- what loads would instantiate decides, not the class_name text alone.
local kserial = require "kserial"

local function code_items(r)
  local out = {}
  for _, it in ipairs(r.items) do
    if it.kind == "code" then out[#out + 1] = it end
  end
  return out
end

describe("scan names a code class however the document reaches it", function()
  local Lambda = kserial.class("Lambda")
  function Lambda:get_config() return {} end
  function Lambda.from_config() error("scan must not call from_config") end
  local Other = kserial.class("Other")
  function Other:get_config() return {} end

  before_each(function()
    kserial.clear_custom_objects()
    kserial.register_serializable("keras.layers")(Lambda)
    kserial.register_serializable("app")(Other)
    kserial.get_custom_objects().Lambda = Lambda
    kserial.register_module("keras.layers", { Lambda = Lambda, Alias = Lambda, Other = Other })
  end)
  after_each(function()
    kserial.clear_custom_objects()
    kserial.register_module("keras.layers", {})
  end)

  for _, case in ipairs{
    { "by class_name", [[{"class_name": "Lambda", "config": {}}]] },
    { "by registered_name", [[{"class_name": "X", "registered_name": "Lambda", "config": {}}]] },
    { "by a package>name", [[{"class_name": "X", "registered_name": "keras.layers>Lambda", "config": {}}]] },
    { "by a module member of another name", [[{"module": "keras.layers", "class_name": "Alias", "config": {}}]] },
  } do
    it(case[1] .. ": unsafe, never clean", function()
      local r = kserial.scan(case[2])
      assert.is_true(r.unsafe)
      assert.is_false(r.clean)
      local c = code_items(r)
      assert.equal(1, #c)
      assert.equal("$", c[1].path)
      assert.matches("Lambda layer runs the code", c[1].reason, 1, true)
    end)
  end

  it("a registered_name naming a code class is code even when nothing resolves it", function()
    kserial.clear_custom_objects()
    local r = kserial.scan([[{"class_name": "X", "registered_name": "keras>TFSMLayer", "config": {}}]])
    assert.is_true(r.unsafe)
    assert.equal("TFSMLayer", code_items(r)[1].name)
  end)

  it("other classes stay clean, even from the same module", function()
    for _, d in ipairs{ [[{"module": "keras.layers", "class_name": "Other", "config": {}}]],
                        [[{"class_name": "X", "registered_name": "app>Other", "config": {}}]] } do
      local r = kserial.scan(d)
      assert.is_false(r.unsafe)
      assert.is_true(r.clean)
    end
  end)
end)

describe("scan judges __bytes__ envelopes as loads does", function()
  for _, case in ipairs{
    { [[{"class_name": "__bytes__", "config": {}}]], "a __bytes__ \"value\" must be a string" },
    { [[{"class_name": "__bytes__", "config": {"value": 5}}]], "a __bytes__ \"value\" must be a string" },
    { [[{"a": [{"class_name": "__bytes__", "config": {"value": "YQ==", "encoding": "hex"}}]}]],
      "unknown __bytes__ encoding (only \"base64\" is known)", "$.a[0].config" },
    { [[{"class_name": "__bytes__", "config": {"value": "Y!==", "encoding": "base64"}}]],
      "a __bytes__ \"value\" is not valid base64" },
  } do
    it("refused, never clean: " .. case[2], function()
      local ok, err = pcall(kserial.loads, case[1])
      assert.is_false(ok)
      assert.matches(case[2], err, 1, true)
      local r = kserial.scan(case[1])
      assert.is_false(r.clean)
      assert.is_true(r.invalid)
      local it = r.items[#r.items]
      assert.same({ "invalid", "__bytes__", case[3] or "$.config", case[2] },
                  { it.kind, it.name, it.path, it.reason })
    end)
  end

  it("the forms loads takes stay clean markers", function()
    for _, d in ipairs{ [[{"class_name": "__bytes__", "config": {"value": "text"}}]],
                        [[{"class_name": "__bytes__", "config": {"value": "YQ==", "encoding": "base64"}}]],
                        [[{"class_name": "__bytes__", "config": {"value": "t", "encoding": null}}]] } do
      assert.is_true(pcall(kserial.loads, d))
      local r = kserial.scan(d)
      assert.is_true(r.clean)
      assert.same({ "marker", "__bytes__" }, { r.items[1].kind, r.items[1].name })
    end
  end)
end)

describe("scan and shared ids", function()
  local A = kserial.class("IdA")
  function A:get_config() return {} end
  function A.from_config() return setmetatable({}, A) end
  local B = kserial.class("IdB")
  function B:get_config() return {} end
  function B.from_config() return setmetatable({}, B) end
  before_each(function()
    kserial.register_serializable("ids")(A)
    kserial.register_serializable("ids")(B)
  end)
  after_each(function() kserial.clear_custom_objects() end)

  local function env(cls, id, config)
    return string.format('{"class_name": "%s", "registered_name": "ids>%s", "config": %s, '
      .. '"shared_object_id": %d}', cls, cls, config or "{}", id)
  end

  it("an id used by two classes is refused, as loads refuses it", function()
    local doc = "[" .. env("IdA", 1) .. ", " .. env("IdB", 1) .. "]"
    local ok, err = pcall(kserial.loads, doc)
    assert.is_false(ok)
    local want = "shared_object_id 1 belongs to a 'IdA' object, but this envelope resolves "
      .. "to another class ('IdB')"
    assert.matches(want, err, 1, true)
    local r = kserial.scan(doc)
    assert.is_false(r.clean)
    assert.is_true(r.invalid)
    local invalid = {}
    for _, it in ipairs(r.items) do
      if it.kind == "invalid" then invalid[#invalid + 1] = it end
    end
    assert.equal(1, #invalid)
    local it = invalid[1]
    assert.same({ "invalid", "IdB", "$[1]", want }, { it.kind, it.name, it.path, it.reason })
  end)

  it("an id repeated by the same class, or two ids, stay clean", function()
    for _, doc in ipairs{ "[" .. env("IdA", 1) .. ", " .. env("IdA", 1) .. "]",
                          "[" .. env("IdA", 1) .. ", " .. env("IdB", 2) .. "]",
                          '{"a": ' .. env("IdA", 7) .. ', "b": [' .. env("IdA", 7) .. "]}" } do
      assert.is_true(pcall(kserial.loads, doc))
      assert.is_true(kserial.scan(doc).clean, doc)
    end
  end)
end)

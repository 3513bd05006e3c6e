-- Documents only the full corpus holds (their origins carry no license that
-- lets the repository redistribute them): a shared sub-model and a Python
-- lambda. Not run without the full corpus (docs/testing.md).
local kserial = require "kserial"
local K = require "keras_corpus"
local root, why = require("corpus").external_or_skip()
if not root then pending(why) return end

describe("the full Keras corpus", function()
  local _, docs, customs, restore = K.prepare(root .. "/keras")
  teardown(restore)

  it("keeps a shared sub-model's identity (04: the siamese branch)", function()
    local doc = docs["04_k3-functional-siamese-shared-nested-model.json"]
    local obj = kserial.deserialize(doc, { custom_objects = customs["04_k3-functional-siamese-shared-nested-model.json"] })
    -- the nested Functional's DTypePolicy is one object used six times
    local layers = obj.cfg.layers
    local inner = layers[3].obj.cfg.layers
    local a, b = inner[3].obj.cfg.dtype.obj, layers[4].obj.cfg.dtype.obj
    assert.equal("DTypePolicy", getmetatable(a).__name)
    assert.is_true(rawequal(a, b))
    -- and serializing it again shares it with a small id on every copy
    local env = kserial.serialize(obj)
    local d1 = env.config.layers[3].config.layers[3].config.dtype
    local d2 = env.config.layers[4].config.dtype
    assert.equal(1, d1.shared_object_id)
    assert.equal(d1.shared_object_id, d2.shared_object_id)
    assert.is_false(rawequal(d1, d2))
  end)

  it("refuses the Python lambda of 03 in safe mode, with its path", function()
    local doc = docs["03_k3-sequential-cnn-lambda.json"]
    local ok, err = pcall(kserial.deserialize, doc.config.layers[#doc.config.layers].config["function"])
    assert.is_false(ok)
    assert.matches("Requested the deserialization of a lambda object", err)
  end)
end)

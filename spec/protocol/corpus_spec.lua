-- Every Keras document of the corpus goes through the whole protocol:
-- decoded, deserialized through generic classes registered for its modules
-- and names (as a host library would register its built-ins), serialized
-- again and encoded; the result must be semantically equal to the original.
-- It runs on the full corpus when present, else on spec/data's copy.
local kserial = require "kserial"
local json = kserial.json
local H = require "ks_helpers"
local K = require "keras_corpus"
local corpus = require "corpus"

local dir = corpus.dir("keras")

describe("the Keras corpus", function()
  local files, docs, customs, restore = K.prepare(dir)
  teardown(restore)

  it("has every document", function()
    -- the full corpus holds 31; spec/data the 7 that may be redistributed
    assert.equal(corpus.external() and 31 or 7, #files)
  end)

  for _, name in ipairs(files) do
    it("codec round trip: " .. name, function()
      local text = H.read(dir .. "/" .. name)
      local first = json.decode(text)
      local again = json.decode(json.encode(first))
      local ok, where = H.same(first, again)
      assert.is_true(ok, where)
      assert.equal(json.encode(first), json.encode(again))
      -- Keras's own spacing is available too, and reads back the same
      local spaced = json.encode(first, { separators = { ", ", ": " } })
      ok, where = H.same(first, json.decode(spaced))
      assert.is_true(ok, where)
    end)

    it("protocol round trip through generic classes: " .. name, function()
      local doc = docs[name]
      local text = kserial.json.encode(K.roundtrip(doc, customs[name]))
      local ok, where = H.same(K.norm(doc), K.norm(json.decode(text)))
      assert.is_true(ok, where)
    end)
  end
end)

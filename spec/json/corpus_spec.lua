-- Every Keras document of the corpus goes through the codec without losing
-- anything: decode, encode, decode gives the same value (kinds included),
-- the bytes are stable, and every scalar is written exactly as Python wrote
-- it.
local here = debug.getinfo(1, "S").source:match("^@(.*)[/\\]") or "."
package.path = here .. "/../helpers/?.lua;" .. package.path
local H = require "json_helpers"
local json = require("kserial").json

local corpus = require "corpus"
local dir = corpus.dir("keras") .. "/"
local files = H.list(dir, "%.json$")

-- The tokens of a JSON text: strings (raw, quotes included), numbers and
-- literals, each with whether it is a key (a string followed by ':').
local function tokens(s)
  local out, i, n = {}, 1, #s
  while i <= n do
    local c = s:sub(i, i)
    if c == '"' then
      local j = i + 1
      while true do
        local q = s:find('["\\]', j)
        if s:sub(q, q) == "\\" then j = q + 2 else j = q; break end
      end
      local after = s:match("^[ \t\r\n]*(.)", j + 1)
      out[#out + 1] = {text = s:sub(i, j), key = after == ":"}
      i = j + 1
    elseif c:match("[-%dtfnIN]") then
      local tok = s:match("^[-+.%w]+", i)
      out[#out + 1] = {text = tok, key = false}
      i = i + #tok
    else
      i = i + 1
    end
  end
  return out
end

local function multiset(toks)
  local m = {}
  for _, t in ipairs(toks) do m[t.text] = (m[t.text] or 0) + 1 end
  return m
end

local function keyseq(toks)
  local k = {}
  for _, t in ipairs(toks) do if t.key then k[#k + 1] = t.text end end
  return table.concat(k, "\0")
end

-- Python's layout of the source: json.dumps defaults (", ", ": " and
-- ensure_ascii) on one line, or indent=4 for the pretty-printed presets.
local function python_opts(src)
  if src:find("\n") then return {indent = 4} end
  return {separators = {", ", ": "}, ensure_ascii = true}
end

describe("Keras corpus through kserial.json", function()
  local identical = 0

  it("holds the corpus", function()
    local want = corpus.external() and 31 or 7   -- the full corpus, or spec/data
    assert.is_true(#files >= want, "only " .. #files .. " files in " .. dir)
  end)

  for _, name in ipairs(files) do
    describe(name, function()
      local src = H.read(dir .. name)

      it("decodes, encodes and decodes again to the same value", function()
        local v1 = json.decode(src)
        local s1 = json.encode(v1)
        local v2 = json.decode(s1)
        assert.equal(nil, H.diff(v1, v2))
        assert.equal(s1, json.encode(v1))
        assert.equal(s1, json.encode(v2))
      end)

      it("round-trips through every layout and option", function()
        local v1 = json.decode(src)
        for _, o in ipairs{{indent = 2}, {indent = 0}, {separators = {", ", ": "}},
                           {ensure_ascii = true}, {sort_keys = false},
                           {indent = 4, separators = {", ", ": "}}} do
          local s = json.encode(v1, o)
          assert.equal(nil, H.diff(v1, json.decode(s)))
          if o.sort_keys ~= false then   -- next() order is not stable
            assert.equal(s, json.encode(json.decode(s), o))
          end
        end
      end)

      it("writes every scalar exactly as Python did, in the same length", function()
        local out = json.encode(json.decode(src), python_opts(src))
        assert.equal(#src, #out)
        assert.same(multiset(tokens(src)), multiset(tokens(out)))
        -- where the source already has our key order, the bytes are equal
        if keyseq(tokens(src)) == keyseq(tokens(out)) then
          assert.equal(src, out)
          identical = identical + 1
        end
      end)
    end)
  end

  -- only the full corpus holds a document in our key order (10, whose
  -- origin has no license): spec/data alone cannot show it
  if corpus.external() then
    it("reproduced at least one document byte for byte", function()
      assert.is_true(identical >= 1)
    end)
  else
    pending("reproduced at least one document byte for byte: " .. corpus.reason)
  end
end)

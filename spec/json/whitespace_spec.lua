-- kserial.json.decode skipping whitespace (src/json/decode.c, skip_ws):
-- no whitespace and a single space are tested inline, longer runs of
-- spaces eight at a time. Every run, at every place a document allows
-- one, must be skipped whole and nothing more: a run that ends in a byte
-- JSON does not count as whitespace is an error at that byte.
local H = require "json_helpers"
local json = require("kserial").json
local dec = json.decode

-- A document with a place for whitespace between all its tokens: the
-- compact text is parts joined, and ws(i) goes after part i (0: before
-- the first).
local PARTS = { "{", '"a"', ":", "[", "1", ",", '"x"', ",", "{", "}", ",", "[", "]", ",",
                "true", "]", ",", '"b"', ":", "null", "}" }
local function with_ws(at, run)
  local out = { at == 0 and run or "" }
  for i, p in ipairs(PARTS) do
    out[#out + 1] = p
    if i == at then out[#out + 1] = run end
  end
  return table.concat(out)
end

-- runs of each length from 0 to 20: spaces, and the four whitespace bytes
-- in turn (so that eight spaces in a row are rare)
local function runs()
  local list = {}
  for n = 0, 20 do
    list[#list + 1] = (" "):rep(n)
    local b = {}
    for i = 1, n do b[i] = (" \t\r\n"):sub(i % 4 + 1, i % 4 + 1) end
    list[#list + 1] = table.concat(b)
    list[#list + 1] = "\n" .. (" "):rep(n)     -- an indented line
  end
  return list
end

describe("kserial.json.decode skips whitespace", function()
  local want = dec(table.concat(PARTS))

  it("of every length, at every place of a document", function()
    for _, run in ipairs(runs()) do
      for at = 0, #PARTS do
        local text = with_ws(at, run)
        local d = H.diff(want, dec(text))
        assert(d == nil, ("%q: %s"):format(text, tostring(d)))
        -- the same in a document long enough for the string cache
        local long = "[" .. text .. "," .. ("1,"):rep(600) .. "1]"
        d = H.diff(want, dec(long)[1])
        assert(d == nil, ("%q: %s"):format(text, tostring(d)))
      end
    end
  end)

  it("and stops at the first byte that is not whitespace, with an error there", function()
    -- form feed, vertical tab, NUL, a no-break space and a letter after
    -- runs of each length: each is an error at its own byte
    for _, run in ipairs(runs()) do
      for _, bad in ipairs{ "\f", "\v", "\0", "\xC2\xA0", "x" } do
        for _, at in ipairs{ 0, 1, 3, 5, #PARTS } do
          local text = with_ws(at, run .. bad)
          local e = H.err(dec, text)
          local byte = tonumber(e:match("%(byte (%d+)%)$"))
          local pos = #table.concat(PARTS, "", 1, at) + #run
          assert(byte == pos, ("%q: %s"):format(text, e))
          assert(e:find("unexpected character", 1, true), e)
        end
      end
    end
  end)

  it("eight at a time only when all eight are spaces", function()
    -- a bad byte at each place of a run of spaces, spaces on both sides
    for k = 0, 17 do
      for m = 0, 17 do
        for _, bad in ipairs{ "\f", "\0", "x", "\t" } do
          local run = (" "):rep(k) .. bad .. (" "):rep(m)
          for _, at in ipairs{ 0, 3, 5, #PARTS } do
            local text = with_ws(at, run)
            if bad == "\t" then
              local d = H.diff(want, dec(text))
              assert(d == nil, ("%q: %s"):format(text, tostring(d)))
            else
              local e = H.err(dec, text)
              local pos = #table.concat(PARTS, "", 1, at) + k
              assert(tonumber(e:match("%(byte (%d+)%)$")) == pos, ("%q: %s"):format(text, e))
            end
          end
        end
      end
    end
  end)

  it("up to the end of the input, and no further", function()
    for _, run in ipairs(runs()) do
      assert.equal(1, dec("1" .. run))
      assert.equal(1, dec(run .. "1"))
      local e = H.err(dec, "[1," .. run)
      assert.truthy(e:find("unexpected end of input, expected a JSON value at", 1, true), e)
      assert.equal(3 + #run, tonumber(e:match("%(byte (%d+)%)$")))
      e = H.err(dec, run)
      assert.truthy(e:find("unexpected end of input, expected a JSON value", 1, true), e)
    end
  end)
end)

-- kserial.json.decode scanning strings (src/json/decode.c): plain bytes are
-- skipped eight at a time, and the byte that ends the run (a quote, a
-- backslash, a control character, a non-ASCII byte) must be found at every
-- place in and around those eight-byte words, in keys and in values alike.
local H = require "json_helpers"
local json = require("kserial").json
local dec = json.decode

describe("kserial.json.decode scans strings", function()
  -- before .. X .. after, for every length of before and after up to 19
  local function each_place(f)
    for nb = 0, 19 do
      for na = 0, 19 do
        f(("abcdefghijklmnopqrs"):sub(1, nb), ("ABCDEFGHIJKLMNOPQRS"):sub(1, na))
      end
    end
  end

  it("finds the end, escapes and UTF-8 at every place of a word", function()
    each_place(function(before, after)
      for _, c in ipairs{{"", ""}, {"\\\"", '"'}, {"\\\\", "\\"}, {"\\n", "\n"},
                         {"\\u00e9", "\u{e9}"}, {"\u{e9}", "\u{e9}"},
                         {"\u{20ac}", "\u{20ac}"}, {"\u{1f600}", "\u{1f600}"},
                         {"\u{a2}", "\u{a2}"}, {"\u{e3}", "\u{e3}"},  -- bytes A2, A3
                         {"\u{80}", "\u{80}"}, {" ", " "}, {"\127", "\127"},
                         -- a stop byte, then bytes that only a borrow from it
                         -- would flag: the first one found must be the stop
                         {"\\\\]]", "\\]]"}, {'\\"##', '"##'}, {"\u{e9}!!", "\u{e9}!!"}} do
        local s = before .. c[2] .. after
        local text = before .. c[1] .. after
        assert.equal(s, dec('"' .. text .. '"'))
        assert.equal(1, dec('{"' .. text .. '":1}')[s])
      end
    end)
  end)

  it("refuses a control character or a bad byte at every place, at its column", function()
    each_place(function(before, after)
      local col = #before + 2   -- after the opening quote, counted from 1
      assert.equal(("kserial: json.decode: unescaped control character \\x1f in a string " ..
                    "at line 1, column %d (byte %d)"):format(col, col - 1),
                   H.err(dec, '"' .. before .. "\31" .. after .. '"'))
      assert.equal(("kserial: json.decode: invalid UTF-8 byte \\xff in a string " ..
                    "at line 1, column %d (byte %d)"):format(col + 1, col),
                   H.err(dec, '{"' .. before .. "\255" .. after .. '":1}'))
      assert.equal(("kserial: json.decode: unescaped control character \\x1f in a string " ..
                    "at line 1, column %d (byte %d)"):format(col, col - 1),
                   H.err(dec, '"' .. before .. "\31  !" .. after .. '"'))
      assert.equal(("kserial: json.decode: unexpected end of input in a string " ..
                    "at line 1, column %d (byte %d)"):format(col + #after, col + #after - 1),
                   H.err(dec, '"' .. before .. after))
    end)
  end)
end)

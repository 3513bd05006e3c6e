-- kserial.json (the exact JSON codec, SPEC section 8, errors of 9-10):
-- json.decode: values and markers, exact numbers, escapes, duplicate keys, and
-- every refusal with its line, column and byte.
local H = require "json_helpers"
local kserial = require "kserial"
local json = kserial.json
local dec = json.decode

local function bits(x) return string.pack("<d", x) end

describe("kserial.json", function()
  describe("decodes", function()
    it("arrays and objects with marker metatables", function()
      local v = dec('{"a":[1,2],"b":{}}')
      assert.equal(json.object_mt, getmetatable(v))
      assert.equal(json.array_mt, getmetatable(v.a))
      assert.equal(json.object_mt, getmetatable(v.b))
      assert.same({1, 2}, {v.a[1], v.a[2]})
    end)

    it("scalars", function()
      assert.equal(true, dec("true"))
      assert.equal(false, dec("false"))
      assert.equal(kserial.null, dec("null"))
      assert.equal("x", dec('"x"'))
      assert.equal(1, dec(" \t\r\n 1 \n"))
    end)

    it("integers and floats exactly", function()
      local cases = {
        {"0", 0, "integer"}, {"-0", 0, "integer"}, {"42", 42, "integer"},
        {"9223372036854775807", math.maxinteger, "integer"},
        {"-9223372036854775808", math.mininteger, "integer"},
        {"9223372036854775808", 2^63, "float"}, {"-9223372036854775809", -2^63, "float"},
        {"1.0", 1.0, "float"}, {"1E2", 100.0, "float"}, {"1e+2", 100.0, "float"},
        {"2.5e-3", 0.0025, "float"}, {"1e-400", 0.0, "float"},
        {"0.1000000000000000055511151231257827", 0.1, "float"},
        {"123456789012345678901234567890", 1.2345678901234568e+29, "float"},
        {"4.9406564584124654e-324", 5e-324, "float"},
        {"1.7976931348623157e308", 1.7976931348623157e308, "float"},
      }
      for _, c in ipairs(cases) do
        local v = dec(c[1])
        assert.equal(c[3], math.type(v), c[1])
        assert.equal(c[2], v, c[1])
      end
      assert.equal(bits(-0.0), bits(dec("-0.0")))
      assert.equal(bits(0.0), bits(dec("0.0")))
    end)

    it("refuses numbers out of range unless allow_nan", function()
      assert.equal("kserial: json.decode: number out of range (it would be infinite; " ..
                   "allow_nan accepts it) at line 1, column 2 (byte 1)", H.err(dec, "[1e400]"))
      H.raises("number out of range", dec, "-1e400")
      assert.equal(math.huge, dec("1e400", {allow_nan = true}))
      assert.equal(-math.huge, dec("-1e400", {allow_nan = true}))
    end)

    it("NaN and Infinity only with allow_nan", function()
      local v = dec("[NaN,Infinity,-Infinity]", {allow_nan = true})
      assert.is_true(v[1] ~= v[1])
      assert.equal(math.huge, v[2])
      assert.equal(-math.huge, v[3])
      H.raises("unexpected character 'N', expected a JSON value (NaN and Infinity need allow_nan)",
               dec, "NaN")
      H.raises("unexpected character 'I'", dec, "[Infinity]")
      H.raises("unexpected character 'I', expected a digit after '-' (-Infinity needs allow_nan)",
               dec, "-Infinity")
      H.raises("unexpected character 'n'", dec, "nan", {allow_nan = true})
    end)

    it("strings with every escape", function()
      assert.equal('"\\/\b\f\n\r\t', dec([["\"\\\/\b\f\n\r\t"]]))
      assert.equal("é€😀\0", dec([["\u00e9\u20AC\ud83d\ude00\u0000"]]))
      assert.equal("a\u{10FFFF}b", dec([["a\udbff\udfffb"]]))
      assert.equal("é€😀", dec('"é€😀"'))
    end)

    it("duplicate keys: the last one wins", function()
      assert.equal(2, dec('{"a":1,"a":2}').a)
    end)

    it("refuses lone surrogates, bad escapes and raw control characters", function()
      assert.equal("kserial: json.decode: lone high surrogate \\ud800 in a string (it must be " ..
                   "followed by a \\uDC00-\\uDFFF escape) at line 1, column 2 (byte 1)",
                   H.err(dec, [["\ud800"]]))
      H.raises("lone high surrogate \\ud800", dec, [["\ud800\u0041"]])
      H.raises("lone high surrogate \\uD800", dec, [["\uD800\uD800"]])
      H.raises("lone low surrogate \\udc00 in a string at line 1, column 3", dec, [["x\udc00"]])
      H.raises("invalid escape \\'x' in a string at line 1, column 3", dec, [["\x41"]])
      H.raises("invalid \\u escape (expected 4 hex digits)", dec, [["\u12G4"]])
      H.raises("unescaped control character \\x0a in a string at line 1, column 3 (byte 2)",
               dec, '"a\nb"')
      H.raises("unescaped control character \\x00", dec, '"a\0b"')
    end)

    it("refuses invalid UTF-8 in strings with the position", function()
      H.raises("invalid UTF-8 byte \\xff in a string at line 1, column 3 (byte 2)", dec, '"a\255"')
      H.raises("invalid UTF-8 byte \\xc0", dec, '"\192\175"')          -- overlong
      H.raises("invalid UTF-8 byte \\xed", dec, '"\237\160\128"')      -- surrogate
      H.raises("invalid UTF-8 byte \\xf4", dec, '"\244\144\128\128"')  -- > U+10FFFF
      H.raises("invalid UTF-8 byte \\xe2", dec, '"\226\130"')          -- truncated
    end)

    it("refuses a UTF-8 byte order mark, saying so", function()
      H.raises("byte order mark (BOM)", dec, "\239\187\191{}")
    end)

    it("refuses malformed documents with what was expected", function()
      local cases = {
        {"01", "bad number: leading zeros are not allowed at line 1, column 1 (byte 0)"},
        {"-01", "leading zeros are not allowed"},
        {"2.", "unexpected end of input in a number (expected a digit after '.')"},
        {"[2.]", "bad number: expected a digit after '.' at line 1, column 4"},
        {".5", "unexpected character '.', expected a JSON value"},
        {"+1", "unexpected character '+', expected a JSON value"},
        {"-", "unexpected end of input in a number (expected a digit after '-')"},
        {"[1e]", "bad number: expected a digit in the exponent"},
        {"[1,]", "unexpected character ']', expected a JSON value at line 1, column 4 (byte 3)"},
        {'{"a":1,}', "unexpected character '}', expected a string key at line 1, column 8"},
        {"{1:2}", "unexpected character '1', expected a string key or '}'"},
        {'{"a" 1}', "unexpected character '1', expected ':'"},
        {"[1 2]", "unexpected character '2', expected ',' or ']'"},
        {'{"a":1 "b":2}', "unexpected character '\"', expected ',' or '}'"},
        {"tru", "unexpected character 't', expected a JSON value"},
        {"'x'", "unexpected character ''', expected a JSON value"},
        {"[\1]", "unexpected character \\x01, expected a JSON value"},
        {"", "unexpected end of input, expected a JSON value at line 1, column 1 (byte 0)"},
        {"  ", "unexpected end of input, expected a JSON value at line 1, column 3 (byte 2)"},
        {"[1] x", "unexpected character 'x', expected the end of the document after the JSON value"},
        {"\f1", "unexpected character \\x0c"},
        {"\194\160" .. "1", "unexpected character \\xc2"},
        {'"abc', "unexpected end of input in a string at line 1, column 5 (byte 4)"},
        {'"abc\\', "unexpected end of input in a string"},
      }
      for _, c in ipairs(cases) do
        local e = H.err(dec, c[1])
        assert.truthy(e:find(c[2], 1, true), ("%q gave %q"):format(c[1], e))
        assert.truthy(e:find("^kserial: json.decode: "), e)
      end
    end)

    it("gives line, column and byte in a multi-line document", function()
      assert.equal("kserial: json.decode: unexpected character '2', expected ':' " ..
                   "at line 3, column 7 (byte 18)", H.err(dec, '{\n  "a": 1,\n  "b" 2\n}'))
      assert.equal("kserial: json.decode: unexpected end of input, expected ',' or ']' " ..
                   "at line 2, column 6 (byte 15)", H.err(dec, '{"a": [1,\n 2, 3'))
    end)

    it("adds the caller's position like error() does", function()
      local ok, e = pcall(function() return dec("[") end)
      assert.is_false(ok)
      assert.truthy(e:find("decode_spec.lua:%d+: kserial: json.decode: unexpected end of input"), e)
    end)
  end)
end)

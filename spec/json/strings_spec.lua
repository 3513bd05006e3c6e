-- kserial.json (the exact JSON codec, SPEC section 8, errors of 9-10):
-- strings: Python's escapes, ensure_ascii, invalid UTF-8 refused with its
-- offset and path.
local H = require "json_helpers"
local kserial = require "kserial"
local json = kserial.json
local enc = json.encode

describe("kserial.json", function()
  describe("encodes strings", function()
    it("with Python's escapes, byte for byte", function()
      assert.equal([["\"\\\n\r\t\b\f\u0001\u001f/]] .. "\127" .. [["]],
                   enc("\"\\\n\r\t\b\f\1\31/\127"))
      assert.equal([["a\u0000b"]], enc("a\0b"))
      assert.equal('"caf\195\169 \226\130\172 \240\159\152\128"', enc("café € 😀"))
    end)

    it("with ensure_ascii: \\uXXXX in lowercase, surrogate pairs above U+FFFF", function()
      assert.equal([["\u00e9\u20ac\ud83d\ude00"]], enc("é€😀", {ensure_ascii = true}))
      assert.equal([["\u007f\u0001a"]], enc("\127\1a", {ensure_ascii = true}))
      assert.equal([["\udbff\udfff"]], enc("\u{10FFFF}", {ensure_ascii = true}))
    end)

    it("refuses invalid UTF-8, naming the byte offset and the path", function()
      assert.equal("kserial: json.encode: string is not valid UTF-8 (byte 0xff at offset 2) (at $)",
                   H.err(enc, "ab\255"))
      H.raises("(byte 0xc0 at offset 0) (at $.a[2])", enc, {a = {"x", "y", "\192\175"}})
      H.raises("byte 0xed at offset 0", enc, "\237\160\128")      -- surrogate D800
      H.raises("byte 0xf4 at offset 1", enc, "x\244\144\128\128") -- > U+10FFFF
      H.raises("byte 0xe2 at offset 0", enc, "\226\130")          -- truncated
      H.raises("byte 0x80 at offset 0", enc, "\128")              -- lone continuation
      H.raises("byte 0xf8 at offset 0", enc, "\248\136\128\128\128")
    end)

    it("refuses invalid UTF-8 in keys, with the dict's path", function()
      H.raises("key is not valid UTF-8 (byte 0xff at offset 1) (at $.d)", enc, {d = {["k\255"] = 1}})
    end)
  end)
end)

-- What a hostile caller passes to the writers: dumps and save never write
-- text that loads refuses, whatever layout options they are given.
local kserial = require "kserial"
local H = require "json_helpers"

local V = { a = { 1, 2 }, b = "x" }

describe("dumps and save write only JSON", function()
  it("refuse separators that are not ',' and ':' between JSON whitespace", function()
    for _, seps in ipairs{ { "x", ":" }, { ",", "=" }, { ";", " = " }, { "", ":" },
                           { ",", "" }, { ",,", ":" }, { ",", "::" }, { ",\0", ":" },
                           { ",", "\v:" }, { "\u{a0},", ":" }, { ",", ": :" } } do
      H.raises("kserial: dumps: option 'separators' must be {item, key}: ',' and ':', "
        .. "each with only JSON whitespace (space, tab, newline, carriage return) around it",
        kserial.dumps, V, { separators = seps })
    end
  end)

  it("refuse an indent string that is not JSON whitespace", function()
    for _, ind in ipairs{ "\0", "x", "\1", "\f", "\u{3000}", " .", "\v" } do
      H.raises("kserial: dumps: option 'indent' must be a number or a string of JSON "
        .. "whitespace (space, tab, newline, carriage return)",
        kserial.dumps, V, { indent = ind })
    end
  end)

  it("take every layout JSON allows, and loads reads it back", function()
    for _, o in ipairs{ { separators = { ", ", ": " } }, { separators = { " \t,\r\n", "\n:\t " } },
                        { indent = "\t" }, { indent = " \r\n" }, { indent = "" }, { indent = 3 },
                        { indent = 2, separators = { "\n,", " :" } } } do
      assert.same(V, kserial.loads(kserial.dumps(V, o)))
    end
  end)

  it("save refuses them before touching the file", function()
    local path = os.tmpname()
    local f = assert(io.open(path, "w")); f:write("old"); f:close()
    H.raises("kserial: save: option 'separators' must be", kserial.save, V, path,
             { separators = { "x", ":" } })
    H.raises("kserial: save: option 'indent' must be", kserial.save, V, path, { indent = "#" })
    f = assert(io.open(path)); assert.equal("old", f:read("a")); f:close()
    os.remove(path)
  end)

  it("json.encode keeps Python's freedom: it writes what it is told", function()
    assert.equal('{"a" = [1;2];"b" = "x"}', kserial.json.encode(V, { separators = { ";", " = " } }))
  end)
end)

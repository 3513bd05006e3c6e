-- One spelling for every message: a location reads the same through the
-- codec and the walks, option errors have one wording in every function
-- that takes options, and a message names the function the user called.
local kserial = require "kserial"
local json = kserial.json

-- The message of f(...), without the position luaL_where puts in front.
local function err_of(f, ...)
  local ok, err = pcall(f, ...)
  assert.is_false(ok, "expected an error")
  assert.is_string(err)
  return (err:gsub("^[^\n]-:%d+: kserial: ", "kserial: "))
end

local function path_of(f, ...)
  return err_of(f, ...):match("%(at (%$.*)%)$")
end

local function temp_path()
  local p = os.tmpname()
  os.remove(p)
  return p .. ".json"
end

describe("messages", function()
  describe("one path renderer", function()
    it("a key with control bytes and quotes reads the same in json.encode, serialize, dumps and save", function()
      local v = { ["a\1b\"c"] = { 1, 0 / 0 } }
      local want = '$["a\\u0001b\\"c"][1]'
      local file = temp_path()
      assert.equal(want, path_of(json.encode, v))
      assert.equal(want, path_of(kserial.serialize, v))
      assert.equal(want, path_of(kserial.dumps, v))
      assert.equal(want, path_of(kserial.save, v, file))
      assert.is_nil(io.open(file))
    end)

    it("bytes that are not UTF-8 show as \\xNN (the walk reaches them; the encoder refuses the key)", function()
      assert.equal('$.a["\\u0001\\xff"][1]',
        path_of(kserial.serialize, { a = { ["\1\xff"] = { 1, 0 / 0 } } }))
    end)

    it("a long key is cut as a whole path is, the same in both", function()
      local v = { [string.rep("é", 150)] = { x = 0 / 0 } }
      local p = path_of(kserial.serialize, v)
      assert.equal(path_of(json.encode, v), p)
      assert.truthy(utf8.len(p))
      assert.matches("%.%.%.", p)
    end)

    it("names in messages use the same escaping", function()
      local err = err_of(kserial.deserialize, { class_name = 'No"pe\1', config = {} })
      assert.matches([[class 'No\"pe\u0001']], err, 1, true)
    end)
  end)

  describe("one options reader", function()
    local takers = {
      { "deserialize", kserial.deserialize, {} },
      { "loads", kserial.loads, "{}" },
      { "load", kserial.load, (function()
        local file = temp_path()
        local fh = assert(io.open(file, "w"))
        fh:write("{}")
        fh:close()
        return file
      end)() },
      { "dumps", kserial.dumps, {} },
      { "save", kserial.save, {}, temp_path() },
      { "serialize", kserial.serialize, {} },
      { "scan", kserial.scan, {} },
      { "json.encode", json.encode, {} },
      { "json.decode", json.decode, "{}" },
    }
    for _, t in ipairs(takers) do
      local name, f = t[1], t[2]
      local args = { table.unpack(t, 3) }
      it(name .. ": one wording for a non-table, an unknown option and a wrong type", function()
        local n = #args
        args[n + 1] = 5
        assert.equal("kserial: " .. name .. ": options must be a table (got number)",
          err_of(f, table.unpack(args, 1, n + 1)))
        args[n + 1] = { nope = 1 }
        assert.equal("kserial: " .. name .. ": unknown option 'nope'",
          err_of(f, table.unpack(args, 1, n + 1)))
        local key = setmetatable({}, { __tostring = function() error("ran the program's __tostring") end })
        args[n + 1] = { [key] = 1 }
        assert.equal("kserial: " .. name .. ": unknown option 'a table'",
          err_of(f, table.unpack(args, 1, n + 1)))
        args[n + 1] = { [2.5] = 1 }
        assert.matches("^kserial: " .. name:gsub("%.", "%%.") .. ": unknown option '2%.5'$",
          err_of(f, table.unpack(args, 1, n + 1)))
      end)
    end

    it("the protocol's options read like the codec's", function()
      assert.equal("kserial: deserialize: option 'safe_mode' must be a boolean (got string)",
        err_of(kserial.deserialize, {}, { safe_mode = "no" }))
      assert.equal("kserial: loads: option 'module_objects' must be a table (got number)",
        err_of(kserial.loads, "{}", { module_objects = 1 }))
      assert.equal("kserial: loads: option 'allow_nan' must be a boolean (got number)",
        err_of(kserial.loads, "{}", { allow_nan = 1 }))
    end)
  end)

  describe("the function the user called", function()
    it("loads, load and scan name themselves in the decoder's errors", function()
      assert.equal("kserial: loads: unexpected end of input, expected a JSON value at line 1, column 4 (byte 3)",
        err_of(kserial.loads, "[1,"))
      assert.equal("kserial: loads: document of 3 bytes is larger than max_size 2",
        err_of(kserial.loads, "[1]", { max_size = 2 }))
      assert.matches("^kserial: scan: unexpected end of input", err_of(kserial.scan, "[1,"))
      local file = temp_path()
      local fh = assert(io.open(file, "w"))
      fh:write("[1,")
      fh:close()
      assert.matches("^kserial: load: unexpected end of input", err_of(kserial.load, file))
      os.remove(file)
      assert.matches("^kserial: json%.decode: unexpected end of input", err_of(json.decode, "[1,"))
    end)

    it("dumps and save name themselves in the encoder's errors", function()
      -- the walk accepts what the encoder's max_depth refuses
      local v = { x = { y = { 1 } } }
      assert.equal("kserial: json.encode: nesting deeper than 2 (at $.x.y)",
        err_of(json.encode, v, { max_depth = 2 }))
      assert.equal("kserial: dumps: nesting deeper than 2 (at $.x.y)",
        err_of(kserial.dumps, v, { max_depth = 2 }))
      local file = temp_path()
      assert.equal("kserial: save: nesting deeper than 2 (at $.x.y)",
        err_of(kserial.save, v, file, { max_depth = 2 }))
      assert.is_nil(io.open(file))
    end)

    it("kserial.json's argument errors carry the prefix", function()
      assert.equal("kserial: bad argument #1 to 'decode' (string expected, got number)",
        err_of(function() return json.decode(1) end))
      assert.equal("kserial: bad argument #1 to 'encode' (value expected)",
        err_of(function() return json.encode() end))
      assert.equal("kserial: bad argument #1 to 'array' (table expected, got number)",
        err_of(function() return json.array(1) end))
      assert.equal("kserial: bad argument #1 to 'keys' (table expected, got boolean)",
        err_of(function() return json.keys(true) end))
    end)
  end)
end)

-- JSONTestSuite (nst/JSONTestSuite, test_parsing): y_ files must be
-- accepted, n_ files rejected with a clean error, i_ files either way but
-- never a crash. One test per file.
local here = debug.getinfo(1, "S").source:match("^@(.*)[/\\]") or "."
package.path = here .. "/../helpers/?.lua;" .. package.path
local H = require "json_helpers"
local json = require("kserial").json

local dir = require("corpus").dir("jsontestsuite") .. "/test_parsing/"
local files = H.list(dir, "%.json$")

-- A decode error: our prefix and a position.
local function is_clean_error(e)
  return type(e) == "string"
     and e:find("^kserial: json%.decode: ") ~= nil
     and e:find(" at line %d+, column %d+ %(byte %d+%)$") ~= nil
end

describe("JSONTestSuite test_parsing", function()
  it("holds the whole suite", function()
    assert.is_true(#files >= 300, "only " .. #files .. " files in " .. dir)
  end)

  for _, name in ipairs(files) do
    local verdict = name:sub(1, 2)
    it(name, function()
      local text = H.read(dir .. name)
      local ok, v = pcall(json.decode, text)
      if verdict == "y_" then
        assert(ok, v)
        -- what we accept we can write back, and read again to the same value
        local again = json.decode(json.encode(v))
        assert.equal(nil, H.diff(v, again))
      elseif verdict == "n_" then
        assert.is_false(ok, "accepted an invalid document")
        assert(is_clean_error(v), v)
      else
        assert(ok or is_clean_error(v), v)
      end
    end)
  end
end)

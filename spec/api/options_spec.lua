-- docs/reference.md lists every option each function accepts, and no
-- other: the option tables are read from the reference, then every
-- function is called with every option documented anywhere (and one made
-- up). An option its own list has must be accepted; any other must be
-- refused as an unknown option. So an option added to the code but not to
-- the reference fails here when another function documents it, and an
-- option documented for the wrong function fails here too.
local kserial = require "kserial"
local H = require "ks_helpers"
local source = require("corpus").source

local REFERENCE = source .. "/docs/reference.md"

-- ---- reading the reference -------------------------------------------------------

local function lines_of(text)
  local out = {}
  for line in (text .. "\n"):gmatch("(.-)\n") do out[#out + 1] = line end
  return out
end

-- The lowercase identifiers in code spans of s (option names; `NaN` or
-- `"error"` are not).
local function names_in(s, into)
  for name in s:gmatch("`([%w_]+)`") do
    if name:match("^[a-z_]+$") then into[name] = true end
  end
  return into
end

-- The names in the first cell of the rows of the first "| option |" table
-- after the first line for which start(line) holds.
local function option_table(lines, start)
  local names, i = {}, 1
  while lines[i] and not start(lines[i]) do i = i + 1 end
  assert(lines[i], "docs/reference.md: the section of an option table is missing")
  while lines[i] and not lines[i]:match("^| option |") do i = i + 1 end
  assert(lines[i], "docs/reference.md: no option table after the section's start")
  i = i + 2                                   -- the header and the |---| row
  while lines[i] and lines[i]:match("^|") do
    names_in(lines[i]:match("^|([^|]*)|"), names)
    i = i + 1
  end
  return names
end

-- The names of the paragraph that begins with `prefix`.
local function option_paragraph(lines, prefix)
  local names, i = {}, 1
  while lines[i] and lines[i]:sub(1, #prefix) ~= prefix do i = i + 1 end
  assert(lines[i], "docs/reference.md: no paragraph starting " .. prefix)
  while lines[i] and lines[i] ~= "" do
    names_in(lines[i], names)
    i = i + 1
  end
  return names
end

local function union(...)
  local out = {}
  for _, set in ipairs({ ... }) do
    for k in pairs(set) do out[k] = true end
  end
  return out
end

local function heading(prefix)
  return function(line) return line:sub(1, #prefix) == prefix end
end

local function documented()
  local lines = lines_of(H.read(REFERENCE))
  local d = {}
  d.serialize = option_table(lines, heading("### `kserial.serialize("))
  d.deserialize = option_table(lines, heading("### `kserial.deserialize("))
  d.scan = option_table(lines, heading("### `kserial.scan("))
  d.encode = option_table(lines, heading("Encode options"))
  d.decode = option_paragraph(lines, "Decode options:")
  -- "JSON text and files": dumps is encode(serialize(value)) and takes the
  -- options of both, loads deserialize(decode(text)) likewise; save and
  -- load are dumps and loads with a file
  d.dumps = union(d.encode, d.serialize)
  d.loads = union(d.decode, d.deserialize)
  d.save, d.load = d.dumps, d.loads
  return d
end

-- ---- calling ---------------------------------------------------------------------

-- A valid value of each option, so that only its name can be refused.
local VALUE = {
  allow_nan = false, int_keys = "error", max_values = 1000, max_depth = 100,
  max_size = 1000000, indent = 2, separators = { ",", ":" }, ensure_ascii = false,
  sort_keys = true, keep_order = false, custom_objects = {}, safe_mode = true,
  module_objects = {}, printable_module_name = "object",
}
local MADE_UP = "no_such_option"

local function call(fname, opts, path)
  local calls = {
    serialize = function() return kserial.serialize({ 1 }, opts) end,
    deserialize = function() return kserial.deserialize({ 1 }, opts) end,
    scan = function() return kserial.scan("[1]", opts) end,
    encode = function() return kserial.json.encode({ 1 }, opts) end,
    decode = function() return kserial.json.decode("[1]", opts) end,
    dumps = function() return kserial.dumps({ 1 }, opts) end,
    loads = function() return kserial.loads("[1]", opts) end,
    save = function() return kserial.save({ 1 }, path, opts) end,
    load = function() return kserial.load(path, opts) end,
  }
  return pcall(calls[fname])
end

describe("docs/reference.md's option tables", function()
  local doc = documented()
  local every = union(doc.serialize, doc.deserialize, doc.scan, doc.encode, doc.decode)
  local path

  setup(function()
    path = os.tmpname()
    kserial.save({ 1 }, path)
  end)
  teardown(function() os.remove(path) end)

  it("are read: each function documents options, each with a test value", function()
    for fname, set in pairs(doc) do
      assert.is_not_nil(next(set), fname .. ": no option read from the reference")
    end
    for name in pairs(every) do
      assert.is_not_nil(VALUE[name], "no test value for the documented option " .. name)
    end
  end)

  for _, fname in ipairs({ "serialize", "deserialize", "scan", "encode", "decode",
                           "dumps", "loads", "save", "load" }) do
    it("list exactly the options " .. fname .. " accepts", function()
      local wrong = {}
      local names = {}
      for name in pairs(every) do names[#names + 1] = name end
      table.sort(names)
      names[#names + 1] = MADE_UP
      for _, name in ipairs(names) do
        local ok, err = call(fname, { [name] = VALUE[name] or true }, path)
        -- refused by name: "unknown option", and the option's name
        local msg = tostring(err)
        local refused = not ok and msg:find("unknown option", 1, true) ~= nil
                        and msg:find(name, 1, true) ~= nil
        if doc[fname][name] and refused then
          wrong[#wrong + 1] = name .. ": documented, but refused: " .. tostring(err)
        elseif not doc[fname][name] and not refused then
          wrong[#wrong + 1] = name .. ": accepted (or refused otherwise), but not documented for "
            .. fname .. (ok and "" or ": " .. tostring(err))
        end
      end
      assert.are.same({}, wrong)
    end)
  end
end)

-- Every function and field the module exports (require "kserial" and
-- kserial.json, walked recursively) is declared in the LuaLS stubs
-- (library/kserial.lua) and documented in docs/reference.md; and every
-- kserial.<name> the reference speaks of exists. A failure names each
-- missing name.
local kserial = require "kserial"
local H = require "ks_helpers"
local source = require("corpus").source

-- "kserial.dumps" -> "function", ... for the module and its sub-tables
-- (the marker metatables are values, not namespaces: not walked)
local NAMESPACES = { ["kserial.json"] = true }
local function exported()
  local out = {}
  local function walk(t, prefix)
    for k, v in pairs(t) do
      if type(k) == "string" then
        local name = prefix .. "." .. k
        out[name] = type(v)
        if type(v) == "table" and NAMESPACES[name] then walk(v, name) end
      end
    end
  end
  walk(kserial, "kserial")
  return out
end

local function sorted(set)
  local list = {}
  for k in pairs(set) do list[#list + 1] = k end
  table.sort(list)
  return list
end

local function missing_message(missing, kinds, where)
  local lines = {}
  for _, name in ipairs(sorted(missing)) do
    lines[#lines + 1] = string.format("  %s (a %s)", name, kinds[name])
  end
  return #lines .. " exported name(s) missing from " .. where .. ":\n" .. table.concat(lines, "\n")
end

-- The names library/kserial.lua declares: `function kserial.x(`,
-- `kserial.x =`, and the same for the local `json` (kserial.json).
local function stub_names(text)
  local names = {}
  local alias = { kserial = "kserial", json = "kserial.json" }
  for line in text:gmatch("[^\n]+") do
    local base, field = line:match("^function ([%w_]+)%.([%w_]+)%s*%(")
    if not base then base, field = line:match("^([%w_]+)%.([%w_]+)%s*=") end
    if base and alias[base] then names[alias[base] .. "." .. field] = true end
  end
  return names
end

-- The names docs/reference.md documents: the leading name of each code
-- span (`kserial.dumps(value [, opts])`, `register_module(name, table)`,
-- `array_mt`), qualified by the section it is in (the kserial.json section
-- documents kserial.json's names).
local function doc_names(text)
  local names, section = {}, ""
  for line in text:gmatch("[^\n]*") do
    local heading = line:match("^#+%s+(.*)")
    if heading then section = heading end
    local in_json = section:find("`kserial.json`", 1, true) ~= nil
    for span in line:gmatch("`([^`]+)`") do
      local name = span:match("^([%a_][%w_.]*)")
      if name then
        name = name:gsub("%.$", "")
        if name:find("^kserial%.") then
          names[name] = true
        elseif name:find("^json%.") then
          names["kserial." .. name] = true
        elseif in_json then
          names["kserial.json." .. name] = true
        else
          names["kserial." .. name] = true
        end
      end
    end
  end
  return names
end

describe("the public API", function()
  local api = exported()

  it("is walked (the walk finds the module's own names)", function()
    assert.equal("function", api["kserial.dumps"])
    assert.equal("function", api["kserial.json.decode"])
    assert.equal("string", api["kserial._VERSION"])
  end)

  it("is declared whole in the LuaLS stubs (library/kserial.lua)", function()
    local text = H.read(source .. "/library/kserial.lua")
    assert.truthy(text:find("^%-%-%-@meta"), "library/kserial.lua must start with ---@meta")
    local declared, missing = stub_names(text), {}
    for name in pairs(api) do
      if not declared[name] then missing[name] = true end
    end
    assert(next(missing) == nil, missing_message(missing, api, "library/kserial.lua"))
  end)

  it("declares nothing in the stubs that the module does not export", function()
    local extra = {}
    for name in pairs(stub_names(H.read(source .. "/library/kserial.lua"))) do
      if api[name] == nil then extra[#extra + 1] = name end
    end
    table.sort(extra)
    assert(#extra == 0, "library/kserial.lua declares names the module does not have: "
      .. table.concat(extra, ", "))
  end)

  it("is documented whole in docs/reference.md", function()
    local documented, missing = doc_names(H.read(source .. "/docs/reference.md")), {}
    for name in pairs(api) do
      if not documented[name] then missing[name] = true end
    end
    assert(next(missing) == nil, missing_message(missing, api, "docs/reference.md"))
  end)

  it("has every kserial.<name> that docs/reference.md speaks of", function()
    local extra = {}
    for name in H.read(source .. "/docs/reference.md"):gmatch("`(kserial%.[%a_][%w_.]*)") do
      name = name:gsub("%.$", "")
      if api[name] == nil then extra[#extra + 1] = name end
    end
    table.sort(extra)
    assert(#extra == 0, "docs/reference.md speaks of names the module does not have: "
      .. table.concat(extra, ", "))
  end)
end)

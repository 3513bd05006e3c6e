-- Shared helpers for the busted specs.
local kserial = require "kserial"
local M = {}

-- Deep equality that also compares number subtypes, kserial.null and the
-- array/object markers of tables.
function M.same(a, b, path)
  path = path or "$"
  if type(a) ~= type(b) then return false, path .. ": " .. type(a) .. " vs " .. type(b) end
  if type(a) == "number" then
    if math.type(a) ~= math.type(b) then
      return false, path .. ": " .. math.type(a) .. " vs " .. math.type(b)
    end
    if a ~= b and not (a ~= a and b ~= b) then return false, path .. ": " .. a .. " vs " .. b end
    return true
  end
  if type(a) ~= "table" then
    if a ~= b then return false, path .. ": " .. tostring(a) .. " vs " .. tostring(b) end
    return true
  end
  if getmetatable(a) ~= getmetatable(b) then return false, path .. ": different markers" end
  for k, v in pairs(a) do
    local ok, where = M.same(v, b[k], path .. "." .. tostring(k))
    if not ok then return false, where end
  end
  for k in pairs(b) do
    if a[k] == nil then return false, path .. "." .. tostring(k) .. ": missing on the left" end
  end
  return true
end

-- A copy of the global dict (get_custom_objects() is a live view).
function M.registry_snapshot()
  local t = {}
  for k, v in pairs(kserial.get_custom_objects()) do t[k] = v end
  return t
end

-- Puts the global dict back to a registry_snapshot(): what a spec that
-- registers things calls when it ends, so the next spec starts clean.
function M.registry_restore(saved)
  kserial.clear_custom_objects()
  local view = kserial.get_custom_objects()
  for k, v in pairs(saved) do view[k] = v end
end

-- A counter of calls, for tests that check a function was (not) reached.
function M.counter()
  local c = { n = 0 }
  c.fn = function(...) c.n = c.n + 1; return ... end
  return c
end

-- A class made with kserial.class whose get_config returns the listed
-- fields of the instance (the default new copies a config table in).
function M.class(name, fields)
  local C = kserial.class(name)
  function C:get_config()
    local out = {}
    for _, f in ipairs(fields or {}) do out[f] = self[f] end
    return out
  end
  return C
end

function M.read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

function M.list(dir, pattern)
  local out = {}
  local p = assert(io.popen('ls -1 "' .. dir .. '"'))
  for name in p:lines() do
    if name:match(pattern) then out[#out + 1] = name end
  end
  p:close()
  table.sort(out)
  return out
end

-- Runs a Lua chunk in a fresh interpreter (the one running the specs, so
-- kserial-lua runs kserial-lua) and returns its output and exit status.
function M.run_lua(code, args)
  local file = os.tmpname()
  local f = assert(io.open(file, "w"))
  f:write(code)
  f:close()
  local interp = arg and arg[-1] or "lua5.4"
  -- the child finds the modules this process found (plain busted sets
  -- package.cpath from .busted, ctest through LUA_CPATH)
  local p = assert(io.popen(string.format("LUA_CPATH_5_4='%s' LUA_PATH_5_4='%s' '%s' %s '%s' 2>&1",
    package.cpath, package.path, interp, args or "", file)))
  local out = p:read("a")
  local _, _, status = p:close()
  os.remove(file)
  return out, status
end

M.kserial = kserial
return M

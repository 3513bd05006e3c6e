-- Helpers for the JSON specs: deep comparison with types, error capture,
-- corpus location.
local kserial = require "kserial"
local json = kserial.json

local M = {}

-- The kind of a decoded value, finer than type(): integer vs float,
-- null, array vs object marker.
function M.kind(v)
  local t = type(v)
  if t == "number" then return math.type(v) end
  if t == "table" then
    local mt = getmetatable(v)
    if mt == json.array_mt then return "array" end
    if mt == json.object_mt then return "object" end
    return mt == nil and "table" or "table with a metatable"
  end
  if v == kserial.null then return "null" end
  return t
end

local function same_float(a, b)
  if a ~= a then return b ~= b end   -- NaN
  return string.pack("<d", a) == string.pack("<d", b)
end

-- nil when a and b are equal in value and kind (floats bit for bit), else a
-- description of the first difference with its path.
function M.diff(a, b, path)
  path = path or "$"
  local ka, kb = M.kind(a), M.kind(b)
  if ka ~= kb then return path .. ": " .. ka .. " vs " .. kb end
  if ka == "float" then
    if not same_float(a, b) then
      return path .. ": " .. string.format("%.17g vs %.17g", a, b)
    end
  elseif type(a) == "table" then
    for k, v in pairs(a) do
      local d = M.diff(v, b[k], path .. "[" .. string.format("%q", k) .. "]")
      if d then return d end
    end
    for k in pairs(b) do
      if a[k] == nil then return path .. ": extra key " .. tostring(k) end
    end
  elseif a ~= b then
    return path .. ": " .. tostring(a) .. " vs " .. tostring(b)
  end
  return nil
end

-- The message of the error f(...) raises; fails the test if it does not.
function M.err(f, ...)
  local ok, e = pcall(f, ...)
  assert(not ok, "expected an error, got success")
  return tostring(e)
end

-- Asserts that the error of f(...) contains `text` (plain find).
function M.raises(text, f, ...)
  local e = M.err(f, ...)
  if not e:find(text, 1, true) then
    error(string.format("error %q does not contain %q", e, text), 2)
  end
  return e
end

-- Files and folders: the same helpers as the other specs use (the corpus's
-- location is spec/helpers/corpus.lua's).
local K = require "ks_helpers"
M.read, M.list = K.read, K.list

-- How many keys a table holds (pairs, whatever their kind).
function M.count(t)
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  return n
end

return M

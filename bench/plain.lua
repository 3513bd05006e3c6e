-- bench/plain.lua - the same protocol written the straightforward way over
-- lua-cjson: what a user would write instead of kserial. For comparison in
-- the benchmark only: not deliberately slow, not heroically optimized.
--
-- A registry (registered name -> class), a recursive serialize that builds
-- a fresh JSON-safe tree (with shared_object_id for objects met twice, a
-- cycle check and basic type checks), a recursive deserialize that finds
-- classes by registered name (error on an unknown one) and remembers
-- shared ids across the nested deserialize calls a from_config makes.
-- What it does not do, and kserial does: exact numbers (lua-cjson keeps 14
-- significant digits and reads every number as a float), UTF-8 checks,
-- sorted keys, JSON paths in errors, empty list vs empty dict, scopes,
-- safe mode, functions, lambdas, special values.
local cjson = require "cjson"

local encode, decode, null = cjson.encode, cjson.decode, cjson.null
local getmetatable, type, pairs, error, tostring = getmetatable, type, pairs, error, tostring
local pcall, huge = pcall, math.huge

local M = {}

-- ---- the registry ------------------------------------------------------------

local registry, names = {}, {}

-- Registers cls under "package>ClassName"; returns the name.
function M.register(cls, package)
  local name = (package or "Custom") .. ">" .. cls.__name
  if type(cls.get_config) ~= "function" then
    error("plain: cannot register " .. name .. ": no get_config", 2)
  end
  registry[name], names[cls] = cls, name
  return name
end

-- ---- serialize ---------------------------------------------------------------

local ser

local function ser_object(obj, mt, st)
  local e = st.seen[obj]
  if e then
    if e.shared_object_id == nil then
      st.ids = st.ids + 1
      e.shared_object_id = st.ids
    end
    return e
  end
  if st.active[obj] then error("plain: cycle at an object of class " .. tostring(mt.__name)) end
  st.active[obj] = true
  local config = obj:get_config()
  if type(config) ~= "table" then
    error("plain: get_config() of " .. tostring(mt.__name) .. " returned a " .. type(config))
  end
  e = { module = mt.__module or null, class_name = mt.__name,
        config = ser(config, st), registered_name = names[mt] or mt.__name }
  if obj.get_build_config then
    local bc = obj:get_build_config()
    if bc ~= nil then e.build_config = ser(bc, st) end
  end
  if obj.get_compile_config then
    local cc = obj:get_compile_config()
    if cc ~= nil then e.compile_config = ser(cc, st) end
  end
  st.active[obj] = nil
  st.seen[obj] = e
  return e
end

ser = function(v, st)
  local tv = type(v)
  if tv == "string" or tv == "boolean" or v == null then
    return v
  elseif tv == "number" then
    if v ~= v or v == huge or v == -huge then error("plain: cannot serialize " .. tostring(v)) end
    return v
  elseif tv == "table" then
    local mt = getmetatable(v)
    if mt and mt.get_config then return ser_object(v, mt, st) end
    local out, n = {}, #v
    if n > 0 then
      for i = 1, n do out[i] = ser(v[i], st) end
    else
      for k, x in pairs(v) do
        if type(k) ~= "string" then error("plain: bad key " .. tostring(k)) end
        out[k] = ser(x, st)
      end
    end
    return out
  end
  error("plain: cannot serialize a " .. tv)
end

-- The running top-level call: serialize calls made by a get_config join it.
local running_ser

function M.serialize(v)
  if running_ser then return ser(v, running_ser) end
  running_ser = { seen = {}, active = {}, ids = 0 }
  local ok, res = pcall(ser, v, running_ser)
  running_ser = nil
  if not ok then error(res, 0) end
  return res
end

function M.dumps(v) return encode(M.serialize(v)) end

-- ---- deserialize -------------------------------------------------------------

local function des(x, st)
  if type(x) ~= "table" then return x end
  local class_name, config = x.class_name, x.config
  if class_name == nil or config == nil then
    local out = {}
    for k, v in pairs(x) do out[k] = des(v, st) end
    return out
  end
  local sid = x.shared_object_id
  if sid ~= nil then
    local obj = st.shared[sid]
    if obj ~= nil then return obj end
  end
  local name = x.registered_name
  if name == nil or name == null or name == "" then name = class_name end
  local cls = registry[name]
  if cls == nil then error("plain: unknown class '" .. tostring(name) .. "'") end
  if config == null then config = {} end
  if type(config) ~= "table" then error("plain: config of " .. name .. " is not a dict") end
  if not cls.from_config then error("plain: " .. name .. " has no from_config") end
  local obj = cls:from_config(config)
  if obj == nil then error("plain: from_config of " .. name .. " returned nil") end
  local bc = x.build_config
  if bc ~= nil and obj.build_from_config then obj:build_from_config(bc) end
  local cc = x.compile_config
  if cc ~= nil and obj.compile_from_config then obj:compile_from_config(cc) end
  if sid ~= nil then st.shared[sid] = obj end
  return obj
end

-- The running top-level call: deserialize calls made by a from_config join
-- it (shared ids span the whole document).
local running_des

function M.deserialize(x)
  if x == null then return nil end
  if running_des then return des(x, running_des) end
  running_des = { shared = {} }
  local ok, res = pcall(des, x, running_des)
  running_des = nil
  if not ok then error(res, 0) end
  return res
end

function M.loads(text) return M.deserialize(decode(text)) end

return M

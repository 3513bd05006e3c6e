-- bench/graphlib.lua - what every bench graph (graph.lua, graph_dense.lua,
-- graph_nested.lua) shares: the child deserializer their from_config
-- calls, class creation, the registry tables floor and plain use, the list
-- of distinct objects, and the comparison run.lua's checks rely on. Not a
-- test.
--
-- A graph module is a table with PACKAGE, classes, names, by_name,
-- register(), use(fn), build(n), objects(root), compare(a, b, exact),
-- object_count(n) and shared_count(n) (how many shared_object_id keys
-- the document of n layers holds); graphlib.finish(M) fills in everything but
-- PACKAGE, classes, build, object_count and shared_count.
local kserial = require "kserial"

local null = kserial.null
local array_mt = kserial.json.array_mt
local getmetatable, pairs, type, next, tostring = getmetatable, pairs, type, next, tostring
local math_type, string_format = math.type, string.format

local L = {}

-- ---- the child deserializer of from_config ----------------------------------

local deserialize_child = function(x) return x end

-- Sets the function from_config uses for nested objects: kserial.deserialize,
-- plain's deserialize, or floor.child. One setting for every graph.
function L.use(fn) deserialize_child = fn end

-- What a from_config calls for a child object (null stays null).
function L.child(x)
  if x == null then return null end
  return deserialize_child(x)
end

-- A kserial class with a Keras-like module name.
function L.class(name, module)
  local cls = kserial.class(name)
  cls.__module = module
  return cls
end

-- ---- the objects ---------------------------------------------------------------

-- The distinct objects of a graph, parents before children, each once.
function L.objects(root)
  local list, seen = {}, {}
  local function visit(v)
    if type(v) ~= "table" then return end
    local mt = getmetatable(v)
    if mt ~= nil and mt.get_config ~= nil then
      if seen[v] then return end
      seen[v] = true
      list[#list + 1] = v
      for _, x in pairs(v:get_config()) do visit(x) end
    else
      for _, x in pairs(v) do visit(x) end
    end
  end
  visit(root)
  return list
end

-- ---- comparing -----------------------------------------------------------------

local function is_object(v)
  local mt = getmetatable(v)
  return mt ~= nil and type(mt) == "table" and mt.get_config ~= nil
end

-- Numbers: exact compares value and integer/float subtype; loose (for
-- lua-cjson, which keeps 14 significant digits and returns floats) allows
-- a relative error of 1e-13 and ignores the subtype.
local function same_number(a, b, exact)
  if exact then return math_type(a) == math_type(b) and a == b end
  if a == b then return true end
  local scale = math.max(math.abs(a), math.abs(b))
  return math.abs(a - b) <= 1e-13 * scale
end

local compare

-- Each returns nil when equal, else where and how they differ; the path is
-- built only on the way out of a failure (".key" prepended at each level).
local function compare_tables(a, b, exact, st)
  if exact and next(a) == nil and next(b) == nil
     and (getmetatable(a) == array_mt) ~= (getmetatable(b) == array_mt) then
    return ": empty list vs empty dict"
  end
  for k, v in pairs(a) do
    local err = compare(v, b[k], exact, st)
    if err then return "." .. tostring(k) .. err end
  end
  for k in pairs(b) do
    if a[k] == nil then return "." .. tostring(k) .. ": extra key" end
  end
  return nil
end

local function compare_objects(a, b, exact, st)
  if getmetatable(a) ~= getmetatable(b) then return ": different classes" end
  -- Identity: a shared object must map to one object, and back.
  local ma, mb = st.ab[a], st.ba[b]
  if ma ~= nil or mb ~= nil then
    if ma ~= b or mb ~= a then return ": object sharing differs" end
    return nil
  end
  st.ab[a], st.ba[b] = b, a
  st.objects = st.objects + 1
  local err = compare_tables(a:get_config(), b:get_config(), exact, st)
  if err then return "<config>" .. err end
  if not a.get_build_config then return nil end
  err = compare_tables(a:get_build_config(), b:get_build_config(), exact, st)
  return err and "<build_config>" .. err
end

compare = function(a, b, exact, st)
  local ta, tb = type(a), type(b)
  if ta ~= tb then return string_format(": %s vs %s", ta, tb) end
  if ta == "number" then
    if not same_number(a, b, exact) then
      return string_format(": %s vs %s", tostring(a), tostring(b))
    end
    return nil
  elseif ta == "table" then
    if is_object(a) or is_object(b) then return compare_objects(a, b, exact, st) end
    return compare_tables(a, b, exact, st)
  elseif a ~= b then
    return string_format(": %s vs %s", tostring(a), tostring(b))
  end
  return nil
end

-- Compares two graphs: classes, configs, build configs and object identity
-- (which objects are the same object). Returns nil and the number of
-- distinct objects when they match, else a message naming the first place
-- where they differ.
function L.compare(a, b, exact)
  local st = { ab = {}, ba = {}, objects = 0 }
  local err = compare(a, b, exact, st)
  if err then return "$" .. err end
  return nil, st.objects
end

-- ---- a graph module ------------------------------------------------------------

-- Completes graph module M (M.PACKAGE and M.classes set): the registered
-- name of each class and the class of each registered name (what floor and
-- plain use as their registry), register() for kserial (idempotent), and
-- the shared functions above. Returns M.
function L.finish(M)
  M.names, M.by_name = {}, {}
  for _, cls in ipairs(M.classes) do
    local key = M.PACKAGE .. ">" .. cls.__name
    M.names[cls], M.by_name[key] = key, cls
  end
  function M.register()
    local reg = kserial.register_serializable(M.PACKAGE)
    for _, cls in ipairs(M.classes) do reg(cls) end
  end
  M.use, M.objects, M.compare = L.use, L.objects, L.compare
  return M
end

return L

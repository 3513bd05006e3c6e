-- bench/floor.lua - the floor: only the work no implementation of the
-- protocol can avoid, over lua-cjson (Debian's lua-cjson 2.1.0).
--
-- write: walk the objects calling get_config (and get_build_config), build
--   the envelopes {module, class_name, config, registered_name,
--   [build_config], [shared_object_id]} in plain Lua, then cjson.encode.
--   Config tables are walked to find the objects inside them; a table is
--   copied only when it holds an object (copy-on-write: the user's tables
--   are never changed). A repeated object reuses its first envelope, which
--   gets a shared_object_id then (the unavoidable part of sharing).
-- read: cjson.decode, then Class:from_config(config) (and
--   build_from_config) for the root envelope; from_config asks for its
--   children through M.child (graph.use(floor.child)), which does the same;
--   an envelope whose shared_object_id was built already gives that
--   instance. (Rebuilding bottom-up instead would have to visit every table
--   of the document to find the envelopes: more work, not less.)
--
-- No validation, no paths, no error messages, no cycle check, no safe
-- mode, no exact numbers (lua-cjson keeps 14 significant digits and reads
-- every number as a float), no key order: a lower bound, not a product.
local cjson = require "cjson"

local encode, decode, null = cjson.encode, cjson.decode, cjson.null
local getmetatable, type, next = getmetatable, type, next  -- write side

local M = {}

-- ---- write -------------------------------------------------------------------

local envelope

-- Returns t itself when no object is inside it, else a copy holding the
-- envelopes in place of the objects.
local function walk(t, st)
  local copy
  for k, v in next, t do
    if type(v) == "table" then
      local mt = getmetatable(v)
      local w
      if mt ~= nil and mt.get_config ~= nil then
        w = envelope(v, mt, st)
      else
        w = walk(v, st)
      end
      if w ~= v then
        if copy == nil then
          copy = {}
          for k2, v2 in next, t do copy[k2] = v2 end
        end
        copy[k] = w
      end
    end
  end
  return copy or t
end

envelope = function(obj, mt, st)
  local e = st.seen[obj]
  if e ~= nil then
    if e.shared_object_id == nil then
      st.ids = st.ids + 1
      e.shared_object_id = st.ids
    end
    return e
  end
  e = { module = mt.__module or null, class_name = mt.__name,
        config = walk(obj:get_config(), st), registered_name = st.names[mt] or null }
  local gbc = mt.get_build_config
  if gbc ~= nil then
    local bc = gbc(obj)
    if bc ~= nil then e.build_config = walk(bc, st) end
  end
  st.seen[obj] = e
  return e
end

-- names: class -> registered name.
function M.write(root, names)
  local st = { seen = {}, ids = 0, names = names }
  return encode(envelope(root, getmetatable(root), st))
end

-- ---- read --------------------------------------------------------------------

-- Top-down, as the protocol has it: from_config gets its config as stored
-- and asks for its children (through graph.use(floor.child)), so only the
-- envelopes a from_config hands over are visited; no other table of the
-- document is walked.
local running  -- the read in progress: shared ids, class lookup

local function build(env)
  local st = running
  local sid = env.shared_object_id
  if sid ~= nil then
    local obj = st.shared[sid]
    if obj ~= nil then return obj end
  end
  local obj = st.by_name[env.registered_name]:from_config(env.config)
  local bc = env.build_config
  if bc ~= nil then
    local bfc = obj.build_from_config
    if bfc ~= nil then bfc(obj, bc) end
  end
  if sid ~= nil then st.shared[sid] = obj end
  return obj
end

-- What from_config calls for a child envelope during M.read.
M.child = build

-- by_name: registered name -> class.
function M.read(text, by_name)
  running = { shared = {}, by_name = by_name }
  local root = build(decode(text))
  running = nil
  return root
end

return M

-- The machinery of the Keras corpus specs (spec/protocol/corpus_spec.lua,
-- spec/protocol/corpus_full_spec.lua): generic classes registered for the modules
-- and names a document uses (as a host library would register its
-- built-ins), a round trip through them, and a normal form to compare.
local kserial = require "kserial"
local json = kserial.json
local null = kserial.null
local H = require "ks_helpers"

local M = {}

local ENVELOPE = { module = true, class_name = true, config = true, registered_name = true,
                   build_config = true, compile_config = true, shared_object_id = true }

function M.is_envelope(v)
  return type(v) == "table" and getmetatable(v) == json.object_mt
    and type(v.class_name) == "string" and v.config ~= nil
end

local function opt(v) if v == null then return nil end return v end

-- A generic object keeps its config, with nested envelopes deserialized into
-- objects (and the keys Keras's containers add to a layer entry, such as
-- name and inbound_nodes, kept beside them, as Functional does).
local Generic = kserial.class("Generic")
local walk, unwalk

function walk(v)
  if M.is_envelope(v) then
    if v.class_name == "__lambda__" then return v end   -- Python code: data only
    local extras
    for k, x in pairs(v) do
      if not ENVELOPE[k] then extras = extras or {}; extras[k] = walk(x) end
    end
    return { obj = kserial.deserialize(v), extras = extras, wrapped = true }
  elseif type(v) == "table" then
    local out = setmetatable({}, getmetatable(v))
    for k, x in pairs(v) do out[k] = walk(x) end
    return out
  end
  return v
end

function unwalk(v)
  if type(v) == "table" and v.wrapped then
    local env = kserial.serialize(v.obj)
    for k, x in pairs(v.extras or {}) do env[k] = unwalk(x) end
    return env
  elseif type(v) == "table" and getmetatable(v) ~= nil and getmetatable(v).__name == "kserial.marker" then
    return v
  elseif type(v) == "table" then
    local out = setmetatable({}, getmetatable(v))
    for k, x in pairs(v) do out[k] = unwalk(x) end
    return out
  end
  return v
end

Generic.from_config = function(cls, config)
  return setmetatable({ cfg = walk(config) }, cls)
end
function Generic:get_config() return unwalk(self.cfg) end
function Generic:build_from_config(c) self.build = c end
function Generic:get_build_config() return self.build end
function Generic:compile_from_config(c) self.compile = c end
function Generic:get_compile_config() return self.compile end

-- Registers one generic class per (module, class_name, registered_name), so
-- that serializing it writes the same three fields back:
--   "pkg>name" registered names: register_serializable(pkg, name);
--   registered_name null with a module: a member of a registered module;
--   anything else (Keras 2, bare names): custom_objects, by name.
local classes, modules = {}, {}
local custom    -- the custom_objects of the file being collected

local function class_for(env)
  local module, cn, rn = opt(env.module), env.class_name, opt(env.registered_name)
  if cn:match("^__.+__$") or cn == "function" then return end
  local key = tostring(module) .. "|" .. cn .. "|" .. tostring(rn)
  if classes[key] then
    if (rn == nil or rn == cn) and not (rn == nil and module) then custom[cn] = classes[key] end
    return
  end
  local C = kserial.class(cn, Generic)
  C.__module = module
  classes[key] = C
  if rn and rn:find(">", 1, true) and rn ~= cn then
    local pkg, name = rn:match("^(.-)>(.*)$")
    kserial.register_serializable(pkg, name)(C)
  elseif rn == nil and module then
    modules[module] = modules[module] or {}
    modules[module][cn] = C
  else
    assert(rn == nil or rn == cn, "a bare registered_name that differs from class_name: " .. tostring(rn))
    custom[cn] = C
  end
end

local function collect(v)
  if type(v) ~= "table" then return end
  if M.is_envelope(v) then class_for(v) end
  for _, x in pairs(v) do collect(x) end
end

-- Normal form for comparison: module absent = null; registered_name absent
-- or equal to class_name = null (the equivalences Keras's loader applies);
-- shared ids renumbered in traversal order, and ids that appear once
-- dropped (they carry nothing: Keras writes addresses).
local function sorted_keys(t)
  local ks = {}
  for k in pairs(t) do ks[#ks + 1] = k end
  table.sort(ks, function(a, b) return tostring(a) < tostring(b) end)
  return ks
end

local function count_ids(v, counts)
  if type(v) ~= "table" then return counts end
  if M.is_envelope(v) and v.shared_object_id ~= nil then
    counts[v.shared_object_id] = (counts[v.shared_object_id] or 0) + 1
  end
  for _, x in pairs(v) do count_ids(x, counts) end
  return counts
end

local function normalize(v, counts, ids)
  if type(v) ~= "table" then return v end
  local out = setmetatable({}, getmetatable(v))
  for _, k in ipairs(sorted_keys(v)) do out[k] = normalize(v[k], counts, ids) end
  if M.is_envelope(v) then
    if out.module == nil then out.module = null end
    if out.registered_name == nil or out.registered_name == out.class_name then
      out.registered_name = null
    end
    local id = v.shared_object_id
    if id ~= nil then
      if counts[id] > 1 then
        ids.map[id] = ids.map[id] or (function() ids.n = ids.n + 1; return ids.n end)()
        out.shared_object_id = ids.map[id]
      else
        out.shared_object_id = nil
      end
    end
  end
  return out
end

function M.norm(doc)
  return normalize(doc, count_ids(doc, {}), { map = {}, n = 0 })
end

-- The top level of a file: an envelope, maybe with keys around it (Keras 2
-- writes keras_version and backend; SavedModel metadata a dozen more).
function M.roundtrip(doc, custom_objects)
  if not M.is_envelope(doc) then   -- a wrapper (tf.js): walk its values
    local out = setmetatable({}, getmetatable(doc))
    for k, v in pairs(doc) do out[k] = M.is_envelope(v) and M.roundtrip(v, custom_objects) or v end
    return out
  end
  local obj = kserial.deserialize(doc, { custom_objects = custom_objects })
  local env = kserial.serialize(obj)
  for k, v in pairs(doc) do
    if not ENVELOPE[k] then env[k] = v end
  end
  return env
end

-- Reads the .json files of dir and registers what they name. Returns the
-- file names, the decoded documents and each one's custom_objects, and a
-- function that puts the registry back as it was.
function M.prepare(dir)
  local files = H.list(dir, "%.json$")
  local docs, customs = {}, {}
  local saved = H.registry_snapshot()
  kserial.clear_custom_objects()
  for _, name in ipairs(files) do
    docs[name] = json.decode(H.read(dir .. "/" .. name))
    custom = {}
    collect(docs[name])
    customs[name] = custom
  end
  for module, members in pairs(modules) do kserial.register_module(module, members) end
  local function restore()
    for module in pairs(modules) do kserial.register_module(module, {}) end
    classes, modules = {}, {}
    H.registry_restore(saved)
  end
  return files, docs, customs, restore
end

return M

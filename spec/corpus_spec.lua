-- Every Keras document of the shared corpus goes through the whole protocol:
-- decoded, deserialized through generic classes registered for its modules
-- and names (as a host library would register its built-ins), serialized
-- again and encoded; the result must be semantically equal to the original.
local kserial = require "kserial"
local json = kserial.json
local null = kserial.null
local H = require "ks_helpers"

local dir = H.shared_dir() .. "/corpus/keras"
local files = H.list(dir, "%.json$")

local ENVELOPE = { module = true, class_name = true, config = true, registered_name = true,
                   build_config = true, compile_config = true, shared_object_id = true }

local function is_envelope(v)
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
  if is_envelope(v) then
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
  if is_envelope(v) then class_for(v) end
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
  if is_envelope(v) and v.shared_object_id ~= nil then
    counts[v.shared_object_id] = (counts[v.shared_object_id] or 0) + 1
  end
  for _, x in pairs(v) do count_ids(x, counts) end
  return counts
end

local function normalize(v, counts, ids)
  if type(v) ~= "table" then return v end
  local out = setmetatable({}, getmetatable(v))
  for _, k in ipairs(sorted_keys(v)) do out[k] = normalize(v[k], counts, ids) end
  if is_envelope(v) then
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

local function norm(doc)
  return normalize(doc, count_ids(doc, {}), { map = {}, n = 0 })
end

-- The top level of a file: an envelope, maybe with keys around it (Keras 2
-- writes keras_version and backend; SavedModel metadata a dozen more).
local function roundtrip(doc, custom_objects)
  if not is_envelope(doc) then   -- a wrapper (tf.js): walk its values
    local out = setmetatable({}, getmetatable(doc))
    for k, v in pairs(doc) do out[k] = is_envelope(v) and roundtrip(v, custom_objects) or v end
    return out
  end
  local obj = kserial.deserialize(doc, { custom_objects = custom_objects })
  local env = kserial.serialize(obj)
  for k, v in pairs(doc) do
    if not ENVELOPE[k] then env[k] = v end
  end
  return env
end

describe("the Keras corpus", function()
  local docs, customs = {}, {}

  setup(function()
    kserial.clear_custom_objects()
    for _, name in ipairs(files) do
      docs[name] = json.decode(H.read(dir .. "/" .. name))
      custom = {}
      collect(docs[name])
      customs[name] = custom
    end
    for module, members in pairs(modules) do kserial.register_module(module, members) end
  end)

  it("has the 31 documents", function()
    assert.equal(31, #files)
  end)

  for _, name in ipairs(files) do
    it("codec round trip: " .. name, function()
      local text = H.read(dir .. "/" .. name)
      local first = json.decode(text)
      local again = json.decode(json.encode(first))
      local ok, where = H.same(first, again)
      assert.is_true(ok, where)
      assert.equal(json.encode(first), json.encode(again))
      -- Keras's own spacing is available too, and reads back the same
      local spaced = json.encode(first, { separators = { ", ", ": " } })
      ok, where = H.same(first, json.decode(spaced))
      assert.is_true(ok, where)
    end)

    it("protocol round trip through generic classes: " .. name, function()
      local doc = docs[name]
      local text = kserial.json.encode(roundtrip(doc, customs[name]))
      local ok, where = H.same(norm(doc), norm(json.decode(text)))
      assert.is_true(ok, where)
    end)
  end

  it("keeps a shared sub-model's identity (04: the siamese branch)", function()
    local doc = docs["04_k3-functional-siamese-shared-nested-model.json"]
    local obj = kserial.deserialize(doc, { custom_objects = customs["04_k3-functional-siamese-shared-nested-model.json"] })
    -- the nested Functional's DTypePolicy is one object used six times
    local layers = obj.cfg.layers
    local inner = layers[3].obj.cfg.layers
    local a, b = inner[3].obj.cfg.dtype.obj, layers[4].obj.cfg.dtype.obj
    assert.equal("DTypePolicy", getmetatable(a).__name)
    assert.is_true(rawequal(a, b))
    -- and serializing it again shares it with a small id on every copy
    local env = kserial.serialize(obj)
    local d1 = env.config.layers[3].config.layers[3].config.dtype
    local d2 = env.config.layers[4].config.dtype
    assert.equal(1, d1.shared_object_id)
    assert.equal(d1.shared_object_id, d2.shared_object_id)
    assert.is_false(rawequal(d1, d2))
  end)

  it("refuses the Python lambda of 03 in safe mode, with its path", function()
    local doc = docs["03_k3-sequential-cnn-lambda.json"]
    local ok, err = pcall(kserial.deserialize, doc.config.layers[#doc.config.layers].config["function"])
    assert.is_false(ok)
    assert.matches("Requested the deserialization of a lambda object", err)
  end)
end)

-- bench/graph.lua - the object graph the benchmark serializes: a Keras-like
-- model of N layers, written the way a user writes classes for kserial
-- (get_config / from_config, see docs/reference.md). Not a test.
--
-- Each layer's config has about a dozen fields covering every JSON type:
-- strings, integers, full-precision floats, booleans, null, nested lists,
-- nested dicts, an empty list and an empty dict; plus a child object (an
-- initializer, one per layer) and a shared one (a regularizer referenced
-- by GROUP consecutive layers, so shared_object_id is exercised). Every
-- layer also has a build_config, as built Keras layers do.
--
-- The classes serve all three implementations (floor, plain, kserial):
-- from_config rebuilds child objects through the function given to
-- graph.use(), which is kserial.deserialize, plain's deserialize, or the
-- identity for the floor (which rebuilds bottom-up).
local kserial = require "kserial"

local null = kserial.null
local array = kserial.json.array
local getmetatable, pairs, type, next, tostring = getmetatable, pairs, type, next, tostring
local math_type, string_format = math.type, string.format

local M = {}

M.GROUP = 4          -- layers sharing one regularizer
M.PACKAGE = "bench"  -- registered names are "bench>ClassName"

-- ---- the child deserializer of from_config ----------------------------------

local deserialize_child = function(x) return x end

-- Sets the function from_config uses for nested objects.
function M.use(fn) deserialize_child = fn end

local function child(x)
  if x == null then return null end
  return deserialize_child(x)
end

-- ---- classes -------------------------------------------------------------------

local function class(name, module)
  local cls = kserial.class(name)
  cls.__module = module
  return cls
end

-- Leaf objects: the default from_config (copy the config into a new object).
local GlorotUniform = class("GlorotUniform", "bench.initializers")
function GlorotUniform:get_config()
  return { seed = self.seed, scale = self.scale, mode = self.mode,
           distribution = self.distribution }
end

local L1L2 = class("L1L2", "bench.regularizers")
function L1L2:get_config() return { l1 = self.l1, l2 = self.l2 } end

-- Layers: fields copied, child objects rebuilt, build_config restored.
local function layer_from_config(cls, c)
  local obj = cls.new(c)
  obj.kernel_initializer = child(c.kernel_initializer)
  obj.kernel_regularizer = child(c.kernel_regularizer)
  return obj
end
local function get_build_config(self) return { input_shape = self.input_shape } end
local function build_from_config(self, c) self.input_shape = c.input_shape end

local Dense = class("Dense", "bench.layers")
function Dense:get_config()
  return {
    name = self.name, trainable = self.trainable, units = self.units,
    activation = self.activation, dropout = self.dropout, use_bias = self.use_bias,
    kernel_constraint = self.kernel_constraint, batch_input_shape = self.batch_input_shape,
    dtype_policy = self.dtype_policy, tags = self.tags, meta = self.meta,
    kernel_initializer = self.kernel_initializer, kernel_regularizer = self.kernel_regularizer,
  }
end

local Conv2D = class("Conv2D", "bench.layers")
function Conv2D:get_config()
  return {
    name = self.name, trainable = self.trainable, filters = self.filters,
    kernel_size = self.kernel_size, strides = self.strides, padding = self.padding,
    dilation = self.dilation, bias_constraint = self.bias_constraint,
    dtype_policy = self.dtype_policy, tags = self.tags, meta = self.meta,
    kernel_initializer = self.kernel_initializer, kernel_regularizer = self.kernel_regularizer,
  }
end

local BatchNorm = class("BatchNormalization", "bench.layers")
function BatchNorm:get_config()
  return {
    name = self.name, trainable = self.trainable, axis = self.axis,
    momentum = self.momentum, epsilon = self.epsilon, center = self.center,
    gamma_constraint = self.gamma_constraint, moving = self.moving,
    dtype_policy = self.dtype_policy, tags = self.tags, meta = self.meta,
    kernel_initializer = self.kernel_initializer, kernel_regularizer = self.kernel_regularizer,
  }
end

for _, cls in ipairs({ Dense, Conv2D, BatchNorm }) do
  cls.from_config = layer_from_config
  cls.get_build_config = get_build_config
  cls.build_from_config = build_from_config
end

local Model = class("Model", "bench.models")
function Model:get_config()
  return { name = self.name, trainable = self.trainable, layers = self.layers }
end
function Model.from_config(cls, c)
  local layers = {}
  for i, l in ipairs(c.layers) do layers[i] = child(l) end
  return cls.new{ name = c.name, trainable = c.trainable, layers = layers }
end

M.classes = { GlorotUniform, L1L2, Dense, Conv2D, BatchNorm, Model }

-- Registered name of each class, and class of each registered name: what
-- floor and plain use as their registry.
M.names, M.by_name = {}, {}
for _, cls in ipairs(M.classes) do
  local key = M.PACKAGE .. ">" .. cls.__name
  M.names[cls], M.by_name[key] = key, cls
end

-- Registers the classes with kserial (idempotent).
function M.register()
  local reg = kserial.register_serializable(M.PACKAGE)
  for _, cls in ipairs(M.classes) do reg(cls) end
end

-- ---- building ----------------------------------------------------------------

-- Builds the model with n layers. Deterministic: the same n gives the same
-- graph (and the same document) on every run.
function M.build(n)
  math.randomseed(20240607, n)
  local rnd = math.random
  local layers, reg = {}, nil
  for i = 1, n do
    if (i - 1) % M.GROUP == 0 then
      reg = L1L2{ l1 = rnd() * 1e-3, l2 = rnd() * 1e-2 }
    end
    local init = GlorotUniform{
      seed = (i % 5 == 0) and null or rnd(0, 1 << 40), scale = 1 + rnd(),
      mode = "fan_avg", distribution = "uniform",
    }
    local common = {
      name = string_format("layer_%d", i), trainable = i % 7 ~= 0,
      dtype_policy = { name = "float32",
                       config = { compute_dtype = "float32", variable_dtype = "float32",
                                  loss_scale = rnd() * 100 } },
      tags = array{}, meta = {}, kernel_initializer = init, kernel_regularizer = reg,
    }
    local kind, obj = i % 3
    if kind == 1 then
      common.units, common.activation = rnd(1, 4096), "relu"
      common.dropout, common.use_bias = rnd(), i % 2 == 0
      common.kernel_constraint = null
      common.batch_input_shape = array{ null, rnd(1, 1024) }
      obj = Dense(common)
    elseif kind == 2 then
      common.filters, common.kernel_size = rnd(1, 512), array{ 3, 3 }
      common.strides, common.padding = array{ 1, 1 }, "same"
      common.dilation, common.bias_constraint = rnd() * 2, null
      obj = Conv2D(common)
    else
      common.axis, common.momentum, common.epsilon = -1, 0.99, 1e-3 + rnd() * 1e-6
      common.center, common.gamma_constraint = true, null
      common.moving = { mean = array{ rnd(), rnd(), rnd() }, variance = array{ 1.0, 0.5 },
                        nested = { depth = 2, list = array{ array{ 1, 2 }, array{} } } }
      obj = BatchNorm(common)
    end
    obj.input_shape = array{ null, i }
    layers[i] = obj
  end
  return Model{ name = "bench_model", trainable = true, layers = layers }
end

-- ---- the objects ---------------------------------------------------------------

-- The distinct objects of a graph, parents before children, each once.
function M.objects(root)
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

local array_mt = kserial.json.array_mt

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
function M.compare(a, b, exact)
  local st = { ab = {}, ba = {}, objects = 0 }
  local err = compare(a, b, exact, st)
  if err then return "$" .. err end
  return nil, st.objects
end

-- The number of distinct objects in a graph of n layers.
function M.object_count(n)
  return 1 + 2 * n + (n + M.GROUP - 1) // M.GROUP
end

return M

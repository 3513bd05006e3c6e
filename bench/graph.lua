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
-- graph.use(), which is kserial.deserialize, plain's deserialize, or
-- floor.child. The parts every graph shares are in graphlib.lua; run.lua
-- --graph model (the default) runs this one.
local kserial = require "kserial"
local lib = require "graphlib"

local null = kserial.null
local array = kserial.json.array
local string_format = string.format
local child, class = lib.child, lib.class

local M = {}

M.GROUP = 4          -- layers sharing one regularizer
M.PACKAGE = "bench"  -- registered names are "bench>ClassName"

-- ---- classes -------------------------------------------------------------------

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

lib.finish(M)

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

-- The number of distinct objects in a graph of n layers.
function M.object_count(n)
  return 1 + 2 * n + (n + M.GROUP - 1) // M.GROUP
end

-- The number of shared_object_id in its document (written on every
-- envelope of an object held more than once): every layer's regularizer
-- reference, but that of a last group of one layer.
function M.shared_count(n)
  return n - ((n % M.GROUP == 1) and 1 or 0)
end

return M

-- bench/graph_dense.lua - the second bench graph (run.lua --graph dense): a
-- Keras Sequential of N Dense layers, shaped like what Keras 3 writes for
-- one (spec/data/keras, the 02_* Sequential). Not a test.
--
-- Many small objects and few plain values: each layer holds three or four
-- child objects, none shared:
--   dtype               a DTypePolicy envelope ({"name": "float32"}), as
--                       Keras writes it in every layer's config
--   activation          an activation object (ReLU, with two numbers)
--   kernel_regularizer  an L2 regularizer on every other layer, null on
--                       the others
-- plus a 4-number list (the layer's clip range and scale), strings,
-- integers, booleans and nulls. The model's own dtype is the one object
-- shared (held by the model and by layer 1), so shared_object_id appears
-- on those two envelopes, as in Keras's files. No build_config: the walk, not the hooks, is
-- what this graph weighs.
local kserial = require "kserial"
local lib = require "graphlib"

local null = kserial.null
local array = kserial.json.array
local string_format = string.format
local child, class = lib.child, lib.class

local M = {}

M.PACKAGE = "bench_dense"

-- ---- classes -------------------------------------------------------------------

-- Leaf objects: the default from_config (copy the config into a new object).
local DTypePolicy = class("DTypePolicy", "keras")
function DTypePolicy:get_config() return { name = self.name } end

local ReLU = class("ReLU", "keras.activations")
function ReLU:get_config()
  return { negative_slope = self.negative_slope, threshold = self.threshold }
end

local L2 = class("L2", "keras.regularizers")
function L2:get_config() return { l2 = self.l2 } end

local Dense = class("Dense", "keras.layers")
function Dense:get_config()
  return {
    name = self.name, trainable = self.trainable, dtype = self.dtype, units = self.units,
    activation = self.activation, use_bias = self.use_bias, clip = self.clip,
    kernel_regularizer = self.kernel_regularizer, bias_regularizer = self.bias_regularizer,
    kernel_constraint = self.kernel_constraint, bias_constraint = self.bias_constraint,
  }
end
function Dense.from_config(cls, c)
  local obj = cls.new(c)
  obj.dtype = child(c.dtype)
  obj.activation = child(c.activation)
  obj.kernel_regularizer = child(c.kernel_regularizer)
  return obj
end

local Sequential = class("Sequential", "keras")
function Sequential:get_config()
  return { name = self.name, trainable = self.trainable, dtype = self.dtype, layers = self.layers }
end
function Sequential.from_config(cls, c)
  local layers = {}
  for i, l in ipairs(c.layers) do layers[i] = child(l) end
  return cls.new{ name = c.name, trainable = c.trainable, dtype = child(c.dtype), layers = layers }
end

M.classes = { DTypePolicy, ReLU, L2, Dense, Sequential }
lib.finish(M)

-- ---- building ----------------------------------------------------------------

-- Builds the model with n layers. Deterministic: the same n gives the same
-- graph (and the same document) on every run.
function M.build(n)
  math.randomseed(20240607, n)
  local rnd = math.random
  local model_dtype = DTypePolicy{ name = "float32" }
  local layers = {}
  for i = 1, n do
    layers[i] = Dense{
      name = string_format("dense_%d", i), trainable = i % 9 ~= 0,
      dtype = i == 1 and model_dtype or DTypePolicy{ name = "float32" },
      units = rnd(1, 4096),
      activation = ReLU{ negative_slope = 0.0, threshold = rnd() * 0.1 },
      use_bias = i % 2 == 1,
      clip = array{ -rnd() * 10, rnd() * 10, rnd(), 1 + rnd() },
      kernel_regularizer = i % 2 == 0 and L2{ l2 = rnd() * 1e-2 } or null,
      bias_regularizer = null, kernel_constraint = null, bias_constraint = null,
    }
  end
  return Sequential{ name = "sequential", trainable = true, dtype = model_dtype, layers = layers }
end

-- The number of distinct objects in a graph of n layers: the model and its
-- dtype, then per layer the layer, its dtype (but layer 1's), its
-- activation, and an L2 on every other layer.
function M.object_count(n)
  return 2 + 3 * n - (n >= 1 and 1 or 0) + n // 2
end

-- The number of shared_object_id in its document (written on every
-- envelope of an object held more than once): the model's dtype, twice.
function M.shared_count(n)
  return n >= 1 and 2 or 0
end

return M

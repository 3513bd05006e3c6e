-- examples/declarative.lua - a small Keras-like library written with
-- declarative classes (kserial.class(name, spec)): no get_config or
-- from_config to write, every field checked, and a file written by version
-- 1 of the library (examples/data/model_v1.json) loaded by version 3.
--
--   build/kserial-lua examples/declarative.lua
local kserial = rawget(_G, "kserial") or require "kserial"
local here = (arg and arg[0] or ""):match("^(.*)/[^/]*$") or "."

-- ---- the library -------------------------------------------------------------------

local activations = {
  relu = function(x) return x > 0 and x or 0 end,
  linear = function(x) return x end,
  sigmoid = function(x) return 1 / (1 + math.exp(-x)) end,
}

local GlorotUniform = kserial.class("GlorotUniform", { fields = {
  seed = { "integer", optional = true },
} })

local Layer = kserial.class("Layer", { fields = {
  name = "string",
  trainable = { "boolean", default = true },
} })
function Layer:__tostring() return self.__name .. " " .. self.name end

-- Dense's config changed twice: version 2 renamed output_dim to units (as
-- Keras 2 did), version 3 renamed init to kernel_initializer and added
-- use_bias.
local Dense = kserial.class("Dense", {
  extends = Layer,
  version = 3,
  fields = {
    units = { "integer", min = 1 },
    activation = { "function", default = activations.linear },
    use_bias = { "boolean", default = true },
    kernel_initializer = { "object", class = GlorotUniform, optional = true },
  },
  upgrade = {
    [1] = function(c) c.units, c.output_dim = c.output_dim, nil; return c end,
    [2] = function(c) c.kernel_initializer, c.init = c.init, nil; return c end,
  },
})

local Dropout = kserial.class("Dropout", { extends = Layer, fields = {
  rate = { "number", min = 0, max = 1 },
} })

local Sequential = kserial.class("Sequential", { fields = {
  name = "string",
  layers = { "array", of = { "object", class = Layer } },
} })
function Sequential:init()                  -- runs after the fields are set
  self.by_name = {}
  for _, l in ipairs(self.layers) do self.by_name[l.name] = l end
end

kserial.register_module("toy.initializers", { GlorotUniform = GlorotUniform })
kserial.register_module("toy.layers", { Dense = Dense, Dropout = Dropout })
kserial.register_module("toy.models", { Sequential = Sequential })
for name, fn in pairs(activations) do kserial.register_serializable("toy", name)(fn) end

-- ---- load the version-1 file with the version-3 classes ---------------------------------

local f = assert(io.open(here .. "/data/model_v1.json"))
local text = f:read("a")
f:close()
-- Keras writes built-in activations by bare name: "relu"
local model = kserial.loads(text, { custom_objects = activations })
local hidden, logits = model.by_name.hidden, model.by_name.logits
assert(getmetatable(hidden) == Dense and hidden.activation == activations.relu)
assert(hidden.kernel_initializer.seed == 42 and logits.kernel_initializer == nil)
print(string.format("loaded a version-1 file with version-3 classes: %d layers; %s units %d, "
                    .. "%s units %d, %s rate %.2f", #model.layers, tostring(hidden), hidden.units,
                    tostring(logits), logits.units, tostring(model.layers[2]), model.layers[2].rate))

-- Saved again, it is a version-3 file, and it loads back the same.
local v3 = kserial.dumps(model, { indent = 2 })
assert(v3:find('"__version__": 3', 1, true) and v3:find('"units": 64', 1, true))
assert(kserial.dumps(kserial.loads(v3), { indent = 2 }) == v3)
print("saved as version 3 and loaded back: round trip ok")

-- ---- mistakes, in code and in files ------------------------------------------------------------

local ok, err = pcall(Dense.new, { name = "d", units = -3 })
assert(not ok)
print("refused in code: " .. err)

local broken = text:gsub('"output_dim": 10', '"output_dim": 0')
ok, err = pcall(kserial.loads, broken, { custom_objects = activations })
assert(not ok)
print("refused in a file: " .. err)

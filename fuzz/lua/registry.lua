-- registry.lua: the fixed registry the kserial fuzz targets run against.
--
--   local R = registry(kserial [, opts])
--
-- Registers, in the engine of `kserial`, what a host library and a user
-- program would: generic classes for the Keras modules and names of the
-- shared corpus, registered functions and a module of activations, and a
-- set of "Fuzz>..." classes whose hooks misbehave on purpose (raise, return
-- nil, leave a scope open, call back into kserial). Nothing here is random,
-- so a crash file replays the same way (the fuzz targets and
-- spec/hostile/fuzz_regressions_spec.lua both run it).
--
-- opts.reentrant = false leaves out the classes whose from_config reads a
-- second document hidden in a string (kserial.scan cannot see inside those).
--
-- Returns R with:
--   R.custom       bare Keras 2 names -> classes (for custom_objects)
--   R.activations  the "keras.activations" module table
--   R.modules      module name -> members, as registered
--   R.functions    set of every function registered anywhere (a function
--                  outside this set in a result was made from a lambda)
--   R.known        set of every class and function a document can name
--   R.lambdas_are_good(doc)  whether every lambda of a decoded document holds
--                  known-good bytecode (the only documents run unsafe)
--   R.error_value  the table Fuzz>TableRaiser raises (errors that are not
--                  strings pass through kserial untouched)
--   R.probe(state) / R.expect_safe: see Fuzz>SafeProbe
return function(kserial, opts)
  opts = opts or {}
  local json = kserial.json
  local null = kserial.null
  local R = { modules = {}, functions = {}, custom = {} }
  R.error_value = setmetatable({}, { __name = "fuzz.error" })
  -- The safe mode the running top-level call must see inside every hook; a
  -- hook that sees safe mode off while this is true found a bypass.
  R.expect_safe = true
  R.violations = {}

  local function violation(msg) R.violations[#R.violations + 1] = msg end

  local function check_safe(where)
    if R.expect_safe and not kserial.in_safe_mode() then
      violation(where .. ": safe mode is off inside a safe call")
    end
  end

  -- ---- generic classes: keep the config, deserialize the parts ----------
  local Generic = {}
  Generic.__index = Generic

  local ACT_OPTS = { printable_module_name = "activation" }

  function Generic.from_config(cls, config)
    check_safe("from_config")
    local obj = setmetatable({ cfg = config, parts = {} }, cls)
    for k, v in pairs(config) do
      if type(v) == "table" then
        obj.parts[k] = kserial.deserialize(v)
      elseif k == "activation" and type(v) == "string" then
        obj.parts[k] = kserial.deserialize(v, ACT_OPTS)
      end
    end
    return obj
  end

  function Generic:get_config() return self.cfg end
  function Generic:build_from_config(c)
    check_safe("build_from_config")
    self.build = c
    self.built = kserial.deserialize(c)
  end
  function Generic:get_build_config() return self.build end
  function Generic:compile_from_config(c)
    check_safe("compile_from_config")
    self.compile = c
    self.compiled = kserial.deserialize(c)
  end
  function Generic:get_compile_config() return self.compile end

  -- One class per name, so that serialize writes the same names back.
  local function generic(name, module)
    local cls = setmetatable({ __name = name, __module = module }, { __index = Generic })
    cls.__index = cls
    return cls
  end

  local KERAS3 = {
    ["keras"] = { "DTypePolicy", "Sequential", "Model", "Functional" },
    ["keras.initializers"] = { "GlorotUniform", "Ones", "OrthogonalInitializer",
      "RandomUniform", "RandomNormal", "VarianceScaling", "Zeros" },
    ["keras.layers"] = { "Activation", "Add", "BatchNormalization", "Concatenate",
      "Conv1D", "Conv2D", "Dense", "DepthwiseConv2D", "Dropout", "Embedding", "Flatten",
      "GlobalAveragePooling1D", "GlobalAveragePooling2D", "InputLayer", "LSTM", "Lambda",
      "LayerNormalization", "MaxPooling2D", "MultiHeadAttention", "Multiply",
      "Normalization", "RandomFlip", "RandomRotation", "RandomZoom", "ReLU", "Rescaling",
      "Reshape", "TextVectorization", "UpSampling2D", "ZeroPadding2D", "Bidirectional",
      "TimeDistributed", "InputSpec" },
    ["keras.losses"] = { "SparseCategoricalCrossentropy" },
    ["keras.metrics"] = { "MeanMetricWrapper" },
    ["keras.optimizers"] = { "Adam", "RMSprop" },
    ["keras.regularizers"] = { "L2" },
    ["keras.src.engine.functional"] = { "Functional" },
    ["keras.src.models.functional"] = { "Functional" },
    ["keras.src.ops.numpy"] = { "Add" },
    ["questions_solution"] = { "PositionalEmbedding", "TransformerEncoder" },
  }
  local KERAS2 = { "Activation", "Adam", "Add", "BatchNormalization", "Bidirectional",
    "ClusteringLayer", "Conv2D", "Convolution2D", "Cropping2D", "Dense",
    "DepthwiseConv2D", "Dropout", "Embedding", "Flatten", "Functional",
    "GlobalAveragePooling2D", "GlorotUniform", "InputLayer", "InputSpec", "L1Distance",
    "L2", "LSTM", "Lambda", "MaxPooling2D", "MeanMetricWrapper", "Model", "Multiply",
    "Ones", "Orthogonal", "RMSprop", "RandomFlip", "RandomNormal", "RandomRotation",
    "RandomUniform", "ReLU", "Rescaling", "Reshape", "Sequential",
    "SparseCategoricalCrossentropy", "TFOpLambda", "TimeDistributed", "VAE",
    "VarianceScaling", "ZeroPadding2D" }
  local REGISTERED = {   -- package, name (registered_name "package>name")
    { "keras_hub", "ESMBackbone" }, { "keras_hub", "ESMMaskedPLM" },
    { "keras_hub", "ESMMaskedPLMPreprocessor" }, { "keras_hub", "ESMTokenizer" },
    { "legacy_nested_container", "NestedDenseModel" }, { "Custom", "Adam" },
  }

  local module_names = {}
  for m in pairs(KERAS3) do module_names[#module_names + 1] = m end
  table.sort(module_names)
  for _, m in ipairs(module_names) do
    local members = {}
    for _, name in ipairs(KERAS3[m]) do members[name] = generic(name, nil) end
    kserial.register_module(m, members)
    R.modules[m] = members
  end
  for _, name in ipairs(KERAS2) do R.custom[name] = generic(name, nil) end
  for _, pn in ipairs(REGISTERED) do
    kserial.register_serializable(pn[1], pn[2])(generic(pn[2], nil))
  end

  -- ---- functions ---------------------------------------------------------
  local function fn(name)
    local f = function(x) return x end
    R.functions[f] = name
    return f
  end
  R.activations = {}
  for _, name in ipairs({ "relu", "sigmoid", "tanh", "softmax", "linear", "gelu",
                          "swish", "elu", "selu", "softplus", "silu" }) do
    R.activations[name] = fn(name)
  end
  kserial.register_module("keras.activations", R.activations)
  R.modules["keras.activations"] = R.activations
  ACT_OPTS.module_objects = R.activations
  kserial.register_serializable("Fuzz", "square")(fn("square"))
  kserial.register_serializable("Fuzz", "relu")(fn("Fuzz>relu"))
  kserial.register_serializable("other", "cube")(fn("cube"))
  local mod = { helper = fn("helper") }

  -- ---- classes that misbehave on purpose ----------------------------------
  local function fuzz_class(name)
    local cls = { __name = name }
    cls.__index = cls
    function cls:get_config() return self.cfg or {} end
    return cls
  end
  local function register(cls) return kserial.register_serializable("Fuzz")(cls) end

  local Raiser = fuzz_class("Raiser")
  function Raiser.from_config(_, config)
    check_safe("Raiser")
    error("Raiser refuses " .. tostring(config.msg), 0)
  end
  register(Raiser)

  local TableRaiser = fuzz_class("TableRaiser")
  function TableRaiser.from_config() error(R.error_value) end
  register(TableRaiser)

  local NilReturner = fuzz_class("NilReturner")
  function NilReturner.from_config() return nil end
  register(NilReturner)

  local NoFromConfig = fuzz_class("NoFromConfig")
  register(NoFromConfig)

  -- Leaves a scope open: kserial must close it and fail the call.
  local ScopeLeaker = fuzz_class("ScopeLeaker")
  function ScopeLeaker.from_config(cls, config)
    if config.safe ~= nil then
      kserial.safe_mode_scope(config.safe == true)
    else
      kserial.custom_object_scope({ Leaked = ScopeLeaker })
    end
    return setmetatable({ cfg = config }, cls)
  end
  register(ScopeLeaker)

  -- Closes a scope it did not open (out of order) when asked to.
  local Scoped = fuzz_class("Scoped")
  function Scoped.from_config(cls, config)
    local _scope <close> = kserial.custom_object_scope({ Inner = Raiser, Dense = Scoped })
    local obj = setmetatable({ cfg = config }, cls)
    if type(config.child) == "table" then obj.child = kserial.deserialize(config.child) end
    if config.raise then error("Scoped raises with its scope open", 0) end
    return obj
  end
  register(Scoped)

  -- Tries to turn safe mode off for its parts; must not manage to.
  local Nested = fuzz_class("Nested")
  function Nested.from_config(cls, config)
    check_safe("Nested")
    local obj = setmetatable({ cfg = config }, cls)
    if config.child ~= nil then
      obj.child = kserial.deserialize(config.child, { safe_mode = false })
    end
    if config.with ~= nil then
      obj.with = kserial.with_custom_objects({ With = Raiser }, kserial.deserialize,
                                             config.with, { custom_objects = R.custom })
    end
    check_safe("Nested (after)")
    return obj
  end
  register(Nested)

  -- Swallows the errors of its parts, as user code often does: what a failed
  -- nested call leaves behind must not leak into the rest of the document.
  local Tolerant = fuzz_class("Tolerant")
  function Tolerant.from_config(cls, config)
    local obj = setmetatable({ cfg = config, parts = {}, errors = 0 }, cls)
    for k, v in pairs(config) do
      local ok, res = pcall(kserial.deserialize, v)
      if ok then obj.parts[k] = res else obj.errors = obj.errors + 1 end
    end
    check_safe("Tolerant")
    return obj
  end
  register(Tolerant)

  -- Calls back into the other entry points while a deserialize runs.
  local Reenter = fuzz_class("Reenter")
  function Reenter.from_config(cls, config)
    local obj = setmetatable({ cfg = config }, cls)
    -- (a nested document is loaded in safe mode only: its lambdas are not
    -- checked against R.good_bytecode)
    if type(config.text) == "string" and kserial.in_safe_mode() then
      obj.loaded = kserial.loads(config.text)
    end
    if config.dump ~= nil then obj.dumped = kserial.dumps(config.dump) end
    obj.scan = kserial.scan(config)
    obj.name = kserial.get_registered_name(cls)
    return obj
  end
  if opts.reentrant ~= false then register(Reenter) end

  -- get_config misbehaves (for dumps of what was loaded).
  local BadConfig = fuzz_class("BadConfig")
  function BadConfig.from_config(cls, config) return setmetatable({ cfg = config }, cls) end
  function BadConfig:get_config()
    local mode = self.cfg.mode
    if mode == 1 then error("get_config raises", 0) end
    if mode == 2 then return "not a table" end
    if mode == 3 then return { self = self } end   -- a cycle
    if mode == 4 then return { f = print } end     -- a C function
    return self.cfg
  end
  register(BadConfig)

  -- A subclass through the __index chain (from_config inherited).
  local Base = fuzz_class("Base")
  function Base.from_config(cls, config) return setmetatable({ cfg = config }, cls) end
  register(Base)
  local Derived = setmetatable({ __name = "Derived" }, { __index = Base })
  Derived.__index = Derived
  register(Derived)

  -- An object (not a class) where a class is expected; a function too.
  -- (Numbers and strings cannot be registered: they never resolve.)
  kserial.get_custom_objects()["NotAClass"] = { "just a table" }
  kserial.get_custom_objects()["Fuzz>Number"] = setmetatable({}, { __name = "Number" })

  kserial.register_module("fuzz.mod", { Base = Base, helper = mod.helper, Raiser = Raiser })
  R.modules["fuzz.mod"] = { Base = Base, helper = mod.helper, Raiser = Raiser }

  -- A userdata class from C, when the host gives one.
  if opts.userdata_class then register(opts.userdata_class) end

  -- A special value with a handler.
  kserial.register_special("__fuzz__", {
    decode = function(cfg)
      if type(cfg) ~= "table" then error("__fuzz__ wants a dict", 0) end
      if cfg.raise then error(R.error_value) end
      return setmetatable({ value = kserial.deserialize(cfg.value) }, { __name = "fuzz.special" })
    end,
  })

  -- A special with both directions whose handlers call back into kserial
  -- the ways a program's handlers do: a nested deserialize (asking for
  -- safe_mode = false when the document says "unsafe", which must not lift
  -- a safe call), a custom-object scope around it, a raise, and an encode
  -- that serializes the value again. Every call must see the running
  -- call's safe mode (check_safe) like from_config does.
  local NESTED_MT = { __name = "fuzz.nested" }
  kserial.register_special("__fuzz_nested__", {
    decode = function(cfg)
      check_safe("special decode")
      if type(cfg) ~= "table" then error("__fuzz_nested__ wants a dict", 0) end
      if cfg.raise then error("__fuzz_nested__ raises", 0) end
      local dopts = cfg.unsafe == true and { safe_mode = false } or nil
      local _scope <close> = cfg.scope and kserial.custom_object_scope({ Scoped = R.custom.Dense }) or nil
      return setmetatable({ value = kserial.deserialize(cfg.value, dopts) }, NESTED_MT)
    end,
    encode = function(v)
      if getmetatable(v) ~= NESTED_MT then return nil end
      check_safe("special encode")
      return { value = kserial.serialize(v.value) }
    end,
  })

  -- Lambdas: Lua's loader does not check binary chunks ("maliciously
  -- crafted binary chunks can crash the interpreter", Lua 5.4 manual, load), so a
  -- mutated bytecode string crashes inside liblua whatever kserial does.
  -- The harnesses run safe_mode = false only on documents whose lambdas
  -- hold exactly one of these known-good chunks (base64 as serialize writes
  -- it); any other document runs in safe mode instead.
  R.lambdas = { load("local x = ... return x"), load("return function() return 1 end"),
                load("return 1") }
  R.good_bytecode = {}
  for _, f in ipairs(R.lambdas) do
    R.good_bytecode[kserial.serialize(f).config.value] = true
  end

  -- Whether every lambda envelope in the decoded document `doc` holds good
  -- bytecode (class names compared whole, as kserial does).
  function R.lambdas_are_good(doc)
    local seen = {}
    local function walk(v, depth)
      if type(v) ~= "table" or seen[v] or depth > 10000 then return true end
      seen[v] = true
      local cn = rawget(v, "class_name")
      if cn == "__lambda__" then
        local cfg = rawget(v, "config")
        local value = type(cfg) == "table" and rawget(cfg, "value")
        if type(value) == "string" and not R.good_bytecode[value] then return false end
      end
      for _, x in next, v do
        if not walk(x, depth + 1) then return false end
      end
      return true
    end
    return walk(doc, 0)
  end

  -- Everything a document may name (classes, functions, plain values): a
  -- result may hold these themselves, e.g. a string that names a class.
  R.known = {}
  local function know(t)
    for _, v in pairs(t) do
      if type(v) == "table" or type(v) == "function" then R.known[v] = true end
    end
  end
  know(kserial.get_custom_objects())
  know(R.custom)
  for _, members in pairs(R.modules) do know(members) end
  know({ Raiser = Raiser, ScopeLeaker = ScopeLeaker, Scoped = Scoped })
  for f in pairs(R.functions) do R.known[f] = true end

  R.json = json
  R.null = null
  return R
end

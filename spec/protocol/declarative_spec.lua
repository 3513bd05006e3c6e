-- Declarative classes: kserial.class(name, spec). Fields are checked on
-- construction and in from_config (with the document path), get_config and
-- from_config are generated, versions are upgraded, and nothing is left
-- behind by an error.
local kserial = require "kserial"
local null = kserial.null
local json = kserial.json
local registry_snapshot = require("ks_helpers").registry_snapshot

local function err_of(f, ...)
  local ok, e = pcall(f, ...)
  assert.is_false(ok, "expected an error")
  return e
end

local function env(name, config, extra)
  local e = { module = null, class_name = name, config = config, registered_name = "decl>" .. name }
  for k, v in pairs(extra or {}) do e[k] = v end
  return e
end

local reg = kserial.register_serializable("decl")

local function relu(x) return x > 0 and x or 0 end
local function linear(x) return x end
kserial.register_serializable("decl", "relu")(relu)
kserial.register_serializable("decl", "linear")(linear)
kserial.get_custom_objects().linear = linear   -- a bare name, as Keras writes built-ins
kserial.get_custom_objects().relu = relu

local Init = kserial.class("DeclInit", { fields = { seed = { "integer", optional = true } } })
local OtherInit = kserial.class("DeclOtherInit", { extends = Init })
local Unrelated = kserial.class("DeclUnrelated", { fields = {} })
reg(Init); reg(OtherInit); reg(Unrelated)

local Dense = kserial.class("DeclDense", {
  fields = {
    units      = { "integer", min = 1 },
    activation = { "function", default = "linear" },
    use_bias   = { "boolean", default = true },
    rate       = { "number", default = 0.0, min = 0, max = 1 },
    padding    = { "string", default = "valid", choices = { "valid", "same" } },
    kernel     = { "object", class = Init, optional = true },
    shape      = { "array", of = "integer", optional = true },
    meta       = { "dict", of = "number", default = { a = 1 } },
  },
})
reg(Dense)

local Model = kserial.class("DeclModel", { fields = {
  name = { "string", default = "model" },
  layers = { "array", of = { "object", class = Dense } },
} })
reg(Model)

describe("declarative classes: construction", function()
  it("checks every field, fills defaults and holds fields as ordinary keys", function()
    local d = Dense{ units = 4 }
    assert.equal(Dense, getmetatable(d))
    assert.equal(4, rawget(d, "units"))
    assert.equal(linear, d.activation)            -- the default name, resolved
    assert.is_true(d.use_bias)
    assert.equal(0.0, d.rate)
    assert.equal("valid", d.padding)
    assert.is_nil(d.kernel)
    assert.same({ a = 1 }, d.meta)
  end)

  it("Dense{}, Dense.new{} and Dense:new{} are the same", function()
    for _, make in ipairs({ function(t) return Dense(t) end, function(t) return Dense.new(t) end,
                            function(t) return Dense:new(t) end }) do
      local d = make{ units = 2, padding = "same" }
      assert.equal(Dense, getmetatable(d))
      assert.equal(2, d.units)
      assert.equal("same", d.padding)
    end
  end)

  it("names the field and the constraint in the message, at the caller's line", function()
    local e = err_of(function() local d = Dense{ units = -3 }; return d end)
    assert.matches("declarative_spec%.lua:%d+: kserial: DeclDense: field 'units' must be an integer >= 1, got %-3$", e)
    assert.equal("kserial: DeclDense: field 'units' is required", err_of(Dense.new, {}))
    assert.equal("kserial: DeclDense: field 'units' must be an integer >= 1, got null",
                 err_of(Dense.new, { units = null }))
  end)

  it("integer is strict: 3.0 is a float and is refused", function()
    assert.equal("kserial: DeclDense: field 'units' must be an integer >= 1, got 3.0",
                 err_of(Dense.new, { units = 3.0 }))
    assert.equal("kserial: DeclDense: field 'units' must be an integer >= 1, got \"3\"",
                 err_of(Dense.new, { units = "3" }))
  end)

  it("number: integers and floats within min and max; NaN is refused", function()
    assert.equal(1, Dense{ units = 1, rate = 1 }.rate)
    assert.equal(0.5, Dense{ units = 1, rate = 0.5 }.rate)
    assert.equal("kserial: DeclDense: field 'rate' must be a number between 0 and 1, got 1.5",
                 err_of(Dense.new, { units = 1, rate = 1.5 }))
    assert.matches("field 'rate' must be a number between 0 and 1, got %-?nan",
                   err_of(Dense.new, { units = 1, rate = 0 / 0 }))
    assert.matches("field 'rate' must be a number between 0 and 1, got true",
                   err_of(Dense.new, { units = 1, rate = true }))
  end)

  it("boolean, string and choices", function()
    assert.equal("kserial: DeclDense: field 'use_bias' must be a boolean, got 1",
                 err_of(Dense.new, { units = 1, use_bias = 1 }))
    assert.equal("kserial: DeclDense: field 'padding' must be one of \"valid\", \"same\", got \"full\"",
                 err_of(Dense.new, { units = 1, padding = "full" }))
    local C = kserial.class("DeclChoices", { fields = { k = { "integer", choices = { 1, 3 } } } })
    assert.equal(3, C{ k = 3 }.k)
    assert.equal("kserial: DeclChoices: field 'k' must be one of 1, 3, got 2", err_of(C.new, { k = 2 }))
  end)

  it("array: a table with keys 1..n (or a JSON array), each element checked", function()
    assert.same({ 1, 2 }, Dense{ units = 1, shape = { 1, 2 } }.shape)
    assert.same({}, Dense{ units = 1, shape = json.array{} }.shape)
    assert.equal("kserial: DeclDense: field 'shape' item 2 must be an integer, got \"x\"",
                 err_of(Dense.new, { units = 1, shape = { 1, "x" } }))
    assert.equal("kserial: DeclDense: field 'shape' must be an array, got a table with the key \"a\"",
                 err_of(Dense.new, { units = 1, shape = { a = 1 } }))
    assert.equal("kserial: DeclDense: field 'shape' must be an array, got a table with holes",
                 err_of(Dense.new, { units = 1, shape = { 1, nil, 3 } }))
    assert.equal("kserial: DeclDense: field 'shape' must be an array, got a dict",
                 err_of(Dense.new, { units = 1, shape = json.object{} }))
    local Opt = kserial.class("DeclOptElems", { fields = { s = { "array", of = { "integer", optional = true } } } })
    assert.same({ null, 3 }, Opt{ s = { null, 3 } }.s)   -- Keras's [null, 28]
  end)

  it("dict: string keys, each value checked", function()
    assert.equal("kserial: DeclDense: field 'meta' key \"b\" must be a number, got \"x\"",
                 err_of(Dense.new, { units = 1, meta = { a = 1, b = "x" } }))
    assert.equal("kserial: DeclDense: field 'meta' must be a dict (string keys), got the key 1",
                 err_of(Dense.new, { units = 1, meta = { 5 } }))
    assert.equal("kserial: DeclDense: field 'meta' must be a dict (string keys), got an array",
                 err_of(Dense.new, { units = 1, meta = json.array{} }))
  end)

  it("object: what serialize takes for one, also when the methods sit in another __index table", function()
    local Box = { __name = "DeclBox", __index = { get_config = function() return { kind = "box" } end } }
    local box = setmetatable({}, Box)
    local Any = kserial.class("DeclAnyBox", { fields = { o = "object" } })
    assert.equal(box, Any{ o = box }.o)
    assert.matches('"o":{"module":null,"class_name":"DeclBox","config":{"kind":"box"}',
                   kserial.dumps(Any{ o = box }), 1, true)
    local NoCfg = setmetatable({}, { __name = "DeclNoCfg", __index = {} })
    assert.equal("kserial: DeclAnyBox: field 'o' must be an object, got a DeclNoCfg object",
                 err_of(Any.new, { o = NoCfg }))
  end)

  it("object: an instance of the class or of a subclass", function()
    local i = Init{ seed = 1 }
    assert.equal(i, Dense{ units = 1, kernel = i }.kernel)
    local o = OtherInit{}
    assert.equal(o, Dense{ units = 1, kernel = o }.kernel)
    assert.equal("kserial: DeclDense: field 'kernel' must be a DeclInit object, got a DeclUnrelated object",
                 err_of(Dense.new, { units = 1, kernel = Unrelated{} }))
    assert.equal("kserial: DeclDense: field 'kernel' must be a DeclInit object, got a table",
                 err_of(Dense.new, { units = 1, kernel = { seed = 1 } }))
    assert.equal("kserial: DeclDense: field 'kernel' must be a DeclInit object, got the class DeclInit",
                 err_of(Dense.new, { units = 1, kernel = Init }))
    local Any = kserial.class("DeclAnyObject", { fields = { o = "object" } })
    assert.equal(i, Any{ o = i }.o)
    assert.equal("kserial: DeclAnyObject: field 'o' must be an object, got 5", err_of(Any.new, { o = 5 }))
    -- "an" before a vowel, in what is wanted and in what was got
    local Ident = kserial.class("IdentityDeclInit", { fields = {} })
    local Holder = kserial.class("DeclHolder", { fields = { e = { "object", class = Ident } } })
    assert.equal("kserial: DeclHolder: field 'e' must be an IdentityDeclInit object, got 5",
                 err_of(Holder.new, { e = 5 }))
    assert.equal("kserial: DeclDense: field 'kernel' must be a DeclInit object, got an IdentityDeclInit object",
                 err_of(Dense.new, { units = 1, kernel = Ident{} }))
  end)

  it("function: a function, or a registered function's name", function()
    assert.equal(relu, Dense{ units = 1, activation = "relu" }.activation)
    local f = function() end
    assert.equal(f, Dense{ units = 1, activation = f }.activation)
    assert.equal("kserial: DeclDense: field 'activation' must be a function; no registered function is named \"nope\"",
                 err_of(Dense.new, { units = 1, activation = "nope" }))
    assert.equal("kserial: DeclDense: field 'activation' must be a function or a registered function's name, got 3",
                 err_of(Dense.new, { units = 1, activation = 3 }))
  end)

  it("function: a bare name resolves as its function envelope does (the only key ending in >name)", function()
    -- unique names, registered as the rest of this file registers its own
    local function tanh_x(x) return x end
    kserial.register_serializable("declbare", "decl_tanh_x")(tanh_x)
    kserial.register_serializable("declA", "decl_dup_fn")(function() end)
    kserial.register_serializable("declB", "decl_dup_fn")(function() end)
    assert.equal(tanh_x, Dense{ units = 1, activation = "decl_tanh_x" }.activation)
    -- the envelope form and the bare name agree, in a file too
    assert.equal(tanh_x, kserial.deserialize({ module = null, class_name = "function",
      config = "decl_tanh_x", registered_name = "function" }))
    local d = kserial.deserialize(env("DeclDense", { units = 2, activation = "decl_tanh_x" }))
    assert.equal(tanh_x, d.activation)
    -- a name two keys end in resolves nowhere
    assert.equal("kserial: DeclDense: field 'activation' must be a function; no registered function is named \"decl_dup_fn\"",
                 err_of(Dense.new, { units = 1, activation = "decl_dup_fn" }))
    -- and a default given by a bare name round-trips in safe mode
    local B = kserial.class("DeclBareDefault", { fields = { f = { "function", default = "decl_tanh_x" } } })
    reg(B)
    assert.equal(tanh_x, kserial.loads(kserial.dumps(B{})).f)
  end)

  it("shows long or odd strings cut, escaped and valid UTF-8", function()
    local long = string.rep("a", 59) .. "é" .. string.rep("b", 40)
    local e = err_of(Dense.new, { units = long })
    assert.equal("kserial: DeclDense: field 'units' must be an integer >= 1, got \""
                 .. string.rep("a", 59) .. '..."', e)
    assert.is_not_nil(utf8.len(e))
    e = err_of(Dense.new, { units = 'a\0"b' })
    assert.equal('kserial: DeclDense: field \'units\' must be an integer >= 1, got "a\\x00\\"b"', e)
  end)

  it("any, and the shorthand of a type name alone (required)", function()
    local A = kserial.class("DeclAny", { fields = { x = "any", n = "integer" } })
    local t = {}
    assert.equal(t, A{ x = t, n = 1 }.x)
    assert.equal("kserial: DeclAny: field 'x' is required", err_of(A.new, { n = 1 }))
    assert.equal("kserial: DeclAny: field 'n' must be an integer, got 1.5", err_of(A.new, { x = 1, n = 1.5 }))
  end)

  it("a default table is copied for each instance, deeply", function()
    local C = kserial.class("DeclCopied", { fields = { m = { "dict", default = { inner = { 1 } } } } })
    local a, b = C{}, C{}
    assert.are_not.equal(a.m, b.m)
    a.m.inner[1] = 99
    assert.equal(1, b.m.inner[1])
    assert.equal(1, C{}.m.inner[1])
  end)

  it("optional: nil is the default (or no value); kserial.null is no value", function()
    local C = kserial.class("DeclOpt", { fields = {
      a = { "integer", optional = true }, b = { "integer", optional = true, default = 5 } } })
    local x = C{}
    assert.is_nil(x.a)
    assert.equal(5, x.b)
    local y = C{ b = null }
    assert.is_nil(rawget(y, "b"))
    assert.is_nil(y.b)
  end)

  it("unknown keys: an error naming the fields, or kept, or dropped", function()
    assert.equal("kserial: DeclDense: unknown field \"unit\" (fields: activation, kernel, meta, "
                 .. "padding, rate, shape, units, use_bias)", err_of(Dense.new, { unit = 4 }))
    local K = kserial.class("DeclKeep", { extra_keys = "keep", fields = { a = "integer" } })
    local k = K{ a = 1, note = "hi" }
    assert.equal("hi", k.note)
    assert.same({ a = 1, note = "hi" }, k:get_config())
    local D = kserial.class("DeclDrop", { extra_keys = "drop", fields = { a = "integer" } })
    local d = D{ a = 1, note = "hi" }
    assert.is_nil(d.note)
    assert.same({ a = 1 }, d:get_config())
  end)

  it("init(self) runs after the fields are set; an error in it builds nothing", function()
    local seen
    local C = kserial.class("DeclInitHook", { fields = { n = { "integer", default = 2 } } })
    function C:init() seen = self.n; self.double = self.n * 2 end
    local c = C{}
    assert.equal(2, seen)
    assert.equal(4, c.double)
    function C.init() error("no", 0) end
    assert.equal("no", err_of(C.new, {}))
  end)

  it("arguments must be a table of fields", function()
    assert.equal("kserial: DeclDense: fields must be given as a table, got 4", err_of(Dense.new, 4))
  end)
end)

describe("declarative classes: get_config", function()
  it("returns every field; optional ones without a value as null", function()
    local d = Dense{ units = 3, activation = relu }
    local c = d:get_config()
    assert.same({ units = 3, activation = relu, use_bias = true, rate = 0.0, padding = "valid",
                  kernel = null, shape = null, meta = { a = 1 } }, c)
  end)

  it("a required field the instance lost is an error, not a file that cannot load", function()
    local d = Dense{ units = 3 }
    d.units = nil
    local e = err_of(function() local c = d:get_config(); return c end)
    assert.matches("declarative_spec%.lua:%d+: kserial: DeclDense: get_config%(%): field 'units' is "
                   .. "required but the instance has no value$", e)
    e = err_of(kserial.dumps, { layer = d })
    assert.matches("field 'units' is required but the instance has no value.*%(at %$%.layer%)$", e)
    d.kernel = nil                                   -- optional: written as null
    d.units = 1
    assert.equal(null, d:get_config().kernel)
  end)

  it("objects and functions go through serialize", function()
    local text = kserial.dumps(Dense{ units = 3, activation = relu, kernel = Init{ seed = 7 } })
    assert.matches('"activation":{"module":null,"class_name":"function","config":"decl>relu"', text, 1, true)
    assert.matches('"kernel":{"module":null,"class_name":"DeclInit","config":{"seed":7}', text, 1, true)
    assert.not_matches("__version__", text, 1, true)     -- no version declared
  end)

  it("an empty array round-trips: a plain {} given to an array becomes a JSON array", function()
    local E = kserial.class("DeclEmpties", { fields = {
      a = { "array", default = {} }, ai = { "array", of = "integer", optional = true },
      nested = { "array", of = { "array", of = "integer" }, optional = true },
      d = { "dict", of = { "array" }, optional = true }, m = { "dict", default = {} } } })
    reg(E)
    local e = E{ ai = {}, nested = { {}, { 1 } }, d = { x = {} } }
    local text = kserial.dumps(e)
    assert.matches('"a":[]', text, 1, true)
    assert.matches('"ai":[]', text, 1, true)
    assert.matches('"nested":[[],[1]]', text, 1, true)
    assert.matches('"d":{"x":[]}', text, 1, true)
    assert.matches('"m":{}', text, 1, true)
    local back = kserial.loads(text)
    assert.equal(text, kserial.dumps(back))
    local m = Model{ layers = {} }                  -- a model without layers
    assert.same({}, kserial.loads(kserial.dumps(m)).layers)
    local nonempty = { 1 }
    assert.equal(nonempty, E{ ai = nonempty }.ai)    -- other tables are kept as given
  end)

  it("round-trips through dumps and loads", function()
    local m = Model{ layers = { Dense{ units = 3, shape = { 2, 3 }, kernel = Init{ seed = 1 } },
                                Dense{ units = 5, activation = "relu", kernel = OtherInit{} } } }
    local text = kserial.dumps(m)
    local back = kserial.loads(text)
    assert.equal(Model, getmetatable(back))
    assert.equal(Dense, getmetatable(back.layers[2]))
    assert.equal(relu, back.layers[2].activation)
    assert.equal(OtherInit, getmetatable(back.layers[2].kernel))
    assert.equal(text, kserial.dumps(back))
  end)
end)

describe("declarative classes: from_config", function()
  local function model_doc(layer3)
    local layers = {}
    for i = 1, 4 do layers[i] = env("DeclDense", { units = i }) end
    layers[4] = env("DeclDense", layer3)
    return env("DeclModel", { layers = layers })
  end

  it("reports a bad field with its path from the document's root", function()
    local e = err_of(kserial.deserialize, model_doc({ units = -3 }))
    assert.equal("kserial: DeclDense: field 'units' must be an integer >= 1, got -3 "
                 .. "(at $.config.layers[3].config.units)", e)
    e = err_of(kserial.loads, kserial.dumps(model_doc({ units = 1, shape = { 1, 2, "x" } })))
    assert.matches("kserial: DeclDense: field 'shape' item 3 must be an integer, got \"x\" "
                   .. "%(at %$%.config%.layers%[3%]%.config%.shape%[2%]%)$", e)
    e = err_of(kserial.deserialize, model_doc({ units = 1, meta = { ["a b"] = "x" } }))
    assert.equal("kserial: DeclDense: field 'meta' key \"a b\" must be a number, got \"x\" "
                 .. "(at $.config.layers[3].config.meta[\"a b\"])", e)
    e = err_of(kserial.deserialize, model_doc({}))
    assert.equal("kserial: DeclDense: field 'units' is required (at $.config.layers[3].config.units)", e)
    e = err_of(kserial.deserialize, model_doc({ units = 1, colour = "red" }))
    assert.equal("kserial: DeclDense: unknown field \"colour\" (fields: activation, kernel, meta, "
                 .. "padding, rate, shape, units, use_bias) (at $.config.layers[3].config.colour)", e)
  end)

  it("a top-level error gets the caller's line", function()
    local e = err_of(function() local d = kserial.deserialize(env("DeclDense", { units = 0 })); return d end)
    assert.matches("declarative_spec%.lua:%d+: kserial: DeclDense: field 'units' must be an integer "
                   .. ">= 1, got 0 %(at %$%.config%.units%)$", e)
  end)

  it("fills defaults and deserializes object and function fields", function()
    local d = kserial.deserialize(env("DeclDense", {
      units = 2, kernel = env("DeclInit", { seed = 9 }), activation = "relu" }))
    assert.equal(Init, getmetatable(d.kernel))
    assert.equal(9, d.kernel.seed)
    assert.equal(relu, d.activation)
    assert.equal("valid", d.padding)
    d = kserial.deserialize(env("DeclDense", { units = 2,
      activation = { module = null, class_name = "function", config = "decl>relu", registered_name = "decl>relu" } }))
    assert.equal(relu, d.activation)
    d = kserial.deserialize(env("DeclDense", { units = 2, kernel = null }))
    assert.is_nil(d.kernel)
  end)

  it("deserializes the objects and functions inside arrays, dicts and any fields", function()
    local C = kserial.class("DeclContainers", { fields = {
      inits = { "dict", of = { "object", class = Init } },
      acts = { "array", of = "function" },
      anything = "any",
    } })
    reg(C)
    local c = kserial.deserialize(env("DeclContainers", {
      inits = { a = env("DeclInit", { seed = 1 }) },
      acts = { "relu", { module = null, class_name = "function", config = "decl>linear",
                         registered_name = "decl>linear" } },
      anything = { x = env("DeclInit", {}) },
    }))
    assert.equal(Init, getmetatable(c.inits.a))
    assert.same({ relu, linear }, { c.acts[1], c.acts[2] })
    assert.equal(Init, getmetatable(c.anything.x))
    local e = err_of(kserial.deserialize, env("DeclContainers", {
      inits = { a = env("DeclUnrelated", {}) }, acts = json.array{}, anything = 1 }))
    assert.equal("kserial: DeclContainers: field 'inits' key \"a\" must be a DeclInit object, got a "
                 .. "DeclUnrelated object (at $.config.inits.a)", e)
    e = err_of(kserial.deserialize, env("DeclModel", { layers = { env("DeclDense", { units = 1 }),
                                                                 env("DeclInit", {}) } }))
    assert.equal("kserial: DeclModel: field 'layers' item 2 must be a DeclDense object, got a "
                 .. "DeclInit object (at $.config.layers[1])", e)
  end)

  it("a function field that names nothing, and an object of the wrong class", function()
    local e = err_of(kserial.deserialize, model_doc({ units = 1, activation = "nope" }))
    assert.equal("kserial: DeclDense: field 'activation' must be a function; no registered function "
                 .. "is named \"nope\" (at $.config.layers[3].config.activation)", e)
    e = err_of(kserial.deserialize, model_doc({ units = 1, kernel = env("DeclUnrelated", {}) }))
    assert.equal("kserial: DeclDense: field 'kernel' must be a DeclInit object, got a DeclUnrelated "
                 .. "object (at $.config.layers[3].config.kernel)", e)
  end)

  it("an error inside a nested object field keeps its own path", function()
    local e = err_of(kserial.deserialize, model_doc({ units = 1, kernel = env("DeclInit", { seed = "x" }) }))
    assert.equal("kserial: DeclInit: field 'seed' must be an integer, got \"x\" "
                 .. "(at $.config.layers[3].config.kernel.config.seed)", e)
  end)

  it("a lambda in a function field is refused in safe mode, loaded when unsafe", function()
    local lambda = kserial.serialize(load("return function(x) return x * 3 end")())
    local doc = env("DeclDense", { units = 1, activation = lambda })
    local e = err_of(kserial.deserialize, doc)
    assert.matches("Requested the deserialization of a lambda object.*%(at %$%.config%.activation%)$", e)
    local d = kserial.deserialize(doc, { safe_mode = false })
    assert.equal(6, d.activation(2))
  end)

  it("builds each nested object once, whichever field the checks stop at", function()
    local built = 0
    local Counted = kserial.class("DeclCounted", { extends = Init })
    local from_config = Counted.from_config
    function Counted.from_config(cls, c) built = built + 1; return from_config(cls, c) end
    reg(Counted)
    -- a subclass instance (not the field's exact class), a missing field
    -- with a default before it, and both
    for _, config in ipairs({
      { units = 1, kernel = env("DeclCounted", {}) },
      { units = 1, activation = "relu", kernel = env("DeclCounted", {}) },
      { units = 1, kernel = env("DeclCounted", {}), meta = { a = 2 } },
    }) do
      built = 0
      local d = kserial.deserialize(env("DeclDense", config))
      assert.equal(1, built)
      assert.equal(Counted, getmetatable(d.kernel))
    end
  end)

  it("extra_keys keep writes the kept keys back, drop forgets them", function()
    local K = kserial.class("DeclKeepLoad", { extra_keys = "keep", fields = { a = "integer" } })
    local D = kserial.class("DeclDropLoad", { extra_keys = "drop", fields = { a = "integer" } })
    reg(K); reg(D)
    local k = kserial.deserialize(env("DeclKeepLoad", { a = 1, future = { x = 1 } }))
    assert.same({ x = 1 }, k.future)
    assert.same({ a = 1, future = { x = 1 } }, k:get_config())
    local d = kserial.deserialize(env("DeclDropLoad", { a = 1, future = 2 }))
    assert.is_nil(d.future)
    assert.same({ a = 1 }, d:get_config())
  end)

  it("called directly (no deserialize running) it raises without a path", function()
    assert.equal("kserial: DeclDense: field 'units' is required", err_of(Dense.from_config, Dense, {}))
    local e = err_of(function() local d = Dense:from_config({ units = 0 }); return d end)
    assert.matches("declarative_spec%.lua:%d+: kserial: DeclDense: field 'units' must be an integer >= 1, got 0$", e)
    assert.equal("kserial: DeclDense: from_config() needs a config table, got 3",
                 err_of(Dense.from_config, Dense, 3))
  end)

  it("leaves nothing behind after an error", function()
    local before = registry_snapshot()
    for _ = 1, 3 do
      err_of(kserial.deserialize, model_doc({ units = 1, kernel = env("DeclInit", { seed = "x" }) }))
      assert.is_true(kserial.in_safe_mode())
      assert.same(before, registry_snapshot())
      local probe = kserial.custom_object_scope({})
      assert.has_no_error(function() probe:close() end)
    end
  end)
end)

describe("declarative classes: versions", function()
  local calls = {}
  local V = kserial.class("DeclVersioned", {
    version = 3,
    fields = { units = { "integer", min = 1 }, padding = { "string", default = "valid" } },
    upgrade = {
      [1] = function(c) calls[#calls + 1] = 1; c.units = c.output_dim; c.output_dim = nil; return c end,
      [2] = function(c) calls[#calls + 1] = 2; c.padding = c.border or "same"; c.border = nil; return c end,
    },
  })
  reg(V)

  before_each(function() calls = {} end)

  it("stores __version__ only when the class declares one", function()
    assert.same({ __version__ = 3, units = 2, padding = "valid" }, V{ units = 2 }:get_config())
    assert.is_nil(Dense{ units = 1 }:get_config().__version__)
  end)

  it("a config without __version__ is version 1 and is upgraded step by step", function()
    local doc = { output_dim = 5 }
    local v = kserial.deserialize(env("DeclVersioned", doc))
    assert.same({ 1, 2 }, calls)
    assert.equal(5, v.units)
    assert.equal("same", v.padding)
    assert.same({ output_dim = 5 }, doc)             -- the document is not changed
    calls = {}
    v = kserial.deserialize(env("DeclVersioned", { __version__ = 2, units = 4, border = "valid" }))
    assert.same({ 2 }, calls)
    assert.equal("valid", v.padding)
    calls = {}
    kserial.deserialize(env("DeclVersioned", { __version__ = 3, units = 4 }))
    assert.same({}, calls)
  end)

  it("loads the version-1 file written by the old class", function()
    local Old = kserial.class("DeclVersioned", { fields = { output_dim = "integer" } })
    local text = kserial.dumps(Old{ output_dim = 7 })
    local v = kserial.loads(text, { custom_objects = { DeclVersioned = V } })
    assert.equal(V, getmetatable(v))
    assert.equal(7, v.units)
  end)

  it("a config newer than the class is an error naming both versions", function()
    local e = err_of(kserial.deserialize, env("DeclModel", { layers = {
      env("DeclVersioned", { __version__ = 4, units = 1 }) } }))
    assert.equal("kserial: DeclVersioned: the config is version 4, newer than this class (version 3) "
                 .. "(at $.config.layers[0].config.__version__)", e)
    e = err_of(kserial.deserialize, env("DeclDense", { __version__ = 2, units = 1 }))
    assert.equal("kserial: DeclDense: the config is version 2, newer than this class (version 1) "
                 .. "(at $.config.__version__)", e)
    assert.equal(1, kserial.deserialize(env("DeclDense", { __version__ = 1, units = 1 })).units)
  end)

  it("__version__ must be an integer >= 1", function()
    local e = err_of(kserial.deserialize, env("DeclVersioned", { __version__ = "2", units = 1 }))
    assert.equal("kserial: DeclVersioned: \"__version__\" must be an integer >= 1, got \"2\" "
                 .. "(at $.config.__version__)", e)
  end)

  it("an upgrade step that raises or returns no table is an error naming it", function()
    local B = kserial.class("DeclBadUpgrade", { version = 3, fields = { a = "integer" }, upgrade = {
      [1] = function(c) return c end,
      [2] = function(c) if c.boom then error("boom", 0) end return c.nothing end,
    } })
    reg(B)
    local e = err_of(kserial.deserialize, env("DeclModel", { layers = { env("DeclBadUpgrade", { boom = true }) } }))
    assert.equal("kserial: DeclBadUpgrade: upgrade[2] (version 2 to 3) raised an error: boom "
                 .. "(at $.config.layers[0].config)", e)
    e = err_of(kserial.deserialize, env("DeclBadUpgrade", { a = 1 }))
    assert.equal("kserial: DeclBadUpgrade: upgrade[2] (version 2 to 3) must return the config "
                 .. "table, got nil (at $.config)", e)
  end)

  it("a field error after an upgrade names the upgraded key", function()
    local e = err_of(kserial.deserialize, env("DeclVersioned", { output_dim = 0 }))
    assert.equal("kserial: DeclVersioned: field 'units' must be an integer >= 1, got 0 "
                 .. "(at $.config.units)", e)
  end)

  it("an upgrade step may change nested tables: the document is never changed", function()
    local N = kserial.class("DeclDeepUpgrade", { version = 2, fields = {
      shape = { "array", of = "integer" }, kernel = { "object", class = Init },
      inits = { "array", of = { "object", class = Init } } }, upgrade = {
      function(c)
        c.shape[1] = c.shape[1] * 10                 -- in place, below the top level
        c.kernel, c.init = c.init, nil                -- a renamed key
        c.inits = { c.kernel }                        -- a new table holding a value of the config
        c.kernel.config.seed = c.kernel.config.seed   -- a write inside an envelope
        return c
      end } })
    reg(N)
    local doc = { env("DeclDeepUpgrade", { shape = { 1, 2 }, init = env("DeclInit", { seed = 4 }) }) }
    local before = kserial.dumps(doc)
    local n = kserial.deserialize(doc)[1]
    assert.same({ 10, 2 }, n.shape)
    assert.equal(4, n.kernel.seed)
    assert.equal(before, kserial.dumps(doc))
    -- errors inside the upgraded config are located with the upgraded keys
    doc = { env("DeclDeepUpgrade", { shape = { 1, 2 }, init = env("DeclInit", { seed = "x" }) }) }
    before = kserial.dumps(doc)
    local e = err_of(kserial.deserialize, doc)
    assert.equal("kserial: DeclInit: field 'seed' must be an integer, got \"x\" "
                 .. "(at $[0].config.inits[0].config.seed)", e)
    assert.equal(before, kserial.dumps(doc))
    e = err_of(kserial.deserialize, { env("DeclDeepUpgrade", { shape = { 1, "y" }, init = env("DeclInit", {}) }) })
    assert.equal("kserial: DeclDeepUpgrade: field 'shape' item 2 must be an integer, got \"y\" "
                 .. "(at $[0].config.shape[1])", e)
  end)

  it("an upgrade step that deserializes part of the config: its errors come up whole", function()
    local S = kserial.class("DeclStepDeser", { version = 2, fields = { s = "integer" }, upgrade = {
      function(c) c.s = kserial.deserialize(c.init).seed; c.init = nil; return c end } })
    reg(S)
    local e = err_of(kserial.deserialize, { env("DeclStepDeser", { init = env("DeclInit", { seed = "x" }) }) })
    assert.equal("kserial: DeclInit: field 'seed' must be an integer, got \"x\" (at $[0].config.init.config.seed)", e)
    assert.equal(5, kserial.deserialize({ env("DeclStepDeser", { init = env("DeclInit", { seed = 5 }) }) })[1].s)
    local R = kserial.class("DeclStepNew", { version = 3, fields = { a = "integer" }, upgrade = {
      function(c) return { a = c.b } end, function(c) return { a = c.a } end } })   -- new tables
    reg(R)
    e = err_of(kserial.deserialize, { env("DeclStepNew", { b = "y" }) })
    assert.equal("kserial: DeclStepNew: field 'a' must be an integer, got \"y\" (at $[0].config.a)", e)
  end)

  it("a hand-written from_config can still locate its errors after calling the generated one", function()
    local G = kserial.class("DeclWrapUpgrade", { version = 2, fields = { a = "integer" },
                                                 upgrade = { function(c) return c end } })
    local generated = G.from_config
    function G.from_config(cls, c)
      local obj = generated(cls, c)
      if obj.a > 5 then kserial.config_error(c, "a", "DeclWrapUpgrade: a is too big") end
      return obj
    end
    reg(G)
    local e = err_of(kserial.deserialize, { x = env("DeclWrapUpgrade", { a = 6 }) })
    assert.equal("kserial: DeclWrapUpgrade: a is too big (at $.x.config.a)", e)
  end)
end)

describe("declarative classes: the spec is read once, when the class is made", function()
  it("changing the spec's tables afterwards changes nothing", function()
    local default = { 1, 2 }
    local steps = { function(c) c.a = c.old; c.old = nil; return c end }
    local spec = { version = 2, upgrade = steps,
                   fields = { a = "integer", l = { "array", of = "integer", default = default } } }
    local S = kserial.class("DeclSpecOnce", spec)
    reg(S)
    default[1] = "x"                  -- would break the checked default
    steps[1] = nil                    -- would remove a checked step
    spec.fields.a = "string"
    assert.same({ 1, 2 }, S{ a = 1 }.l)
    assert.equal(3, kserial.deserialize(env("DeclSpecOnce", { old = 3 })).a)
  end)
end)

describe("declarative classes: the spec is checked when the class is made", function()
  local function def_err(spec)
    return err_of(kserial.class, "DeclBad", spec)
  end

  it("refuses unknown names and keys", function()
    assert.matches("kserial: class%('DeclBad'%): field 'a': unknown type \"int\" %(types: any, array, "
                   .. "boolean, dict, function, integer, number, object, string%)$",
                   def_err{ fields = { a = "int" } })
    assert.matches("kserial: class%('DeclBad'%): unknown spec key \"feilds\"", def_err{ feilds = {} })
    assert.matches("kserial: class%('DeclBad'%): field 'a': unknown key \"minimum\"",
                   def_err{ fields = { a = { "integer", minimum = 1 } } })
    assert.matches("field 'a' %(of%): unknown key \"default\"",
                   def_err{ fields = { a = { "array", of = { "integer", default = 1 } } } })
  end)

  it("refuses a default that breaks its own field's constraints", function()
    assert.matches("kserial: class%('DeclBad'%): field 'a': the default must be an integer >= 1, got 0$",
                   def_err{ fields = { a = { "integer", min = 1, default = 0 } } })
    assert.matches("field 'p': the default must be one of \"x\", got \"y\"",
                   def_err{ fields = { p = { "string", choices = { "x" }, default = "y" } } })
    assert.matches("field 'a': the default is null but the field is not optional",
                   def_err{ fields = { a = { "integer", default = null } } })
    assert.matches("field 'o': an object field cannot have a default",
                   def_err{ fields = { o = { "object", default = Init{} } } })
    -- nor can any other field hold an object shared by every instance
    assert.matches("field 'x': the default holds a DeclInit object, which every instance would share",
                   def_err{ fields = { x = { "any", default = Init{} } } })
    assert.matches("field 'l': the default holds a DeclInit object",
                   def_err{ fields = { l = { "array", of = "any", default = { 1, { Init{} } } } } })
    local C = kserial.class("DeclAnyDefault", { fields = { x = { "any", default = { a = { 1 } } } } })
    assert.are_not.equal(C{}.x, C{}.x)                              -- plain data is copied
  end)

  it("refuses constraints that do not apply or contradict", function()
    assert.matches("field 's': 'min' applies to integer and number fields, not string",
                   def_err{ fields = { s = { "string", min = 1 } } })
    assert.matches("field 'n': min %(5%) is greater than max %(1%)",
                   def_err{ fields = { n = { "number", min = 5, max = 1 } } })
    assert.matches("field 'n': choice 2 must be an integer, got \"x\"",
                   def_err{ fields = { n = { "integer", choices = { 1, "x" } } } })
    assert.matches("field 'a': 'of' applies to array and dict fields, not integer",
                   def_err{ fields = { a = { "integer", of = "integer" } } })
    assert.matches("field 'o': 'class' must be a class, not 5",
                   def_err{ fields = { o = { "object", class = 5 } } })
  end)

  it("refuses a type that contains itself, and a base that is neither class nor spec", function()
    local t = { "array" }
    t.of = t
    assert.matches("^kserial: class%('DeclBad'%): field 'x' %(of%): a type cannot contain itself",
                   def_err{ fields = { x = t } })
    local u = { "dict" }
    u.of = { "array", of = u }
    assert.matches("field 'x' %(of%) %(of%): a type cannot contain itself", def_err{ fields = { x = u } })
    assert.matches("^kserial: class%(%): the second argument must be a class or a spec %(a table "
                   .. "without metatable%), got a dict$", err_of(kserial.class, "DeclBad", json.object{ fields = {} }))
    assert.matches("^kserial: class%(%): the base must be a class %(a table with __name and __index%)$",
                   err_of(kserial.class, "DeclBad", { __name = "DeclY" }))
  end)

  it("refuses reserved field names", function()
    assert.matches("'get_config' cannot be a field name", def_err{ fields = { get_config = "any" } })
    assert.matches("'__version__' cannot be a field name", def_err{ fields = { __version__ = "any" } })
  end)

  it("checks versions and upgrade steps", function()
    assert.matches("version is 3, so upgrade%[2%] %(version 2 to 3%) is needed",
                   def_err{ version = 3, upgrade = { [1] = function(c) return c end } })
    assert.matches("upgrade%[3%]: no such step %(steps go from 1 to version %- 1 = 2%)",
                   def_err{ version = 3, upgrade = { function(c) return c end, function(c) return c end,
                                                     function(c) return c end } })
    assert.matches("version must be an integer >= 1, not 0", def_err{ version = 0 })
    assert.matches("^kserial: class%('DeclBad'%): upgrade steps need a version",
                   def_err{ upgrade = { function(c) return c end } })
    assert.matches("upgrade%[1%] must be a function, not string", def_err{ version = 2, upgrade = { "x" } })
    assert.matches("extra_keys must be \"error\", \"keep\" or \"drop\", not \"ignore\"",
                   def_err{ extra_keys = "ignore" })
  end)

  it("raises at the line that made the class", function()
    local e = err_of(function() local c = kserial.class("DeclBad", { fields = { a = "int" } }); return c end)
    assert.matches("^.-declarative_spec%.lua:%d+: kserial: class", e)
  end)
end)

describe("declarative classes: inheritance and hand-written methods", function()
  local Layer = kserial.class("DeclLayer", { fields = {
    name = { "string", default = "layer" }, trainable = { "boolean", default = true } } })
  Layer.__tostring = function(self) return "layer " .. self.name end
  function Layer:describe() return self.name end
  local Conv = kserial.class("DeclConv", { extends = Layer, fields = {
    filters = { "integer", min = 1 }, name = { "string", default = "conv" } } })
  reg(Layer); reg(Conv)

  it("a subclass inherits its base's fields, adds and redefines its own", function()
    local c = Conv{ filters = 2 }
    assert.equal("conv", c.name)                 -- redefined default
    assert.is_true(c.trainable)                  -- inherited field
    assert.equal("conv", c:describe())           -- inherited method
    assert.equal("layer conv", tostring(c))      -- inherited metamethod
    assert.same({ name = "conv", trainable = true, filters = 2 }, c:get_config())
    assert.equal("kserial: DeclConv: field 'trainable' must be a boolean, got 1",
                 err_of(Conv.new, { filters = 1, trainable = 1 }))
    assert.same({ name = "layer", trainable = true }, Layer{}:get_config())
  end)

  it("from_config of a subclass builds the subclass; it is an object of the base class", function()
    local c = kserial.deserialize(env("DeclConv", { filters = 3 }))
    assert.equal(Conv, getmetatable(c))
    local Holder = kserial.class("DeclHolder", { fields = { l = { "object", class = Layer } } })
    assert.equal(c, Holder{ l = c }.l)
  end)

  it("kserial.class(name, DeclarativeBase) is a declarative subclass", function()
    local Sub = kserial.class("DeclSub", Layer)
    local s = Sub{ name = "s" }
    assert.equal(Sub, getmetatable(s))
    assert.same({ name = "s", trainable = true }, s:get_config())
    assert.equal("kserial: DeclSub: unknown field \"x\" (fields: name, trainable)", err_of(Sub.new, { x = 1 }))
  end)

  it("three levels: fields, a redefined type, versions, the colon form and tostring", function()
    local A = kserial.class("DeclLevelA", { fields = { a = { "integer", default = 1 }, t = "integer" } })
    function A:init() self.inits = (self.inits or 0) + 1 end
    local B = kserial.class("DeclLevelB", { extends = A, version = 2, fields = { b = { "string", default = "b" } },
                                            upgrade = { function(c) c.b = c.old_b; c.old_b = nil; return c end } })
    local C = kserial.class("DeclLevelC", { extends = B, fields = { c = { "boolean", default = true },
                                                                    t = { "string", default = "now a string" } } })
    reg(A); reg(B); reg(C)
    local c = C:new{ a = 2 }
    assert.equal(C, getmetatable(c))
    assert.same({ a = 2, b = "b", c = true, t = "now a string" }, c:get_config())   -- C has no version
    assert.equal(1, c.inits)                                     -- init inherited, run once
    assert.equal("kserial: DeclLevelC: field 't' must be a string, got 1", err_of(C.new, { t = 1 }))
    assert.equal("kserial: DeclLevelA: field 't' must be an integer, got \"x\"", err_of(A.new, { t = "x" }))
    local viaA = A.new(C, { b = "x" })                           -- a base's new, called for C
    assert.equal(C, getmetatable(viaA))
    assert.equal("x", viaA.b)
    assert.matches("^class DeclLevelC: 0x%x+$", tostring(C))
    assert.matches("^DeclLevelC: 0x%x+$", tostring(c))
    local back = kserial.loads(kserial.dumps(c))
    assert.equal(C, getmetatable(back))
    assert.same(c:get_config(), back:get_config())
    local b = kserial.deserialize(env("DeclLevelB", { t = 1, old_b = "up" }))   -- B's own upgrade
    assert.equal("up", b.b)
    assert.matches("unknown field \"old_b\"", err_of(kserial.deserialize, env("DeclLevelC", { old_b = "up" })))
  end)

  it("fields are inherited through a class made by hand between two declarative ones", function()
    local Mid = setmetatable({ __name = "DeclHandMid" }, { __index = Layer })
    Mid.__index = Mid
    local D = kserial.class("DeclBelowHand", { extends = Mid, fields = { d = { "integer", default = 1 } } })
    assert.same({ name = "layer", trainable = true, d = 1 }, D{}:get_config())
    assert.equal("kserial: DeclBelowHand: field 'trainable' must be a boolean, got 1",
                 err_of(D.new, { trainable = 1 }))
    local P = kserial.class("DeclPlainBelowHand", Mid)     -- kserial.class(name, base) too
    assert.equal("kserial: DeclPlainBelowHand: field 'name' must be a string, got 1",
                 err_of(P.new, { name = 1 }))
    assert.same({ name = "p", trainable = true }, P{ name = "p" }:get_config())
  end)

  it("a declarative class may extend a hand-written one", function()
    local Base = kserial.class("DeclPlainBase")
    function Base:hello() return "hi " .. self.n end
    local D = kserial.class("DeclOnPlain", { extends = Base, fields = { n = "integer" } })
    local d = D{ n = 1 }
    assert.equal("hi 1", d:hello())
    assert.same({ n = 1 }, d:get_config())
  end)

  it("hand-written get_config and from_config replace the generated ones", function()
    local H = kserial.class("DeclHand", { fields = { n = "integer" } })
    local generated = H.get_config
    function H:get_config()
      local c = generated(self)
      c.n2 = self.n * 2
      return c
    end
    local generated_from = H.from_config
    function H.from_config(cls, c)
      local copy = { n = c.n }                     -- n2 is derived
      return generated_from(cls, copy)
    end
    reg(H)
    local back = kserial.loads(kserial.dumps(H{ n = 4 }))
    assert.equal(4, back.n)
    assert.same({ n = 4, n2 = 8 }, back:get_config())
  end)

  it("a declarative subclass gets generated methods again, as dataclasses do", function()
    local H = kserial.class("DeclHandBase", { fields = { n = "integer" } })
    function H.get_config() return { hand = true } end
    local S = kserial.class("DeclHandSub", { extends = H, fields = { m = "integer" } })
    assert.same({ n = 1, m = 2 }, S{ n = 1, m = 2 }:get_config())
  end)

  it("extra_keys is inherited unless the subclass sets it", function()
    local K = kserial.class("DeclKeepBase", { extra_keys = "keep", fields = {} })
    local S = kserial.class("DeclKeepSub", { extends = K, fields = { a = { "integer", default = 1 } } })
    assert.equal("x", S{ note = "x" }.note)
    local E = kserial.class("DeclKeepStrict", { extends = K, extra_keys = "error", fields = {} })
    assert.matches("unknown field \"note\"", err_of(E.new, { note = "x" }))
  end)
end)

describe("kserial.config_error", function()
  local Hand = kserial.class("DeclHandChecked")
  function Hand:get_config() return { shape = self.shape } end
  function Hand.from_config(cls, c)
    for i, d in ipairs(c.shape) do
      if d <= 0 then
        kserial.config_error(c, { "shape", i }, "DeclHandChecked: dimensions must be positive")
      end
    end
    return cls.new(c)
  end
  reg(Hand)

  it("locates a hand-written from_config's error inside its config", function()
    local inner = env("DeclHandChecked", { shape = { 1, 0 } })
    local e = err_of(kserial.deserialize, env("DeclModel", { layers = {}, extra = inner }))
    assert.matches("unknown field \"extra\"", e)   -- the model refuses it first
    e = err_of(kserial.deserialize, { a = { env("DeclHandChecked", { shape = { 1, 0 } }) } })
    assert.equal("kserial: DeclHandChecked: dimensions must be positive (at $.a[0].config.shape[1])", e)
  end)

  it("without a path: outside a deserialize call, or for another table", function()
    local e = err_of(function() kserial.config_error({}, "x", "bad") end)
    assert.matches("declarative_spec%.lua:%d+: kserial: bad$", e)
    assert.equal("kserial: bad", err_of(kserial.config_error, {}, nil, "bad", 0))
    local Other = kserial.class("DeclOtherTable")
    function Other.get_config() return {} end
    function Other.from_config() kserial.config_error({}, "x", "not this config", 0) end
    reg(Other)
    e = err_of(kserial.deserialize, env("DeclOtherTable", {}))
    assert.equal("kserial: from_config() of 'DeclOtherTable' raised an error: kserial: not this config (at $)", e)
  end)

  it("checks its arguments", function()
    assert.equal("kserial: config_error: the level must be an integer, not string",
                 err_of(kserial.config_error, {}, nil, "m", "x"))
    assert.equal("kserial: config_error: the level must be an integer, not number",
                 err_of(kserial.config_error, {}, nil, "m", 1.5))
    for _, key in ipairs({ 0, -1, math.mininteger, { "a", math.mininteger } }) do
      assert.matches("kserial: config_error: an index in 'where' must be >= 1, not %-?%d+$",
                     err_of(kserial.config_error, {}, key, "m"))
    end
    assert.matches("config must be a table", err_of(kserial.config_error, 1, nil, "m"))
    assert.matches("'where' must be nil, a key or an array of keys", err_of(kserial.config_error, {}, true, "m"))
    assert.matches("the message must be a string", err_of(kserial.config_error, {}, nil, 1))
  end)
end)

describe("declarative classes: called the wrong way", function()
  local W = kserial.class("DeclWrongSelf", { fields = { n = { "integer", default = 1 } } })
  local WSub = kserial.class("DeclWrongSelfSub", { extends = W, fields = { m = { "integer", default = 2 } } })
  local Other = kserial.class("DeclWrongOther", { fields = { s = "string" } })

  it("from_config needs the class (or a subclass) as self", function()
    local e = err_of(function() local x = W.from_config({ n = 1 }); return x end)
    assert.matches("declarative_spec%.lua:%d+: kserial: DeclWrongSelf: from_config%(%) must be called "
                   .. "on the class or a subclass %(DeclWrongSelf:from_config%(config%)%), got a table$", e)
    assert.matches("kserial: DeclWrongSelf: from_config%(%) must be called on the class .*got nil$",
                   err_of(W.from_config, nil, { n = 1 }))
    assert.matches("got the class DeclWrongOther$", err_of(W.from_config, Other, { n = 1 }))
    assert.matches("got a DeclWrongSelf object$", err_of(W.from_config, W{}, { n = 1 }))
    -- a subclass, and a subclass made by hand, may call an inherited one
    assert.equal(WSub, getmetatable(W.from_config(WSub, { n = 1 })))
    local Hand = setmetatable({ __name = "DeclWrongHand" }, { __index = W })
    Hand.__index = Hand
    assert.equal(Hand, getmetatable(Hand:from_config({ n = 3 })))
  end)

  it("get_config needs an instance of the class as self", function()
    local e = err_of(function() local c = W.get_config(); return c end)
    assert.matches("declarative_spec%.lua:%d+: kserial: DeclWrongSelf: get_config%(%) needs an "
                   .. "instance %(obj:get_config%(%)%), got nil$", e)
    assert.equal("kserial: DeclWrongSelf: get_config() needs an instance (obj:get_config()), got 5",
                 err_of(W.get_config, 5))
    assert.matches("got \"len\"$", err_of(W.get_config, "len"))   -- strings index string.*
    assert.matches("got the class DeclWrongSelf$", err_of(W.get_config, W))
    assert.matches("got a DeclWrongOther object$", err_of(W.get_config, Other{ s = "x" }))
    assert.same({ n = 1, m = 2 }, WSub{}:get_config())
    assert.same({ n = 1 }, W.get_config(WSub{}))           -- a subclass instance, base fields
    local Hand = setmetatable({ __name = "DeclWrongHand2" }, { __index = W })
    Hand.__index = Hand
    assert.same({ n = 1 }, W.get_config(setmetatable({ n = 1 }, Hand)))
  end)

  it("get_config follows a long chain of subclasses (up to 64) without growing the stack", function()
    local cls = W
    for i = 1, 60 do cls = kserial.class("DeclDeep" .. i, { extends = cls }) end
    local leaf = cls{ n = 7 }
    for _ = 1, 3 do assert.same({ n = 7 }, W.get_config(leaf)) end
    cls = kserial.class("DeclDeeper", { extends = kserial.class("DeclDeeper", { extends = cls }) })
    for _ = 1, 3 do cls = kserial.class("DeclDeepest", { extends = cls }) end
    assert.matches("needs an instance", err_of(W.get_config, cls{}))   -- past the limit
  end)
end)

describe("declarative classes: kept keys", function()
  local K = kserial.class("DeclKeptV", { version = 2, extra_keys = "keep", fields = { a = "integer" },
                                          upgrade = { function(c) return c end } })
  reg(K)
  function K:describe() return "k" .. self.a end

  it("a key that is not a string is an error in every mode", function()
    for _, mode in ipairs({ "error", "keep", "drop" }) do
      local M = kserial.class("DeclKeyMode" .. mode, { extra_keys = mode, fields = { a = "integer" } })
      assert.equal("kserial: DeclKeyMode" .. mode .. ": unknown field 5 (field names are strings)",
                   err_of(M.new, { a = 1, [5] = true }))
    end
  end)

  it("__version__ is not a field: refused when given to the constructor", function()
    assert.equal("kserial: DeclKeptV: unknown field \"__version__\" cannot be kept (kserial uses "
                 .. "that name)", err_of(K.new, { a = 1, __version__ = 99 }))
    local D = kserial.class("DeclDroppedV", { extra_keys = "drop", fields = { a = "integer" } })
    assert.same({ a = 1 }, D{ a = 1, __version__ = 5 }:get_config())
  end)

  it("a key naming a method of the class is not kept (it would hide the method)", function()
    local e = err_of(kserial.deserialize, env("DeclKeptV", { __version__ = 2, a = 1, get_config = "x" }))
    assert.equal("kserial: DeclKeptV: unknown field \"get_config\" cannot be kept (kserial uses "
                 .. "that name) (at $.config.get_config)", e)
    e = err_of(kserial.deserialize, env("DeclKeptV", { __version__ = 2, a = 1, describe = "x" }))
    assert.equal("kserial: DeclKeptV: unknown field \"describe\" cannot be kept (the class has a "
                 .. "member of that name) (at $.config.describe)", e)
    assert.matches("unknown field \"describe\" cannot be kept", err_of(K.new, { a = 1, describe = 1 }))
    local k = kserial.deserialize(env("DeclKeptV", { __version__ = 2, a = 1, note = "x" }))
    assert.equal("k1", k:describe())
    assert.same({ __version__ = 2, a = 1, note = "x" }, k:get_config())
  end)
end)

describe("declarative classes: choices at their edges", function()
  it("refuses NaN and holes in choices when the class is made", function()
    assert.matches("^kserial: class%('DeclBadChoice'%): field 'x': choice 2 is NaN",
                   err_of(kserial.class, "DeclBadChoice", { fields = { x = { "number", choices = { 1, 0 / 0 } } } }))
    assert.matches("^kserial: class%('DeclBadChoice'%): field 'x': 'choices' must be a non%-empty array",
                   err_of(kserial.class, "DeclBadChoice", { fields = { x = { "integer", choices = { 1, nil, 3 } } } }))
  end)
end)

---@meta kserial
-- LuaLS type stubs for kserial (docs/reference.md is the full reference).
-- Not code: LuaLS reads this file when its folder is in
-- `workspace.library` (README.md, "Editors"). spec/api/docs_spec.lua checks
-- that every function and field of the module is declared here.

---A value that comes back from JSON: what `kserial.json.decode` makes.
---@alias kserial.JSON nil|boolean|integer|number|string|kserial.null|table

---A class: a table used as the metatable of its instances.
---@class kserial.Class
---@field __name string the class name (`class_name` in envelopes)
---@field __module? string written as `module`
---@field get_config? fun(self: any): table the instance's configuration
---@field from_config? fun(cls: kserial.Class, config: table): any builds an instance
---@field get_build_config? fun(self: any): table
---@field build_from_config? fun(self: any, config: table)
---@field get_compile_config? fun(self: any): table
---@field compile_from_config? fun(self: any, config: table)

---A class made by `kserial.class`: callable, and with `new`.
---@class kserial.ClassDef: kserial.Class
---@field new fun(...): any a new instance (calls `init` when the class has one)
---@field init? fun(self: any, ...)
---@overload fun(...): any

---The type of a declarative field.
---@alias kserial.FieldType "boolean"|"integer"|"number"|"string"|"array"|"dict"|"object"|"function"|"any"

---A declarative field: its type first, then its constraints.
---@class kserial.FieldSpec
---@field [1] kserial.FieldType
---@field of? kserial.FieldType|kserial.FieldSpec element type of an array or dict
---@field class? kserial.Class an `object` field's class (or a subclass)
---@field min? number
---@field max? number
---@field choices? (string|number|boolean)[]
---@field default? any
---@field optional? boolean

---The spec of a declarative class (`kserial.class(name, spec)`).
---@class kserial.ClassSpec
---@field extends? kserial.Class
---@field fields? table<string, kserial.FieldType|kserial.FieldSpec>
---@field extra_keys? "error"|"keep"|"drop" unknown config keys (default "error")
---@field version? integer the config version this class writes (default 1)
---upgrade[v] turns a version-v config into version v+1
---@field upgrade? table<integer, fun(config: table): table>

---What can be registered or put in a scope: never a number, string or boolean.
---@alias kserial.Object kserial.Class|function|userdata|table

---A dict of names to objects (custom objects, module objects).
---@alias kserial.Objects table<string, kserial.Object>

---The null of JSON, a light userdata (`kserial.null == kserial.json.null`).
---@class kserial.null

---@class kserial.EncodeOptions
---Python's `indent`: a number of spaces or the string to indent with; nil: one line
---@field indent? integer|string
---nil: a decoded object's recorded order, else sorted (envelope keys first,
---in Keras's order); true: always sorted; false: the table's own order
---@field sort_keys? boolean
---@field int_keys? "error"|"string" "string": integer keys written as strings, as Python does
---@field separators? { [1]: string, [2]: string } Python's `(item, key)` separators
---@field ensure_ascii? boolean escape every non-ASCII character
---@field allow_nan? boolean write NaN, Infinity, -Infinity
---@field max_depth? integer default 512

---@class kserial.DecodeOptions
---@field max_depth? integer default 512
---@field max_size? integer bytes, default none
---@field allow_nan? boolean read NaN, Infinity, -Infinity
---@field keep_order? boolean decoded objects remember their keys' document order (default false)

---The options of `serialize`: the encoder's value options.
---@class kserial.SerializeOptions
---@field allow_nan? boolean let NaN and infinities through
---@field int_keys? "error"|"string" integer-keyed dicts: refused (default) or written with string keys
---@field max_values? integer the most JSON values one call may produce

---@class kserial.DeserializeOptions
---@field custom_objects? kserial.Objects for this call
---@field safe_mode? boolean refuse lambdas (the default)
---@field module_objects? kserial.Objects Keras 2's module_objects
---@field printable_module_name? string used in "Unknown ..." messages (default "object")

---The options of `loads`, `load`: those of `deserialize` and of `json.decode`.
---@class kserial.LoadOptions: kserial.DeserializeOptions, kserial.DecodeOptions

---A custom-object or safe-mode scope; close it with `<close>` or `close()`.
---@class kserial.Scope
---@field close fun(self: kserial.Scope) closes it (twice is harmless; out of order is an error that changes nothing)
---@field is_open fun(self: kserial.Scope): boolean

---One finding of `kserial.scan`.
---@class kserial.ScanItem
---@field kind "lambda"|"code"|"invalid"|"marker"|"special"|"module"|"function"|"class"|"name"
---@field name? string the name the document uses
---@field path string its JSON path, such as `$.config.layers[3]`
---@field found? boolean whether it resolves (classes, functions, modules, names)
---@field reason? string why the item is code, invalid, or not found

---@class kserial.ScanReport
---@field items kserial.ScanItem[]
---@field unsafe boolean true when the document holds a lambda or a class that runs outside code
---@field invalid boolean true when an envelope `loads` would refuse for its form was listed
---@field clean boolean nothing unsafe, nothing invalid, every name found

---@class kserial.ScanOptions
---@field max_values? integer the most values one call may visit (default 50 000 000)
---@field allow_nan? boolean for text: the decoder's option
---@field max_depth? integer for text: the decoder's option; also bounds a table's nesting
---@field max_size? integer for text: the decoder's option

---@class kserial.Special
---@field decode fun(config: any): any makes the value when deserializing
---@field encode? fun(value: any): any? returns a config, or nil to pass

---@class kserial.json
local json = {}

---Lua value -> JSON text (no protocol).
---@param value any
---@param opts? kserial.EncodeOptions
---@return string
function json.encode(value, opts) end

---JSON text -> Lua value; tables carry `array_mt` or `object_mt`.
---@param text string
---@param opts? kserial.DecodeOptions
---@return kserial.JSON
function json.decode(text, opts) end

---Marks `t` (or a new table) as a JSON array and returns it.
---@generic T: table
---@param t? T
---@return T
function json.array(t) end

---Marks `t` (or a new table) as a JSON object and returns it. With `keys`,
---also sets the order its keys are written in; with `false`, drops it.
---@generic T: table
---@param t? T
---@param keys? string[]|false
---@return T
function json.object(t, keys) end

---The keys of `t` in the order encoding writes them (a recorded order, else sorted).
---@param t table
---@param opts? kserial.EncodeOptions
---@return (string|integer)[]
function json.keys(t, opts) end

---The metatable of decoded arrays.
---@type table
json.array_mt = {}

---The metatable of decoded objects.
---@type table
json.object_mt = {}

---JSON's null (the same value as `kserial.null`).
---@type kserial.null
json.null = nil

---@class kserial
local kserial = {}

---kserial's version, such as "0.1.0".
---@type string
kserial._VERSION = ""

---JSON's null.
---@type kserial.null
kserial.null = nil

---The exact JSON codec.
kserial.json = json

---Live value -> JSON-safe tree (envelopes for objects).
---@param value any
---@param opts? kserial.SerializeOptions
---@return kserial.JSON
function kserial.serialize(value, opts) end

---JSON-safe tree -> live value.
---@param config kserial.JSON
---@param opts? kserial.DeserializeOptions
---@return any
function kserial.deserialize(config, opts) end

---`json.encode(serialize(value), opts)`.
---@param value any
---@param opts? kserial.EncodeOptions
---@return string
function kserial.dumps(value, opts) end

---`deserialize(json.decode(text, opts), opts)`.
---@param text string
---@param opts? kserial.LoadOptions
---@return any
function kserial.loads(text, opts) end

---`dumps`, then an atomic write of `path`.
---@param value any
---@param path string
---@param opts? kserial.EncodeOptions
function kserial.save(value, path, opts) end

---Reads `path` and `loads` it.
---@param path string
---@param opts? kserial.LoadOptions
---@return any
function kserial.load(path, opts) end

---What loading a document would need, without loading it. A string is
---decoded as JSON text first (text that does not parse is an error).
---@param document kserial.JSON|string
---@param opts? kserial.ScanOptions
---@return kserial.ScanReport
function kserial.scan(document, opts) end

---Returns a function that registers a class or function under
---`package .. ">" .. (name or obj.__name)` and returns it.
---@param package? string default "Custom"
---@param name? string default the class's `__name`
---@return fun(obj: kserial.Class|function): kserial.Class|function
function kserial.register_serializable(package, name) end

---The registered key of `obj`, else its class's `__name`, else nil.
---@param obj any
---@return string?
function kserial.get_registered_name(obj) end

---The lookup `deserialize` does: scope, registry, `custom_objects`, `module_objects`.
---@param name string
---@param custom_objects? kserial.Objects
---@param module_objects? kserial.Objects
---@return kserial.Object?
function kserial.get_registered_object(name, custom_objects, module_objects) end

---A live view of the global dict: assign to add or remove, `pairs` to iterate.
---@return kserial.Objects
function kserial.get_custom_objects() end

---Empties the global dict and the reverse names.
function kserial.clear_custom_objects() end

---Registers a snapshot of the string-keyed members of `members` under a module name.
---@param name string such as "keras.layers"
---@param members kserial.Objects
function kserial.register_module(name, members) end

---Opens a scope holding the dicts merged (later wins) over the current scope.
---@param dict kserial.Objects
---@param ... kserial.Objects
---@return kserial.Scope
function kserial.custom_object_scope(dict, ...) end

---Runs `fn(...)` inside a custom-object scope that closes on every exit.
---@generic R
---@param dict kserial.Objects
---@param fn fun(...): R
---@param ... any
---@return R ...
function kserial.with_custom_objects(dict, fn, ...) end

---Opens a safe-mode scope.
---@param flag boolean
---@return kserial.Scope
function kserial.safe_mode_scope(flag) end

---Turns this state's default safe mode off.
function kserial.enable_unsafe_deserialization() end

---The safe mode a `deserialize` call without `safe_mode` would use now.
---@return boolean
function kserial.in_safe_mode() end

---Installs (or, with nil, removes) a handler for a Keras marker such as `__tuple__`.
---@param class_name string
---@param handler kserial.Special|nil
function kserial.register_special(class_name, handler) end

---Makes a class: `__name`, `__index`, `new`, `from_config`, methods inherited
---from a base class; or, given a spec, a declarative class whose fields are
---checked on construction and in `from_config`, with generated `get_config`
---and `from_config` and versioned configs (docs/reference.md, "Declarative classes").
---@param name string
---@param base_or_spec? kserial.Class|kserial.ClassSpec
---@return kserial.ClassDef
function kserial.class(name, base_or_spec) end

---Raises an error located inside `config`, the config a running `from_config`
---received: the message ends with the document path of that config plus `where`
---(`(at $.config.layers[3].config.units)`). Outside such a call it raises like
---`error(message, level)`.
---@param config table
---@param where? string|integer|(string|integer)[] a key, an index, or a list of them
---@param message string
---@param level? integer
function kserial.config_error(config, where, message, level) end

return kserial

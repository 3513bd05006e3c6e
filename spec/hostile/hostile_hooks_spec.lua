-- Hooks that misbehave: get_config and from_config (and the build/compile
-- hooks) that raise, return garbage, re-enter the engine, change the
-- registry under its feet, yield, or leave a scope open. Each gets its exact
-- outcome, and the engine is left as it was.
local kserial = require "kserial"
local H = require "hostile"
local null = kserial.null

local SAFE_MSG = "Requested the deserialization of a lambda object. This carries a potential "
  .. "risk of arbitrary code execution and thus it is disallowed by default. If you trust "
  .. "the source of the data, pass safe_mode = false or call kserial.enable_unsafe_deserialization()."

-- Bad: get_config runs self.mode(self); from_config runs Bad.modes[config.mode].
local Bad = kserial.class("Bad")
function Bad:get_config() return self.mode(self) end
Bad.modes = {}
function Bad.from_config(cls, config) return cls.modes[config.mode](cls, config) end

local function doc(mode, extra)
  local d = { module = null, class_name = "Bad", registered_name = "hostile>Bad",
              config = { mode = mode } }
  for k, v in pairs(extra or {}) do d.config[k] = v end
  return d
end

-- Runs f(...) protected; checks the engine state did not change.
local function run(f, ...)
  local before = H.state()
  local r = table.pack(pcall(f, ...))
  assert.same(before, H.state())
  return table.unpack(r, 1, r.n)
end

-- Messages raised by a kserial call made from Lua code start with that
-- code's position (file:line:); the tests compare what follows.
local function nopos(s)
  return (s:gsub("[%w_/%.%-]+%.lua:%d+: ", ""))
end

local function fails_with(msg, f, ...)
  local ok, err = run(f, ...)
  assert.is_false(ok)
  assert.equal(msg, nopos(err))
end

describe("hostile hooks", function()
  setup(function()
    H.setup()
    kserial.register_serializable("hostile")(Bad)
  end)

  describe("get_config", function()

    it("raising a string: wrapped with the class and the path", function()
      fails_with("kserial: get_config() of 'Bad' raised an error: boom (at $.x)",
        kserial.dumps, { x = Bad{ mode = function() error("boom", 0) end } })
    end)

    it("raising a table or nil: the error value passes through untouched", function()
      local E = setmetatable({}, { __name = "MyError" })
      local ok, err = run(kserial.dumps, { x = Bad{ mode = function() error(E) end } })
      assert.is_false(ok)
      assert.equal(E, err)
      ok, err = run(kserial.dumps, { x = Bad{ mode = function() error(nil) end } })
      assert.is_false(ok)
      assert.is_nil(err)
    end)

    it("returning something other than a plain table", function()
      for _, case in ipairs({
        { function() return nil end, "nil" },
        { function() return "text" end, "string" },
        { function() return 7 end, "number" },
      }) do
        fails_with("kserial: The get_config() method of Bad should return a table. "
          .. "It returned: " .. case[2] .. " (at $.x)",
          kserial.dumps, { x = Bad{ mode = case[1] } })
      end
      -- a table with a metatable is an object: the message says so (not "It returned: table")
      for _, case in ipairs({
        { function(self) return self end, "Bad" },
        { function() return setmetatable({}, { __name = "Odd" }) end, "Odd" },
        { function() return setmetatable({}, {}) end, "table" },
      }) do
        fails_with("kserial: The get_config() method of Bad should return a plain table. "
          .. "It returned a table with a metatable (" .. case[2] .. "), which would be "
          .. "written as an object, not as its config (at $.x)",
          kserial.dumps, { x = Bad{ mode = case[1] } })
      end
    end)

    it("returning values JSON cannot hold", function()
      fails_with("kserial: cannot serialize a value of type thread (at $.x.config.c)",
        kserial.dumps, { x = Bad{ mode = function() return { c = coroutine.create(print) } end } })
      fails_with("kserial: Cannot serialize object of type FILE*. To be serializable, a class "
        .. "must implement the get_config() method. (at $.x.config.f)",
        kserial.dumps, { x = Bad{ mode = function() return { f = io.stdout } end } })
      local ok, err = run(kserial.dumps, { x = Bad{ mode = function() return { n = 0 / 0 } end } })
      assert.is_false(ok)
      assert.matches("^kserial: .*NaN.*%(at %$%.x%.config%.n%)$", err)
    end)

    it("returning a table that holds the object itself: a cycle with both paths", function()
      fails_with("kserial: cycle: the object of class 'Bad' at $.x contains itself "
        .. "(reached again at $.x.config.me); from_config() cannot rebuild a cycle",
        kserial.dumps, { x = Bad{ mode = function(self) return { me = self } end } })
    end)

    it("re-entering the engine joins the running call", function()
      fails_with("kserial: cycle: the object of class 'Bad' at $.x contains itself (reached "
        .. "again at $ (in a call made by get_config() of 'Bad' at $.x)); from_config() cannot "
        .. "rebuild a cycle",
        kserial.dumps, { x = Bad{ mode = function(self) return { t = kserial.dumps(self) } end } })
      local leaf = H.Other{}
      local ok, text = run(kserial.dumps, { a = leaf, x = Bad{ mode = function()
        return { inner = kserial.serialize(leaf) } end } })
      assert.is_true(ok, text)
      -- the nested serialize saw the same object as the outer call: one id
      local v = kserial.json.decode(text)
      assert.equal(1, v.a.shared_object_id)
      assert.equal(1, v.x.config.inner.shared_object_id)
    end)

    it("leaving a scope open, or closing one it did not open: an error, the stack restored", function()
      fails_with("kserial: get_config() of 'Bad' left a scope open; scopes opened in a hook "
        .. "must be closed in it, with <close> or :close() (at $.x)",
        kserial.dumps, { x = Bad{ mode = function()
          kserial.custom_object_scope({}); kserial.safe_mode_scope(false); return {} end } })
      assert.is_true(kserial.in_safe_mode())
      local outer = kserial.custom_object_scope({ Outer = H.Other })
      local ok, err = pcall(kserial.dumps, { x = Bad{ mode = function()
        outer:close(); return {} end } })
      assert.is_false(ok)
      assert.equal("kserial: get_config() of 'Bad' closed a scope it did not open; scopes "
        .. "opened in a hook must be closed in it, with <close> or :close() (at $.x)", err)
    end)

    it("clearing the registry mid-call: names are read after the hook, never from freed memory", function()
      local ok, text = run(function()
        local r = kserial.dumps({ x = Bad{ mode = function() kserial.clear_custom_objects(); return {} end } })
        H.setup()
        kserial.register_serializable("hostile")(Bad)
        return r
      end)
      assert.is_true(ok, text)
      assert.equal('{"x":{"module":null,"class_name":"Bad","config":{},"registered_name":"Bad"}}', text)
    end)

    it("yielding: refused, no scope or call state left behind", function()
      local co = coroutine.create(function()
        return kserial.dumps({ x = Bad{ mode = function() coroutine.yield(); return {} end } })
      end)
      local ok, err = coroutine.resume(co)
      assert.is_false(ok)
      assert.equal("kserial: get_config() of 'Bad' raised an error: attempt to yield across "
        .. "a C-call boundary (at $.x)", nopos(err))
      -- the next call starts clean: ids from 1
      local o = H.Other{}
      assert.equal(1, kserial.serialize({ o, o })[1].shared_object_id)
    end)

    it("collecting garbage mid-walk changes nothing", function()
      local objs = {}
      for i = 1, 200 do
        objs[i] = Bad{ mode = function() collectgarbage(); return { i = i, s = string.rep("x", i) } end }
      end
      local ok, text = run(kserial.dumps, objs)
      assert.is_true(ok, text)
      local back = kserial.json.decode(text)
      for i = 1, 200 do assert.equal(i, back[i].config.i) end
    end)
  end)

  describe("from_config", function()
    it("raising a string: wrapped with the class and the path", function()
      Bad.modes.raise = function() error("nope", 0) end
      fails_with("kserial: from_config() of 'Bad' raised an error: nope (at $.layers[2])",
        kserial.deserialize, { layers = { 1, 2, doc("raise") } })
    end)

    it("raising a table: passes through untouched", function()
      local E = {}
      Bad.modes.tbl = function() error(E) end
      local ok, err = run(kserial.deserialize, doc("tbl"))
      assert.is_false(ok)
      assert.equal(E, err)
    end)

    it("returning nil is an error; any other value is the object", function()
      Bad.modes["nil"] = function() return nil end
      fails_with("kserial: from_config() of 'Bad' returned nil (at $)", kserial.deserialize, doc("nil"))
      Bad.modes.num = function() return 42 end
      local ok, v = run(kserial.deserialize, doc("num"))
      assert.is_true(ok)
      assert.equal(42, v)
    end)

    it("re-entering the engine works and joins the call", function()
      Bad.modes.reenter = function() return { list = kserial.loads("[1, 2]") } end
      local ok, v = run(kserial.loads, kserial.json.encode(doc("reenter")))
      assert.is_true(ok, v)
      assert.same({ 1, 2 }, { v.list[1], v.list[2] })
    end)

    it("leaving a scope open: an error, the scope closed", function()
      Bad.modes.scope = function() kserial.custom_object_scope({ os = os }); return {} end
      fails_with("kserial: from_config() of 'Bad' left a scope open; scopes opened in a hook must be closed in it, with <close> "
        .. "or :close() (at $)", kserial.deserialize, doc("scope"))
      assert.is_nil(kserial.get_registered_object("os"))
      Bad.modes.unsafe = function() kserial.safe_mode_scope(false); return {} end
      fails_with("kserial: from_config() of 'Bad' left a scope open; scopes opened in a hook must be closed in it, with <close> "
        .. "or :close() (at $)", kserial.deserialize, doc("unsafe"))
      assert.is_true(kserial.in_safe_mode())
    end)

    it("leaving a scope open and dropping it: the same error, whenever the collector runs", function()
      -- the scope object is garbage before the hook returns; a full
      -- collection inside the hook must not hide the leak
      Bad.modes.dropped = function()
        kserial.custom_object_scope({ os = os })
        collectgarbage(); collectgarbage()
        return {}
      end
      fails_with("kserial: from_config() of 'Bad' left a scope open; scopes opened in a hook must be closed in it, with <close> "
        .. "or :close() (at $)", kserial.deserialize, doc("dropped"))
      assert.is_nil(kserial.get_registered_object("os"))
      fails_with("kserial: get_config() of 'Bad' left a scope open; scopes opened in a hook "
        .. "must be closed in it, with <close> or :close() (at $.x)",
        kserial.dumps, { x = Bad{ mode = function()
          kserial.safe_mode_scope(false); collectgarbage(); collectgarbage(); return {} end } })
      assert.is_true(kserial.in_safe_mode())
      -- scopes a hook closes are not held by the call: 20 000 of them in
      -- one from_config leave nothing behind
      Bad.modes.many = function(cls)
        collectgarbage(); collectgarbage()
        local base = collectgarbage("count")
        for _ = 1, 20000 do local _scope <close> = kserial.custom_object_scope({ X = cls }) end
        collectgarbage(); collectgarbage()
        return { grew = collectgarbage("count") - base }
      end
      local ok, v = run(kserial.deserialize, doc("many"))
      assert.is_true(ok, v)
      assert.is_true(v.grew < 256, "the call held the closed scopes: " .. v.grew .. " KiB")
      -- outside a call, a dropped scope is removed by the collector
      kserial.custom_object_scope({ Gone = H.Other })
      assert.equal(H.Other, kserial.get_registered_object("Gone"))
      collectgarbage(); collectgarbage()
      assert.is_nil(kserial.get_registered_object("Gone"))
    end)

    it("closing a scope it did not open: refused, the scope stays open", function()
      local outer = kserial.custom_object_scope({ Outer = H.Other })
      Bad.modes.close_outer = function() outer:close(); return {} end
      local ok, err = pcall(kserial.deserialize, doc("close_outer"))
      assert.is_false(ok)
      -- the hook's error names the hook's line, as any error raised there does
      assert.matches("^kserial: from_config%(%) of 'Bad' raised an error: [^ ]*hostile_hooks_spec%.lua:%d+: "
        .. "kserial: scope closed out of order: close the innermost scope first %(at %$%)$", err)
      assert.is_true(outer:is_open())
      outer:close()
    end)

    it("a nested call cannot lift safe mode, whatever it passes", function()
      local lambda = kserial.serialize(function() return 1 end)
      Bad.modes.lift = function(_, c) return { f = kserial.deserialize(c.fn, { safe_mode = false }) } end
      fails_with("kserial: " .. SAFE_MSG .. " (at $.config.fn)",
        kserial.deserialize, doc("lift", { fn = lambda }))
      -- nor can a config ask for it: an envelope key named safe_mode is data
      local d = doc("lift", { fn = lambda, safe_mode = false })
      d.safe_mode = false
      local ok = run(kserial.deserialize, d)
      assert.is_false(ok)
    end)

    it("a nested call cannot lift safe mode even after enable_unsafe_deserialization()", function()
      -- a fresh interpreter: this switches the state's default off for good
      local ks = require "ks_helpers"
      local out, status = ks.run_lua([[
        local kserial = require "kserial"
        local C = kserial.class("C")
        function C:get_config() return {} end
        function C.from_config(cls, c)
          kserial.enable_unsafe_deserialization()
          return { f = kserial.deserialize(c.fn) }
        end
        kserial.register_serializable("t")(C)
        local lambda = kserial.serialize(function() return 1 end)
        local ok, err = pcall(kserial.deserialize,
          { class_name = "C", registered_name = "t>C", config = { fn = lambda } })
        print(ok, (err:gsub("%(at.*", "")))
        print("default now", kserial.in_safe_mode())
      ]])
      assert.equal(0, status, out)
      assert.equal("false\tkserial: " .. SAFE_MSG
        .. " \ndefault now\tfalse\n", out)
    end)

    it("trusted code may open an unsafe scope itself (only the program, never a config)", function()
      local lambda = kserial.serialize(function() return 7 end)
      Bad.modes.trusted = function(_, c)
        local _scope <close> = kserial.safe_mode_scope(false)
        return { f = kserial.deserialize(c.fn) }
      end
      local ok, v = run(kserial.deserialize, doc("trusted", { fn = lambda }))
      assert.is_true(ok, v)
      assert.equal(7, v.f())
    end)

    it("deserializing itself forever: stopped at the object nesting limit", function()
      Bad.modes.forever = function() return kserial.deserialize(doc("forever")) end
      local ok, err = run(kserial.deserialize, doc("forever"))
      assert.is_false(ok)
      -- one message: no hook wraps it again; the calls it went through are
      -- named up to 8 deep, then shortened
      assert.matches("^kserial: objects nested deeper than 60 %(at %$ %(in a call made by "
        .. "from_config%(%) of 'Bad' at %$ ", err)
      local _, calls = err:gsub("in a call made by", "")
      assert.equal(9, calls)
      assert.matches(" at %$%.%.%.%)+$", err)
      assert.is_nil(err:find("raised an error", 1, true))
    end)

    it("yielding: refused", function()
      Bad.modes.yield = function() coroutine.yield(); return {} end
      local co = coroutine.create(function() return kserial.deserialize(doc("yield")) end)
      local ok, err = coroutine.resume(co)
      assert.is_false(ok)
      assert.equal("kserial: from_config() of 'Bad' raised an error: attempt to yield across "
        .. "a C-call boundary (at $)", nopos(err))
    end)

    it("clearing the registry mid-call: later names are simply not found", function()
      Bad.modes.clear = function() kserial.clear_custom_objects(); return {} end
      Bad.modes.num = function() return 42 end
      local ok, err = pcall(kserial.deserialize, { doc("clear"), doc("num") })
      H.setup()
      kserial.register_serializable("hostile")(Bad)
      assert.is_false(ok)
      assert.equal("kserial: Could not locate class 'hostile>Bad'. Make sure custom classes are "
        .. "registered with kserial.register_serializable(). (at $[1])", err)
    end)

    it("build_from_config and compile_from_config are held to the same rules", function()
      local G = kserial.class("G")
      function G:get_config() return {} end
      function G:build_from_config() error("bad build", 0) end
      function G:compile_from_config() kserial.custom_object_scope({}) end
      kserial.register_serializable("hostile")(G)
      fails_with("kserial: build_from_config() of 'G' raised an error: bad build (at $)",
        kserial.deserialize, { class_name = "G", registered_name = "hostile>G", config = {},
                               build_config = { a = 1 } })
      fails_with("kserial: compile_from_config() of 'G' left a scope open; scopes opened in a "
        .. "hook must be closed in it, with <close> or :close() (at $)",
        kserial.deserialize, { class_name = "G", registered_name = "hostile>G", config = {},
                               compile_config = { a = 1 } })
    end)

    it("a hook that takes keys out of the dict being walked: a kserial error, not Lua's", function()
      local parent = {}
      Bad.modes.mangle = function(cls)
        parent.a = nil                                   -- the key being walked
        for i = 1, 200 do parent["k" .. i] = i end       -- and a rehash
        return setmetatable({}, cls)
      end
      parent.a = doc("mangle")
      parent.b = 1
      fails_with("kserial: a hook took this key out of its dict while the dict was being "
        .. "deserialized (at $.a)", kserial.deserialize, parent)
    end)

    it("a special's encode that unregisters itself: a kserial error, not Lua's", function()
      local name = "__selfremoving__"
      local Thing = setmetatable({}, { __name = "Thing" })
      kserial.register_special(name, { decode = function() end, encode = function()
        kserial.register_special(name, nil)
        for i = 1, 40 do kserial.register_special("__filler" .. i .. "__", { decode = function() end }) end
        return nil
      end })
      local ok, err = pcall(kserial.serialize, { x = Thing })
      for i = 1, 40 do kserial.register_special("__filler" .. i .. "__", nil) end
      kserial.register_special(name, nil)
      assert.is_false(ok)
      assert.equal("kserial: encode() of special '__selfremoving__' unregistered its own special "
        .. "handler while serialize was asking the handlers (at $.x)", nopos(err))
    end)

    it("a hook that drops its envelope's class name does not change the messages about it", function()
      -- a long name is a string object of its own in each place it is made:
      -- the envelope's is the only one the walk has, and the hook drops it
      local unit = "AClassNameLongerThanShortStrings"
      local name, junk = unit:rep(3), nil
      local function collect()
        collectgarbage(); collectgarbage()
        junk = {}          -- strings of the same size, where the dropped one was
        for i = 1, 50 do junk[i] = ("#"):rep(#name - 1) .. i % 10 end
      end
      local env
      local function make(extra)
        env = { module = null, class_name = unit:rep(2) .. unit, config = {}, registered_name = null }
        for k, v in pairs(extra or {}) do env[k] = v end
        return { x = env }
      end
      local C = kserial.class(name)
      local custom = { custom_objects = { [name] = C } }
      local function drop() env.class_name = nil; env = nil; collect() end
      -- from_config's own error
      C.from_config = function() drop(); error("no", 0) end
      fails_with("kserial: from_config() of '" .. name .. "' raised an error: no (at $.x)",
        kserial.deserialize, make(), custom)
      -- a nested call on a value the hook made
      C.from_config = function() drop(); return kserial.deserialize({ y = { class_name = "Nope", config = {} } }) end
      fails_with("kserial: Could not locate class 'Nope'. Make sure custom classes are registered "
        .. "with kserial.register_serializable(). (at $.y (in a call made by from_config() of '"
        .. name .. "' at $.x))", kserial.deserialize, make(), custom)
      -- a build hook after a from_config that dropped the name
      C.from_config = function(cls) drop(); return setmetatable({}, cls) end
      function C:build_from_config() error("bad build", 0) end
      fails_with("kserial: build_from_config() of '" .. name .. "' raised an error: bad build (at $.x)",
        kserial.deserialize, make({ build_config = {} }), custom)
      -- a special's decode
      local special = "__" .. unit:rep(3) .. "__"
      kserial.register_special(special, { decode = function() drop(); error("no", 0) end })
      env = { class_name = "__" .. unit:rep(2) .. unit .. "__", config = {} }
      fails_with("kserial: decode() of special '" .. special .. "' raised an error: no (at $.x)",
        kserial.deserialize, { x = env })
      kserial.register_special(special, nil)
      assert.equal(50, #junk)   -- the filler was there while the messages were made
    end)
  end)
end)

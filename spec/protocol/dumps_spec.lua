-- dumps writes plain tables as text while it walks, and the tables it walks
-- itself and its envelopes as composites (docs/performance.md, "Dumps
-- (issue 12, part H)" and "Dumps, round 2 (issue 12, part K)"). What
-- users rely on: dumps(x, opts) is byte
-- for byte json.encode(serialize(x), opts), with the same errors, for
-- every option; nothing is written when it fails; the trees user code sees
-- (nested serialize calls) are tables.
local kserial = require "kserial"
local json = kserial.json
local null = kserial.null
local array = json.array

local Leaf = kserial.class("DumpsLeaf")
function Leaf:get_config() return self.cfg end

local Box = kserial.class("DumpsBox")
function Box:get_config() return { name = self.name, items = self.items } end

-- get_config calls serialize on its child itself (as Keras's Functional
-- does) and keeps what it got back.
local Wrap = kserial.class("DumpsWrap")
function Wrap:get_config()
  self.seen = kserial.serialize(self.child)
  return { child = self.seen }
end

local Built = kserial.class("DumpsBuilt")
function Built:get_config() return { n = 1 } end
function Built:get_build_config() return self.build end

-- The value options serialize takes, out of a dumps option table.
local function value_opts(o)
  if o == nil then return nil end
  return { allow_nan = o.allow_nan, int_keys = o.int_keys, max_values = o.max_values }
end

local function encode_opts(o)
  if o == nil then return nil end
  local c = {}
  for k, v in pairs(o) do if k ~= "max_values" then c[k] = v end end
  return c
end

-- dumps(x, o) against json.encode(serialize(x), o): the same text, or the
-- same error (which names the function called).
local function agree(x, o)
  local ok1, r1 = pcall(kserial.dumps, x, o)
  local ok2, r2 = pcall(function()
    return json.encode(kserial.serialize(x, value_opts(o)), encode_opts(o))
  end)
  -- errors are raised at the caller's line, which differs here
  if not ok1 then r1 = r1:gsub("^[^\n]-:%d+: kserial: ", "kserial: ") end
  if not ok2 then
    r2 = r2:gsub("^[^\n]-:%d+: kserial: ", "kserial: ")
           :gsub("^kserial: json%.encode: ", "kserial: dumps: ")
  end
  assert.equal(ok2, ok1, tostring(ok1 and r1 or r2) .. " / " .. tostring(r1))
  assert.equal(r2, r1)
  return r1
end

local OPTIONS = {
  false,   -- none
  { sort_keys = true },
  { sort_keys = false },
  { indent = 2 },
  { indent = "\t", sort_keys = false },
  { separators = { ", ", ": " } },
  { ensure_ascii = true },
  { allow_nan = true },
  { int_keys = "string" },
  { max_depth = 6 },
  { max_values = 40 },
}

local function each_option(f)
  for _, o in ipairs(OPTIONS) do f(o or nil) end
end

describe("dumps", function()
  setup(function()
    kserial.register_serializable("dumps_spec")(Leaf)
    kserial.register_serializable("dumps_spec")(Box)
    kserial.register_serializable("dumps_spec")(Wrap)
    kserial.register_serializable("dumps_spec")(Built)
  end)

  it("writes plain tables as json.encode writes serialize's copy, for every option", function()
    local values = {
      { a = 1, b = { 2.5, "x", true, null, array{} }, c = {}, ["é ✓"] = { z = { y = { -0.0 } } } },
      array{ array{ 1, 2 }, array{}, { k = "v" } },
      { list = { 1, 2, 3 }, nested = { deep = { deeper = { 1e300, -1e-300, 0.1 } } } },
      { [1] = "a", [2] = { x = 1 } },
      { tab = "a\tb\"c\\\1", ctrl = "\127", uni = "😀" },
      { nan = { 0 / 0 }, inf = { x = math.huge } },
      { ints = { [3] = "c", x = 1 } },
      { mixed = { 1, 2, x = 3 } },
      { holes = { 1, nil, 3 } },
      { bad_key = { [true] = 1 } },
      { bytes = { deep = { "\xff\xfe" } } },
      { fn = { print } },
      { lightud = { x = { io.stdout } } },
    }
    warn("@off")   -- the bytes string warns at each place
    for _, v in ipairs(values) do each_option(function(o) agree(v, o) end) end
  end)

  it("writes objects with plain configs and shared objects met at different depths", function()
    local shared = Leaf.new()
    shared.cfg = { rate = 0.5, shape = array{ 3, 3 }, meta = { tags = { "a", "b" }, empty = {} } }
    local chain = Box{ name = "deep", items = { shared } }
    for i = 1, 5 do chain = Box{ name = "lvl" .. i, items = { { wrap = { chain } } } } end
    local root = Box{ name = "root", items = { shared, chain, { inner = { shared } } } }
    each_option(function(o) agree(root, o) end)
    -- the copies are written in full, each with the id
    local doc = kserial.dumps(root)
    local n = select(2, doc:gsub('"shared_object_id":1', ""))
    assert.equal(3, n)
    assert.same(kserial.serialize(root), json.decode(doc))
  end)

  it("reports a shared object's copy that lands past max_depth where the encoder finds it", function()
    local shared = Leaf.new()
    shared.cfg = { a = { b = { c = { d = {} } } } }
    local chain = Box{ name = "d", items = { shared } }
    for i = 1, 4 do chain = Box{ name = "n" .. i, items = { chain } } end
    local root = Box{ name = "root", items = { shared, chain } }
    -- the first copy's config is at depth 4 (its "d" at 8), the second's
    -- at 19 ("a" 20 ... "d" 23): past 8, only the second copy is too deep
    for depth = 6, 26 do
      local out = agree(root, { max_depth = depth })
      if depth <= 23 then
        assert.matches("nesting deeper than " .. depth, out)
        if depth >= 20 then
          assert.matches("%.config%.a" .. ("%.[bcd]"):rep(depth - 20) .. "%)$", out)
        end
      else
        assert.matches('"d":{}', out)
      end
    end
  end)

  it("gives user code that calls serialize tables, not text, for a shared object's copy", function()
    local shared, inner = Leaf.new(), Leaf.new()
    inner.cfg = { deep = { 1.5 } }
    -- a config walked (it holds an object) with fragments below it
    shared.cfg = { list = array{ 1, 2 }, dict = { k = { "v" } }, child = inner }
    local w = Wrap.new()
    w.child = shared
    local root = Box{ name = "r", items = { shared, w } }
    local doc = kserial.dumps(root)
    local copy = w.seen   -- what serialize gave get_config inside dumps
    assert.equal("table", type(copy.config.list))
    assert.same({ 1, 2 }, setmetatable(copy.config.list, nil))
    assert.equal("v", copy.config.dict.k[1])
    assert.equal(1.5, copy.config.child.config.deep[1])
    assert.equal(1, copy.shared_object_id)
    assert.equal(kserial.dumps(kserial.loads(doc)), doc)
    assert.equal(doc, agree(root))
    each_option(function(o) agree(root, o) end)
  end)

  it("writes what a hook changed in the copy serialize gave it, as serialize's tree has it", function()
    -- serialize's copy of a shared object shares its config's tables with
    -- the first envelope: a hook that changes them changes what is written
    -- there, in dumps as in json.encode(serialize(x))
    local Mutator = kserial.class("DumpsMutator")
    function Mutator:get_config()
      local copy = kserial.serialize(self.child)
      copy.config.extra = "added"
      copy.config.list[3] = "pushed"
      copy.config.child.config.deep[2] = "inner"
      return { n = self.n }
    end
    kserial.register_serializable("dumps_spec")(Mutator)
    local shared, inner = Leaf.new(), Leaf.new()
    inner.cfg = { deep = { 1.5 } }
    shared.cfg = { list = array{ 1, 2 }, child = inner }
    local m1, m2 = Mutator.new(), Mutator.new()
    m1.child, m1.n = shared, 1
    m2.child, m2.n = shared, 2
    local root = Box{ name = "r", items = { shared, m1, { again = { shared } }, m2 } }
    local doc = agree(root)
    assert.matches('"extra":"added"', doc)
    assert.matches('%[1,2,"pushed"%]', doc)
    assert.matches('%[1.5,"inner"%]', doc)
    each_option(function(o) agree(root, o) end)
    -- an envelope met again is a copy of its own: a change to the copy
    -- inside the holder's config stays there (and in the holder's copies)
    local Toucher = kserial.class("DumpsToucher")
    function Toucher:get_config()
      local copy = kserial.serialize(self.child)
      copy.config.items[1].touched = true
      return { n = 1 }
    end
    kserial.register_serializable("dumps_spec")(Toucher)
    local leaf = Leaf.new()
    leaf.cfg = { v = { 1 } }
    local holder = Box{ name = "h", items = { leaf } }
    local t = Toucher.new()
    t.child = holder
    doc = agree(Box{ name = "r", items = { leaf, holder, t, holder } })
    local _, n = doc:gsub('"touched":true', "")
    assert.equal(2, n)
  end)

  it("gives a hook that calls dumps the text serialize would give it", function()
    local Texter = kserial.class("DumpsTexter")
    function Texter:get_config() return { text = kserial.dumps(self.child) } end
    kserial.register_serializable("dumps_spec")(Texter)
    local shared = Leaf.new()
    shared.cfg = { list = array{ 1, 2 }, dict = { k = { "v" } } }
    local t = Texter.new()
    t.child = shared
    local doc = agree(Box{ name = "r", items = { shared, t, { again = { shared } } } })
    assert.matches('\\"list\\":%[1,2%]', doc)
  end)

  it("writes each copy of a shared object with the first envelope's fields only", function()
    -- a hook serializes the shared object itself (so the first envelope is
    -- a table user code holds), and a later hook adds a key to that table:
    -- the copies dumps writes afterwards must not show it, as serialize's
    -- own copies do not
    local Adder = kserial.class("DumpsAdder")
    function Adder:get_config()
      self.wrap.seen.extra = "added"
      return { n = 1 }
    end
    kserial.register_serializable("dumps_spec")(Adder)
    local shared = Leaf.new()
    shared.cfg = { list = array{ 1, 2 } }
    local w = Wrap.new()
    w.child = shared
    local add = Adder.new()
    add.wrap = w
    local root = Box{ name = "r", items = { w, add, shared, { again = shared } } }
    local doc = agree(root)
    assert.equal(1, select(2, doc:gsub('"extra":"added"', "")))
    assert.equal(3, select(2, doc:gsub('"shared_object_id":1', "")))
    each_option(function(o) agree(root, o) end)
    -- dumps' own first envelope, written again at every place
    local deep = Box{ name = "d", items = { shared, { x = { shared } }, array{ shared } } }
    doc = agree(deep)
    assert.equal(3, select(2, doc:gsub('"shared_object_id":1', "")))
    each_option(function(o) agree(deep, o) end)
  end)

  it("writes tables holding objects as json.encode writes serialize's copy", function()
    -- tables dumps walks itself (they hold objects): every kind of item
    -- around the objects, keys that need escapes, at every option
    local leaf = Leaf.new()
    leaf.cfg = { v = 1 }
    local other = Leaf.new()
    other.cfg = { w = array{ 1.5, "x" } }
    local values = {
      { obj = leaf, n = 1, f = 0.1, s = "s\"q", t = true, z = null, e = {}, l = array{},
        d = { k = { 1 } }, ["é ✓"] = other, ["tab\t"] = { leaf } },
      array{ leaf, 1, "two", false, null, { x = other }, array{ 3 }, 2.5 },
      { nan = array{ leaf, 0 / 0, -math.huge }, inner = { deeper = { leaf, { other } } } },
      { ["\xff"] = leaf },
      { [1] = leaf, [3] = other },
      { list = { leaf, nil, other } },
    }
    for _, v in ipairs(values) do
      local root = Box{ name = "r", items = v }
      each_option(function(o) agree(root, o) end)
    end
    -- paths through keys written escaped, in the encoder's errors and in
    -- the tables a hook's serialize gets
    local deep = Box{ name = "p", items = { ['q"k'] = { ["é"] = array{ leaf } } } }
    local seen_path = false
    for depth = 3, 9 do
      for _, ascii in ipairs({ false, true }) do
        local out = agree(deep, { max_depth = depth, ensure_ascii = ascii })
        seen_path = seen_path or out:find('["q\\"k"]["é"]', 1, true) ~= nil
      end
    end
    assert.is_true(seen_path)
    local w = Wrap.new()
    w.child = deep
    agree(Box{ name = "w", items = { deep, w } }, { ensure_ascii = true })
    assert.equal("DumpsLeaf", w.seen.config.items['q"k']["é"][1].class_name)
    -- a table too large to wait on the stack is copied as before
    local big = {}
    for i = 1, 200 do big["k" .. i] = (i % 50 == 0) and leaf or i end
    each_option(function(o) agree(Box{ name = "big", items = big }, o) end)
  end)

  it("writes tables holding objects as deep as max_depth allows, however many items they have", function()
    -- the items of a table dumps walks itself wait on the Lua stack while
    -- the walk goes down; thousands of levels of 63 items each must not
    -- run out of it where the tables serialize makes did not
    local leaf = Leaf.new()
    leaf.cfg = { v = 1 }
    local function nest(bottom)
      local t = array{ bottom }
      for _ = 1, 8000 do
        local n = {}
        for i = 1, 62 do n[i] = i end
        n[63] = t
        t = n
      end
      return t
    end
    local opts = { max_depth = 10000 }
    local plain = kserial.dumps(nest("LEAF"), opts)
    local ok, out = pcall(kserial.dumps, nest(leaf), opts)
    assert.is_true(ok, out)
    local expected = plain:gsub('"LEAF"', function() return kserial.dumps(leaf) end)
    assert.equal(expected, out)
  end)

  it("gives the shared id to the tables user code gets for an envelope dumps wrote", function()
    -- `a` is written by dumps' own walk first; a hook's serialize then
    -- asks for it again and gets tables made from what dumps wrote,
    -- holding the envelope of `inner`, which turns out shared only later
    local inner = Leaf.new()
    inner.cfg = { deep = { 1 } }
    local a = Box{ name = "a", items = { { x = inner } } }
    local w = Wrap.new()
    w.child = a
    local root = Box{ name = "r", items = { a, w, inner } }
    local doc = agree(root)
    assert.equal(2, w.seen.shared_object_id)
    assert.equal(1, w.seen.config.items[1].x.shared_object_id)
    assert.equal(3, select(2, doc:gsub('"shared_object_id":1', "")))
    each_option(function(o) agree(root, o) end)
  end)

  it("refuses an object shared inside itself, as serialize does", function()
    local a = Box{ name = "a" }
    a.items = { { plain = { 1, 2 } }, { again = a } }
    local err = agree(Box{ name = "top", items = { a } })
    assert.matches("cycle: the object of class 'DumpsBox'", err)
  end)

  it("checks dicts that read as envelopes on their values, not on their text", function()
    agree({ x = { class_name = "Leaf", config = { 1, 2 } } })
    agree({ x = { class_name = "Leaf", config = { a = { 1 } } } })
    agree({ x = { class_name = 5, config = { a = 1 } } })
    agree({ x = { { shared_object_id = 1, class_name = "L", config = { a = 1 } } } })
  end)

  it("checks what the build hooks return on the value, not on its text", function()
    local b = Built.new()
    b.build = { shape = array{ null, 4 }, nested = { x = { 1 } } }
    each_option(function(o) agree(b, o) end)
    b.build = array{ 1, 2 }
    local err = agree(b)
    assert.matches("returned array", err)
    b.build = {}
    agree(b)
  end)

  it("counts every value against max_values, at the place serialize fails", function()
    local big = {}
    for i = 1, 50 do big[i] = { i, tostring(i) } end
    local v = { a = { b = big } }
    local text = kserial.dumps(v)
    -- 1 root + a + b + 50 pairs of 3 values each
    local total = 3 + 50 * 3
    assert.equal(text, agree(v, { max_values = total }))
    local err = agree(v, { max_values = total - 1 })
    assert.matches("max_values", err)
    -- larger than one attempt: the parts are tried in turn
    local huge = {}
    for i = 1, 5000 do huge[i] = { x = i } end
    agree({ huge = huge })
    agree({ huge = huge }, { max_values = 9000 })
  end)

  it("writes nothing when it fails half-way, and save leaves the old file", function()
    local Late = kserial.class("DumpsLate")
    function Late:get_config()
      if self.fail then error("late failure") end
      return { ok = true }
    end
    kserial.register_serializable("dumps_spec")(Late)
    local bad = Late.new()
    bad.fail = true
    local v = Box{ name = "r", items = { { big = { 1, 2, 3 } }, { more = { x = "y" } }, bad } }
    local path = os.tmpname()
    local f = assert(io.open(path, "wb"))
    f:write("old")
    f:close()
    local ok, err = pcall(kserial.save, v, path)
    assert.is_false(ok)
    assert.matches("late failure", err)
    f = assert(io.open(path, "rb"))
    assert.equal("old", f:read("a"))
    f:close()
    os.remove(path)
    agree(v)
    -- the same call works afterwards, and again gives the same text
    bad.fail = false
    assert.equal(agree(v), kserial.dumps(v))
  end)

  it("takes a snapshot of each plain table when the walk meets it", function()
    -- a get_config that reuses one scratch table: serialize copies it at
    -- each object, and so must dumps
    local scratch = {}
    local Scratch = kserial.class("DumpsScratch")
    function Scratch:get_config()
      scratch.v = self.v
      scratch.list = { self.v }
      return { data = scratch }
    end
    kserial.register_serializable("dumps_spec")(Scratch)
    local v = array{ Scratch{ v = 1 }, Scratch{ v = 2 }, Scratch{ v = 3 } }
    local doc = agree(v)
    assert.matches('"v":1', doc)
    assert.matches('"v":2', doc)
  end)

  it("agrees with serialize on random values with objects among plain tables", function()
    local rnd = 12345
    local function rand(n)
      rnd = (rnd * 1103515245 + 12345) % 2147483648
      return rnd % n
    end
    local pool = {}
    local function gen(depth)
      local r = rand(depth > 4 and 6 or 11)
      if r == 0 then return rand(1000) - 500
      elseif r == 1 then return rand(1000) / 7
      elseif r == 2 then return "s" .. rand(100)
      elseif r == 3 then return rand(2) == 1
      elseif r == 4 then return null
      elseif r == 5 then return "é" .. rand(10)
      elseif r == 6 then
        local t = {}
        for i = 1, rand(5) do t[i] = gen(depth + 1) end
        return t
      elseif r == 7 then
        local t = {}
        for _ = 1, rand(5) do t["k" .. rand(20)] = gen(depth + 1) end
        return t
      elseif r == 8 then
        local t = array{}
        for i = 1, rand(4) do t[i] = gen(depth + 1) end
        return t
      elseif r == 9 then
        local l = Leaf.new()
        l.cfg = { x = gen(depth + 1), y = gen(depth + 1) }
        pool[#pool + 1] = l
        return l
      else
        if #pool > 0 then return pool[rand(#pool) + 1] end
        return {}
      end
    end
    for _ = 1, 60 do
      local v = { root = gen(0), other = gen(0), list = { gen(1), gen(1) } }
      each_option(function(o) agree(v, o) end)
    end
  end)
end)

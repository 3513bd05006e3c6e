local kserial = require "kserial"
local H = require "ks_helpers"

local Point = kserial.class("Point")
function Point:init(c) self.x, self.y = c.x, c.y end
function Point:get_config() return { x = self.x, y = self.y } end

local function tmpdir()
  local d = os.tmpname()
  os.remove(d)
  assert(os.execute("mkdir -p '" .. d .. "'"))
  return d
end

local function ls(dir)
  return H.list(dir, ".")
end

describe("dumps and loads", function()
  setup(function() kserial.register_serializable("geo")(Point) end)

  it("round-trip an object through JSON text", function()
    local text = kserial.dumps(Point{ x = 1, y = 2.5 })
    assert.equal('{"module":null,"class_name":"Point","config":{"x":1,"y":2.5},'
      .. '"registered_name":"geo>Point"}', text)
    local p = kserial.loads(text)
    assert.equal(Point, getmetatable(p))
    assert.equal("integer", math.type(p.x))
    assert.equal(2.5, p.y)
  end)

  it("take the codec's options", function()
    assert.equal('{\n  "a": 1\n}', kserial.dumps({ a = 1 }, { indent = 2 }))
    assert.has_error(function() kserial.loads("[[[1]]]", { max_depth = 2 }) end)
    assert.has_error(function() kserial.dumps({}, { bogus = 1 }) end)
    assert.has_error(function() kserial.loads("1", { bogus = 1 }) end,
      "kserial: loads: unknown option 'bogus'")
  end)

  it("report decode errors with their position", function()
    local ok, err = pcall(kserial.loads, '{"a": [1, 2,, 3]}')
    assert.is_false(ok)
    assert.matches("line 1, column 13", err)
  end)

  it("loads takes protocol options", function()
    local P2 = kserial.class("P2")
    function P2:get_config() return {} end
    local p = kserial.loads('{"class_name": "P2", "config": {}}', { custom_objects = { P2 = P2 } })
    assert.equal(P2, getmetatable(p))
  end)
end)

describe("save and load", function()
  it("write a file atomically and read it back", function()
    local dir = tmpdir()
    local path = dir .. "/model.json"
    kserial.save(Point{ x = 1, y = 2 }, path)
    local p = kserial.load(path)
    assert.equal(2, p.y)
    assert.same({ "model.json" }, ls(dir))
    assert.equal(kserial.dumps(Point{ x = 1, y = 2 }), H.read(path))
    os.execute("rm -rf '" .. dir .. "'")
  end)

  it("a failing save leaves the old file untouched and no stray file", function()
    local dir = tmpdir()
    local path = dir .. "/model.json"
    kserial.save({ version = 1 }, path)
    local before = H.read(path)
    local Bad = kserial.class("Bad")
    function Bad:get_config() error("half way", 0) end
    assert.has_error(function() kserial.save({ a = 1, b = Bad{} }, path) end)
    assert.has_error(function() kserial.save({ 0 / 0 }, path) end)
    assert.equal(before, H.read(path))
    assert.same({ "model.json" }, ls(dir))
    os.execute("rm -rf '" .. dir .. "'")
  end)

  it("an unwritable folder gives a clear error", function()
    assert.has_error(function() kserial.save({}, "/nonexistent-dir/x/y.json") end)
    local ok, err = pcall(kserial.save, {}, "/nonexistent-dir/x/y.json")
    assert.is_false(ok)
    assert.matches("kserial: save: cannot write '/nonexistent%-dir/x/y%.json': No such file or directory", err)
  end)

  it("keeps the mode of an existing file", function()
    local dir = tmpdir()
    local path = dir .. "/m.json"
    kserial.save({}, path)
    os.execute("chmod 600 '" .. path .. "'")
    kserial.save({ a = 1 }, path)
    local p = io.popen("stat -c %a '" .. path .. "'")
    assert.equal("600", p:read("l"))
    p:close()
    os.execute("rm -rf '" .. dir .. "'")
  end)

  it("load of a missing file says so", function()
    local ok, err = pcall(kserial.load, "/nonexistent-file.json")
    assert.is_false(ok)
    assert.matches("kserial: load: cannot read '/nonexistent%-file%.json': No such file or directory", err)
  end)
end)

-- bench/run.lua - kserial's benchmark (issue 7): floor, plain and kserial
-- on one object graph, in one process and one run. Not a test.
--
--   kserial-bench bench/run.lua [options]     (bench/run.sh builds and runs it)
--
--   --graph model           the graph (default model): model (graph.lua, the
--                           Keras-like mix of layers), dense (graph_dense.lua,
--                           a Sequential of Dense layers: many small child
--                           objects), nested (graph_nested.lua: deep plain
--                           containers, few objects)
--   --n 1000,10000,100000   layer counts (default those three)
--   --reps 7                timed repetitions per operation (medians reported)
--   --quick                 --n 1000,10000 --reps 3
--   --mem-n N               layer count of the memory measurement (default: largest N)
--   --no-mem                skip the memory measurement
--   --no-check              skip the correctness checks (they run before timing)
--   --only op,op            time only these operations (keys as printed)
--   --wall                  time with the monotonic wall clock instead of the
--                           process's CPU time (the default: on a loaded
--                           machine wall time also counts time spent waiting
--                           for a core)
--   --callgrind             (for bench/callgrind.sh) run each operation once
--                           inside bench.measure at the first N, printing
--                           "callgrind-op <index> <key>" lines
--
-- Runs under kserial-bench (a counting allocator: peak memory, a monotonic
-- clock) or, with reduced measurements it names, under lua5.4 / kserial-lua.
local here = (arg and arg[0] or ""):match("^(.*)/[^/]*$") or "."
package.path = here .. "/?.lua;" .. package.path

local host = rawget(_G, "bench")  -- set by kserial-bench only
local kserial = rawget(_G, "kserial") or require "kserial"
local cjson = require "cjson"
local floor = require "floor"
local plain = require "plain"

local kjson = kserial.json
local fmt = string.format

-- ---- options -----------------------------------------------------------------

local function usage(msg)
  io.stderr:write("run.lua: ", msg, "\n")
  os.exit(2)
end

local function parse_list(s, what)
  local out = {}
  for item in s:gmatch("[^,]+") do
    out[#out + 1] = what == "number" and (tonumber(item) or usage("bad number " .. item)) or item
  end
  return out
end

-- --graph name -> module
local GRAPHS = { model = "graph", dense = "graph_dense", nested = "graph_nested" }

local opts = { ns = { 1000, 10000, 100000 }, reps = 7, mem = true, check = true, graph = "model" }
do
  local i = 1
  while arg and arg[i] do
    local a = arg[i]
    local function value()
      i = i + 1
      return arg[i] or usage(a .. " needs a value")
    end
    if a == "--n" then opts.ns = parse_list(value(), "number")
    elseif a == "--reps" then opts.reps = math.tointeger(tonumber(value())) or usage("bad --reps")
    elseif a == "--quick" then opts.ns, opts.reps = { 1000, 10000 }, 3
    elseif a == "--mem-n" then opts.mem_n = tonumber(value()) or usage("bad --mem-n")
    elseif a == "--no-mem" then opts.mem = false
    elseif a == "--no-check" then opts.check = false
    elseif a == "--only" then opts.only = parse_list(value(), "string")
    elseif a == "--callgrind" then opts.callgrind = true
    elseif a == "--wall" then opts.wall = true
    elseif a == "--graph" then
      opts.graph = value()
      if not GRAPHS[opts.graph] then usage("unknown graph " .. opts.graph .. " (model, dense, nested)") end
    else usage("unknown option " .. a) end
    i = i + 1
  end
  if opts.reps < 1 then usage("--reps must be at least 1") end
  if not opts.mem_n then
    opts.mem_n = 0
    for _, n in ipairs(opts.ns) do opts.mem_n = math.max(opts.mem_n, n) end
  end
end
local graph = require(GRAPHS[opts.graph])

-- CPU time of the process by default; os.clock is CPU time too (clock(3)).
local clock, clock_name
if opts.wall and host then
  clock, clock_name = host.clock, "wall time (CLOCK_MONOTONIC)"
elseif host then
  clock, clock_name = host.cpuclock, "CPU time (CLOCK_PROCESS_CPUTIME_ID)"
else
  if opts.wall then usage("--wall needs the kserial-bench host") end
  clock, clock_name = os.clock, "CPU time (os.clock)"
end

graph.register()
for _, cls in ipairs(graph.classes) do plain.register(cls, graph.PACKAGE) end

-- ---- the operations ----------------------------------------------------------

local ctx = {}  -- g: the graph, doc: its document, tree: serialize(g), ktree: json.decode(doc)
local identity = function(x) return x end
local use_kserial = function() graph.use(kserial.deserialize) end
local use_plain = function() graph.use(plain.deserialize) end
local use_floor = function() graph.use(floor.child) end
local use_identity = function() graph.use(identity) end
local unsorted = { sort_keys = false }

local OPS = {
  { key = "floor_write", label = "floor write: get_config + cjson.encode",
    fn = function() return floor.write(ctx.g, graph.names) end },
  { key = "floor_read", label = "floor read: cjson.decode + from_config", pre = use_floor,
    fn = function() return floor.read(ctx.doc, graph.by_name) end },
  { key = "plain_write", label = "plain write (Lua over cjson)",
    fn = function() return plain.dumps(ctx.g) end },
  { key = "plain_read", label = "plain read (Lua over cjson)", pre = use_plain,
    fn = function() return plain.loads(ctx.doc) end },
  { key = "hooks_write", label = "hooks only: get_config on every object",
    fn = function()
      local objs = ctx.objects
      for i = 1, #objs do
        local o = objs[i]
        o:get_config()
        if o.get_build_config then o:get_build_config() end
      end
    end },
  { key = "hooks_read", label = "hooks only: from_config on every object", pre = use_identity,
    fn = function()
      local calls, last = ctx.calls, nil
      for i = 1, #calls do
        local c = calls[i]
        last = c[1]:from_config(c[2])
        if c[3] then last:build_from_config(c[3]) end
      end
      return last
    end },
  { key = "serialize", label = "kserial.serialize",
    fn = function() return kserial.serialize(ctx.g) end },
  { key = "dumps", label = "kserial.dumps",
    fn = function() return kserial.dumps(ctx.g) end },
  { key = "loads", label = "kserial.loads", pre = use_kserial,
    fn = function() return kserial.loads(ctx.doc) end },
  { key = "deserialize", label = "kserial.deserialize", pre = use_kserial,
    fn = function() return kserial.deserialize(ctx.ktree) end },
  { key = "json_encode", label = "kserial.json.encode(tree)",
    fn = function() return kjson.encode(ctx.tree) end },
  { key = "json_encode_unsorted", label = "kserial.json.encode(tree, sort_keys=false)",
    fn = function() return kjson.encode(ctx.tree, unsorted) end },
  { key = "cjson_encode", label = "cjson.encode(tree)",
    fn = function() return cjson.encode(ctx.tree) end },
  { key = "json_decode", label = "kserial.json.decode(doc)",
    fn = function() return kjson.decode(ctx.doc) end },
  { key = "cjson_decode", label = "cjson.decode(doc)",
    fn = function() return cjson.decode(ctx.doc) end },
}
local OP = {}
for _, op in ipairs(OPS) do OP[op.key] = op end

local selected = OPS
if opts.only then
  selected = {}
  for _, key in ipairs(opts.only) do selected[#selected + 1] = OP[key] or usage("unknown op " .. key) end
end

-- ---- setup and checks --------------------------------------------------------

local function setup(n)
  local t0 = clock()
  ctx.g = graph.build(n)
  local t1 = clock()
  ctx.doc = kserial.dumps(ctx.g)
  ctx.tree = kserial.serialize(ctx.g)
  ctx.ktree = kjson.decode(ctx.doc)
  -- For the hooks-only rows: the distinct objects, and for each the class,
  -- its config (children already objects, as the floor passes it) and its
  -- build config.
  ctx.objects, ctx.calls = graph.objects(ctx.g), {}
  for i, o in ipairs(ctx.objects) do
    ctx.calls[i] = { getmetatable(o), o:get_config(), o.get_build_config and o:get_build_config() }
  end
  return t1 - t0
end

local function check(err, what)
  if err then error("bench: check failed: " .. what .. ": " .. err, 0) end
end

-- Every path is checked before it is timed, so nobody optimizes a broken one.
local function verify(n)
  local g, doc = ctx.g, ctx.doc
  local expected = graph.object_count(n)
  local _, shared = doc:gsub('"shared_object_id":', "")
  check(shared ~= graph.shared_count(n)
        and fmt("%d, expected %d", shared, graph.shared_count(n)) or nil, "shared_object_id count")

  use_kserial()
  check(kjson.encode(ctx.tree) ~= doc and "differs" or nil, "json.encode(serialize(g)) == dumps(g)")
  local err, count = graph.compare(g, kserial.loads(doc), true)
  check(err, "kserial.loads(dumps(g)) rebuilds g exactly")
  check(count ~= expected and fmt("%d objects, expected %d", count, expected) or nil, "object count")
  check(graph.compare(g, kserial.deserialize(ctx.ktree), true), "kserial.deserialize")
  check(kserial.dumps(kserial.loads(doc)) ~= doc and "differs" or nil,
        "dumps(loads(doc)) == doc, byte for byte")
  check(graph.compare(ctx.tree, kjson.decode(kjson.encode(ctx.tree)), true), "json round trip")

  local loose = cjson.decode(doc)
  use_floor()
  check(graph.compare(g, floor.read(doc, graph.by_name), false), "floor.read(doc)")
  local ftext = floor.write(g, graph.names)
  check(graph.compare(g, floor.read(ftext, graph.by_name), false), "floor round trip")
  check(graph.compare(loose, cjson.decode(ftext), false), "floor writes the same document")

  use_plain()
  check(graph.compare(g, plain.loads(doc), false), "plain.loads(doc)")
  local ptext = plain.dumps(g)
  check(graph.compare(g, plain.loads(ptext), false), "plain round trip")
  check(graph.compare(loose, cjson.decode(ptext), false), "plain writes the same document")
  check(graph.compare(ctx.tree, cjson.decode(cjson.encode(ctx.tree)), false), "cjson round trip")
  return expected, shared
end

-- ---- timing ------------------------------------------------------------------

local function median(xs)
  local s = table.move(xs, 1, #xs, 1, {})
  table.sort(s)
  local m = #s // 2
  if #s % 2 == 1 then return s[m + 1] end
  return (s[m] + s[m + 1]) / 2
end

-- Keeps a result reachable up to the call (a measurement must not let the
-- collector take it early).
local function hold(_) end

local function run_once(op)
  if op.pre then op.pre() end
  collectgarbage("collect")
  local t0 = clock()
  local res = op.fn()
  local t1 = clock()
  hold(res)
  return t1 - t0
end

-- One warm-up round, then `reps` rounds; each round runs every operation
-- once (interleaved, so drift of a noisy machine hits all of them alike).
local function time_ops(ops, reps)
  local samples = {}
  for _, op in ipairs(ops) do
    run_once(op)
    samples[op.key] = {}
  end
  for r = 1, reps do
    for _, op in ipairs(ops) do samples[op.key][r] = run_once(op) end
  end
  local out = {}
  for _, op in ipairs(ops) do
    local xs = samples[op.key]
    out[op.key] = { median = median(xs), min = math.min(table.unpack(xs)) }
  end
  return out
end

-- ---- memory ------------------------------------------------------------------

local MEM_OPS = { "loads", "floor_read", "plain_read", "json_decode", "cjson_decode" }

-- Peak bytes allocated during op above the heap before it (the document
-- exists before and is not counted), and the bytes still live after a full
-- collection while the result is held.
local function measure_mem(op)
  if op.pre then op.pre() end
  collectgarbage("collect")
  if host then
    local base = host.mem()
    host.reset_peak()
    local res = op.fn()
    local _, peak = host.mem()
    collectgarbage("collect")
    local live = host.mem() - base
    hold(res)
    return peak - base, live
  end
  collectgarbage("stop")
  local before = collectgarbage("count") * 1024
  local res = op.fn()
  local total = collectgarbage("count") * 1024 - before
  collectgarbage("restart")
  collectgarbage("collect")
  local live = collectgarbage("count") * 1024 - before
  hold(res)
  return total, live
end

-- ---- reports -----------------------------------------------------------------

local function ms(s) return fmt("%9.2f", s * 1e3) end

local TARGETS = {
  { "dumps", "floor_write", "<=", 1.2, "dumps / floor write" },
  { "loads", "floor_read", "<=", 1.2, "loads / floor read" },
  { "dumps", "plain_write", "<", 1.0, "dumps / plain write" },
  { "loads", "plain_read", "<", 1.0, "loads / plain read" },
  { "json_encode", "cjson_encode", "<=", 1.3, "json.encode / cjson.encode" },
  { "json_decode", "cjson_decode", "<=", 1.3, "json.decode / cjson.decode" },
}
-- Issue 12's speed aims, stricter than the targets above: measured at
-- N = 10 000 only, on the graph each names (nil: every graph). Reported as
-- "AIM met" / "AIM missed" and counted apart from the targets.
local AIMS = {
  { "dumps", "floor_write", 0.8, "dumps / floor write", "model" },
  { "loads", "floor_read", 0.85, "loads / floor read", "model" },
  { "loads", "plain_read", 0.8, "loads / plain read" },
}

local INFO_RATIOS = {
  { "serialize", "floor_write", "serialize / floor write" },
  { "deserialize", "floor_read", "deserialize / floor read" },
  { "plain_write", "floor_write", "plain write / floor write" },
  { "plain_read", "floor_read", "plain read / floor read" },
  { "json_encode_unsorted", "cjson_encode", "json.encode unsorted / cjson.encode" },
  { "dumps", { "hooks_write", "cjson_encode" }, "dumps / (hooks write + cjson.encode)" },
  { "loads", { "hooks_read", "cjson_decode" }, "loads / (cjson.decode + hooks read)" },
}

local verdicts = {}  -- every PASS/FAIL line, repeated in the summary
local aims = {}      -- every AIM line, likewise

local function verdict(ok, line)
  local s = (ok and "PASS  " or "FAIL  ") .. line
  verdicts[#verdicts + 1] = s
  return s
end

local function report_n(n, r, doc_bytes)
  print(fmt("  %-44s %9s %9s %9s", "operation", "median ms", "min ms", "us/layer"))
  for _, op in ipairs(selected) do
    local x = r[op.key]
    print(fmt("  %-44s %s %s %9.3f", op.label, ms(x.median), ms(x.min), x.median * 1e6 / n))
  end
  print(fmt("  document: %.2f MB; dumps writes %.1f MB/s, loads reads %.1f MB/s",
            doc_bytes / 1e6, r.dumps and doc_bytes / r.dumps.median / 1e6 or 0,
            r.loads and doc_bytes / r.loads.median / 1e6 or 0))
  print("  ratios of medians:")
  for _, t in ipairs(TARGETS) do
    local a, b = r[t[1]], r[t[2]]
    if a and b then
      local ratio = a.median / b.median
      local ok = (t[3] == "<=" and ratio <= t[4]) or (t[3] == "<" and ratio < t[4])
      print("    " .. verdict(ok, fmt("N=%-7d %-30s %5.2f  (target %s %.1f; ratio of minima %.2f)",
                                       n, t[5], ratio, t[3], t[4], a.min / b.min)))
    end
  end
  for _, t in ipairs(AIMS) do
    local a, b = r[t[1]], r[t[2]]
    if a and b and n == 10000 and (t[5] == nil or t[5] == opts.graph) then
      local ratio = a.median / b.median
      local line = fmt("AIM %-6s N=%-7d %-30s %5.2f  (issue 12 aim <= %.2f; ratio of minima %.2f)",
                       ratio <= t[3] and "met" or "missed", n, t[4], ratio, t[3], a.min / b.min)
      aims[#aims + 1] = line
      print("    " .. line)
    end
  end
  for _, t in ipairs(INFO_RATIOS) do
    local a, b = r[t[1]], 0
    for _, key in ipairs(type(t[2]) == "table" and t[2] or { t[2] }) do
      b = r[key] and b and b + r[key].median or nil
    end
    if a and b then print(fmt("          %-42s %5.2f", t[3], a.median / b)) end
  end
end

-- Linear: from each N to the next (tenfold at the default Ns), the time per
-- layer may grow by at most 1.5x (caches make small N a little faster per
-- layer; a quadratic step would grow it tenfold).
local function report_scaling(results)
  if #results < 2 then return end
  print()
  print("scaling: median us per layer (linear: it grows at most 1.5x from one N to the next)")
  local head = fmt("  %-24s", "operation")
  for _, res in ipairs(results) do head = head .. fmt(" %10s", "N=" .. res.n) end
  print(head .. "    last/first")
  local first, last = results[1], results[#results]
  local function per_layer(res, key) return res.r[key].median / res.n end
  for _, op in ipairs(selected) do
    local line = fmt("  %-24s", op.key)
    for _, res in ipairs(results) do line = line .. fmt(" %10.3f", per_layer(res, op.key) * 1e6) end
    print(line .. fmt("    %5.2f", per_layer(last, op.key) / per_layer(first, op.key)))
  end
  for _, key in ipairs({ "serialize", "dumps", "loads", "deserialize" }) do
    if first.r[key] then
      local worst, steps = 0, {}
      for i = 2, #results do
        local growth = per_layer(results[i], key) / per_layer(results[i - 1], key)
        worst = math.max(worst, growth)
        steps[#steps + 1] = fmt("%.2f", growth)
      end
      print("  " .. verdict(worst <= 1.5,
        fmt("linear %-12s time per layer, growth from one N to the next: %s (target <= 1.5)",
            key, table.concat(steps, ", "))))
    end
  end
end

local function report_memory(n, doc_bytes)
  print()
  if host then
    print(fmt("memory at N=%d (counting allocator; document %.2f MB, not counted):", n, doc_bytes / 1e6))
    print(fmt("  %-44s %10s %8s %10s %8s", "operation", "peak MB", "peak/doc", "result MB", "res/doc"))
  else
    print(fmt("memory at N=%d: no kserial-bench host, so no peak: bytes allocated with the GC stopped", n))
    print(fmt("  %-44s %10s %8s %10s %8s", "operation", "alloc MB", "/doc", "result MB", "res/doc"))
  end
  for _, key in ipairs(MEM_OPS) do
    local op = OP[key]
    local peak, live = measure_mem(op)
    local line = fmt("  %-44s %10.1f %8.2f %10.1f %8.2f", op.label, peak / 1e6, peak / doc_bytes,
                     live / 1e6, live / doc_bytes)
    print(line)
    if key == "loads" and host then
      print("  " .. verdict(peak <= 3 * doc_bytes,
                            fmt("loads peak memory / document size %5.2f  (target <= 3)", peak / doc_bytes)))
    end
  end
end

-- ---- callgrind mode ----------------------------------------------------------

local function callgrind_mode()
  if not (host and host.measure) then usage("--callgrind needs the kserial-bench host") end
  local n = opts.ns[1]
  setup(n)
  if opts.check then verify(n) end
  print(fmt("callgrind-n %d %d %s", n, #ctx.doc, opts.graph))
  for i, op in ipairs(selected) do
    if op.pre then op.pre() end
    op.fn()                      -- warm-up, not counted
    collectgarbage("collect")
    host.measure(op.fn)          -- counted, and dumped when it returns
    print(fmt("callgrind-op %d %s", i, op.key))
    io.stdout:flush()
  end
end

-- ---- main --------------------------------------------------------------------

local function loadavg()
  local f = io.open("/proc/loadavg")
  if not f then return "unknown" end
  local s = f:read("l") or ""
  f:close()
  return s:match("^(%S+ %S+ %S+)") or "unknown"
end

local function main()
  if opts.callgrind then return callgrind_mode() end
  print(fmt("kserial bench, graph %s: %s, lua-cjson %s; %s; %s; reps %d (+1 warm-up), medians; "
            .. "GC incremental (Lua's default), full collection before each run",
            opts.graph, _VERSION, tostring(cjson._VERSION),
            host and "kserial-bench host (counting allocator)"
                 or "no kserial-bench host (no peak memory)",
            clock_name, opts.reps))
  print("load average at start: " .. loadavg()
        .. " (other work on the machine still skews CPU times through shared caches)")
  local results = {}
  for _, n in ipairs(opts.ns) do
    local build = setup(n)
    local doc_bytes = #ctx.doc
    print()
    local line = fmt("N = %d layers: %d objects, document %.2f MB (%.0f bytes/layer), graph built in %.0f ms",
                     n, graph.object_count(n), doc_bytes / 1e6, doc_bytes / n, build * 1e3)
    if opts.check then
      local t0 = clock()
      local objects, shared = verify(n)
      line = line .. fmt("; checks passed (%d objects, %d shared_object_id) in %.0f ms",
                         objects, shared, (clock() - t0) * 1e3)
    end
    print(line)
    local r = time_ops(selected, opts.reps)
    report_n(n, r, doc_bytes)
    results[#results + 1] = { n = n, r = r }
    if opts.mem and n == opts.mem_n then
      -- Only the document stays live.
      ctx.g, ctx.tree, ctx.ktree, ctx.objects, ctx.calls = nil, nil, nil, nil, nil
      report_memory(n, doc_bytes)
    end
    ctx.g, ctx.doc, ctx.tree, ctx.ktree, ctx.objects, ctx.calls = nil, nil, nil, nil, nil, nil
    collectgarbage("collect")
  end
  report_scaling(results)
  print()
  print("summary:")
  local fails = 0
  for _, v in ipairs(verdicts) do
    print("  " .. v)
    if v:sub(1, 4) == "FAIL" then fails = fails + 1 end
  end
  print(fmt("  %d of %d targets met; load average at end: %s", #verdicts - fails, #verdicts, loadavg()))
  if #aims > 0 then
    local met = 0
    for _, line in ipairs(aims) do
      print("  " .. line)
      if line:find("^AIM met") then met = met + 1 end
    end
    print(fmt("  %d of %d issue 12 aims met", met, #aims))
  end
end

main()

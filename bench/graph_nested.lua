-- bench/graph_nested.lua - the third bench graph (run.lua --graph nested):
-- few objects, deep plain containers. Not a test.
--
-- The opposite of graph_dense.lua: a Pipeline of N Block objects, each
-- holding a chain of containers DEPTH levels deep (a dict holding a list
-- holding a dict ...), with a string, an integer and a float at each level
-- and an empty list at the bottom. Nothing is shared and no object sits
-- inside the containers, so the time goes to walking and writing plain
-- tables: keys, lists, depth, paths. The Pipeline's blocks share one
-- Schedule object, so every block carries a shared_object_id.
local kserial = require "kserial"
local lib = require "graphlib"

local array = kserial.json.array
local string_format = string.format
local child, class = lib.child, lib.class

local M = {}

M.PACKAGE = "bench_nested"
M.DEPTH = 8   -- levels of containers in each block

-- ---- classes -------------------------------------------------------------------

-- Leaf object: the default from_config (copy the config into a new object).
local Schedule = class("Schedule", "bench.schedules")
function Schedule:get_config() return { name = self.name, steps = self.steps } end

local Block = class("Block", "bench.blocks")
function Block:get_config()
  return { name = self.name, tree = self.tree, schedule = self.schedule }
end
function Block.from_config(cls, c)
  return cls.new{ name = c.name, tree = c.tree, schedule = child(c.schedule) }
end

local Pipeline = class("Pipeline", "bench.pipelines")
function Pipeline:get_config() return { name = self.name, blocks = self.blocks } end
function Pipeline.from_config(cls, c)
  local blocks = {}
  for i, b in ipairs(c.blocks) do blocks[i] = child(b) end
  return cls.new{ name = c.name, blocks = blocks }
end

M.classes = { Schedule, Block, Pipeline }
lib.finish(M)

-- ---- building ----------------------------------------------------------------

-- A chain of containers depth levels deep: dicts at odd levels, lists (of
-- a number and the next level) at even ones.
local function tree(depth, rnd)
  local bottom = array{}
  local node = bottom
  for level = depth, 1, -1 do
    if level % 2 == 0 then
      node = array{ rnd() * 100, node }
    else
      node = { kind = string_format("level_%d", level), level = level,
               weight = rnd(), next = node }
    end
  end
  return node
end

-- Builds the pipeline with n blocks. Deterministic: the same n gives the
-- same graph (and the same document) on every run.
function M.build(n)
  math.randomseed(20240607, n)
  local rnd = math.random
  local schedule = Schedule{ name = "cosine", steps = 1000 }
  local blocks = {}
  for i = 1, n do
    blocks[i] = Block{ name = string_format("block_%d", i), tree = tree(M.DEPTH, rnd),
                       schedule = schedule }
  end
  return Pipeline{ name = "pipeline", blocks = blocks }
end

-- The number of distinct objects in a graph of n blocks.
function M.object_count(n)
  return 2 + n
end

-- The number of shared_object_id in its document (written on every
-- envelope of an object held more than once): the schedule in every
-- block, when two blocks or more hold it.
function M.shared_count(n)
  return n >= 2 and n or 0
end

return M

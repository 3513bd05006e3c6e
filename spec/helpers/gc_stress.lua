-- busted --helper: runs every spec with the collector working almost all
-- the time (a cycle starts as soon as memory grows by 10%, and each step
-- does a lot of work), so code that only works while the collector stays
-- away fails every time instead of once in a while. Used by tools/gcstress.sh.
collectgarbage("incremental", 10, 100)

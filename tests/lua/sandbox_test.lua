--! sandbox
-- A sandboxed host: no io, no os.execute, no dofile; stdlib still loads.
local T = require "testing"

function test_no_io_or_exec()
  T.eq(io, nil)
  T.eq(os.execute, nil)
  T.eq(os.getenv, nil)
  T.eq(os.remove, nil)
  T.eq(dofile, nil)
  T.eq(loadfile, nil)
  T.eq(debug, nil)
end

function test_safe_os_and_libs()
  T.eq(type(os.time()), "number")
  T.eq(type(os.clock()), "number")
  T.eq(string.rep("a", 3), "aaa")
  T.eq(math.max(1, 2), 2)
end

function test_stdlib_loads_in_sandbox()
  T.eq(require("services").ports("ssh"), { 22 })
end

function test_filesystem_require_blocked()
  T.raises(function() require "testdata.helper" end, "no module")
end

function test_timers_work_in_sandbox()
  local fired = false
  nfsh.after(1, function() fired = true end)
  return function() T.truthy(fired) end
end

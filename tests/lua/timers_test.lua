-- The event loop: nfsh.after, nfsh.every, cancellation and ordering.
local T = require "testing"

function test_after_runs_once_in_order()
  local got = {}
  nfsh.after(30, function() got[#got + 1] = "late" end)
  nfsh.after(1, function() got[#got + 1] = "early" end)
  nfsh.after(0, function() got[#got + 1] = "now" end)
  return function() T.eq(got, { "now", "early", "late" }) end
end

function test_every_until_cancelled_from_callback()
  local n = 0
  nfsh.every(2, function(timer)
    n = n + 1
    if n == 4 then timer:cancel() end
  end)
  return function() T.eq(n, 4) end
end

function test_cancel_before_fire()
  local fired = false
  local t = nfsh.after(5, function() fired = true end)
  T.eq(t:active(), true)
  t:cancel()
  T.eq(t:active(), false)
  t:cancel() -- twice is harmless
  return function() T.eq(fired, false) end
end

function test_active_counts_live_timers()
  T.eq(nfsh.active(), 0)
  local a = nfsh.after(1000, function() end)
  local b = nfsh.every(1000, function() end)
  T.eq(nfsh.active(), 2)
  a:cancel()
  b:cancel()
  T.eq(nfsh.active(), 0)
end

function test_timer_tostring()
  local t = nfsh.after(1500, function() end)
  T.match(tostring(t), "^timer%(after 1%.5s, active%)$")
  t:cancel()
  T.match(tostring(t), "cancelled")
end

function test_callbacks_schedule_more_work()
  local got = {}
  nfsh.after(1, function()
    got[#got + 1] = 1
    nfsh.after(1, function() got[#got + 1] = 2 end)
  end)
  return function() T.eq(got, { 1, 2 }) end
end

function test_bad_arguments()
  T.raises(function() nfsh.after(-1, function() end) end, "milliseconds must be >= 0")
  T.raises(function() nfsh.every(0, function() end) end, "interval must be > 0")
  T.raises(function() nfsh.after(10) end, "function expected")
end

-- Errors carry the script's file:line; errors in callbacks are reported
-- and do not stop the loop.
local T = require "testing"

function test_error_has_file_and_line()
  local err = T.raises(function() error("boom") end)
  T.match(err, "errors_test%.lua:6: boom$")
end

function test_runtime_error_position()
  local err = T.raises(function()
    local x = nil
    return x.field
  end)
  T.match(err, "errors_test%.lua:13: ")
end

function test_callback_error_reported_and_loop_continues()
  local after = false
  nfsh.after(1, function()
    error("callback failed")
  end)
  nfsh.after(10, function() after = true end)
  return function()
    local reported = require("testrunner").reported()
    T.eq(#reported, 1)
    T.match(reported[1], "^errors_test%.lua:21: error: callback failed\nstack traceback:")
    T.truthy(after, "the loop went on after the error")
  end
end

function test_binding_argument_errors_name_the_type()
  T.raises(function() nfsh.after("soon", function() end) end, "number expected")
end

function test_print_goes_to_the_session_output()
  print("hello from", "lua", 42) -- shows in the test log
end

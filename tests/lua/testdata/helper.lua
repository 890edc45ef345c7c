-- A module required by require_test.lua from the script's folder.
local M = {}
function M.double(x) return 2 * x end
return M

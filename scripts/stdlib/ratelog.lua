-- ratelog: rate-limited logging rules, so a flood of dropped packets
-- cannot flood the log.
--
--   local ratelog = require "ratelog"
--   ratelog.add(chain, { prefix = "drop: ", rate = "5/minute", level = "info" })
--       appends `limit rate 5/minute log prefix "drop: " level info`
--   ratelog.add(chain, { prefix = "ssh: ", group = 5, rate = "10/second", match = "tcp dport 22" })
--       logs to NFLOG group 5 (nfsh log --group 5, nft.log_listen) only packets matching `match`
--   ratelog.drop(chain, opts)    the log rule, then an unconditional drop
--   ratelog.reject(chain, opts)  the log rule, then reject
--
-- Options: prefix (string, default "nfsh: "), rate (N/second|minute|hour|day,
-- default "5/minute"), burst (packets), level (syslog level), group (NFLOG
-- group instead of the kernel log), match (nft match text put first),
-- tag (rule tag). Each function returns the chain, so calls chain.
local M = {}

local function text(opts)
  opts = opts or {}
  local rate = opts.rate or "5/minute"
  assert(type(rate) == "string" and rate:match("^%d+/%a+$"), "ratelog: rate must look like \"5/minute\"")
  local parts = {}
  if opts.match then
    assert(type(opts.match) == "string", "ratelog: match must be nft match text")
    parts[#parts + 1] = opts.match
  end
  local lim = "limit rate " .. rate
  if opts.burst then lim = lim .. " burst " .. math.floor(opts.burst) .. " packets" end
  parts[#parts + 1] = lim
  local prefix = opts.prefix or "nfsh: "
  assert(not prefix:find('["\\\n]'), "ratelog: prefix may not contain quotes, backslashes or newlines")
  local log = 'log prefix "' .. prefix .. '"'
  if opts.group then
    log = log .. " group " .. math.floor(opts.group)
  elseif opts.level then
    assert(opts.level:match("^%a+$"), "ratelog: bad level")
    log = log .. " level " .. opts.level
  end
  parts[#parts + 1] = log
  return table.concat(parts, " ")
end

--- text(opts) returns the nft text of the log rule (for inspection).
M.text = text

--- add(chain, opts) appends the rate-limited log rule.
function M.add(chain, opts)
  return chain:rule(text(opts), { tag = opts and opts.tag })
end

--- drop(chain, opts) appends the log rule and a drop.
function M.drop(chain, opts)
  M.add(chain, opts)
  return chain:rule("drop")
end

--- reject(chain, opts) appends the log rule and a reject.
function M.reject(chain, opts)
  M.add(chain, opts)
  return chain:rule("reject")
end

return M

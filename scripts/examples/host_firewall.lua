-- host_firewall.lua: a default host firewall for a server.
--
-- Drops incoming connections except loopback, replies, ping, SSH and
-- HTTPS (plus ports given as arguments), with a ban list and
-- rate-limited logging of what is dropped. The table is pushed with
-- persist = true, so it stays after the script ends; run it again to
-- replace it (the push is one atomic batch).
--
-- Run:  nfsh scripts/examples/host_firewall.lua [EXTRA_TCP_PORT...]
--       nfsh --netns new scripts/examples/host_firewall.lua 8080   (try it in a throwaway netns)
local hostfw = require "hostfw"

local extra = {}
for i = 1, #arg do
  local p = tonumber(arg[i])
  assert(p, "port number expected, got " .. tostring(arg[i]))
  extra[#extra + 1] = p
end

local rs = hostfw.build({
  services = { "ssh", "https" },
  tcp = extra,
  ban = { timeout = "1d" },
  log = { rate = "10/minute" },
  persist = true,
})
local ok, err = nft.push(rs)
if not ok then
  io.stderr:write("push failed: ", err, "\n")
  nfsh.exit(1)
end
print(nft.pull("inet", "nfsh_host"))

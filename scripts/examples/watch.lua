-- watch.lua: print ruleset changes the way `nft monitor` does.
--
--   nfsh scripts/examples/watch.lua [--count N] [--demo]
--
-- Subscribes to the nf_tables change events of the session's network
-- namespace (nft.subscribe, one callback per commit) and prints one line
-- per change, then "# new generation N by process PID (NAME)" after each
-- commit, e.g. while `nft add rule inet filter input tcp dport 22 accept`
-- runs elsewhere:
--
--   add rule inet filter input tcp dport 22 accept
--   # new generation 7 by process 4242 (nft)
--
-- When the socket overflows it prints "# events lost: resynchronised at
-- generation N" and goes on. It runs until Ctrl-C, or until N changes
-- were printed with --count N. --demo makes a change of its own after
-- subscribing (a session-owned table with a chain, a set and a rule), so
-- there is something to see; with --demo the count defaults to the 5
-- changes it makes. In a throwaway namespace:
--
--   unshare -n nfsh scripts/examples/watch.lua --demo
local count, demo = nil, false
local i = 1
while i <= #arg do
  local a = arg[i]
  if a == "--demo" then
    demo = true
  elseif a == "--count" and tonumber(arg[i + 1]) then
    count = tonumber(arg[i + 1])
    i = i + 1
  else
    io.stderr:write("usage: watch.lua [--count N] [--demo]\n")
    nfsh.exit(2)
  end
  i = i + 1
end
if demo and not count then count = 5 end

local printed = 0
local sub
sub = assert(nft.subscribe(function(c)
  if c.kind == "resync_needed" then
    print(("# events lost: resynchronised at generation %d"):format(c.gen))
    return
  end
  for _, ev in ipairs(c.events) do
    print(ev.line)
    printed = printed + 1
    if count and printed >= count then break end
  end
  print(("# new generation %d by process %d (%s)"):format(c.gen, c.pid, c.proc))
  if count and printed >= count then sub:close() end
end, { per_commit = true }))

if demo then
  assert(nft.push(nft.parse [[
table inet nfsh_watch_demo {
  set trusted { type ipv4_addr; elements = { 192.0.2.10 } }
  chain input {
    type filter hook input priority filter; policy accept;
    ip saddr @trusted tcp dport 22 accept
  }
}]]))
end

-- container_fw.lua: a firewall for a container's network namespace.
--
-- nfsh --netns enters the container's namespace before anything else, so
-- the script is written as if it ran inside it: only the published ports
-- may connect in, the container may not reach the host's management
-- network (10.255.0.0/16), and the table is an owner table (not persist)
-- so the container keeps this firewall exactly as long as the script runs:
-- pass --hold to keep running (Ctrl-C or SIGTERM ends it, and the table
-- goes with the session).
--
-- Run:  nfsh --netns /run/netns/ctr1 scripts/examples/container_fw.lua [--hold]
--       nfsh --netns pid:$(docker inspect -f '{{.State.Pid}}' web) scripts/examples/container_fw.lua --hold
--       nfsh --netns new scripts/examples/container_fw.lua
local published = { 80, 443 }

local fw = nft [[
table inet container {
  chain input {
    type filter hook input priority filter; policy drop;
    ct state established,related accept
    iif lo accept
    tcp dport $published accept
    meta l4proto ipv6-icmp accept
  }
  chain output {
    type filter hook output priority filter; policy accept;
    ip daddr $mgmt reject
  }
}]] { published = published, mgmt = "10.255.0.0/16" }

assert(nft.push(fw))
print(fw)
local hold = false
for _, a in ipairs(arg) do hold = hold or a == "--hold" end
if hold then
  print("holding the firewall; Ctrl-C to drop it")
  nfsh.every(60000, function() end)
end

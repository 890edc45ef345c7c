-- tally.lua: count logged packets per log prefix, printed every few seconds.
--
--   nfsh scripts/examples/tally.lua [GROUP] [INTERVAL_S] [--demo]
--
-- Listens to NFLOG group GROUP (default 7) with metadata only (copy
-- "meta": the prefix is all we need) and prints, every INTERVAL_S seconds
-- (default 5), one line per prefix with the packets and the packets per
-- second seen in that interval, busiest first, plus any loss. With --demo
-- it first installs a session-owned table whose rules log new TCP and UDP
-- flows and ICMP with the prefixes "tcp-new", "udp-new" and "icmp", e.g.
--
--   tally: 5s  tcp-new 12 (2.4/s)  icmp 3 (0.6/s)
local demo, nums = false, {}
for _, a in ipairs(arg) do
  if a == "--demo" then demo = true
  elseif tonumber(a) then nums[#nums + 1] = tonumber(a)
  else error("usage: tally.lua [GROUP] [INTERVAL_S] [--demo]") end
end
local group, interval = nums[1] or 7, nums[2] or 5

if demo then
  assert(nft.push(nft.parse(string.format([[
table inet tally {
  chain in {
    type filter hook input priority filter; policy accept;
    ct state new meta l4proto tcp log prefix "tcp-new" group %d
    ct state new meta l4proto udp log prefix "udp-new" group %d
    meta l4proto { icmp, ipv6-icmp } log prefix "icmp" group %d
  }
}]], group, group, group))))
end

local counts, lost = {}, 0
local listener = assert(nft.log_listen({ group = group, copy = "meta", timeout = 100 }, function(ev)
  if ev.kind == "loss" then lost = lost + ev.lost; return end
  local p = ev.prefix or "(no prefix)"
  counts[p] = (counts[p] or 0) + 1
end))

nfsh.every(interval * 1000, function()
  local keys = {}
  for k in pairs(counts) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b)
    if counts[a] ~= counts[b] then return counts[a] > counts[b] end
    return a < b
  end)
  local parts = { string.format("tally: %gs", interval) }
  for _, k in ipairs(keys) do
    parts[#parts + 1] = string.format("%s %d (%.1f/s)", k, counts[k], counts[k] / interval)
  end
  if #keys == 0 then parts[#parts + 1] = "(nothing logged)" end
  if lost > 0 then parts[#parts + 1] = string.format("lost %d", lost) end
  print(table.concat(parts, "  "))
  counts, lost = {}, 0
end)
print(string.format("tally: counting nflog group %d every %gs (%s)", group, interval, tostring(listener)))

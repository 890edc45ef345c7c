-- hostfw: a default host firewall. Incoming connections are dropped except
-- loopback, replies, ping and the services you name; forwarding is off;
-- outgoing traffic is free. Optional ban list and rate-limited logging.
--
--   local hostfw = require "hostfw"
--   local rs = hostfw.build({ services = { "ssh", "https" }, tcp = { 8080 }, udp = { 51820 } })
--   nft.push(rs)                    -- owner table: gone when the script ends
--   hostfw.apply({ services = { "ssh" }, persist = true })   -- build + push, table stays
--
-- Options: services (names, see the services module), tcp, udp (extra
-- ports or "lo-hi" ranges), icmp (default true), trusted (interface
-- names accepted like lo), allow_from (source prefixes accepted for any
-- port), ban (true or banlist options: adds the banned/banned6 sets and
-- their drop rules), log (true or ratelog options: log what is dropped),
-- reject (reject instead of silently dropping), table (default
-- "nfsh_host"), family (default "inet"), persist, into (a ruleset value).
-- Rules carry tags (svc-tcp, svc-udp, ...) so a later reconcile replaces
-- them in place.
local services = require "services"
local banlist = require "banlist"
local ratelog = require "ratelog"

local M = {}

local function merge(a, b)
  local out, seen = {}, {}
  for _, l in ipairs({ a or {}, b or {} }) do
    for _, v in ipairs(l) do
      if not seen[v] then seen[v] = true; out[#out + 1] = v end
    end
  end
  return out
end

--- build(opts) returns the ruleset value and its table.
function M.build(opts)
  opts = opts or {}
  local rs = opts.into or nft.ruleset()
  local t = rs:table(opts.family or "inet", opts.table or "nfsh_host", { persist = opts.persist })
  local input = t:chain("input", { type = "filter", hook = "input", priority = "filter", policy = "drop" })
  t:chain("forward", { type = "filter", hook = "forward", priority = "filter", policy = "drop" })
  t:chain("output", { type = "filter", hook = "output", priority = "filter", policy = "accept" })
  input:rule("ct state established,related accept", { tag = "established" })
  input:rule("ct state invalid drop", { tag = "invalid" })
  input:rule("iif lo accept", { tag = "loopback" })
  if opts.trusted then input:rule("iifname $ifs accept", { ifs = opts.trusted, tag = "trusted" }) end
  if opts.ban then
    local bl = banlist.declare(t, type(opts.ban) == "table" and opts.ban or {})
    banlist.rules(input, bl)
  end
  if opts.allow_from then
    local v4, v6 = {}, {}
    for _, p in ipairs(opts.allow_from) do
      if p:find(":", 1, true) then v6[#v6 + 1] = p else v4[#v4 + 1] = p end
    end
    if #v4 > 0 then input:rule("ip saddr $p accept", { p = v4, tag = "allow4" }) end
    if #v6 > 0 then input:rule("ip6 saddr $p accept", { p = v6, tag = "allow6" }) end
  end
  if opts.icmp ~= false then
    input:rule("meta l4proto { icmp, ipv6-icmp } accept", { tag = "icmp" })
  end
  local names = opts.services or {}
  local tcp = merge(services.ports(names, "tcp"), opts.tcp)
  local udp = merge(services.ports(names, "udp"), opts.udp)
  if #tcp > 0 then input:rule("tcp dport $ports accept", { ports = tcp, tag = "svc-tcp" }) end
  if #udp > 0 then input:rule("udp dport $ports accept", { ports = udp, tag = "svc-udp" }) end
  if opts.log then
    local lo = type(opts.log) == "table" and opts.log or {}
    lo.prefix = lo.prefix or "nfsh host drop: "
    lo.tag = "log"
    ratelog.add(input, lo)
  end
  if opts.reject then input:rule("reject", { tag = "reject" }) end
  return rs, t
end

--- apply(opts, [push_opts]) builds and pushes; returns the ruleset value,
--- or nil, err.
function M.apply(opts, push_opts)
  local rs = M.build(opts)
  local ok, err = nft.push(rs, push_opts)
  if not ok then return nil, err end
  return rs
end

return M

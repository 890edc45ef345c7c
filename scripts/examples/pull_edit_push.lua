-- pull_edit_push.lua: edit the live ruleset as a value.
--
-- Pulls table inet filter from the kernel (creating a small one first if
-- there is none, so the example runs anywhere), opens a TCP port in its
-- input chain, shows the patch between the live ruleset and the edited
-- value, and pushes it with mode = "reconcile": only the difference is
-- sent, under the ruleset generation id, so a concurrent change by
-- another tool is never overwritten (the push retries on a fresh pull).
--
-- Run:  nfsh scripts/examples/pull_edit_push.lua [PORT]
--       nfsh --netns new scripts/examples/pull_edit_push.lua 8443
local port = tonumber(arg[1] or "8443")

local live = nft.pull("inet", "filter")
if not live then
  live = nft [[
table inet filter {
  chain input {
    type filter hook input priority filter; policy accept;
    ct state established,related accept
    tcp dport 22 accept
  }
}]] {}
  live:table("inet", "filter", { persist = true })
  assert(nft.push(live))
  live = assert(nft.pull("inet", "filter"))
end

local edited = live:copy()
local input = edited:get_table("inet", "filter"):get_chain("input")
assert(input, "table inet filter has no chain input")
input:add{ proto = "tcp", dport = port, counter = true, verdict = "accept", comment = "opened by pull_edit_push" }

local patch = nft.diff(live, edited)
print("patch (" .. patch.count .. " command(s)):")
print(patch)
assert(nft.push(edited, { mode = "reconcile" }))
assert(nft.diff(nil, edited).empty, "kernel differs from the pushed value")
print(nft.pull("inet", "filter"))

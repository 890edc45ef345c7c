-- repl_demo.lua: helpers for an interactive session, and a tour of them.
--
-- Load it into the REPL with dofile and play:
--     $ nfsh --netns new
--     > dofile "scripts/examples/repl_demo.lua"
--     > open(8080)          -- adds a rule to the demo table, pushes with reconcile
--     > close(8080)
--     > show()              -- prints the live table
--     > =demo               -- the value being edited (printed as nft text)
--     > nft.diff(nil, demo) -- what would change in the kernel
-- Run as a script it performs the same steps and exits.
--
-- Run:  nfsh --netns new scripts/examples/repl_demo.lua
demo = nft.ruleset()
local input = demo:table("inet", "demo"):chain("input", { type = "filter", hook = "input", policy = "accept" })
input:rule("ct state established,related accept", { tag = "established" })
assert(nft.push(demo))

--- open(port) accepts a TCP port and pushes the change.
function open(port)
  input:add{ proto = "tcp", dport = port, verdict = "accept", tag = "port-" .. port }
  return nft.push(demo, { mode = "reconcile" })
end

--- close(port) removes the rule again.
function close(port)
  local r = input:get_rule("port-" .. port)
  if r then r:delete() end
  return nft.push(demo, { mode = "reconcile" })
end

--- show() prints the live demo table.
function show()
  print(nft.pull("inet", "demo"))
end

if not debug.getinfo(3) or arg then -- run as a script: take the tour
  assert(open(8080))
  assert(open(9090))
  show()
  assert(close(8080))
  show()
  print("supported:", nft.supported().reconcile and "reconcile" or "", nft.supported().persist and "persist" or "")
end

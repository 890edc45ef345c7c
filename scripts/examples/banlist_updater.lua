-- banlist_updater.lua: keep a ban list in the kernel up to date.
--
-- Makes sure table inet nfsh_bans exists (persist) with ban sets whose
-- entries expire after an hour and input rules dropping their traffic,
-- then bans the addresses given as arguments (or read from the file
-- named by --file, one address per line, # comments), without touching
-- anything else: elements are added live, so existing bans keep their
-- timers. With --watch SECONDS it re-reads the file periodically.
--
-- Run:  nfsh scripts/examples/banlist_updater.lua 198.51.100.7 2001:db8::66
--       nfsh scripts/examples/banlist_updater.lua --file /etc/nfsh/bans --watch 60
--       nfsh --netns new scripts/examples/banlist_updater.lua 203.0.113.9
local banlist = require "banlist"

local file, watch, addrs = nil, nil, {}
local i = 1
while i <= #arg do
  if arg[i] == "--file" then file = arg[i + 1]; i = i + 1
  elseif arg[i] == "--watch" then watch = tonumber(arg[i + 1]); i = i + 1
  else addrs[#addrs + 1] = arg[i] end
  i = i + 1
end

-- Create the table once; later runs find it and leave it (and its bans) alone.
if not nft.pull("inet", "nfsh_bans") then
  local rs = nft.ruleset()
  local t = rs:table("inet", "nfsh_bans", { persist = true })
  local bl = banlist.declare(t, { timeout = "1h" })
  banlist.rules(t:chain("input", { type = "filter", hook = "input", priority = "filter - 10" }), bl)
  assert(nft.push(rs))
end

local function read_file()
  local out = {}
  for line in io.lines(file) do
    line = line:gsub("#.*", ""):match("^%s*(.-)%s*$")
    if line ~= "" then out[#out + 1] = line end
  end
  return out
end

local function update(list)
  if #list == 0 then return end
  local ok, err = banlist.ban("inet", "nfsh_bans", list)
  if not ok then io.stderr:write("ban failed: ", err, "\n") else print("banned " .. #list .. " address(es)") end
end

update(addrs)
if file then update(read_file()) end
print("now banned: " .. table.concat(banlist.list("inet", "nfsh_bans"), ", "))
if file and watch then
  nfsh.every(watch * 1000, function() update(read_file()) end)
end

-- services: well-known services by name, for firewall rules.
--
--   local services = require "services"
--   services.get("ssh")             --> { name = "ssh", tcp = { 22 } }
--   services.ports("ssh", "https")  --> { 22, 443 }     (tcp ports, sorted)
--   services.ports({ "dns" }, "udp") --> { 53 }
--   services.define("myapp", { tcp = { 8080 } })
--
-- Names are the ones firewalld and fw4 users reach for; each service lists
-- its tcp and udp ports. Unknown names raise an error naming the service.
local M = {}

local db = {
  ssh        = { tcp = { 22 } },
  telnet     = { tcp = { 23 } },
  smtp       = { tcp = { 25 } },
  smtps      = { tcp = { 465 } },
  submission = { tcp = { 587 } },
  dns        = { tcp = { 53 }, udp = { 53 } },
  dhcp       = { udp = { 67 } },
  dhcpv6     = { udp = { 547 } },
  ["dhcpv6-client"] = { udp = { 546 } },
  tftp       = { udp = { 69 } },
  http       = { tcp = { 80 } },
  https      = { tcp = { 443 }, udp = { 443 } },
  http3      = { udp = { 443 } },
  pop3       = { tcp = { 110 } },
  pop3s      = { tcp = { 995 } },
  ntp        = { udp = { 123 } },
  imap       = { tcp = { 143 } },
  imaps      = { tcp = { 993 } },
  snmp       = { udp = { 161 } },
  ldap       = { tcp = { 389 } },
  ldaps      = { tcp = { 636 } },
  syslog     = { udp = { 514 } },
  mysql      = { tcp = { 3306 } },
  postgresql = { tcp = { 5432 } },
  redis      = { tcp = { 6379 } },
  rdp        = { tcp = { 3389 } },
  vnc        = { tcp = { 5900 } },
  wireguard  = { udp = { 51820 } },
  openvpn    = { udp = { 1194 } },
  ipsec      = { udp = { 500, 4500 } },
  mdns       = { udp = { 5353 } },
  samba      = { tcp = { 139, 445 }, udp = { 137, 138 } },
  nfs        = { tcp = { 2049 }, udp = { 2049 } },
  kubernetes = { tcp = { 6443 } },
  prometheus = { tcp = { 9090 } },
}

local function copy(list)
  local out = {}
  for i, v in ipairs(list or {}) do out[i] = v end
  return out
end

--- get(name) returns the service { name =, tcp = {...}, udp = {...} }.
function M.get(name)
  local s = db[name]
  if not s then
    error("unknown service '" .. tostring(name) .. "'", 3)
  end
  return { name = name, tcp = copy(s.tcp), udp = copy(s.udp) }
end

--- exists(name) reports whether a service is known.
function M.exists(name)
  return db[name] ~= nil
end

--- names() returns the sorted list of known service names.
function M.names()
  local out = {}
  for k in pairs(db) do out[#out + 1] = k end
  table.sort(out)
  return out
end

--- ports(names..., [proto]) returns the sorted, distinct ports of the
--- services for proto ("tcp" by default). Names may be given as a list.
function M.ports(...)
  local args = { ... }
  local proto = "tcp"
  if args[#args] == "tcp" or args[#args] == "udp" then
    proto = table.remove(args)
  end
  local seen, out = {}, {}
  local function add(name)
    if type(name) == "table" then
      for _, n in ipairs(name) do add(n) end
      return
    end
    if type(name) == "number" then
      if not seen[name] then seen[name] = true; out[#out + 1] = name end
      return
    end
    local s = db[name]
    if not s then error("unknown service '" .. tostring(name) .. "'", 4) end
    for _, p in ipairs(s[proto] or {}) do
      if not seen[p] then seen[p] = true; out[#out + 1] = p end
    end
  end
  for _, a in ipairs(args) do add(a) end
  table.sort(out)
  return out
end

--- define(name, { tcp = {...}, udp = {...} }) adds or replaces a service.
function M.define(name, spec)
  assert(type(name) == "string", "service name must be a string")
  assert(type(spec) == "table", "service spec must be a table")
  db[name] = { tcp = copy(spec.tcp), udp = copy(spec.udp) }
end

return M

-- require: the embedded stdlib and the script's own folder.
local T = require "testing"

function test_stdlib_services()
  local s = require "services"
  T.eq(s.get("ssh"), { name = "ssh", tcp = { 22 }, udp = {} })
  T.eq(s.ports("https", "ssh", "http"), { 22, 80, 443 })
  T.eq(s.ports({ "dns" }, "udp"), { 53 })
  T.raises(function() s.get("nosuch") end, "unknown service 'nosuch'")
end

function test_stdlib_define()
  local s = require "services"
  s.define("myapp", { tcp = { 8080, 8443 } })
  T.eq(s.ports("myapp"), { 8080, 8443 })
  T.truthy(s.exists("myapp"))
end

function test_require_is_cached()
  T.truthy(require("services") == require("services"))
end

function test_require_from_script_folder()
  local helper = require "testdata.helper"
  T.eq(helper.double(21), 42)
end

function test_missing_module_error()
  T.raises(function() require "no.such.module" end, "no module 'no.such.module' in the nfsh stdlib")
end

function test_nft_and_nfsh_globals()
  T.eq(type(nft), "table")
  T.eq(type(nfsh.after), "function")
  T.eq(type(nfsh.version), "string")
end

// Package stdlib embeds the Lua modules shipped with nfsh (the *.lua files
// of this folder), which scripts load with require.
package stdlib

import "embed"

// FS holds the stdlib modules: NAME.lua is required as "NAME".
//
//go:embed *.lua
var FS embed.FS

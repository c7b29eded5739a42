// Package handlers names the Lambda handlers whose programs live in this directory. It is a leaf
// (it imports nothing), so the spec language, the build and the embedded zips can all share
// the one list without importing each other.
package handlers

// Names are the handlers a spec's `handler:` may name: each is the main package
// handlers/<name>. `provisioner build` builds them, `make build` embeds their zips in the
// binary, and spec validation accepts them. Adding a handler is one entry here.
var Names = []string{"receiver", "processor", "deadletter", "authorizer"}

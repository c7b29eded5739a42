package main

import "flag"

// update rewrites generated files (deploy/drift-policy.json, docs/commands/) instead of
// comparing: go test ./cmd/provisioner -run 'TestDeploy|TestCommandDocs' -update
var update = flag.Bool("update", false, "rewrite generated files")

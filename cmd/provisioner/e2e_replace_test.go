package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/provisioner-dev/provisioner/localstack/emutest"
)

// TestReplacePlanSaysOrderAndWhy: before anything changes, plan says of each replacement
// whether the new resource comes first or the old one must go first, and why; apply then
// replaces the security group new-first and converges.
func TestReplacePlanSaysOrderAndWhy(t *testing.T) {
	c := newCLI(t)
	sfx := emutest.Suffix(t)
	spec := c.writeSpec("network-storage.yaml")
	t.Cleanup(func() { c.run("destroy", "--suffix", sfx, "--yes") })
	c.must(0, "apply", spec, "--suffix", sfx)

	sgEdit := []string{"description: Webhook Lambdas; HTTPS out to the VPC endpoints only", "description: Webhook Lambdas, HTTPS out only"}
	c.writeSpec("network-storage.yaml", append(sgEdit, "hash_key: {name: event_id, type: S}", "hash_key: {name: id, type: S}")...)
	c.rec.Reset()
	out := c.must(0, "plan", spec, "--suffix", sfx)
	assert.Contains(t, out, "-/+ replace    ec2.security_group/lambda-sg  (netstore-lambda-sg-"+sfx+")  # created first")
	assert.Contains(t, out, "-/+ replace    dynamodb.table/events  (netstore-events-"+sfx+")  # deleted first: table names are unique")
	assert.Empty(t, c.mutations(), "plan changes nothing")

	var plan struct {
		Changes []struct{ Address, Action, Order, Reason string }
	}
	require.NoError(t, json.Unmarshal([]byte(c.must(0, "plan", spec, "--suffix", sfx, "-o", "json")), &plan))
	orders := map[string]string{}
	for _, ch := range plan.Changes {
		if ch.Action == "replace" {
			orders[ch.Address] = ch.Order
		}
	}
	assert.Equal(t, map[string]string{"ec2.security_group/lambda-sg": "create_before_delete", "dynamodb.table/events": "delete_before_create"}, orders)

	c.writeSpec("network-storage.yaml", sgEdit...)
	out = c.must(0, "apply", spec, "--suffix", sfx)
	assert.Contains(t, out, "1 replaced")
	assert.Contains(t, c.must(0, "plan", spec, "--suffix", sfx), "No changes: 11 resources match the spec.")
}

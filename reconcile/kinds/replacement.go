package kinds

// How each kind is replaced (reconcile.Replacer): whether the new resource can be created
// beside the old one, so that the engine creates it first, moves what references it, and
// deletes the old one last; or, when not, why. The rules are in one file so that the question
// "which replacements keep the service up?" has one answer. A kind not named here is replaced
// delete-first unless its name changes (the engine's rule: a table, queue, bucket, role, log
// group, function, alarm or parameter name is unique in the account and the spec fixes it).

import (
	"net/netip"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// CreateFirst implements reconcile.Replacer: VPCs are told apart by id (the name is a tag),
// and two may have the same CIDR.
func (k *VPC) CreateFirst(reconcile.Desired, state.Resource, []reconcile.FieldDiff) (bool, string) {
	return true, ""
}

// CreateFirst implements reconcile.Replacer: a subnet in another VPC, or with a CIDR that does
// not overlap the old one, can exist beside it; one VPC cannot hold overlapping CIDRs.
func (k *Subnet) CreateFirst(d reconcile.Desired, live state.Resource, diffs []reconcile.FieldDiff) (bool, string) {
	if reconcile.Changes(diffs).Changed("vpc") {
		return true, ""
	}
	want, _ := d.Props.(*spec.Subnet)
	got, _ := live.Props.(*spec.Subnet)
	if want == nil || got == nil {
		return false, ""
	}
	a, errA := netip.ParsePrefix(want.CIDR)
	b, errB := netip.ParsePrefix(got.CIDR)
	if errA == nil && errB == nil && !a.Overlaps(b) {
		return true, ""
	}
	return false, "the new CIDR " + want.CIDR + " overlaps the old subnet's " + got.CIDR + ", and one VPC cannot hold both; move the old one's users first or pick a free CIDR to replace it without a gap"
}

// CreateFirst implements reconcile.Replacer: group names are unique per VPC, so the new group
// takes reconcile.ReplacementName (its Name tag keeps the spec's name, which discovery reads
// back as its name).
func (k *SecurityGroup) CreateFirst(reconcile.Desired, state.Resource, []reconcile.FieldDiff) (bool, string) {
	return true, ""
}

// CreateFirst implements reconcile.Replacer: an endpoint in another VPC, or for another
// service, can exist beside the old one; two of one service in one VPC conflict (the private
// DNS name of an interface endpoint, the prefix-list route of a gateway endpoint).
func (k *VPCEndpoint) CreateFirst(_ reconcile.Desired, _ state.Resource, diffs []reconcile.FieldDiff) (bool, string) {
	if reconcile.Changes(diffs).Changed("vpc", "service") {
		return true, ""
	}
	return false, "two endpoints of one service in one VPC conflict (private DNS name, gateway route)"
}

// CreateFirst implements reconcile.Replacer: a mapping from a new source can run beside the
// old one; two of one source and function would both deliver the same records.
func (k *EventSourceMapping) CreateFirst(_ reconcile.Desired, _ state.Resource, diffs []reconcile.FieldDiff) (bool, string) {
	if reconcile.Changes(diffs).Changed("source") {
		return true, ""
	}
	return false, "Lambda keeps one mapping per source and function, and two would deliver every record twice"
}

// CreateFirst implements reconcile.Replacer: a statement on another function can exist beside
// the old one; a function's policy holds one statement per id.
func (k *LambdaPermission) CreateFirst(_ reconcile.Desired, _ state.Resource, diffs []reconcile.FieldDiff) (bool, string) {
	if reconcile.Changes(diffs).Changed("function") {
		return true, ""
	}
	return false, "a function's policy holds one statement per id, and the spec fixes this one's"
}

// CreateFirst implements reconcile.Replacer: the table name is unique in the account and
// region, and the spec fixes it.
func (k *DynamoDBTable) CreateFirst(d reconcile.Desired, _ state.Resource, _ []reconcile.FieldDiff) (bool, string) {
	return false, "table names are unique in the account and region and the spec fixes " + d.Name + ": the old table, and every item in it, is deleted first (rename the table to keep the old one until the new one is in use)"
}

// CreateFirst implements reconcile.Replacer: the role name is unique in the account, whatever
// the path.
func (k *IAMRole) CreateFirst(d reconcile.Desired, _ state.Resource, _ []reconcile.FieldDiff) (bool, string) {
	return false, "role names are unique in the account whatever the path, and the spec fixes " + d.Name
}

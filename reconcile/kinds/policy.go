package kinds

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/provisioner-dev/provisioner/reconcile"
	"github.com/provisioner-dev/provisioner/spec"
	"github.com/provisioner-dev/provisioner/state"
)

// PolicyDocument is an IAM policy, in the JSON form `aws iam put-role-policy` takes.
type PolicyDocument struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one Allow statement.
type Statement struct {
	Sid      string   `json:"Sid"`
	Effect   string   `json:"Effect"`
	Action   []string `json:"Action"`
	Resource []string `json:"Resource"`
}

// PolicyCommands are the commands Policy knows.
var PolicyCommands = []string{"drift", "apply", "destroy"}

// Policy is the least-privilege policy that running command (drift, apply or destroy) on st
// needs: discovery of every registered kind (it lists each type and reads tags to find ours),
// and the command's calls on the spec's own resources, scoped to their ARNs where AWS has
// resource-level permissions. account may be "*" to leave the account open.
func Policy(st *spec.Stack, command, account string) (PolicyDocument, error) {
	if !slices.Contains(PolicyCommands, command) {
		return PolicyDocument{}, fmt.Errorf("policy for %q: want one of %s", command, strings.Join(PolicyCommands, ", "))
	}
	g := grants{}
	x := expander{partition: partition(st.Region), region: st.Region, account: account}
	names := namesByKind(st, account)
	for _, kind := range slices.Sorted(maps.Keys(KindPermissions)) {
		p := KindPermissions[kind]
		for _, op := range p.Calls {
			if !needed(command, op, p) {
				continue
			}
			discover := slices.Contains(p.Discover, op)
			if !discover && len(names[kind]) == 0 {
				continue // nothing of this kind in the spec: only finding ours is needed
			}
			q, qnames := p, names[kind]
			if via, ok := p.Via[op]; ok {
				q, qnames, discover = KindPermissions[via], names[via], false
			}
			for _, action := range IAMActions(q.Service, op) {
				g.add(action, x.resources(q, action, discover, qnames))
			}
		}
		if p.PassRole && command == "apply" && len(names[kind]) > 0 {
			g.add("iam:PassRole", x.resources(KindPermissions["iam.role"], "iam:PassRole", false, names["iam.role"]))
		}
	}
	if command != "destroy" {
		// Planning asks the tag index first (TagIndex); it takes no resource-level permission.
		// Without it every kind reads its own tags, one call per resource.
		g.add("tag:GetResources", []string{"*"})
	}
	if command != "drift" {
		x.lock(g, st.Suffix)
	}
	return g.document(), nil
}

// lockActions are the SSM calls of the stack lock (state/lock.go) that apply and destroy take;
// tags are written in PutParameter itself, which needs AddTagsToResource.
var lockActions = []string{"ssm:AddTagsToResource", "ssm:DeleteParameter", "ssm:GetParameter", "ssm:GetParametersByPath", "ssm:PutParameter"}

// lock grants the lock's calls on the suffix's lock parameters only.
func (x expander) lock(g grants, suffix string) {
	base := fmt.Sprintf("arn:%s:ssm:%s:%s:parameter%s", x.partition, x.region, x.account, state.LockPath(suffix))
	for _, a := range lockActions {
		g.add(a, []string{base, base + "/*"})
	}
}

// needed says whether command makes the SDK call op of a kind with permissions p.
func needed(command, op string, p Permissions) bool {
	switch command {
	case "drift":
		return reconcile.IsReadOnlyOperation(op)
	case "destroy":
		return reconcile.IsReadOnlyOperation(op) || IsDeleteOperation(op) || slices.Contains(p.Destroy, op)
	default: // apply creates, updates, replaces and deletes
		return true
	}
}

// namesByKind is the physical names of the spec's resources by kind, ${account} filled in.
func namesByKind(st *spec.Stack, account string) map[string][]string {
	out := map[string][]string{}
	for _, r := range st.Resources {
		out[r.Kind] = append(out[r.Kind], strings.ReplaceAll(r.Name, "${account}", account))
	}
	return out
}

type expander struct{ partition, region, account string }

// resources are the ARNs action is granted on.
func (x expander) resources(p Permissions, action string, discover bool, names []string) []string {
	if unscoped[action] || strings.HasPrefix(action, "ec2:Describe") {
		return []string{"*"}
	}
	if discover || len(p.OwnARNs) == 0 || len(names) == 0 {
		return x.expand(p.TypeARNs, "")
	}
	var out []string
	for _, n := range names {
		out = append(out, x.expand(p.OwnARNs, n)...)
	}
	return out
}

func (x expander) expand(templates []string, name string) []string {
	// {path} is the name as an SSM parameter ARN carries it: with one leading slash.
	r := strings.NewReplacer("{partition}", x.partition, "{region}", x.region, "{account}", x.account, "{name}", name,
		"{path}", "/"+strings.TrimPrefix(name, "/"))
	out := make([]string, len(templates))
	for i, t := range templates {
		out[i] = r.Replace(t)
	}
	return out
}

// grants collects action → resources, then groups actions that share the same resources.
type grants map[string]map[string]bool

func (g grants) add(action string, resources []string) {
	if g[action] == nil {
		g[action] = map[string]bool{}
	}
	for _, r := range resources {
		g[action][r] = true
	}
}

func (g grants) document() PolicyDocument {
	byResources := map[string][]string{} // sorted resources joined → actions
	for action, rs := range g {
		key := strings.Join(slices.Sorted(maps.Keys(rs)), "\n")
		byResources[key] = append(byResources[key], action)
	}
	doc := PolicyDocument{Version: "2012-10-17"}
	count := map[string]int{}
	for _, key := range slices.Sorted(maps.Keys(byResources)) {
		actions := slices.Sorted(slices.Values(byResources[key]))
		sid := "Unscoped"
		if key != "*" {
			svc := strings.SplitN(actions[0], ":", 2)[0]
			count[svc]++
			sid = fmt.Sprintf("%s%d", strings.ToUpper(svc[:1])+svc[1:], count[svc])
		}
		doc.Statement = append(doc.Statement, Statement{Sid: sid, Effect: "Allow", Action: actions, Resource: strings.Split(key, "\n")})
	}
	return doc
}

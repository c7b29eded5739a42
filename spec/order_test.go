package spec

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// validOrder checks that order has every kind once, each after the kinds it references.
func validOrder(t *testing.T, kinds []KindInfo, order []string) {
	t.Helper()
	require.Len(t, order, len(kinds))
	for _, k := range kinds {
		at := slices.Index(order, k.Kind)
		require.GreaterOrEqual(t, at, 0, "%s missing from the order", k.Kind)
		for _, ref := range k.References {
			assert.Less(t, slices.Index(order, ref), at, "%s comes before %s, which it references", k.Kind, ref)
		}
	}
}

// TestKindOrder: the order is a topological order of References, whatever the order of Kinds.
func TestKindOrder(t *testing.T) {
	validOrder(t, Kinds, KindOrder())
	reversed := slices.Clone(Kinds)
	slices.Reverse(reversed)
	for name, kinds := range map[string][]KindInfo{"reversed": reversed, "rotated": append(slices.Clone(Kinds[7:]), Kinds[:7]...)} {
		order, err := topoOrder(kinds)
		require.NoError(t, err, name)
		validOrder(t, kinds, order)
	}
	assert.Equal(t, 0, Tier("ec2.vpc"))
	assert.Equal(t, len(Kinds)-1, Tier("cloudwatch.metric_alarm"))
	assert.Equal(t, -1, Tier("ec2.nat_gateway"))
}

func TestKindOrderErrors(t *testing.T) {
	a := KindInfo{Kind: "a", References: []string{"b"}}
	b := KindInfo{Kind: "b", References: []string{"a"}}
	_, err := topoOrder([]KindInfo{a, b, {Kind: "c"}})
	assert.EqualError(t, err, "kinds [a b] reference each other in a cycle")
	_, err = topoOrder([]KindInfo{a})
	assert.EqualError(t, err, "kind a references b: want another known kind")
	_, err = topoOrder([]KindInfo{{Kind: "a", References: []string{"a"}}})
	assert.EqualError(t, err, "kind a references a: want another known kind")
}

// notOrdering are references a kind's checks accept that do not order the kinds, and why.
var notOrdering = map[[2]string]string{
	// The endpoint may name security groups (Interface endpoints), which must outlive it.
	{"ec2.security_group", "ec2.vpc_endpoint"}: "a gateway endpoint's prefix list is AWS's own and outlives the endpoint",
}

// TestReferencesCoverChecks reads every kind's file: each kind its checks expect a reference
// to (expectRef, expectRefs) is among its References.
func TestReferencesCoverChecks(t *testing.T) {
	files, err := filepath.Glob("kind_*.go")
	require.NoError(t, err)
	require.Len(t, files, len(Kinds))
	for _, file := range files {
		own, expected := expectedKinds(t, file)
		info, ok := Info(own)
		require.True(t, ok, "%s describes unknown kind %q", file, own)
		for _, kind := range expected {
			if kind == own || notOrdering[[2]string{own, kind}] != "" {
				continue
			}
			assert.Contains(t, info.References, kind, "%s: the checks of %s expect a reference to %s", file, own, kind)
		}
	}
}

// expectedKinds returns the kind a kind file describes (its KindInfo's Kind) and the kinds
// named by its expectRef and expectRefs calls.
func expectedKinds(t *testing.T, file string) (own string, expected []string) {
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	require.NoError(t, err)
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.KeyValueExpr:
			if id, ok := n.Key.(*ast.Ident); ok && id.Name == "Kind" && own == "" {
				own = stringLit(n.Value)
			}
		case *ast.CallExpr:
			if sel, ok := n.Fun.(*ast.SelectorExpr); ok && (sel.Sel.Name == "expectRef" || sel.Sel.Name == "expectRefs") {
				expected = append(expected, stringLit(n.Args[3]))
			}
		}
		return true
	})
	return own, expected
}

func stringLit(e ast.Expr) string {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return ""
	}
	s, _ := strconv.Unquote(lit.Value)
	return s
}

// TestExamplesFollowReferences: in the shipped stacks, every reference from one kind to
// another is declared in the referring kind's References.
func TestExamplesFollowReferences(t *testing.T) {
	for _, file := range []string{webhookExample, "../examples/network-storage.yaml"} {
		st, err := Load(file, Options{})
		require.NoError(t, err)
		for _, r := range st.Resources {
			info, _ := Info(r.Kind)
			for _, ref := range append(PropsRefs(r.Props), Refs(r.Name)...) {
				d := st.Lookup(ref.Resource)
				if d == nil || d.Kind == r.Kind || notOrdering[[2]string{r.Kind, d.Kind}] != "" {
					continue
				}
				assert.Contains(t, info.References, d.Kind, "%s: %s (%s) refers to %s (%s)", file, r.Logical, r.Kind, d.Logical, d.Kind)
			}
		}
	}
}

// TestKindsListedInCreateOrder: Kinds (and so docs/spec.md, which lists the kinds in its
// order and calls it the order a stack is created) needs no reordering by KindOrder.
func TestKindsListedInCreateOrder(t *testing.T) {
	var names []string
	for _, k := range Kinds {
		names = append(names, k.Kind)
	}
	assert.Equal(t, names, KindOrder())
}

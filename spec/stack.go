// Package spec is the desired-state language: its types, strict decoding with file:line:col
// errors, validation, references, naming and JSON Schema. It does no I/O beyond reading the
// spec file.
package spec

import "fmt"

// Stack is a loaded, validated spec with the environment suffix applied.
type Stack struct {
	File      string
	Name      string            // stack name, [a-z][a-z0-9-]{0,19}
	Region    string            // default us-east-1
	Suffix    string            // environment suffix after --suffix / PROVISIONER_SUFFIX overrides
	Tags      map[string]string // user tags for every taggable resource, built-ins expanded
	Capacity  *Capacity         // the declared peak, when the spec states one
	Resources []*Resource       // in file order
}

// Resource is one resource of a stack.
type Resource struct {
	Logical   string     // logical name, [a-z][a-z0-9-]*
	Kind      string     // e.g. dynamodb.table; one of Kinds
	Name      string     // physical name; ${stack}, ${suffix}, ${region} expanded, ${account} may remain
	DependsOn []string   // logical names: explicit depends_on plus every reference, sorted, unique
	Props     Properties // typed properties; strings may still hold ${logical.attribute} references
	Pos       Pos        // where the resource is declared
}

// Pos is a position in a spec file.
type Pos struct {
	File string
	Line int
	Col  int
}

// String renders the position as file:line:col, or just the file when the line is unknown.
func (p Pos) String() string {
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Ref is one ${...} reference. Built-ins (stack, suffix, region, account) have an empty
// Resource and the built-in's name in Attribute.
type Ref struct {
	Resource  string
	Attribute string
}

// String renders the reference as written in a spec.
func (r Ref) String() string {
	if r.Resource == "" {
		return "${" + r.Attribute + "}"
	}
	return "${" + r.Resource + "." + r.Attribute + "}"
}

// Lookup returns the resource with that logical name, or nil.
func (s *Stack) Lookup(logical string) *Resource {
	for _, r := range s.Resources {
		if r.Logical == logical {
			return r
		}
	}
	return nil
}

// Info returns the KindInfo of a kind name, or false.
func Info(kind string) (KindInfo, bool) {
	for _, k := range Kinds {
		if k.Kind == kind {
			return k, true
		}
	}
	return KindInfo{}, false
}

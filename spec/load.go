package spec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Options change how a spec is loaded.
type Options struct {
	// Suffix overrides the spec's suffix when not empty. The CLI fills it from --suffix or
	// PROVISIONER_SUFFIX; this package reads no environment.
	Suffix string
}

// DefaultRegion is the region of a spec that names none.
const DefaultRegion = "us-east-1"

var (
	stackPattern   = regexp.MustCompile(`^[a-z][a-z0-9-]{0,19}$`)
	suffixPattern  = regexp.MustCompile(`^[a-z]([a-z0-9-]{0,10}[a-z0-9])?$`)
	regionPattern  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
	logicalPattern = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
)

const (
	stackRule   = "1-20 characters: lowercase letters, digits and -, starting with a letter"
	suffixRule  = "1-12 characters: lowercase letters, digits and -, starting with a letter and not ending with -"
	regionRule  = "an AWS region such as us-east-1"
	logicalRule = "lowercase letters, digits and -, starting with a letter"
)

// topKeys are the keys a spec file may have at its top level.
var topKeys = []string{"stack", "region", "suffix", "tags", "capacity", "resources"}

// Load reads, decodes and validates the spec file at path. Problems in the file come back
// together as *Errors, sorted by position; a file that cannot be read gives a plain error.
func Load(path string, opts Options) (*Stack, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load spec %s: %w", path, err)
	}
	return Parse(path, data, opts)
}

// Parse is Load for a spec already in memory; file names it in positions.
func Parse(file string, data []byte, opts Options) (*Stack, error) {
	l := newLoader(file, opts)
	if root := l.parseYAML(data); root != nil {
		l.load(root)
	}
	if err := l.probs.err(); err != nil {
		return nil, err
	}
	return l.stack, nil
}

// loader holds the state of one Parse.
type loader struct {
	file   string
	opts   Options
	probs  problems
	dec    decoder
	stack  *Stack
	res    []*loaded
	byName map[string]*loaded

	headerOK  bool           // stack, region and suffix are valid, so names built from them can be checked
	capFields map[string]Pos // where each key of the top-level capacity is written
}

// loaded is a resource with what validation needs beyond the Resource itself.
type loaded struct {
	*Resource
	info   KindInfo
	known  bool           // the kind is one of Kinds and its properties were decoded
	clean  bool           // its properties decoded without a problem, so kind checks apply
	refs   []refUse       // references in its properties
	fields map[string]Pos // where each property path's value is
	edges  map[string]Pos // dependency -> where it is first declared
}

func newLoader(file string, opts Options) *loader {
	l := &loader{file: file, opts: opts, stack: &Stack{File: file}, byName: map[string]*loaded{}}
	l.dec = decoder{file: file, probs: &l.probs, vars: map[string]string{}}
	return l
}

func (l *loader) at(line, col int) Pos { return Pos{File: l.file, Line: line, Col: col} }

// parseYAML parses the one YAML document of the file and returns its root node.
func (l *loader) parseYAML(data []byte) *yaml.Node {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		l.yamlError(err, data)
		return nil
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		l.probs.add(l.at(next.Line, next.Column), "a spec holds one YAML document, found a second one here")
	case !errors.Is(err, io.EOF):
		l.yamlError(err, data)
	}
	if len(doc.Content) == 0 {
		l.probs.add(l.at(1, 1), "the spec is empty: expected a mapping with stack and resources")
		return nil
	}
	return doc.Content[0]
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlError turns a parser error into a positioned problem. The parser's own line is a
// fallback: syntaxPos finds a better one.
func (l *loader) yamlError(err error, data []byte) {
	if errors.Is(err, io.EOF) {
		l.probs.add(l.at(1, 1), "the spec is empty: expected a mapping with stack and resources")
		return
	}
	msg, pos := strings.TrimPrefix(err.Error(), "yaml: "), Pos{File: l.file}
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		msg, pos = m[2], l.at(line, 1)
	}
	if line, col, ok := syntaxPos(data); ok {
		pos = l.at(line, col)
	}
	l.probs.add(pos, "invalid YAML: %s", msg)
}

// load decodes the top-level mapping and then validates the stack as a whole.
func (l *loader) load(root *yaml.Node) {
	if root = l.dec.follow(root); root == nil {
		return
	}
	if root.Kind != yaml.MappingNode {
		l.probs.add(l.dec.pos(root), "expected a mapping with stack, region, suffix, tags and resources, found %s", describe(root))
		return
	}
	top := map[string]pair{}
	for _, p := range l.dec.pairs(root, "key") {
		if !slices.Contains(topKeys, p.key) {
			l.probs.add(l.dec.pos(p.keyNode), "unknown key %q at the top of the spec%s", p.key, didYouMean(p.key, topKeys))
			continue
		}
		top[p.key] = p
	}
	l.header(top, l.dec.pos(root))
	l.tags(top)
	l.capacity(top)
	l.resources(top, l.dec.pos(root))
	l.validate()
	if l.probs.err() == nil {
		l.expandProviders()
	}
}

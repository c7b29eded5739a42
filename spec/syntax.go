package spec

import (
	"bytes"
	"errors"
	"io"

	"go.yaml.in/yaml/v3"
)

// maxLocateLines bounds the file size for which syntaxPos re-parses prefixes (each parse is
// linear, the search quadratic).
const maxLocateLines = 2000

// syntaxPos finds where a YAML syntax error starts: the first line after the longest prefix
// of whole lines that still parses, at its first non-blank column. yaml.v3 reports only the
// line of the enclosing construct (for parser errors one line early), which would send a
// person to the top of a mapping for a bad indent forty lines down. An unclosed [ { or quote
// lands on the line that opened it. ok is false when the search does not apply.
func syntaxPos(data []byte) (line, col int, ok bool) {
	lines := bytes.SplitAfter(data, []byte("\n"))
	if len(lines) > maxLocateLines {
		return 0, 0, false
	}
	for k := len(lines) - 1; k >= 0; k-- {
		if parses(bytes.Join(lines[:k], nil)) {
			return k + 1, firstColumn(lines[k]), true
		}
	}
	return 0, 0, false
}

// parses reports whether every document in data is well-formed YAML.
func parses(data []byte) bool {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return true
		}
		if err != nil {
			return false
		}
	}
}

// firstColumn is the 1-based column of the first character that is not a space (a tab is
// never indentation in YAML, so it is where the problem is).
func firstColumn(line []byte) int {
	return len(line) - len(bytes.TrimLeft(line, " ")) + 1
}

package main

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"unicode"
)

// duplicateKey returns the first object key of body that repeats an earlier key of the same
// object in any letter case, and that earlier key. Go's encoding/json matches field names
// case-insensitively and keeps the last match, so {"id":"A","ID":"B"} would be read as B while
// a consumer reading the first "id" sees A: one delivery, two identities. Such a body is
// refused. It returns "" for a body without duplicates, and for invalid JSON (reported by the
// parser with its own message).
func duplicateKey(body []byte) (dup, first string) {
	type frame struct {
		object, wantKey bool
		keys            map[string]string
	}
	var stack []*frame
	valueDone := func() {
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].wantKey = true
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err == io.EOF || err != nil {
			return "", ""
		}
		top := (*frame)(nil)
		if n := len(stack); n > 0 {
			top = stack[n-1]
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, &frame{object: true, wantKey: true, keys: map[string]string{}})
			case '[':
				stack = append(stack, &frame{})
			default:
				stack = stack[:len(stack)-1]
				valueDone()
			}
		case string:
			if top != nil && top.object && top.wantKey {
				f := foldKey(t)
				if prev, ok := top.keys[f]; ok {
					return t, prev
				}
				top.keys[f], top.wantKey = t, false
				continue
			}
			valueDone()
		default:
			valueDone()
		}
	}
}

// foldKey maps every rune to the smallest rune of its case-folding orbit, so two keys fold
// alike exactly when strings.EqualFold says they are equal (which also catches the Kelvin
// sign, U+212A, that encoding/json matches to "k").
func foldKey(s string) string {
	return strings.Map(func(r rune) rune {
		lowest := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			lowest = min(lowest, f)
		}
		return lowest
	}, s)
}

package handlers

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEveryNameIsAMainPackage: a name in the list is a directory here holding package main, so
// the list and the directories cannot drift apart.
func TestEveryNameIsAMainPackage(t *testing.T) {
	require.NotEmpty(t, Names)
	for _, name := range Names {
		t.Run(name, func(t *testing.T) {
			f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(name, "main.go"), nil, parser.PackageClauseOnly)
			require.NoError(t, err)
			assert.Equal(t, "main", f.Name.Name)
		})
	}
}

// TestEveryMainPackageIsNamed: the reverse, so a new handler directory is not forgotten.
func TestEveryMainPackageIsNamed(t *testing.T) {
	entries, err := os.ReadDir(".")
	require.NoError(t, err)
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(e.Name(), "main.go"), nil, parser.PackageClauseOnly)
		if err != nil || f.Name.Name != "main" {
			continue
		}
		assert.Contains(t, Names, e.Name(), "handlers/%s is a main package missing from Names", e.Name())
	}
}

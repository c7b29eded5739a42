package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEveryCommandHasAnExample: each command's --help shows an example, every example key
// names a command, and every `provisioner …` line of an example resolves to that command (or a
// subcommand) and parses with its real flags.
func TestEveryCommandHasAnExample(t *testing.T) {
	root := newRootCmd()
	seen := map[string]bool{}
	walk(root, func(c *cobra.Command) {
		path := c.CommandPath()
		seen[path] = true
		t.Run(path, func(t *testing.T) {
			require.NotEmpty(t, strings.TrimSpace(c.Example), "no example")
			lines := exampleCommands(c.Example)
			require.NotEmpty(t, lines, "an example runs provisioner")
			for _, args := range lines {
				found, rest, err := newRootCmd().Find(args) // a fresh tree: no flag set by a previous line
				require.NoError(t, err, "%q", args)
				if c != root { // the root's example tours the others; others show themselves or a subcommand
					got := found.CommandPath()
					assert.True(t, got == path || strings.HasPrefix(got, path+" "), "%q runs %s", args, got)
				}
				assert.NoError(t, found.ParseFlags(rest), "%q", args)
			}
		})
	})
	for path := range examples {
		assert.True(t, seen[path], "examples has %q, which is no command", path)
	}
}

// exampleCommands are the argument lists of the example's `provisioner …` lines, cut at a
// shell redirection or pipe.
func exampleCommands(example string) [][]string {
	var out [][]string
	for _, line := range strings.Split(example, "\n") {
		f := strings.Fields(line)
		i := 0
		for i < len(f) && f[i] != "provisioner" && f[i] != "<(provisioner" {
			i++
		}
		if i == len(f) || strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		var args []string
		for _, w := range f[i+1:] {
			if w == ">" || w == "|" || strings.HasPrefix(w, ">") {
				break
			}
			args = append(args, strings.TrimSuffix(w, ")"))
		}
		out = append(out, args)
	}
	return out
}

// TestCommandDocs keeps docs/commands/ (one page per command, made from the commands' own help)
// current: go test ./cmd/provisioner -run TestCommandDocs -update rewrites it.
func TestCommandDocs(t *testing.T) {
	dir := repoPath("docs/commands")
	t.Setenv("NO_COLOR", "") // flag defaults read the environment; the pages show the plain ones
	t.Setenv("PROVISIONER_SUFFIX", "")
	pages := map[string]string{}
	walk(newRootCmd(), func(c *cobra.Command) { pages[docName(c)] = commandPage(c) })
	if *update {
		require.NoError(t, os.RemoveAll(dir))
		require.NoError(t, os.MkdirAll(dir, 0o755))
		for name, body := range pages {
			require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644))
		}
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var onDisk []string
	for _, e := range entries {
		onDisk = append(onDisk, e.Name())
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		assert.Equal(t, pages[e.Name()], string(b), "docs/commands/%s is stale: go test ./cmd/provisioner -run TestCommandDocs -update", e.Name())
	}
	var want []string
	for name := range pages {
		want = append(want, name)
	}
	sort.Strings(want)
	assert.Equal(t, want, onDisk, "one page per command")
}

func docName(c *cobra.Command) string {
	return strings.ReplaceAll(c.CommandPath(), " ", "_") + ".md"
}

// commandPage renders one command's help as Markdown.
func commandPage(c *cobra.Command) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s\n\n%s\n\n", c.CommandPath(), c.Short)
	fmt.Fprintf(&b, "```\n%s\n```\n\n", c.UseLine())
	if c.Long != "" {
		fmt.Fprintf(&b, "%s\n\n", c.Long)
	}
	fmt.Fprintf(&b, "## Examples\n\n```sh\n%s\n```\n\n", c.Example)
	if fl := c.NonInheritedFlags().FlagUsages(); fl != "" {
		fmt.Fprintf(&b, "## Flags\n\n```\n%s```\n\n", fl)
	}
	if fl := c.InheritedFlags().FlagUsages(); fl != "" {
		fmt.Fprintf(&b, "## Global flags\n\n```\n%s```\n\n", fl)
	}
	var see []string
	if p := c.Parent(); p != nil {
		see = append(see, fmt.Sprintf("- [%s](%s): %s", p.CommandPath(), docName(p), p.Short))
	}
	for _, s := range c.Commands() {
		see = append(see, fmt.Sprintf("- [%s](%s): %s", s.CommandPath(), docName(s), s.Short))
	}
	if len(see) > 0 {
		fmt.Fprintf(&b, "## See also\n\n%s\n", strings.Join(see, "\n"))
	}
	return b.String()
}

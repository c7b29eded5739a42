package build

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"debug/elf"
	"encoding/base64"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestResolve(t *testing.T) {
	tests := []struct {
		name     string
		in       Options
		wantPkg  string
		wantName string
		wantArch string
		wantOut  string
		wantErr  string
	}{
		{name: "defaults", in: Options{Handler: "receiver"}, wantPkg: handlersPkg + "receiver", wantName: "receiver", wantArch: "arm64", wantOut: "dist"},
		{name: "x86_64", in: Options{Handler: "deadletter", Arch: "x86_64", OutDir: "out"}, wantPkg: handlersPkg + "deadletter", wantName: "deadletter", wantArch: "x86_64", wantOut: "out"},
		{name: "package path", in: Options{Handler: "./cmd/other/"}, wantPkg: "./cmd/other/", wantName: "other", wantArch: "arm64", wantOut: "dist"},
		{name: "GOARCH name refused", in: Options{Handler: "receiver", Arch: "amd64"}, wantErr: `build: architecture "amd64": want arm64 or x86_64`},
		{name: "unknown handler", in: Options{Handler: "sender"}, wantErr: `build: unknown handler "sender": want receiver, processor, deadletter, authorizer, or the path of a main package`},
		{name: "no handler", in: Options{}, wantErr: `build: unknown handler ""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, pkg, name, err := resolve(tt.in)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantPkg, pkg)
			assert.Equal(t, tt.wantName, name)
			assert.Equal(t, tt.wantArch, o.Arch)
			assert.Equal(t, tt.wantOut, o.OutDir)
		})
	}
}

// TestWriteZipIgnoresFileTimes: the zip depends on the executable's bytes only, not on when
// it was built.
func TestWriteZipIgnoresFileTimes(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "bootstrap")
	require.NoError(t, os.WriteFile(bin, []byte("#!/bin/sh\necho hi\n"), 0o700))

	sum1, size1, err := writeZip(bin, filepath.Join(dir, "a", "x.zip"))
	require.NoError(t, err)
	later := time.Now().Add(48 * time.Hour)
	require.NoError(t, os.Chtimes(bin, later, later))
	sum2, size2, err := writeZip(bin, filepath.Join(dir, "b", "x.zip"))
	require.NoError(t, err)

	assert.Equal(t, sum1, sum2)
	assert.Equal(t, size1, size2)
	a, _ := os.ReadFile(filepath.Join(dir, "a", "x.zip"))
	b, _ := os.ReadFile(filepath.Join(dir, "b", "x.zip"))
	assert.Equal(t, a, b)
	assertZip(t, a, sum1, size1)
	leftovers, _ := filepath.Glob(filepath.Join(dir, "a", "*.tmp-*"))
	assert.Empty(t, leftovers, "temporary files left behind")
}

// TestBuildReproducible builds each architecture twice, into different folders, and wants
// byte-identical zips holding a Linux executable for that architecture.
func TestBuildReproducible(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go build")
	}
	for _, tt := range []struct {
		arch    string
		machine elf.Machine
	}{{"arm64", elf.EM_AARCH64}, {"x86_64", elf.EM_X86_64}} {
		t.Run(tt.arch, func(t *testing.T) {
			t.Setenv("PROVISIONER_BUILD_CACHE", "off") // two real builds, not one and a copy
			ctx := context.Background()
			first, err := Build(ctx, Options{Handler: "receiver", Arch: tt.arch, OutDir: t.TempDir()})
			require.NoError(t, err)
			second, err := Build(ctx, Options{Handler: "receiver", Arch: tt.arch, OutDir: t.TempDir()})
			require.NoError(t, err)

			assert.Equal(t, "receiver-"+tt.arch+".zip", filepath.Base(first.ZipPath))
			a, err := os.ReadFile(first.ZipPath)
			require.NoError(t, err)
			b, err := os.ReadFile(second.ZipPath)
			require.NoError(t, err)
			assert.True(t, bytes.Equal(a, b), "zips differ: %s vs %s", first.SHA256, second.SHA256)
			assert.Equal(t, first.SHA256, second.SHA256)
			exe := assertZip(t, a, first.SHA256, first.Size)
			f, err := elf.NewFile(bytes.NewReader(exe))
			require.NoError(t, err)
			assert.Equal(t, tt.machine, f.Machine)
			assert.Equal(t, elf.ELFOSABI_NONE, f.OSABI) // Linux binaries carry SYSV
		})
	}
}

// assertZip checks the artifact facts and the single entry, and returns the entry's content.
func assertZip(t *testing.T, zipBytes []byte, wantSum string, wantSize int64) []byte {
	t.Helper()
	sum := sha256.Sum256(zipBytes)
	assert.Equal(t, base64.StdEncoding.EncodeToString(sum[:]), wantSum)
	assert.Equal(t, int64(len(zipBytes)), wantSize)
	zr, err := zip.NewReader(bytes.NewReader(zipBytes), int64(len(zipBytes)))
	require.NoError(t, err)
	require.Len(t, zr.File, 1)
	f := zr.File[0]
	assert.Equal(t, "bootstrap", f.Name)
	assert.Equal(t, os.FileMode(0o755), f.Mode())
	assert.True(t, f.Modified.Equal(zipTime), "entry time %v", f.Modified)
	rc, err := f.Open()
	require.NoError(t, err)
	defer rc.Close()
	content, err := io.ReadAll(rc)
	require.NoError(t, err)
	return content
}

func TestBuildCacheServesUnchangedSourceWithoutRelinking(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go build")
	}
	t.Setenv("PROVISIONER_BUILD_CACHE", t.TempDir())
	ctx := context.Background()
	before := compiles.Load()
	first, err := Build(ctx, Options{Handler: "processor", Arch: "arm64", OutDir: t.TempDir()})
	require.NoError(t, err)
	second, err := Build(ctx, Options{Handler: "processor", Arch: "arm64", OutDir: t.TempDir()})
	require.NoError(t, err)
	assert.Equal(t, int64(1), compiles.Load()-before, "the second build is a cache hit")
	assert.Equal(t, first.SHA256, second.SHA256)
	assert.Equal(t, first.Size, second.Size)
	a, err := os.ReadFile(first.ZipPath)
	require.NoError(t, err)
	b, err := os.ReadFile(second.ZipPath)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(a, b))

	_, err = Build(ctx, Options{Handler: "processor", Arch: "x86_64", OutDir: t.TempDir()})
	require.NoError(t, err)
	assert.Equal(t, int64(2), compiles.Load()-before, "another architecture is another key")
}

func TestCacheKeyNamesWhatTheZipDependsOn(t *testing.T) {
	ctx := context.Background()
	key := func(handler, arch string) string {
		o, pkg, _, err := resolve(Options{Handler: handler, Arch: arch})
		require.NoError(t, err)
		k, err := cacheKey(ctx, o, pkg)
		require.NoError(t, err)
		return k
	}
	r := key("receiver", "arm64")
	assert.Equal(t, r, key("receiver", "arm64"), "stable for the same inputs")
	assert.NotEqual(t, r, key("receiver", "x86_64"))
	assert.NotEqual(t, r, key("processor", "arm64"))
}

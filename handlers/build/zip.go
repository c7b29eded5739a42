package build

import (
	"archive/zip"
	"compress/flate"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// zipTime is every entry's timestamp: the earliest an MS-DOS zip time can say, fixed so the
// zip does not change with the build's clock.
var zipTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// writeZip packages the executable at bootstrap as the only entry of a zip at path, with a
// fixed time and mode 0755 (Lambda runs bootstrap, so it must be executable), and returns the
// zip's base64 SHA-256 and size.
func writeZip(bootstrap, path string) (sum string, size int64, err error) {
	return writeAtomic(path, func(w io.Writer) error { return zipFile(w, bootstrap) })
}

// writeBytes writes b to path the same way, for a zip restored from the build cache.
func writeBytes(b []byte, path string) (sum string, size int64, err error) {
	return writeAtomic(path, func(w io.Writer) error { _, err := w.Write(b); return err })
}

// writeAtomic writes what fill produces to a temporary file beside path and renames it into
// place, so a reader never sees half a zip; it returns the bytes' base64 SHA-256 and size.
func writeAtomic(path string, fill func(io.Writer) error) (sum string, size int64, err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", 0, fmt.Errorf("write %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp-")
	if err != nil {
		return "", 0, fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing left to remove
	h := sha256.New()
	counter := &countWriter{}
	if err := fill(io.MultiWriter(tmp, h, counter)); err != nil {
		tmp.Close()
		return "", 0, fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return "", 0, fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil { // CreateTemp makes it 0600
		return "", 0, fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", 0, fmt.Errorf("write %s: %w", path, err)
	}
	return base64.StdEncoding.EncodeToString(h.Sum(nil)), counter.n, nil
}

func zipFile(w io.Writer, bootstrap string) error {
	f, err := os.Open(bootstrap)
	if err != nil {
		return err
	}
	defer f.Close()
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestCompression)
	})
	hdr := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate, Modified: zipTime}
	hdr.SetMode(0o755)
	fw, err := zw.CreateHeader(hdr)
	if err != nil {
		return err
	}
	if _, err := io.Copy(fw, f); err != nil {
		return err
	}
	return zw.Close()
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

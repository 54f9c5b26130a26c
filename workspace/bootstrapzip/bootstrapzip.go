// Package bootstrapzip packs a bootstrap executable into the zip Lambda runs,
// byte for byte the same for the same executable: a fixed timestamp and mode,
// so an unchanged function keeps its hash and `serverless deploy` skips it.
package bootstrapzip

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// epoch is the zip format's earliest date: any fixed time would do.
var epoch = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// Write packs the executable at src into out as "bootstrap", mode 0755.
// out is replaced only once the new zip is complete.
func Write(out, src string) error {
	exe, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("open executable: %w", err)
	}
	defer exe.Close()

	var buf bytes.Buffer
	if err := pack(&buf, exe); err != nil {
		return fmt.Errorf("pack %s: %w", src, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), ".lambdazip-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", out, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	return os.Rename(tmp.Name(), out)
}

func pack(w io.Writer, exe io.Reader) error {
	zw := zip.NewWriter(w)
	hdr := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate, Modified: epoch}
	hdr.SetMode(0o755)
	f, err := zw.CreateHeader(hdr)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, exe); err != nil {
		return err
	}
	return zw.Close()
}

// Package bootstrapzip packs a bootstrap executable into the zip Lambda runs,
// byte for byte the same for the same executable: a fixed timestamp and mode,
// so an unchanged function keeps its hash and `serverless deploy` skips it.
package bootstrapzip

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// epoch is the zip format's earliest date: any fixed time would do.
var epoch = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// Write packs the executable at src into out as "bootstrap", mode 0755.
// out is replaced only once the new zip is complete, and not at all when it
// holds src already as Write packs it: compressing is most of a build that
// changed nothing, while reading the zip back is a small part of it.
func Write(out, src string) error {
	exe, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("open executable: %w", err)
	}
	defer exe.Close()
	if packed(out, exe) {
		return nil
	}
	if _, err := exe.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("pack %s: %w", src, err)
	}

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

// packed reports whether the zip out is what pack makes of exe: one entry,
// bootstrap, with pack's header and exe's bytes, compared in full rather
// than by checksum, so that no change is ever taken for none. Any doubt,
// such as an unreadable zip, is a no.
func packed(out string, exe *os.File) bool {
	st, err := exe.Stat()
	if err != nil {
		return false
	}
	zr, err := zip.OpenReader(out)
	if err != nil {
		return false
	}
	defer zr.Close()
	if len(zr.File) != 1 {
		return false
	}
	f := zr.File[0]
	if f.Name != "bootstrap" || f.Method != zip.Deflate || f.Mode() != 0o755 || !f.Modified.Equal(epoch) ||
		f.UncompressedSize64 != uint64(st.Size()) {
		return false
	}
	rc, err := f.Open() // checks the CRC-32 at the end too
	if err != nil {
		return false
	}
	defer rc.Close()
	return sameBytes(rc, exe)
}

// sameBytes reports whether a and b read the same bytes to their ends.
func sameBytes(a, b io.Reader) bool {
	bufA, bufB := make([]byte, 1<<16), make([]byte, 1<<16)
	for {
		na, errA := io.ReadFull(a, bufA)
		nb, errB := io.ReadFull(b, bufB)
		if na != nb || !bytes.Equal(bufA[:na], bufB[:nb]) {
			return false
		}
		endA := errors.Is(errA, io.EOF) || errors.Is(errA, io.ErrUnexpectedEOF)
		endB := errors.Is(errB, io.EOF) || errors.Is(errB, io.ErrUnexpectedEOF)
		switch {
		case endA && endB:
			return true
		case endA || endB || errA != nil || errB != nil:
			return false
		}
	}
}

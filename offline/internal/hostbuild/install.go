package hostbuild

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"wsapi/workspace"
)

// install makes fn's bootstrap the executable the go command left in the
// stage, unless it is that already: an unchanged function's bootstrap is
// not touched. A new bootstrap is a copy written beside the old one and
// renamed over it, so that a process running the old one keeps its
// executable (the old file lives on until it exits) and the bootstrap is
// never missing, not even for an instant. It is a copy, not a hard link:
// the go command may rewrite the staged file in place.
func (s stage) install(ctx context.Context, fn Function) Result {
	res := Result{Function: fn}
	fail := func(err error) Result {
		res.Err = fmt.Errorf("build %s: %w", fn.Key, err)
		return res
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	// The go command named it after the last element of its import path,
	// which workspace.CheckModule saw is the function's name.
	staged := filepath.Join(s.dir, fn.Key)
	exe := workspace.HostBootstrap(s.bin, fn.Key)
	_, err := os.Stat(exe)
	res.Created = errors.Is(err, fs.ErrNotExist)
	if !res.Created {
		same, err := sameBytes(staged, exe)
		if err != nil {
			return fail(err)
		}
		if same {
			res.Executable = exe
			return res
		}
	}
	if err := copyOver(staged, exe); err != nil {
		return fail(err)
	}
	res.Executable, res.Replaced = exe, !res.Created
	return res
}

// sameBytes reports whether the files a and b hold the same bytes. It
// reads both, about 0.05 s of CPU for nine 19 MB bootstraps. A size and
// modification time would not do: the go command sets the time of an
// executable it finds up to date. The go command's build ID would, but no
// public package reads it (cmd/internal/buildid parses each executable
// format by hand).
func sameBytes(a, b string) (bool, error) {
	fa, err := os.Open(a)
	if err != nil {
		return false, err
	}
	defer fa.Close()
	fb, err := os.Open(b)
	if err != nil {
		return false, err
	}
	defer fb.Close()
	ia, err := fa.Stat()
	if err != nil {
		return false, err
	}
	ib, err := fb.Stat()
	if err != nil {
		return false, err
	}
	if ia.Size() != ib.Size() {
		return false, nil
	}
	ba, bb := make([]byte, 256<<10), make([]byte, 256<<10)
	for {
		na, errA := io.ReadFull(fa, ba)
		nb, errB := io.ReadFull(fb, bb)
		if !bytes.Equal(ba[:na], bb[:nb]) {
			return false, nil
		}
		endA, endB := atEnd(errA), atEnd(errB)
		switch {
		case errA != nil && !endA:
			return false, errA
		case errB != nil && !endB:
			return false, errB
		case endA || endB:
			return endA && endB, nil
		}
	}
}

func atEnd(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// copyOver copies src to a new file beside dst and renames it over dst.
func copyOver(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	info, err := in.Stat()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), filepath.Base(dst)+".*")
	if err != nil {
		return err
	}
	_, err = io.Copy(tmp, in)
	if err == nil {
		err = tmp.Chmod(info.Mode().Perm())
	}
	if closeErr := tmp.Close(); err == nil {
		err = closeErr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), dst)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
	}
	return err
}

package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// publicMode is the mode of every artefact meant to be shared: reports,
// labels, QR text, SVG and PNG, SBOMs, evidence, public keys. Private keys are
// written by writeNew with 0600 and never through writeOutput.
const publicMode fs.FileMode = 0o644

// writeOutput writes the bytes produced by render to path, or to stdout when
// path is "" or "-".
//
//   - A regular file (or a new path) is replaced atomically: the bytes go to
//     a temporary file beside it, which is given mode 0644 and renamed into
//     place, so a failed render leaves the old file as it was.
//   - A symbolic link is followed on purpose: the file it points to is
//     written by the same rules and the link itself stays.
//   - Anything else that exists — a device such as /dev/null, a FIFO, a
//     socket — is opened and written in place, never replaced or re-moded.
//   - A directory is refused with a clear error.
func (e *env) writeOutput(path string, render func(io.Writer) error) error {
	if path == "" || path == "-" {
		return render(e.stdout)
	}
	target := path
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		resolved, err := filepath.EvalSymlinks(path)
		if err != nil {
			return badInput("cannot write %s: the symbolic link does not resolve: %v", path, err)
		}
		target = resolved
	}
	fi, err := os.Stat(target)
	switch {
	case err == nil && fi.IsDir():
		return badInput("cannot write %s: it is a directory; name a file", path)
	case err == nil && !fi.Mode().IsRegular():
		return writeInPlace(target, render)
	}
	return replaceFile(target, render)
}

// writeInPlace writes to an existing non-regular file (a device, a FIFO).
func writeInPlace(path string, render func(io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return badInput("cannot write %s: %v", path, err)
	}
	if err := render(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// replaceFile writes a regular file atomically with publicMode.
func replaceFile(path string, render func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return badInput("cannot write %s: %v", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := render(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(publicMode); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// writeNew creates a file that must not exist yet.
func writeNew(path string, data []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return badInput("%s already exists; not overwriting it", path)
		}
		return badInput("%v", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
}

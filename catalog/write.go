package catalog

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// WriteDir copies the catalog files of fsys (normally [Data]) into dir, creating
// it, so that a scheme owner can edit them and load them back with [LoadDir].
// It refuses to overwrite an existing catalog.yaml.
func WriteDir(dir string, fsys fs.FS) error {
	if _, err := os.Stat(filepath.Join(dir, "catalog.yaml")); err == nil {
		return fmt.Errorf("write catalog: %s already holds a catalog; choose an empty directory", dir)
	}
	return fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, filepath.FromSlash(p))
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
}

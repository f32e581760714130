package firmware

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// Limits bound the work of unpacking one image.
type Limits struct {
	// MaxBytes is the most bytes written in all: decompressed streams and
	// extracted files.
	MaxBytes int64
	// MaxRatio is the most one compressed stream may grow (output / input).
	MaxRatio int64
	// MaxFiles is the most files, links and directories recorded.
	MaxFiles int
	// MaxDepth is the deepest nesting of layers.
	MaxDepth int
	// MaxLayers is the most layers (containers, streams, file systems).
	MaxLayers int
}

// DefaultLimits are generous for real images and stop bombs early.
func DefaultLimits() Limits {
	return Limits{MaxBytes: 4 << 30, MaxRatio: 250, MaxFiles: 200_000, MaxDepth: 8, MaxLayers: 2_000}
}

// LimitError says which limit stopped the unpacking, and where.
type LimitError struct {
	Layer  string // e.g. "gzip at 0x40 in layer 1"
	Offset int64
	Limit  string
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("%s: stopped at offset %d: %s", e.Layer, e.Offset, e.Limit)
}

// Image identifies the analysed image file.
type Image struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Layer is one container, stream or file system found in the image.
type Layer struct {
	ID int `json:"id"`
	// Parent is the layer it was found in (-1: the image itself).
	Parent int `json:"parent"`
	// Offset is where it starts in its parent's bytes; Path, when set, is
	// the file of the parent's file system it was found in.
	Offset int64  `json:"offset"`
	Path   string `json:"path,omitempty"`
	Format string `json:"format"`
	// Size is how many bytes of the parent it takes (0 when unknown).
	Size   int64  `json:"size"`
	Detail string `json:"detail,omitempty"`
	// Files is how many entries it holds, for a file system or archive.
	Files int    `json:"files,omitempty"`
	Error string `json:"error,omitempty"`
}

// Kinds of File.
const (
	KindFile   = "file"
	KindDir    = "dir"
	KindLink   = "symlink"
	KindDevice = "device"
	// KindBlob is the raw bytes of the image or of a decompressed stream,
	// which hold kernels and boot loaders outside any file system.
	KindBlob = "blob"
)

// File is one entry of an unpacked file system, or a blob.
type File struct {
	// Path is its absolute path in its file system ("/etc/shadow"); a blob's
	// is "[image]" or "[layer N]".
	Path  string      `json:"path"`
	Layer int         `json:"layer"`
	Kind  string      `json:"kind"`
	Mode  fs.FileMode `json:"mode"`
	Size  int64       `json:"size"`
	// Link is a symbolic link's target (links are recorded, never created).
	Link string `json:"link,omitempty"`
	// disk is where its bytes are: a file under the work directory, from
	// offset base.
	disk string
	base int64
}

// Tree is an unpacked image.
type Tree struct {
	Image    Image
	Layers   []Layer
	Files    []File
	Warnings []string
	dir      string
	keep     bool
}

// Open opens a file or blob's bytes.
func (t *Tree) Open(f File) (io.ReadCloser, error) {
	if f.disk == "" {
		return nil, fmt.Errorf("%s is a %s, not a file", f.Path, f.Kind)
	}
	h, err := os.Open(f.disk)
	if err != nil {
		return nil, err
	}
	return struct {
		io.Reader
		io.Closer
	}{io.NewSectionReader(h, f.base, f.Size), h}, nil
}

// ReadFile reads up to max bytes of a file; more is an error.
func (t *Tree) ReadFile(f File, max int64) ([]byte, error) {
	if f.Size > max {
		return nil, fmt.Errorf("%s is %d bytes, more than the %d read", f.Path, f.Size, max)
	}
	r, err := t.Open(f)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(io.LimitReader(r, max))
}

// Lookup returns the regular files at an absolute path, in any layer.
func (t *Tree) Lookup(path string) []File {
	var out []File
	for _, f := range t.Files {
		if f.Path == path && f.Kind == KindFile {
			out = append(out, f)
		}
	}
	return out
}

// Close removes the work directory, unless it was the caller's --extract
// directory.
func (t *Tree) Close() error {
	if t.keep || t.dir == "" {
		return nil
	}
	return os.RemoveAll(t.dir)
}

// errNotFormat means the bytes at a signature are not that format after all.
var errNotFormat = errors.New("not this format")

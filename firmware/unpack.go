package firmware

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Options control Unpack.
type Options struct {
	Limits Limits
	// ExtractDir, when set, keeps the unpacked files there (it must be new
	// or empty); otherwise they go to a private temporary directory that
	// Tree.Close removes.
	ExtractDir string
	// Progress, when set, is told how many bytes of the image were scanned.
	Progress func(done, total int64)
}

// unpacker is the state of one Unpack.
type unpacker struct {
	t       *Tree
	lim     Limits
	written int64
	blobs   int
	prog    func(done, total int64)
}

// blob is a run of bytes to look for layers in: part of a file on disk.
type blob struct {
	f          *os.File
	base, size int64
}

func (b blob) ReadAt(p []byte, off int64) (int, error) {
	if off >= b.size {
		return 0, io.EOF
	}
	if max := b.size - off; int64(len(p)) > max {
		n, err := b.f.ReadAt(p[:max], b.base+off)
		if err == nil {
			err = io.EOF
		}
		return n, err
	}
	return b.f.ReadAt(p, b.base+off)
}

func (b blob) section(off, n int64) blob {
	n = min(n, b.size-off)
	return blob{f: b.f, base: b.base + off, size: max(n, 0)}
}

// Unpack opens the image at path and unpacks every layer it finds.
func Unpack(ctx context.Context, imagePath string, opt Options) (*Tree, error) {
	if opt.Limits == (Limits{}) {
		opt.Limits = DefaultLimits()
	}
	f, err := os.Open(imagePath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", imagePath)
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, fmt.Errorf("read %s: %w", imagePath, err)
	}
	t := &Tree{Image: Image{Path: imagePath, Size: st.Size(), SHA256: hex.EncodeToString(h.Sum(nil))}}
	if opt.ExtractDir != "" {
		if err := emptyDir(opt.ExtractDir); err != nil {
			return nil, err
		}
		t.dir, t.keep = opt.ExtractDir, true
	} else if t.dir, err = os.MkdirTemp("", "iotlabel-firmware-"); err != nil {
		return nil, err
	}
	u := &unpacker{t: t, lim: opt.Limits, prog: opt.Progress}
	abs, _ := filepath.Abs(imagePath)
	t.Files = append(t.Files, File{Path: "[image]", Layer: -1, Kind: KindBlob, Size: st.Size(), disk: abs})
	if err := u.scan(ctx, blob{f: f, size: st.Size()}, -1, "", 0); err != nil {
		t.Close()
		return nil, err
	}
	return t, nil
}

// emptyDir makes dir, or checks that it exists and is empty.
func emptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		return fmt.Errorf("--extract %s is not empty; give a new or empty directory", dir)
	}
	return nil
}

// maxCandidates bounds the signature matches considered in one blob.
const maxCandidates = 100_000

// candidate is a signature match at an offset.
type candidate struct {
	off int64
	sig *signature
}

// scan looks for layers at every offset of b and opens each one found.
// Errors about the bytes become the layer's Error; only a cancelled
// context or a failure of the work directory stops the whole unpack.
func (u *unpacker) scan(ctx context.Context, b blob, parent int, origin string, depth int) error {
	cands, err := u.find(ctx, b, parent == -1)
	if err != nil {
		return err
	}
	next := int64(0)
	for _, c := range cands {
		if c.off < next {
			continue // inside a layer already opened
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := u.open(ctx, c.sig, b, c.off, parent, origin, depth)
		if err != nil {
			return err
		}
		if n > 0 {
			next = c.off + n
		}
	}
	return nil
}

// find returns the signature matches in b, in order of offset.
func (u *unpacker) find(ctx context.Context, b blob, top bool) ([]candidate, error) {
	const chunk, overlap = 1 << 20, 512
	buf := make([]byte, chunk+overlap)
	var out []candidate
	for pos := int64(0); pos < b.size; pos += chunk {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		n, err := b.ReadAt(buf, pos)
		if err != nil && err != io.EOF {
			return nil, err
		}
		window := buf[:n]
		for i := range signatures {
			s := &signatures[i]
			for from := 0; ; {
				j := bytes.Index(window[from:], s.magic)
				if j < 0 {
					break
				}
				j += from
				from = j + 1
				if j >= chunk {
					break // in the overlap: the next chunk finds it
				}
				if at := pos + int64(j) - s.at; at >= 0 {
					out = append(out, candidate{at, s})
				}
			}
			if len(out) > maxCandidates {
				u.warn(fmt.Errorf("more than %d signature matches; the rest of this %d-byte blob is not searched", maxCandidates, b.size))
				pos = b.size
				break
			}
		}
		if top && u.prog != nil {
			u.prog(min(pos+chunk, b.size), b.size)
		}
	}
	slices.SortStableFunc(out, func(a, b candidate) int {
		if a.off != b.off {
			return int(a.off - b.off)
		}
		return a.sig.rank - b.sig.rank
	})
	out = slices.CompactFunc(out, func(a, b candidate) bool { return a.off == b.off && a.sig == b.sig })
	return out, nil
}

// open tries one signature at off; it returns how many bytes the layer
// takes (0 when it is not that format or its size is unknown).
func (u *unpacker) open(ctx context.Context, s *signature, b blob, off int64, parent int, origin string, depth int) (int64, error) {
	where := fmt.Sprintf("%s at offset %d", s.format, off)
	if parent >= 0 {
		where += fmt.Sprintf(" of layer %d", parent)
	}
	if len(u.t.Layers) >= u.lim.MaxLayers {
		u.warn(&LimitError{Layer: where, Offset: off, Limit: fmt.Sprintf("more than %d layers", u.lim.MaxLayers)})
		return b.size, nil
	}
	l := Layer{ID: len(u.t.Layers), Parent: parent, Offset: off, Path: origin, Format: s.format}
	if depth >= u.lim.MaxDepth {
		l.Error = (&LimitError{Layer: where, Offset: off, Limit: fmt.Sprintf("nested deeper than %d layers", u.lim.MaxDepth)}).Error()
		u.t.Layers = append(u.t.Layers, l)
		return 0, nil
	}
	u.t.Layers = append(u.t.Layers, l)
	n, err := s.open(ctx, u, b, off, l.ID, depth)
	switch {
	case errors.Is(err, errNotFormat):
		u.t.Layers = u.t.Layers[:l.ID] // a chance match; the layers it found are kept only when it was real
		return 0, nil
	case ctx.Err() != nil:
		return 0, ctx.Err()
	case isFatal(err):
		return 0, err
	case err != nil:
		u.t.Layers[l.ID].Error = err.Error()
	}
	return n, nil
}

// fatalError is a failure of the work directory, not of the image.
type fatalError struct{ error }

func (e fatalError) Unwrap() error { return e.error }

func isFatal(err error) bool {
	var f fatalError
	return errors.As(err, &f)
}

// newBlob creates a file in the work directory for a decompressed stream.
func (u *unpacker) newBlob() (*os.File, error) {
	if err := os.MkdirAll(filepath.Join(u.t.dir, "blobs"), 0o755); err != nil {
		return nil, fatalError{err}
	}
	u.blobs++
	f, err := os.Create(filepath.Join(u.t.dir, "blobs", fmt.Sprintf("%d.bin", u.blobs)))
	if err != nil {
		return nil, fatalError{err}
	}
	return f, nil
}

// budget is how many more bytes may be written.
func (u *unpacker) budget() int64 { return u.lim.MaxBytes - u.written }

// warn records a problem that did not stop the unpack.
func (u *unpacker) warn(err error) { u.t.Warnings = append(u.t.Warnings, err.Error()) }

// addUnixEntry records an entry whose kind comes from a Unix mode's type
// bits (the readers of our own: JFFS2, UBIFS, CramFS, old CPIO). body gives
// a file's data or a link's target and is called only for those; an error
// from it is a warning, and what could be read is kept.
func (u *unpacker) addUnixEntry(ctx context.Context, id int, name string, mode uint32, body func() (io.Reader, error), depth int) error {
	perm := fs.FileMode(mode & 0o777)
	switch mode & 0o170000 {
	case 0o040000:
		return u.addFile(ctx, id, name, KindDir, perm|fs.ModeDir, "", nil, depth)
	case 0o100000, 0o120000:
		r, err := body()
		if err != nil {
			u.warn(fmt.Errorf("layer %d: %s: %v (the readable part is analysed)", id, name, err))
		}
		if r == nil {
			r = bytes.NewReader(nil)
		}
		if mode&0o170000 == 0o120000 {
			target, _ := io.ReadAll(io.LimitReader(r, 4096))
			return u.addFile(ctx, id, name, KindLink, perm|fs.ModeSymlink, string(target), nil, depth)
		}
		return u.addFile(ctx, id, name, KindFile, perm, "", r, depth)
	}
	return u.addFile(ctx, id, name, KindDevice, perm|fs.ModeDevice, "", nil, depth)
}

// addFile records an entry of layer l's file system; for a regular file,
// r supplies its bytes, which are written under the work directory. name is
// the entry's path as the archive gives it; it is made absolute and clean,
// so "../../x" is "/x" inside the image and never outside the directory.
func (u *unpacker) addFile(ctx context.Context, id int, name string, kind string, mode fs.FileMode, link string, r io.Reader, depth int) error {
	l := &u.t.Layers[id] // valid until the next layer is added, below
	if len(u.t.Files) >= u.lim.MaxFiles {
		return &LimitError{Layer: fmt.Sprintf("%s (layer %d)", l.Format, l.ID), Offset: l.Offset, Limit: fmt.Sprintf("more than %d files", u.lim.MaxFiles)}
	}
	p := path.Clean("/" + strings.ReplaceAll(name, "\\", "/"))
	f := File{Path: p, Layer: l.ID, Kind: kind, Mode: mode, Link: link}
	l.Files++
	if kind != KindFile {
		u.t.Files = append(u.t.Files, f)
		return nil
	}
	disk := filepath.Join(u.t.dir, fmt.Sprintf("L%d", l.ID), filepath.FromSlash(p))
	if !strings.HasPrefix(disk, filepath.Join(u.t.dir, fmt.Sprintf("L%d", l.ID))+string(filepath.Separator)) {
		return fmt.Errorf("entry %q: path leaves the file system", name)
	}
	if err := os.MkdirAll(filepath.Dir(disk), 0o755); err != nil {
		u.warn(fmt.Errorf("layer %d: %s: %v", l.ID, p, err)) // a file where a directory should be
		return nil
	}
	w, err := os.OpenFile(disk, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		// The same path twice (CPIO allows it): the later one wins.
		os.Remove(disk)
		w, err = os.OpenFile(disk, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	}
	if err != nil {
		u.warn(fmt.Errorf("layer %d: %s: %v", l.ID, p, err))
		return nil
	}
	n, err := io.Copy(w, io.LimitReader(r, u.budget()+1))
	u.written += n
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if u.written > u.lim.MaxBytes {
		return &LimitError{Layer: fmt.Sprintf("%s (layer %d), file %s", l.Format, l.ID, p), Offset: l.Offset, Limit: fmt.Sprintf("more than %d bytes unpacked in all", u.lim.MaxBytes)}
	}
	if err != nil {
		u.warn(fmt.Errorf("layer %d: %s: %v", l.ID, p, err))
	}
	f.Size, f.disk = n, disk
	u.t.Files = append(u.t.Files, f)
	// A file that is itself a container (a compressed kernel, an
	// initramfs) is opened too, from its first byte.
	if fh, err := os.Open(disk); err == nil {
		defer fh.Close()
		head := make([]byte, 512)
		k, _ := fh.ReadAt(head, 0)
		for i := range signatures {
			s := &signatures[i]
			if s.at == 0 && bytes.HasPrefix(head[:k], s.magic) {
				if _, err := u.open(ctx, s, blob{f: fh, size: n}, 0, l.ID, p, depth+1); err != nil {
					return err
				}
				break
			}
		}
	}
	return nil
}

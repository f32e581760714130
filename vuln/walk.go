package vuln

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/klauspost/compress/flate"
	"golang.org/x/sync/semaphore"
)

// Limits on what Walk reads, so that a hostile input cannot exhaust memory.
const (
	// MaxFile is the largest single input file or zip entry.
	MaxFile = 256 << 20
	// MaxZipTotal is the most a zip archive may hold uncompressed in all.
	MaxZipTotal = 16 << 30
	// MaxZipRatio is the highest compression ratio accepted for a zip entry
	// larger than 1 MiB; real advisory data compresses about 10:1.
	MaxZipRatio = 200
	// inFlight bounds the bytes of zip entries read but not yet handed on.
	inFlight = MaxFile
)

// Filter is consulted with an input's raw bytes before it is parsed; an
// input it returns false for is skipped. A nil Filter keeps everything.
type Filter func(raw []byte) bool

// Walk parses every input under path — a file, a directory (recursively: .json,
// .yaml, .yml and .zip files) or a zip archive such as an OSV ecosystem dump —
// and calls fn with each batch, in the archive's or the directory's order.
// Zip entries are read and parsed in parallel. keep, if not nil, skips inputs
// before they are parsed. It stops at the first error, naming the file.
func Walk(ctx context.Context, path string, keep Filter, fn func(name string, b Batch) error) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return walkFile(ctx, path, keep, fn)
	}
	return filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !inputFile(p) {
			return nil
		}
		return walkFile(ctx, p, keep, fn)
	})
}

func inputFile(p string) bool {
	switch strings.ToLower(filepath.Ext(p)) {
	case ".json", ".yaml", ".yml", ".zip":
		return true
	}
	return false
}

func walkFile(ctx context.Context, p string, keep Filter, fn func(string, Batch) error) error {
	if strings.EqualFold(filepath.Ext(p), ".zip") {
		return walkZip(ctx, p, keep, fn)
	}
	if st, err := os.Stat(p); err == nil && st.Size() > streamAbove {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		err = streamNVD(p, f, fn)
		f.Close()
		if !errors.Is(err, errNotNVD) {
			return err
		}
	}
	data, err := readLimited(p)
	if err != nil {
		return err
	}
	if keep != nil && !keep(data) {
		return nil
	}
	b, err := Parse(p, data)
	if err != nil {
		return err
	}
	return fn(p, b)
}

// entry is one zip entry on its way through the workers.
type entry struct {
	f    *zip.File
	name string
	done chan result
}

type result struct {
	b    Batch
	skip bool
	err  error
}

// walkZip reads and parses the archive's entries on every CPU and hands the
// batches to fn in archive order. At most inFlight bytes of entries are held
// at once, whatever the archive declares.
func walkZip(ctx context.Context, p string, keep Filter, fn func(string, Batch) error) error {
	z, err := zip.OpenReader(p)
	if err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	defer z.Close()
	var files []*zip.File
	var total uint64
	for _, f := range z.File {
		if f.FileInfo().IsDir() || !inputFile(f.Name) || strings.EqualFold(filepath.Ext(f.Name), ".zip") {
			continue
		}
		name := p + "!" + f.Name
		if err := checkEntry(name, f); err != nil {
			return err
		}
		if total += f.UncompressedSize64; total > MaxZipTotal {
			return fmt.Errorf("%s: its entries hold more than %d bytes uncompressed; split the archive", p, uint64(MaxZipTotal))
		}
		files = append(files, f)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := runtime.GOMAXPROCS(0)
	jobs := make(chan entry, 4*workers)
	order := make(chan entry, 4*workers)
	budget := semaphore.NewWeighted(inFlight)
	go func() { // feeds the workers, and the consumer in the same order
		defer close(jobs)
		defer close(order)
		for _, f := range files {
			if err := budget.Acquire(ctx, weight(f)); err != nil {
				return
			}
			e := entry{f, p + "!" + f.Name, make(chan result, 1)}
			select {
			case order <- e:
			case <-ctx.Done():
				budget.Release(weight(f))
				return
			}
			jobs <- e
		}
	}()
	for range workers {
		go func() {
			var w inflater
			for e := range jobs {
				e.done <- w.parse(e, keep)
			}
		}()
	}
	for e := range order {
		r := <-e.done
		budget.Release(weight(e.f))
		if r.err != nil {
			return r.err
		}
		if r.skip {
			continue
		}
		if err := fn(e.name, r.b); err != nil {
			return err
		}
	}
	return ctx.Err()
}

func weight(f *zip.File) int64 { return int64(max(f.UncompressedSize64, 1)) }

// checkEntry refuses entries too large, or compressed suspiciously well (a
// zip bomb), before anything is decompressed.
func checkEntry(name string, f *zip.File) error {
	if f.UncompressedSize64 > MaxFile {
		return fmt.Errorf("%s: larger than %d bytes", name, MaxFile)
	}
	if f.UncompressedSize64 > 1<<20 && f.UncompressedSize64 > MaxZipRatio*max(f.CompressedSize64, 1) {
		return fmt.Errorf("%s: compressed %d:1 (%d bytes to %d), more than the %d:1 real data shows; refusing it as a possible zip bomb",
			name, f.UncompressedSize64/max(f.CompressedSize64, 1), f.CompressedSize64, f.UncompressedSize64, MaxZipRatio)
	}
	return nil
}

// inflater holds one worker's buffers and decompressor, reused across entries.
type inflater struct {
	comp, data []byte
	src        bytes.Reader
	fr         io.ReadCloser
}

func (w *inflater) parse(e entry, keep Filter) result {
	data, err := w.read(e.f)
	if err != nil {
		return result{err: fmt.Errorf("%s: %w", e.name, err)}
	}
	if keep != nil && !keep(data) {
		return result{skip: true}
	}
	b, err := Parse(e.name, data) // Parse copies what it keeps: the buffer is reused
	return result{b: b, err: err}
}

// read decompresses one entry from its raw bytes held in memory — several
// times faster than streaming small entries through archive/zip — refusing
// one that inflates beyond its declared size or fails its checksum.
func (w *inflater) read(f *zip.File) ([]byte, error) {
	rc, err := f.OpenRaw()
	if err != nil {
		return nil, err
	}
	if f.CompressedSize64 > MaxFile {
		return nil, fmt.Errorf("compressed size %d is over the %d-byte limit", f.CompressedSize64, MaxFile)
	}
	w.comp = slices.Grow(w.comp[:0], int(f.CompressedSize64))[:f.CompressedSize64]
	if _, err := io.ReadFull(rc, w.comp); err != nil {
		return nil, err
	}
	var data []byte
	switch f.Method {
	case zip.Store:
		data = w.comp
	case zip.Deflate:
		w.src.Reset(w.comp)
		if w.fr == nil {
			w.fr = flate.NewReader(&w.src)
		} else if err := w.fr.(flate.Resetter).Reset(&w.src, nil); err != nil {
			return nil, err
		}
		w.data = slices.Grow(w.data[:0], int(f.UncompressedSize64)+1)[:f.UncompressedSize64+1]
		n, err := io.ReadFull(w.fr, w.data)
		switch {
		case err == nil:
			return nil, fmt.Errorf("holds more than the %d bytes its header declares", f.UncompressedSize64)
		case err != io.ErrUnexpectedEOF && err != io.EOF:
			return nil, err
		case uint64(n) != f.UncompressedSize64:
			return nil, fmt.Errorf("holds %d bytes, its header declares %d", n, f.UncompressedSize64)
		}
		data = w.data[:n]
	default:
		return nil, fmt.Errorf("compression method %d is not supported (store or deflate)", f.Method)
	}
	if crc32.ChecksumIEEE(data) != f.CRC32 {
		return nil, zip.ErrChecksum
	}
	return data, nil
}

func readLimited(p string) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFile+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	if len(data) > MaxFile {
		return nil, fmt.Errorf("%s: larger than %d bytes", p, MaxFile)
	}
	return data, nil
}

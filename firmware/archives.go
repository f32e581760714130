package firmware

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/cavaliergopher/cpio"
	diskfile "github.com/diskfs/go-diskfs/backend/file"
	"github.com/diskfs/go-diskfs/filesystem/ext4"
	"github.com/diskfs/go-diskfs/filesystem/squashfs"
)

// SquashFS compressor IDs (squashfs_fs.h).
var squashCompressors = map[uint16]string{1: "gzip", 2: "lzma", 3: "lzo", 4: "xz", 5: "lz4", 6: "zstd"}

// openSquashFS reads a little-endian SquashFS 4.0 file system with
// go-diskfs and records every entry.
func openSquashFS(ctx context.Context, u *unpacker, b blob, off int64, id, depth int) (n int64, err error) {
	sb := make([]byte, 96)
	if _, err := b.ReadAt(sb, off); err != nil {
		return 0, errNotFormat
	}
	blockSize := binary.LittleEndian.Uint32(sb[12:16])
	comp := binary.LittleEndian.Uint16(sb[20:22])
	major := binary.LittleEndian.Uint16(sb[28:30])
	used := int64(binary.LittleEndian.Uint64(sb[40:48]))
	if major >= 1 && major <= 3 && binary.LittleEndian.Uint16(sb[30:32]) <= 1 {
		// SquashFS 1 to 3 (and vendor LZMA variants of them): the superblock
		// differs, and go-diskfs reads only 4.0.
		l := &u.t.Layers[id]
		l.Size = b.size - off
		return l.Size, fmt.Errorf("SquashFS version %d is not supported (only 4.0): its contents are not analysed", major)
	}
	name, known := squashCompressors[comp]
	if !known || !isPow2(blockSize) || blockSize < 4096 || blockSize > 1<<20 || used < 96 {
		return 0, errNotFormat
	}
	l := &u.t.Layers[id]
	l.Size = used
	l.Detail = fmt.Sprintf("version %d, %s, block size %d", major, name, blockSize)
	if major != 4 {
		return 0, errNotFormat
	}
	if name == "lz4" || name == "lzo" {
		// go-diskfs v1.9.4 reads LZ4 frames and lzop streams where SquashFS
		// stores raw blocks: our own reader takes these.
		return openSquashFSOwn(ctx, u, b, off, id, depth, sb, name)
	}
	if off+used > b.size {
		return used, fmt.Errorf("truncated: the superblock says %d bytes, %d are there", used, b.size-off)
	}
	// go-diskfs indexes tables by what the image says and can panic on a
	// crafted one (found by FuzzUnpack): that is this layer's error, and
	// the entries read before it stay.
	defer func() {
		if r := recover(); r != nil {
			n, err = used, fmt.Errorf("malformed file system: the reader failed (%v); entries read before are kept", r)
		}
	}()
	sfs, err := squashfs.Read(diskfile.New(b.f, true), used, b.base+off, int64(blockSize))
	if err != nil {
		return used, fmt.Errorf("cannot read the file system: %v", err)
	}
	return used, u.walkFS(ctx, sfs, id, depth)
}

// openSquashFSBE names big-endian SquashFS (old vendor images), which the
// reader does not take.
func openSquashFSBE(ctx context.Context, u *unpacker, b blob, off int64, id, depth int) (int64, error) {
	sb := make([]byte, 32)
	if _, err := b.ReadAt(sb, off); err != nil {
		return 0, errNotFormat
	}
	major := binary.BigEndian.Uint16(sb[28:30])
	if major < 1 || major > 4 {
		return 0, errNotFormat
	}
	return 0, fmt.Errorf("big-endian SquashFS (version %d) is not supported", major)
}

// walkFS records every entry of a file system, depth first.
func (u *unpacker) walkFS(ctx context.Context, fsys fs.FS, id, depth int) error {
	return fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			u.warn(fmt.Errorf("layer %d: %s: %v", id, p, err))
			return nil // the rest is still read
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		if p == "." {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			u.warn(fmt.Errorf("layer %d: %s: %v", id, p, err))
			return nil
		}
		mode := info.Mode()
		switch {
		case mode.IsDir():
			return u.addFile(ctx, id, p, KindDir, mode, "", nil, depth)
		case mode&fs.ModeSymlink != 0:
			target := ""
			if st, ok := info.Sys().(*squashfs.StatT); ok {
				target = st.LinkTarget
			} else if rl, ok := fsys.(interface{ ReadLink(string) (string, error) }); ok {
				target, _ = rl.ReadLink(p)
			}
			return u.addFile(ctx, id, p, KindLink, mode, target, nil, depth)
		case mode.IsRegular():
			f, err := fsys.Open(p)
			if err != nil {
				u.warn(fmt.Errorf("layer %d: %s: %v", id, p, err))
				return nil
			}
			defer f.Close()
			return u.addFile(ctx, id, p, KindFile, mode, "", f, depth)
		default:
			return u.addFile(ctx, id, p, KindDevice, mode, "", nil, depth)
		}
	})
}

// openExt reads an ext2, ext3 or ext4 file system with go-diskfs; the
// superblock sits 1024 bytes in, its magic 56 bytes further.
func openExt(ctx context.Context, u *unpacker, b blob, off int64, id, depth int) (n int64, err error) {
	sb := make([]byte, 1024)
	if _, err := b.ReadAt(sb, off+1024); err != nil {
		return 0, errNotFormat
	}
	blocks := int64(binary.LittleEndian.Uint32(sb[4:8]))
	logBlock := binary.LittleEndian.Uint32(sb[24:28])
	inodes := binary.LittleEndian.Uint32(sb[0:4])
	rev := binary.LittleEndian.Uint32(sb[76:80])
	firstData := binary.LittleEndian.Uint32(sb[20:24])
	perGroup := binary.LittleEndian.Uint32(sb[32:36])
	inodesPerGroup := binary.LittleEndian.Uint32(sb[40:44])
	state := binary.LittleEndian.Uint16(sb[58:60])
	blockSize := uint32(1024) << min(logBlock, 16)
	if logBlock > 6 || blocks == 0 || inodes == 0 || rev > 1 || perGroup == 0 || perGroup > 8*blockSize ||
		inodesPerGroup == 0 || state == 0 || state > 7 || (logBlock == 0) != (firstData == 1) {
		return 0, errNotFormat // two magic bytes are easily met by chance: the rest must fit too
	}
	size := blocks * (1024 << logBlock)
	l := &u.t.Layers[id]
	l.Size = size
	l.Detail = fmt.Sprintf("%d blocks of %d bytes", blocks, 1024<<logBlock)
	if off+size > b.size {
		return size, fmt.Errorf("truncated: the superblock says %d bytes, %d are there", size, b.size-off)
	}
	defer func() {
		if r := recover(); r != nil {
			n, err = size, fmt.Errorf("malformed file system: the reader failed (%v); entries read before are kept", r)
		}
	}()
	efs, err := ext4.Read(diskfile.New(b.f, true), size, b.base+off, 512)
	if err != nil {
		return size, fmt.Errorf("cannot read the file system: %v", err)
	}
	return size, u.walkFS(ctx, efs, id, depth)
}

// openZip reads a zip archive whose local header is at off; archive/zip
// needs its central directory, which is looked for at the end of the
// parent's bytes (where zip archives end).
func openZip(ctx context.Context, u *unpacker, b blob, off int64, id, depth int) (int64, error) {
	section := io.NewSectionReader(b, off, b.size-off)
	z, err := zip.NewReader(section, b.size-off)
	if err != nil {
		return 0, errNotFormat // a chance "PK\3\4", or a zip without its directory
	}
	u.t.Layers[id].Size = b.size - off
	for _, f := range z.File {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		mode := f.Mode()
		switch {
		case mode.IsDir():
			err = u.addFile(ctx, id, f.Name, KindDir, mode, "", nil, depth)
		case mode&fs.ModeSymlink != 0:
			target := ""
			if r, oerr := f.Open(); oerr == nil {
				t, _ := io.ReadAll(io.LimitReader(r, 4096))
				r.Close()
				target = string(t)
			}
			err = u.addFile(ctx, id, f.Name, KindLink, mode, target, nil, depth)
		case f.UncompressedSize64 > uint64(u.lim.MaxRatio)*f.CompressedSize64+1<<20:
			// archive/zip holds an entry to the size its header states, so
			// the header alone tells a bomb.
			u.warn(&LimitError{Layer: fmt.Sprintf("zip (layer %d), entry %s", id, f.Name), Offset: off,
				Limit: fmt.Sprintf("decompresses to more than %d times its size (a decompression bomb?)", u.lim.MaxRatio)})
			continue
		default:
			r, oerr := f.Open()
			if oerr != nil {
				u.warn(fmt.Errorf("layer %d: %s: %v", id, f.Name, oerr))
				continue
			}
			err = u.addFile(ctx, id, f.Name, KindFile, mode.Perm(), "", r, depth)
			r.Close()
		}
		if err != nil {
			return b.size - off, err
		}
	}
	return b.size - off, nil
}

// openCPIO reads a newc or crc CPIO archive up to its trailer.
func openCPIO(ctx context.Context, u *unpacker, b blob, off int64, id, depth int) (int64, error) {
	in := &counter{r: bufio.NewReader(io.NewSectionReader(b, off, b.size-off))}
	r := cpio.NewReader(in)
	return u.readArchive(ctx, id, depth, in, func() (string, uint32, io.Reader, error) {
		h, err := r.Next()
		if err != nil {
			return "", 0, nil, err
		}
		if h.Mode&cpio.TypeSymlink == cpio.TypeSymlink {
			return h.Name, uint32(h.Mode), strings.NewReader(h.Linkname), nil
		}
		return h.Name, uint32(h.Mode), r, nil // cpio's mode is the Unix one
	})
}

// openTar reads a ustar (or GNU/PAX) archive; the magic is 257 bytes in.
func openTar(ctx context.Context, u *unpacker, b blob, off int64, id, depth int) (int64, error) {
	in := &counter{r: bufio.NewReader(io.NewSectionReader(b, off, b.size-off))}
	r := tar.NewReader(in)
	return u.readArchive(ctx, id, depth, in, func() (string, uint32, io.Reader, error) {
		h, err := r.Next()
		if err != nil {
			return "", 0, nil, err
		}
		mode := uint32(h.Mode & 0o777)
		switch h.Typeflag {
		case tar.TypeDir:
			return h.Name, mode | 0o040000, nil, nil
		case tar.TypeSymlink, tar.TypeLink:
			return h.Name, mode | 0o120000, strings.NewReader(h.Linkname), nil
		case tar.TypeReg:
			return h.Name, mode | 0o100000, r, nil
		}
		return h.Name, mode | 0o020000, nil, nil // devices, FIFOs and the like
	})
}

// readArchive records the entries next yields until io.EOF: each one's
// name, Unix mode and contents (a link's target for a link). When the first
// entry cannot be read, the bytes were not this format after all.
func (u *unpacker) readArchive(ctx context.Context, id, depth int, in *counter, next func() (string, uint32, io.Reader, error)) (int64, error) {
	for first := true; ; first = false {
		name, mode, body, err := next()
		if errors.Is(err, io.EOF) {
			break // the trailer
		}
		if err != nil {
			if first {
				return 0, errNotFormat
			}
			return in.n, fmt.Errorf("archive broken after %d entries: %v", u.t.Layers[id].Files, err)
		}
		if err := u.addUnixEntry(ctx, id, name, mode, func() (io.Reader, error) { return body, nil }, depth); err != nil {
			return in.n, err
		}
	}
	u.t.Layers[id].Size = in.n
	return in.n, nil
}

package firmware

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"slices"

	"github.com/anchore/go-lzo"
)

// A JFFS2 reader of our own (no Go library reads JFFS2). An image is a run
// of nodes, each aligned to four bytes, with 0xFF padding at the end of
// erase blocks. Directory entries ("dirents") name an inode under a parent
// inode; inode nodes carry a piece of a file's data (compressed with zlib,
// LZO, rtime or not at all) at an offset, and its mode. For each name the dirent
// with the highest version wins (inode 0 means deleted); a file's pieces
// are applied in version order. Byte order follows the magic.

const (
	jffs2Magic  = 0x1985
	jffs2Dirent = 0xe001
	jffs2Inode  = 0xe002
	jffs2Clean  = 0x2003
	jffs2Pad    = 0x2004
	jffs2Summ   = 0x2006
	jffs2XAttr  = 0xe008
	jffs2XRef   = 0xe009
)

// JFFS2 compression types the reader knows.
const (
	jffs2None  = 0
	jffs2Zero  = 1
	jffs2RTime = 2
	jffs2Zlib  = 6
	jffs2LZO   = 7
)

type jffs2Entry struct {
	pino, version, ino uint32
	name               string
}

type jffs2Data struct {
	version, offset, dsize uint32
	compr                  byte
	data                   []byte
}

type jffs2File struct {
	mode, isize, version uint32
	pieces               []jffs2Data
}

// jffs2CRC is the CRC JFFS2 stores: the reflected CRC-32 seeded with 0 and
// not inverted at the end (Linux's crc32_le(0, …)).
func jffs2CRC(b []byte) uint32 { return ^crc32.Update(0xffffffff, crc32.IEEETable, b) }

// openJFFS2 reads a JFFS2 image: every node from off to the end of b.
func openJFFS2(order binary.ByteOrder) func(context.Context, *unpacker, blob, int64, int, int) (int64, error) {
	return func(ctx context.Context, u *unpacker, b blob, off int64, id, depth int) (int64, error) {
		h := make([]byte, 12)
		if _, err := b.ReadAt(h, off); err != nil || order.Uint16(h) != jffs2Magic || jffs2CRC(h[:8]) != order.Uint32(h[8:12]) {
			return 0, errNotFormat // the header CRC sorts a node from two chance bytes
		}
		dirents := map[string]jffs2Entry{} // pino/name → newest
		files := map[uint32]*jffs2File{}
		var stored int64
		pos, nodes, bad := off, 0, 0
		for pos+12 <= b.size {
			if err := ctx.Err(); err != nil {
				return 0, err
			}
			if _, err := b.ReadAt(h, pos); err != nil {
				break
			}
			if order.Uint16(h) != jffs2Magic || jffs2CRC(h[:8]) != order.Uint32(h[8:12]) {
				pos += 4 // padding between erase blocks, or a damaged node
				continue
			}
			typ, total := order.Uint16(h[2:4]), int64(order.Uint32(h[4:8]))
			if total < 12 || pos+total > b.size {
				bad++
				pos += 4
				continue
			}
			nodes++
			switch typ {
			case jffs2Dirent, jffs2Inode:
				node := make([]byte, total)
				if _, err := b.ReadAt(node, pos); err != nil {
					return pos - off, err
				}
				if typ == jffs2Dirent {
					if e, ok := jffs2ReadDirent(order, node); ok {
						k := fmt.Sprintf("%d/%s", e.pino, e.name)
						if old, seen := dirents[k]; !seen || e.version > old.version {
							dirents[k] = e
						}
					} else {
						bad++
					}
				} else if ino, f, d, ok := jffs2ReadInode(order, node); ok {
					stored += int64(len(d.data))
					if stored > min(u.budget(), maxJFFS2Held) {
						return pos - off, &LimitError{Layer: fmt.Sprintf("jffs2 (layer %d)", id), Offset: pos, Limit: fmt.Sprintf("more than %d bytes of file data held", min(u.budget(), maxJFFS2Held))}
					}
					cur := files[ino]
					if cur == nil {
						cur = &jffs2File{}
						files[ino] = cur
					}
					if f.version >= cur.version {
						cur.mode, cur.isize, cur.version = f.mode, f.isize, f.version
					}
					cur.pieces = append(cur.pieces, d)
				} else {
					bad++
				}
			case jffs2Clean, jffs2Pad, jffs2Summ, jffs2XAttr, jffs2XRef:
			default:
				bad++
			}
			pos += (total + 3) &^ 3
		}
		if nodes == 0 {
			return 0, errNotFormat
		}
		l := &u.t.Layers[id]
		l.Size = pos - off
		l.Detail = fmt.Sprintf("%d nodes, %d inodes", nodes, len(files))
		if err := u.jffs2Tree(ctx, id, depth, dirents, files); err != nil {
			return pos - off, err
		}
		if bad > 0 {
			return pos - off, fmt.Errorf("%d damaged or unknown nodes skipped", bad)
		}
		return pos - off, nil
	}
}

func jffs2ReadDirent(order binary.ByteOrder, n []byte) (jffs2Entry, bool) {
	if len(n) < 40 || jffs2CRC(n[:32]) != order.Uint32(n[32:36]) {
		return jffs2Entry{}, false
	}
	nsize := int(n[28])
	if 40+nsize > len(n) || nsize == 0 {
		return jffs2Entry{}, false
	}
	name := string(n[40 : 40+nsize])
	if jffs2CRC(n[40:40+nsize]) != order.Uint32(n[36:40]) || name == "." || name == ".." || bytes.ContainsAny(n[40:40+nsize], "/\x00") {
		return jffs2Entry{}, false
	}
	return jffs2Entry{pino: order.Uint32(n[12:16]), version: order.Uint32(n[16:20]), ino: order.Uint32(n[20:24]), name: name}, true
}

func jffs2ReadInode(order binary.ByteOrder, n []byte) (uint32, jffs2File, jffs2Data, bool) {
	if len(n) < 68 || jffs2CRC(n[:60]) != order.Uint32(n[64:68]) {
		return 0, jffs2File{}, jffs2Data{}, false
	}
	csize := order.Uint32(n[48:52])
	if 68+int64(csize) > int64(len(n)) {
		return 0, jffs2File{}, jffs2Data{}, false
	}
	data := n[68 : 68+csize]
	if jffs2CRC(data) != order.Uint32(n[60:64]) {
		return 0, jffs2File{}, jffs2Data{}, false
	}
	f := jffs2File{mode: order.Uint32(n[20:24]), isize: order.Uint32(n[28:32]), version: order.Uint32(n[16:20])}
	d := jffs2Data{version: f.version, offset: order.Uint32(n[44:48]), dsize: order.Uint32(n[52:56]), compr: n[56], data: data}
	return order.Uint32(n[12:16]), f, d, true
}

// maxJFFS2File bounds one file's size as its inode states it, and
// maxJFFS2Held the compressed data held while an image is read.
const (
	maxJFFS2File = 256 << 20
	maxJFFS2Held = 512 << 20
)

// jffs2Tree records every named inode, its path built from the dirents.
func (u *unpacker) jffs2Tree(ctx context.Context, id, depth int, dirents map[string]jffs2Entry, files map[uint32]*jffs2File) error {
	names := inodeNames{}
	for _, e := range dirents {
		if e.ino != 0 {
			names.add(e.ino, e.pino, e.name, uint64(e.version))
		}
	}
	for _, ino := range names.sorted() {
		p, ok := names.path(ino, 1)
		f := files[ino]
		if !ok || f == nil {
			continue
		}
		err := u.addUnixEntry(ctx, id, p, f.mode, func() (io.Reader, error) {
			data, err := f.contents()
			return bytes.NewReader(data), err
		}, depth)
		if err != nil {
			return err
		}
	}
	return nil
}

// contents assembles a file from its pieces, oldest first.
func (f *jffs2File) contents() ([]byte, error) {
	if f.isize > maxJFFS2File {
		return nil, fmt.Errorf("states a size of %d bytes, more than the %d read", f.isize, maxJFFS2File)
	}
	out := make([]byte, f.isize)
	slices.SortStableFunc(f.pieces, func(a, b jffs2Data) int { return int(int64(a.version) - int64(b.version)) })
	var errs []error
	for _, p := range f.pieces {
		if p.dsize == 0 || int64(p.offset)+int64(p.dsize) > int64(len(out)) {
			continue
		}
		dst := out[p.offset : p.offset+p.dsize]
		switch p.compr {
		case jffs2None:
			copy(dst, p.data)
		case jffs2Zero:
			clear(dst)
		case jffs2RTime:
			rtime(dst, p.data)
		case jffs2LZO:
			if n, err := lzo.Decompress(p.data, dst); err != nil || n != len(dst) {
				errs = append(errs, fmt.Errorf("LZO piece at %d gave %d of %d bytes: %v", p.offset, n, len(dst), err))
			}
		case jffs2Zlib:
			z, err := zlib.NewReader(bytes.NewReader(p.data))
			if err == nil {
				_, err = io.ReadFull(z, dst)
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("zlib piece at %d: %v", p.offset, err))
			}
		default:
			errs = append(errs, fmt.Errorf("piece at %d uses compression %d, which is not supported (LZMA, Rubin)", p.offset, p.compr))
		}
	}
	return out, errors.Join(errs...)
}

// rtime decompresses JFFS2's "rtime" run-length scheme: each byte is
// followed by a count of bytes to copy from where that byte value was last
// written.
func rtime(dst, src []byte) {
	var positions [256]int
	out := 0
	for i := 0; i+1 < len(src) && out < len(dst); i += 2 {
		value, repeat := src[i], int(src[i+1])
		dst[out] = value
		out++
		back := positions[value]
		positions[value] = out
		for ; repeat > 0 && out < len(dst); repeat-- {
			dst[out] = dst[back]
			out++
			back++
		}
	}
}

package firmware

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io/fs"
	"path"

	"github.com/anchore/go-lzo"
	"github.com/pierrec/lz4/v4"
)

// A SquashFS 4.0 reader of our own, for the LZ4 and LZO images that
// go-diskfs v1.9.4 misreads (it expects LZ4 frames and lzop streams where
// SquashFS stores raw blocks). It follows the on-disk layout: a 96-byte
// superblock; metadata blocks of up to 8 KiB, each behind a two-byte header
// whose top bit marks it stored uncompressed; inodes and directories in
// metadata; file data as blocks (a size word with bit 24 set is stored
// uncompressed, 0 a hole) and a tail in a fragment block.

type sqfs struct {
	u          *unpacker
	b          blob
	off        int64 // the superblock's offset in b
	size       int64 // bytes_used
	blockSize  uint32
	decompress func(dst, src []byte) (int, error)
	inodeTable int64
	dirTable   int64
	fragTable  int64
	fragCount  uint32
	id, depth  int
	seen       map[uint64]bool // directory inodes read, against loops
}

func (s *sqfs) readAt(p []byte, at int64) error {
	if at < 0 || at+int64(len(p)) > s.size {
		return fmt.Errorf("offset %d runs past the file system", at)
	}
	_, err := s.b.ReadAt(p, s.off+at)
	return err
}

// meta reads n bytes of metadata starting in the block at start (relative
// to the file system), offset bytes in; it returns the bytes and where the
// metadata continues (block, offset).
func (s *sqfs) meta(start int64, offset int, n int) ([]byte, int64, int, error) {
	out := make([]byte, 0, n)
	for len(out) < n+offset {
		var h [2]byte
		if err := s.readAt(h[:], start); err != nil {
			return nil, 0, 0, err
		}
		word := binary.LittleEndian.Uint16(h[:])
		size := int64(word & 0x7fff)
		if size == 0 || size > 8192 {
			return nil, 0, 0, fmt.Errorf("metadata block at %d has size %d", start, size)
		}
		raw := make([]byte, size)
		if err := s.readAt(raw, start+2); err != nil {
			return nil, 0, 0, err
		}
		block := raw
		if word&0x8000 == 0 {
			block = make([]byte, 8192)
			k, err := s.decompress(block, raw)
			if err != nil {
				return nil, 0, 0, fmt.Errorf("metadata block at %d: %v", start, err)
			}
			block = block[:k]
		}
		out = append(out, block...)
		if len(out) < n+offset {
			start += 2 + size
		} else {
			// The metadata continues in this block unless it ended exactly.
			rest := len(out) - (n + offset)
			if rest == 0 {
				return out[offset : offset+n], start + 2 + size, 0, nil
			}
			return out[offset : offset+n], start, len(block) - rest, nil
		}
	}
	return out[offset : offset+n], start, 0, nil
}

// openSquashFSOwn reads a little-endian SquashFS 4.0 with our reader.
func openSquashFSOwn(ctx context.Context, u *unpacker, b blob, off int64, id, depth int, sb []byte, comp string) (n int64, err error) {
	le := binary.LittleEndian
	defer func() {
		if r := recover(); r != nil { // a bug of ours on a crafted image must not take the scan down
			n, err = int64(le.Uint64(sb[40:48])), fmt.Errorf("malformed file system: the reader failed (%v); entries read before are kept", r)
		}
	}()
	s := &sqfs{u: u, b: b, off: off, size: int64(le.Uint64(sb[40:48])), blockSize: le.Uint32(sb[12:16]), id: id, depth: depth,
		inodeTable: int64(le.Uint64(sb[64:72])), dirTable: int64(le.Uint64(sb[72:80])), fragTable: int64(le.Uint64(sb[80:88])),
		fragCount: le.Uint32(sb[16:20]), seen: map[uint64]bool{}}
	switch comp {
	case "lz4":
		s.decompress = func(dst, src []byte) (int, error) { return lz4.UncompressBlock(src, dst) }
	case "lzo":
		s.decompress = func(dst, src []byte) (int, error) { return lzo.Decompress(src, dst) }
	default:
		return s.size, fmt.Errorf("the own SquashFS reader does not take %s", comp)
	}
	root := le.Uint64(sb[32:40])
	return s.size, s.dir(ctx, root, "/", 0)
}

// inode reads the inode at ref (metadata block << 16 | offset): its type,
// mode and the bytes that follow its common header.
func (s *sqfs) inode(ref uint64, n int) (typ uint16, mode uint16, body []byte, next int64, nextOff int, err error) {
	start := s.inodeTable + int64(ref>>16)
	h, blk, o, err := s.meta(start, int(ref&0xffff), 16+n)
	if err != nil {
		return 0, 0, nil, 0, 0, err
	}
	return binary.LittleEndian.Uint16(h[0:2]), binary.LittleEndian.Uint16(h[2:4]), h[16:], blk, o, nil
}

// dir records the entries of the directory inode at ref.
func (s *sqfs) dir(ctx context.Context, ref uint64, at string, level int) error {
	if s.seen[ref] || level > 64 {
		return fmt.Errorf("directory %s loops or nests deeper than 64", at)
	}
	s.seen[ref] = true
	typ, _, body, _, _, err := s.inode(ref, 24)
	if err != nil {
		return fmt.Errorf("directory %s: %v", at, err)
	}
	le := binary.LittleEndian
	var block, size, offset uint32
	switch typ {
	case 1: // basic directory
		block, size, offset = le.Uint32(body[0:4]), uint32(le.Uint16(body[8:10])), uint32(le.Uint16(body[10:12]))
	case 8: // extended directory
		size, block, offset = le.Uint32(body[4:8]), le.Uint32(body[8:12]), uint32(le.Uint16(body[18:20]))
	default:
		return fmt.Errorf("%s: inode type %d is not a directory", at, typ)
	}
	if size <= 3 {
		return nil // empty
	}
	data, _, _, err := s.meta(s.dirTable+int64(block), int(offset), int(size-3))
	if err != nil {
		return fmt.Errorf("directory %s: %v", at, err)
	}
	for p := 0; p+12 <= len(data); {
		count, startBlk := le.Uint32(data[p:p+4])+1, le.Uint32(data[p+4:p+8])
		p += 12
		for range count {
			if err := ctx.Err(); err != nil {
				return err
			}
			if p+8 > len(data) {
				return fmt.Errorf("directory %s is cut short", at)
			}
			entOff, nameLen := le.Uint16(data[p:p+2]), int(le.Uint16(data[p+6:p+8]))+1
			if p+8+nameLen > len(data) {
				return fmt.Errorf("directory %s is cut short", at)
			}
			name := string(data[p+8 : p+8+nameLen])
			p += 8 + nameLen
			if err := s.entry(ctx, uint64(startBlk)<<16|uint64(entOff), path.Join(at, name), level); err != nil {
				return err
			}
		}
	}
	return nil
}

// entry records one directory entry.
func (s *sqfs) entry(ctx context.Context, ref uint64, p string, level int) error {
	typ, mode, body, _, _, err := s.inode(ref, 40)
	if err != nil {
		s.u.warn(fmt.Errorf("layer %d: %s: %v", s.id, p, err))
		return nil
	}
	perm := fs.FileMode(mode & 0o777)
	switch typ {
	case 1, 8:
		if err := s.u.addFile(ctx, s.id, p, KindDir, perm|fs.ModeDir, "", nil, s.depth); err != nil {
			return err
		}
		if err := s.dir(ctx, ref, p, level+1); err != nil {
			s.u.warn(fmt.Errorf("layer %d: %v", s.id, err))
		}
		return nil
	case 3, 10:
		// The target follows the link count and its length.
		n := int(binary.LittleEndian.Uint32(body[4:8]))
		target := ""
		if n <= 4096 {
			if _, _, full, _, _, err := s.inode(ref, 8+n); err == nil {
				target = string(full[8 : 8+n])
			}
		}
		return s.u.addFile(ctx, s.id, p, KindLink, perm|fs.ModeSymlink, target, nil, s.depth)
	case 2, 9:
		data, err := s.file(ref, typ, body)
		if err != nil {
			s.u.warn(fmt.Errorf("layer %d: %s: %v (the readable part is analysed)", s.id, p, err))
		}
		return s.u.addFile(ctx, s.id, p, KindFile, perm, "", bytes.NewReader(data), s.depth)
	}
	return s.u.addFile(ctx, s.id, p, KindDevice, perm|fs.ModeDevice, "", nil, s.depth)
}

// file reads a regular file's data: its blocks, then its tail in a
// fragment.
func (s *sqfs) file(ref uint64, typ uint16, body []byte) ([]byte, error) {
	le := binary.LittleEndian
	var start, size int64
	var frag, fragOff uint32
	head := 16
	if typ == 2 {
		start, frag, fragOff, size = int64(le.Uint32(body[0:4])), le.Uint32(body[4:8]), le.Uint32(body[8:12]), int64(le.Uint32(body[12:16]))
	} else {
		start, size, frag, fragOff = int64(le.Uint64(body[0:8])), int64(le.Uint64(body[8:16])), le.Uint32(body[28:32]), le.Uint32(body[32:36])
		head = 40
	}
	if size > maxJFFS2File {
		return nil, fmt.Errorf("states a size of %d bytes, more than the %d read", size, maxJFFS2File)
	}
	bs := int64(s.blockSize)
	blocks := size / bs
	if frag == 0xffffffff && size%bs != 0 {
		blocks++ // no fragment: the tail is a block of its own
	}
	_, _, full, _, _, err := s.inode(ref, head+4*int(blocks))
	if err != nil {
		return nil, err
	}
	sizes := full[head:]
	out := make([]byte, 0, size)
	pos := start
	for i := range blocks {
		w := le.Uint32(sizes[4*i:])
		n := min(bs, size-int64(len(out)))
		stored := int64(w &^ (1 << 24))
		switch {
		case w == 0:
			out = append(out, make([]byte, n)...) // a hole
			continue
		case w&(1<<24) != 0:
			buf := make([]byte, stored)
			if err := s.readAt(buf, pos); err != nil {
				return out, err
			}
			out = append(out, buf[:min(int64(len(buf)), n)]...)
		default:
			raw := make([]byte, stored)
			if err := s.readAt(raw, pos); err != nil {
				return out, err
			}
			dst := make([]byte, bs)
			k, err := s.decompress(dst, raw)
			if err != nil {
				return out, fmt.Errorf("block %d: %v", i, err)
			}
			out = append(out, dst[:min(int64(k), n)]...)
		}
		pos += stored
	}
	if frag != 0xffffffff && int64(len(out)) < size {
		tail, err := s.fragment(frag)
		if err != nil {
			return out, err
		}
		end := int64(fragOff) + size - int64(len(out))
		if end > int64(len(tail)) {
			return out, fmt.Errorf("the tail runs past fragment %d", frag)
		}
		out = append(out, tail[fragOff:end]...)
	}
	return out, nil
}

// fragment reads and decompresses fragment block i.
func (s *sqfs) fragment(i uint32) ([]byte, error) {
	if i >= s.fragCount {
		return nil, fmt.Errorf("fragment %d of %d", i, s.fragCount)
	}
	var ptr [8]byte
	if err := s.readAt(ptr[:], s.fragTable+int64(i/512)*8); err != nil {
		return nil, err
	}
	ent, _, _, err := s.meta(int64(binary.LittleEndian.Uint64(ptr[:])), int(i%512)*16, 16)
	if err != nil {
		return nil, err
	}
	start, w := int64(binary.LittleEndian.Uint64(ent[0:8])), binary.LittleEndian.Uint32(ent[8:12])
	stored := int64(w &^ (1 << 24))
	raw := make([]byte, stored)
	if err := s.readAt(raw, start); err != nil {
		return nil, err
	}
	if w&(1<<24) != 0 {
		return raw, nil
	}
	dst := make([]byte, s.blockSize)
	k, err := s.decompress(dst, raw)
	return dst[:k], err
}

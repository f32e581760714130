package firmware

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"path"
)

// A CramFS reader of our own (little-endian, the layout Linux's
// cramfs_fs.h describes): a 76-byte superblock ending in the root inode, then
// directories as runs of 12-byte inodes each followed by its name, and file
// data as a table of block-end pointers followed by zlib blocks of 4096
// bytes.

const (
	cramfsBlock    = 4096
	cramfsMaxDepth = 64
)

type cramInode struct {
	mode   uint16
	size   uint32
	offset uint32 // bytes
	name   string
}

func readCramInode(b []byte) cramInode {
	mode := binary.LittleEndian.Uint16(b[0:2])
	sizeGid := binary.LittleEndian.Uint32(b[4:8])
	nameOff := binary.LittleEndian.Uint32(b[8:12])
	return cramInode{mode: mode, size: sizeGid & 0xffffff, offset: (nameOff >> 6) * 4}
}

// openCramFS reads a CramFS image; its size is in the superblock.
func openCramFS(ctx context.Context, u *unpacker, b blob, off int64, id, depth int) (int64, error) {
	sb := make([]byte, 76)
	if _, err := b.ReadAt(sb, off); err != nil || string(sb[16:32]) != "Compressed ROMFS" {
		return 0, errNotFormat
	}
	size := int64(binary.LittleEndian.Uint32(sb[4:8]))
	flags := binary.LittleEndian.Uint32(sb[8:12])
	if size < 76 {
		return 0, errNotFormat
	}
	l := &u.t.Layers[id]
	l.Size = size
	l.Detail = fmt.Sprintf("%d bytes, flags %#x", size, flags)
	if off+size > b.size {
		return size, fmt.Errorf("truncated: the superblock says %d bytes, %d are there", size, b.size-off)
	}
	img := make([]byte, size) // bounded by the image's own size
	if _, err := b.ReadAt(img, off); err != nil {
		return size, err
	}
	c := &cramfs{u: u, img: img, id: id, depth: depth, seen: map[uint32]bool{}}
	root := readCramInode(sb[64:76])
	if err := c.dir(ctx, root, "/", 0); err != nil {
		return size, err
	}
	return size, c.err
}

type cramfs struct {
	u     *unpacker
	img   []byte
	id    int
	depth int
	seen  map[uint32]bool // directory offsets read, against loops
	err   error
}

// dir records the entries of a directory inode, recursively.
func (c *cramfs) dir(ctx context.Context, d cramInode, at string, level int) error {
	if level > cramfsMaxDepth || c.seen[d.offset] {
		c.err = fmt.Errorf("directory %s loops or nests deeper than %d", at, cramfsMaxDepth)
		return nil
	}
	c.seen[d.offset] = true
	end := int64(d.offset) + int64(d.size)
	for pos := int64(d.offset); pos+12 <= end && pos+12 <= int64(len(c.img)); {
		if err := ctx.Err(); err != nil {
			return err
		}
		in := readCramInode(c.img[pos : pos+12])
		nameLen := int64(c.img[pos+8]&0x3f) * 4
		if nameLen == 0 || pos+12+nameLen > int64(len(c.img)) {
			c.err = fmt.Errorf("directory %s: an entry's name runs past the image", at)
			return nil
		}
		in.name = string(bytes.TrimRight(c.img[pos+12:pos+12+nameLen], "\x00"))
		pos += 12 + nameLen
		p := path.Join(at, in.name)
		err := c.u.addUnixEntry(ctx, c.id, p, uint32(in.mode), func() (io.Reader, error) {
			data, err := c.data(in)
			return bytes.NewReader(data), err
		}, c.depth)
		if err == nil && in.mode&0o170000 == 0o040000 && in.size > 0 {
			err = c.dir(ctx, in, p, level+1)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// data reads a file's or link's contents: block-end pointers, then zlib
// blocks of up to 4096 bytes.
func (c *cramfs) data(in cramInode) ([]byte, error) {
	if in.size == 0 {
		return nil, nil
	}
	blocks := (int64(in.size) + cramfsBlock - 1) / cramfsBlock
	table := int64(in.offset)
	start := table + 4*blocks
	if start > int64(len(c.img)) {
		return nil, fmt.Errorf("its block table runs past the image")
	}
	out := make([]byte, 0, in.size)
	for i := range blocks {
		end := int64(binary.LittleEndian.Uint32(c.img[table+4*i:]))
		if end < start || end > int64(len(c.img)) {
			return out, fmt.Errorf("block %d points outside the image", i)
		}
		want := min(cramfsBlock, int64(in.size)-int64(len(out)))
		if end > start {
			z, err := zlib.NewReader(bytes.NewReader(c.img[start:end]))
			if err != nil {
				return out, fmt.Errorf("block %d: %v", i, err)
			}
			buf := make([]byte, want)
			if _, err := io.ReadFull(z, buf); err != nil {
				return out, fmt.Errorf("block %d: %v", i, err)
			}
			out = append(out, buf...)
		} else {
			out = append(out, make([]byte, want)...) // a hole
		}
		start = end
	}
	return out, nil
}

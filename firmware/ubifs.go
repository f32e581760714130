package firmware

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/anchore/go-lzo"
	"github.com/klauspost/compress/zstd"
)

// A UBIFS reader of our own (no Go library reads UBIFS). Rather than walk
// the index tree, it reads every node of the volume, as recovery does: the
// newest inode node (by sequence number) of each inode, the newest
// directory entry for each name (inode 0 means deleted), and the newest data
// node of each 4 KiB block (LZO, zlib, zstd or plain). Nodes are
// little-endian and 8-byte aligned.

const (
	ubifsMagic = 0x06101831
	ubifsIno   = 0
	ubifsData  = 1
	ubifsDent  = 2
	ubifsBlock = 4096
	ubifsRoot  = 1
)

type ubifsInode struct {
	sqnum uint64
	size  uint64
	nlink uint32
	mode  uint32
	data  []byte // a link's target
}

type ubifsDentry struct {
	sqnum uint64
	inum  uint64
	name  string
	pino  uint32
}

type ubifsChunk struct {
	sqnum uint64
	size  uint32
	compr uint16
	data  []byte
}

// maxUBIFSHeld bounds the node data held while a volume is read.
const maxUBIFSHeld = 512 << 20

// openUBIFS reads a UBIFS volume from off to the end of b.
func openUBIFS(ctx context.Context, u *unpacker, b blob, off int64, id, depth int) (int64, error) {
	h := make([]byte, 24)
	if _, err := b.ReadAt(h, off); err != nil {
		return 0, errNotFormat
	}
	n := int64(binary.LittleEndian.Uint32(h[16:20]))
	if n < 24 || n > 1<<20 || off+n > b.size {
		return 0, errNotFormat
	}
	first := make([]byte, n)
	b.ReadAt(first, off)
	if ubiCRC(first[8:]) != binary.LittleEndian.Uint32(first[4:8]) {
		return 0, errNotFormat
	}
	inodes := map[uint32]*ubifsInode{}
	dents := map[string]ubifsDentry{}
	chunks := map[[2]uint32]ubifsChunk{}
	var held int64
	nodes, bad := 0, 0
	node := make([]byte, 0, 4096)
	for pos := off; pos+24 <= b.size; {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		if _, err := b.ReadAt(h, pos); err != nil {
			break
		}
		if binary.LittleEndian.Uint32(h) != ubifsMagic {
			pos += 8
			continue
		}
		n := int64(binary.LittleEndian.Uint32(h[16:20]))
		if n < 24 || n > 1<<20 || pos+n > b.size {
			bad++
			pos += 8
			continue
		}
		node = slices.Grow(node[:0], int(n))[:n]
		if _, err := b.ReadAt(node, pos); err != nil || ubiCRC(node[8:]) != binary.LittleEndian.Uint32(node[4:8]) {
			bad++
			pos += 8
			continue
		}
		nodes++
		sqnum := binary.LittleEndian.Uint64(node[8:16])
		switch node[20] {
		case ubifsIno:
			if n >= 160 {
				inum := binary.LittleEndian.Uint32(node[24:28])
				dl := int64(binary.LittleEndian.Uint32(node[112:116]))
				if cur := inodes[inum]; cur == nil || sqnum > cur.sqnum {
					in := &ubifsInode{sqnum: sqnum, size: binary.LittleEndian.Uint64(node[48:56]),
						nlink: binary.LittleEndian.Uint32(node[92:96]), mode: binary.LittleEndian.Uint32(node[104:108])}
					if dl > 0 && 160+dl <= n {
						in.data = bytes.Clone(node[160 : 160+dl])
					}
					inodes[inum] = in
				}
			}
		case ubifsData:
			if n >= 48 {
				inum := binary.LittleEndian.Uint32(node[24:28])
				block := binary.LittleEndian.Uint32(node[28:32]) & 0x1fffffff
				k := [2]uint32{inum, block}
				if cur, ok := chunks[k]; !ok || sqnum > cur.sqnum {
					held += n - 48
					if held > min(u.budget(), maxUBIFSHeld) {
						return pos - off, &LimitError{Layer: fmt.Sprintf("ubifs (layer %d)", id), Offset: pos, Limit: "more file data than may be held"}
					}
					chunks[k] = ubifsChunk{sqnum: sqnum, size: binary.LittleEndian.Uint32(node[40:44]),
						compr: binary.LittleEndian.Uint16(node[44:46]), data: bytes.Clone(node[48:n])}
				}
			}
		case ubifsDent:
			if n >= 56 {
				nlen := int64(binary.LittleEndian.Uint16(node[50:52]))
				if 56+nlen <= n && nlen > 0 {
					d := ubifsDentry{sqnum: sqnum, inum: binary.LittleEndian.Uint64(node[40:48]), name: string(node[56 : 56+nlen]),
						pino: binary.LittleEndian.Uint32(node[24:28])}
					k := fmt.Sprintf("%d/%s", d.pino, d.name)
					if cur, ok := dents[k]; !ok || sqnum > cur.sqnum {
						dents[k] = d
					}
				}
			}
		}
		pos += (n + 7) &^ 7
	}
	if nodes == 0 {
		return 0, errNotFormat
	}
	l := &u.t.Layers[id]
	l.Size = b.size - off
	l.Detail = fmt.Sprintf("%d nodes, %d inodes", nodes, len(inodes))
	if err := u.ubifsTree(ctx, id, depth, inodes, dents, chunks); err != nil {
		return l.Size, err
	}
	if bad > 0 {
		return b.size - off, fmt.Errorf("%d damaged nodes skipped", bad)
	}
	return b.size - off, nil
}

// ubifsTree records every live, named inode.
func (u *unpacker) ubifsTree(ctx context.Context, id, depth int, inodes map[uint32]*ubifsInode, dents map[string]ubifsDentry, chunks map[[2]uint32]ubifsChunk) error {
	names := inodeNames{}
	for _, d := range dents {
		if d.inum != 0 && d.inum <= 0xffffffff && d.name != "." && d.name != ".." && !bytes.ContainsAny([]byte(d.name), "/\x00") {
			names.add(uint32(d.inum), d.pino, d.name, d.sqnum)
		}
	}
	for _, ino := range names.sorted() {
		in := inodes[ino]
		p, ok := names.path(ino, ubifsRoot)
		if !ok || in == nil || in.nlink == 0 {
			continue
		}
		err := u.addUnixEntry(ctx, id, p, in.mode, func() (io.Reader, error) {
			if in.mode&0o170000 == 0o120000 {
				return bytes.NewReader(in.data), nil // a link's target is in its inode
			}
			data, err := ubifsContents(ino, in.size, chunks)
			return bytes.NewReader(data), err
		}, depth)
		if err != nil {
			return err
		}
	}
	return nil
}

// ubifsContents assembles a file from its data nodes.
func ubifsContents(ino uint32, size uint64, chunks map[[2]uint32]ubifsChunk) ([]byte, error) {
	if size > maxJFFS2File {
		return nil, fmt.Errorf("states a size of %d bytes, more than the %d read", size, maxJFFS2File)
	}
	out := make([]byte, size)
	var errs []error
	for block := uint32(0); int64(block)*ubifsBlock < int64(size); block++ {
		c, ok := chunks[[2]uint32{ino, block}]
		if !ok {
			continue // a hole
		}
		dst := out[int64(block)*ubifsBlock : min(int64(size), int64(block+1)*ubifsBlock)]
		dst = dst[:min(len(dst), int(c.size))]
		var r io.Reader
		switch c.compr {
		case 0:
			copy(dst, c.data)
			continue
		case 1:
			if n, err := lzo.Decompress(c.data, dst); err != nil || n != len(dst) {
				errs = append(errs, fmt.Errorf("block %d: LZO gave %d of %d bytes: %v", block, n, len(dst), err))
			}
			continue
		case 2:
			r = flate.NewReader(bytes.NewReader(c.data))
		case 3:
			z, err := zstd.NewReader(bytes.NewReader(c.data), zstd.WithDecoderConcurrency(1))
			if err != nil {
				errs = append(errs, err)
				continue
			}
			defer z.Close()
			r = z
		default:
			errs = append(errs, fmt.Errorf("block %d uses compression %d, which is not supported", block, c.compr))
			continue
		}
		if _, err := io.ReadFull(r, dst); err != nil {
			errs = append(errs, fmt.Errorf("block %d: %v", block, err))
		}
	}
	return out, errors.Join(errs...)
}

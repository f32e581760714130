package firmware

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"slices"
)

// A UBI reader of our own (no Go library reads UBI). A UBI image is a run
// of physical erase blocks, each with an erase-counter header ("UBI#") and a
// volume-identifier header ("UBI!") naming the volume and logical block it
// holds. Each volume is put back together from its logical blocks (the
// newest copy of each wins) into a blob of the work directory, which is
// then searched like any other: a UBIFS volume is read by openUBIFS.

// ubiCRC is the CRC UBI and UBIFS store: CRC-32 seeded with all ones and
// not inverted at the end.
func ubiCRC(b []byte) uint32 { return ^crc32.ChecksumIEEE(b) }

const ubiLayoutVolume = 0x7fffefff

type ubiBlock struct {
	peb   int64 // offset of the erase block's data
	size  int64
	sqnum uint64
}

// openUBI reads a UBI image.
func openUBI(ctx context.Context, u *unpacker, b blob, off int64, id, depth int) (int64, error) {
	ec := make([]byte, 64)
	if _, err := b.ReadAt(ec, off); err != nil || ubiCRC(ec[:60]) != binary.BigEndian.Uint32(ec[60:64]) {
		return 0, errNotFormat
	}
	vidOff, dataOff := int64(binary.BigEndian.Uint32(ec[16:20])), int64(binary.BigEndian.Uint32(ec[20:24]))
	if vidOff < 64 || dataOff <= vidOff {
		return 0, errNotFormat
	}
	// The erase-block size is the distance to the next erase-counter header.
	peb := int64(0)
	buf := make([]byte, 64)
	for step := int64(512); step <= 4<<20 && off+step+64 <= b.size; step *= 2 {
		if _, err := b.ReadAt(buf, off+step); err == nil && bytes.HasPrefix(buf, []byte("UBI#")) && ubiCRC(buf[:60]) == binary.BigEndian.Uint32(buf[60:64]) {
			peb = step
			break
		}
	}
	if peb == 0 {
		peb = b.size - off // a single erase block
	}
	volumes := map[uint32]map[uint32]ubiBlock{}
	names := map[uint32]string{}
	end, pebs := off, 0
	for pos := off; pos+dataOff <= b.size; pos += peb {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		if _, err := b.ReadAt(ec, pos); err != nil || !bytes.HasPrefix(ec, []byte("UBI#")) || ubiCRC(ec[:60]) != binary.BigEndian.Uint32(ec[60:64]) {
			break // the end of the image, or not UBI any more
		}
		end = pos + peb
		pebs++
		vid := make([]byte, 64)
		if _, err := b.ReadAt(vid, pos+vidOff); err != nil || !bytes.HasPrefix(vid, []byte("UBI!")) || ubiCRC(vid[:60]) != binary.BigEndian.Uint32(vid[60:64]) {
			continue // an empty erase block
		}
		volID, lnum := binary.BigEndian.Uint32(vid[8:12]), binary.BigEndian.Uint32(vid[12:16])
		sqnum := binary.BigEndian.Uint64(vid[40:48])
		if volumes[volID] == nil {
			volumes[volID] = map[uint32]ubiBlock{}
		}
		if old, ok := volumes[volID][lnum]; !ok || sqnum > old.sqnum {
			volumes[volID][lnum] = ubiBlock{peb: pos + dataOff, size: min(peb, b.size-pos) - dataOff, sqnum: sqnum}
		}
	}
	if lay, ok := volumes[ubiLayoutVolume]; ok {
		if blk, ok := lay[0]; ok {
			names = ubiNames(b, blk)
		}
		delete(volumes, ubiLayoutVolume)
	}
	l := &u.t.Layers[id]
	l.Size = end - off
	l.Detail = fmt.Sprintf("erase blocks of %d bytes, %d volumes", peb, len(volumes))
	ids := make([]uint32, 0, len(volumes))
	for v := range volumes {
		ids = append(ids, v)
	}
	slices.Sort(ids)
	for _, v := range ids {
		if err := u.ubiVolume(ctx, b, volumes[v], v, names[v], pebs, id, depth); err != nil {
			return end - off, err
		}
	}
	return end - off, nil
}

// ubiNames reads the volume table: 128 records of 172 bytes, the name's
// length at 14 and the name at 16.
func ubiNames(b blob, blk ubiBlock) map[uint32]string {
	names := map[uint32]string{}
	rec := make([]byte, 172)
	for i := range uint32(128) {
		if _, err := b.ReadAt(rec, blk.peb+int64(i)*172); err != nil {
			break
		}
		if n := int(binary.BigEndian.Uint16(rec[14:16])); n > 0 && n <= 128 {
			names[i] = string(rec[16 : 16+n])
		}
	}
	return names
}

// ubiVolume writes one volume's logical blocks in order into a blob and
// searches it as layer of its own.
func (u *unpacker) ubiVolume(ctx context.Context, b blob, blocks map[uint32]ubiBlock, vol uint32, name string, pebs, parent, depth int) error {
	lnums := make([]uint32, 0, len(blocks))
	leb := int64(0)
	for n, blk := range blocks {
		lnums = append(lnums, n)
		leb = max(leb, blk.size)
	}
	slices.Sort(lnums)
	id := len(u.t.Layers)
	u.t.Layers = append(u.t.Layers, Layer{ID: id, Parent: parent, Offset: 0, Format: "ubi-volume",
		Detail: fmt.Sprintf("volume %d %q, %d logical blocks", vol, name, len(blocks))})
	if depth+1 >= u.lim.MaxDepth {
		u.t.Layers[id].Error = fmt.Sprintf("nested deeper than %d layers", u.lim.MaxDepth)
		return nil
	}
	// A volume cannot have more logical blocks than the image has erase
	// blocks: a larger number is a corrupt or hostile header, and the blocks
	// past the last mapped one would only be written as erased bytes.
	if last := lnums[len(lnums)-1]; int64(last) >= int64(pebs) {
		u.t.Layers[id].Error = fmt.Sprintf("names logical block %d, but the image has %d erase blocks; blocks from %d on are left out", last, pebs, pebs)
		lnums = slices.DeleteFunc(lnums, func(n uint32) bool { return int64(n) >= int64(pebs) })
		if len(lnums) == 0 {
			return nil
		}
	}
	out, err := u.newBlob()
	if err != nil {
		return err
	}
	defer out.Close()
	ff := bytes.Repeat([]byte{0xff}, int(min(leb, 1<<20)))
	var size int64
	for i := uint32(0); i <= lnums[len(lnums)-1]; i++ {
		blk, ok := blocks[i]
		var r io.Reader
		if ok {
			r = io.NewSectionReader(b, blk.peb, blk.size)
		} else {
			r = io.LimitReader(repeatReader(ff), leb) // an unmapped block reads as erased
		}
		n, err := io.Copy(out, io.LimitReader(r, u.budget()+1))
		size += n
		u.written += n
		if err != nil {
			return fatalError{err}
		}
		if u.written > u.lim.MaxBytes {
			return &LimitError{Layer: fmt.Sprintf("ubi volume %d (layer %d)", vol, id), Offset: size, Limit: fmt.Sprintf("more than %d bytes unpacked in all", u.lim.MaxBytes)}
		}
	}
	u.t.Layers[id].Size = size
	u.t.Files = append(u.t.Files, File{Path: fmt.Sprintf("[layer %d]", id), Layer: id, Kind: KindBlob, Size: size, disk: out.Name()})
	return u.scan(ctx, blob{f: out, size: size}, id, "", depth+1)
}

// repeatReader reads its bytes over and over.
type repeatReader []byte

func (r repeatReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		n += copy(p[n:], r)
	}
	return n, nil
}

package firmware

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// The two older CPIO formats, which cavaliergopher/cpio does not read:
// "odc" (POSIX.1 portable, octal ASCII fields, magic 070707) and the old
// binary format (sixteen-bit words in either byte order, magic 0o70707).

// cpioEntry is one header of an old CPIO archive.
type cpioEntry struct {
	name     string
	mode     uint32
	size     int64
	trailing int64 // padding after the data
}

// openCPIOODC reads an odc archive.
func openCPIOODC(ctx context.Context, u *unpacker, b blob, off int64, id, depth int) (int64, error) {
	return u.oldCPIO(ctx, b, off, id, depth, readODC)
}

// openCPIOBinary reads an old binary archive, little- or big-endian.
func openCPIOBinary(ctx context.Context, u *unpacker, b blob, off int64, id, depth int) (int64, error) {
	return u.oldCPIO(ctx, b, off, id, depth, readBinaryHeader)
}

// maxCPIOName bounds an entry's name.
const maxCPIOName = 4096

func (u *unpacker) oldCPIO(ctx context.Context, b blob, off int64, id, depth int, header func(*counter) (cpioEntry, error)) (int64, error) {
	in := &counter{r: bufio.NewReader(io.NewSectionReader(b, off, b.size-off))}
	var data io.Reader // the previous entry's, read past (with its padding) before the next header
	var pad int64
	return u.readArchive(ctx, id, depth, in, func() (string, uint32, io.Reader, error) {
		if data != nil {
			if _, err := io.Copy(io.Discard, data); err != nil {
				return "", 0, nil, fmt.Errorf("an entry is truncated: %v", err)
			}
			if _, err := io.CopyN(io.Discard, in, pad); err != nil {
				return "", 0, nil, fmt.Errorf("an entry is truncated: %v", err)
			}
		}
		e, err := header(in)
		if err != nil {
			return "", 0, nil, err
		}
		if e.name == "TRAILER!!!" {
			return "", 0, nil, io.EOF
		}
		data, pad = io.LimitReader(in, e.size), e.trailing
		return e.name, e.mode, data, nil
	})
}

// readODC reads one odc header and its name.
func readODC(in *counter) (cpioEntry, error) {
	h := make([]byte, 76)
	if _, err := io.ReadFull(in, h); err != nil {
		return cpioEntry{}, err
	}
	if string(h[:6]) != "070707" {
		return cpioEntry{}, errors.New("bad magic")
	}
	field := func(at, n int) (int64, error) { return strconv.ParseInt(string(h[at:at+n]), 8, 64) }
	mode, err1 := field(18, 6)
	nameSize, err2 := field(59, 6)
	size, err3 := field(65, 11)
	if err := errors.Join(err1, err2, err3); err != nil || nameSize < 1 || nameSize > maxCPIOName || size < 0 {
		return cpioEntry{}, errors.New("bad header")
	}
	name, err := readName(in, nameSize)
	return cpioEntry{name: name, mode: uint32(mode), size: size}, err
}

// readBinaryHeader reads one old binary header, in the byte order its
// magic shows, and its name.
func readBinaryHeader(in *counter) (cpioEntry, error) {
	h := make([]byte, 26)
	if _, err := io.ReadFull(in, h); err != nil {
		return cpioEntry{}, err
	}
	var order binary.ByteOrder
	switch {
	case h[0] == 0xc7 && h[1] == 0x71:
		order = binary.LittleEndian
	case h[0] == 0x71 && h[1] == 0xc7:
		order = binary.BigEndian
	default:
		return cpioEntry{}, errors.New("bad magic")
	}
	w := func(i int) uint32 { return uint32(order.Uint16(h[2*i:])) }
	nameSize := int64(w(10))
	size := int64(w(11))<<16 | int64(w(12))
	if nameSize < 1 || nameSize > maxCPIOName {
		return cpioEntry{}, errors.New("bad header")
	}
	name, err := readName(in, nameSize+nameSize%2)
	return cpioEntry{name: name, mode: w(3), size: size, trailing: size % 2}, err
}

// readName reads an n-byte, NUL-terminated (and maybe padded) name.
func readName(in *counter, n int64) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(in, b); err != nil {
		return "", err
	}
	name, _, ok := bytes.Cut(b, []byte{0})
	if !ok || len(name) == 0 {
		return "", errors.New("bad name")
	}
	for _, c := range name {
		if c < 0x20 {
			return "", errors.New("bad name")
		}
	}
	return string(name), nil
}

package firmware

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math/bits"
	"strings"

	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
	"github.com/ulikunitz/xz"
	"github.com/ulikunitz/xz/lzma"
)

// signature is a format found by its magic bytes; open reads the layer
// whose magic is at off of b into layer id and returns how many bytes of b
// it takes. open must return errNotFormat before it adds any layer or file
// when the bytes are not that format.
type signature struct {
	format string
	magic  []byte
	// at is where the magic sits from the layer's start (tar: 257).
	at int64
	// rank orders two formats found at one offset.
	rank int
	open func(ctx context.Context, u *unpacker, b blob, off int64, id, depth int) (int64, error)
}

var signatures []signature

func init() {
	signatures = []signature{
		{format: "uimage", magic: []byte{0x27, 0x05, 0x19, 0x56}, open: openUImage},
		{format: "squashfs", magic: []byte("hsqs"), open: openSquashFS},
		{format: "squashfs-be", magic: []byte("sqsh"), open: openSquashFSBE},
		{format: "cpio", magic: []byte("070701"), open: openCPIO},
		{format: "cpio", magic: []byte("070702"), open: openCPIO},
		{format: "cpio", magic: []byte("070707"), open: openCPIOODC},
		{format: "cpio", magic: []byte{0xc7, 0x71}, open: openCPIOBinary},
		{format: "cpio", magic: []byte{0x71, 0xc7}, open: openCPIOBinary},
		{format: "tar", magic: []byte("ustar"), at: 257, open: openTar},
		{format: "ext", magic: []byte{0x53, 0xef}, at: 1080, open: openExt},
		{format: "trx", magic: []byte("HDR0"), open: openTRX},
		{format: "cramfs", magic: []byte{0x45, 0x3d, 0xcd, 0x28}, open: openCramFS},
		{format: "romfs", magic: []byte("-rom1fs-"), open: unsupported(nil)},
		{format: "ubi", magic: []byte("UBI#\x01"), open: openUBI},
		{format: "ubifs", magic: []byte{0x31, 0x18, 0x10, 0x06}, open: openUBIFS},
		{format: "jffs2", magic: []byte{0x85, 0x19}, open: openJFFS2(binary.LittleEndian)},
		{format: "jffs2", magic: []byte{0x19, 0x85}, open: openJFFS2(binary.BigEndian)},
		{format: "gzip", magic: []byte{0x1f, 0x8b, 0x08}, open: streamOpener("gzip", false)},
		{format: "xz", magic: []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}, open: streamOpener("xz", false)},
		{format: "zstd", magic: []byte{0x28, 0xb5, 0x2f, 0xfd}, open: streamOpener("zstd", false)},
		{format: "bzip2", magic: []byte("BZh"), open: streamOpener("bzip2", false)},
		{format: "lz4", magic: []byte{0x04, 0x22, 0x4d, 0x18}, open: streamOpener("lz4", false)},
		{format: "lzma", magic: []byte{0x5d, 0x00, 0x00}, open: openLZMAAlone},
		{format: "zip", magic: []byte("PK\x03\x04"), open: openZip},
	}
	for i := range signatures {
		signatures[i].rank = i
	}
}

// unsupported recognises a format that cannot be unpacked yet, so that
// the report names it instead of passing over it in silence; valid, when
// set, checks the header beyond the magic. The layer is taken to run to
// the end of its parent.
func unsupported(valid func(blob, int64) bool) func(context.Context, *unpacker, blob, int64, int, int) (int64, error) {
	return func(ctx context.Context, u *unpacker, b blob, off int64, id, depth int) (int64, error) {
		if valid != nil && !valid(b, off) {
			return 0, errNotFormat
		}
		l := &u.t.Layers[id]
		l.Size = b.size - off
		return l.Size, fmt.Errorf("%s is not supported yet: its contents are not analysed", l.Format)
	}
}

// openTRX reads a Broadcom TRX container: a 28-byte little-endian header
// with the total length, a CRC and up to three partition offsets (kernel,
// root file system, ...), each scanned as a blob.
func openTRX(ctx context.Context, u *unpacker, b blob, off int64, id, depth int) (int64, error) {
	h := make([]byte, 28)
	if _, err := b.ReadAt(h, off); err != nil {
		return 0, errNotFormat
	}
	size := int64(binary.LittleEndian.Uint32(h[4:8]))
	version := binary.LittleEndian.Uint32(h[12:16]) >> 16
	if size < 28 || (version != 1 && version != 2) {
		return 0, errNotFormat
	}
	var parts []int64
	for i := range 3 {
		if p := int64(binary.LittleEndian.Uint32(h[16+4*i:])); p >= 28 && p < size {
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		return 0, errNotFormat
	}
	l := &u.t.Layers[id]
	l.Size = size
	l.Detail = fmt.Sprintf("version %d, %d bytes, partitions at %v", version, size, parts)
	body := b.section(off, size)
	if body.size < size {
		l.Error = fmt.Sprintf("truncated: the header says %d bytes, %d are there", size, body.size)
	}
	for i, p := range parts {
		end := size
		if i+1 < len(parts) {
			end = parts[i+1]
		}
		if err := u.scan(ctx, body.section(p, end-p), id, "", depth+1); err != nil {
			return size, err
		}
	}
	return size, nil
}

// uImage compression types (U-Boot's image.h).
var uimageCompression = map[byte]string{0: "none", 1: "gzip", 2: "bzip2", 3: "lzma", 4: "lzo", 5: "lz4", 6: "zstd"}

// openUImage reads a legacy U-Boot image: a 64-byte big-endian header with
// its own CRC, then the payload, compressed as the header says.
func openUImage(ctx context.Context, u *unpacker, b blob, off int64, id, depth int) (int64, error) {
	h := make([]byte, 64)
	if _, err := b.ReadAt(h, off); err != nil {
		return 0, errNotFormat
	}
	want := binary.BigEndian.Uint32(h[4:8])
	clear(h[4:8])
	if crc32.ChecksumIEEE(h) != want {
		return 0, errNotFormat
	}
	size := int64(binary.BigEndian.Uint32(h[12:16]))
	comp, ok := uimageCompression[h[31]]
	if !ok {
		comp = fmt.Sprintf("unknown (%d)", h[31])
	}
	name := strings.TrimRight(string(h[32:64]), "\x00")
	l := &u.t.Layers[id]
	l.Size = 64 + size
	l.Detail = fmt.Sprintf("%q, payload %d bytes, compression %s", name, size, comp)
	payload := b.section(off+64, size)
	if payload.size < size {
		l.Error = fmt.Sprintf("truncated: the header says %d payload bytes, %d are there", size, payload.size)
	} else if sum, err := crc32Of(payload); err == nil && sum != binary.BigEndian.Uint32(h[24:28]) {
		l.Error = "payload CRC does not match the header: the image is corrupt or was altered"
	}
	switch comp {
	case "none":
		return l.Size, u.scan(ctx, payload, id, "", depth+1)
	case "gzip", "bzip2", "lzma", "zstd", "lz4":
		_, err := u.open(ctx, &signature{format: comp, open: streamOpener(comp, true)}, payload, 0, id, "", depth+1)
		return l.Size, err
	}
	return 64 + size, fmt.Errorf("payload compression %s is not supported", comp)
}

func crc32Of(b blob) (uint32, error) {
	h := crc32.NewIEEE()
	_, err := io.Copy(h, io.NewSectionReader(b, 0, b.size))
	return h.Sum32(), err
}

// openLZMAAlone opens a legacy .lzma stream (LZMA-alone: properties byte
// 0x5d, a dictionary size, the uncompressed size or all ones). Three magic
// bytes are met by chance, so the header must make sense too: a power-of-two
// dictionary of 64 KiB to 64 MiB and a size that is unknown or under 1 GiB.
func openLZMAAlone(ctx context.Context, u *unpacker, b blob, off int64, id, depth int) (int64, error) {
	h := make([]byte, 13)
	if _, err := b.ReadAt(h, off); err != nil {
		return 0, errNotFormat
	}
	dict := binary.LittleEndian.Uint32(h[1:5])
	size := binary.LittleEndian.Uint64(h[5:13])
	if !isPow2(dict) || dict < 1<<16 || dict > 1<<26 || (size != ^uint64(0) && size > 1<<30) {
		return 0, errNotFormat
	}
	return u.stream(ctx, "lzma", b, off, id, depth, false)
}

// streamOpener returns the handler of a compressed stream; typed is true
// when a container named the compression (so a failure is an error of the
// container, not a chance match).
func streamOpener(format string, typed bool) func(context.Context, *unpacker, blob, int64, int, int) (int64, error) {
	return func(ctx context.Context, u *unpacker, b blob, off int64, id, depth int) (int64, error) {
		return u.stream(ctx, format, b, off, id, depth, typed)
	}
}

// counter counts the bytes read through it; ReadByte keeps flate from
// reading ahead, so a gzip member's length is exact.
type counter struct {
	r *bufio.Reader
	n int64
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *counter) ReadByte() (byte, error) {
	b, err := c.r.ReadByte()
	if err == nil {
		c.n++
	}
	return b, err
}

// stream decompresses the stream at off of b into a blob of the work
// directory, records it as layer id, and scans the result.
func (u *unpacker) stream(ctx context.Context, format string, b blob, off int64, id, depth int, typed bool) (int64, error) {
	in := &counter{r: bufio.NewReaderSize(io.NewSectionReader(b, off, b.size-off), 64<<10)}
	var r io.Reader
	var err error
	switch format {
	case "gzip":
		var z *gzip.Reader
		if z, err = gzip.NewReader(in); err == nil {
			z.Multistream(false)
			r = z
		}
	case "xz":
		r, err = xz.NewReader(in)
	case "lzma":
		r, err = lzma.NewReader(in)
	case "bzip2":
		r = bzip2.NewReader(in)
	case "lz4":
		r = lz4.NewReader(in)
	case "zstd":
		var z *zstd.Decoder
		if z, err = zstd.NewReader(in, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(uint64(min(u.budget(), 1<<30)))); err == nil {
			defer z.Close()
			r = z
		}
	}
	if err != nil {
		if typed {
			return 0, err
		}
		return 0, errNotFormat
	}
	// Read the first bytes before writing anything: most chance matches
	// fail here.
	first := make([]byte, 4096)
	k, err := io.ReadFull(r, first)
	if k == 0 || (err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF)) {
		if typed {
			return 0, fmt.Errorf("%s payload: %v", format, err)
		}
		return 0, errNotFormat
	}
	if format == "bzip2" && k < 8 && !typed {
		return 0, errNotFormat
	}
	out, ferr := u.newBlob()
	if ferr != nil {
		return 0, ferr
	}
	defer out.Close()
	where := fmt.Sprintf("%s at offset %d of layer %d", format, off, u.t.Layers[id].Parent)
	n, werr := u.copyLimited(ctx, out, io.MultiReader(bytes.NewReader(first[:k]), r), in, where)
	l := &u.t.Layers[id]
	l.Size = in.n
	l.Detail = fmt.Sprintf("%d bytes decompressed", n)
	if werr != nil {
		var le *LimitError
		if errors.As(werr, &le) || isFatal(werr) {
			return in.n, werr
		}
		l.Error = fmt.Sprintf("%s stream broken after %d bytes: %v (the bytes before are analysed)", format, n, werr)
	}
	u.t.Files = append(u.t.Files, File{Path: fmt.Sprintf("[layer %d]", id), Layer: id, Kind: KindBlob, Size: n, disk: out.Name()})
	return in.n, u.scan(ctx, blob{f: out, size: n}, id, "", depth+1)
}

// copyLimited copies a decompressor's output, stopping at the byte budget
// and at MaxRatio times the input read so far (plus 1 MiB).
func (u *unpacker) copyLimited(ctx context.Context, w io.Writer, r io.Reader, in *counter, where string) (int64, error) {
	buf := make([]byte, 256<<10)
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		k, err := r.Read(buf)
		if k > 0 {
			if _, werr := w.Write(buf[:k]); werr != nil {
				return n, fatalError{werr}
			}
			n += int64(k)
			u.written += int64(k)
			if u.written > u.lim.MaxBytes {
				return n, &LimitError{Layer: where, Offset: in.n, Limit: fmt.Sprintf("more than %d bytes unpacked in all", u.lim.MaxBytes)}
			}
			if n > u.lim.MaxRatio*in.n+1<<20 {
				return n, &LimitError{Layer: where, Offset: in.n, Limit: fmt.Sprintf("decompresses to more than %d times its size (a decompression bomb?)", u.lim.MaxRatio)}
			}
		}
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// isPow2 reports whether n is a power of two.
func isPow2(n uint32) bool { return n != 0 && bits.OnesCount32(n) == 1 }

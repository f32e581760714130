package firmware

import (
	"context"
	"debug/elf"
	"errors"
	"io"
	"os"
	"strings"
)

// Binary is the hardening of one ELF file.
type Binary struct {
	Path string `json:"path"`
	Arch string `json:"arch"`
	// NX: the stack is not executable (PT_GNU_STACK without X).
	NX bool `json:"nx"`
	// PIE: a position-independent executable (or a shared library).
	PIE bool `json:"pie"`
	// RELRO is "full", "partial" or "none".
	RELRO string `json:"relro"`
	// Canary: built with stack protection (__stack_chk_fail imported).
	Canary bool `json:"canary"`
	// Fortify: uses _FORTIFY_SOURCE checked functions (*_chk).
	Fortify bool `json:"fortify"`
	// Stripped: no symbol table.
	Stripped bool `json:"stripped"`
}

// Hardening summarises the binaries of an image.
type Hardening struct {
	Binaries, NX, PIE, FullRELRO, Canary, Fortify, Stripped int
}

// Binaries reads the hardening of every ELF executable and library.
func Binaries(ctx context.Context, t *Tree) ([]Binary, error) {
	var out []Binary
	for _, f := range t.Files {
		if f.Kind != KindFile || f.Size < 64 {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		b, ok := readELF(f)
		if ok {
			out = append(out, b)
		}
	}
	return out, nil
}

// readELF reads one file's ELF headers; false when it is not ELF or cannot
// be read (a truncated or hostile file is skipped, never fatal).
func readELF(f File) (b Binary, ok bool) {
	h, err := os.Open(f.disk)
	if err != nil {
		return Binary{}, false
	}
	defer h.Close()
	var magic [4]byte
	if _, err := h.ReadAt(magic[:], f.base); err != nil || string(magic[:]) != elf.ELFMAG {
		return Binary{}, false
	}
	defer func() {
		if recover() != nil { // debug/elf can panic on crafted headers
			b, ok = Binary{}, false
		}
	}()
	e, err := elf.NewFile(io.NewSectionReader(h, f.base, f.Size))
	if err != nil {
		return Binary{}, false
	}
	defer e.Close()
	if e.Type != elf.ET_EXEC && e.Type != elf.ET_DYN {
		return Binary{}, false // objects and core files
	}
	b = Binary{Path: f.Path, Arch: strings.TrimPrefix(e.Machine.String(), "EM_"), RELRO: "none", NX: true}
	hasStack := false
	for _, p := range e.Progs {
		switch p.Type {
		case elf.PT_GNU_STACK:
			hasStack = true
			b.NX = p.Flags&elf.PF_X == 0
		case elf.PT_GNU_RELRO:
			b.RELRO = "partial"
		}
	}
	if !hasStack {
		b.NX = false // without PT_GNU_STACK most loaders make the stack executable
	}
	b.PIE = e.Type == elf.ET_DYN
	if b.RELRO == "partial" && bindNow(e) {
		b.RELRO = "full"
	}
	syms, err := e.DynamicSymbols()
	if err != nil && !errors.Is(err, elf.ErrNoSymbols) {
		syms = nil
	}
	static, serr := e.Symbols()
	b.Stripped = errors.Is(serr, elf.ErrNoSymbols) || len(static) == 0
	for _, list := range [][]elf.Symbol{syms, static} {
		for _, s := range list {
			switch {
			case s.Name == "__stack_chk_fail" || s.Name == "__stack_chk_guard":
				b.Canary = true
			case strings.HasPrefix(s.Name, "__") && strings.HasSuffix(s.Name, "_chk"):
				b.Fortify = true
			}
		}
	}
	return b, true
}

// bindNow reports whether the dynamic section asks for immediate binding.
func bindNow(e *elf.File) bool {
	if v, err := e.DynValue(elf.DT_FLAGS); err == nil {
		for _, f := range v {
			if elf.DynFlag(f)&elf.DF_BIND_NOW != 0 {
				return true
			}
		}
	}
	if v, err := e.DynValue(elf.DT_FLAGS_1); err == nil {
		for _, f := range v {
			if elf.DynFlag1(f)&elf.DF_1_NOW != 0 {
				return true
			}
		}
	}
	if v, err := e.DynValue(elf.DT_BIND_NOW); err == nil && len(v) > 0 {
		return true
	}
	return false
}

// Summarise counts the hardened binaries.
func Summarise(bs []Binary) Hardening {
	h := Hardening{Binaries: len(bs)}
	for _, b := range bs {
		if b.NX {
			h.NX++
		}
		if b.PIE {
			h.PIE++
		}
		if b.RELRO == "full" {
			h.FullRELRO++
		}
		if b.Canary {
			h.Canary++
		}
		if b.Fortify {
			h.Fortify++
		}
		if b.Stripped {
			h.Stripped++
		}
	}
	return h
}

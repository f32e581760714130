package evidence

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
	"time"
)

// sameAsMarshal fails when appendItem, having accepted it, writes other bytes
// than json.Marshal: a ref must not depend on which path computed it.
func sameAsMarshal(t *testing.T, it *Item) {
	t.Helper()
	want, err := json.Marshal(it)
	got, ok := appendItem(nil, it)
	if err != nil {
		if ok {
			t.Fatalf("json.Marshal refuses the item (%v), appendItem wrote %s", err, got)
		}
		return
	}
	if ok && !bytes.Equal(got, want) {
		t.Fatalf("appendItem and json.Marshal differ:\n got %s\nwant %s", got, want)
	}
}

func TestItemEncodingMatchesMarshal(t *testing.T) {
	at := time.Date(2026, 12, 2, 13, 4, 5, 123456789, time.FixedZone("x", 3600))
	for _, it := range []Item{
		{},
		{ID: "ev-1", Kind: "lab", Source: Source{Signer: "Lab <A&B>"}, Time: at, Check: "penetration-test", Result: Pass},
		{Kind: "tool", Source: Source{Tool: "iotlabel", Version: "1.0"}, Time: at.UTC(),
			Subject: Subject{Product: "R-1", Firmware: "1.2\u2028", Target: "127.0.0.1:23"}, Check: "default-credentials",
			Result: Fail, Target: "127.0.0.1:23", Protocol: "telnet", Username: "root", PasswordHint: "x\x01y\"\\\b\f\n\r\t",
			Detail: "bad \xff utf-8 \u2029 é", TranscriptDigest: "sha256:00",
			Data: map[string]any{"checked": 200, "not_checked": 14, "names": []string{"busybox 1.36.1"}, "z": nil,
				"f": 1.5, "tiny": 1e-9, "huge": 1e22, "neg": math.Copysign(0, -1), "list": []any{true, "a", map[string]any{"k": 1.0}}, "i64": int64(-3)}},
		{Data: map[string]any{"empty": []string(nil), "anyNil": []any(nil), "m": map[string]any(nil)}},
	} {
		sameAsMarshal(t, &it)
	}
	if _, ok := appendItem(nil, &Item{Data: map[string]any{"u": uint8(1)}}); ok {
		t.Error("a type appendItem does not know must fall back to json.Marshal")
	}
	if _, ok := appendItem(nil, &Item{Time: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}); ok {
		t.Error("a year json cannot encode must fall back")
	}
}

// FuzzItemEncoding reads an item from JSON (as evidence files hold it, so
// Data has float64, []any and nested maps) and holds appendItem to
// json.Marshal's bytes; the string argument also goes into every string field.
func FuzzItemEncoding(f *testing.F) {
	f.Add([]byte(`{"kind":"tool","source":{"tool":"t"},"time":"2026-01-02T03:04:05Z","check":"c","result":"pass","detail":"d","data":{"checked":200,"x":[1,"a",null,{"b":false}]}}`), "a<b>&\u2028")
	f.Add([]byte(`{"data":{"f":1e-7,"g":123456789012345678901234,"h":-0.5}}`), "\xff\x00")
	f.Fuzz(func(t *testing.T, data []byte, s string) {
		var it Item
		if json.Unmarshal(data, &it) == nil {
			sameAsMarshal(t, &it)
		}
		it = Item{ID: s, Kind: "tool", Source: Source{Tool: s, Version: s, Signer: s}, Subject: Subject{Product: s, Firmware: s, Target: s},
			Check: s, Result: s, Target: s, Protocol: s, Username: s, PasswordHint: s, Detail: s, TranscriptDigest: s,
			Data: map[string]any{s: s, "n": len(s), "l": []string{s}}}
		sameAsMarshal(t, &it)
	})
}

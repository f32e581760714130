package label

import (
	"context"
	"testing"
	"time"

	"github.com/iotlabel/iotlabel/catalog"
)

// BenchmarkVerify measures offline verification of one label in each form:
// parse, signature check and validity dates.
func BenchmarkVerify(b *testing.B) {
	pub, priv, _ := GenerateKey(nil)
	st := &Statement{Type: StatementType, PredicateType: PredicateType, Predicate: Predicate{LabelID: "IL-BENCH", Model: "M",
		Manufacturer: "Acme", FirmwareVersions: []string{"1.0"}, Tier: 2, Issuer: Issuer{KeyID: KeyID(pub)},
		Issued: now, Expires: now.AddDate(1, 0, 0), SupportEnd: catalog.MustDate("2030-01-31"),
		AssessmentDigest: "sha256:00000000000000000000000000000000000000000000000000000000000000aa",
		RegistryURL:      "https://r.example"}}
	env, err := Sign(context.Background(), st, priv)
	if err != nil {
		b.Fatal(err)
	}
	compact, err := Compact(&st.Predicate, priv)
	if err != nil {
		b.Fatal(err)
	}
	at := now.Add(time.Hour)
	for _, form := range []struct {
		name string
		data []byte
	}{{"dsse", env}, {"compact", []byte(compact)}} {
		b.Run(form.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if r := Check(context.Background(), form.data, pub, at); !r.Valid {
					b.Fatal(r.Reason)
				}
			}
		})
	}
}

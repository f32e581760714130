package assess_test

import (
	"reflect"
	"strconv"
	"testing"

	"github.com/iotlabel/iotlabel/assess"
	"github.com/iotlabel/iotlabel/catalog"
)

// fill sets every field reachable from v to a distinct non-zero value: each
// string its own text, each number its own value, each slice one element,
// each map one entry, so that a field the canonical encoder forgets shows.
func fill(t *testing.T, v reflect.Value, n *int) {
	*n++
	if v.Type() == reflect.TypeOf(catalog.Date{}) {
		v.Set(reflect.ValueOf(catalog.MustDate("2030-01-" + strconv.Itoa(*n%28+1))))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString("v" + strconv.Itoa(*n))
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Int16:
		v.SetInt(int64(*n))
	case reflect.Float64:
		v.SetFloat(float64(*n) + 0.5)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(t, v.Index(0), n)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(t, k, n)
		fill(t, e, n)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(t, v.Elem(), n)
	case reflect.Struct:
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			if tag := f.Tag.Get("json"); tag == "-" || tag == "" {
				t.Errorf("%s.%s has no JSON name: it would escape the digest", v.Type(), f.Name)
			}
			fill(t, v.Field(i), n)
		}
	default:
		t.Fatalf("fill: %s of kind %s is not handled; teach the test, then the encoder", v.Type(), v.Kind())
	}
}

// TestDigestCoversEveryField: an assessment with every field of its model
// filled encodes to exactly what RFC 8785 makes of its JSON, so every field
// reaches the bytes the digest covers, and a field added to the model
// without the canonical encoder fails here.
func TestDigestCoversEveryField(t *testing.T) {
	var a assess.Assessment
	n := 0
	fill(t, reflect.ValueOf(&a).Elem(), &n)
	a.Digest = ""
	want := jcsOf(t, &a)
	got := assess.Canonical(&a)
	if string(got) != string(want) {
		t.Fatalf("canonical bytes differ from RFC 8785 of the JSON:\n got %s\nwant %s", got, want)
	}
	// Changing any one field changes the digest.
	d1 := assess.Digest(&a)
	a.Recognitions[0].Status += "x"
	if assess.Digest(&a) == d1 {
		t.Error("the digest did not change with a recognition's status")
	}
}

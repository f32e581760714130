package assess

import (
	"testing"

	"github.com/iotlabel/iotlabel/catalog"
	"github.com/iotlabel/iotlabel/declaration"
)

// TestAnswerIndexFollowsAnswerKey: the engine's compiled answer index reads
// every key as declaration.AnswerKey does, and covers every requirement under
// its scheme-prefixed key.
func TestAnswerIndexFollowsAnswerKey(t *testing.T) {
	c, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	for key, i := range e.answerIdx {
		if j, ok := e.reqIdx[declaration.AnswerKey(key)]; !ok || j != i {
			t.Errorf("answer key %q: engine reads %s, declaration.AnswerKey reads %q", key, e.refs[i], declaration.AnswerKey(key))
		}
	}
	for i, ref := range e.refs {
		if j, ok := e.answerIdx[ref]; !ok || j != i {
			t.Errorf("requirement %s cannot be answered under its own reference", ref)
		}
	}
}

// Command testsummary reads `go test -json` on standard input and prints what
// plain `go test` would (package results, and the output of failed tests),
// then every skipped test with its reason and one closing line:
// "N passed, N failed, N skipped". It exits 1 when a test or a package failed
// (a build failure included), so `make test` fails with it.
//
//	go test -json ./... | go run ./internal/testsummary
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// event is one line of `go test -json` (see `go doc test2json`).
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

type summary struct {
	passed, failed, skipped int
	pkgFailed               bool
	out                     map[string][]string // output of running tests, by package/test
	skips                   []string
}

func main() {
	s, err := run(os.Stdin, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testsummary:", err)
		os.Exit(2)
	}
	if s.failed > 0 || s.pkgFailed {
		os.Exit(1)
	}
}

func run(in io.Reader, out io.Writer) (*summary, error) {
	s := &summary{out: map[string][]string{}}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if err := json.Unmarshal(line, &e); err != nil || e.Action == "" {
			// Build errors and other non-JSON lines pass through.
			fmt.Fprintf(out, "%s\n", line)
			continue
		}
		s.add(out, e)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(s.skips) > 0 {
		sort.Strings(s.skips)
		fmt.Fprintf(out, "\nskipped tests (%d):\n", len(s.skips))
		for _, k := range s.skips {
			fmt.Fprintf(out, "  %s\n", k)
		}
	}
	fmt.Fprintf(out, "\n%d passed, %d failed, %d skipped\n", s.passed, s.failed, s.skipped)
	return s, nil
}

func (s *summary) add(out io.Writer, e event) {
	key := e.Package + " " + e.Test
	switch {
	case e.Test == "" && e.Action == "output":
		if e.Output != "PASS\n" { // "ok  pkg 1.2s" follows
			fmt.Fprint(out, e.Output) // "ok  pkg 1.2s", "FAIL pkg", build output
		}
	case e.Test == "" && e.Action == "skip":
		// A package with no test files; go test prints "[no test files]".
	case e.Test == "" && e.Action == "fail":
		s.pkgFailed = true
	case e.Action == "output":
		s.out[key] = append(s.out[key], e.Output)
	case e.Action == "pass":
		s.passed++
		delete(s.out, key)
	case e.Action == "fail":
		s.failed++
		fmt.Fprint(out, strings.Join(s.out[key], ""))
		delete(s.out, key)
	case e.Action == "skip":
		s.skipped++
		s.skips = append(s.skips, e.Package+" "+e.Test+": "+skipReason(s.out[key]))
		delete(s.out, key)
	}
}

// skipReason is the message the test gave t.Skip, from its output lines.
func skipReason(lines []string) string {
	for i := len(lines) - 1; i >= 0; i-- {
		l := strings.TrimSpace(lines[i])
		if l == "" || strings.HasPrefix(l, "--- SKIP") || strings.HasPrefix(l, "=== ") {
			continue
		}
		return l
	}
	return "(no reason given)"
}

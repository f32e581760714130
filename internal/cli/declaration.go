package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/iotlabel/iotlabel/declaration"
)

const declarationUsage = `declaration init [--out FILE] | declaration validate FILE... [--format text|json] [--catalog DIR]

init writes a commented template to start from (to standard output, or to FILE, never overwriting it).
validate reports every problem of every file at once as file:line:col: field: message (hint),
and exits 2 if any file is invalid.`

func runDeclaration(_ context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintf(e.stdout, "Usage: iotlabel %s\n", declarationUsage)
		if len(args) == 0 {
			return badInput("declaration needs a subcommand: init or validate")
		}
		return nil
	}
	switch args[0] {
	case "init":
		return declarationInit(e, args[1:])
	case "validate":
		return declarationValidate(e, args[1:])
	}
	return badInput("unknown declaration subcommand %q (want init or validate)", args[0])
}

func declarationInit(e *env, args []string) error {
	fs := e.newFlags("declaration init", "declaration init [--out FILE]")
	out := fs.String("out", "", "write the template to `FILE` (refuses to overwrite)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		_, err := e.stdout.Write(declaration.Template)
		return err
	}
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return badInput("%s already exists; not overwriting it", *out)
		}
		return badInput("%v", err)
	}
	if _, err := f.Write(declaration.Template); err != nil {
		f.Close()
		os.Remove(*out)
		return fmt.Errorf("write %s: %w", *out, err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "wrote %s; edit it, then run: iotlabel declaration validate %s\n", *out, *out)
	return nil
}

type validation struct {
	File     string                `json:"file"`
	Valid    bool                  `json:"valid"`
	Problems []declaration.Problem `json:"problems"`
}

func declarationValidate(e *env, args []string) error {
	fs := e.newFlags("declaration validate", "declaration validate FILE... [--format text|json] [--catalog DIR]")
	format := fs.String("format", "text", "output format: text or json")
	catDir := fs.String("catalog", "", "check against the catalog in `DIR` instead of the built-in one")
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return badInput("declaration validate needs at least one file")
	}
	if err := checkFormat(*format, "text", "json"); err != nil {
		return err
	}
	cat, err := loadCatalog(*catDir)
	if err != nil {
		return err
	}
	var results []validation
	bad := 0
	for _, f := range files {
		v := validation{File: f, Valid: true, Problems: []declaration.Problem{}}
		if _, err := readDeclaration(cat, f); err != nil {
			v.Valid = false
			bad++
			var inv *declaration.Invalid
			if errors.As(err, &inv) {
				v.Problems = inv.Problems
			} else {
				v.Problems = []declaration.Problem{{Message: errMessage(err)}}
			}
		}
		results = append(results, v)
	}
	if *format == "json" {
		if err := writeJSONTo(e.stdout, results); err != nil {
			return err
		}
	} else {
		for _, v := range results {
			if v.Valid {
				fmt.Fprintf(e.stdout, "%s: valid\n", v.File)
				continue
			}
			inv := &declaration.Invalid{File: v.File}
			for _, p := range v.Problems {
				fmt.Fprintln(e.stdout, inv.Format(p))
			}
		}
	}
	if bad > 0 {
		return badInput("%d of %d declaration(s) invalid", bad, len(files))
	}
	return nil
}

func errMessage(err error) string {
	var xe *exitError
	if errors.As(err, &xe) {
		return xe.err.Error()
	}
	return err.Error()
}

func writeJSONTo(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

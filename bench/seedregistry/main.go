// Command seedregistry fills a registry database with N signed labels for
// bench/registry.sh: each is a real assessment of a shipped example under a
// distinct model name, issued, signed and published through the registry
// service, so lookups hit realistic rows.
//
//	go run ./bench/seedregistry -db DIR/r.db -n 100000 -out DIR
//	go run ./bench/seedregistry -db postgres://… -n 100000 -out DIR
//
// writes DIR/issuer.pub (the key to --trust) and DIR/ids.txt (one label ID
// per line, for the load generator).
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/iotlabel/iotlabel/catalog"
	"github.com/iotlabel/iotlabel/declaration"
	"github.com/iotlabel/iotlabel/examples"
	"github.com/iotlabel/iotlabel/label"
	"github.com/iotlabel/iotlabel/registry"
	"github.com/iotlabel/iotlabel/store/postgres"
	"github.com/iotlabel/iotlabel/store/sqlite"
	"github.com/iotlabel/iotlabel/store/sqlstore"
)

func main() {
	dbPath := flag.String("db", "", "registry database to create: a SQLite file or a postgres:// URL")
	n := flag.Int("n", 100000, "number of labels")
	out := flag.String("out", ".", "directory for issuer.pub and ids.txt")
	flag.Parse()
	if err := run(context.Background(), *dbPath, *n, *out); err != nil {
		fmt.Fprintln(os.Stderr, "seedregistry:", err)
		os.Exit(1)
	}
}

// signed is one label ready to publish.
type signed struct {
	id, model string
	decl      []byte
	envelope  []byte
	compact   string
}

func run(ctx context.Context, dbPath string, n int, out string) error {
	if dbPath == "" {
		return fmt.Errorf("-db is required")
	}
	start := time.Now()
	var db *sqlstore.DB
	var err error
	// SQLite takes one writer at a time; PostgreSQL takes several.
	publishers := 1
	if strings.HasPrefix(dbPath, "postgres://") || strings.HasPrefix(dbPath, "postgresql://") {
		db, err = postgres.Open(ctx, postgres.Config{DSN: dbPath})
		publishers = 4 * runtime.NumCPU()
	} else {
		db, err = sqlite.Open(ctx, sqlite.Config{Path: dbPath})
	}
	if err != nil {
		return err
	}
	defer db.Close()
	pub, priv, err := label.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	pubPEM, _ := label.MarshalPublicKey(pub)
	if err := os.WriteFile(filepath.Join(out, "issuer.pub"), pubPEM, 0o644); err != nil {
		return err
	}
	now := time.Now()
	cat, err := catalog.Default()
	if err != nil {
		return err
	}
	svc, err := registry.New(registry.Config{Store: db, Keys: map[string]label.PublicKey{label.KeyID(pub): pub}, Window: 180 * 24 * time.Hour,
		Now: func() time.Time { return now }, Catalog: cat})
	if err != nil {
		return err
	}
	src, err := examples.Files.ReadFile("router-tier2/declaration.yaml")
	if err != nil {
		return err
	}
	decl, err := declaration.Parse("router-tier2/declaration.yaml", src)
	if err != nil {
		return err
	}

	// Assess and sign on every core; publish (verify + insert) in order.
	jobs := make(chan int)
	results := make(chan signed, 256)
	errc := make(chan error, 1)
	var wg sync.WaitGroup
	for range runtime.NumCPU() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				s, err := issue(svc, src, i, now, priv)
				if err != nil {
					select {
					case errc <- err:
					default:
					}
					continue
				}
				results <- s
			}
		}()
	}
	go func() {
		for i := range n {
			jobs <- i
		}
		close(jobs)
		wg.Wait()
		close(results)
	}()
	f, err := os.Create(filepath.Join(out, "ids.txt"))
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	lab := registry.Actor{Role: registry.RoleLab, Org: "Bench Lab"}
	admin := registry.Actor{Role: registry.RoleAdmin, Org: "Bench"}
	org, err := svc.CreateOrg(ctx, admin, decl.Manufacturer.Name, registry.RoleManufacturer)
	if err != nil {
		return err
	}
	var mu sync.Mutex
	done := 0
	var pubs sync.WaitGroup
	for range publishers {
		pubs.Go(func() {
			for s := range results {
				if err := publish(ctx, svc, admin, lab, org.ID, decl.Product.Name, s); err != nil {
					select {
					case errc <- err:
					default:
					}
					continue
				}
				mu.Lock()
				fmt.Fprintln(w, s.id)
				if done++; done%10000 == 0 {
					fmt.Fprintf(os.Stderr, "%d labels, %.1f s\n", done, time.Since(start).Seconds())
				}
				mu.Unlock()
			}
		})
	}
	pubs.Wait()
	select {
	case err := <-errc:
		return err
	default:
	}
	fmt.Fprintf(os.Stderr, "seeded %d labels in %.1f s\n", done, time.Since(start).Seconds())
	return w.Flush()
}

// publish registers one label's product, stores its declaration and
// publishes the label: the registry publishes only what it recomputes from
// a stored declaration of a registered product.
func publish(ctx context.Context, svc *registry.Service, admin, lab registry.Actor, org, name string, s signed) error {
	p, err := svc.CreateProduct(ctx, admin, org, s.model, name)
	if err != nil {
		return err
	}
	if _, err := svc.SubmitDeclaration(ctx, admin, p.ID, s.decl, nil); err != nil {
		return err
	}
	if _, err := svc.Publish(ctx, lab, s.envelope, s.compact); err != nil {
		return fmt.Errorf("publish %s: %w", s.id, err)
	}
	return nil
}

// issue assesses the example under model BENCH-i and signs its label.
func issue(svc *registry.Service, src []byte, i int, now time.Time, priv label.PrivateKey) (signed, error) {
	model := fmt.Sprintf("BENCH-%06d", i)
	b := bytes.Replace(src, []byte("model: NG-AX3000"), []byte("model: "+model), 1)
	// The registry's own assessment path, the one it recomputes labels with.
	a, err := svc.Assess(context.Background(), registry.Actor{Role: registry.RoleAdmin}, b, nil, catalog.DateOf(now))
	if err != nil {
		return signed{}, err
	}
	st, err := label.NewStatement(a, label.Options{Issuer: "Bench Lab", KeyID: label.KeyID(priv.Public().(label.PublicKey)), Now: now, RegistryURL: "http://127.0.0.1"})
	if err != nil {
		return signed{}, err
	}
	env, compact, err := label.Seal(context.Background(), st, priv)
	if err != nil {
		return signed{}, err
	}
	return signed{id: st.Predicate.LabelID, model: model, decl: b, envelope: env, compact: compact}, nil
}

package cli

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/iotlabel/iotlabel/assess"
	"github.com/iotlabel/iotlabel/catalog"
	"github.com/iotlabel/iotlabel/declaration"
	"github.com/iotlabel/iotlabel/examples"
	"github.com/iotlabel/iotlabel/httpapi"
	"github.com/iotlabel/iotlabel/label"
	"github.com/iotlabel/iotlabel/registry"
	"github.com/iotlabel/iotlabel/store"
	"github.com/iotlabel/iotlabel/store/vulndb"
	"github.com/iotlabel/iotlabel/translog"
	"github.com/iotlabel/iotlabel/webhook"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/time/rate"
)

const serveUsage = `serve [--db FILE|URL] [--listen ADDR] [--trust PREFIX.pub]... [--trust-store FILE|DIR] [--keep-catalog DIR]... [--within 180d] [--rate N] [--token-rate N]
      [--vulndb FILE] [--rescan 1m] [--log DIR --log-key PREFIX.skey] [--webhook-http] [--webhook-private] [--demo]

Runs the registry: the JSON API under /v1 and the consumer pages /l/{label-id} that label QR codes open.
Labels are accepted only when signed by a --trust key. --demo adds a throwaway issuer key, an admin
token (printed) and labels for the shipped example products, so you can browse it at once.
Requests are rate-limited per client address (--rate, bursts of twice that) and per API token
(--token-rate); 0 turns a limit off. The API is described at /openapi.json.
With --vulndb, SBOMs attached to labels (PUT /v1/labels/{id}/sbom) are re-matched whenever that database
changes (checked every --rescan) and at least hourly: a known exploited vulnerability puts a label at risk.
With --log, every event is appended to a transparency log in DIR (signed checkpoints; key from
iotlabel log keygen), served under /log/ and checked by iotlabel log verify.
Webhook subscriptions (POST /v1/subscriptions) get every matching label event, signed as Standard
Webhooks, in order, retried with backoff while the receiver fails; they must be https and reach public
addresses unless --webhook-http and --webhook-private say otherwise.`

func runServe(ctx context.Context, e *env, args []string) error {
	fs := e.newFlags("serve", serveUsage)
	dbPath := fs.String("db", "", registryDBHelp)
	listen := fs.String("listen", "127.0.0.1:8080", "listen `ADDR`ess")
	var trust repeated
	fs.Var(&trust, "trust", "trusted issuer public key `FILE` (repeatable); may issue labels for any scheme")
	trustStore := fs.String("trust-store", "", "trust store `FILE` or DIR: which keys may issue labels for which schemes")
	var keep repeated
	fs.Var(&keep, "keep-catalog", "also recompute labels issued under the catalog in `DIR` (an earlier version; repeatable)")
	within := fs.String("within", "180d", "flag labels at risk when support ends within this "+periodHelp)
	demo := fs.Bool("demo", false, "add demo labels, an issuer key and an admin token")
	vulnPath := fs.String("vulndb", "", "vulnerability database `FILE` to re-match attached SBOMs against")
	logDir := fs.String("log", "", "keep a transparency log of all events in `DIR`")
	logKey := fs.String("log-key", "", "checkpoint signing key `FILE` for --log (from iotlabel log keygen)")
	hookHTTP := fs.Bool("webhook-http", false, "let webhook subscriptions use plain http:// URLs (https only otherwise)")
	hookPrivate := fs.Bool("webhook-private", false, "let webhooks connect to loopback and private addresses (refused otherwise)")
	rescan := fs.Duration("rescan", time.Minute, "how often to look for changes in --vulndb")
	perAddr := fs.Float64("rate", 50, "requests per second allowed per client address (0: no limit)")
	perTok := fs.Float64("token-rate", 10, "requests per second allowed per API token (0: no limit)")
	benchStatic := fs.Int("bench-static", 0, "for benchmarks: serve a fixed response of `BYTES` bytes at "+httpapi.StaticPath+" (bench/registry.sh's ceiling; 0: off)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return badInput("serve takes no arguments")
	}
	window, err := parsePeriod(*within, e.now())
	if err != nil {
		return err
	}
	spec := registryDB(*dbPath)
	if spec == "" && *demo {
		// The demo starts fresh every time and leaves nothing behind.
		dir, err := os.MkdirTemp("", "iotlabel-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		spec = filepath.Join(dir, "demo.db")
		fmt.Fprintf(e.stderr, "demo database: %s (new, removed when serve stops; --db FILE keeps one)\n", spec)
	}
	db, err := openRegistryDB(ctx, cmp.Or(spec, "iotlabel.db"))
	if err != nil {
		return err
	}
	defer db.Close()
	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	cfg := registry.Config{Store: db, Keys: map[string]label.PublicKey{}, Window: window, Now: e.now, Log: log, WebhookHTTP: *hookHTTP}
	if cfg.Catalog, err = catalog.Default(); err != nil {
		return err
	}
	for _, dir := range keep {
		c, err := loadCatalog(dir)
		if err != nil {
			return err
		}
		eng, err := assess.New(c)
		if err != nil {
			return badInput("--keep-catalog %s: %v", dir, err)
		}
		cfg.Engines = append(cfg.Engines, eng)
	}
	if *trustStore != "" {
		if cfg.Trust, err = loadTrust(ctx, *trustStore); err != nil {
			return err
		}
	}
	for _, p := range trust {
		k, err := readPublicKey(p)
		if err != nil {
			return err
		}
		cfg.Keys[label.KeyID(k)] = k
	}
	var vdb *vulndb.DB
	if *vulnPath != "" {
		if vdb, cfg.Dict, err = openMatcher(ctx, *vulnPath); err != nil {
			return err
		}
		defer vdb.Close()
		cfg.Vulns = vdb
	}
	var demoKey label.PrivateKey
	if *demo {
		var pub label.PublicKey
		if pub, demoKey, err = label.GenerateKey(rand.Reader); err != nil {
			return err
		}
		cfg.Keys[label.KeyID(pub)] = pub
	}
	svc, err := registry.New(cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return badInput("listen on %s: %v", *listen, err)
	}
	base := "http://" + ln.Addr().String()
	if *demo {
		if err := seedDemo(ctx, e, svc, demoKey, base); err != nil {
			ln.Close()
			return err
		}
	}
	if len(cfg.Keys) == 0 && cfg.Trust == nil {
		fmt.Fprintln(e.stderr, "warning: no --trust key given; the registry will refuse every label")
	}
	// One process on SQLite sweeps before it serves, so the first answers
	// are current; replicas on PostgreSQL leave it to the leader, which
	// sweeps as it takes over (three replicas sweeping 100,000 labels at once
	// made lookups wait a second).
	leader := registryLeader(spec)
	_, solo := leader.(store.Solo)
	if solo {
		if _, err := svc.Sweep(ctx); err != nil {
			return err
		}
	}
	if *perAddr < 0 || *perTok < 0 {
		return badInput("--rate and --token-rate must be 0 (no limit) or more")
	}
	if *benchStatic < 0 || *benchStatic > httpapi.MaxBody {
		return badInput("--bench-static must be 0 (off) to %d bytes", httpapi.MaxBody)
	}
	api := httpapi.New(svc, log)
	if *benchStatic > 0 {
		api.SetStaticCeiling(*benchStatic)
	}
	// Background work (the log follower, sweeps) runs under bg and is
	// joined before anything it uses is closed: this defer, registered after
	// the stores' and the log's, runs before theirs.
	bg, stopBG := context.WithCancel(ctx)
	var wg sync.WaitGroup
	var tl *translog.Log
	if *logDir != "" {
		if tl, err = openTransparencyLog(ctx, *logDir, *logKey); err != nil {
			stopBG()
			return err
		}
		defer func() {
			shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			tl.Close(shut)
		}()
		api.SetLog(tl, *logDir)
	}
	defer func() { stopBG(); wg.Wait() }()
	api.SetLimits(httpapi.Limits{PerAddress: rate.Limit(*perAddr), AddressBurst: int(2**perAddr) + 1,
		PerToken: rate.Limit(*perTok), TokenBurst: int(2**perTok) + 1})
	srv := &http.Server{Handler: api.Handler(), ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout: 15 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 60 * time.Second}
	hooks := webhook.NewDispatcher(svc, webhook.NewSender(10*time.Second, *hookPrivate), webhook.Options{Log: log, Wake: svc.Changed})
	// Replicas sharing one PostgreSQL database elect one of them to run the
	// work that must run once; it moves to another when the leader dies.
	wg.Go(func() {
		store.WhileLeading(bg, leader, log, func(ctx context.Context) {
			var lw sync.WaitGroup
			if tl != nil {
				lw.Go(func() {
					tl.Follow(ctx, db.Events, time.Second, func(err error) { log.ErrorContext(ctx, "transparency log", "err", err) })
				})
			}
			lw.Go(func() { svc.SweepEvery(ctx, *rescan, !solo) })
			lw.Go(func() { hooks.Run(ctx) })
			lw.Wait()
		})
	})
	fmt.Fprintf(e.stderr, "iotlabel registry listening on %s\n", base)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(shut); err != nil {
			return err
		}
		if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
}

// seedDemo issues and publishes labels for the example products that reach
// Tier 1, signed with the demo key priv, and prints an admin token.
func seedDemo(ctx context.Context, e *env, svc *registry.Service, priv label.PrivateKey, base string) error {
	pub := priv.Public().(label.PublicKey)
	secret, _, err := svc.CreateToken(ctx, registry.RoleAdmin, "demo", "demo admin")
	if err != nil {
		return err
	}
	admin := registry.Actor{TokenID: "demo", Role: registry.RoleAdmin, Org: "demo"}
	files, _ := fs.Glob(examples.Files, "*/declaration.yaml")
	fmt.Fprintf(e.stderr, "demo admin token (shown once): %s\n", secret)
	if pubPEM, err := label.MarshalPublicKey(pub); err == nil {
		// Save it as demo.pub to verify the demo's labels: iotlabel label verify --pubkey demo.pub
		fmt.Fprintf(e.stderr, "demo issuer public key (save as demo.pub for label verify):\n%s", pubPEM)
	}
	for _, f := range files {
		b, _ := fs.ReadFile(examples.Files, f)
		d, err := declaration.Parse(f, b)
		if err != nil {
			return err
		}
		ev, _ := fs.ReadFile(examples.Files, path.Join(path.Dir(f), "evidence.jsonl"))
		if err := demoProduct(ctx, svc, admin, d, b, ev); err != nil {
			return fmt.Errorf("demo: %s: %w", path.Dir(f), err)
		}
		// The registry's own assessment path, the one it recomputes labels with.
		a, err := svc.Assess(ctx, admin, b, ev, catalog.DateOf(e.now()))
		if err != nil {
			return fmt.Errorf("demo: %s: %w", path.Dir(f), err)
		}
		st, err := label.NewStatement(a, label.Options{Issuer: "iotlabel demo issuer", KeyID: label.KeyID(pub), RegistryURL: base, Now: e.now()})
		if err != nil {
			fmt.Fprintf(e.stderr, "demo: no label for %s: %v\n", path.Dir(f), err)
			continue
		}
		env, compact, err := label.Seal(ctx, st, priv)
		if err != nil {
			return err
		}
		l, err := svc.Publish(ctx, admin, env, compact)
		if err != nil {
			return fmt.Errorf("demo: publish %s: %w", path.Dir(f), err)
		}
		fmt.Fprintf(e.stderr, "demo: %-26s tier %d %-9s %s/l/%s\n", path.Dir(f), l.Tier, strings.ToUpper(l.Status), base, l.ID)
	}
	return nil
}

// openTransparencyLog opens the log in dir with the signing key in keyPath.
func openTransparencyLog(ctx context.Context, dir, keyPath string) (*translog.Log, error) {
	if keyPath == "" {
		return nil, badInput("--log needs --log-key (make one with: iotlabel log keygen --origin NAME --out PREFIX)")
	}
	skey, err := readNoteKey(keyPath)
	if err != nil {
		return nil, err
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		return nil, badInput("%s: not a log signing key: %v", keyPath, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, badInput("--log: %v", err)
	}
	return translog.Open(ctx, dir, signer, time.Second)
}

// demoProduct registers the example's manufacturer and product and stores
// its declaration and evidence as version 1.
func demoProduct(ctx context.Context, svc *registry.Service, admin registry.Actor, d *declaration.Declaration, decl, ev []byte) error {
	o, err := svc.CreateOrg(ctx, admin, d.Manufacturer.Name, registry.RoleManufacturer)
	if err != nil && !errors.Is(err, store.ErrConflict) {
		return err
	}
	p, err := svc.CreateProduct(ctx, admin, o.ID, d.Product.Model, d.Product.Name)
	if err != nil && !errors.Is(err, store.ErrConflict) { // a second demo run on the same database
		return err
	}
	_, err = svc.SubmitDeclaration(ctx, admin, p.ID, decl, ev)
	return err
}

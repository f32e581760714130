// Command iotlabel turns consumer-IoT security requirements, a manufacturer's
// declaration and observed evidence into verdicts for every scheme, tier and
// market. Run `iotlabel help` for the commands.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/iotlabel/iotlabel/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// Package fakenet holds what the hand-written fake devices of tests and
// benchmarks share: a loop that serves each connection of a listener.
package fakenet

import (
	"net"
	"time"
)

// Serve accepts connections on ln until it is closed and runs handle for
// each in its own goroutine, with a deadline of limit on the whole
// connection, closing it afterwards.
func Serve(ln net.Listener, limit time.Duration, handle func(net.Conn)) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			c.SetDeadline(time.Now().Add(limit))
			handle(c)
		}()
	}
}

package main

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
)

// callCounter is a reverse proxy in front of moto that counts the AWS calls (query-protocol actions) it forwards.
type callCounter struct {
	url   string
	mu    sync.Mutex
	total int
}

func startCallCounter(endpoint string) (*callCounter, error) {
	target, err := url.Parse(endpoint)
	if err != nil {
		return nil, err
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	c := &callCounter{url: "http://" + listener.Addr().String()}
	forward := httputil.NewSingleHostReverseProxy(target)
	go func() {
		_ = http.Serve(listener, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c.count(r)
			forward.ServeHTTP(w, r)
		}))
	}()
	return c, nil
}

// count counts a request that names an action, and puts its body back for forwarding.
func (c *callCounter) count(r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	values, _ := url.ParseQuery(string(body))
	if values.Get("Action") == "" && r.URL.Query().Get("Action") == "" {
		return
	}
	c.mu.Lock()
	c.total++
	c.mu.Unlock()
}

// take returns the calls counted since the last take.
func (c *callCounter) take() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.total
	c.total = 0
	return n
}

package main

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"time"
)

// callCounter is a reverse proxy in front of moto that counts the AWS calls (query-protocol actions) it forwards
// and adds up how long moto took to answer them.
type callCounter struct {
	url     string
	mu      sync.Mutex
	total   int
	waiting time.Duration
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
			action := actionOf(r)
			start := time.Now()
			forward.ServeHTTP(w, r)
			if action != "" {
				c.count(time.Since(start))
			}
		}))
	}()
	return c, nil
}

// actionOf is the query-protocol action a request names, or ""; it puts the body back for forwarding.
func actionOf(r *http.Request) string {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	values, _ := url.ParseQuery(string(body))
	if action := values.Get("Action"); action != "" {
		return action
	}
	return r.URL.Query().Get("Action")
}

// count counts a forwarded call with how long its answer took.
func (c *callCounter) count(took time.Duration) {
	c.mu.Lock()
	c.total++
	c.waiting += took
	c.mu.Unlock()
}

// take returns the calls counted since the last take and how long moto took to answer them, summed.
func (c *callCounter) take() (int, time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, waiting := c.total, c.waiting
	c.total, c.waiting = 0, 0
	return n, waiting
}
